"""Writes of officials-file imports: upload → check (preview) → confirm (apply) or discard.

What holds full NIKs lives in the one preview storage (previews), owned by the uploader: a large file is
kept there (its `file`) until a task checks it; once checked without errors, the parsed rows are kept
instead (its `data`, encrypted), which the confirmation re-plans from against the data as it is then.
The preview is used once: confirmed or discarded, its rows and file are gone; a file with errors keeps
nothing, since it can only be fixed and uploaded again. A small file is checked as it is uploaded and
only its rows are kept. The RosterImport row keeps what the pages show (status, progress, counts, the
preview with masked NIKs, who and for which desa or regency).

Status moves only forward, each step claimed with a conditional UPDATE so a retried task, a second click
or a discard while a check runs can never apply or show an import twice:

    uploaded → validating → preview | invalid → applying → applied | failed
    (uploaded, validating, preview, invalid, failed) → discarded
    failed → uploaded | applying ("try again", while the file or rows are still kept)

No step is left running for ever: a task whose worker died is run again (acks_late, up to MAX_ATTEMPTS
runs), one that shows no sign of life is marked failed by roster_imports_fail_stalled, and a task the
broker cannot take undoes its step (core.queue). A failed import keeps its file or rows, when it still
has them, for "try again" until it is discarded or the daily clean-up expires it.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.models import Regency, Village
from core.queue import send_on_commit
from core.spreadsheets import cells
from core.spreadsheets.reader import ImportFileError, Table
from previews.models import Preview
from previews.selectors import preview_owned
from previews.services import preview_claim, preview_create, preview_delete, preview_discard, preview_update
from villages.models import NikConflict, Post, RosterImport
from villages.roster_import.opensid import NEEDS_NIK
from villages.roster_import.parsing import rows_data, rows_from_data
from villages.roster_import.plan import KINDS, EndChoice, Plan
from villages.roster_import.planning import build_plan, replan
from villages.roster_import.reader import read_table
from villages.roster_import.selectors import EXPIRED, header_mapping_of, open_preview
from villages.roster_import.writing import write_plan
from villages.services import ensure_roster_open, rosters_locked

Status = RosterImport.Status
DISCARDABLE = (Status.UPLOADED, Status.VALIDATING, Status.PREVIEW, Status.INVALID, Status.FAILED)
RUNNING = (Status.UPLOADED, Status.VALIDATING, Status.APPLYING)
STALE_AFTER = dt.timedelta(days=7)  # villages.tasks.discard_stale_imports; the preview expires with it
GONE = gettext_lazy("The uploaded file is no longer there. Upload it again.")
# Runs of a step's task before the import is marked failed: a file that makes the worker die each time
# (out of memory) must not be handed from worker to worker for ever.
MAX_ATTEMPTS = 3
VALIDATE, APPLY = "validate", "apply"
# A step that stopped (its worker died, it showed no sign of life, an unexpected error): with the file or
# rows still kept, and without.
STOPPED = {
    VALIDATE: (
        gettext_lazy("Checking the file stopped before it finished; try again or discard it."),
        gettext_lazy("Checking the file stopped before it finished. Upload it again."),
    ),
    APPLY: (
        gettext_lazy("Saving the file stopped before it finished; nothing has been saved. Try again or discard it."),
        gettext_lazy("Saving the file stopped before it finished; nothing has been saved. Upload it again."),
    ),
}
NOT_RETRYABLE = gettext_lazy("This file can no longer be tried again. Upload it again.")


def _language(roster_import: RosterImport) -> str:
    return roster_import.result.get("language") or settings.LANGUAGE_CODE


def _runs_inline(roster_import: RosterImport) -> bool:
    return roster_import.rows_total <= settings.ROSTER_IMPORT_INLINE_ROWS


def _scope(roster_import: RosterImport) -> str:
    return roster_import.village_id or roster_import.regency_id


def _drop_preview(roster_import: RosterImport) -> None:
    """The file or rows hold NIKs: they go as soon as they are of no more use (the file once the
    transaction has committed: a rollback must not leave an import whose file is gone)."""
    if roster_import.preview_id and (preview := roster_import.preview) is not None:
        preview_discard(preview=preview)


def _claim(roster_import: RosterImport, *, from_statuses, where: Q | None = None, **fields) -> bool:
    """Move the import on only if it is still in one of `from_statuses` (and matches `where`). The
    instance is brought up to date either way: with the new values, or with the state some other process
    left it in."""
    fields.setdefault("updated_at", timezone.now())
    rows = RosterImport.objects.filter(where or Q(), pk=roster_import.pk, status__in=from_statuses)
    claimed = bool(rows.update(**fields))
    if claimed:
        for name, value in fields.items():
            setattr(roster_import, name, value)
    else:
        roster_import.refresh_from_db(fields=_STATE_FIELDS)
    return claimed


_STATE_FIELDS = [
    "status",
    "progress",
    "message",
    "result",
    "preview",
    "applied_at",
    "applied_by",
    "updated_at",
    "heartbeat_at",
    "attempts",
]


@transaction.atomic
def roster_import_upload(
    *,
    actor: User,
    upload,
    village: Village | None = None,
    regency: Regency | None = None,
    sheet: str | None = None,
) -> RosterImport:
    """Store an officials file for a desa (or, with `regency`, a DPMD file with a Kode Desa column) and
    check it: at once when it is small, in a Celery task when it is large. A file that cannot be read
    raises ValidationError and stores nothing. `sheet`: the worksheet the user chose (see
    villages.roster_import.choosing, which also keeps a file whose sheet or headers must be chosen)."""
    if village is not None:
        ensure_roster_open(village)
        regency = village.subdistrict.regency
    name = os.path.basename(upload.name or "")[:255] or "perangkat"
    table = read_table(
        upload, name=name, regency_file=village is None, sheet=sheet, saved_mapping=lambda: header_mapping_of(regency)
    )
    roster_import = RosterImport(
        token=secrets.token_hex(16),
        regency=regency,
        village=village,
        original_name=name,
        sheet=table.sheet,
        size=upload.size,
        rows_total=len(table.rows),
        created_by=actor,
        result={"language": translation.get_language() or settings.LANGUAGE_CODE},
        message=_("Checking the file…"),
    )
    if _runs_inline(roster_import):
        roster_import.save()
        _validate(roster_import, table=table)  # the rows just read: no second reading, no file kept
        return roster_import
    # Kept until the task checks it (previews store it under a name that says nothing of its content).
    roster_import.preview = _preview_create(roster_import, data={}, upload=upload)
    try:
        roster_import.save()
    except Exception:
        # The transaction rolls back; the file written on the way must not stay behind.
        roster_import.preview.file.delete(save=False)
        raise
    from villages.tasks import roster_import_validate as task

    send_on_commit(lambda: task.delay(roster_import.pk), undo=lambda: _upload_undo(roster_import))
    return roster_import


@transaction.atomic
def _upload_undo(roster_import: RosterImport) -> None:
    """The check could not be queued: the import and its kept file go, as if never uploaded."""
    RosterImport.objects.filter(pk=roster_import.pk).delete()
    preview_delete(preview=roster_import.preview)


def _preview_create(roster_import: RosterImport, *, data: dict, upload=None) -> Preview:
    """The uploader's preview of this import, expiring when the daily task would discard the import."""
    return preview_create(
        actor=roster_import.created_by,
        kind=Preview.Kind.ROSTER,
        scope=_scope(roster_import),
        data=data,
        upload=upload,
        name=roster_import.original_name,
        lifetime=STALE_AFTER,
    )


