"""What an enrollment costs in a month: employer share, participant share, and who pays.

Rates are dated data (ContributionRate): the rate of a component in a month is the one with the latest
`effective_from` on or before the first day of that month.

Rounding, said once: each component's share is computed exactly (Decimal) on the wage basis after the
floor and ceiling; the employer share and the participant share of an enrollment for a month are each
the exact sum over its components, rounded once to whole rupiah, half up (Rp97.065,60 → Rp97.066).
Component lines are shown rounded the same way, for reading only; totals never add rounded lines.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import FirstValue

from budgets.models import ContributionRate, RegencyMinimumWage
from enrollment.models import Enrollment
from villages.models import MAIN_POST_ORDER, Post


def whole_rupiah(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_of_year_from(day: dt.date) -> list[dt.date]:
    """The first days of the month of `day` and of every later month of that year."""
    return [dt.date(day.year, m, 1) for m in range(day.month, 13)]


class RateBook:
    """Every contribution rate and minimum wage, loaded once (two queries) and looked up by date."""

    def __init__(self) -> None:
        self._rates: dict[int, list[ContributionRate]] = defaultdict(list)
        for rate in ContributionRate.objects.order_by("effective_from"):
            self._rates[rate.component_id].append(rate)
        self._starts = {cid: [r.effective_from for r in rates] for cid, rates in self._rates.items()}
        self._minimum_wages = {(w.regency_id, w.year): w.amount for w in RegencyMinimumWage.objects.all()}

    def rate(self, component_id: int, day: dt.date) -> ContributionRate | None:
        rates = self._rates.get(component_id)
        if not rates:
            return None
        i = bisect_right(self._starts[component_id], day)
        return rates[i - 1] if i else None

    def minimum_wage(self, regency_id: str | None, year: int) -> int | None:
        return self._minimum_wages.get((regency_id, year))


@dataclass(frozen=True)
class Line:
    component_id: int
    wage_basis: int
    employer: Decimal
    participant: Decimal


@dataclass(frozen=True)
class Contribution:
    month: dt.date
    lines: tuple[Line, ...]
    funding_source_id: str

    @property
    def employer(self) -> int:
        return whole_rupiah(sum((line.employer for line in self.lines), Decimal(0)))

    @property
    def participant(self) -> int:
        return whole_rupiah(sum((line.participant for line in self.lines), Decimal(0)))

    @property
    def total(self) -> int:
        return self.employer + self.participant


def wage_basis(rate: ContributionRate, wage: int, minimum_wage: int | None) -> int:
    basis = wage
    floor = minimum_wage if rate.floor_is_regency_minimum_wage else rate.wage_floor
    if floor:
        basis = max(basis, floor)
    if rate.wage_ceiling:
        basis = min(basis, rate.wage_ceiling)
    return basis


def contribution(
    *,
    book: RateBook,
    wage: int,
    component_ids: Iterable[int],
    month: dt.date,
    funding_source_id: str,
    regency_id: str | None = None,
) -> Contribution:
    month = month_start(month)
    lines = []
    for component_id in component_ids:
        rate = book.rate(component_id, month)
        if rate is None:
            continue
        basis = wage_basis(rate, wage, book.minimum_wage(regency_id, month.year))
        lines.append(Line(component_id, basis, basis * rate.employer_rate, basis * rate.participant_rate))
    return Contribution(month, tuple(lines), funding_source_id)


@dataclass
class EnrollmentCost:
    """An enrollment with what the calculator needs: the official's wage, the regency and village of
    their post, the chosen components."""

    enrollment_id: int
    person_id: int
    program_id: str
    funding_source_id: str
    start_date: dt.date | None
    end_date: dt.date | None
    wage: int
    regency_id: str | None
    village_id: str | None
    subdistrict_id: str | None
    component_ids: list[int] = field(default_factory=list)

    def covers_month(self, month: dt.date) -> bool:
        next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return (
            self.start_date is not None
            and self.start_date < next_month
            and (self.end_date is None or self.end_date > month)
        )

    def cost(self, book: RateBook, month: dt.date) -> Contribution:
        return contribution(
            book=book,
            wage=self.wage,
            component_ids=self.component_ids,
            month=month,
            funding_source_id=self.funding_source_id,
            regency_id=self.regency_id,
        )


def main_post_of_enrollment(day: dt.date) -> QuerySet[Post]:
    """For a Subquery on enrollments (take `[:1]`): the posts the enrollment's official holds on `day`,
    their main post first (villages.models.MAIN_POST_ORDER): the post a contribution is computed on (its
    wage). posts_with_main_post_fields picks the same post for many officials at once (the payer)."""
    return Post.objects.active_on(day).filter(person=OuterRef("person")).main_first()


def posts_with_main_post_fields(day: dt.date, **aliases: str) -> QuerySet[Post]:
    """The posts held on `day`, each given, under each alias, a field of its official's main post on that
    day: the post main_post_of_enrollment puts first (MAIN_POST_ORDER, ending with the post's id, so
    exactly one). A window function picks it for every official at once, where main_post_of_enrollment
    runs one subquery per enrollment; a filter on an alias applies after the choice."""
    order = [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in MAIN_POST_ORDER]
    return Post.objects.active_on(day).alias(
        **{
            alias: Window(FirstValue(field), partition_by=[F("person")], order_by=order)
            for alias, field in aliases.items()
        }
    )


def enrollment_costs(enrollments: QuerySet[Enrollment], *, day: dt.date) -> list[EnrollmentCost]:
    """Load what the calculator needs for many enrollments in two queries. The wage is the wage basis of
    the official's main post on `day` (villages.models.MAIN_POST_ORDER): its siltap and allowances."""
    main_post = main_post_of_enrollment(day)
    rows = list(
        enrollments.order_by()
        .annotate(
            wage=Subquery(main_post.values("wage_basis")[:1]),
            village_code=Subquery(main_post.values("village")[:1]),
            subdistrict_code=Subquery(main_post.values("village__subdistrict")[:1]),
            regency_code=Subquery(main_post.values("village__subdistrict__regency")[:1]),
        )
        .values(
            "pk",
            "person_id",
            "program_id",
            "funding_source_id",
            "start_date",
            "end_date",
            "wage",
            "village_code",
            "subdistrict_code",
            "regency_code",
        )
    )
    components: dict[int, list[int]] = defaultdict(list)
    through = Enrollment.components.through
    # A subquery, not a list of ids: a national run would pass SQLite's limit on query parameters.
    chosen = through.objects.filter(enrollment_id__in=enrollments.order_by().values("pk"))
    for enrollment_id, component_id in chosen.values_list("enrollment_id", "programcomponent_id"):
        components[enrollment_id].append(component_id)
    return [
        EnrollmentCost(
            enrollment_id=r["pk"],
            person_id=r["person_id"],
            program_id=r["program_id"],
            funding_source_id=r["funding_source_id"],
            start_date=r["start_date"],
            end_date=r["end_date"],
            wage=r["wage"] or 0,
            regency_id=r["regency_code"],
            village_id=r["village_code"],
            subdistrict_id=r["subdistrict_code"],
            component_ids=components[r["pk"]],
        )
        for r in rows
    ]


