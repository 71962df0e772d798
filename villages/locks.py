"""The roster lock: while DPMD checks a desa's submission, its officials cannot change.

Submissions are an app above this one, so the roster asks through this hook instead of importing
them; the submissions app registers its check when it is ready (submissions/apps.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from core.models import Village

LockCheck = Callable[[Iterable[str]], set[str]]
_checks: list[LockCheck] = []


def register(check: LockCheck) -> None:
    """Add a check that answers which of the given village codes are locked (one query for all)."""
    if check not in _checks:
        _checks.append(check)


def locked_village_ids(village_ids: Iterable[str]) -> set[str]:
    ids = list(village_ids)
    locked: set[str] = set()
    for check in _checks:
        locked |= check(ids)
    return locked


def roster_locked(village: Village) -> bool:
    return bool(locked_village_ids([village.pk]))
