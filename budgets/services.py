"""Writes of budgets: allocations (pagu), payments, village ADD, scenarios, and the deactivation of JKN
enrollments left unpaid past the 10th.

Every write is a keyword-only, typed, atomic function that validates with full_clean() and records who did
it (simple-history's user, Payment.recorded_by, Scenario.created_by). Files of payments and of village ADD
are budgets/imports.py.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.contributions import posts_with_main_post_fields
from budgets.models import Allocation, Payment, Scenario, VillageFund
from core.models import FundingSource, Program, Regency, Village
from core.permissions import ensure, may_edit_budget, may_edit_regency
from core.rules import due_day_on
from enrollment.models import Enrollment
from enrollment.services import enrollments_make_inactive

# --- payers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payer:
    """Who pays a contribution: a regency (from a regency source such as DAU) or a desa (from ADD, DD...)."""

    regency: Regency | None = None
    village: Village | None = None

    @property
    def level(self) -> str:
        return FundingSource.Level.REGENCY if self.regency else FundingSource.Level.VILLAGE

    @property
    def key(self) -> str:
        return f"regency:{self.regency.pk}" if self.regency else f"village:{self.village.pk}"

    @property
    def fields(self) -> dict:
        return {"regency": self.regency, "village": self.village}

    def __str__(self) -> str:
        return str(self.regency or self.village)


def _ensure_may_edit(actor: User, payer) -> None:
    ensure(may_edit_budget(actor, payer), _("You may not change this budget."))


def _ensure_dpmd_of(actor: User, regency: Regency | str) -> None:
    ensure(may_edit_regency(actor, regency), _("Only DPMD staff of the regency may do this."))


def check_source_level(source: FundingSource, payer: Payer) -> None:
    if source.level == payer.level:
        return
    if source.level == FundingSource.Level.VILLAGE:
        message = _("%(source)s is paid by a desa: record it on the desa's budget page.")
    elif source.level == FundingSource.Level.REGENCY:
        message = _("%(source)s is paid by the regency: record it on the regency's budget page.")
    else:
        message = _("%(source)s is the official's own share: it is not paid from a budget.")
    raise ValidationError({"source": message % {"source": source.code}})


# --- allocations (pagu) ------------------------------------------------------------------------------


@transaction.atomic
def allocation_create(
    *,
    actor: User,
    payer: Payer,
    fiscal_year: int,
    program: Program,
    source: FundingSource,
    amount: int,
    note: str = "",
) -> Allocation:
    _ensure_may_edit(actor, payer)
    check_source_level(source, payer)
    allocation = Allocation(
        fiscal_year=fiscal_year, program=program, source=source, amount=amount, note=note, **payer.fields
    )
    allocation._history_user = actor
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def allocation_update(
    *,
    actor: User,
    allocation: Allocation,
    fiscal_year: int,
    program: Program,
    source: FundingSource,
    amount: int,
    note: str = "",
) -> Allocation:
    _ensure_may_edit(actor, allocation)
    check_source_level(source, Payer(regency=allocation.regency, village=allocation.village))
    allocation.fiscal_year, allocation.program, allocation.source = fiscal_year, program, source
    allocation.amount, allocation.note = amount, note
    allocation._history_user = actor
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def allocation_delete(*, actor: User, allocation: Allocation) -> None:
    _ensure_may_edit(actor, allocation)
    allocation._history_user = actor  # the deletion is kept in the history with who did it
    allocation.delete()


# --- payments ----------------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    actor: User,
    payer: Payer,
    fiscal_year: int,
    month: int,
    program: Program,
    source: FundingSource,
    amount: int,
    paid_on: dt.date,
    reference: str = "",
) -> Payment:
    """Record a contribution paid to BPJS for one month, by a regency or a desa, from one source."""
    _ensure_may_edit(actor, payer)
    check_source_level(source, payer)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date is in the future.")})
    payment = Payment(
        fiscal_year=fiscal_year,
        month=month,
        program=program,
        source=source,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        recorded_by=actor,
        **payer.fields,
    )
    payment._history_user = actor
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def payment_delete(*, actor: User, payment: Payment) -> None:
    _ensure_may_edit(actor, payment)
    payment._history_user = actor
    payment.delete()


# --- village ADD -------------------------------------------------------------------------------------


@transaction.atomic
def village_fund_set(*, actor: User, village: Village, fiscal_year: int, add_amount: int) -> VillageFund:
    """Enter (or correct) a desa's ADD for a year: DPMD staff of its regency do."""
    _ensure_dpmd_of(actor, village.subdistrict.regency_id)
    if not village.has_government:
        raise ValidationError({"village": _("%(village)s is a kelurahan: it has no ADD.") % {"village": village}})
    if add_amount <= 0:
        raise ValidationError({"add_amount": _("The amount must be more than zero.")})
    fund = VillageFund.objects.filter(village=village, fiscal_year=fiscal_year).first() or VillageFund(
        village=village, fiscal_year=fiscal_year
    )
    fund.add_amount = add_amount
    fund._history_user = actor
    fund.full_clean()
    fund.save()
    return fund


