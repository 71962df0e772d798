"""Celery tasks of submissions. Arguments are JSON (ids, codes, ISO dates); every task is idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from submissions.deadlines import deadline_reminders_send, deadline_soon_send


@shared_task(name="enrollment.send_deadline_reminders", soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True)
def send_deadline_reminders(day: str | None = None, program_codes: list[str] | None = None) -> int:
    """Daily (celery beat): remind desa whose officials are past the one-month registration deadline.
    At most one reminder per desa per day, so a retry or a second run the same day sends nothing."""
    return deadline_reminders_send(day=dt.date.fromisoformat(day) if day else None, program_codes=program_codes)


@shared_task(name="enrollment.send_deadline_soon", soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True)
def send_deadline_soon(day: str | None = None, program_codes: list[str] | None = None) -> int:
    """Daily (celery beat): tell desa and DPMD of officials whose registration deadline is a week away.
    At most once a day per user, so a retry or a second run the same day sends nothing."""
    return deadline_soon_send(day=dt.date.fromisoformat(day) if day else None, program_codes=program_codes)
