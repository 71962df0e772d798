"""Who sees which regions and programs. Every queryset a user can reach starts from a `*_visible_to(user)`
selector; the one place where scope is decided for the regions every other app builds on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from core.models import Program, Regency, Subdistrict, Village
from core.roles import Role

if TYPE_CHECKING:
    from accounts.models import User


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


def programs_visible_to(user: User) -> QuerySet[Program]:
    if user.is_authenticated and not user.is_superuser and user.role == Role.BPJS:
        return Program.objects.filter(pk=user.program_id)
    return Program.objects.all()