# --- scenarios ---------------------------------------------------------------------------------------


@transaction.atomic
def scenario_create(
    *,
    actor: User,
    regency: Regency,
    name: str,
    program: Program,
    components: Iterable[str],
    source: FundingSource,
    start_month: dt.date,
    add_share_threshold: Decimal,
) -> Scenario:
    """Save a "cover everyone not yet in `program`" question; its figures are computed when shown."""
    _ensure_dpmd_of(actor, regency)
    codes = [c.code for c in program.components_for(components)]
    if source.level == FundingSource.Level.PARTICIPANT:
        raise ValidationError({"source": _("The employer share is paid from a regency or a village budget.")})
    if not Decimal(0) < add_share_threshold <= Decimal(100):
        raise ValidationError({"add_share_threshold": _("The threshold is a percentage above 0 and at most 100.")})
    scenario = Scenario(
        regency=regency,
        name=name,
        program=program,
        components=codes,
        source=source,
        start_month=start_month.replace(day=1),
        add_share_threshold=add_share_threshold,
        created_by=actor,
    )
    scenario._history_user = actor
    scenario.full_clean()
    scenario.save()
    return scenario


@transaction.atomic
def scenario_delete(*, actor: User, scenario: Scenario) -> None:
    _ensure_dpmd_of(actor, scenario.regency_id)
    scenario._history_user = actor
    scenario.delete()


# --- unpaid JKN: inactive after the due day (the 10th: core.PaymentRule) -----------------------------


def unpaid_jkn_enrollments(*, today: dt.date) -> QuerySet[Enrollment]:
    """The active JKN enrollments that owe month M (the month of `today`: begun by its first day) and whose
    payer recorded no Payment for it (program bpjs_kesehatan, the enrollment's source, year and month of
    M). The payer comes from the official's main post on `today`, the post contributions are computed on
    (posts_with_main_post_fields): its regency for a regency source, its desa for a village source. An
    official on no post today has no payer and is left alone.

    One query for the enrollments, after one per payer source for the payers who paid: per source, the
    officials whose main post's payer is not among them. PostgreSQL builds each of those sets once, and
    only for a source some candidate uses."""
    month = today.replace(day=1)
    paid = Payment.objects.filter(program_id=Program.KESEHATAN, fiscal_year=month.year, month=month.month)
    unpaid = []
    for code, level in FundingSource.objects.values_list("code", "level"):
        if level == FundingSource.Level.REGENCY:
            posts = posts_with_main_post_fields(today, payer="village__subdistrict__regency")
            payers_paid = paid.filter(source=code, village=None).values_list("regency", flat=True)
        elif level == FundingSource.Level.VILLAGE:
            posts = posts_with_main_post_fields(today, payer="village")
            payers_paid = paid.filter(source=code, regency=None).values_list("village", flat=True)
        else:
            continue  # the participant pays: no payer to hold to the due date
        # The payers who paid, as a list (at most one a desa): Django cannot yet compare a window's value
        # with a subquery, and an empty list must not be excluded (the window filter would be dropped).
        if payers_paid := list(payers_paid):
            posts = posts.exclude(payer__in=payers_paid)
        owing = posts.values("person")
        unpaid.append(Q(funding_source=code, person__in=owing))
    candidates = Enrollment.objects.filter(
        program_id=Program.KESEHATAN, status=Enrollment.Status.ACTIVE, start_date__lte=month
    )
    return candidates.filter(reduce(operator.or_, unpaid)) if unpaid else candidates.none()


@transaction.atomic
def enrollments_deactivate_unpaid(*, today: dt.date, actor: User | None = None) -> list[int]:
    """JKN is due by the 10th of the month it covers (rules.md §1). After the 10th of month M, an active
    JKN enrollment whose payer has recorded no Payment for M (program bpjs_kesehatan, its source, year and
    month of M) becomes inactive. The payer is the regency of the official's main post for a regency
    source (DAU, APBD), its desa for a village source (ADD, DD, PADes).

    The end date is the 1st of M: the unpaid month is not covered, and coverage on any day is read from
    the dates alone. Only enrollments that covered M from its first day owe M; one begun during M is
    first due the next month (a reactivation opens a new enrollment on its day, so it is not caught again
    for the month that deactivated it). Idempotent: a second run finds nothing left to do.

    Set-based, for the whole country at once: the database picks the unpaid enrollments (one query, only
    their ids come back) and they are made inactive in chunks, each with its history row.
    Returns the ids of the enrollments made inactive."""
    if today.day <= due_day_on(today):  # the rule in force on the day judged (core.rules)
        return []
    month = today.replace(day=1)
    unpaid = list(unpaid_jkn_enrollments(today=today).order_by("pk").values_list("pk", flat=True))
    with translation.override("id"):
        reason = _("No payment for %(month)s recorded by the 10th.") % {"month": f"{month:%m/%Y}"}
    return enrollments_make_inactive(actor=actor, enrollment_ids=unpaid, on=month, reason=reason)
