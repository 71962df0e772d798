"""Reads of budgets, scoped like everything else, and the budget figures of a regency or a desa.

Figures of a fiscal year, per program × funding source and payer (the regency for a regency source such as
DAU, the desa for a village source such as ADD):

- pagu (allocation): the Allocation of the year;
- realisasi (realization): the sum of the recorded Payments of the year;
- biaya setahun (whole-year cost): the employer share of the ACTIVE enrollments over the twelve months of
  the year, from budgets.contributions (an enrollment counts from the month it started);
- komitmen (commitment): the same employer share from the current month to December, leaving out the
  months already paid (a month with a payment recorded is in the realization, not counted twice);
  for a past year it is zero, for a future year it is the whole year;
- sisa (remaining) = pagu − realisasi − komitmen; a warning when realisasi + komitmen exceeds the pagu.

The participant share (1% of JKN, 2% of JHT, 1% of JP) is the official's own, deducted from the siltap:
it is shown beside the figures, never in them.

Every figure costs a fixed number of queries whatever the number of villages: the allocations, the payments
(grouped in SQL by payer, program, source and month), the enrollments with their wage (two queries, from
the calculator) and the rate book (two). Amounts per enrollment come from the calculator; adding them up
per payer happens in Python because each one is the calculator's rounded figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum

from accounts.models import User
from budgets.contributions import Contribution, EnrollmentCost, RateBook, enrollment_costs
from budgets.models import Allocation, Payment, Scenario, VillageFund
from core.models import FundingSource, Program, Regency, Village
from core.permissions import may_edit_budget, may_edit_regency, object_for_user
from core.selectors import governed_villages, programs_visible_to, regencies_visible_to, villages_visible_to
from enrollment.models import Enrollment
from villages.models import MAIN_POST_ORDER, Position, Post

# JKN is due by the 10th of the month it covers (rules.md §1).
DUE_DAY = 10
MONTHS = range(1, 13)

# APBDes account codes (Permendagri 20/2018, rules.md §2), per program and whether the official is the
# kepala desa. The names are the official ones, Indonesian in every language.
ACCOUNT_GROUP = ("5.1.3", "Jaminan Sosial Kepala Desa dan Perangkat Desa")
ACCOUNT_CODES: dict[tuple[str, bool], tuple[str, str]] = {
    (Program.KESEHATAN, True): ("5.1.3.01", "Jaminan Kesehatan Kepala Desa"),
    (Program.KESEHATAN, False): ("5.1.3.02", "Jaminan Kesehatan Perangkat Desa"),
    (Program.KETENAGAKERJAAN, True): ("5.1.3.03", "Jaminan Ketenagakerjaan Kepala Desa"),
    (Program.KETENAGAKERJAAN, False): ("5.1.3.04", "Jaminan Ketenagakerjaan Perangkat Desa"),
}


# --- scope -------------------------------------------------------------------------------------------


def _payer_visible_to(qs: QuerySet, user: User) -> QuerySet:
    """Rows paid or set aside by a regency or a desa in the user's scope, for the programs they see."""
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(
        Q(regency__in=regencies_visible_to(user)) | Q(village__in=villages_visible_to(user)),
        program__in=programs_visible_to(user),
    )


def allocations_visible_to(user: User) -> QuerySet[Allocation]:
    return _payer_visible_to(Allocation.objects.select_related("regency", "village", "program", "source"), user)


def allocation_for_user(user: User, pk: int, *, write: bool = False) -> Allocation:
    """An allocation in the user's scope (a 404 outside it); `write` needs the right to its payer's budget."""
    qs = allocations_visible_to(user)
    return object_for_user(qs, write=write, may_write=lambda allocation: may_edit_budget(user, allocation), pk=pk)


def payments_visible_to(user: User) -> QuerySet[Payment]:
    qs = Payment.objects.select_related("regency", "village", "program", "source", "recorded_by")
    return _payer_visible_to(qs, user)


def payment_for_user(user: User, pk: int, *, write: bool = False) -> Payment:
    qs = payments_visible_to(user)
    return object_for_user(qs, write=write, may_write=lambda payment: may_edit_budget(user, payment), pk=pk)


