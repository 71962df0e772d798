"""Celery tasks of budgets. Arguments are JSON (ISO dates); every task is idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from budgets import services


@shared_task(name="budgets.enrollments_deactivate_unpaid", soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True)
def enrollments_deactivate_unpaid(day: str | None = None) -> int:
    """Daily (celery beat): after the 10th, JKN enrollments whose payer recorded no payment for the month
    become inactive. A second run the same day, or a retry, finds nothing left to do."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return len(services.enrollments_deactivate_unpaid(today=today))
