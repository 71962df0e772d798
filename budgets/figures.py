"""The budget of a regency or of a desa for a fiscal year: its budget lines (budgets.lines) per program ×
source and payer, their warnings, and a desa's costs on its APBDes accounts.

Every budget costs a fixed number of queries whatever the number of villages: the funding sources, the
enrollments with their wage and the rate book (budgets.costs), the allocations and the grouped payments
(budgets.lines), and for a desa the main posts of its officials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from budgets.contributions import EnrollmentCost
from budgets.costs import CostRow, RemainingMonths, active_enrollment_costs, reference_month, remaining_months
from budgets.lines import BudgetLine, PayerYear, line_order, payer_years
from budgets.models import Allocation, Payment
from core.models import FundingSource, Program, Regency, Village
from core.rules import account_codes_on
from core.selectors import governed_villages
from villages.models import MAIN_POST_ORDER, Position, Post


def _payer_lines(
    *,
    villages: QuerySet[Village],
    keep: Callable[[EnrollmentCost], bool],
    records: Q,
    programs: list[Program],
    year: int,
    today: dt.date,
) -> tuple[list[CostRow], dict[tuple, PayerYear], list[tuple[str, BudgetLine]]]:
    """The costs of the officials of `villages` that `keep` picks, the payers of the allocations and
    payments matching `records`, and a (payer kind, line) per payer in display order."""
    sources = {s.code: s for s in FundingSource.objects.all()}
    costs = active_enrollment_costs(
        villages=villages,
        programs=programs,
        year=year,
        today=today,
        keep=keep,
        levels={code: s.level for code, s in sources.items()},
    )
    payers = payer_years(
        allocations=Allocation.objects.filter(records),
        payments=Payment.objects.filter(records),
        costs=costs,
        programs=programs,
        year=year,
    )
    by_program = {p.code: p for p in programs}
    lines = []
    for key in sorted(payers, key=line_order(programs, sources)):
        program, source, kind, _code = key
        lines.append((kind, payers[key].line(by_program[program], sources[source], year=year, today=today)))
    return costs, payers, lines


# --- a regency's budget ------------------------------------------------------------------------------


@dataclass
class RegencyBudget(RemainingMonths):
    regency: Regency
    year: int
    today: dt.date
    lines: list[BudgetLine]  # regency sources (DAU, APBD), paid by the regency
    village_lines: list[BudgetLine]  # village sources (ADD, DD, PADes), summed over the regency's desa

    @property
    def warnings(self) -> list[BudgetLine]:
        return [line for line in [*self.lines, *self.village_lines] if line.warning]


def regency_budget(*, regency: Regency, programs: list[Program], year: int, today: dt.date) -> RegencyBudget:
    """The budget of a regency for a fiscal year, and the sum of its desa's budgets. Fixed number of queries."""
    _costs, _payers, payer_lines = _payer_lines(
        villages=governed_villages(Village.objects.filter(subdistrict__regency=regency)),
        keep=lambda cost: cost.regency_id == regency.pk,
        records=Q(regency=regency) | Q(village__subdistrict__regency=regency),
        programs=programs,
        year=year,
        today=today,
    )
    lines, village_lines = [], {}
    for kind, line in payer_lines:
        if kind == "regency":
            lines.append(line)
        else:
            key = (line.program.code, line.source.code)
            total = village_lines.setdefault(key, BudgetLine(line.program, line.source, year=year))
            _add_village(total, line)
    return RegencyBudget(regency, year, today, lines, list(village_lines.values()))


def _add_village(total: BudgetLine, line: BudgetLine) -> None:
    if line.allocation is not None:
        total.allocation = (total.allocation or 0) + line.allocation
    for name in ("realization", "commitment", "whole_year", "monthly", "participant_monthly", "participant_year"):
        setattr(total, name, getattr(total, name) + getattr(line, name))
    total.officials += line.officials
    total.villages += 1
    if line.over:
        total.villages_over.append(line.allocation_record.village)
    if line.without_allocation:
        total.villages_without_allocation += 1


