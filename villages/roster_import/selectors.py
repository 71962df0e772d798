"""Reads of officials-file imports, scoped like every other queryset (villages/selectors.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.models import Regency, Village
from core.permissions import may_edit_roster_file, object_for_user
from core.selectors import regencies_editable_by, regencies_visible_to, villages_editable_by, villages_visible_to
from previews.models import Preview
from villages.models import ImportHeaderMapping, RosterImport

# Waiting to be checked or confirmed: what the user still needs is in the preview storage.
WAITING = (RosterImport.Status.UPLOADED, RosterImport.Status.VALIDATING, RosterImport.Status.PREVIEW)
EXPIRED = gettext_lazy("Discarded: it was not confirmed in time. Upload the file again if it is still needed.")


def roster_imports_editable_by(user: User) -> QuerySet[RosterImport]:
    """Imports the user may see and act on: their own uploads, for a desa they may still edit or (for
    DPMD) for their regency. Like every preview, an import is its uploader's: another user, even one who
    may edit the same desa, gets a 404; a read-only role has none."""
    return RosterImport.objects.filter(
        Q(village__in=villages_editable_by(user)) | Q(village__isnull=True, regency__in=regencies_editable_by(user)),
        created_by=user,
    ).select_related("village", "regency", "created_by", "preview")


def recent_imports(village: Village, *, viewer: User, limit: int = 3) -> list[RosterImport]:
    """The last uploads of the desa, by anyone who may edit it; `can_open` for the viewer's own."""
    imports = list(RosterImport.objects.filter(village=village).select_related("created_by")[:limit])
    for item in imports:
        item.can_open = item.created_by_id == viewer.pk
    return imports


def roster_imports_visible_to(user: User) -> QuerySet[RosterImport]:
    """Imports within the user's scope, editable or not: used to tell a read-only role's write (403) from
    a token outside the scope (404)."""
    return RosterImport.objects.filter(
        Q(village__in=villages_visible_to(user)) | Q(village__isnull=True, regency__in=regencies_visible_to(user))
    )


def roster_import_for_user(user: User, token: str, *, write: bool = False) -> RosterImport:
    """The user's own import by its token. Reading it needs the right to edit its desa or regency (a 404
    otherwise, since it holds data read-only roles are not given); writing is a 404 outside the scope, a
    403 inside for a role that may not edit, and a 404 for another user's import (it changes nothing)."""
    if not write:
        return object_for_user(roster_imports_editable_by(user), token=token)
    roster_import = object_for_user(
        roster_imports_visible_to(user).select_related("village", "regency", "created_by", "preview"),
        write=True,
        may_write=lambda ri: may_edit_roster_file(user, ri),
        token=token,
    )
    if roster_import.created_by_id != user.pk:
        raise Http404
    return roster_import


def roster_import_as_shown(roster_import: RosterImport) -> RosterImport:
    """An import whose preview expired before the daily task discarded it is shown as that task will
    leave it (discarded, saying why), not as waiting for a check or a confirmation that cannot come.
    Nothing is written: the daily task (or a click on Discard) does that."""
    if preview_expired(roster_import):
        roster_import.status, roster_import.message = RosterImport.Status.DISCARDED, str(EXPIRED)
        roster_import.progress = 100
    return roster_import


def open_preview(roster_import: RosterImport) -> Preview | None:
    """The import's preview while it still holds the file or rows; None once expired or used."""
    preview = roster_import.preview if roster_import.preview_id else None
    return preview if preview is not None and preview.is_open else None


def preview_expired(roster_import: RosterImport) -> bool:
    """Waiting for a check or a confirmation that can no longer come: its preview expired (or was
    deleted by previews_expire) before the daily task discarded the import."""
    return roster_import.status in WAITING and open_preview(roster_import) is None


def header_mapping_of(regency: Regency) -> dict[str, str]:
    """The headers the regency's users mapped to the template's columns ({loose_key: column key})."""
    found = ImportHeaderMapping.objects.filter(regency=regency).values_list("mapping", flat=True).first()
    return found or {}
