"""Writes of officials-file imports: upload → check (preview) → confirm (apply) or discard.

The uploaded file is kept privately (MEDIA_ROOT) only while it is of use: once checked without errors
it is replaced by a snapshot of its parsed rows, encrypted like the NIK column, which the confirmation
re-plans from against the data as it is then; the snapshot is deleted once applied or discarded. A file
with errors is deleted as soon as it is checked: it can only be fixed and uploaded again.

Status moves only forward, each step claimed with a conditional UPDATE so a retried task, a second click
or a discard while a check runs can never apply or show an import twice:

    uploaded → validating → preview | invalid → applying → applied | failed
    (uploaded, validating, preview, invalid) → discarded
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import nik as nik_lib
from core.models import Regency, Village
from core.spreadsheets.reader import ImportFileError, Table
from villages.locks import roster_locked
from villages.models import NikConflict, RosterImport
from villages.roster_import.parsing import rows_data, rows_from_data
from villages.roster_import.plan import KINDS, Plan
from villages.roster_import.planning import build_plan, replan
from villages.roster_import.reader import read_table
from villages.roster_import.writing import write_plan
from villages.services import ensure_roster_open

Status = RosterImport.Status
DISCARDABLE = (Status.UPLOADED, Status.VALIDATING, Status.PREVIEW, Status.INVALID)


def _language(roster_import: RosterImport) -> str:
    return roster_import.result.get("language") or settings.LANGUAGE_CODE


def _runs_inline(roster_import: RosterImport) -> bool:
    return roster_import.rows_total <= settings.ROSTER_IMPORT_INLINE_ROWS


def _delete_file_on_commit(roster_import: RosterImport) -> None:
    """The file holds NIKs: it goes as soon as it is of no more use, once the transaction has committed
    (a rollback must not leave an import whose file is gone)."""
    name, storage, pk = roster_import.file.name, roster_import.file.storage, roster_import.pk
    if not name:
        return

    def delete() -> None:
        storage.delete(name)
        RosterImport.objects.filter(pk=pk, file=name).update(file="")

    transaction.on_commit(delete)


def _claim(roster_import: RosterImport, *, from_statuses, **fields) -> bool:
    """Move the import on only if it is still in one of `from_statuses`. The instance is brought up to
    date either way: with the new values, or with the state some other process left it in."""
    fields.setdefault("updated_at", timezone.now())
    claimed = bool(RosterImport.objects.filter(pk=roster_import.pk, status__in=from_statuses).update(**fields))
    if claimed:
        for name, value in fields.items():
            setattr(roster_import, name, value)
    else:
        roster_import.refresh_from_db(fields=_STATE_FIELDS)
    return claimed


_STATE_FIELDS = ["status", "progress", "message", "result", "file", "applied_at", "applied_by", "updated_at"]


@transaction.atomic
def roster_import_upload(
    *, actor: User, upload, village: Village | None = None, regency: Regency | None = None
) -> RosterImport:
    """Store an officials file for a desa (or, with `regency`, a DPMD file with a Kode Desa column) and
    check it: at once when it is small, in a Celery task when it is large. A file that cannot be read
    raises ValidationError and stores nothing."""
    if village is not None:
        ensure_roster_open(village)
        regency = village.subdistrict.regency
    name = os.path.basename(upload.name or "")[:255] or "perangkat"
    table = read_table(upload, name=name, regency_file=village is None)
    roster_import = RosterImport(
        token=secrets.token_hex(16),
        regency=regency,
        village=village,
        original_name=name,
        size=upload.size,
        rows_total=len(table.rows),
        created_by=actor,
        result={"language": translation.get_language() or settings.LANGUAGE_CODE},
        message=_("Checking the file…"),
    )
    upload.seek(0)
    # The stored name says nothing about the people in it; the original name is kept in the row.
    roster_import.file.save(f"perangkat.{table.kind}", File(upload), save=False)
    stored = roster_import.file.name
    try:
        roster_import.save()
        if _runs_inline(roster_import):
            _validate(roster_import, table=table)  # the rows just read: no second reading of the file
    except Exception:
        # The transaction rolls back; the files written on the way must not stay behind.
        for name in {stored, roster_import.file.name} - {""}:
            roster_import.file.storage.delete(name)
        raise
    if not _runs_inline(roster_import):
        from villages.tasks import roster_import_validate as task

        transaction.on_commit(lambda: task.delay(roster_import.pk))
    return roster_import


def _read(roster_import: RosterImport) -> Table:
    with roster_import.file.open("rb") as fileobj:
        return read_table(fileobj, name=roster_import.original_name, regency_file=roster_import.village is None)


def _plan(
    roster_import: RosterImport,
    *,
    actor: User,
    table: Table | None = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    table = table if table is not None else _read(roster_import)
    return build_plan(
        table, regency=roster_import.regency, village=roster_import.village, actor=actor, progress=progress
    )


SNAPSHOT_NAME = "perangkat.rows"


def _store_snapshot(roster_import: RosterImport, plan: Plan) -> str:
    """Save the parsed rows, encrypted with the NIK keys; returns the storage name."""
    field = roster_import.file.field
    name = field.generate_filename(roster_import, SNAPSHOT_NAME)
    text = json.dumps(rows_data(plan), separators=(",", ":"))
    return field.storage.save(name, ContentFile(nik_lib.encrypt_nik(text).encode()))


def _replan(roster_import: RosterImport, *, actor: User) -> Plan:
    """The plan of a checked import, from its snapshot, against the data as it is now."""
    if not roster_import.file.name.endswith(SNAPSHOT_NAME):
        return _plan(roster_import, actor=actor)  # checked before snapshots were kept: read the file again
    with roster_import.file.open("rb") as fileobj:
        text = nik_lib.decrypt_nik(fileobj.read().decode())
    if not text:
        raise FileNotFoundError(roster_import.file.name)  # unreadable with the current keys: as good as gone
    rows = rows_from_data(json.loads(text))
    return replan(rows, regency=roster_import.regency, village=roster_import.village, actor=actor)


def _summary(plan: Plan) -> str:
    if not plan.valid:
        return _("%(errors)s errors: fix them in the file and upload it again. Nothing has been saved.") % {
            "errors": len(plan.errors)
        }
    return _("%(new)s new, %(changed)s changed, %(unchanged)s unchanged, %(ended)s ended.") % {
        kind: len(plan.of_kind(kind)) for kind in KINDS
    }


def _record_conflicts(plan: Plan, roster_import: RosterImport, actor: User) -> None:
    """One open NikConflict per (person, submitting desa): uploading the file again adds none."""
    if not plan.conflicts:
        return
    open_pairs = set(
        NikConflict.objects.filter(
            person__in=[person for person, *_ in plan.conflicts], resolved_at__isnull=True
        ).values_list("person_id", "village_id")
    )
    new = {}
    for person, village, other, _row in plan.conflicts:
        if (person.pk, village.pk) not in open_pairs:
            new[(person.pk, village.pk)] = NikConflict(
                person=person, village=village, other_village=other, roster_import=roster_import, reported_by=actor
            )
    # ignore_conflicts: a second check running at the same moment may have recorded the same pair.
    NikConflict.objects.bulk_create(new.values(), ignore_conflicts=True)


def roster_import_validate(*, roster_import: RosterImport, report_progress: bool = False) -> RosterImport:
    """Check the stored file and store the preview (or the errors). Idempotent: an import already
    checked, confirmed or discarded is left as it is."""
    return _validate(roster_import, report_progress=report_progress)


def _validate(roster_import: RosterImport, *, table: Table | None = None, report_progress: bool = False):
    if not _claim(roster_import, from_statuses=[Status.UPLOADED, Status.VALIDATING], status=Status.VALIDATING):
        return roster_import

    def progress(percent: int) -> None:
        RosterImport.objects.filter(pk=roster_import.pk, status=Status.VALIDATING).update(progress=percent)

    language = _language(roster_import)
    with translation.override(language):
        try:
            if roster_import.village is not None:
                ensure_roster_open(roster_import.village)
            plan = _plan(
                roster_import,
                actor=roster_import.created_by,
                table=table,
                progress=progress if report_progress else None,
            )
        except FileNotFoundError:
            return roster_import_fail(
                roster_import=roster_import, message=_("The uploaded file is no longer there. Upload it again.")
            )
        except ValidationError as exc:  # the file (ImportFileError) or the lock
            with transaction.atomic():
                if _claim(
                    roster_import,
                    from_statuses=[Status.VALIDATING],
                    status=Status.INVALID,
                    progress=100,
                    message=" ".join(exc.messages),
                    result={"language": language, "file_errors": exc.messages},
                ):
                    _delete_file_on_commit(roster_import)
            return roster_import
        snapshot = _store_snapshot(roster_import, plan) if plan.valid else None
        with transaction.atomic():
            _record_conflicts(plan, roster_import, roster_import.created_by)
            upload = roster_import.file.name
            claimed = _claim(
                roster_import,
                from_statuses=[Status.VALIDATING],
                status=Status.PREVIEW if plan.valid else Status.INVALID,
                progress=100,
                message=_summary(plan),
                result={"language": language, **plan.preview()},
                file=snapshot or "",
            )
            if claimed:
                # The upload goes: replaced by the snapshot, or of no more use with errors in it.
                storage = roster_import.file.storage
                transaction.on_commit(lambda: storage.delete(upload))
            elif snapshot:
                roster_import.file.storage.delete(snapshot)  # discarded meanwhile
    return roster_import


def roster_import_confirm(*, actor: User, roster_import: RosterImport) -> RosterImport:
    """Apply a checked import: at once when small, in a Celery task when large."""
    if roster_import.status != Status.PREVIEW:
        raise ValidationError(_not_confirmable(roster_import))
    if roster_import.village is not None:
        ensure_roster_open(roster_import.village)
    if not _claim(
        roster_import,
        from_statuses=[Status.PREVIEW],
        status=Status.APPLYING,
        progress=0,
        applied_by=actor,
        message=_("Saving…"),
    ):
        raise ValidationError(_not_confirmable(roster_import))
    if _runs_inline(roster_import):
        return roster_import_apply(roster_import=roster_import, actor=actor)
    from villages.tasks import roster_import_apply as task

    transaction.on_commit(lambda: task.delay(roster_import.pk, actor.pk))
    return roster_import


def _not_confirmable(roster_import: RosterImport) -> str:
    if roster_import.status in (Status.APPLYING, Status.APPLIED):
        return _("This file has already been confirmed.")
    if roster_import.status == Status.DISCARDED:
        return _("This file was discarded. Upload it again.")
    if roster_import.status == Status.INVALID:
        return _("This file has errors: fix them and upload it again.")
    return _("This file is still being checked. Wait for the preview, then confirm.")


def roster_import_apply(*, roster_import: RosterImport, actor: User) -> RosterImport:
    """Write the whole file in one transaction, exactly as previewed; nothing if anything is wrong.

    The file is read and checked again against the data as it is now: if an official was changed since
    the preview, the new preview is stored for the user to confirm again instead of applying a plan
    they did not see. Idempotent: only an import in `applying` is applied."""
    with translation.override(_language(roster_import)):
        try:
            with transaction.atomic():
                current = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
                if current.status != Status.APPLYING:
                    roster_import.refresh_from_db()
                    return roster_import
                if current.village is not None and roster_locked(current.village):
                    current.status = Status.PREVIEW
                    current.message = _locked_message(current.village)
                    current.save(update_fields=["status", "message", "updated_at"])
                    roster_import.refresh_from_db()
                    return roster_import
                plan = _replan(current, actor=actor)
                if not plan.valid or plan.digest() != current.result.get("digest"):
                    _record_conflicts(plan, current, actor)
                    current.status = Status.PREVIEW if plan.valid else Status.INVALID
                    current.result = {"language": current.result.get("language"), "replanned": True, **plan.preview()}
                    current.message = _(
                        "The officials changed since this preview was made. Nothing has been saved: check the "
                        "new preview below."
                    )
                    current.progress = 100
                    current.save()
                    if not plan.valid:
                        _delete_file_on_commit(current)
                else:
                    write_plan(plan, actor=actor)
                    current.status = Status.APPLIED
                    current.progress = 100
                    current.applied_at = timezone.now()
                    current.applied_by = actor
                    current.message = _("Saved: %(summary)s") % {"summary": _summary(plan)}
                    current.save()
                    _delete_file_on_commit(current)
        except FileNotFoundError:
            return roster_import_fail(
                roster_import=roster_import, message=_("The uploaded file is no longer there. Upload it again.")
            )
        except ImportFileError as exc:
            return roster_import_fail(roster_import=roster_import, message=" ".join(exc.messages))
        except (IntegrityError, ValidationError):
            # Someone changed the same officials while this was being written: nothing was written.
            return roster_import_fail(
                roster_import=roster_import,
                message=_(
                    "The officials were changed by someone else while this file was being saved. Nothing has "
                    "been saved: upload the file again."
                ),
            )
    roster_import.refresh_from_db()
    return roster_import


def _locked_message(village: Village) -> str:
    try:
        ensure_roster_open(village)
    except ValidationError as exc:
        return exc.messages[0]
    return ""


def roster_import_discard(*, actor: User, roster_import: RosterImport) -> RosterImport:
    """Drop an import that has not been applied; its file is deleted."""
    with transaction.atomic():
        if not _claim(
            roster_import,
            from_statuses=DISCARDABLE,
            status=Status.DISCARDED,
            progress=100,
            message=_("Discarded by %(user)s.") % {"user": actor.get_full_name() or actor.username},
        ):
            raise ValidationError(_("This file can no longer be discarded."))
        _delete_file_on_commit(roster_import)
    return roster_import


def roster_import_fail(*, roster_import: RosterImport, message: str) -> RosterImport:
    """A check or save that could not finish (the task ran out of time, the file vanished): the user is
    told and uploads again."""
    with transaction.atomic():
        if _claim(
            roster_import,
            from_statuses=[Status.UPLOADED, Status.VALIDATING, Status.APPLYING],
            status=Status.FAILED,
            progress=100,
            message=message,
        ):
            _delete_file_on_commit(roster_import)
    return roster_import


def roster_imports_expire(*, before: dt.datetime) -> int:
    """Discard the imports left unconfirmed since before `before`: their file (or checked rows, which
    hold NIKs) is deleted. Run daily; an import touched since is left alone."""
    expired = 0
    for roster_import in RosterImport.objects.filter(status__in=DISCARDABLE, updated_at__lt=before):
        with transaction.atomic():
            if _claim(
                roster_import,
                from_statuses=DISCARDABLE,
                status=Status.DISCARDED,
                progress=100,
                message=_("Discarded: it was not confirmed in time. Upload the file again if it is still needed."),
            ):
                _delete_file_on_commit(roster_import)
                expired += 1
    return expired
