"""bench/national.py writes data the app reads as it reads its own: the coverage the selectors count is
the coverage the bench reports, NIKs decrypt to valid NIKs of the desa's kecamatan, and each desa holds
the number of posts asked. PostgreSQL only (the bench writes with COPY); CI's PostgreSQL pass runs it."""

import pytest
from django.db import connection
from django.utils import timezone

from bench.national import BenchError, _delete_earlier_run, national_fill
from core.models import Program, Regency, Village
from core.nik import check_nik, hash_nik
from enrollment.models import Enrollment
from enrollment.selectors import regency_coverage
from tests.factories import PersonFactory, make_nik
from villages.models import Person, Position, Post

MAJENE = "76.05"


@pytest.fixture
def postgresql(db):
    """PostgreSQL, with no officials but the bench's: the session's demo, when another test of this
    worker loaded it, is set aside inside the test's transaction."""
    if connection.vendor != "postgresql":
        pytest.skip("the national bench writes with PostgreSQL COPY; CI's PostgreSQL pass runs this")
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Person._meta.db_table} CASCADE")


def test_the_bench_refuses_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("this one is about SQLite")

    before = Person.objects.count()  # the session's demo may have been loaded on this worker

    with pytest.raises(BenchError, match="PostgreSQL"):
        national_fill(regency_codes=[MAJENE], per_desa=3)

    assert Person.objects.count() == before


# Seed 7 gives Majene JKN in every desa with some inactive and BPJS TK in 17 desa; seed 20 JKN in half.
@pytest.mark.parametrize("seed", [7, 20])
def test_the_regency_dashboard_counts_what_the_bench_reports(postgresql, seed):
    result = national_fill(regency_codes=[MAJENE], seed=seed, per_desa=3, log=lambda *a: None)

    figures = result.regencies[MAJENE]
    programs = list(Program.objects.all())
    totals = regency_coverage(
        regency=Regency.objects.get(pk=MAJENE), programs=programs, day=timezone.localdate()
    ).totals
    for program in programs:
        assert totals[program.code].as_dict() == {
            "villages_total": figures.desa,
            "villages_covered": figures.villages_covered[program.code],
            "villages_fully_covered": figures.villages_fully_covered[program.code],
            "officials_total": figures.officials,
            "officials_covered": figures.covered[program.code],
            "officials_inactive": figures.inactive[program.code],
        }
    assert figures.covered[Program.KESEHATAN] > 0
    if seed == 7:
        assert figures.inactive[Program.KESEHATAN] and figures.covered[Program.KETENAGAKERJAAN]
    else:
        assert 0 < figures.villages_covered[Program.KESEHATAN] < figures.desa
    assert Enrollment.objects.count() == figures.enrollments > figures.officials * 0.5


def test_every_desa_holds_the_posts_asked_and_kelurahan_none(postgresql):
    national_fill(regency_codes=[MAJENE], per_desa=3, log=lambda *a: None)

    desa = Village.objects.filter(subdistrict__regency=MAJENE, kind__in=Village.GOVERNED_KINDS)
    today = timezone.localdate()
    for village in desa:
        positions = sorted(Post.objects.active_on(today).filter(village=village).values_list("position", flat=True))
        assert positions == sorted([Position.KEPALA_DESA, Position.SEKRETARIS_DESA, Position.KAUR_KEUANGAN])
    assert not Post.objects.filter(village__kind=Village.Kind.KELURAHAN).exists()


def test_a_nik_decrypts_to_a_valid_nik_of_the_desas_kecamatan(postgresql):
    national_fill(regency_codes=[MAJENE], per_desa=3, log=lambda *a: None)

    for post in Post.objects.select_related("person", "village").order_by("?")[:20]:
        person = post.person
        check = check_nik(person.nik, sex=person.sex, birth_date=person.birth_date)
        assert check.valid and not check.warnings, check.errors + check.warnings
        assert person.nik[:6] == post.village.subdistrict_id.replace(".", "")
        assert person.nik_hash == hash_nik(person.nik)
    active = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).select_related("program").first()
    assert active.program.participant_number_error(active.participant_number) == ""


def test_a_second_run_replaces_the_first(postgresql):
    first = national_fill(regency_codes=[MAJENE], per_desa=3, log=lambda *a: None)

    second = national_fill(regency_codes=[MAJENE], per_desa=3, log=lambda *a: None)

    assert Person.objects.count() == first.total.persons == second.total.persons
    assert Enrollment.objects.count() == second.total.enrollments


def test_an_earlier_run_is_deleted_row_by_row_when_it_cannot_be_truncated(postgresql):
    national_fill(regency_codes=[MAJENE], per_desa=3, log=lambda *a: None)
    other = PersonFactory(nik=make_nik(1))

    with connection.cursor() as cursor:
        deleted, how = _delete_earlier_run(cursor.cursor, only_bench=False)

    assert how == "deleted" and deleted > 0
    assert list(Person.objects.all()) == [other]
    assert not Post.objects.exists() and not Enrollment.objects.exists()


def test_the_bench_leaves_a_database_with_other_officials_alone(postgresql):
    PersonFactory(nik=make_nik(1))

    with pytest.raises(BenchError, match="1 officials the bench did not write"):
        national_fill(regency_codes=[MAJENE], per_desa=3, log=lambda *a: None)

    assert Person.objects.count() == 1


def test_replace_empties_the_officials_tables_first(postgresql):
    other = PersonFactory(nik=make_nik(1))

    result = national_fill(regency_codes=[MAJENE], per_desa=3, replace=True, log=lambda *a: None)

    assert not Person.objects.filter(pk=other.pk).exists()
    assert Person.objects.count() == result.total.persons
