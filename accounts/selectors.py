"""Reads of accounts: which ones a user looks after, which desa are not on board yet, what happened."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import AccountEvent, User
from core.models import Regency, Village
from core.roles import Role
from core.selectors import governed_villages


def accounts_manageable_by(user: User) -> QuerySet[User]:
    """Superusers: every account. DPMD staff: the village accounts of their regency's desa and the DPMD
    staff of their regency; never a superuser, a staff user, a BPJS officer or an observer."""
    qs = User.objects.select_related("village__subdistrict", "regency")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role != Role.DPMD:
        return qs.none()
    own = Q(role=Role.VILLAGE, village__subdistrict__regency_id=user.regency_id) | Q(
        role=Role.DPMD, regency_id=user.regency_id
    )
    return qs.filter(own, is_superuser=False, is_staff=False)


def villages_on_board(villages: QuerySet[Village]) -> QuerySet[Village]:
    """Desa annotated with `has_account` and `has_logged_in` (an active village account that logged in)."""
    accounts = User.objects.filter(role=Role.VILLAGE, village=OuterRef("pk"))
    return governed_villages(villages).annotate(
        has_account=Exists(accounts),
        has_logged_in=Exists(accounts.filter(is_active=True, last_login__isnull=False)),
    )


def villages_not_on_board(villages: QuerySet[Village]) -> QuerySet[Village]:
    """Desa with no account, or whose accounts never logged in: the ones to call."""
    return villages_on_board(villages).filter(has_logged_in=False).select_related("subdistrict")


def regency_login_count(regency: Regency) -> tuple[int, int]:
    """(desa with an active village account that has logged in, desa) — "12 dari 148 desa sudah masuk",
    as `villages_on_board` counts them; two plain counts (shown on every dashboard view of DPMD)."""
    desa = governed_villages(Village.objects.filter(subdistrict__regency=regency))
    logged_in = User.objects.filter(
        role=Role.VILLAGE, village__in=desa, is_active=True, last_login__isnull=False
    ).aggregate(n=Count("village", distinct=True))["n"]
    return logged_in, desa.count()


def account_events_visible_to(user: User) -> QuerySet[AccountEvent]:
    qs = AccountEvent.objects.select_related("actor", "user")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.DPMD:
        return qs.filter(regency_id=user.regency_id)
    return qs.none()
