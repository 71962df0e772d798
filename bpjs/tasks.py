"""Celery tasks of the BPJS side."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from bpjs.digest import queue_digests_send


@shared_task(name="bpjs.send_queue_digests", soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True)
def send_queue_digests(day: str | None = None) -> int:
    """Daily (celery beat): tell each BPJS officer how many officials wait in their queue. At most one
    digest per officer per day, so a retry or a second run the same day sends nothing."""
    return queue_digests_send(day=dt.date.fromisoformat(day) if day else None)
