"""Coverage over time: monthly snapshots read from the enrollment dates, the chart and the target."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import Regency
from core.services import regions_import
from enrollment.models import CoverageSnapshot, CoverageTarget
from enrollment.trend import (
    TrendPoint,
    coverage_snapshot_take,
    coverage_snapshots_fill,
    coverage_snapshots_refresh,
    trend_chart,
)
from tests.factories import EnrollmentFactory, PostFactory
from tests.html import messages, number, page


@pytest.fixture
def quiet(db):
    """A regency the demo leaves empty (Bengkulu Selatan), so its figures are this test's alone."""
    regions_import(regency_codes=["17.01"])
    return Regency.objects.get(pk="17.01")


def _covered_official(village, start):
    post = PostFactory(village=village, term_start=dt.date(2020, 1, 1))
    EnrollmentFactory(person=post.person, start_date=start)
    return post


def test_a_past_month_is_read_from_the_enrollment_dates(quiet):
    village = quiet.subdistricts.first().villages.filter(kind="desa").first()
    _covered_official(village, dt.date(2025, 3, 10))

    feb, mar = (
        coverage_snapshot_take(regency=quiet, month=dt.date(2025, m, 1), today=dt.date(2026, 1, 1)) for m in (2, 3)
    )
    kes = lambda snaps: next(s for s in snaps if s.program_id == "bpjs_kesehatan")  # noqa: E731
    assert (kes(feb).officials_covered, kes(mar).officials_covered) == (0, 1)
    assert kes(mar).villages_covered == 1


def test_taking_a_month_twice_keeps_one_snapshot_per_program(quiet):
    for _ in range(2):
        coverage_snapshot_take(regency=quiet, month=dt.date(2025, 5, 1), today=dt.date(2026, 1, 1))
    assert CoverageSnapshot.objects.filter(regency=quiet, month=dt.date(2025, 5, 1)).count() == 2


def test_fill_adds_missing_months_and_refreshes_only_the_current_one(quiet):
    today = dt.date(2026, 3, 15)
    assert coverage_snapshots_fill(regencies=[quiet], since=dt.date(2025, 11, 1), today=today) == 5
    assert coverage_snapshots_fill(regencies=[quiet], since=dt.date(2025, 11, 1), today=today) == 1
    months = CoverageSnapshot.objects.filter(regency=quiet, program="bpjs_kesehatan").values_list("month", flat=True)
    assert max(months) == dt.date(2026, 3, 1)


def test_the_current_month_is_counted_up_to_today(quiet):
    village = quiet.subdistricts.first().villages.filter(kind="desa").first()
    _covered_official(village, dt.date(2026, 3, 20))

    (snap,) = [
        s
        for s in coverage_snapshot_take(regency=quiet, month=dt.date(2026, 3, 1), today=dt.date(2026, 3, 15))
        if s.program_id == "bpjs_kesehatan"
    ]
    assert snap.officials_covered == 0


def test_the_daily_task_snapshots_every_regency_with_officials(quiet):
    village = quiet.subdistricts.first().villages.filter(kind="desa").first()
    _covered_official(village, dt.date(2025, 1, 1))

    coverage_snapshots_refresh.delay()

    assert CoverageSnapshot.objects.filter(regency=quiet, program="bpjs_kesehatan", officials_covered=1).exists()


def test_chart_runs_from_the_first_month_to_100_percent_in_the_target_year():
    points = [TrendPoint(dt.date(2026, m, 1), 100, 10 * m, 10, m) for m in (1, 2, 3)]

    chart = trend_chart(points, 2027, width=640, height=220)

    first_x, first_y, _ = chart.dots[0]
    last_x, last_y, _ = chart.dots[-1]
    assert first_x == 36 and last_x < chart.target[2]
    assert chart.target[:2] == (last_x, last_y)
    assert chart.target[3] == 10  # the top of the plot: 100%
    assert first_y > last_y  # more coverage is higher


