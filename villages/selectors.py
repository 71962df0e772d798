"""Reads of regions and officials. Every queryset a user can reach starts from one of the
`*_visible_to(user)` selectors here: the one place where scope is decided."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from core.permissions import may_edit_regency, may_edit_village, object_for_user
from core.selectors import regencies_visible_to, villages_visible_to
from villages.models import NikConflict, Person, Post


def posts_visible_to(user: User) -> QuerySet[Post]:
    return Post.objects.filter(village__in=villages_visible_to(user)).select_related("person", "village")


def officials_visible_to(user: User) -> QuerySet[Person]:
    """Persons who hold, or have held, a post in a village the user can see."""
    if user.is_authenticated and user.is_superuser:
        return Person.objects.all()
    return Person.objects.filter(
        Exists(Post.objects.filter(person=OuterRef("pk"), village__in=villages_visible_to(user)))
    )


def nik_conflicts_visible_to(user: User) -> QuerySet:
    """Conflicts whose submitting desa lies in the user's regencies (DPMD decides them)."""
    qs = NikConflict.objects.select_related("person", "village__subdistrict", "other_village__subdistrict")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(village__subdistrict__regency__in=regencies_visible_to(user))


def post_for_user(user: User, pk: int, *, write: bool = False, current: bool = False) -> Post:
    """A post within the user's scope (a 404 outside it; an ended one too with `current`); `write` to
    change it, which needs the right to edit its desa (a 403 for read-only roles)."""
    posts = posts_visible_to(user)
    if current:
        posts = posts.current()
    return object_for_user(posts, write=write, may_write=lambda post: may_edit_village(user, post.village), pk=pk)


def nik_conflict_for_user(user: User, pk: int, *, write: bool = False) -> NikConflict:
    """A NIK conflict within the user's regencies; `write` to settle it, which is DPMD's of the regency."""
    return object_for_user(
        nik_conflicts_visible_to(user),
        write=write,
        may_write=lambda conflict: may_edit_regency(user, conflict.village.subdistrict.regency_id),
        pk=pk,
    )