def scenarios_visible_to(user: User) -> QuerySet[Scenario]:
    """Scenarios of the regencies in the user's scope, for the programs they can see (none for a desa)."""
    qs = Scenario.objects.select_related("regency", "program", "source", "created_by")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(regency__in=regencies_visible_to(user), program__in=programs_visible_to(user))


def scenario_for_user(user: User, pk: int, *, write: bool = False) -> Scenario:
    """A scenario of a regency in the user's scope; `write` (deleting it) is for the regency's DPMD staff."""
    qs = scenarios_visible_to(user)
    return object_for_user(qs, write=write, may_write=lambda s: may_edit_regency(user, s.regency_id), pk=pk)


def village_funds_visible_to(user: User) -> QuerySet[VillageFund]:
    return VillageFund.objects.filter(village__in=villages_visible_to(user)).select_related("village")


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


# --- budget lines ------------------------------------------------------------------------------------


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
        return _pct(self.spent, self.allocation)

    @property
    def whole_year_pct(self) -> float | None:
        return _pct(self.whole_year, self.allocation)

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


def _pct(part: int, whole: int | None) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class _Payer:
    """Everything known about one (program, source, payer) before it becomes a BudgetLine."""

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


def _payers(
    *,
    allocations: QuerySet[Allocation],
    payments: QuerySet[Payment],
    costs: list[CostRow],
    programs: list[Program],
    year: int,
) -> dict[tuple, _Payer]:
    """(program, source, payer kind, payer code) → what is allocated, paid and due."""
    payers: dict[tuple, _Payer] = defaultdict(_Payer)
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


def _order(programs: list[Program], sources: dict[str, FundingSource]) -> Callable[[tuple], tuple]:
    program_order = {p.code: i for i, p in enumerate(programs)}
    return lambda key: (program_order[key[0]], sources[key[1]].order, key[1])


# --- a regency's budget ------------------------------------------------------------------------------


@dataclass
class RegencyBudget:
    regency: Regency
    year: int
    today: dt.date
    lines: list[BudgetLine]  # regency sources (DAU, APBD), paid by the regency
    village_lines: list[BudgetLine]  # village sources (ADD, DD, PADes), summed over the regency's desa

    @property
    def remaining_months(self) -> list[int]:
        return remaining_months(self.year, self.today)

    @property
    def remaining_start(self) -> dt.date | None:
        months = self.remaining_months
        return dt.date(self.year, months[0], 1) if months else None

    @property
    def warnings(self) -> list[BudgetLine]:
        return [line for line in [*self.lines, *self.village_lines] if line.warning]


def regency_budget(*, regency: Regency, programs: list[Program], year: int, today: dt.date) -> RegencyBudget:
    """The budget of a regency for a fiscal year, and the sum of its desa's budgets. Fixed number of queries."""
    sources = {s.code: s for s in FundingSource.objects.all()}
    costs = active_enrollment_costs(
        villages=governed_villages(Village.objects.filter(subdistrict__regency=regency)),
        programs=programs,
        year=year,
        today=today,
        keep=lambda cost: cost.regency_id == regency.pk,
        levels={code: s.level for code, s in sources.items()},
    )
    in_regency = Q(regency=regency) | Q(village__subdistrict__regency=regency)
    payers = _payers(
        allocations=Allocation.objects.filter(in_regency),
        payments=Payment.objects.filter(in_regency),
        costs=costs,
        programs=programs,
        year=year,
    )
    by_program = {p.code: p for p in programs}
    order = _order(programs, sources)
    lines, village_lines = [], {}
    for key in sorted(payers, key=order):
        program, source, kind, _code = key
        line = payers[key].line(by_program[program], sources[source], year=year, today=today)
        if kind == "regency":
            lines.append(line)
        else:
            total = village_lines.setdefault(
                (program, source), BudgetLine(by_program[program], sources[source], year=year)
            )
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
class VillageBudget:
    village: Village
    year: int
    today: dt.date
    lines: list[BudgetLine]  # village sources, paid by the desa from its APBDes
    regency_lines: list[BudgetLine]  # regency sources: what the regency pays for this desa's officials
    accounts: list[AccountLine]  # the APBDes accounts of `lines`' costs; the first is the 5.1.3 total

    @property
    def remaining_months(self) -> list[int]:
        return remaining_months(self.year, self.today)

    @property
    def remaining_start(self) -> dt.date | None:
        months = self.remaining_months
        return dt.date(self.year, months[0], 1) if months else None

    @property
    def warnings(self) -> list[BudgetLine]:
        return [line for line in self.lines if line.warning]