def _read(roster_import: RosterImport) -> Table:
    preview = open_preview(roster_import)
    if preview is None or not preview.file:
        raise FileNotFoundError(roster_import.token)
    with preview.file.open("rb") as fileobj:
        return read_table(
            fileobj,
            name=roster_import.original_name,
            regency_file=roster_import.village is None,
            sheet=roster_import.sheet or None,
            saved_mapping=lambda: header_mapping_of(roster_import.regency),
        )


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


def _keep_rows(roster_import: RosterImport, plan: Plan) -> Preview:
    """Keep the parsed rows of a valid plan in the preview, in place of the file they were read from."""
    data = {"rows": rows_data(plan)}
    if roster_import.preview_id is None:
        return _preview_create(roster_import, data=data)  # a small file, checked as it was uploaded
    return preview_update(preview=roster_import.preview, data=data, drop_file=True)


def _replan(roster_import: RosterImport, preview: Preview, *, actor: User) -> Plan:
    """The plan of a checked import, from its kept rows, against the data as it is now."""
    rows = preview.data.get("rows")
    if rows is None:
        return _plan(roster_import, actor=actor)  # only the file is kept (an import checked before rows were)
    return replan(rows_from_data(rows), regency=roster_import.regency, village=roster_import.village, actor=actor)


