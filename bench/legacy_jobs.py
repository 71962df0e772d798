"""The two scheduled jobs as they were before they became set-based, kept as the reference that
bench/jobs.py times against and that tests/budgets/test_unpaid.py compares the new selection with.
Not used by the app.

- the unpaid-JKN deactivation loaded every candidate's cost (budgets.contributions.enrollment_costs) and
  matched its payer against the month's payments in Python, then changed each enrollment on its own
  through enrollment_change_status;
- the monthly coverage snapshot ran enrollment.selectors.coverage once per regency and wrote each
  snapshot with update_or_create.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.contributions import enrollment_costs
from budgets.models import Payment
from core.models import FundingSource, Program, Regency, Village
from core.rules import due_day_on
from enrollment.models import CoverageSnapshot, Enrollment
from enrollment.selectors import coverage
from enrollment.services import enrollment_change_status
from enrollment.trend import _snapshot_fields, month_end


def old_unpaid_ids(*, today: dt.date) -> list[int]:
    """The enrollments the old deactivation picked for the month of `today` (after its due day)."""
    month = today.replace(day=1)
    levels = dict(FundingSource.objects.values_list("code", "level"))
    candidates = Enrollment.objects.filter(
        program_id=Program.KESEHATAN,
        status=Enrollment.Status.ACTIVE,
        start_date__lte=month,
        funding_source__level__in=[FundingSource.Level.REGENCY, FundingSource.Level.VILLAGE],
    )
    paid = set(
        Payment.objects.filter(program_id=Program.KESEHATAN, fiscal_year=month.year, month=month.month).values_list(
            "regency_id", "village_id", "source_id"
        )
    )
    unpaid = []
    for cost in enrollment_costs(candidates, day=today):
        if cost.regency_id is None:
            continue  # the official holds no post today: there is no payer to hold to the due date
        if levels[cost.funding_source_id] == FundingSource.Level.REGENCY:
            payer = (cost.regency_id, None, cost.funding_source_id)
        else:
            payer = (None, cost.village_id, cost.funding_source_id)
        if payer not in paid:
            unpaid.append(cost.enrollment_id)
    return unpaid


@transaction.atomic
def old_enrollments_deactivate_unpaid(*, today: dt.date, actor: User | None = None) -> list[int]:
    if today.day <= due_day_on(today):
        return []
    return old_make_inactive(old_unpaid_ids(today=today), month=today.replace(day=1), actor=actor)


def old_make_inactive(unpaid: list[int], *, month: dt.date, actor: User | None = None) -> list[int]:
    """The old write: each enrollment through enrollment_change_status (full_clean, save, history)."""
    with translation.override("id"):
        reason = _("No payment for %(month)s recorded by the 10th.") % {"month": f"{month:%m/%Y}"}
    deactivated = []
    still_active = Enrollment.objects.filter(pk__in=unpaid, status=Enrollment.Status.ACTIVE)
    for enrollment in still_active.select_related("program").select_for_update(of=("self",)).order_by("pk"):
        enrollment._change_reason = reason  # kept in the enrollment's history
        enrollment_change_status(actor=actor, enrollment=enrollment, status=Enrollment.Status.INACTIVE, on=month)
        deactivated.append(enrollment.pk)
    return deactivated


@transaction.atomic
def old_coverage_snapshot_take(*, regency: Regency, month: dt.date, today: dt.date) -> list[CoverageSnapshot]:
    month = month.replace(day=1)
    day = min(month_end(month), today)
    programs = list(Program.objects.all())
    figures = coverage(villages=Village.objects.filter(subdistrict__regency=regency), programs=programs, day=day)[None]
    return [
        CoverageSnapshot.objects.update_or_create(
            regency=regency, program=program, month=month, defaults=_snapshot_fields(figures[program.code].as_dict())
        )[0]
        for program in programs
    ]