def test_dashboard_shows_the_trend_of_each_program(dpmd_mukomuko, demo, login):
    response = login(dpmd_mukomuko).get(reverse("regency-dashboard", args=["17.06"]))

    def officials_covered(program: str) -> list[int]:
        """The "Month by month" table of a program, newest month first: "97/1.220" → 97."""
        table = page(response).find("article", data_trend_program=program).find("table")
        return [number(list(row.values())[2].split("/")[0]) for row in table.rows()]

    assert officials_covered("bpjs_kesehatan")[0] == 1_220
    assert officials_covered("bpjs_ketenagakerjaan")[0] == 97
    assert officials_covered("bpjs_ketenagakerjaan")[-1] < 97


def test_dpmd_sets_the_target_year(dpmd_mukomuko, mukomuko, login):
    response = login(dpmd_mukomuko).post(
        reverse("coverage-target", args=["17.06"]), {"program": "bpjs_ketenagakerjaan", "year": "2028"}
    )

    assert response.status_code == 302
    assert CoverageTarget.objects.get(regency=mukomuko, program="bpjs_ketenagakerjaan").year == 2028


def test_a_target_that_is_not_a_year_is_refused_with_a_message(dpmd_mukomuko, mukomuko, login):
    response = login(dpmd_mukomuko).post(
        reverse("coverage-target", args=["17.06"]), {"program": "bpjs_kesehatan", "year": "besok"}, follow=True
    )

    assert [level for level, _ in messages(response)] == ["error"]
    assert not CoverageTarget.objects.exists()


def test_only_dpmd_of_the_regency_sets_its_target(dpmd_majene, bpjs_tk_mukomuko, login):
    url = reverse("coverage-target", args=["17.06"])
    data = {"program": "bpjs_ketenagakerjaan", "year": "2028"}

    assert login(dpmd_majene).post(url, data).status_code == 404
    assert login(bpjs_tk_mukomuko).post(url, data).status_code == 403
    assert not CoverageTarget.objects.exists()


def test_one_pass_for_many_regencies_gives_each_the_figures_of_its_own_pass(demo, quiet, monkeypatch):
    """Mukomuko and Majene (the demo), a regency of desa without officials and one without desa, two
    regencies a pass: each gets the figures the old one-regency-at-a-time snapshot gave it
    (bench/legacy_jobs.py keeps that)."""
    from bench.legacy_jobs import old_coverage_snapshot_take
    from core.models import Province
    from enrollment import trend

    monkeypatch.setattr(trend, "REGENCIES_PER_PASS", 2)
    province = Province.objects.get_or_create(code="99", defaults={"name": "Provinsi Uji"})[0]
    Regency.objects.create(code="99.03", name="Kabupaten Tanpa Desa", province=province)
    regencies = list(Regency.objects.filter(pk__in=["17.06", "76.05", "17.01", "99.03"]).order_by("pk"))
    month, today = dt.date(2026, 3, 1), dt.date(2026, 3, 15)
    figures = ["villages_total", "villages_covered", "villages_fully_covered", "officials_total", "officials_covered"]

    def kept() -> dict:
        rows = CoverageSnapshot.objects.filter(regency__in=regencies, month=month)
        return {(s.regency_id, s.program_id): [getattr(s, f) for f in figures] for s in rows}

    for regency in regencies:
        old_coverage_snapshot_take(regency=regency, month=month, today=today)
    old = kept()
    CoverageSnapshot.objects.filter(regency__in=regencies, month=month).delete()
    trend.coverage_snapshots_take(regencies=regencies, month=month, today=today)

    assert kept() == old
    assert old[("17.06", "bpjs_kesehatan")][3] == 1_220
    assert old[("17.01", "bpjs_kesehatan")] == [142, 0, 0, 0, 0]
    assert old[("99.03", "bpjs_kesehatan")] == [0, 0, 0, 0, 0]


def test_snapshots_of_many_regencies_cost_the_queries_of_one(demo, quiet):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enrollment.trend import coverage_snapshots_take

    def queries(codes: list[str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            coverage_snapshots_take(regencies=list(Regency.objects.filter(pk__in=codes)), month=dt.date(2026, 3, 1))
        return len(captured)

    assert queries(["17.01"]) == queries(["17.01", "17.06", "76.05"])
