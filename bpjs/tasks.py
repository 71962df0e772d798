"""Celery tasks of bpjs. Arguments are JSON; every task is idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from bpjs.reconciliation import reconciliation_uploads_expire


@shared_task(name="bpjs.discard_stale_reconciliations", soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True)
def discard_stale_reconciliations(days: int = 7) -> int:
    """Daily: BPJS lists hold NIKs; those whose columns were never chosen are discarded after `days` days."""
    return reconciliation_uploads_expire(before=timezone.now() - dt.timedelta(days=days))
