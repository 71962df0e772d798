"""Celery tasks of enrollment: the officials exports too large for a request."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from core.queue import fresh_connection
from enrollment import national_export

logger = logging.getLogger(__name__)
# Acknowledged once finished, back on the queue when the pool process running it dies: the export is
# written again from the start (national_export.export_job_run is idempotent).
WRITES = {"acks_late": True, "reject_on_worker_lost": True, "soft_time_limit": 9 * 60, "time_limit": 10 * 60}


@shared_task(name="enrollment.export_job_write", ignore_result=True, **WRITES)
def export_job_write(job_id: int) -> None:
    try:
        national_export.export_job_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        fresh_connection()
        national_export.export_job_fail(job_id=job_id, message=_("Writing the file took too long."))
    except Exception:
        # Said on the status page; running it again would fail the same way, so it is not retried.
        logger.exception("Export %s failed", job_id)
        fresh_connection()
        national_export.export_job_fail(job_id=job_id)


@shared_task(name="enrollment.export_jobs_expire", **WRITES)
def export_jobs_expire() -> int:
    """Daily: exports hold NIKs; they are deleted, with their files, after settings.EXPORT_KEEP_DAYS."""
    return national_export.export_jobs_expire()
