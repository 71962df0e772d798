"""Reads of budgets, scoped like everything else: allocations, payments, scenarios and village ADD a user
may reach, the getters of one of them, and the lists of a payer's payments and of a regency's ADD.

The figures of a budget are budgets/figures.py (a regency's or a desa's), budgets/lines.py (one line and its
warning) and budgets/costs.py (what the active enrollments cost month by month).
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from budgets.models import Allocation, Payment, Scenario, VillageFund
from core.models import Program, Regency, Village
from core.permissions import may_edit_budget, may_edit_regency, object_for_user
from core.selectors import governed_villages, programs_visible_to, regencies_visible_to, villages_visible_to

# --- scope -------------------------------------------------------------------------------------------


def _payer_visible_to(qs: QuerySet, user: User) -> QuerySet:
    """Rows paid or set aside by a regency or a desa in the user's scope, for the programs they see."""
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(
        Q(regency__in=regencies_visible_to(user)) | Q(village__in=villages_visible_to(user)),
        program__in=programs_visible_to(user),
    )


def allocations_visible_to(user: User) -> QuerySet[Allocation]:
    return _payer_visible_to(Allocation.objects.select_related("regency", "village", "program", "source"), user)


def allocation_for_user(user: User, pk: int, *, write: bool = False) -> Allocation:
    """An allocation in the user's scope (a 404 outside it); `write` needs the right to its payer's budget."""
    qs = allocations_visible_to(user)
    return object_for_user(qs, write=write, may_write=lambda allocation: may_edit_budget(user, allocation), pk=pk)


def payments_visible_to(user: User) -> QuerySet[Payment]:
    qs = Payment.objects.select_related("regency", "village", "program", "source", "recorded_by")
    return _payer_visible_to(qs, user)


def payment_for_user(user: User, pk: int, *, write: bool = False) -> Payment:
    qs = payments_visible_to(user)
    return object_for_user(qs, write=write, may_write=lambda payment: may_edit_budget(user, payment), pk=pk)


def scenarios_visible_to(user: User) -> QuerySet[Scenario]:
    """Scenarios of the regencies in the user's scope, for the programs they can see (none for a desa)."""
    qs = Scenario.objects.select_related("regency", "program", "source", "created_by")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(regency__in=regencies_visible_to(user), program__in=programs_visible_to(user))


def scenario_for_user(user: User, pk: int, *, write: bool = False) -> Scenario:
    """A scenario of a regency in the user's scope; `write` (deleting it) is for the regency's DPMD staff."""
    qs = scenarios_visible_to(user)
    return object_for_user(qs, write=write, may_write=lambda s: may_edit_regency(user, s.regency_id), pk=pk)


def village_funds_visible_to(user: User) -> QuerySet[VillageFund]:
    return VillageFund.objects.filter(village__in=villages_visible_to(user)).select_related("village")


# --- lists -------------------------------------------------------------------------------------------


def regency_payments(*, regency: Regency, programs: list[Program], year: int) -> QuerySet[Payment]:
    return _payments_of_year(Payment.objects.filter(regency=regency), programs=programs, year=year)


def village_payments(*, village: Village, programs: list[Program], year: int) -> QuerySet[Payment]:
    return _payments_of_year(Payment.objects.filter(village=village), programs=programs, year=year)


def _payments_of_year(qs: QuerySet[Payment], *, programs: list[Program], year: int) -> QuerySet[Payment]:
    """A payer's payments of a fiscal year, the latest month first."""
    return (
        qs.filter(fiscal_year=year, program__in=programs)
        .select_related("program", "source", "recorded_by")
        .order_by("-month", "program", "source", "-paid_on", "-pk")
    )


def villages_with_funds(*, regency: Regency, year: int) -> QuerySet[Village]:
    """The desa of a regency, each with its ADD of the year (None when not entered yet): one query."""
    fund = VillageFund.objects.filter(village=OuterRef("pk"), fiscal_year=year).values("add_amount")[:1]
    return (
        governed_villages(Village.objects.filter(subdistrict__regency=regency))
        .select_related("subdistrict")
        .annotate(add_amount=Subquery(fund))
        .order_by("subdistrict__code", "code")
    )
