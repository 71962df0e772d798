"""The scenario planner: what would it cost to cover every official not yet in a program?

- Who: the officials of the regency not covered in the scenario's program today
  (enrollment.selectors.officials_by_coverage, which="uncovered"), so the list and the dashboard agree.
- Wage: the wage basis of each official's main post among the posts they hold today in the regency
  (villages.models.MAIN_POST_ORDER, as in budgets.contributions.enrollment_costs).
- Cost: budgets.contributions.contribution() for each official and month, with the rates in force that
  month; each official's employer and participant shares are rounded once a month, totals add them up.
- Per year, two figures: "to December" (from the start month to December of that year: what the budget of
  that year must hold) and "12 months" (the twelve months from the start month: a full year of coverage).
- ADD share, for scenarios paid from ADD: each desa's 12-month employer share as a percentage of its ADD of
  the start month's year (budgets.VillageFund), "ADD belum diisi" when it is not known; the desa above the
  scenario's threshold are listed.

One query loads the uncovered officials with their wage, desa and kecamatan; the rest is arithmetic on the
calculator's figures, grouped per desa and kecamatan in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext

from budgets.contributions import RateBook, contribution, months_of_year_from
from budgets.models import Scenario, VillageFund
from core.models import Program, ProgramComponent, Regency, Village
from core.selectors import governed_villages
from core.templatetags.format_id import angka
from enrollment.selectors import officials_by_coverage
from villages.models import Post

ADD = "ADD"


@dataclass(frozen=True)
class UncoveredOfficial:
    person_id: int
    wage: int
    village_code: str
    village_name: str
    subdistrict_code: str
    subdistrict_name: str


def uncovered_officials(*, regency: Regency, program: Program, day: dt.date) -> list[UncoveredOfficial]:
    """The officials of the regency not covered in `program` on `day`, with their main post: one query."""
    villages = governed_villages(Village.objects.filter(subdistrict__regency=regency))
    main = Post.objects.active_on(day).filter(person=OuterRef("pk"), village__in=villages).main_first()
    rows = (
        officials_by_coverage(villages=villages, program=program, day=day, which="uncovered")
        .annotate(
            wage=Subquery(main.values("wage_basis")[:1]),
            village_code=Subquery(main.values("village")[:1]),
            village_name=Subquery(main.values("village__name")[:1]),
            subdistrict_code=Subquery(main.values("village__subdistrict")[:1]),
            subdistrict_name=Subquery(main.values("village__subdistrict__name")[:1]),
        )
        .order_by("pk")
        .values_list("pk", "wage", "village_code", "village_name", "subdistrict_code", "subdistrict_name")
    )
    return [UncoveredOfficial(pk, wage or 0, *rest) for pk, wage, *rest in rows]


@dataclass
class Figures:
    """The cost of covering a group of officials (all of them, a kecamatan or a desa)."""

    code: str = ""
    name: str = ""
    subdistrict: str = ""
    officials: int = 0
    employer_month: int = 0
    participant_month: int = 0
    employer_to_december: int = 0
    participant_to_december: int = 0
    employer_12: int = 0
    participant_12: int = 0
    # For a desa in an ADD-funded scenario:
    add_amount: int | None = None
    add_share: Decimal | None = None
    over_threshold: bool = False

    AMOUNTS = (
        "employer_month",
        "participant_month",
        "employer_to_december",
        "participant_to_december",
        "employer_12",
        "participant_12",
    )

    def add(self, other: Figures) -> None:
        self.officials += other.officials
        for name in self.AMOUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def total_month(self) -> int:
        return self.employer_month + self.participant_month


@dataclass
class ScenarioResult:
    scenario: Scenario
    day: dt.date
    components: list[ProgramComponent]
    employer_rate: Decimal  # percent of the wage basis, in the start month (0.54 for JKK + JKM)
    participant_rate: Decimal
    months_to_december: int
    total: Figures
    subdistricts: list[Figures]
    villages: list[Figures]
    is_add: bool = False
    add_year: int | None = None
    threshold: Decimal = Decimal(0)
    villages_over: list[Figures] = field(default_factory=list)
    villages_without_add: list[Figures] = field(default_factory=list)

    def subdistrict(self, code: str) -> Figures | None:
        return next((s for s in self.subdistricts if s.code == code), None)

    @property
    def add_caveat(self) -> str:
        """What the share-of-ADD check does not know, or "": the desa of the scenario whose ADD for its
        year is not entered are not checked, so "no desa above the threshold" must not be read as all."""
        if not self.villages_without_add:
            return ""
        return gettext("ADD %(year)s not entered yet for %(n)s desa") % {
            "year": self.add_year,
            "n": angka(len(self.villages_without_add)),
        }


def twelve_months_from(start: dt.date) -> list[dt.date]:
    return [dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(12)]


def scenario_components(scenario: Scenario) -> list[ProgramComponent]:
    """The scenario's components; a program's required ones (JKK, JKM) always count."""
    return scenario.program.components_for(scenario.components, strict=False)


class _Shares:
    """The employer and participant shares of one official's wage in a month under a scenario, computed
    once per (wage, month): officials of a regency share a handful of wages."""

    def __init__(self, scenario: Scenario, *, book: RateBook, component_ids: list[int]) -> None:
        self.scenario, self.book, self.component_ids = scenario, book, component_ids
        self.cache: dict[tuple[int, dt.date], tuple[int, int]] = {}

    def __call__(self, wage: int, month: dt.date) -> tuple[int, int]:
        if (wage, month) not in self.cache:
            c = contribution(
                book=self.book,
                wage=wage,
                component_ids=self.component_ids,
                month=month,
                funding_source_id=self.scenario.source_id,
                regency_id=self.scenario.regency_id,
            )
            self.cache[(wage, month)] = (c.employer, c.participant)
        return self.cache[(wage, month)]


def _official_figures(
    wage: int, *, shares: _Shares, start: dt.date, to_december: list[dt.date], twelve: list[dt.date]
) -> Figures:
    """The cost of covering one official: the start month, to December, and twelve months."""
    employer_month, participant_month = shares(wage, start)
    employer_to_december, participant_to_december = _sum_shares(shares, wage, to_december)
    employer_12, participant_12 = _sum_shares(shares, wage, twelve)
    return Figures(
        officials=1,
        employer_month=employer_month,
        participant_month=participant_month,
        employer_to_december=employer_to_december,
        participant_to_december=participant_to_december,
        employer_12=employer_12,
        participant_12=participant_12,
    )


def _sum_shares(shares: _Shares, wage: int, months: list[dt.date]) -> tuple[int, int]:
    """The employer and participant shares of `wage` added up over `months`, each rounded monthly."""
    pairs = [shares(wage, month) for month in months]
    return sum(employer for employer, _ in pairs), sum(participant for _, participant in pairs)


@dataclass
class _Groups:
    """The officials' figures added up for the regency, per kecamatan and per desa (sorted by code)."""

    total: Figures
    subdistricts: dict[str, Figures] = field(default_factory=dict)
    villages: dict[str, Figures] = field(default_factory=dict)

    def add(self, official: UncoveredOfficial, figures: Figures) -> None:
        village = Figures(code=official.village_code, name=official.village_name, subdistrict=official.subdistrict_name)
        self.villages.setdefault(official.village_code, village).add(figures)
        subdistrict = Figures(code=official.subdistrict_code, name=official.subdistrict_name)
        self.subdistricts.setdefault(official.subdistrict_code, subdistrict).add(figures)
        self.total.add(figures)

    def sorted_subdistricts(self) -> list[Figures]:
        return [self.subdistricts[k] for k in sorted(self.subdistricts)]

    def sorted_villages(self) -> list[Figures]:
        return [self.villages[k] for k in sorted(self.villages)]


