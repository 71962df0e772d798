"""Every Celery task survives its worker dying: acknowledged once finished and put back on the queue when
its pool process is killed, with a broker visibility timeout longer than any task may run (else Redis
would hand a running task to a second worker). Long task records that stopped are marked failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import RegencyOnboarding
from accounts.tasks import fail_stalled_onboardings


@pytest.fixture(scope="module")
def tasks():
    from desa_jaminan.celery import app

    app.loader.import_default_modules()
    return [task for name, task in app.tasks.items() if not name.startswith("celery.")]


def test_every_task_is_acknowledged_late_and_requeued_when_its_worker_dies(tasks):
    assert len(tasks) >= 10
    assert [t.name for t in tasks if not (t.acks_late and t.reject_on_worker_lost)] == []


def test_the_broker_does_not_hand_a_running_task_to_a_second_worker(tasks):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest = max(t.time_limit or settings.CELERY_TASK_TIME_LIMIT for t in tasks)

    assert visibility > longest


def test_the_stalled_tasks_are_looked_for_every_few_minutes():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    for name in ("villages.fail_stalled_imports", "accounts.fail_stalled_onboardings"):
        assert schedule[name].minute == set(range(0, 60, 5)), name


def test_a_regency_set_up_silent_past_the_stall_time_is_failed(superuser, settings):
    settings.TASK_STALL_MINUTES = 15
    stopped = RegencyOnboarding.objects.create(regency_code="17.04", created_by=superuser, status="running")
    running = RegencyOnboarding.objects.create(regency_code="17.05", created_by=superuser, status="running")
    RegencyOnboarding.objects.filter(pk=stopped.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=16))

    assert fail_stalled_onboardings() == 1

    stopped.refresh_from_db()
    running.refresh_from_db()
    assert (stopped.status, stopped.summary) == ("failed", "Penyiapan terhenti sebelum selesai. Mulai lagi.")
    assert running.status == "running"