def _summary(plan: Plan) -> str:
    if not plan.valid:
        return _("%(errors)s errors: fix them in the file and upload it again. Nothing has been saved.") % {
            "errors": len(plan.errors)
        }
    counts = {kind: len(plan.of_kind(kind)) for kind in KINDS}
    counts["ended"] += len(plan.end_choices)
    return _("%(new)s new, %(changed)s changed, %(unchanged)s unchanged, %(ended)s ended.") % counts


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
    if not _claim(
        roster_import,
        from_statuses=[Status.UPLOADED, Status.VALIDATING],
        status=Status.VALIDATING,
        heartbeat_at=timezone.now(),
    ):
        return roster_import

    def progress(percent: int) -> None:
        RosterImport.objects.filter(pk=roster_import.pk, status=Status.VALIDATING).update(
            progress=percent, heartbeat_at=timezone.now()
        )

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
            return roster_import_fail(roster_import=roster_import, message=str(GONE))
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
                    _drop_preview(roster_import)
            return roster_import
        _store_checked(roster_import, plan, language)
    return roster_import


@transaction.atomic
def _store_checked(roster_import: RosterImport, plan: Plan, language: str) -> None:
    """Show the plan; keep its rows for the confirmation, or nothing when it has errors (the file can only
    be fixed and uploaded again). Nothing is kept when the import was discarded meanwhile."""
    _record_conflicts(plan, roster_import, roster_import.created_by)
    # A small file, checked as it was uploaded, has no preview yet: it is made with the rows at once.
    kept = _keep_rows(roster_import, plan) if plan.valid and roster_import.preview_id is None else None
    claimed = _claim(
        roster_import,
        from_statuses=[Status.VALIDATING],
        status=Status.PREVIEW if plan.valid else Status.INVALID,
        progress=100,
        message=_summary(plan),
        result={"language": language, **plan.preview()},
        **({"preview": kept} if kept else {}),
    )
    if not claimed:
        if kept is not None:
            preview_discard(preview=kept)  # discarded meanwhile
    elif not plan.valid:
        _drop_preview(roster_import)
    elif kept is None:
        _keep_rows(roster_import, plan)


class EndChoiceError(ValidationError):
    """A choice of ends on the preview that cannot be applied (the API answers it with a 400)."""


