"""Gunicorn settings, read from the environment (gunicorn loads ./gunicorn.conf.py from the working dir).

WEB_CONCURRENCY         worker processes (default: 2 x cores + 1, at most 9)
GUNICORN_THREADS        threads per worker; above 1 the gthread worker is used (default 1: sync)
GUNICORN_TIMEOUT        seconds a request may run before its worker is restarted (default 60)
GUNICORN_GRACEFUL_TIMEOUT  seconds a worker has to finish its requests on a restart (default 30)
GUNICORN_KEEPALIVE      seconds a connection from the proxy is kept open between requests (default 5)
GUNICORN_MAX_REQUESTS   a worker is replaced after this many requests, 0 never (default 1000)
GUNICORN_MAX_REQUESTS_JITTER  random extra requests, so workers are not all replaced at once (default 100)
GUNICORN_BIND           address to listen on (default 0.0.0.0:8000)
"""

import multiprocessing
import os

MAX_DEFAULT_WORKERS = 9


def _int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number from the environment; anything else stops the start with the variable's name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, not {value}.")
    return value


bind = os.environ.get("GUNICORN_BIND", "").strip() or "0.0.0.0:8000"
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, MAX_DEFAULT_WORKERS), minimum=1)
threads = _int("GUNICORN_THREADS", 1, minimum=1)
# Threads need the gthread worker; the sync worker would ignore them.
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 60, minimum=1)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = _int("GUNICORN_KEEPALIVE", 5, minimum=1)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
# The app is loaded once, in the master, before the workers fork: a worker replaced after max_requests
# starts in milliseconds instead of importing Django again (about a second of both cores, during which
# its share of the requests waits).
preload_app = True
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Access log and errors to stdout/stderr, where docker collects them.
accesslog = "-"
errorlog = "-"