def enrollment_contribution(*, enrollment: Enrollment, month: dt.date) -> Contribution:
    """The contribution of one enrollment for one month, with the wage of the official's posts then."""
    (cost,) = enrollment_costs(Enrollment.objects.filter(pk=enrollment.pk), day=month_start(month))
    return cost.cost(RateBook(), month)


@dataclass(frozen=True)
class MonthlyCost:
    employer: int
    participant: int
    employer_by_source: dict[str, int]


def monthly_cost(*, villages, programs, day: dt.date) -> dict[str, MonthlyCost]:
    """What the enrollments covering `day` in the desa of `villages` cost for that month, per program:
    employer and participant shares (each enrollment rounded once), and the employer share per source.
    An official with posts in other desa too counts where their main post is, so once only."""
    from django.db.models import Exists

    from core.selectors import governed_villages

    book = RateBook()
    month = month_start(day)
    governed = governed_villages(villages)
    held = Post.objects.active_on(day).filter(person=OuterRef("person"), village__in=governed)
    here = set(governed.values_list("pk", flat=True))
    result = {}
    for program in programs:
        costs = [
            c.cost(book, month)
            for c in enrollment_costs(
                Enrollment.objects.covering_on(day).filter(Exists(held), program=program), day=day
            )
            if c.village_id in here
        ]
        by_source: dict[str, int] = defaultdict(int)
        for c in costs:
            by_source[c.funding_source_id] += c.employer
        result[program.code] = MonthlyCost(
            employer=sum(c.employer for c in costs),
            participant=sum(c.participant for c in costs),
            employer_by_source=dict(by_source),
        )
    return result
