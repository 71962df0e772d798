"""Celery tasks of accounts: setting up a new regency's regions."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts.onboarding import STOPPED, onboarding_fail, onboarding_run, onboardings_fail_stalled
from core.queue import fresh_connection

logger = logging.getLogger(__name__)
# Acknowledged once finished, back on the queue when the pool process running it dies.
WRITES = {"acks_late": True, "reject_on_worker_lost": True, "soft_time_limit": 9 * 60, "time_limit": 10 * 60}


@shared_task(name="accounts.regency_onboard", **WRITES)
def regency_onboard(onboarding_id: int) -> str:
    """Import the regions of the regency being set up. Idempotent: the import changes nothing twice."""
    try:
        return onboarding_run(onboarding_id=onboarding_id).status
    except Exception:
        logger.exception("Setting up regency onboarding %s failed", onboarding_id)
        fresh_connection()
        onboarding_fail(onboarding_id=onboarding_id, summary=str(STOPPED))
        raise


@shared_task(name="accounts.fail_stalled_onboardings", **WRITES)
def fail_stalled_onboardings() -> int:
    """Every few minutes: a set-up with no sign of life for settings.TASK_STALL_MINUTES is marked failed."""
    return onboardings_fail_stalled(before=timezone.now() - dt.timedelta(minutes=settings.TASK_STALL_MINUTES))