def scenario_result(
    scenario: Scenario,
    *,
    day: dt.date,
    book: RateBook | None = None,
    officials: list[UncoveredOfficial] | None = None,
) -> ScenarioResult:
    """The figures of a scenario, computed now. Pass `book` and `officials` (of the scenario's regency and
    program) to share them between scenarios compared side by side."""
    book = book or RateBook()
    if officials is None:
        officials = uncovered_officials(regency=scenario.regency, program=scenario.program, day=day)
    components = scenario_components(scenario)
    ids = [c.pk for c in components]
    start = scenario.start_month.replace(day=1)
    to_december, twelve = months_of_year_from(start), twelve_months_from(start)
    shares = _Shares(scenario, book=book, component_ids=ids)
    groups = _Groups(total=Figures(name=scenario.regency.name))
    for o in officials:
        groups.add(o, _official_figures(o.wage, shares=shares, start=start, to_december=to_december, twelve=twelve))
    result = ScenarioResult(
        scenario=scenario,
        day=day,
        components=components,
        employer_rate=_rate_pct(book, ids, start, "employer_rate"),
        participant_rate=_rate_pct(book, ids, start, "participant_rate"),
        months_to_december=len(to_december),
        total=groups.total,
        subdistricts=groups.sorted_subdistricts(),
        villages=groups.sorted_villages(),
    )
    if scenario.source_id == ADD:
        _add_shares(result, start.year)
    return result


def _rate_pct(book: RateBook, ids: list[int], month: dt.date, name: str) -> Decimal:
    rates = [book.rate(i, month) for i in ids]
    return sum((getattr(r, name) for r in rates if r is not None), Decimal(0)) * 100


def _add_shares(result: ScenarioResult, year: int) -> None:
    """Each desa's 12-month employer share as a percentage of its ADD; one query."""
    scenario = result.scenario
    funds = dict(
        VillageFund.objects.filter(village__code__in=[v.code for v in result.villages], fiscal_year=year).values_list(
            "village_id", "add_amount"
        )
    )
    result.is_add, result.add_year, result.threshold = True, year, Decimal(scenario.add_share_threshold)
    for village in result.villages:
        village.add_amount = funds.get(village.code)
        if not village.add_amount:
            result.villages_without_add.append(village)
            continue
        village.add_share = (Decimal(village.employer_12) * 100 / village.add_amount).quantize(Decimal("0.01"))
        # Compared exactly, not on the rounded percentage.
        village.over_threshold = village.employer_12 * 100 > result.threshold * village.add_amount
        if village.over_threshold:
            result.villages_over.append(village)
    result.villages_over.sort(key=lambda v: v.add_share, reverse=True)


def scenarios_compare(scenarios: list[Scenario], *, day: dt.date) -> list[ScenarioResult]:
    """Several scenarios side by side: the rate book is loaded once, the uncovered officials once per
    regency and program."""
    book = RateBook()
    officials: dict[tuple[str, str], list[UncoveredOfficial]] = {}
    results = []
    for scenario in scenarios:
        key = (scenario.regency_id, scenario.program_id)
        if key not in officials:
            officials[key] = uncovered_officials(regency=scenario.regency, program=scenario.program, day=day)
        results.append(scenario_result(scenario, day=day, book=book, officials=officials[key]))
    return results
