"""Who may do what to which object: every permission decision of the app is one function here, used by
the views, the API, the services and the admin, so a rule changes in one place.

Predicates read only the user and attributes of the object (`village_id`, `subdistrict.regency_id`,
`program_id`, ...), never a model of a higher app, so this base module imports none of the apps above it.
They agree with the scoping selectors of core.selectors (a test holds them together): a selector answers
"which rows", a predicate "this row?" without a query.

Objects are fetched through getters in the manner of healthchecks' `_get_check_for_user`: outside the
user's scope is a 404 (nothing says the object exists), inside it a read-only role writing is a 403.
Regions have theirs here; the apps above build theirs on `object_for_user`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from core.models import Program, Regency, Subdistrict, Village
from core.roles import Role
from core.selectors import governed_villages, regencies_visible_to, subdistricts_visible_to, villages_visible_to

if TYPE_CHECKING:
    from accounts.models import User

T = TypeVar("T")

# The one step of a submission that is the village's own; the others (verify, return, forward) are DPMD's.
VILLAGE_STEPS = ("submit",)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _superuser(user: User) -> bool:
    return _active(user) and user.is_superuser


# --- whose scope is what -----------------------------------------------------------------------------


def own_regency(user: User) -> str | None:
    """The code of the regency the user works for as DPMD staff, or None."""
    return user.regency_id if _active(user) and user.role == Role.DPMD else None


def own_village(user: User) -> str | None:
    """The code of the desa the user works for as its head or operator, or None."""
    return user.village_id if _active(user) and user.role == Role.VILLAGE else None


def has_regency_scope(user: User) -> bool:
    """Everyone but a village head works across regencies' pages (dashboards, queues); a village head's
    scope is their desa, and the regency pages are not theirs."""
    return _superuser(user) or (_active(user) and user.role != Role.VILLAGE)


def compares_regencies(user: User) -> bool:
    """The comparison of regencies is the home of province observers and superusers."""
    return _superuser(user) or (_active(user) and user.role == Role.PROVINCE)


def may_see_nik(user: User) -> bool:
    """The roles that register people with BPJS need the full NIK; observers see it masked."""
    return _superuser(user) or (_active(user) and user.role in (Role.DPMD, Role.VILLAGE, Role.BPJS))


def may_see_participant_number(user: User, program: Program | str) -> bool:
    """A participant number opens the person's account at BPJS (a KPJ number their JMO balance): DPMD
    staff, village heads and operators and the BPJS officers of its program (given as a Program or its
    code) see it whole, within the officials their scope shows them; observers need only the status
    and see it masked (core.masks)."""
    if not _active(user):
        return False
    if user.is_superuser or user.role in (Role.DPMD, Role.VILLAGE):
        return True
    code = program.pk if isinstance(program, Program) else program
    return user.role == Role.BPJS and code == user.program_id


def may_use_program(user: User, program: Program) -> bool:
    """A BPJS officer works in their own program; every other role in all of them."""
    if _active(user) and not user.is_superuser and user.role == Role.BPJS:
        return program.pk == user.program_id
    return True


def may_administer(user: User) -> bool:
    """The Administration link is offered to superusers; staff users reach the scoped admin by its address."""
    return _superuser(user)


def may_change_reference_data(user: User) -> bool:
    """Contribution rates and other regulation are changed by superusers only, in the admin."""
    return _superuser(user)


# --- regions -----------------------------------------------------------------------------------------


def may_edit_regency(user: User, regency: Regency | str) -> bool:
    """DPMD staff decide for their regency (given as a Regency or its code) as a whole: its officials
    file, budget, village ADD, scenarios, coverage targets, NIK conflicts; superusers for every regency.
    Other roles read only."""
    if not _active(user):
        return False
    code = regency.pk if isinstance(regency, Regency) else regency
    return user.is_superuser or (user.role == Role.DPMD and user.regency_id == code)


def may_edit_village(user: User, village: Village) -> bool:
    """The roster of a desa (its officials, their documents, its submissions, its budget): its own head or
    operator, DPMD staff of its regency, superusers. A kelurahan has no roster; BPJS officers and province
    observers read only."""
    if not _active(user) or not village.has_government:
        return False
    if user.is_superuser:
        return True
    if user.role == Role.VILLAGE:
        return user.village_id == village.pk
    if user.role == Role.DPMD:
        return village.subdistrict.regency_id == user.regency_id
    return False


def may_edit_roster_file(user: User, roster_import: Any) -> bool:
    """An officials file: a desa's is for whoever may edit the desa, a regency's (no desa) for its DPMD
    staff."""
    if roster_import.village_id:
        return may_edit_village(user, roster_import.village)
    return may_edit_regency(user, roster_import.regency)


def may_edit_documents(user: User, villages: Iterable[Village]) -> bool:
    """An official's documents: whoever may edit a desa where the official holds a current post (the
    caller gives those desa)."""
    return any(may_edit_village(user, village) for village in villages)


def may_edit_identity(user: User, home_village: Village | None) -> bool:
    """An official's NIK, name, sex, birth date and phone belong to the desa of their home post
    (villages.selectors.home_post, the caller gives its desa): whoever may edit that desa, which covers
    DPMD staff of its regency and superusers. A second desa (an acting post) changes its own post only."""
    if home_village is None:
        return _superuser(user)
    return may_edit_village(user, home_village)


def may_open_documents(user: User) -> bool:
    """Document files are opened by the roles that register people; province observers see only whether
    a paper is there."""
    return _superuser(user) or (_active(user) and user.role != Role.PROVINCE)


# --- submissions -------------------------------------------------------------------------------------


def may_start_submission(user: User, village: Village, program: Program | None = None) -> bool:
    """Whoever may edit the desa's roster, in a program they work in."""
    return may_edit_village(user, village) and (program is None or may_use_program(user, program))


