"""Reads of regions and officials. Every queryset a user can reach starts from one of the
`*_visible_to(user)` selectors here: the one place where scope is decided."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Role, User

from .models import Person, Post
from core.models import Regency, Subdistrict, Village


def regencies_visible_to(user: User) -> QuerySet[Regency]:
    """Regencies whose dashboards the user may open. A village head has none: their scope is a desa."""
    qs = Regency.objects.select_related("province")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.DPMD:
        return qs.filter(pk=user.regency_id)
    if user.role == Role.BPJS:
        return qs.filter(pk__in=user.branch_regencies.values("pk"))
    if user.role == Role.PROVINCE:
        return qs.filter(province_id=user.province_id)
    return qs.none()


def subdistricts_visible_to(user: User) -> QuerySet[Subdistrict]:
    return Subdistrict.objects.filter(regency__in=regencies_visible_to(user)).select_related("regency")


def villages_visible_to(user: User) -> QuerySet[Village]:
    qs = Village.objects.select_related("subdistrict__regency")
    if user.is_authenticated and user.is_active and user.role == Role.VILLAGE and not user.is_superuser:
        return qs.filter(pk=user.village_id)
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(subdistrict__regency__in=regencies_visible_to(user))


def posts_visible_to(user: User) -> QuerySet[Post]:
    return Post.objects.filter(village__in=villages_visible_to(user)).select_related("person", "village")


def officials_visible_to(user: User) -> QuerySet[Person]:
    """Persons who hold, or have held, a post in a village the user can see."""
    if user.is_authenticated and user.is_superuser:
        return Person.objects.all()
    return Person.objects.filter(
        Exists(Post.objects.filter(person=OuterRef("pk"), village__in=villages_visible_to(user)))
    )


def governed_villages(villages: QuerySet[Village]) -> QuerySet[Village]:
    """Desa (and desa adat): the villages that have officials. Kelurahan are left out of every figure."""
    return villages.filter(kind__in=Village.GOVERNED_KINDS)


def regencies_editable_by(user: User) -> QuerySet[Regency]:
    """Regencies the user may change as a whole (a regency officials file, its budget, its scenarios):
    DPMD staff their own, superusers all; every other role reads only."""
    qs = Regency.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.DPMD:
        return qs.filter(pk=user.regency_id)
    return qs.none()


def villages_editable_by(user: User) -> QuerySet[Village]:
    """Desa whose roster the user may change: a village head their own, DPMD staff those of their
    regency, superusers all. BPJS officers and province observers read only (a write is a 403)."""
    qs = governed_villages(Village.objects.all())
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.VILLAGE:
        return qs.filter(pk=user.village_id)
    if user.role == Role.DPMD:
        return qs.filter(subdistrict__regency_id=user.regency_id)
    return qs.none()


def nik_conflicts_visible_to(user: User) -> QuerySet:
    """Conflicts whose submitting desa lies in the user's regencies (DPMD decides them)."""
    from .models import NikConflict

    qs = NikConflict.objects.select_related("person", "village__subdistrict", "other_village__subdistrict")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(village__subdistrict__regency__in=regencies_visible_to(user))