def village_budget(*, village: Village, programs: list[Program], year: int, today: dt.date) -> VillageBudget:
    """The budget of a desa for a fiscal year, with its costs on the APBDes accounts. Fixed number of queries."""
    sources = {s.code: s for s in FundingSource.objects.all()}
    costs = active_enrollment_costs(
        villages=Village.objects.filter(pk=village.pk),
        programs=programs,
        year=year,
        today=today,
        keep=lambda cost: cost.village_id == village.pk,
        levels={code: s.level for code, s in sources.items()},
    )
    payers = _payers(
        allocations=Allocation.objects.filter(village=village),
        payments=Payment.objects.filter(village=village),
        costs=costs,
        programs=programs,
        year=year,
    )
    by_program = {p.code: p for p in programs}
    lines, regency_lines = [], []
    for key in sorted(payers, key=_order(programs, sources)):
        program, source, kind, _code = key
        line = payers[key].line(by_program[program], sources[source], year=year, today=today)
        (lines if kind == "village" else regency_lines).append(line)
    paid = {(p, s): payer.paid for (p, s, kind, _c), payer in payers.items() if kind == "village"}
    accounts = _accounts(
        [r for r in costs if r.level == FundingSource.Level.VILLAGE], paid=paid, year=year, today=today
    )
    return VillageBudget(village, year, today, lines, regency_lines, accounts)


def _accounts(rows: list[CostRow], *, paid: dict, year: int, today: dt.date) -> list[AccountLine]:
    """The costs of `rows` on the APBDes accounts 5.1.3.01–04, split by whether the official's main post
    is the kepala desa's, and their 5.1.3 total first."""
    heads = _heads({r.cost.person_id for r in rows}, day=min(today, dt.date(year, 12, 31)))
    ref, rest = reference_month(year, today), remaining_months(year, today)
    accounts = {key: AccountLine(*names) for key, names in ACCOUNT_CODES.items()}
    for row in rows:
        account = accounts[(row.cost.program_id, row.cost.person_id in heads)]
        paid_months = paid.get((row.cost.program_id, row.cost.funding_source_id), {})
        account.officials += 1
        account.monthly += row.employer[ref]
        account.whole_year += sum(row.employer)
        account.commitment += sum(row.employer[m] for m in rest if m not in paid_months)
        account.participant_year += sum(row.participant)
    total = AccountLine(*ACCOUNT_GROUP)
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


# --- lists -------------------------------------------------------------------------------------------


def regency_payments(*, regency: Regency, programs: list[Program], year: int) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(regency=regency, fiscal_year=year, program__in=programs)
        .select_related("program", "source", "recorded_by")
        .order_by("-month", "program", "source", "-paid_on", "-pk")
    )


def village_payments(*, village: Village, programs: list[Program], year: int) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(village=village, fiscal_year=year, program__in=programs)
        .select_related("program", "source", "recorded_by")
        .order_by("-month", "program", "source", "-paid_on", "-pk")
    )


def villages_with_funds(*, regency: Regency, year: int) -> QuerySet[Village]:
    """The desa of a regency, each with its ADD of the year (None when not entered yet): one query."""
    fund = VillageFund.objects.filter(village=OuterRef("pk"), fiscal_year=year).values("add_amount")[:1]
    return (
        governed_villages(Village.objects.filter(subdistrict__regency=regency))
        .select_related("subdistrict")
        .annotate(add_amount=Subquery(fund))
        .order_by("subdistrict__code", "code")
    )
