"""Celery tasks of enrollment. Arguments are JSON (ids, codes, ISO dates); every task is idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task


@shared_task(name="enrollment.discard_stale_uploads", soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True)
def discard_stale_uploads(days: int = 7) -> int:
    """Daily: uploads that hold NIKs are not kept for ever. Officials files never confirmed and BPJS lists
    never compared are discarded after `days` days; previews (previews.Preview) once past their time or used."""
    from django.utils import timezone

    from bpjs.reconciliation import reconciliation_uploads_expire
    from previews.services import previews_expire
    from villages.roster_import.services import roster_imports_expire

    before = timezone.now() - dt.timedelta(days=days)
    expired = roster_imports_expire(before=before) + reconciliation_uploads_expire(before=before)
    return expired + previews_expire()
