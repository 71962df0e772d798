"""Celery tasks of the villages app: checking and saving large officials files.

Each task takes ids, loads, and calls one service. Both services are idempotent (a retried or duplicated
task finds the import already past its step and does nothing), so tasks are acknowledged late: a worker
that dies mid-task leaves the message to be run again. A failure is written on a fresh database
connection (the error may have been the connection dying), and keeps the file for "try again".
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.queue import fresh_connection
from villages.models import RosterImport
from villages.roster_import import services
from villages.roster_import.services import APPLY, VALIDATE

logger = logging.getLogger(__name__)

TIME_LIMIT = 10 * 60
SOFT_TIME_LIMIT = 9 * 60
# Acknowledged once finished, and put back on the queue when the pool process running it dies: the
# services are idempotent and count the runs (services.roster_import_task_start).
WRITES = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": TIME_LIMIT,
    "soft_time_limit": SOFT_TIME_LIMIT,
}


@shared_task(ignore_result=True, **WRITES)
def roster_import_validate(import_id: int) -> None:
    roster_import = (
        RosterImport.objects.select_related("village", "regency", "created_by", "preview").filter(pk=import_id).first()
    )
    if roster_import is None or not services.roster_import_task_start(roster_import=roster_import, step=VALIDATE):
        return
    try:
        services.roster_import_validate(roster_import=roster_import, report_progress=True)
    except SoftTimeLimitExceeded:
        fresh_connection()
        services.roster_import_fail(
            roster_import=roster_import, message=_("Checking the file took too long. Split it and upload again.")
        )
    except Exception:
        logger.exception("Checking roster import %s failed", import_id)
        fresh_connection()
        services.roster_import_stop(roster_import=roster_import)
        raise


@shared_task(ignore_result=True, **WRITES)
def roster_import_apply(import_id: int, user_id: int) -> None:
    roster_import = RosterImport.objects.select_related("village", "regency", "preview").filter(pk=import_id).first()
    actor = User.objects.filter(pk=user_id).first()
    if roster_import is None or actor is None:
        return
    if not services.roster_import_task_start(roster_import=roster_import, step=APPLY):
        return
    try:
        services.roster_import_apply(roster_import=roster_import, actor=actor)
    except SoftTimeLimitExceeded:
        fresh_connection()
        services.roster_import_fail(
            roster_import=roster_import,
            message=_("Saving the file took too long; nothing has been saved. Split it and upload again."),
        )
    except Exception:
        logger.exception("Applying roster import %s failed", import_id)
        fresh_connection()
        services.roster_import_stop(roster_import=roster_import)
        raise


@shared_task(name="villages.discard_stale_imports", **WRITES)
def discard_stale_imports(days: int = 7) -> int:
    """Daily: officials files hold NIKs; those never confirmed (in any state but saved or discarded) are
    discarded after `days` days, with their preview and its file."""
    return services.roster_imports_expire(before=timezone.now() - dt.timedelta(days=days))


@shared_task(name="villages.fail_stalled_imports", **WRITES)
def fail_stalled_imports() -> int:
    """Every few minutes: an import checked or saved that showed no sign of life for
    settings.TASK_STALL_MINUTES is marked failed, with "try again" when its file or rows are kept."""
    return services.roster_imports_fail_stalled(
        before=timezone.now() - dt.timedelta(minutes=settings.TASK_STALL_MINUTES)
    )