# --- a desa's budget ---------------------------------------------------------------------------------


@dataclass
class AccountLine:
    """One APBDes account (5.1.3.0x): the village-source cost of the kepala desa or of the other perangkat."""

    code: str
    name: str
    officials: int = 0
    monthly: int = 0
    whole_year: int = 0
    commitment: int = 0
    participant_year: int = 0


@dataclass
class VillageBudget(RemainingMonths):
    village: Village
    year: int
    today: dt.date
    lines: list[BudgetLine]  # village sources, paid by the desa from its APBDes
    regency_lines: list[BudgetLine]  # regency sources: what the regency pays for this desa's officials
    accounts: list[AccountLine]  # the APBDes accounts of `lines`' costs; the first is the 5.1.3 total

    @property
    def warnings(self) -> list[BudgetLine]:
        return [line for line in self.lines if line.warning]


def village_budget(*, village: Village, programs: list[Program], year: int, today: dt.date) -> VillageBudget:
    """The budget of a desa for a fiscal year, with its costs on the APBDes accounts. Fixed number of queries."""
    costs, payers, payer_lines = _payer_lines(
        villages=Village.objects.filter(pk=village.pk),
        keep=lambda cost: cost.village_id == village.pk,
        records=Q(village=village),
        programs=programs,
        year=year,
        today=today,
    )
    lines = [line for kind, line in payer_lines if kind == "village"]
    regency_lines = [line for kind, line in payer_lines if kind == "regency"]
    paid = {(p, s): payer.paid for (p, s, kind, _c), payer in payers.items() if kind == "village"}
    accounts = _accounts(
        [r for r in costs if r.level == FundingSource.Level.VILLAGE], paid=paid, year=year, today=today
    )
    return VillageBudget(village, year, today, lines, regency_lines, accounts)


def _accounts(rows: list[CostRow], *, paid: dict, year: int, today: dt.date) -> list[AccountLine]:
    """The costs of `rows` on the APBDes accounts 5.1.3.01–04, split by whether the official's main post
    is the kepala desa's, and their 5.1.3 total first."""
    day = min(today, dt.date(year, 12, 31))
    heads = _heads({r.cost.person_id for r in rows}, day=day)
    ref, rest = reference_month(year, today), remaining_months(year, today)
    # The APBDes accounts in force in the budget's year (core.AccountCode: Permendagri 20/2018, rules.md
    # §2): on `day`, or on 1 January for a year still to come.
    group, codes = account_codes_on(max(day, dt.date(year, 1, 1)))
    accounts = {key: AccountLine(row.code, row.name) for key, row in codes.items()}
    for row in rows:
        account = accounts[(row.cost.program_id, row.cost.person_id in heads)]
        paid_months = paid.get((row.cost.program_id, row.cost.funding_source_id), {})
        account.officials += 1
        account.monthly += row.employer[ref]
        account.whole_year += sum(row.employer)
        account.commitment += sum(row.employer[m] for m in rest if m not in paid_months)
        account.participant_year += sum(row.participant)
    total = AccountLine(group.code, group.name)
    for account in accounts.values():
        for name in ("officials", "monthly", "whole_year", "commitment", "participant_year"):
            setattr(total, name, getattr(total, name) + getattr(account, name))
    return [total, *sorted(accounts.values(), key=lambda a: a.code)]


def _heads(person_ids: set[int], *, day: dt.date) -> set[int]:
    """Officials whose main post on `day` (villages.models.MAIN_POST_ORDER) is the kepala desa's."""
    if not person_ids:
        return set()
    main: dict[int, str] = {}
    posts = (
        Post.objects.active_on(day)
        .filter(person_id__in=person_ids)
        .order_by("person_id", *MAIN_POST_ORDER)
        .values_list("person_id", "position")
    )
    for person_id, position in posts:
        main.setdefault(person_id, position)
    return {pid for pid, position in main.items() if position == Position.KEPALA_DESA}
