"""Writes of accounts: create (one or a desa's worth), reset, unlock, deactivate, reactivate, change,
API tokens. Every act checks the actor's right through accounts.permissions and leaves an AccountEvent.

One-time passwords are returned to the caller to be shown once; only their hash is stored, and the
account must choose its own password at the next login."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import AccountEvent, User
from core import permissions
from core.models import Regency, Subdistrict, Village
from core.roles import Role
from core.selectors import governed_villages

# No 0/o, 1/l/i: a password read aloud or copied from a printed slip must not be mistaken.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """Three groups of four, e.g. `k7pq-m3xa-tw9e`: 14 characters, about 74 bits."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def village_username(village: Village) -> str:
    return f"desa-{village.code_digits}"


def account_event_record(
    *, kind: str, account: User | None, actor: User | None, username: str = "", detail: str = "", ip: str | None = None
) -> AccountEvent:
    regency_id = permissions.account_regency_id(account) if account is not None else None
    return AccountEvent.objects.create(
        kind=kind,
        user=account,
        actor=actor,
        username=username or (account.username if account else ""),
        regency_id=regency_id,
        detail=detail[:300],
        ip_address=ip,
    )


def _ensure(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# Which scope field each role keeps; the others are cleared so no stale scope stays behind.
_SCOPE = {
    Role.VILLAGE: ("village",),
    Role.DPMD: ("regency",),
    Role.BPJS: ("program", "branch_regencies"),
    Role.PROVINCE: ("province",),
}


def _apply_scope(account: User, role: str, scope: dict) -> list:
    """Set the role and its scope on `account`; returns the branch regencies to set once it is saved."""
    account.role = role
    kept = _SCOPE.get(role, ())
    for name in ("village", "regency", "program", "province"):
        setattr(account, name, scope.get(name) if name in kept else None)
    return list(scope.get("branch_regencies") or []) if "branch_regencies" in kept else []


def _set_one_time_password(account: User) -> str:
    password = one_time_password()
    account.set_password(password)
    account.must_change_password, account.one_time_password_used = True, False
    return password


@transaction.atomic
def account_create(
    *,
    actor: User,
    username: str,
    role: str,
    first_name: str = "",
    email: str = "",
    phone: str = "",
    **scope,
) -> tuple[User, str]:
    """An account with a one-time password: a village head/operator of a desa (`village`), DPMD staff of
    a regency (`regency`); for superusers also a BPJS officer (`program`, `branch_regencies`) or a
    province observer (`province`)."""
    _ensure(
        permissions.may_give(actor, role=role, village=scope.get("village"), regency=scope.get("regency")),
        _("You cannot give this role or scope."),
    )
    account = User(username=username.strip(), first_name=first_name, email=email, phone=phone)
    branch = _apply_scope(account, role, scope)
    password = _set_one_time_password(account)
    account._history_user = actor
    account.full_clean()
    account.save()
    if branch:
        account.branch_regencies.set(branch)
    account_event_record(
        kind=AccountEvent.Kind.CREATED, account=account, actor=actor, detail=account.get_role_display()
    )
    return account, password


@dataclass
class Slip:
    """What a village head is handed at the meeting: the desa, the login and its one-time password."""

    village: Village
    account: User
    password: str


@transaction.atomic
def accounts_create_for_villages(
    *, actor: User, regency: Regency | None = None, subdistrict: Subdistrict | None = None
) -> list[Slip]:
    """A village-head account for every desa of the regency (or kecamatan) that has none. A second run
    creates nothing: a desa with any account, active or not, is left alone."""
    regency = regency or subdistrict.regency
    villages = governed_villages(Village.objects.filter(subdistrict__regency=regency, is_active=True))
    if subdistrict is not None:
        villages = villages.filter(subdistrict=subdistrict)
    with_account = User.objects.filter(role=Role.VILLAGE).values("village_id")
    slips = []
    for village in villages.exclude(pk__in=with_account).select_related("subdistrict").order_by("code"):
        account, password = account_create(
            actor=actor,
            username=village_username(village),
            role=Role.VILLAGE,
            village=village,
            first_name=_("Kepala Desa %(village)s") % {"village": village.name},
        )
        slips.append(Slip(village=village, account=account, password=password))
    return slips


@transaction.atomic
def account_change(*, actor: User, account: User, role: str, **scope) -> User:
    """Give a managed account another role or scope (never one's own; never outside one's regency)."""
    _ensure(permissions.may_change_scope(actor, account), _("You cannot change the role or scope of this account."))
    _ensure(
        permissions.may_give(actor, role=role, village=scope.get("village"), regency=scope.get("regency")),
        _("You cannot give this role or scope."),
    )
    before = _scope_text(account)
    branch = _apply_scope(account, role, scope)
    account._history_user = actor
    account.full_clean()
    account.save()
    if role == Role.BPJS:
        account.branch_regencies.set(branch)
    after = _scope_text(account)
    account_event_record(kind=AccountEvent.Kind.CHANGED, account=account, actor=actor, detail=f"{before} → {after}")
    return account


def _scope_text(account: User) -> str:
    where = account.village_id or account.regency_id or account.program_id or account.province_id or ""
    return f"{account.get_role_display()} {where}".strip()


@transaction.atomic
def account_reset_password(*, actor: User, account: User) -> str:
    _ensure(permissions.may_manage(actor, account), _("You cannot reset the password of this account."))
    password = _set_one_time_password(account)
    account._history_user = actor
    account.save(update_fields=["password", "must_change_password", "one_time_password_used"])
    axes_reset(username=account.username)
    account_event_record(kind=AccountEvent.Kind.PASSWORD_RESET, account=account, actor=actor)
    return password


def locked_usernames(usernames) -> set[str]:
    """Which of these accounts are locked out now (too many wrong passwords, from any address)."""
    from django.conf import settings
    from django.utils import timezone

    attempts = AccessAttempt.objects.filter(
        username__in=list(usernames), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.values_list("username", flat=True))


@transaction.atomic
def account_unlock(*, actor: User, account: User) -> None:
    _ensure(permissions.may_manage(actor, account), _("You cannot unlock this account."))
    axes_reset(username=account.username)
    account_event_record(kind=AccountEvent.Kind.UNLOCKED, account=account, actor=actor)


@transaction.atomic
def account_set_active(*, actor: User, account: User, active: bool) -> User:
    """Deactivate or reactivate; accounts are never deleted, history keeps pointing at them."""
    _ensure(permissions.may_manage(actor, account), _("You cannot change this account."))
    if account.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    if account.is_active != active:
        account.is_active = active
        account._history_user = actor
        account.save(update_fields=["is_active"])
        if not active:
            Token.objects.filter(user=account).delete()
        kind = AccountEvent.Kind.REACTIVATED if active else AccountEvent.Kind.DEACTIVATED
        account_event_record(kind=kind, account=account, actor=actor)
    return account


@transaction.atomic
def password_changed(*, account: User, ip: str | None = None) -> None:
    """After the account chose its own password (change page or emailed reset link)."""
    if account.must_change_password:
        account.must_change_password = account.one_time_password_used = False
        account.save(update_fields=["must_change_password", "one_time_password_used"])
    account_event_record(kind=AccountEvent.Kind.PASSWORD_CHANGED, account=account, actor=account, ip=ip)


def password_check(password: str, account: User) -> None:
    """Django's validators (length, similarity, common, numeric), in the user's language."""
    validate_password(password, account)


@transaction.atomic
def profile_update(*, account: User, email: str, phone: str) -> User:
    account.email, account.phone = email.strip(), phone.strip()
    account._history_user = account
    account.full_clean()
    account.save(update_fields=["email", "phone"])
    return account


@transaction.atomic
def token_create(*, account: User) -> Token:
    """A new API token (the previous one, if any, stops working)."""
    Token.objects.filter(user=account).delete()
    token = Token.objects.create(user=account)
    account_event_record(kind=AccountEvent.Kind.TOKEN_CREATED, account=account, actor=account)
    return token


@transaction.atomic
def token_revoke(*, account: User) -> bool:
    deleted, _count = Token.objects.filter(user=account).delete()
    if deleted:
        account_event_record(kind=AccountEvent.Kind.TOKEN_REVOKED, account=account, actor=account)
    return bool(deleted)
