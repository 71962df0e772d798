"""The officials export of the whole country (a superuser) or of a province (its observer): too large for
a request, so a worker writes it (enrollment.tasks.export_job_write) into the default storage, which the
web and the worker share, while the status page shows its progress.

The file is the regency exports of the scope one after the other: the same columns, cells and order
(enrollment.exports.officials_table), read with a server-side cursor in chunks so that memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import Province, Village
from core.permissions import may_see_nik, may_see_participant_number, object_for_user
from core.queue import send_on_commit
from core.selectors import programs_visible_to, villages_visible_to
from core.spreadsheets.writer import title_text, write_xlsx
from enrollment.exports import officials_columns, officials_posts, officials_table
from enrollment.models import ExportJob

Status = ExportJob.Status
# How often (in rows) the worker writes its progress: the status page moves, the database barely notices.
PROGRESS_EVERY = 20_000


def may_export_widely(user: User) -> bool:
    """A superuser exports the whole country, a province observer their province."""
    active = user.is_authenticated and user.is_active
    return bool(active and (user.is_superuser or (user.role == "province" and user.province_id)))


def export_jobs_visible_to(user: User) -> QuerySet[ExportJob]:
    """The user's own exports; a superuser's, everyone's."""
    qs = ExportJob.objects.select_related("province", "created_by")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(created_by=user)


def export_job_for_user(user: User, token: str) -> ExportJob:
    """An export by its token: a 404 for anyone but who started it and superusers."""
    return object_for_user(export_jobs_visible_to(user), token=token)


@transaction.atomic
def export_job_start(*, actor: User) -> ExportJob:
    """Start the officials export of the actor's whole scope (the country, or their province); while one
    of theirs is still being written, that one (a second click does not set a second worker on it)."""
    if not may_export_widely(actor):
        raise PermissionDenied
    running = ExportJob.objects.filter(created_by=actor, status__in=(Status.PENDING, Status.RUNNING)).first()
    if running is not None:
        return running
    job = ExportJob.objects.create(
        token=secrets.token_hex(16), province_id=None if actor.is_superuser else actor.province_id, created_by=actor
    )
    from enrollment.tasks import export_job_write

    send_on_commit(lambda: export_job_write.delay(job.pk), undo=lambda: ExportJob.objects.filter(pk=job.pk).delete())
    return job


def _scope(user: User, province_id: str | None) -> QuerySet[Village]:
    """The villages of an export: what its starter sees (villages_visible_to), in their province."""
    villages = villages_visible_to(user)
    if province_id:
        villages = villages.filter(subdistrict__regency__province_id=province_id)
    return villages


def _counted(rows: Iterator[list], *, niks: Counter, progress: Callable[[int], None]) -> Iterator[list]:
    """The rows as they are written, counted per regency (the code's first five characters), `progress`
    told every PROGRESS_EVERY rows."""
    for done, row in enumerate(rows, start=1):
        niks[row[0][:5]] += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
        yield row


def officials_export_write(
    target: IO[bytes],
    *,
    user: User,
    province: Province | None,
    day: dt.date,
    started: Callable[[int], None] = lambda total: None,
    progress: Callable[[int], None] = lambda done: None,
) -> Counter:
    """Write the officials of `user`'s scope (in `province`) into `target`; `started` is told how many
    rows there will be, `progress` how many are written. Returns the rows per regency code."""
    programs = list(programs_visible_to(user))
    posts = officials_posts(_scope(user, province.pk if province else None))
    started(posts.count())
    what = _("Officials %(code)s") % {"code": province.name if province else _("Indonesia")}
    rows = officials_table(
        posts,
        programs=programs,
        show_nik=may_see_nik(user),
        whole_numbers={p.code for p in programs if may_see_participant_number(user, p)},
        enrollments_by_chunk=True,
    )
    niks: Counter = Counter()
    write_xlsx(
        target,
        sheet_title=what,
        title=title_text(what, day=day),
        columns=officials_columns(programs),
        rows=_counted(rows, niks=niks, progress=progress),
    )
    return niks


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the file of a waiting export. Idempotent: a finished export is left as it is, a retried one
    written again from the start."""
    job = ExportJob.objects.select_related("created_by", "province").filter(pk=job_id).first()
    if job is None or job.status in (Status.DONE, Status.FAILED):
        return job
    day, saved = timezone.localdate(), ExportJob.objects.filter(pk=job.pk)
    # Written to a temporary file first (on the worker's disk, not in its memory), then handed to the
    # storage in one piece: a storage in another place (S3) takes a file, not a stream of rows.
    with tempfile.TemporaryFile() as target:
        niks = officials_export_write(
            target,
            user=job.created_by,
            province=job.province,
            day=day,
            started=lambda total: saved.update(status=Status.RUNNING, rows_done=0, rows_total=total),
            progress=lambda done: saved.update(rows_done=done, updated_at=timezone.now()),
        )
        target.seek(0)
        place = job.province.name if job.province_id else "indonesia"
        job.file.save(f"perangkat-{place.lower()}-{day.isoformat()}.xlsx", File(target), save=False)
    done = sum(niks.values())
    finished = {"rows_done": done, "rows_total": done, "niks": dict(niks), "finished_at": timezone.now()}
    saved.update(status=Status.DONE, file=job.file.name, **finished)
    job.refresh_from_db()
    return job


def export_job_fail(*, job_id: int, message: str = "") -> None:
    """Mark an unfinished export failed; its page says so, with `message` (what went wrong) if given."""
    ExportJob.objects.filter(pk=job_id).exclude(status=Status.DONE).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )


def export_jobs_expire(*, before: dt.datetime | None = None) -> int:
    """Delete the exports (and their files, which hold NIKs) started before `before` (by default
    settings.EXPORT_KEEP_DAYS ago)."""
    before = before or timezone.now() - dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
    count = 0
    for job in ExportJob.objects.filter(created_at__lt=before):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