def end_choices_clean(*, roster_import: RosterImport, choices: list[dict]) -> list[EndChoice]:
    """The ends chosen on the preview for officials not in the file, checked as ending a post is
    (villages.services.post_end, the file's Tanggal Berhenti): a listed official of the desa, a reason from
    the list, a date neither before the post's start nor in the future. Any bad choice refuses them all."""
    if not choices:
        return []
    shown = {item["post"]: item for item in (roster_import.result or {}).get("absent", [])}
    ids = [c.get("post") for c in choices if isinstance(c, dict) and isinstance(c.get("post"), int)]
    posts = (
        Post.objects.filter(village=roster_import.village, ended_on__isnull=True).in_bulk(ids)
        if roster_import.village_id
        else {}
    )
    today = timezone.localdate()
    cleaned, errors, seen = [], [], set()
    for choice in choices:
        pk = choice.get("post") if isinstance(choice, dict) else None
        if pk not in shown or pk not in posts or pk in seen:
            errors.append(_("Only the officials listed as not in the file can be ended here, each once."))
            continue
        seen.add(pk)
        name, post = shown[pk]["name"], posts[pk]
        reason, raw = choice.get("end_reason") or "", choice.get("ended_on")
        if reason not in Post.EndReason.values:
            errors.append(_("%(name)s: choose the reason the post ends.") % {"name": name})
            continue
        try:
            ended_on = cells.parse_date(raw) if isinstance(raw, str) else None
        except cells.CellError:
            ended_on = None
        if ended_on is None:
            errors.append(_("%(name)s: write the date the post ended, for example 31-12-2025.") % {"name": name})
        elif ended_on > today:
            errors.append(
                _("%(name)s: the end date is in the future: end the post once it has ended.") % {"name": name}
            )
        elif ended_on < post.term_start:
            errors.append(
                _("%(name)s: a post cannot end before it starts (%(start)s).")
                % {"name": name, "start": post.term_start.strftime("%d-%m-%Y")}
            )
        else:
            cleaned.append(EndChoice(pk, ended_on, reason))
    if errors:
        raise EndChoiceError(errors)
    return cleaned


def roster_import_confirm(*, actor: User, roster_import: RosterImport, ends: list[dict] | None = None) -> RosterImport:
    """Apply a checked import: at once when small, in a Celery task when large. `ends`: the officials not
    in the file whose posts the uploader chose to end ({post, ended_on, end_reason}); a bad one raises
    EndChoiceError and nothing is written."""
    if roster_import.status != Status.PREVIEW:
        raise ValidationError(_not_confirmable(roster_import))
    if (roster_import.result or {}).get("needs_nik"):  # an OpenSID list's unmatched rows (nik_step.py)
        raise ValidationError(str(NEEDS_NIK))
    if preview_owned(actor, roster_import.preview if roster_import.preview_id else None) is None:
        raise ValidationError(str(EXPIRED))
    if roster_import.village is not None:
        ensure_roster_open(roster_import.village)
    chosen = end_choices_clean(roster_import=roster_import, choices=ends or [])
    before = {"status": Status.PREVIEW, "message": roster_import.message, "applied_by_id": roster_import.applied_by_id}
    result = {**roster_import.result, "ends": [c.as_json() for c in chosen]}
    if not _claim(roster_import, from_statuses=[Status.PREVIEW], result=result, **_applying(actor)):
        raise ValidationError(_not_confirmable(roster_import))
    return _start_apply(roster_import, actor=actor, undo_to=before)


def _applying(actor: User) -> dict:
    return {
        "status": Status.APPLYING,
        "progress": 0,
        "applied_by": actor,
        "message": _("Saving…"),
        "heartbeat_at": timezone.now(),
        "attempts": 0,
    }


def _start_apply(roster_import: RosterImport, *, actor: User, undo_to: dict) -> RosterImport:
    """Apply an import just moved to `applying`: at once when small, else in a task; if the task cannot be
    queued, the import goes back to `undo_to` (as it was before the click)."""
    if _runs_inline(roster_import):
        return roster_import_apply(roster_import=roster_import, actor=actor)
    from villages.tasks import roster_import_apply as task

    send_on_commit(
        lambda: task.delay(roster_import.pk, actor.pk), undo=lambda: _undo_step(roster_import, Status.APPLYING, undo_to)
    )
    return roster_import


