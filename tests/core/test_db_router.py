"""Dashboard reads go to the read replica only where they may: in an opted-in view, outside a
transaction, and not right after this browser wrote (read-your-writes). Writes and migrations stay on
the primary, and without DATABASE_REPLICA_URL nothing changes.

No real replica is needed: the router's choice is read from QuerySet.db, which asks the router without
running a query. pytest-django wraps every test in a transaction, which on its own keeps every read on
the primary (so the suite runs even with a replica configured); these tests set that one aside."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve, reverse

from accounts.models import User
from core import db_router
from core.db_router import ReplicaRouter
from core.models import Village
from core.replica import RECENT_WRITE_COOKIE, ReplicaReadsMiddleware, replica_reads
from portal.api import CoverageView


@pytest.fixture(autouse=True)
def _outside_the_tests_transaction(monkeypatch):
    def in_transaction():
        blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
        return any(not getattr(block, "_from_testcase", False) for block in blocks)

    monkeypatch.setattr(db_router, "in_transaction", in_transaction)


WITH_REPLICA = override_settings(
    REPLICA_DATABASE="replica", DATABASE_ROUTERS=["core.db_router.ReplicaRouter"], REPLICA_STICKY_SECONDS=10
)


def dashboard_view(seen: list):
    """A dashboard-like view that notes where its reads would go."""

    @replica_reads
    def view(request):
        seen.append(Village.objects.all().db)
        seen.append(User.objects.all().db)
        return HttpResponse("ok")

    return view


def plain_view(seen: list):
    def view(request):
        seen.append(Village.objects.all().db)
        return HttpResponse("ok")

    return view


def serve(view, method="get", cookies=None):
    request = getattr(RequestFactory(), method)("/")
    request.COOKIES.update(cookies or {})
    return ReplicaReadsMiddleware(view)(request)


@WITH_REPLICA
def test_dashboard_reads_go_to_the_replica():
    seen = []

    response = serve(dashboard_view(seen))

    assert seen[0] == "replica"
    assert RECENT_WRITE_COOKIE not in response.cookies


@WITH_REPLICA
def test_sessions_and_accounts_are_read_from_the_primary_even_in_a_dashboard():
    seen = []

    serve(dashboard_view(seen))

    assert seen[1] == "default"


@WITH_REPLICA
def test_a_view_that_did_not_opt_in_reads_from_the_primary():
    seen = []

    serve(plain_view(seen))

    assert seen == ["default"]


@WITH_REPLICA
def test_writes_go_to_the_primary_even_in_a_dashboard():
    seen = []

    @replica_reads
    def view(request):
        seen.append(router.db_for_write(Village))
        seen.append(Village.objects.all().db)  # read after the write: the primary
        return HttpResponse("ok")

    response = serve(view)

    assert seen == ["default", "default"]
    assert RECENT_WRITE_COOKIE in response.cookies


@WITH_REPLICA
def test_after_a_post_the_next_pages_read_from_the_primary_within_the_sticky_window():
    posted = serve(plain_view([]), method="post")
    cookie = posted.cookies[RECENT_WRITE_COOKIE]
    assert cookie["max-age"] == 10

    seen = []
    serve(dashboard_view(seen), cookies={RECENT_WRITE_COOKIE: cookie.value})

    assert seen[0] == "default"


@WITH_REPLICA
def test_once_the_sticky_window_has_passed_the_dashboard_reads_the_replica_again():
    seen = []

    serve(dashboard_view(seen), cookies={RECENT_WRITE_COOKIE: str(int(time.time()) - 11)})

    assert seen[0] == "replica"


@WITH_REPLICA
def test_a_malformed_cookie_is_ignored():
    seen = []

    serve(dashboard_view(seen), cookies={RECENT_WRITE_COOKIE: "soon"})

    assert seen[0] == "replica"


@WITH_REPLICA
def test_reads_inside_a_transaction_go_to_the_primary():
    seen = []

    @replica_reads
    def view(request):
        with transaction.atomic():
            seen.append(Village.objects.all().db)
        seen.append(Village.objects.all().db)
        return HttpResponse("ok")

    serve(view)

    assert seen == ["default", "replica"]


@override_settings(REPLICA_DATABASE=None, DATABASE_ROUTERS=["core.db_router.ReplicaRouter"])
def test_without_a_replica_everything_reads_from_the_primary():
    seen = []

    response = serve(dashboard_view(seen), method="post")

    assert seen == ["default", "default"]
    assert RECENT_WRITE_COOKIE not in response.cookies
    assert ReplicaRouter().db_for_read(Village) is None


@WITH_REPLICA
def test_migrations_run_only_on_the_primary():
    assert ReplicaRouter().allow_migrate("replica", "villages") is False
    assert ReplicaRouter().allow_migrate("default", "villages") is None


@WITH_REPLICA
def test_outside_a_request_reads_go_to_the_primary():
    # Celery tasks, management commands, the shell.
    assert Village.objects.all().db == "default"


@pytest.mark.parametrize(
    "url",
    [
        reverse("regency-list"),
        reverse("regency-dashboard", args=["17.06"]),
        reverse("subdistrict-detail", args=["17.06.01"]),
    ],
)
def test_dashboards_opt_in_to_replica_reads(url):
    assert getattr(resolve(url).func, "replica_reads", False)


def test_coverage_api_opts_in_to_replica_reads():
    assert getattr(CoverageView.dispatch, "replica_reads", False)


@WITH_REPLICA
def test_dpmd_sees_the_target_just_saved_on_the_dashboard_that_follows(dpmd_mukomuko, mukomuko, login):
    # Without the recent-write cookie the dashboard would read the replica (absent here, so the page
    # could not even be built); within the sticky window it reads the primary and shows the new target.
    client = login(dpmd_mukomuko)

    saved = client.post(reverse("coverage-target", args=["17.06"]), {"program": "bpjs_ketenagakerjaan", "year": "2028"})
    dashboard = client.get(saved["Location"])

    assert RECENT_WRITE_COOKIE in saved.cookies
    assert dashboard.status_code == 200
    assert "2028" in dashboard.content.decode()
