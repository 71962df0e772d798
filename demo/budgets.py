"""Payments for the demo (enrollment/demo.py), so that its budgets read like a regency that pays on time
and the daily deactivation of unpaid JKN finds nothing to do.

For every month of the year whose due date (the 10th) has passed, each payer records what its active
enrollments cost that month, from the calculator: Mukomuko's DAU for JKN (1.220 × Rp114.000 =
Rp139.080.000 a month), Majene's DAU for the JKN of its 13 desa, and the ADD of each of Mukomuko's 9 desa
for BPJS Ketenagakerjaan (JKK + JKM). Idempotent: a month already paid by a payer is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from budgets.contributions import RateBook, enrollment_costs
from budgets.models import Payment
from core.models import FundingSource
from core.roles import Role
from core.rules import due_day_on
from enrollment.models import Enrollment
from villages.models import Post

DEMO_REGENCIES = ("17.06", "76.05")


def _due_months(today: dt.date) -> list[dt.date]:
    """The months of this year whose due date (the 10th, core.PaymentRule) is already behind `today`."""
    firsts = [dt.date(today.year, m, 1) for m in range(1, 13)]
    return [first for first in firsts if first.replace(day=due_day_on(first)) < today]


@transaction.atomic
def payments_for_demo(today: dt.date | None = None, *, regency_codes: tuple[str, ...] = DEMO_REGENCIES) -> int:
    """Record the demo's payments up to `today` (today by default); returns how many were added."""
    today = today or timezone.localdate()
    months = _due_months(today)
    if not months:
        return 0
    levels = dict(FundingSource.objects.values_list("code", "level"))
    enrollments = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).filter(
        Exists(
            Post.objects.active_on(today).filter(
                person=OuterRef("person"), village__subdistrict__regency__in=regency_codes
            )
        )
    )
    book = RateBook()
    due: dict[tuple, int] = defaultdict(int)  # (regency, village, program, source, month) → amount
    for cost in enrollment_costs(enrollments, day=today):
        level = levels[cost.funding_source_id]
        if level == FundingSource.Level.REGENCY:
            payer = (cost.regency_id, None)
        elif level == FundingSource.Level.VILLAGE:
            payer = (None, cost.village_id)
        else:
            continue
        for month in months:
            if cost.covers_month(month):
                due[(*payer, cost.program_id, cost.funding_source_id, month)] += cost.cost(book, month).employer
    paid = set(
        Payment.objects.filter(fiscal_year=today.year).values_list("regency", "village", "program", "source", "month")
    )
    recorders = _recorders(regency_codes)
    payments = [
        Payment(
            fiscal_year=month.year,
            month=month.month,
            regency_id=regency,
            village_id=village,
            program_id=program,
            source_id=source,
            amount=amount,
            paid_on=month.replace(day=5),
            reference=f"DEMO-{month:%Y%m}-{regency or village}-{source}",
            recorded_by=recorders[regency] if regency else recorders.get(village) or recorders[_regency_of(village)],
        )
        for (regency, village, program, source, month), amount in sorted(due.items(), key=str)
        if amount and (regency, village, program, source, month.month) not in paid
    ]
    bulk_create_with_history(payments, Payment, batch_size=500)
    return len(payments)


def _regency_of(village_code: str) -> str:
    return village_code[:5]


def _recorders(regency_codes: tuple[str, ...]) -> dict[str, User]:
    """Who records the demo's payments: the DPMD login of the regency, the desa's own login for a desa
    (its DPMD where the desa has none); a superuser where the demo has no such login."""
    users = User.objects.filter(
        Q(role=Role.DPMD, regency__in=regency_codes)
        | Q(role=Role.VILLAGE, village__subdistrict__regency__in=regency_codes)
    )
    recorders: dict[str, User] = {}
    for user in users.order_by("pk"):
        recorders.setdefault(user.regency_id if user.role == Role.DPMD else user.village_id, user)
    fallback = User.objects.filter(is_superuser=True).order_by("pk").first()
    for code in regency_codes:
        if code not in recorders:
            if fallback is None:
                raise ValueError(f"No DPMD login or superuser to record the demo payments of {code}.")
            recorders[code] = fallback
    return recorders
