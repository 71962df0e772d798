"""The account tests log in through the login page, so the actors need a password the tests know,
whether the factories made them or the session-wide demo did (with the demo's password)."""

import pytest
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from accounts.models import User
from core.models import Program
from core.roles import Role

PASSWORD = "rahasia-123"


@pytest.fixture(autouse=True)
def _demo_accounts_set_aside(request, db):
    """The account pages count and list accounts: the demo's, when another test of the session loaded it,
    are set aside for the test (renamed, out of every scope, inactive; the test's transaction restores
    them), so each test sees the accounts it made and nothing else. A test of the demo keeps them."""
    demo = User.objects.filter(is_superuser=False)
    if "demo" in request.fixturenames or not demo.exists():
        return
    User.branch_regencies.through.objects.filter(user__in=demo).delete()
    demo.update(
        username=Concat(Value("set-aside-"), Cast("pk", CharField())),
        role=Role.BPJS,  # a role whose scope is its branch: now none
        program=Program.objects.first(),
        village=None,
        regency=None,
        province=None,
        is_active=False,
    )


def _known(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def head_suka_pindah(head_suka_pindah):
    return _known(head_suka_pindah)


@pytest.fixture
def head_arah_tiga(head_arah_tiga):
    return _known(head_arah_tiga)


@pytest.fixture
def dpmd_mukomuko(dpmd_mukomuko):
    return _known(dpmd_mukomuko)