def may_take_step(user: User, submission: Any, step: str) -> bool:
    """Whether the user's role allows the step on this submission, whatever its status: submitting is the
    desa's own act (its head or operator), verifying, returning and forwarding that of DPMD staff of the
    regency; superusers do every step."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if step in VILLAGE_STEPS:
        return user.role == Role.VILLAGE and user.village_id == submission.village_id
    return user.role == Role.DPMD and user.regency_id == submission.village.subdistrict.regency_id


# --- BPJS: the review queue and reconciliation -------------------------------------------------------


def may_view_queue(user: User) -> bool:
    """BPJS officers, DPMD staff (read only) and superusers open the review queue; other roles have none."""
    return _superuser(user) or (_active(user) and user.role in (Role.BPJS, Role.DPMD))


def may_review(user: User) -> bool:
    """Approving and rejecting is BPJS's act: its officers and superusers."""
    return _superuser(user) or (_active(user) and user.role == Role.BPJS)


def ensure_may_review(user: User, enrollments: Iterable[Any] = ()) -> None:
    """PermissionDenied unless the user may review, and each enrollment is of their own program."""
    if not may_review(user):
        raise PermissionDenied(_("Only BPJS officers approve or reject requests; you can see the queue only."))
    if not user.is_superuser and any(e.program_id != user.program_id for e in enrollments):
        raise PermissionDenied(_("You review the requests of your own program only."))


def may_reconcile(user: User) -> bool:
    """DPMD staff and BPJS officers compare BPJS lists with the enrollments recorded here."""
    return _superuser(user) or (_active(user) and user.role in (Role.DPMD, Role.BPJS))


def may_reconcile_in(user: User, regency: Regency, program: Program) -> bool:
    """DPMD staff in their regency (every program); BPJS officers in the regencies of their branch, in
    their program; superusers everywhere."""
    if not may_reconcile(user):
        return False
    if user.is_superuser:
        return True
    if user.role == Role.DPMD:
        return regency.pk == user.regency_id
    return program.pk == user.program_id and user.branch_regencies.filter(pk=regency.pk).exists()


def ensure_may_reconcile(user: User, regency: Regency, program: Program) -> None:
    if not may_reconcile(user):
        raise PermissionDenied(_("Only DPMD staff and BPJS officers reconcile with BPJS lists."))
    if not may_reconcile_in(user, regency, program):
        raise PermissionDenied(_("You cannot reconcile this regency and program."))


# --- budgets -----------------------------------------------------------------------------------------


def may_edit_budget(user: User, payer: Any) -> bool:
    """A budget row's payer (anything with `regency` and `village`: a Payer, an Allocation, a Payment): a
    regency's budget is its DPMD staff's, a desa's is whoever may edit the desa."""
    if payer.regency is not None:
        return may_edit_regency(user, payer.regency)
    return payer.village is not None and may_edit_village(user, payer.village)


# --- services: the same check everywhere -------------------------------------------------------------


def ensure(allowed: bool, message: str | None = None) -> None:
    """A service's permission check: PermissionDenied (a 403) with the reason, in the user's language."""
    if not allowed:
        raise PermissionDenied(message or _("Your role may look at this but not change it."))


# --- accounts ------------------------------------------------------------------------------------------
# DPMD staff look after the accounts of their own regency: the village heads and operators of its desa
# and its own DPMD staff. They never give a role or scope outside their regency, never make a superuser
# or staff user, never change their own role or scope, and never touch BPJS officers or observers.
# Superusers look after every account.

# The roles a DPMD may give; superusers give any.
DPMD_GIVES = (Role.VILLAGE, Role.DPMD)


def may_read_access_log(user: User) -> bool:
    """The log of exports and document downloads: DPMD staff for their regency, superusers for all."""
    return _active(user) and (user.is_superuser or user.role == Role.DPMD)


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


# --- getters -----------------------------------------------------------------------------------------


def object_for_user(
    queryset: QuerySet[T],
    *,
    write: bool = False,
    may_write: Callable[[T], bool] | None = None,
    denied: str | None = None,
    **lookup,
) -> T:
    """The object `lookup` names within `queryset`, a scoping selector's rows for the user: a 404 outside
    them. With `write`, a 403 (saying `denied`, when given) unless `may_write(obj)` holds."""
    obj = get_object_or_404(queryset, **lookup)
    if write and (may_write is None or not may_write(obj)):
        raise PermissionDenied(*([denied] if denied else []))
    return obj


def village_for_user(user: User, code: str, *, write: bool = False, governed: bool = False) -> Village:
    """A desa or kelurahan by its code (a desa only with `governed`); `write` for changing its roster."""
    villages = villages_visible_to(user)
    if governed:
        villages = governed_villages(villages)
    return object_for_user(villages, write=write, may_write=lambda v: may_edit_village(user, v), pk=code)


def regency_for_user(user: User, code: str, *, write: bool = False) -> Regency:
    """A regency by its code; `write` for deciding for it as a whole."""
    return object_for_user(
        regencies_visible_to(user), write=write, may_write=lambda r: may_edit_regency(user, r), pk=code
    )


def subdistrict_for_user(user: User, code: str, *, write: bool = False) -> Subdistrict:
    """A subdistrict by its code; writing to it is writing for its regency."""
    return object_for_user(
        subdistricts_visible_to(user), write=write, may_write=lambda s: may_edit_regency(user, s.regency), pk=code
    )
