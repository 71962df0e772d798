"""Celery tasks of the villages app: checking and saving large officials files.

Each task takes ids, loads, and calls one service. Both services are idempotent (a retried or duplicated
task finds the import already past its step and does nothing), so tasks are acknowledged late: a worker
that dies mid-task leaves the message to be run again.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from villages.models import RosterImport
from villages.roster_import import services

logger = logging.getLogger(__name__)

TIME_LIMIT = 10 * 60
SOFT_TIME_LIMIT = 9 * 60


@shared_task(acks_late=True, ignore_result=True, time_limit=TIME_LIMIT, soft_time_limit=SOFT_TIME_LIMIT)
def roster_import_validate(import_id: int) -> None:
    roster_import = (
        RosterImport.objects.select_related("village", "regency", "created_by", "preview").filter(pk=import_id).first()
    )
    if roster_import is None:
        return
    try:
        services.roster_import_validate(roster_import=roster_import, report_progress=True)
    except SoftTimeLimitExceeded:
        services.roster_import_fail(
            roster_import=roster_import, message=_("Checking the file took too long. Split it and upload again.")
        )
    except Exception:
        logger.exception("Checking roster import %s failed", import_id)
        services.roster_import_fail(
            roster_import=roster_import, message=_("Checking the file failed. Upload it again.")
        )
        raise


@shared_task(acks_late=True, ignore_result=True, time_limit=TIME_LIMIT, soft_time_limit=SOFT_TIME_LIMIT)
def roster_import_apply(import_id: int, user_id: int) -> None:
    roster_import = RosterImport.objects.select_related("village", "regency").filter(pk=import_id).first()
    actor = User.objects.filter(pk=user_id).first()
    if roster_import is None or actor is None:
        return
    try:
        services.roster_import_apply(roster_import=roster_import, actor=actor)
    except SoftTimeLimitExceeded:
        services.roster_import_fail(
            roster_import=roster_import,
            message=_("Saving the file took too long; nothing has been saved. Split it and upload again."),
        )
    except Exception:
        logger.exception("Applying roster import %s failed", import_id)
        services.roster_import_fail(
            roster_import=roster_import, message=_("Saving the file failed; nothing has been saved. Upload it again.")
        )
        raise


@shared_task(
    name="villages.discard_stale_imports", soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT, acks_late=True
)
def discard_stale_imports(days: int = 7) -> int:
    """Daily: officials files hold NIKs; those never confirmed are discarded after `days` days, with
    their preview (which previews.discard_stale_previews would delete by then anyway)."""
    return services.roster_imports_expire(before=timezone.now() - dt.timedelta(days=days))
