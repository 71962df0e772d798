"""Reads of regions and officials. Every queryset a user can reach starts from one of the
`*_visible_to(user)` selectors here: the one place where scope is decided."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from core.models import Village
from core.permissions import may_edit_regency, may_edit_village, object_for_user
from core.selectors import regencies_visible_to, villages_visible_to
from villages.models import NikConflict, Person, Post


def home_post_of(posts: Iterable[Post]) -> Post | None:
    """An official's home post, the one place it is defined: the post their identity (NIK, name, sex,
    birth date, phone) belongs to. Of their current posts, the definitif one, else the earliest."""
    current = [post for post in posts if post.ended_on is None]
    return min(current, key=lambda p: (p.status != Post.Status.DEFINITIF, p.term_start, p.pk), default=None)


def posts_visible_to(user: User) -> QuerySet[Post]:
    return Post.objects.filter(village__in=villages_visible_to(user)).select_related("person", "village")


def officials_visible_to(user: User) -> QuerySet[Person]:
    """Persons who hold, or have held, a post in a village the user can see."""
    if user.is_authenticated and user.is_superuser:
        return Person.objects.all()
    return Person.objects.filter(
        Exists(Post.objects.filter(person=OuterRef("pk"), village__in=villages_visible_to(user)))
    )


def home_post(person: Person) -> Post | None:
    """The current post the person's identity belongs to (home_post_of), or None when none is current."""
    return home_post_of(Post.objects.current().filter(person=person).select_related("village__subdistrict"))


def village_in_scope(user: User | None, village: Village) -> bool:
    """Whether a message may name this desa to the user: only a desa the user can see (no actor: the
    system, which sees all)."""
    return user is None or villages_visible_to(user).filter(pk=village.pk).exists()


def nik_conflicts_visible_to(user: User) -> QuerySet:
    """Conflicts either of whose desa lies in the user's regencies: the submitting one (DPMD decides) or
    the one of the active post (its DPMD learns that another regency claimed its official)."""
    qs = NikConflict.objects.select_related("person", "village__subdistrict", "other_village__subdistrict")
    if user.is_authenticated and user.is_superuser:
        return qs
    regencies = regencies_visible_to(user)
    return qs.filter(
        Q(village__subdistrict__regency__in=regencies) | Q(other_village__subdistrict__regency__in=regencies)
    )


@dataclass
class ConflictRow:
    """A NIK conflict as one user may see it: the person and each desa only where they are in the user's
    scope (None stands for "another regency")."""

    conflict: NikConflict
    person: Person | None
    village: Village | None
    other_village: Village | None


def nik_conflict_rows(user: User, conflicts) -> list[ConflictRow]:
    """Each conflict with what lies outside the user's scope left out. Two queries for any number."""
    conflicts = list(conflicts)
    village_ids = {c.village_id for c in conflicts} | {c.other_village_id for c in conflicts}
    seen_villages = set(villages_visible_to(user).filter(pk__in=village_ids).values_list("pk", flat=True))
    seen_people = set(
        officials_visible_to(user).filter(pk__in={c.person_id for c in conflicts}).values_list("pk", flat=True)
    )
    return [
        ConflictRow(
            conflict=c,
            person=c.person if c.person_id in seen_people else None,
            village=c.village if c.village_id in seen_villages else None,
            other_village=c.other_village if c.other_village_id in seen_villages else None,
        )
        for c in conflicts
    ]


def may_settle_nik_conflict(user: User, conflict: NikConflict) -> bool:
    """DPMD staff of either desa's regency (and superusers) record how a conflict was settled."""
    return may_edit_regency(user, conflict.village.subdistrict.regency_id) or may_edit_regency(
        user, conflict.other_village.subdistrict.regency_id
    )


def post_for_user(user: User, pk: int, *, write: bool = False, current: bool = False) -> Post:
    """A post within the user's scope (a 404 outside it; an ended one too with `current`); `write` to
    change it, which needs the right to edit its desa (a 403 for read-only roles)."""
    posts = posts_visible_to(user)
    if current:
        posts = posts.current()
    return object_for_user(posts, write=write, may_write=lambda post: may_edit_village(user, post.village), pk=pk)


def nik_conflict_for_user(user: User, pk: int, *, write: bool = False) -> NikConflict:
    """A NIK conflict within the user's regencies; `write` to settle it, which is DPMD's of either regency."""
    return object_for_user(
        nik_conflicts_visible_to(user),
        write=write,
        may_write=lambda conflict: may_settle_nik_conflict(user, conflict),
        pk=pk,
    )


def official_regency_codes(person_id: int) -> list[str]:
    """The regencies where the official holds a current post (whose DPMD an access to them concerns)."""
    return list(
        Post.objects.current()
        .filter(person_id=person_id)
        .order_by()
        .values_list("village__subdistrict__regency_id", flat=True)
        .distinct()
    )
