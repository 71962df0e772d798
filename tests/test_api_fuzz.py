"""Schemathesis over the API's own OpenAPI schema (drf-spectacular): whatever a client sends — bodies that
fit the schema and bodies that do not (a list, a string, null, a list where a date goes) — no operation
under /api/v1/ answers 500.

Each operation is called as a DPMD officer and as a village head, through the WSGI application, with the
path's ids pointing at objects in their scope, so the bodies reach the views rather than a 404. Hypothesis
is derandomized (the same cases on every run, no example database) and bounded by MAX_EXAMPLES: about
4,500 calls, a minute on two cores (`make test`, SQLite or PostgreSQL). Schemathesis' coverage phase adds
its own cases per field (a list, an object, null, ...), so the operations with most fields cost most.
"""

from __future__ import annotations

import json
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from core.models import Program
from desa_jaminan.wsgi import application
from submissions.models import Submission
from submissions.services import submission_start
from tests.budgets.test_scenarios import make as scenario_make
from tests.factories import PostFactory

MAX_EXAMPLES = 12

schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)


@pytest.fixture
def _same_connection():
    """The application's requests run inside the test's transaction, as with Django's test client: the
    handler's request signals must not close the connection it holds."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["dpmd_mukomuko", "head_suka_pindah"])
def caller(request, dpmd_mukomuko, suka_pindah, head_arah_tiga, _same_connection):
    """(the Authorization header, the ids its paths use) of one actor, with a post, a draft submission
    and a scenario in its scope."""
    user = request.getfixturevalue(request.param)
    post = PostFactory(village=suka_pindah)
    # The session demo, when loaded, may hold the desa's open submission already.
    submission = Submission.objects.filter(village=suka_pindah, status__in=Submission.OPEN_STATUSES).first()
    submission = submission or submission_start(
        actor=user, village=suka_pindah, program=Program.objects.get(pk=Program.KETENAGAKERJAAN)
    )
    ids = {
        r"/villages/\{code\}/|/budgets/village/\{code\}/": suka_pindah.code,
        r"/regencies/\{code\}/": suka_pindah.subdistrict.regency_id,
        r"/posts/\{id\}/": post.pk,
        r"/officials/\{id\}/": post.person_id,
        r"/scenarios/\{id\}/": scenario_make(dpmd_mukomuko).pk,
        r"/submissions/\{id\}/": submission.pk,
        r"/accounts/\{id\}/": head_arah_tiga.pk,
    }
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}, ids


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case, caller):
    headers, ids = caller
    for pattern, value in ids.items():
        if case.path_parameters and re.search(pattern, case.path):  # each path has one parameter
            (name,) = case.path_parameters
            case.path_parameters = {name: value}
    case.call_and_validate(app=application, headers=headers, checks=[not_a_server_error])
