"""A large officials file checked and saved by a REAL Celery worker through Redis, end to end.

Runs in CI's second pass (DATABASE_URL=postgres://..., REDIS_URL=redis://...); skipped, with the reason,
where Redis or PostgreSQL is missing. The worker runs in a thread of this process (celery.contrib.testing)
and consumes a queue of its own, so parallel runs sharing the Redis server cannot take its tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, connections

from core.roles import Role
from previews.models import Preview
from tests.factories import UserFactory
from tests.villages.test_roster_import import SUKA_PINDAH, nik, official, upload, xlsx
from villages.models import Position, Post, RosterImport

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _why_not_runnable() -> str | None:
    if not settings.REDIS_URL:
        return "needs a real Celery broker: set REDIS_URL (CI's PostgreSQL + Redis pass)"
    if connection.vendor != "postgresql":
        return f"needs PostgreSQL (a worker thread and the test share the database); this run uses {connection.vendor}"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # any failure to reach Redis means: not here
        return f"Redis at {settings.REDIS_URL} does not answer a ping ({exc.__class__.__name__})"
    return None


@pytest.fixture
def worker(transactional_db, regions):
    reason = _why_not_runnable()
    if reason:
        pytest.skip(reason)
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from desa_jaminan.celery import app

    queue = f"desa-jaminan-test-{uuid.uuid4().hex[:10]}"
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue

    def close_connections(**kwargs):
        # The worker thread's connection must not outlive the test: the database is flushed after it.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=60) as w:
            yield w
    finally:
        task_postrun.disconnect(close_connections)
        app.conf.task_default_queue = previous_queue


def wait_for(client, token: str, statuses: set[str], *, timeout: float = 90) -> dict:
    """Poll the status JSON, as the browser does, until the import reaches one of `statuses`."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        data = client.get(f"/impor/{token}/status/").json()
        seen.append((data["status"], data["progress"]))
        if data["status"] in statuses:
            return data
        time.sleep(0.2)
    raise AssertionError(f"import {token} never reached {statuses}; seen {seen[-5:]}")


def test_a_large_file_is_checked_and_saved_by_a_real_worker(worker, suka_pindah, settings, tmp_path, login):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.ROSTER_IMPORT_INLINE_ROWS = 20
    head = UserFactory(username="desa-1706012005", role=Role.VILLAGE, village=suka_pindah)
    client = login(head)
    rows = [official(nik(i), f"Perangkat Besar {i}", position="Staf") for i in range(10, 130)]

    response = upload(client, xlsx(rows))

    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert roster_import.rows_total == 120 > settings.ROSTER_IMPORT_INLINE_ROWS
    status = wait_for(client, roster_import.token, {"preview", "invalid", "failed"})
    assert status["status"] == "preview", status
    assert status["progress"] == 100
    roster_import.refresh_from_db()
    assert roster_import.result["counts"]["new"] == 120

    client.post(f"/impor/{roster_import.token}/konfirmasi/")

    status = wait_for(client, roster_import.token, {"applied", "failed", "preview", "invalid"})
    assert status["status"] == "applied", status
    posts = Post.objects.filter(
        village_id=SUKA_PINDAH, position=Position.STAF, person__full_name__startswith="Perangkat Besar"
    )
    assert posts.count() == 120
    assert {p.history.get().history_user_id for p in posts[:5]} == {head.pk}
    roster_import.refresh_from_db()
    preview = roster_import.preview
    assert (preview.status, preview.data_encrypted, preview.file.name) == (Preview.Status.CONFIRMED, "", "")
    assert not default_storage.exists("previews") or default_storage.listdir("previews") == ([], [])


# --- a worker killed while it checks a file -----------------------------------------------------------


@pytest.fixture
def dying_worker(transactional_db, regions, settings, tmp_path):
    """A real worker in processes of its own (prefork, one pool process), through Redis, on a queue of its
    own, whose pool process is SIGKILLed the first time it checks a file (tests/villages/dying_worker.py).
    Yields the path of the flag file: it is gone once the kill has happened."""
    reason = _why_not_runnable()
    if reason:
        pytest.skip(reason)
    from desa_jaminan.celery import app

    queue = f"desa-jaminan-test-{uuid.uuid4().hex[:10]}"
    flag = tmp_path / "die-once"
    flag.touch()
    settings.MEDIA_ROOT = tmp_path / "private"
    db = connection.settings_dict  # the test database, which the worker must use too
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_PRIVATE_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DIE_ONCE": str(flag),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    log = (tmp_path / "worker.log").open("w")
    command = [sys.executable, "-m", "celery", "-A", "tests.villages.dying_worker", "worker", "--pool=prefork"]
    command += ["--concurrency=1", "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker = subprocess.Popen(
        command, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield flag
    finally:
        app.conf.task_default_queue = previous_queue
        os.killpg(worker.pid, signal.SIGTERM)  # its own session: the worker and its pool process
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])  # shown when the test fails


def test_a_check_whose_worker_process_is_killed_runs_again_and_ends_checked(dying_worker, suka_pindah, settings, login):
    settings.ROSTER_IMPORT_INLINE_ROWS = 5
    head = UserFactory(username="desa-1706012005", role=Role.VILLAGE, village=suka_pindah)
    client = login(head)
    rows = [official(nik(i), f"Perangkat Besar {i}", position="Staf") for i in range(10, 20)]

    upload(client, xlsx(rows))

    roster_import = RosterImport.objects.get()
    status = wait_for(client, roster_import.token, {"preview", "invalid", "failed"}, timeout=60)
    assert not dying_worker.exists()  # the pool process was killed once, mid-check
    assert status["status"] == "preview", status
    roster_import.refresh_from_db()
    assert roster_import.attempts == 2  # the killed run and the one that finished
    assert roster_import.result["counts"]["new"] == 10
