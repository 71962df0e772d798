"""Celery tasks of accounts: setting up a new regency's regions."""

from __future__ import annotations

from celery import shared_task

from accounts.onboarding import onboarding_run


@shared_task(name="accounts.regency_onboard", acks_late=True, soft_time_limit=9 * 60, time_limit=10 * 60)
def regency_onboard(onboarding_id: int) -> str:
    """Import the regions of the regency being set up. Idempotent: the import changes nothing twice."""
    return onboarding_run(onboarding_id=onboarding_id).status
