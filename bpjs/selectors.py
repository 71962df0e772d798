"""Reads of the BPJS review queue: the queue itself grouped by desa with the filters the page and the API
read alike, and what a desa reads of BPJS's decisions. Who may open it and act on it is core.permissions.

Who: a BPJS officer reviews the requests of their program in the regencies of their branch; DPMD staff
see the queue of their regency but do not act on it (a 403); superusers do everything. Objects come from
`enrollments_visible_to`, so anything outside the user's scope is a 404."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from accounts.models import User
from core.models import Program, Regency, Village
from core.permissions import may_see_nik, may_view_queue, regency_for_user, village_for_user
from core.selectors import governed_villages, programs_visible_to, villages_visible_to
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to
from villages.models import FamilyMember, Person, Post

Status = Enrollment.Status


# --- the queue ---------------------------------------------------------------------------------------


def _queue_villages(user: User, *, regency: Regency | None, village: Village | None) -> QuerySet[Village]:
    villages = governed_villages(villages_visible_to(user))
    if regency is not None:
        villages = villages.filter(subdistrict__regency=regency)
    if village is not None:
        villages = villages.filter(pk=village.pk)
    return villages


def review_queue(
    user: User,
    *,
    regency: Regency | None = None,
    village: Village | None = None,
    program: Program | None = None,
    family: bool = False,
) -> QuerySet[Enrollment]:
    """Requested enrollments the user may see, ordered by desa code then name. Each enrollment carries
    `village_code` and `person.queue_posts` (the official's current posts in the desa shown, definitif
    first). A fixed number of queries however long the queue: the enrollments, their components, the
    posts (and, with `family`, the family members)."""
    if not may_view_queue(user):
        return Enrollment.objects.none()
    posts = Post.objects.current().filter(village__in=_queue_villages(user, regency=regency, village=village))
    first_post = posts.filter(person=OuterRef("person_id")).main_first().values("village_id")[:1]
    qs = (
        enrollments_visible_to(user)
        .filter(status=Status.REQUESTED)
        .annotate(village_code=Subquery(first_post))
        .filter(village_code__isnull=False)
    )
    if program is not None:
        qs = qs.filter(program=program)
    prefetches = [
        "components",
        Prefetch(
            "person__posts",
            queryset=posts.select_related("village__subdistrict").main_first(),
            to_attr="queue_posts",
        ),
    ]
    if family:
        prefetches.append(Prefetch("person__family", queryset=FamilyMember.objects.order_by("relation", "birth_date")))
    return qs.order_by("village_code", "person__full_name", "program", "pk").prefetch_related(*prefetches)


@dataclass
class QueueRow:
    enrollment: Enrollment
    post: Post
    nik: str
    # What the approve form showed or was sent, and its problems, when the page is shown again.
    number: str = ""
    start: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def components(self) -> str:
        return ", ".join(c.code for c in self.enrollment.components.all())


@dataclass
class VillageGroup:
    village: Village
    rows: list[QueueRow] = field(default_factory=list)

    # What every row of the card has alike is said once, in its heading, and its column is left out.
    @property
    def program(self) -> Program | None:
        """The program of every request of the card, or None when they differ."""
        programs = {row.enrollment.program_id for row in self.rows}
        return self.rows[0].enrollment.program if len(programs) == 1 else None

    @property
    def components(self) -> str | None:
        """The components of every request of the card ("" for none), or None when they differ."""
        components = {row.components for row in self.rows}
        return components.pop() if len(components) == 1 else None


def queue_regency_counts(queue: QuerySet[Enrollment]) -> dict[str, int]:
    """How many requests of a review queue lie in each regency (by the desa shown): one grouped query."""
    return dict(
        queue.prefetch_related(None)
        .order_by()
        .annotate(regency=Substr("village_code", 1, 5))
        .values("regency")
        .annotate(n=Count("pk"))
        .values_list("regency", "n")
    )


def nik_for(user: User, person: Person) -> str:
    return person.nik if may_see_nik(user) else person.nik_masked


def queue_row(user: User, enrollment: Enrollment) -> QueueRow:
    return QueueRow(enrollment=enrollment, post=enrollment.person.queue_posts[0], nik=nik_for(user, enrollment.person))


def group_by_village(user: User, enrollments: Iterable[Enrollment]) -> list[VillageGroup]:
    """Consecutive enrollments of one desa under one heading (the queue is ordered by desa code)."""
    groups: list[VillageGroup] = []
    for enrollment in enrollments:
        row = queue_row(user, enrollment)
        if not groups or groups[-1].village.pk != row.post.village_id:
            groups.append(VillageGroup(village=row.post.village))
        groups[-1].rows.append(row)
    return groups


def village_enrollments(user: User, village: Village) -> QuerySet[Enrollment]:
    """The enrollments (any status) of the desa's current officials that the user may see, with the
    rejection reasons: what the village reads on its BPJS page. Three queries."""
    posts = Post.objects.current().filter(village=village)
    return (
        enrollments_visible_to(user)
        .filter(Exists(posts.filter(person=OuterRef("person"))))
        .prefetch_related(Prefetch("person__posts", queryset=posts.main_first(), to_attr="queue_posts"))
        .order_by("person__full_name", "person_id", "program__order", "-created_at", "-pk")
    )


def queue_filters(user: User, params: Mapping[str, str]) -> dict:
    """The regency, desa and program (`?regency=&village=&program=` codes) the queue is narrowed to, each
    looked up within the user's scope: a code outside it is a 404. The page and the API read them alike."""
    getters = {
        "regency": regency_for_user,
        "village": village_for_user,
        "program": lambda user, code: get_object_or_404(programs_visible_to(user), pk=code),
    }
    return {name: get(user, params[name]) if params.get(name) else None for name, get in getters.items()}
