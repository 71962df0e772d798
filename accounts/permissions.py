"""Who may look after which accounts.

DPMD staff look after the accounts of their own regency: the village heads and operators of its desa
and its own DPMD staff. They never give a role or scope outside their regency, never make a superuser
or staff user, never change their own role or scope, and never touch BPJS officers or observers.
Superusers look after every account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.roles import Role

if TYPE_CHECKING:
    from accounts.models import User
    from core.models import Regency, Village

# The roles a DPMD may give; superusers give any.
DPMD_GIVES = (Role.VILLAGE, Role.DPMD)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def may_manage_accounts(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.DPMD)


def may_onboard_regencies(user: User) -> bool:
    """Setting up a new regency (its regions and its first DPMD account) is a superuser's act."""
    return _active(user) and user.is_superuser


def account_regency_id(account: User) -> str | None:
    """The regency whose DPMD looks after an account, or None (BPJS officers, observers, superusers)."""
    if account.is_superuser or account.is_staff:
        return None
    if account.role == Role.VILLAGE and account.village_id:
        return account.village_id[:5]  # Kemendagri codes nest: 17.06.01.2005 lies in 17.06
    if account.role == Role.DPMD:
        return account.regency_id
    return None


def may_manage(actor: User, account: User) -> bool:
    """Reset, unlock, deactivate or edit this account."""
    if not may_manage_accounts(actor):
        return False
    if actor.is_superuser:
        return True
    return account_regency_id(account) == actor.regency_id


def may_give(actor: User, *, role: str, village: Village | None = None, regency: Regency | None = None) -> bool:
    """Give this role and scope to an account (a new one, or one the actor manages)."""
    if not may_manage_accounts(actor):
        return False
    if actor.is_superuser:
        return True
    if role not in DPMD_GIVES:
        return False
    if role == Role.VILLAGE:
        return village is not None and village.subdistrict.regency_id == actor.regency_id
    return regency is not None and regency.pk == actor.regency_id


def may_change_scope(actor: User, account: User) -> bool:
    """Nobody but a superuser changes their own role or scope."""
    return may_manage(actor, account) and (actor.is_superuser or actor.pk != account.pk)
