"""Two requests at the same moment, for the tests of what the database guarantees (no tests of its own).

Each callable runs in its own thread with its own database connection, so the two transactions really
overlap. The tests line both up just where the race is with a `threading.Barrier` of their own, waited
at in code patched into the path under test. Needs PostgreSQL: SQLite serialises every writer on one
file lock."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

# These tests write from threads: the data they make must be committed, and the reference data the
# data migrations fill kept for the tests after them.
pytestmark_concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def skip_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL: two transactions must overlap, and {connection.vendor} serialises every writer "
            "(run with DATABASE_URL=postgres://...)"
        )


def run_together(*calls: Callable[[], object], timeout: float = 30) -> list[object]:
    """Run each call in its own thread; return what each returned or raised, in order."""
    results: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            results[index] = call()
        except Exception as exc:  # the losing side's refusal is a result to assert on
            results[index] = exc
        finally:
            connections.close_all()  # the thread's connection must not outlive the test's database

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a concurrent call is stuck"
    return results
