"""Writes of previews: keep one, use it once (confirm or discard), expire them.

Every flow that reads a file the user then confirms goes through here: the officials file
(villages.roster_import), the collective-registration sheet (bpjs.sheet), a BPJS list to reconcile
(bpjs.reconciliation), payments and village ADD (budgets.imports). The flow decides what `data` holds;
this module decides where it is kept, for whom and how long.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from previews.models import Preview

Status = Preview.Status
DEFAULT_LIFETIME = dt.timedelta(hours=2)


def preview_create(
    *,
    actor: User,
    kind: str,
    data: dict,
    scope: str = "",
    upload=None,
    name: str = "",
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
) -> Preview:
    """Keep `data` (encrypted) and, if given, the uploaded file, for `actor` only, under a random token.
    One INSERT, so no transaction of its own (a savepoint would add two queries to every caller's)."""
    now = timezone.now()
    preview = Preview(
        token=secrets.token_hex(16),
        kind=kind,
        scope=scope,
        created_by=actor,
        original_name=(name or os.path.basename(getattr(upload, "name", "") or ""))[:255],
        created_at=now,
        expires_at=now + lifetime,
    )
    preview.data = data
    if upload is not None:
        upload.seek(0)
        extension = os.path.splitext(preview.original_name)[1].lower()[:5] or ".bin"
        preview.file.save(f"file{extension}", File(upload), save=False)
    try:
        preview.save()
    except Exception:
        if preview.file:
            preview.file.delete(save=False)
        raise
    return preview


def preview_update(*, preview: Preview, data: dict, drop_file: bool = False) -> Preview:
    """Replace what the preview holds; with `drop_file`, its kept upload goes too (once read into `data`)."""
    preview.data = data
    fields = ["data_encrypted"]
    if drop_file and preview.file:
        _delete_file_on_commit(preview.file.name, preview.file.storage)
        preview.file = ""
        fields.append("file")
    preview.save(update_fields=fields)
    return preview


def _finish(preview: Preview, status: str) -> bool:
    """Move an open preview to `status` and drop what it held, if no one else did first (a conditional
    UPDATE: two confirmations at once, from two workers, cannot both win). Within the caller's
    transaction: a confirmation that fails and rolls back leaves the preview open."""
    now = timezone.now()
    claimed = Preview.objects.filter(pk=preview.pk, status=Status.OPEN, expires_at__gt=now).update(
        status=status, finished_at=now, data_encrypted="", file=""
    )
    if claimed:
        _delete_file_on_commit(preview.file.name, preview.file.storage)
        preview.status, preview.finished_at = status, now
    return bool(claimed)


def preview_claim(*, preview: Preview) -> bool:
    """Use a preview for its confirmation; False when it expired or was already confirmed or discarded."""
    return _finish(preview, Status.CONFIRMED)


def preview_discard(*, preview: Preview) -> bool:
    return _finish(preview, Status.DISCARDED)


def _delete_file_on_commit(name: str, storage) -> None:
    """The file may hold NIKs: it goes once the transaction that used it has committed."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def previews_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the previews past their time and the finished ones, with their files. Run daily."""
    now = now or timezone.now()
    stale = Preview.objects.filter(expires_at__lte=now) | Preview.objects.exclude(status=Status.OPEN)
    deleted = 0
    for preview in stale.only("pk", "file"):
        preview_delete(preview=preview)
        deleted += 1
    return deleted


@transaction.atomic
def preview_delete(*, preview: Preview) -> None:
    """The preview's row and its file gone (a step undone, or its time past)."""
    _delete_file_on_commit(preview.file.name, preview.file.storage)
    preview.delete()
