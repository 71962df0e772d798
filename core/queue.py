"""Handing work to the Celery workers, and what a task does when it fails.

A task is sent once the transaction that made its record has committed (a worker must find the row).
If the broker cannot take it (Redis down), the step that made the record is undone by `undo` and
QueueUnavailable is raised for the page or API to say so: nothing is left waiting for a task that
will never come.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

UNAVAILABLE = _(
    "The server's task queue is not answering. Nothing has been kept or changed: try again in a few minutes."
)


class QueueUnavailable(Exception):
    """The broker refused or did not answer: the step was undone. str() is the message to show."""

    def __str__(self) -> str:
        return str(UNAVAILABLE)


def send_on_commit(send: Callable[[], object], *, undo: Callable[[], None]) -> None:
    """Run `send` (a task's .delay) once the current transaction commits; if the broker cannot be reached,
    run `undo` and raise QueueUnavailable (out of the outermost atomic block, where the caller is)."""

    def run() -> None:
        try:
            send()
        except OperationalError:
            logger.warning("The task queue does not answer; the step is undone", exc_info=True)
            undo()
            raise QueueUnavailable from None

    transaction.on_commit(run)


def fresh_connection() -> None:
    """Before a task writes its failure: the error may have come from a connection that died (PostgreSQL
    restarted), which Django would otherwise reuse; closed, the next query opens a new one. Inside a
    transaction (a task run eagerly within a request) the connection is the caller's and is left alone."""
    if not connection.in_atomic_block:
        connection.close()
