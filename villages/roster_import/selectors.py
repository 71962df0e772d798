"""Reads of officials-file imports, scoped like every other queryset (villages/selectors.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from core.models import Village
from core.permissions import may_edit_roster_file, object_for_user
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


def roster_imports_visible_to(user: User) -> QuerySet[RosterImport]:
    """Imports within the user's scope, editable or not: used to tell a read-only role's write (403) from
    a token outside the scope (404)."""
    return RosterImport.objects.filter(
        Q(village__in=villages_visible_to(user)) | Q(village__isnull=True, regency__in=regencies_visible_to(user))
    )


def roster_import_for_user(user: User, token: str, *, write: bool = False) -> RosterImport:
    """An import by its token. Reading it needs the right to edit its desa or regency (a 404 otherwise,
    since it holds data read-only roles are not given); writing is a 404 outside the scope, a 403 inside."""
    if not write:
        return object_for_user(roster_imports_editable_by(user), token=token)
    return object_for_user(
        roster_imports_visible_to(user), write=True, may_write=lambda ri: may_edit_roster_file(user, ri), token=token
    )
