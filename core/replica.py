"""Dashboard reads from a PostgreSQL streaming replica, with read-your-writes (issue 11).

A view opts in with `@replica_reads`; `ReplicaReadsMiddleware` keeps per request what the router
(core.db_router.ReplicaRouter) needs to decide: whether the view opted in, whether this request wrote
and whether this browser wrote a moment ago. A browser that wrote (an unsafe method, or a write through
the ORM) gets a short-lived cookie, and for REPLICA_STICKY_SECONDS its pages read from the primary, so
what it just saved is on the next page even while the replica lags.

Without DATABASE_REPLICA_URL (settings.REPLICA_DATABASE unset) the middleware does nothing and every
read goes to the default database.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

RECENT_WRITE_COOKIE = "recent_write"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The apps whose tables the dashboards read; their writes count as "this browser wrote". Sessions,
# accounts, tokens and login records are read from the primary always, so writing them does not.
REPLICATED_APPS = frozenset({"core", "villages", "enrollment", "budgets", "submissions", "bpjs", "changes"})


@dataclass
class ReadState:
    """What one request tells the router."""

    recent_write: bool = False
    opted_in: bool = False
    wrote: bool = False

    @property
    def may_use_replica(self) -> bool:
        return self.opted_in and not self.recent_write and not self.wrote


_state: ContextVar[ReadState | None] = ContextVar("replica_read_state", default=None)


def current_state() -> ReadState | None:
    return _state.get()


def replica_alias() -> str | None:
    return getattr(settings, "REPLICA_DATABASE", None) or None


def _wrote_recently(request: HttpRequest) -> bool:
    try:
        written_at = int(request.COOKIES.get(RECENT_WRITE_COOKIE, ""))
    except ValueError:
        return False
    return 0 <= time.time() - written_at < settings.REPLICA_STICKY_SECONDS


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if replica_alias() is None:
            return self.get_response(request)
        state = ReadState(recent_write=_wrote_recently(request))
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if request.method in UNSAFE_METHODS or state.wrote:
            response.set_cookie(
                RECENT_WRITE_COOKIE,
                str(int(time.time())),
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def replica_reads(view):
    """The view's reads of the dashboards' tables may come from the replica (see the module docstring)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        state = _state.get()
        if state is None:
            return view(*args, **kwargs)
        previous, state.opted_in = state.opted_in, True
        try:
            return view(*args, **kwargs)
        finally:
            state.opted_in = previous

    wrapped.replica_reads = True
    return wrapped
