"""Celery tasks of previews."""

from __future__ import annotations

from celery import shared_task

from previews.services import previews_expire


@shared_task(name="previews.discard_stale_previews", soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True)
def discard_stale_previews() -> int:
    """Daily: previews hold NIKs; those past their time or already used are deleted with their files."""
    return previews_expire()
