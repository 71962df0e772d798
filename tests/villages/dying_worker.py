"""The project's Celery app for test_import_worker.py, whose pool process is killed (SIGKILL, as the OOM
killer does) the first time it checks an officials file.

Test-only, loaded by `celery -A tests.villages.dying_worker worker`: the kill happens only while the
file named by the environment variable DIE_ONCE exists, and the dying process deletes it, so the
task's next run lives. Nothing in the project's own code paths can make a worker die.
"""

from __future__ import annotations

import os
import signal

from celery.signals import worker_process_init

from desa_jaminan.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _die_once_while_checking(**kwargs) -> None:
    from villages.roster_import import services

    check = services._plan

    def _plan(*args, **kwargs):
        try:
            os.remove(os.environ["DIE_ONCE"])
        except FileNotFoundError:
            return check(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    services._plan = _plan
