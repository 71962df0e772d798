"""Coverage over time: one snapshot per regency, program and month, read from the enrollment dates, so
past months can be filled in at any time and a month is recomputed until it has ended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.models import Program, Regency, Village
from enrollment.models import CoverageSnapshot, CoverageTarget
from enrollment.selectors import Coverage, coverage


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = month_end(month) + dt.timedelta(days=1)
    return months


def _snapshot_fields(figures: dict[str, int]) -> dict[str, int]:
    """The figures a snapshot keeps (the trend charts covered officials and villages only)."""
    kept = {f.name for f in CoverageSnapshot._meta.get_fields()}
    return {name: value for name, value in figures.items() if name in kept}


# Regencies whose snapshots one grouped coverage pass computes. At national scale a single pass over every
# regency is slower than its parts (about 100 s against 6 passes of 3 s, bench/jobs.py): a few passes.
REGENCIES_PER_PASS = 100


@transaction.atomic
def coverage_snapshots_take(
    *, regencies: list[Regency], month: dt.date, today: dt.date | None = None
) -> list[CoverageSnapshot]:
    """Coverage on the last day of `month` (or today, for the month under way) of each of `regencies`, for
    every program: one grouped coverage pass per REGENCIES_PER_PASS regencies, then one upsert of their
    rows. A regency without desa gets zeros, as its own pass would give. Idempotent: taking it again
    replaces the month's figures."""
    today = today or timezone.localdate()
    month = month.replace(day=1)
    day = min(month_end(month), today)
    programs = list(Program.objects.all())
    empty = {p.code: Coverage() for p in programs}
    snapshots = []
    for i in range(0, len(regencies), REGENCIES_PER_PASS):
        batch = regencies[i : i + REGENCIES_PER_PASS]
        villages = Village.objects.filter(subdistrict__regency__in=[r.pk for r in batch])
        grouped = coverage(villages=villages, programs=programs, day=day, by="regency")
        snapshots += [
            CoverageSnapshot(
                regency=regency,
                program=program,
                month=month,
                **_snapshot_fields(grouped.get(regency.pk, empty)[program.code].as_dict()),
            )
            for regency in batch
            for program in programs
        ]
    figures = list(_snapshot_fields(Coverage().as_dict()))
    CoverageSnapshot.objects.bulk_create(
        snapshots,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["regency", "program", "month"],
        update_fields=[*figures, "computed_at"],
    )
    return snapshots


def coverage_snapshot_take(*, regency: Regency, month: dt.date, today: dt.date | None = None) -> list[CoverageSnapshot]:
    """The month's snapshots of one regency, one per program (see coverage_snapshots_take)."""
    return coverage_snapshots_take(regencies=[regency], month=month, today=today)


def coverage_snapshots_fill(*, regencies: list[Regency], since: dt.date, today: dt.date | None = None) -> int:
    """For each of `regencies`, fill every month from `since` to now that has no snapshot yet, and refresh
    the current month: per month, one coverage_snapshots_take of the regencies it needs. Returns the
    number of (regency, month) snapshots taken."""
    today = today or timezone.localdate()
    months = months_between(since, today)
    have = set(
        CoverageSnapshot.objects.filter(regency__in=regencies, month__in=months)
        .values_list("regency", "month")
        .distinct()
    )
    taken = 0
    for month in months:
        todo = [r for r in regencies if (r.pk, month) not in have or month == today.replace(day=1)]
        if todo:
            coverage_snapshots_take(regencies=todo, month=month, today=today)
            taken += len(todo)
    return taken


@dataclass(frozen=True)
class TrendPoint:
    month: dt.date
    officials_total: int
    officials_covered: int
    villages_total: int
    villages_covered: int

    @property
    def pct(self) -> float | None:
        return round(100 * self.officials_covered / self.officials_total, 1) if self.officials_total else None


def coverage_trend(*, regency: Regency, program: Program, months: int = 24) -> list[TrendPoint]:
    return coverage_trends(regency=regency, programs=[program], months=months)[program.code]


def coverage_trends(*, regency: Regency, programs: list[Program], months: int = 24) -> dict[str, list[TrendPoint]]:
    """The last `months` snapshots of each program, oldest first; one query."""
    since = timezone.localdate().replace(day=1)
    for _ in range(months - 1):
        since = (since - dt.timedelta(days=1)).replace(day=1)
    trends: dict[str, list[TrendPoint]] = {p.code: [] for p in programs}
    for s in CoverageSnapshot.objects.filter(regency=regency, program__in=programs, month__gte=since).order_by("month"):
        trends[s.program_id].append(
            TrendPoint(s.month, s.officials_total, s.officials_covered, s.villages_total, s.villages_covered)
        )
    return trends


@dataclass(frozen=True)
class Chart:
    """An SVG line chart of coverage (%) per month with the path to the target, in viewBox units."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, TrendPoint]]
    target: tuple[float, float, float, float] | None
    target_year: int | None
    labels: list[tuple[float, str]]
    gridlines: list[tuple[float, int]]


def trend_chart(points: list[TrendPoint], target_year: int | None, *, width: int = 640, height: int = 220) -> Chart:
    """Coordinates for the template's <svg>: x spans the months up to December of the target year (when
    it lies ahead), y spans 0–100%."""
    left, right, top, bottom = 36, 24, 10, 28
    if not points:
        return Chart(width, height, "", [], None, target_year, [], [])
    first = points[0].month
    last = points[-1].month
    end = dt.date(target_year, 12, 1) if target_year and dt.date(target_year, 12, 1) > last else last
    span = max(1, (end.year - first.year) * 12 + end.month - first.month)

    def x(month: dt.date) -> float:
        return round(
            left + (width - left - right) * ((month.year - first.year) * 12 + month.month - first.month) / span, 1
        )

    def y(pct: float) -> float:
        return round(top + (height - top - bottom) * (1 - pct / 100), 1)

    plotted = [(x(p.month), y(p.pct or 0), p) for p in points]
    target = None
    if target_year:
        target = (plotted[-1][0], plotted[-1][1], x(end), y(100))
    step = max(1, len(months_between(first, end)) // 6)
    labels = [(x(m), m.strftime("%m/%y")) for m in months_between(first, end)[::step]]
    gridlines = [(y(v), v) for v in (0, 25, 50, 75, 100)]
    return Chart(
        width, height, " ".join(f"{px},{py}" for px, py, _ in plotted), plotted, target, target_year, labels, gridlines
    )


def target_years(*, regency: Regency) -> dict[str, int]:
    return dict(CoverageTarget.objects.filter(regency=regency).values_list("program", "year"))


@transaction.atomic
def coverage_target_set(*, regency: Regency, program: Program, year: int) -> CoverageTarget:
    target, _ = CoverageTarget.objects.update_or_create(regency=regency, program=program, defaults={"year": year})
    return target


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60)
def coverage_snapshots_refresh() -> int:
    """Daily: refresh this month's snapshot of every regency with officials, and fill any month missing
    since the first enrollment. Idempotent."""
    from villages.models import Post

    today = timezone.localdate()
    regencies = Regency.objects.filter(subdistricts__villages__posts__isnull=False).distinct()
    since = Post.objects.order_by("term_start").values_list("term_start", flat=True).first() or today
    since = max(since, dt.date(today.year - 3, 1, 1))
    return coverage_snapshots_fill(regencies=list(regencies), since=since, today=today)
