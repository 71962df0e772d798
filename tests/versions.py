"""The refusal of a stale write, as the user reads it (no tests of its own): who made the newer change
and when, from the row's history (core.versioning)."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.formats import date_format


def stale_refusal(row, user) -> str:
    change = row.history.latest()
    with translation.override("id"):
        when = date_format(timezone.localtime(change.history_date), "DATETIME_FORMAT")
    name = user.get_full_name() or user.get_username()
    return f"Data ini telah diubah oleh {name} pada {when}; muat ulang."
