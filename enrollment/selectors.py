"""Reads of enrollments and coverage.

Coverage is counted in SQL with one grouped query for villages and one for officials, whatever the
number of villages. Each figure and the list behind it use the same predicate (`village_covered`,
`official_covered`, ...), so a list always has exactly as many rows as the number that links to it.

Definitions (issue #2):
- officials: persons holding at least one post in a desa on the day;
- an official is covered in a program when an enrollment of theirs in it covered that day;
- a village is covered when at least one of its officials is, fully covered when all of them are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from core.figures import percent
from core.models import FundingSource, Program, Regency, Subdistrict, Village
from core.selectors import governed_villages, programs_visible_to
from enrollment.models import Enrollment
from villages.models import Person, Post, position_rank
from villages.selectors import posts_visible_to

Grouping = Literal["regency", "subdistrict", "village"]
_VILLAGE_GROUP = {"regency": "subdistrict__regency", "subdistrict": "subdistrict", "village": "pk"}


def enrollments_visible_to(user: User) -> QuerySet[Enrollment]:
    """Enrollments of officials the user can see, in the programs the user can see."""
    qs = Enrollment.objects.select_related("person", "program", "funding_source")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(
        Exists(posts_visible_to(user).filter(person=OuterRef("person"))),
        program__in=programs_visible_to(user),
    )


def participant_numbers_taken(wanted: Iterable[tuple[Enrollment, str]]) -> set[tuple[str, str]]:
    """Of the (enrollment, participant number) pairs, the (program, number) already carried by an
    enrollment of *another* official in the program: a number belongs to one official. One query."""
    wanted = [(e, n) for e, n in wanted if n]
    if not wanted:
        return set()
    holders: dict[tuple[str, str], set[int]] = {}
    rows = Enrollment.objects.filter(
        program_id__in={e.program_id for e, _ in wanted}, participant_number__in={n for _, n in wanted}
    ).values_list("program_id", "participant_number", "person_id")
    for program_id, number, person_id in rows:
        holders.setdefault((program_id, number), set()).add(person_id)
    return {(e.program_id, n) for e, n in wanted if holders.get((e.program_id, n), set()) - {e.person_id}}


def participant_number_taken_message(program: Program, number: str) -> str:
    return _("The participant number %(number)s already belongs to another official in %(program)s.") % {
        "number": number,
        "program": program.short_name,
    }


# --- predicates, shared by the counts and the lists --------------------------------------------------


def _covering(program: Program, day: dt.date, person_ref: str = "person") -> QuerySet[Enrollment]:
    return Enrollment.objects.covering_on(day).filter(program=program, person=OuterRef(person_ref))


def _posts_in_village(day: dt.date) -> QuerySet[Post]:
    return Post.objects.active_on(day).filter(village=OuterRef("pk"))


def official_covered(program: Program, day: dt.date, person_ref: str = "person") -> Exists:
    return Exists(_covering(program, day, person_ref))


def official_inactive(program: Program, day: dt.date, person_ref: str = "person") -> Q:
    """Not covered on `day` and made inactive in the program (mostly a JKN month left unpaid, menunggak):
    neither covered nor "not yet enrolled" (enrollment.status says "inactive" of the same officials)."""
    inactive = Enrollment.objects.filter(
        program=program, person=OuterRef(person_ref), status=Enrollment.Status.INACTIVE
    )
    return Q(Exists(inactive)) & ~Q(official_covered(program, day, person_ref))


def village_has_officials(day: dt.date) -> Exists:
    return Exists(_posts_in_village(day))


def village_covered(program: Program, day: dt.date) -> Exists:
    return Exists(_posts_in_village(day).filter(official_covered(program, day)))


def village_fully_covered(program: Program, day: dt.date) -> Q:
    return Q(village_has_officials(day)) & ~Q(Exists(_posts_in_village(day).filter(~official_covered(program, day))))


# --- counts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    villages_total: int = 0
    villages_covered: int = 0
    villages_fully_covered: int = 0
    officials_total: int = 0
    officials_covered: int = 0
    officials_inactive: int = 0  # of those not covered, made inactive (unpaid): not "not yet enrolled"

    @property
    def villages_covered_pct(self) -> float | None:
        return percent(self.villages_covered, self.villages_total)

    @property
    def villages_fully_covered_pct(self) -> float | None:
        return percent(self.villages_fully_covered, self.villages_total)

    @property
    def officials_covered_pct(self) -> float | None:
        return percent(self.officials_covered, self.officials_total)

    @property
    def villages_uncovered(self) -> int:
        return self.villages_total - self.villages_covered

    @property
    def officials_uncovered(self) -> int:
        return self.officials_total - self.officials_covered

    @property
    def officials_not_enrolled(self) -> int:
        """Not covered and not inactive either: nobody has enrolled them (yet, or again)."""
        return self.officials_uncovered - self.officials_inactive

    def as_dict(self) -> dict[str, int]:
        return {
            "villages_total": self.villages_total,
            "villages_covered": self.villages_covered,
            "villages_fully_covered": self.villages_fully_covered,
            "officials_total": self.officials_total,
            "officials_covered": self.officials_covered,
            "officials_inactive": self.officials_inactive,
        }


def coverage(
    *, villages: QuerySet[Village], programs: list[Program], day: dt.date, by: Grouping | None = None
) -> dict[str | None, dict[str, Coverage]]:
    """Coverage per program of the desa among `villages`, in total (`by=None`, key None) or grouped by
    regency, subdistrict or village code. Two queries, whatever the number of villages."""
    desa = governed_villages(villages)
    village_aggregates = {"villages_total": Count("pk")}
    official_aggregates = {"officials_total": Count("person", distinct=True)}
    for p in programs:
        village_aggregates[f"{p.code}:villages_covered"] = Count("pk", filter=Q(village_covered(p, day)))
        village_aggregates[f"{p.code}:villages_fully_covered"] = Count("pk", filter=village_fully_covered(p, day))
        official_aggregates[f"{p.code}:officials_covered"] = Count(
            "person", distinct=True, filter=Q(official_covered(p, day))
        )
        official_aggregates[f"{p.code}:officials_inactive"] = Count(
            "person", distinct=True, filter=official_inactive(p, day)
        )
    posts = Post.objects.active_on(day).filter(village__in=desa)
    if by is None:
        village_rows = [{"key": None, **desa.aggregate(**village_aggregates)}]
        official_rows = [{"key": None, **posts.aggregate(**official_aggregates)}]
    else:
        group = _VILLAGE_GROUP[by]
        village_rows = desa.values(key=F(group)).annotate(**village_aggregates).order_by()
        official_rows = posts.values(key=F(f"village__{group}")).annotate(**official_aggregates).order_by()

    counts: dict[str | None, dict[str, int]] = {row["key"]: dict(row) for row in village_rows}
    for row in official_rows:
        counts.setdefault(row["key"], {}).update(row)
    return {
        key: {
            p.code: Coverage(
                villages_total=row.get("villages_total", 0),
                villages_covered=row.get(f"{p.code}:villages_covered", 0),
                villages_fully_covered=row.get(f"{p.code}:villages_fully_covered", 0),
                officials_total=row.get("officials_total", 0),
                officials_covered=row.get(f"{p.code}:officials_covered", 0),
                officials_inactive=row.get(f"{p.code}:officials_inactive", 0),
            )
            for p in programs
        }
        for key, row in counts.items()
    }


@dataclass(frozen=True)
class SourceCoverage:
    source: FundingSource
    officials: int
    villages: int


def coverage_by_source(
    *, villages: QuerySet[Village], programs: list[Program], day: dt.date
) -> dict[str, list[SourceCoverage]]:
    """Officials and villages covered per funding source of the employer share; one query per program."""
    sources = {s.pk: s for s in FundingSource.objects.all()}
    result: dict[str, list[SourceCoverage]] = {}
    posts = Post.objects.active_on(day).filter(village__in=governed_villages(villages))
    for p in programs:
        rows = (
            posts.annotate(source=covering_source(p, day))
            .exclude(source=None)
            .values("source")
            .annotate(officials=Count("person", distinct=True), villages=Count("village", distinct=True))
            .order_by("source")
        )
        result[p.code] = sorted(
            (SourceCoverage(sources[r["source"]], r["officials"], r["villages"]) for r in rows),
            key=lambda s: s.source.order,
        )
    return result


@dataclass(frozen=True)
class RegencyCoverage:
    """What the regency dashboard and the coverage API show: per program, the totals, the figures per
    kecamatan (keyed by code) and the coverage per funding source."""

    totals: dict[str, Coverage]
    per_subdistrict: dict[str | None, dict[str, Coverage]]
    sources: dict[str, list[SourceCoverage]]
    subdistricts: list[Subdistrict]
    # Under which key enrollment.figures cached them (None: counted here, or not cacheable): what is
    # rendered from them can be cached under it too.
    key: str | None = None


def regency_coverage(*, regency: Regency, programs: list[Program], day: dt.date) -> RegencyCoverage:
    """Coverage of a regency's desa on `day`, the page's and the API's alike. A fixed number of queries:
    two per coverage table, one per program for the sources, one for the kecamatan."""
    villages = Village.objects.filter(subdistrict__regency=regency)
    return RegencyCoverage(
        totals=coverage(villages=villages, programs=programs, day=day)[None],
        per_subdistrict=coverage(villages=villages, programs=programs, day=day, by="subdistrict"),
        sources=coverage_by_source(villages=villages, programs=programs, day=day),
        subdistricts=list(Subdistrict.objects.filter(regency=regency)),
    )


# --- the lists behind the numbers --------------------------------------------------------------------

VillageFilter = Literal["all", "covered", "fully_covered", "uncovered"]
# uncovered: all those not covered; of them, inactive (unpaid) and not_enrolled (the rest).
OfficialFilter = Literal["all", "covered", "uncovered", "inactive", "not_enrolled"]


def villages_by_coverage(
    *,
    villages: QuerySet[Village],
    program: Program,
    day: dt.date,
    which: VillageFilter = "all",
    source: FundingSource | None = None,
) -> QuerySet[Village]:
    """The desa behind a village figure, each with its officials and covered officials counted; with
    `source`, those where an official is covered with the employer share paid from it."""
    desa = governed_villages(villages)
    if source is not None:
        paid = Post.objects.active_on(day).filter(village=OuterRef("pk"))
        desa = desa.filter(Exists(paid.annotate(paid_from=covering_source(program, day)).filter(paid_from=source)))
    if which == "covered":
        desa = desa.filter(village_covered(program, day))
    elif which == "fully_covered":
        desa = desa.filter(village_fully_covered(program, day))
    elif which == "uncovered":
        desa = desa.filter(~village_covered(program, day))
    posts = Post.objects.active_on(day).filter(village=OuterRef("pk")).order_by().values("village")
    return desa.annotate(
        officials=Coalesce(Subquery(posts.annotate(n=Count("person", distinct=True)).values("n")), 0),
        officials_covered=Coalesce(
            Subquery(
                posts.filter(official_covered(program, day)).annotate(n=Count("person", distinct=True)).values("n")
            ),
            0,
        ),
        head_name=Subquery(
            Post.objects.active_on(day)
            .filter(village=OuterRef("pk"), position="kepala_desa")
            .main_first()
            .values("person__full_name")[:1]
        ),
        head_phone=Subquery(
            Post.objects.active_on(day)
            .filter(village=OuterRef("pk"), position="kepala_desa")
            .main_first()
            .values("person__phone")[:1]
        ),
    ).select_related("subdistrict")


# How a list of desa can be sorted: by desa (the default, Kemendagri code order breaks ties), by kecamatan
# and desa, by most officials first, by fewest officials enrolled first.
VILLAGE_SORTS = {
    "desa": ("name", "pk"),
    "kecamatan": ("subdistrict__name", "name", "pk"),
    "officials": ("-officials", "name", "pk"),
    "covered": ("officials_covered", "name", "pk"),
}


def covering_source(program: Program, day: dt.date, person_ref: str = "person") -> Subquery:
    """The funding source of the employer share of the enrollment covering the person on `day` (the
    latest begun): what `coverage_by_source` counts and the list behind its figure filters by."""
    return Subquery(_covering(program, day, person_ref).order_by("-start_date").values("funding_source")[:1])


def officials_by_coverage(
    *, villages: QuerySet[Village], program: Program, day: dt.date, which: OfficialFilter = "all"
) -> QuerySet[Person]:
    """The persons behind an official figure: one row per person, however many posts they hold."""
    people = Person.objects.filter(
        Exists(Post.objects.active_on(day).filter(person=OuterRef("pk"), village__in=governed_villages(villages)))
    )
    if which == "covered":
        people = people.filter(official_covered(program, day, "pk"))
    elif which == "uncovered":
        people = people.filter(~official_covered(program, day, "pk"))
    elif which == "inactive":
        people = people.filter(official_inactive(program, day, "pk"))
    elif which == "not_enrolled":
        people = people.filter(~official_covered(program, day, "pk")).exclude(official_inactive(program, day, "pk"))
    return people


# How the list behind an official figure can be sorted: by name, by kecamatan and desa, by SOTK rank (of
# the first of the listed posts each person holds), the name breaking ties.
OFFICIAL_SORTS = {
    "name": ("full_name", "pk"),
    "desa": ("first_subdistrict", "first_village", "full_name", "pk"),
    "position": ("first_rank", "full_name", "pk"),
}


def listed_posts(*, villages: QuerySet[Village], day: dt.date, position: str = "", status: str = "") -> QuerySet[Post]:
    """The posts an official list shows: held on `day` in the desa among `villages`, of one position and
    one position status when given."""
    posts = Post.objects.active_on(day).filter(village__in=governed_villages(villages))
    if position:
        posts = posts.filter(position=position)
    if status:
        posts = posts.filter(status=status)
    return posts


def officials_listed(
    *,
    villages: QuerySet[Village],
    program: Program,
    day: dt.date,
    which: OfficialFilter = "all",
    position: str = "",
    status: str = "",
    source: FundingSource | None = None,
    sort: str = "name",
) -> QuerySet[Person]:
    """The list behind an official figure narrowed to the persons holding a post of `position` and
    `status` (when given), covered with the employer share paid from `source` (when given: the list
    behind a funding-source figure), and sorted by one of OFFICIAL_SORTS: the page and its Excel read this."""
    posts = listed_posts(villages=villages, day=day, position=position, status=status).filter(person=OuterRef("pk"))
    by_place = posts.order_by("village__subdistrict__name", "village__name")
    people = officials_by_coverage(villages=villages, program=program, day=day, which=which)
    if source is not None:
        people = people.annotate(covering_source=covering_source(program, day, "pk")).filter(covering_source=source)
    return (
        people.filter(Exists(posts))
        .annotate(
            first_subdistrict=Subquery(by_place.values("village__subdistrict__name")[:1]),
            first_village=Subquery(by_place.values("village__name")[:1]),
            first_rank=Subquery(posts.annotate(rank=position_rank()).order_by("rank").values("rank")[:1]),
        )
        .order_by(*OFFICIAL_SORTS[sort])
    )
