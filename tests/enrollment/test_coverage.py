"""Coverage selectors on small hand-built data in the real villages of Mukomuko.

Definitions (enrollment/selectors.py): officials are persons holding a post in a desa on the day; an
official is covered when an enrollment of theirs covered that day; a village is covered when one of its
officials is, fully covered when all of them are. Kelurahan are never counted.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import FundingSource, Program, Village
from enrollment.models import Enrollment
from enrollment.selectors import Coverage, coverage, coverage_by_source, officials_by_coverage, villages_by_coverage
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory
from villages.models import Person, Position, Post

SUKA_PINDAH = "17.06.01.2005"
ARAH_TIGA = "17.06.01.2007"
PASAR_SEBELAH = "17.06.02.2007"  # a desa in Kecamatan Kota Mukomuko
TERAS_TERUNJAM = "17.06.03.2008"
PASAR_MUKOMUKO = "17.06.02.1009"  # a kelurahan in Kecamatan Kota Mukomuko

MUKOMUKO_DESA = 148
MUKOMUKO_KECAMATAN = 15


@pytest.fixture(autouse=True)
def _no_officials(regions):
    """The session `demo` fixture, once loaded, leaves officials in every desa; these tests count their
    own, so the posts already there end on the day they began (never held on any day)."""
    Post.objects.current().update(ended_on=F("term_start"), end_reason=Post.EndReason.TERM_ENDED)


@pytest.fixture
def today():
    return timezone.localdate()


def village(code: str) -> Village:
    return Village.objects.get(pk=code)


def official(code: str, **post_fields) -> Person:
    person = PersonFactory()
    PostFactory(person=person, village=village(code), **post_fields)
    return person


def enroll(person: Person, program, **fields) -> Enrollment:
    return EnrollmentFactory(person=person, program=program, **fields)


def total(villages, program, day, by=None):
    return coverage(villages=villages, programs=[program], day=day, by=by)[None][program.code]


def only(*codes: str):
    return Village.objects.filter(pk__in=codes)


def in_mukomuko():
    return Village.objects.filter(subdistrict__regency_id="17.06")


@dataclass
class Scenario:
    a: Person  # Suka Pindah; Kesehatan from DAU
    b: Person  # Suka Pindah; Kesehatan from ADD
    c: Person  # Arah Tiga; Kesehatan (DAU) and Ketenagakerjaan (ADD)
    d: Person  # Arah Tiga; not enrolled
    f: Person  # definitif in Pasar Sebelah and Plt kepala desa of Arah Tiga; both programs
    g: Person  # Pasar Sebelah; post ended yesterday; Kesehatan
    e: Person  # Teras Terunjam; not enrolled
    i: Person  # Teras Terunjam; Kesehatan from tomorrow
    r: Person  # Teras Terunjam; Kesehatan requested only
    h: Person  # Pasar Mukomuko, a kelurahan; Kesehatan


@pytest.fixture
def scenario(today, tk, kes) -> Scenario:
    dau, add = FundingSource.objects.get(pk="DAU"), FundingSource.objects.get(pk="ADD")
    s = Scenario(
        a=official(SUKA_PINDAH),
        b=official(SUKA_PINDAH),
        c=official(ARAH_TIGA),
        d=official(ARAH_TIGA),
        f=official(PASAR_SEBELAH),
        g=official(PASAR_SEBELAH, ended_on=today - dt.timedelta(days=1), end_reason=Post.EndReason.RESIGNED),
        e=official(TERAS_TERUNJAM),
        i=official(TERAS_TERUNJAM),
        r=official(TERAS_TERUNJAM),
        # Kelurahan have no officials; the service refuses them, so this is data from elsewhere.
        h=official(PASAR_MUKOMUKO),
    )
    PostFactory(person=s.f, village=village(ARAH_TIGA), position=Position.KEPALA_DESA, status=Post.Status.PLT)
    enroll(s.a, kes, funding_source=dau)
    enroll(s.b, kes, funding_source=add)
    enroll(s.c, kes, funding_source=dau)
    enroll(s.c, tk, funding_source=add)
    enroll(s.f, kes, funding_source=dau)
    enroll(s.f, tk, funding_source=add)
    enroll(s.g, kes, funding_source=dau)
    enroll(s.i, kes, start_date=today + dt.timedelta(days=1))
    enroll(s.r, kes, status=Enrollment.Status.REQUESTED, participant_number="")
    enroll(s.h, kes)
    return s


# --- what counts ---------------------------------------------------------------------------------------


def test_village_is_covered_when_one_official_is_enrolled(kes, today):
    covered = official(SUKA_PINDAH)
    official(SUKA_PINDAH)
    enroll(covered, kes)

    result = total(only(SUKA_PINDAH), kes, today)

    assert (result.villages_total, result.villages_covered, result.villages_fully_covered) == (1, 1, 0)
    assert (result.officials_total, result.officials_covered) == (2, 1)


def test_village_is_fully_covered_when_all_officials_are_enrolled(kes, today):
    for _ in range(3):
        enroll(official(SUKA_PINDAH), kes)

    result = total(only(SUKA_PINDAH), kes, today)

    assert (result.villages_covered, result.villages_fully_covered) == (1, 1)
    assert (result.officials_total, result.officials_covered) == (3, 3)


def test_village_without_officials_is_neither_covered_nor_fully_covered(kes, today):
    result = total(only(SUKA_PINDAH), kes, today)

    assert (result.villages_total, result.villages_covered, result.villages_fully_covered) == (1, 0, 0)
    assert result.officials_total == 0


def test_enrollment_in_one_program_does_not_cover_the_other(kes, tk, today):
    enroll(official(SUKA_PINDAH), kes)

    result = total(only(SUKA_PINDAH), tk, today)

    assert (result.villages_covered, result.officials_total, result.officials_covered) == (0, 1, 0)


def test_kelurahan_is_never_counted(kes, today):
    enroll(official(PASAR_MUKOMUKO), kes)

    alone = total(only(PASAR_MUKOMUKO), kes, today)
    regency = total(in_mukomuko(), kes, today)

    assert alone == Coverage()
    assert regency.villages_total == MUKOMUKO_DESA
    assert (regency.villages_covered, regency.officials_total, regency.officials_covered) == (0, 0, 0)
    assert not villages_by_coverage(villages=in_mukomuko(), program=kes, day=today).filter(kind=Village.Kind.KELURAHAN)
    assert not officials_by_coverage(villages=in_mukomuko(), program=kes, day=today).exists()


def test_official_with_two_posts_counts_once_in_the_regency(kes, today):
    person = official(SUKA_PINDAH)
    PostFactory(person=person, village=village(ARAH_TIGA), position=Position.KEPALA_DESA, status=Post.Status.PLT)
    enroll(person, kes)

    result = total(in_mukomuko(), kes, today)

    assert (result.officials_total, result.officials_covered) == (1, 1)
    assert (result.villages_covered, result.villages_fully_covered) == (2, 2)
    assert list(officials_by_coverage(villages=in_mukomuko(), program=kes, day=today, which="covered")) == [person]


def test_ended_post_no_longer_counts(kes, today):
    person = official(SUKA_PINDAH, ended_on=today - dt.timedelta(days=1), end_reason=Post.EndReason.RESIGNED)
    enroll(person, kes)

    now = total(only(SUKA_PINDAH), kes, today)
    before = total(only(SUKA_PINDAH), kes, today - dt.timedelta(days=2))

    assert (now.officials_total, now.villages_covered) == (0, 0)
    assert (before.officials_total, before.officials_covered, before.villages_covered) == (1, 1, 1)


def test_post_starting_tomorrow_does_not_count_today(kes, today):
    enroll(official(SUKA_PINDAH, term_start=today + dt.timedelta(days=1)), kes)

    assert total(only(SUKA_PINDAH), kes, today).officials_total == 0
    assert total(only(SUKA_PINDAH), kes, today + dt.timedelta(days=1)).officials_covered == 1


def test_enrollment_starting_tomorrow_counts_from_tomorrow(kes, today):
    enroll(official(SUKA_PINDAH), kes, start_date=today + dt.timedelta(days=1))

    now = total(only(SUKA_PINDAH), kes, today)
    tomorrow = total(only(SUKA_PINDAH), kes, today + dt.timedelta(days=1))

    assert (now.officials_covered, now.villages_covered) == (0, 0)
    assert (tomorrow.officials_covered, tomorrow.villages_covered) == (1, 1)


@pytest.mark.parametrize("status", [Enrollment.Status.ENDED, Enrollment.Status.INACTIVE])
def test_ended_enrollment_counts_only_between_its_dates(kes, today, status):
    enroll(official(SUKA_PINDAH), kes, status=status, start_date=dt.date(2021, 1, 1), end_date=dt.date(2022, 1, 1))

    def covered_on(day: dt.date) -> int:
        return total(only(SUKA_PINDAH), kes, day).officials_covered

    assert covered_on(dt.date(2020, 12, 31)) == 0
    assert covered_on(dt.date(2021, 1, 1)) == 1
    assert covered_on(dt.date(2021, 7, 1)) == 1
    assert covered_on(dt.date(2022, 1, 2)) == 0
    assert covered_on(today) == 0


@pytest.mark.parametrize("status", [Enrollment.Status.REQUESTED, Enrollment.Status.REJECTED])
def test_requested_or_rejected_enrollment_never_counts(kes, today, status):
    enroll(official(SUKA_PINDAH), kes, status=status, start_date=dt.date(2021, 1, 1), participant_number="")

    result = total(only(SUKA_PINDAH), kes, today)

    assert (result.officials_total, result.officials_covered, result.villages_covered) == (1, 0, 0)


# --- the figures of a realistic mix, and the lists behind them ----------------------------------------


def test_regency_figures_of_the_scenario(scenario, kes, tk, today):
    result = coverage(villages=in_mukomuko(), programs=[kes, tk], day=today)[None]

    # Covered: Suka Pindah, Arah Tiga, Pasar Sebelah; fully: Suka Pindah and Pasar Sebelah (g's post ended).
    assert result[kes.code].as_dict() == {
        "villages_total": MUKOMUKO_DESA,
        "villages_covered": 3,
        "villages_fully_covered": 2,
        "officials_total": 8,  # a b c d f e i r: f once, g ended, h in a kelurahan
        "officials_covered": 4,  # a b c f
        "officials_inactive": 0,
    }
    assert result[tk.code].as_dict() == {
        "villages_total": MUKOMUKO_DESA,
        "villages_covered": 2,
        "villages_fully_covered": 1,
        "officials_total": 8,
        "officials_covered": 2,
        "officials_inactive": 0,
    }


@pytest.mark.parametrize("days_from_today", [-2, 0, 1])
@pytest.mark.parametrize("program_code", ["bpjs_kesehatan", "bpjs_ketenagakerjaan"])
def test_each_figure_has_a_list_with_exactly_that_many_rows(scenario, today, days_from_today, program_code):
    program = Program.objects.get(pk=program_code)
    day = today + dt.timedelta(days=days_from_today)
    figures = total(in_mukomuko(), program, day)

    def villages(which: str) -> int:
        return villages_by_coverage(villages=in_mukomuko(), program=program, day=day, which=which).count()

    def officials(which: str) -> int:
        return officials_by_coverage(villages=in_mukomuko(), program=program, day=day, which=which).count()

    assert villages("all") == figures.villages_total
    assert villages("covered") == figures.villages_covered
    assert villages("fully_covered") == figures.villages_fully_covered
    assert villages("uncovered") == figures.villages_uncovered
    assert officials("all") == figures.officials_total
    assert officials("covered") == figures.officials_covered
    assert officials("uncovered") == figures.officials_uncovered
    assert officials("inactive") == figures.officials_inactive
    assert officials("not_enrolled") == figures.officials_not_enrolled


def test_village_list_counts_officials_of_each_village(scenario, kes, today):
    rows = {v.code: v for v in villages_by_coverage(villages=in_mukomuko(), program=kes, day=today)}

    assert (rows[SUKA_PINDAH].officials, rows[SUKA_PINDAH].officials_covered) == (2, 2)
    assert (rows[ARAH_TIGA].officials, rows[ARAH_TIGA].officials_covered) == (3, 2)
    assert (rows[PASAR_SEBELAH].officials, rows[PASAR_SEBELAH].officials_covered) == (1, 1)


def test_village_list_counts_zero_not_nothing_for_uncovered_or_empty_villages(scenario, kes, today):
    rows = {v.code: v for v in villages_by_coverage(villages=in_mukomuko(), program=kes, day=today)}

    assert (rows[TERAS_TERUNJAM].officials, rows[TERAS_TERUNJAM].officials_covered) == (3, 0)
    assert (rows["17.06.01.2008"].officials, rows["17.06.01.2008"].officials_covered) == (0, 0)


def test_village_list_agrees_with_coverage_by_village(scenario, kes, today):
    by_village = coverage(villages=in_mukomuko(), programs=[kes], day=today, by="village")

    for row in villages_by_coverage(villages=in_mukomuko(), program=kes, day=today):
        figures = by_village[row.code][kes.code]
        assert (row.officials or 0, row.officials_covered or 0) == (
            figures.officials_total,
            figures.officials_covered,
        ), row.code


@pytest.mark.parametrize("by", ["subdistrict", "village"])
def test_grouped_village_figures_add_up_to_the_total(scenario, kes, tk, today, by):
    programs = [kes, tk]
    overall = coverage(villages=in_mukomuko(), programs=programs, day=today)[None]
    groups = coverage(villages=in_mukomuko(), programs=programs, day=today, by=by)

    assert len(groups) == {"subdistrict": MUKOMUKO_KECAMATAN, "village": MUKOMUKO_DESA}[by]
    for p in programs:
        for figure in ("villages_total", "villages_covered", "villages_fully_covered"):
            assert sum(getattr(g[p.code], figure) for g in groups.values()) == getattr(overall[p.code], figure)


def test_grouping_by_regency_gives_the_total_under_the_regency_code(scenario, kes, today):
    overall = coverage(villages=in_mukomuko(), programs=[kes], day=today)[None]
    by_regency = coverage(villages=in_mukomuko(), programs=[kes], day=today, by="regency")

    assert list(by_regency) == ["17.06"]
    assert by_regency["17.06"][kes.code] == overall[kes.code]


def test_grouping_by_subdistrict_counts_the_officials_of_each_kecamatan(scenario, kes, today):
    groups = coverage(villages=in_mukomuko(), programs=[kes], day=today, by="subdistrict")

    # Lubuk Pinang: a b c d and f's Plt post; Kota Mukomuko: f (g ended, h in a kelurahan); Teras Terunjam: e i r.
    assert (groups["17.06.01"][kes.code].officials_total, groups["17.06.01"][kes.code].officials_covered) == (5, 4)
    assert (groups["17.06.02"][kes.code].officials_total, groups["17.06.02"][kes.code].officials_covered) == (1, 1)
    assert (groups["17.06.03"][kes.code].officials_total, groups["17.06.03"][kes.code].officials_covered) == (3, 0)


# --- funding sources -----------------------------------------------------------------------------------


def test_coverage_by_source_counts_officials_and_villages_per_source(scenario, kes, tk, today):
    result = coverage_by_source(villages=in_mukomuko(), programs=[kes, tk], day=today)

    kes_rows = {row.source.code: (row.officials, row.villages) for row in result[kes.code]}
    # DAU: a (Suka Pindah), c (Arah Tiga), f (Pasar Sebelah and Arah Tiga); ADD: b (Suka Pindah).
    assert kes_rows == {"DAU": (3, 3), "ADD": (1, 1)}
    assert {row.source.code: (row.officials, row.villages) for row in result[tk.code]} == {"ADD": (2, 2)}


def test_officials_per_source_add_up_to_the_covered_officials(scenario, kes, tk, today):
    overall = coverage(villages=in_mukomuko(), programs=[kes, tk], day=today)[None]
    by_source = coverage_by_source(villages=in_mukomuko(), programs=[kes, tk], day=today)

    for p in (kes, tk):
        assert sum(row.officials for row in by_source[p.code]) == overall[p.code].officials_covered


def test_source_is_that_of_the_enrollment_covering_the_day(kes, today):
    person = official(SUKA_PINDAH)
    add = FundingSource.objects.get(pk="ADD")
    dau = FundingSource.objects.get(pk="DAU")
    enroll(person, kes, funding_source=add, status=Enrollment.Status.ENDED, end_date=dt.date(2023, 1, 1))
    enroll(person, kes, funding_source=dau, start_date=dt.date(2023, 1, 1))

    def sources(day: dt.date) -> dict[str, int]:
        rows = coverage_by_source(villages=only(SUKA_PINDAH), programs=[kes], day=day)[kes.code]
        return {row.source.code: row.officials for row in rows}

    assert sources(dt.date(2022, 6, 1)) == {"ADD": 1}
    assert sources(today) == {"DAU": 1}


# --- query counts ----------------------------------------------------------------------------------------


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("by", [None, "subdistrict", "village"])
def test_coverage_costs_the_same_queries_for_two_villages_and_the_regency(scenario, kes, tk, today, by):
    def run(villages):
        return lambda: coverage(villages=villages, programs=[kes, tk], day=today, by=by)

    two = count_queries(run(only(SUKA_PINDAH, ARAH_TIGA)))
    regency = count_queries(run(in_mukomuko()))

    assert two == regency


def test_coverage_by_source_costs_the_same_queries_for_two_villages_and_the_regency(scenario, kes, tk, today):
    def run(villages):
        return lambda: coverage_by_source(villages=villages, programs=[kes, tk], day=today)

    assert count_queries(run(only(SUKA_PINDAH, ARAH_TIGA))) == count_queries(run(in_mukomuko()))


def test_lists_cost_the_same_queries_for_two_villages_and_the_regency(scenario, kes, today):
    def run(villages):
        def evaluate():
            list(villages_by_coverage(villages=villages, program=kes, day=today))
            list(officials_by_coverage(villages=villages, program=kes, day=today))

        return evaluate

    assert count_queries(run(only(SUKA_PINDAH, ARAH_TIGA))) == count_queries(run(in_mukomuko()))
