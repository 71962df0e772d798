"""One budget line: the figures of a fiscal year for one program × funding source and payer (the regency
for a regency source such as DAU, the desa for a village source such as ADD), and its warning.

- pagu (allocation): the Allocation of the year;
- realisasi (realization): the sum of the recorded Payments of the year;
- biaya setahun (whole-year cost): the employer share of the ACTIVE enrollments over the twelve months of
  the year (budgets.costs);
- komitmen (commitment): the same employer share from the current month to December, leaving out the
  months already paid (a month with a payment recorded is in the realization, not counted twice);
  for a past year it is zero, for a future year it is the whole year;
- sisa (remaining) = pagu − realisasi − komitmen; a warning when realisasi + komitmen exceeds the pagu.

The participant share (1% of JKN, 2% of JHT, 1% of JP) is the official's own, deducted from the siltap:
it is shown beside the figures, never in them.

The allocations and the payments (grouped in SQL by payer, program, source and month) cost one query each.
Amounts per enrollment come from the calculator; adding them up per payer happens in Python because each
one is the calculator's rounded figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum

from budgets.costs import MONTHS, CostRow, past_months, reference_month, remaining_months
from budgets.models import Allocation, Payment
from core.figures import percent
from core.models import FundingSource, Program, Village


@dataclass
class BudgetLine:
    """The figures of one program × source for one payer (or, on the regency page, summed over its desa)."""

    program: Program
    source: FundingSource
    year: int = 0
    allocation: int | None = None
    allocation_record: Allocation | None = None
    realization: int = 0
    commitment: int = 0
    whole_year: int = 0
    monthly: int = 0
    participant_monthly: int = 0
    participant_year: int = 0
    officials: int = 0
    unpaid_months: list[int] = field(default_factory=list)
    # Only on the regency page's lines of village sources, summed over the desa:
    villages: int = 0
    villages_over: list[Village] = field(default_factory=list)
    villages_without_allocation: int = 0

    @property
    def unpaid(self) -> list[dt.date]:
        """Past months of the year with a cost and no payment recorded."""
        return [dt.date(self.year, m, 1) for m in self.unpaid_months]

    @property
    def over_by(self) -> int:
        return self.spent - (self.allocation or 0)

    @property
    def spent(self) -> int:
        return self.realization + self.commitment

    @property
    def remaining(self) -> int:
        return (self.allocation or 0) - self.spent

    @property
    def used_pct(self) -> float | None:
        return percent(self.spent, self.allocation)

    @property
    def whole_year_pct(self) -> float | None:
        return percent(self.whole_year, self.allocation)

    @property
    def over(self) -> bool:
        """Realization and commitment together exceed the allocation."""
        return self.allocation is not None and self.spent > self.allocation

    @property
    def without_allocation(self) -> bool:
        """Money is due or was paid, but no allocation was recorded for the year."""
        return self.allocation is None and (self.spent > 0 or self.whole_year > 0)

    @property
    def warning(self) -> str | None:
        if self.over or self.villages_over:
            return "over_allocation"
        if self.without_allocation or self.villages_without_allocation:
            return "no_allocation"
        return None


@dataclass
class PayerYear:
    """Everything known about one (program, source, payer) in a year before it becomes a BudgetLine."""

    allocation: Allocation | None = None
    paid: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    employer: list[int] = field(default_factory=lambda: [0] * 13)
    participant: list[int] = field(default_factory=lambda: [0] * 13)
    people: set[int] = field(default_factory=set)

    def add_costs(self, row: CostRow) -> None:
        for m in MONTHS:
            self.employer[m] += row.employer[m]
            self.participant[m] += row.participant[m]
        self.people.add(row.cost.person_id)

    def line(self, program: Program, source: FundingSource, *, year: int, today: dt.date) -> BudgetLine:
        ref = reference_month(year, today)
        return BudgetLine(
            program=program,
            source=source,
            year=year,
            allocation=self.allocation.amount if self.allocation else None,
            allocation_record=self.allocation,
            realization=sum(self.paid.values()),
            commitment=sum(self.employer[m] for m in remaining_months(year, today) if m not in self.paid),
            whole_year=sum(self.employer),
            monthly=self.employer[ref],
            participant_monthly=self.participant[ref],
            participant_year=sum(self.participant),
            officials=len(self.people),
            unpaid_months=[m for m in past_months(year, today) if self.employer[m] and m not in self.paid],
        )


def payer_years(
    *,
    allocations: QuerySet[Allocation],
    payments: QuerySet[Payment],
    costs: list[CostRow],
    programs: list[Program],
    year: int,
) -> dict[tuple, PayerYear]:
    """(program, source, payer kind, payer code) → what is allocated, paid and due in `year`."""
    payers: dict[tuple, PayerYear] = defaultdict(PayerYear)
    for a in allocations.filter(fiscal_year=year, program__in=programs).select_related("village"):
        payers[(a.program_id, a.source_id, *_payer_of(a))].allocation = a
    grouped = (
        payments.filter(fiscal_year=year, program__in=programs)
        .values("program", "source", "regency", "village", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for p in grouped:
        payer = ("regency", p["regency"]) if p["regency"] else ("village", p["village"])
        payers[(p["program"], p["source"], *payer)].paid[p["month"]] += p["total"]
    for row in costs:
        payers[(row.cost.program_id, row.cost.funding_source_id, *row.payer)].add_costs(row)
    return payers


def _payer_of(record: Allocation | Payment) -> tuple[str, str]:
    return ("regency", record.regency_id) if record.regency_id else ("village", record.village_id)


def line_order(programs: list[Program], sources: dict[str, FundingSource]) -> Callable[[tuple], tuple]:
    """The sort key of payer_years' keys: by program as given, then by the sources' order."""
    program_order = {p.code: i for i, p in enumerate(programs)}
    return lambda key: (program_order[key[0]], sources[key[1]].order, key[1])
