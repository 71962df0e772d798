"""The rules in force on a day: dated rows a superuser edits in the admin (with history), seeded from
../shared/domain/rules.md by migration core 0003. Every use of a due day or a deadline reads them here."""

from __future__ import annotations

import datetime as dt
import time
from typing import TypeVar

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.models import AccountCode, DatedRule, PaymentRule, Program, RegistrationRule

R = TypeVar("R", bound=DatedRule)

# The rows of each rule table, oldest first, read once and kept a minute: a page asks for the rule several
# times (the deadline page's summary, list and export), and a page must cost the same number of queries
# as before. A save in this process forgets them at once; other processes see an admin edit within
# RULES_TTL seconds.
RULES_TTL = 60.0
_loaded: dict[type, tuple[float, list]] = {}


def forget_rules() -> None:
    """Drop the rows kept in this process (a rule was saved; a test rolled its rows back)."""
    _loaded.clear()


@receiver([post_save, post_delete], sender=AccountCode)
@receiver([post_save, post_delete], sender=PaymentRule)
@receiver([post_save, post_delete], sender=RegistrationRule)
def _rule_changed(**kwargs) -> None:
    forget_rules()


def _rows(model):
    loaded_at, rows = _loaded.get(model, (0.0, []))
    if time.monotonic() - loaded_at > RULES_TTL or not rows:
        rows = list(model.objects.order_by("effective_from"))
        _loaded[model] = (time.monotonic(), rows)
    return rows


def rule_in_force(model: type[R], day: dt.date) -> R:
    """The row of `model` in force on `day`: the latest that began by it. A day before the first row is
    read by the first row (the rule as first recorded), so old data is judged by the oldest known rule
    rather than by none."""
    rows = _rows(model)
    if not rows:
        raise model.DoesNotExist(f"No {model._meta.verbose_name} is recorded (migration core 0003 seeds one).")
    in_force = [row for row in rows if row.effective_from <= day]
    return in_force[-1] if in_force else rows[0]


def due_day_on(day: dt.date) -> int:
    """The day of the month by which JKN for the month of `day` is due."""
    return rule_in_force(PaymentRule, day).due_day


def deadline_months_on(day: dt.date) -> int:
    """How many calendar months after inauguration registration is due, by the rule in force on `day`."""
    return rule_in_force(RegistrationRule, day).deadline_months


def reminder_program_codes() -> list[str]:
    """The programs whose overdue officials earn the desa a daily reminder."""
    return list(Program.objects.filter(sends_reminders=True).values_list("code", flat=True))


def account_codes_on(day: dt.date) -> tuple[AccountCode, dict[tuple[str, bool], AccountCode]]:
    """The APBDes accounts in force on `day`: the group account, and per (program, is the kepala desa)
    its account. Each is the latest row of its key begun by `day` (or the first row, for older days)."""
    latest: dict[tuple[str | None, bool], AccountCode] = {}
    for row in _rows(AccountCode):  # oldest first: a later row begun by `day` replaces an earlier one
        key = (row.program_id, row.for_kepala_desa if row.program_id else False)
        if row.effective_from <= day or key not in latest:
            latest[key] = row
    group = latest.pop((None, False), None)
    if group is None:
        raise AccountCode.DoesNotExist("No APBDes group account is recorded (migration core 0003 seeds it).")
    return group, {(program, head): row for (program, head), row in latest.items() if program}
