"""Reads of regions and officials. Every queryset a user can reach starts from one of the
`*_visible_to(user)` selectors here: the one place where scope is decided."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from core.selectors import regencies_visible_to, villages_visible_to
from villages.models import Person, Post


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
    from villages.models import NikConflict

    qs = NikConflict.objects.select_related("person", "village__subdistrict", "other_village__subdistrict")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(village__subdistrict__regency__in=regencies_visible_to(user))
