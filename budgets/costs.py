"""The months of a fiscal year, and what the active enrollments cost in each of them.

An enrollment counts from the month it started. Its employer and participant shares come from the
calculator (budgets.contributions), month by month with the rates in force that month; the enrollments and
their wage cost two queries, the rate book two, whatever the number of villages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from budgets.contributions import Contribution, EnrollmentCost, RateBook, enrollment_costs
from core.models import FundingSource, Program, Village
from enrollment.models import Enrollment
from villages.models import Post

MONTHS = range(1, 13)


# --- the fiscal year ---------------------------------------------------------------------------------


def remaining_months(year: int, today: dt.date) -> list[int]:
    """The months of `year` still to pay: from the current month on; all of a future year, none of a past one."""
    if year < today.year:
        return []
    return list(range(today.month if year == today.year else 1, 13))


def past_months(year: int, today: dt.date) -> list[int]:
    """The months of `year` before the current month (all of a past year)."""
    if year > today.year:
        return []
    return list(range(1, today.month if year == today.year else 13))


def reference_month(year: int, today: dt.date) -> int:
    """The month whose cost is shown as "per month": this month, January of a future year, December of a past one."""
    if year == today.year:
        return today.month
    return 1 if year > today.year else 12


class RemainingMonths:
    """The months left to pay in the budget of a fiscal year (`year`, seen on `today`)."""

    year: int
    today: dt.date

    @property
    def remaining_months(self) -> list[int]:
        return remaining_months(self.year, self.today)

    @property
    def remaining_start(self) -> dt.date | None:
        months = self.remaining_months
        return dt.date(self.year, months[0], 1) if months else None


# --- costs of active enrollments ---------------------------------------------------------------------


@dataclass
class CostRow:
    """One active enrollment and its employer and participant shares in each month of the year (index 1–12)."""

    cost: EnrollmentCost
    level: str
    employer: list[int]
    participant: list[int]

    @property
    def payer(self) -> tuple[str, str | None]:
        """Who pays the employer share: the regency of the official's post for a regency source, its desa
        for a village source."""
        if self.level == FundingSource.Level.REGENCY:
            return ("regency", self.cost.regency_id)
        return ("village", self.cost.village_id)


def active_enrollment_costs(
    *,
    villages: QuerySet[Village],
    programs: list[Program],
    year: int,
    today: dt.date,
    keep: Callable[[EnrollmentCost], bool],
    levels: dict[str, str],
) -> list[CostRow]:
    """The active enrollments of officials of `villages` whose employer share is paid from a budget (a
    regency or village source, not the official), each with its cost month by month. `keep` picks the
    enrollments by the official's main post (the calculator's choice), so each counts in one desa only."""
    day = min(today, dt.date(year, 12, 31))
    enrollments = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, program__in=programs).filter(
        Exists(Post.objects.active_on(day).filter(person=OuterRef("person"), village__in=villages))
    )
    book = RateBook()
    cache: dict[tuple, Contribution] = {}
    rows = []
    for cost in enrollment_costs(enrollments, day=day):
        level = levels.get(cost.funding_source_id)
        if level not in (FundingSource.Level.REGENCY, FundingSource.Level.VILLAGE) or not keep(cost):
            continue
        employer, participant = [0] * 13, [0] * 13
        for m in MONTHS:
            month = dt.date(year, m, 1)
            if not cost.covers_month(month):
                continue
            key = (cost.wage, tuple(cost.component_ids), cost.funding_source_id, cost.regency_id, month)
            if key not in cache:
                cache[key] = cost.cost(book, month)
            employer[m], participant[m] = cache[key].employer, cache[key].participant
        rows.append(CostRow(cost, level, employer, participant))
    return rows
