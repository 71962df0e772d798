"""The regency dashboard read through a real PostgreSQL streaming replica (`.ci/replica.sh start`).

pytest-django makes the replica a test mirror of the default database (desa_jaminan/settings.py): it
creates and empties nothing there (the replica is read-only), and Django points the alias, still on the
replica's host and port, at the test database's name, which streaming replication copies from the
primary. So what a test shows through the replica must be committed (a transactional test) and replayed.

The proof that a figure came from the replica: with its replay paused, a change committed on the primary
is not on the dashboard; right after this DPMD user saved something it is (read-your-writes).
Runs where DATABASE_REPLICA_LIVE=1 says DATABASE_REPLICA_URL is a live standby of DATABASE_URL, as in
the PostgreSQL pass of .ci/run; skipped elsewhere.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from core.models import Program, Province, Regency, Subdistrict, Village
from core.replica import RECENT_WRITE_COOKIE
from core.roles import Role
from enrollment.selectors import Coverage
from tests.enrollment.test_dashboard_views import card
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from villages.models import Position

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("DATABASE_REPLICA_LIVE") != "1",
        reason="needs a live streaming replica: .ci/replica.sh start, then DATABASE_URL=postgres://...:5432/..., "
        "DATABASE_REPLICA_URL=postgres://...:5433/... and DATABASE_REPLICA_LIVE=1",
    ),
    # Committed, so that the replica can replay it; serialized, so the reference data outlive the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, "replica"]),
]

CODE = "98.01"
TK = Program.KETENAGAKERJAAN
ENROLLMENTS = "enrollment_enrollment"  # the table every coverage figure counts from


def _one(alias: str, sql: str, params: list | None = None):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


@pytest.fixture
def replica():
    """The replica alias, checked to be a standby serving the primary's test database."""
    assert _one("replica", "SELECT pg_is_in_recovery()"), "DATABASE_REPLICA_URL is not a standby"
    settings = connections["replica"].settings_dict
    assert settings["NAME"] == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    assert (settings["HOST"], settings["PORT"]) != (
        connections[DEFAULT_DB_ALIAS].settings_dict["HOST"],
        connections[DEFAULT_DB_ALIAS].settings_dict["PORT"],
    )
    yield "replica"
    _one("replica", "SELECT pg_wal_replay_resume()::text")  # whatever the test did
    connections["replica"].close()


def replayed(timeout: float = 5.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    written = _one(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not _one("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]):
        if time.monotonic() > deadline:
            pytest.fail(f"the replica has not replayed {written} after {timeout} s")
        time.sleep(0.05)


@contextmanager
def replay_paused() -> Iterator[None]:
    """The replica stops applying the primary's changes: it shows what was there when paused."""
    _one("replica", "SELECT pg_wal_replay_pause()::text")
    deadline = time.monotonic() + 5
    while _one("replica", "SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "the replica's replay did not pause"
        time.sleep(0.05)
    try:
        yield
    finally:
        _one("replica", "SELECT pg_wal_replay_resume()::text")


@contextmanager
def queries_on_each_server() -> Iterator[dict[str, list[str]]]:
    """The SQL each database alias ran inside the block: {"default": [...], "replica": [...]}."""
    ran: dict[str, list[str]] = {}
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        yield ran
    ran["default"] = [q["sql"] for q in primary.captured_queries]
    ran["replica"] = [q["sql"] for q in replica.captured_queries]


def counting_enrollments(sql: list[str]) -> int:
    return sum(ENROLLMENTS in q for q in sql)


@pytest.fixture
def small_regency(replica, tk, kes):
    """One kecamatan, two desa with three officials; the head of the first enrolled in BPJS TK."""
    province = Province.objects.create(code="98", name="Provinsi Replika")
    regency = Regency.objects.create(code=CODE, name="Kabupaten Replika", province=province)
    subdistrict = Subdistrict.objects.create(code=f"{CODE}.01", name="Replika", regency=regency)
    first = Village.objects.create(code=f"{CODE}.01.2001", name="Satu", subdistrict=subdistrict, kind="desa")
    second = Village.objects.create(code=f"{CODE}.01.2002", name="Dua", subdistrict=subdistrict, kind="desa")
    head = PostFactory(village=first, position=Position.KEPALA_DESA, person=PersonFactory(nik=make_nik(9801)))
    PostFactory(village=first, person=PersonFactory(nik=make_nik(9802)))
    PostFactory(village=second, position=Position.KEPALA_DESA, person=PersonFactory(nik=make_nik(9803)))
    EnrollmentFactory(person=head.person, program=tk, participant_number="98010100001")
    return regency


@pytest.fixture
def dpmd_replika(small_regency):
    return UserFactory(username="dpmd-replika", role=Role.DPMD, regency=small_regency)


# The TK card before and after the second desa's head is enrolled.
ONE_OF_THREE = Coverage(
    villages_total=2, villages_covered=1, villages_fully_covered=0, officials_total=3, officials_covered=1
)
TWO_OF_THREE = Coverage(
    villages_total=2, villages_covered=2, villages_fully_covered=1, officials_total=3, officials_covered=2
)


def enroll_second_head(tk) -> None:
    """Committed on the primary: the head of the second desa joins BPJS TK."""
    head = Village.objects.get(code=f"{CODE}.01.2002").posts.get(position=Position.KEPALA_DESA)
    EnrollmentFactory(person=head.person, program=tk, participant_number="98010100002")


def test_dpmd_dashboard_figures_are_read_from_the_replica(dpmd_replika, tk, login):
    client = login(dpmd_replika)
    replayed()

    with replay_paused():
        enroll_second_head(tk)  # on the primary only, while the replica stands still
        with queries_on_each_server() as ran:
            dashboard = client.get(f"/wilayah/{CODE}/")

    assert dashboard.status_code == 200
    assert card(dashboard, TK) == ONE_OF_THREE  # the replica's figures, not the primary's
    assert counting_enrollments(ran["replica"]) > 0
    assert counting_enrollments(ran["default"]) == 0


def test_the_dashboard_catches_up_once_the_replica_has_replayed(dpmd_replika, tk, login):
    client = login(dpmd_replika)
    enroll_second_head(tk)
    replayed()

    with queries_on_each_server() as ran:
        dashboard = client.get(f"/wilayah/{CODE}/")

    assert card(dashboard, TK) == TWO_OF_THREE
    assert counting_enrollments(ran["replica"]) > 0


def test_after_saving_a_target_the_dpmd_dashboard_is_read_from_the_primary(dpmd_replika, tk, login):
    client = login(dpmd_replika)
    replayed()

    with replay_paused():
        enroll_second_head(tk)
        saved = client.post(f"/wilayah/{CODE}/target/", {"program": TK, "year": "2028"})
        with queries_on_each_server() as ran:
            dashboard = client.get(saved["Location"])

    assert RECENT_WRITE_COOKIE in saved.cookies
    assert card(dashboard, TK) == TWO_OF_THREE  # the primary's figures: the replica still has one
    assert "2028" in dashboard.content.decode()
    assert counting_enrollments(ran["default"]) > 0
    assert counting_enrollments(ran["replica"]) == 0
