"""/healthz for the load balancer and docker-compose: the database answers, and Redis when configured.

Each check is bounded, so a frozen database or Redis is reported as a 503 within seconds instead of
holding the probe (and the worker answering it) until a TCP timeout: the database is asked on a
connection of its own in a thread given HEALTHZ_TIMEOUT seconds (PostgreSQL also cancels the query
itself after that long), Redis with socket timeouts.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HEALTHZ_TIMEOUT = 3  # seconds, for each check
HEALTH_QUERY = "SELECT 1"


def _ask_database(outcome: dict) -> None:
    # A thread has its own connection: a fresh one (connect_timeout applies), closed when done.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = %s", [HEALTHZ_TIMEOUT * 1000])
            cursor.execute(HEALTH_QUERY)
            cursor.fetchone()
        outcome["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; say which
        outcome["database"] = f"error: {exc.__class__.__name__}"
    finally:
        connection.close()


def _database() -> str:
    outcome: dict[str, str] = {}
    thread = threading.Thread(target=_ask_database, args=(outcome,), name="healthz-database", daemon=True)
    thread.start()
    thread.join(HEALTHZ_TIMEOUT + 1)
    return outcome.get("database", f"error: no answer within {HEALTHZ_TIMEOUT} s")


def _redis() -> str:
    try:
        import redis

        timeout = HEALTHZ_TIMEOUT
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database()}
    if settings.REDIS_URL:
        checks["redis"] = _redis()
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
