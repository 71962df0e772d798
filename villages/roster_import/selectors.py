"""Reads of officials-file imports, scoped like every other queryset (villages/selectors.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from core.models import Regency, Village
from core.selectors import regencies_editable_by, regencies_visible_to, villages_editable_by, villages_visible_to
from villages.models import RosterImport


def roster_imports_editable_by(user: User) -> QuerySet[RosterImport]:
    """Imports the user may see and act on: those of a desa they may edit, and (for DPMD) the regency
    files of their regency. A read-only role has none, so an import's token is a 404 to them."""
    return RosterImport.objects.filter(
        Q(village__in=villages_editable_by(user)) | Q(village__isnull=True, regency__in=regencies_editable_by(user))
    ).select_related("village", "regency", "created_by")


def recent_imports(village: Village, *, limit: int = 3) -> list[RosterImport]:
    return list(RosterImport.objects.filter(village=village).select_related("created_by")[:limit])


def village_is_editable_by(user: User, village: Village) -> bool:
    return villages_editable_by(user).filter(pk=village.pk).exists()


def regency_is_editable_by(user: User, regency: Regency) -> bool:
    return regencies_editable_by(user).filter(pk=regency.pk).exists()


def roster_imports_visible_to(user: User) -> QuerySet[RosterImport]:
    """Imports within the user's scope, editable or not: used to tell a read-only role's write (403) from
    a token outside the scope (404)."""
    return RosterImport.objects.filter(
        Q(village__in=villages_visible_to(user)) | Q(village__isnull=True, regency__in=regencies_visible_to(user))
    )
