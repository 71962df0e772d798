"""/healthz: what the load balancer and docker-compose ask before sending traffic."""

import os
import subprocess
import sys
import threading
import time

import pytest

from tests.test_settings import BASE_DIR, SETUP


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_needs_no_login_and_is_not_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_and_names_redis_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


# --- a frozen database is reported within seconds -----------------------------------------------------


@pytest.fixture
def short_timeout(monkeypatch):
    from desa_jaminan import health

    monkeypatch.setattr(health, "HEALTHZ_TIMEOUT", 1)
    return health


def _join_health_threads() -> None:
    for thread in threading.enumerate():
        if thread.name == "healthz-database":
            thread.join(10)


@pytest.mark.django_db
def test_healthz_is_503_within_seconds_when_the_database_does_not_answer(client, short_timeout, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    release = threading.Event()
    execute = CursorWrapper.execute

    def frozen(self, sql, params=None):
        if sql == short_timeout.HEALTH_QUERY:
            release.wait(10)  # the database host stopped answering
        return execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", frozen)
    started = time.monotonic()
    try:
        response = client.get("/healthz")
    finally:
        release.set()
        _join_health_threads()

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: no answer within 1 s"


@pytest.mark.django_db
def test_healthz_cancels_a_database_query_that_runs_too_long(client, short_timeout, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's; CI's PostgreSQL pass runs this")
    monkeypatch.setattr(short_timeout, "HEALTH_QUERY", "SELECT pg_sleep(10)")
    started = time.monotonic()

    response = client.get("/healthz")

    _join_health_threads()
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    # PostgreSQL itself cancelled it (statement_timeout), before the view stopped waiting.
    assert response.json()["checks"]["database"] == "error: OperationalError"


def test_a_postgresql_database_is_connected_to_with_a_timeout():
    snippet = SETUP + "; from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "desa_jaminan.settings"}
    env["DATABASE_URL"] = "postgres://desa@db.invalid:5432/desa_jaminan"

    result = subprocess.run(
        [sys.executable, "-c", snippet], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert "'connect_timeout': 5" in result.stdout