def _undo_step(roster_import: RosterImport, status: str, before: dict) -> None:
    """Back to the state before a step whose task could not be queued (nothing ran: the task was not sent)."""
    _claim(roster_import, from_statuses=[status], progress=100, **before)


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

    The kept rows are checked again against the data as it is now: if an official was changed since the
    preview, the new preview is stored for the user to confirm again instead of applying a plan they did
    not see. Idempotent: only an import in `applying` is applied; its preview is used up by the writing."""
    with translation.override(_language(roster_import)):
        try:
            with transaction.atomic():
                # Only the import is locked: its preview is claimed by a conditional UPDATE of its own.
                current = (
                    RosterImport.objects.select_for_update(of=("self",))
                    .select_related("preview")
                    .get(pk=roster_import.pk)
                )
                if current.status == Status.APPLYING:
                    _apply(current, actor=actor)
        except FileNotFoundError:
            return roster_import_fail(roster_import=roster_import, message=str(GONE))
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


def _apply(current: RosterImport, *, actor: User) -> None:
    """Within the transaction that holds `current` locked: back to the preview when the roster is locked
    or the officials changed; otherwise the plan written and the preview used up."""
    if current.village is not None and rosters_locked([current.village.pk]):
        current.status = Status.PREVIEW
        current.message = _locked_message(current.village)
        current.save(update_fields=["status", "message", "updated_at"])
        return
    preview = open_preview(current)
    if preview is None:
        raise FileNotFoundError(current.token)  # expired while waiting for a worker: as good as gone
    plan = _replan(current, preview, actor=actor)
    plan.end_choices = [EndChoice.from_json(c) for c in current.result.get("ends", [])]
    if not plan.valid or plan.digest() != current.result.get("digest") or not _ends_apply(plan):
        _record_conflicts(plan, current, actor)
        current.status = Status.PREVIEW if plan.valid else Status.INVALID
        current.result = {"language": current.result.get("language"), "replanned": True, **plan.preview()}
        current.message = _(
            "The officials changed since this preview was made. Nothing has been saved: check the new preview below."
        )
        current.progress = 100
        current.save()
        if not plan.valid:
            preview_discard(preview=preview)
        return
    write_plan(plan, actor=actor)
    current.status = Status.APPLIED
    current.progress = 100
    current.applied_at = timezone.now()
    current.applied_by = actor
    current.message = _("Saved: %(summary)s") % {"summary": _summary(plan)}
    current.save()
    preview_claim(preview=preview)


def _ends_apply(plan: Plan) -> bool:
    """The chosen ends still fit the officials not in the file (the digest holds their list and starts)."""
    absent = {post.pk: post for post in plan.absent_posts}
    return all(c.post in absent and c.ended_on >= absent[c.post].term_start for c in plan.end_choices)


def _locked_message(village: Village) -> str:
    try:
        ensure_roster_open(village)
    except ValidationError as exc:
        return exc.messages[0]
    return ""


def roster_import_discard(*, actor: User, roster_import: RosterImport) -> RosterImport:
    """Drop an import that has not been applied; its file or rows are deleted."""
    with transaction.atomic():
        if not _claim(
            roster_import,
            from_statuses=DISCARDABLE,
            status=Status.DISCARDED,
            progress=100,
            message=_("Discarded by %(user)s.") % {"user": actor.get_full_name() or actor.username},
        ):
            raise ValidationError(_("This file can no longer be discarded."))
        _drop_preview(roster_import)
    return roster_import


def roster_import_fail(
    *, roster_import: RosterImport, message: str, retry: str | None = None, where: Q | None = None
) -> RosterImport:
    """A check or save that could not finish: the user is told. With `retry` (the step that stopped:
    VALIDATE or APPLY) the file or rows are kept, if the import still has them, for "try again";
    otherwise they are deleted and the user uploads again."""
    keep = retry is not None and open_preview(roster_import) is not None
    kept = {"result": {**(roster_import.result or {}), "retry": retry}} if keep else {}
    with transaction.atomic():
        failed = {"status": Status.FAILED, "progress": 100, "message": message, **kept}
        claimed = _claim(roster_import, from_statuses=RUNNING, where=where, **failed)
        if claimed and not keep:
            _drop_preview(roster_import)
    return roster_import


def roster_import_stop(*, roster_import: RosterImport, where: Q | None = None) -> RosterImport:
    """Fail a step that stopped (its worker died, it made no progress, it raised unexpectedly), keeping
    the file or rows for "try again" when they are still there."""
    step = APPLY if roster_import.status == Status.APPLYING else VALIDATE
    with translation.override(_language(roster_import)):
        kept, gone = STOPPED[step]
        message = str(kept if open_preview(roster_import) is not None else gone)
    return roster_import_fail(roster_import=roster_import, message=message, retry=step, where=where)


def roster_import_task_start(*, roster_import: RosterImport, step: str) -> bool:
    """A task about to run a step counts its run; False (and the import failed) once a step's task has
    been started MAX_ATTEMPTS times without finishing (its worker died each time), or when the import
    is no longer at that step."""
    statuses = [Status.APPLYING] if step == APPLY else [Status.UPLOADED, Status.VALIDATING]
    started = RosterImport.objects.filter(pk=roster_import.pk, status__in=statuses).update(
        attempts=F("attempts") + 1, heartbeat_at=timezone.now()
    )
    roster_import.refresh_from_db(fields=_STATE_FIELDS)
    if not started:
        return False
    if roster_import.attempts > MAX_ATTEMPTS:
        roster_import_stop(roster_import=roster_import)
        return False
    return True


def roster_import_retryable(roster_import: RosterImport) -> bool:
    """A failed import whose stopped step can run again: its file or rows are still kept."""
    return (
        roster_import.status == Status.FAILED
        and bool((roster_import.result or {}).get("retry"))
        and open_preview(roster_import) is not None
    )


def roster_import_retry(*, actor: User, roster_import: RosterImport) -> RosterImport:
    """Run a failed step again from the file or rows still kept; the task that could not be queued leaves
    it failed, as it was."""
    if not roster_import_retryable(roster_import) or preview_owned(actor, roster_import.preview) is None:
        raise ValidationError(str(NOT_RETRYABLE))
    step = roster_import.result["retry"]
    if roster_import.village is not None:
        ensure_roster_open(roster_import.village)
    before = {"status": Status.FAILED, "message": roster_import.message, "result": roster_import.result}
    result = {k: v for k, v in roster_import.result.items() if k != "retry"}
    if step == APPLY:
        if not _claim(roster_import, from_statuses=[Status.FAILED], result=result, **_applying(actor)):
            raise ValidationError(str(NOT_RETRYABLE))
        return _start_apply(roster_import, actor=actor, undo_to=before)
    with transaction.atomic():
        if not _claim(
            roster_import,
            from_statuses=[Status.FAILED],
            status=Status.UPLOADED,
            progress=0,
            attempts=0,
            heartbeat_at=timezone.now(),
            message=_("Checking the file…"),
            result=result,
        ):
            raise ValidationError(str(NOT_RETRYABLE))
        from villages.tasks import roster_import_validate as task

        send_on_commit(
            lambda: task.delay(roster_import.pk), undo=lambda: _undo_step(roster_import, Status.UPLOADED, before)
        )
    return roster_import


def roster_imports_fail_stalled(*, before: dt.datetime) -> int:
    """Mark failed the imports being checked or saved that have shown no sign of life since `before`
    (their worker was killed, the broker lost the task): none stays "checking… 0%" for ever."""
    stalled = Q(heartbeat_at__lt=before)
    failed = 0
    for roster_import in RosterImport.objects.filter(stalled, status__in=RUNNING).select_related("preview"):
        roster_import_stop(roster_import=roster_import, where=stalled)
        failed += roster_import.status == Status.FAILED
    return failed


def roster_imports_expire(*, before: dt.datetime) -> int:
    """Discard the imports left unconfirmed since before `before`: their file (or checked rows, which
    hold NIKs) is deleted. Run daily; an import touched since is left alone."""
    expired = 0
    # Every state an import can be left in, "applying" included (a week is far beyond any task's time).
    unfinished = (*DISCARDABLE, Status.APPLYING)
    stale = RosterImport.objects.filter(status__in=unfinished, updated_at__lt=before).select_related("preview")
    for roster_import in stale:
        with transaction.atomic():
            if _claim(
                roster_import,
                from_statuses=unfinished,
                status=Status.DISCARDED,
                progress=100,
                message=str(EXPIRED),
            ):
                _drop_preview(roster_import)
                expired += 1
    return expired
