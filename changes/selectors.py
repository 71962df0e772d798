"""Reads of data-change requests: whose identity is frozen, who sees which request, who acts on it.

A request is seen where its desa is seen (the desa, DPMD and observers of its regency, superusers); a
BPJS officer sees those of the branch's regencies that wait for, or had, their program's confirmation.
Outside that a request does not exist (a 404): page, API and KTP file alike."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from changes.models import DataChangeRequest, ProgramConfirmation
from core.permissions import may_edit_regency, may_edit_village, object_for_user
from core.roles import Role
from core.selectors import villages_visible_to
from enrollment.models import Enrollment
from villages.models import Post


def frozen_person_ids(person_ids: Iterable[int]) -> set[int]:
    """Persons with an active enrollment in any program: BPJS holds their identity (one query)."""
    ids = list(person_ids)
    if not ids:
        return set()
    return set(
        Enrollment.objects.filter(person_id__in=ids, status=Enrollment.Status.ACTIVE).values_list(
            "person_id", flat=True
        )
    )


def active_program_ids(person) -> list[str]:
    return sorted(
        Enrollment.objects.filter(person=person, status=Enrollment.Status.ACTIVE).values_list("program_id", flat=True)
    )


def data_changes_visible_to(user: User) -> QuerySet[DataChangeRequest]:
    qs = DataChangeRequest.objects.select_related(
        "person", "village__subdistrict__regency", "requested_by", "checked_by"
    )
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    qs = qs.filter(village__in=villages_visible_to(user))
    if user.role == Role.BPJS:
        qs = qs.filter(confirmations__program_id=user.program_id)
    return qs


def data_change_for_user(user: User, pk: int) -> DataChangeRequest:
    """A request within the user's scope; a 404 outside it (whatever the action: each service checks it)."""
    return object_for_user(data_changes_visible_to(user), pk=pk)


# --- who may act -------------------------------------------------------------------------------------


def regency_id(request: DataChangeRequest) -> str:
    return request.village.subdistrict.regency_id


def may_request(user: User, village) -> bool:
    """Whoever may edit the desa's roster: its head or operator, DPMD staff of its regency, superusers."""
    return may_edit_village(user, village)


def may_check(user: User, request: DataChangeRequest) -> bool:
    """DPMD staff of the request's regency (and superusers)."""
    return may_edit_regency(user, regency_id(request))


def may_confirm(user: User, confirmation: ProgramConfirmation) -> bool:
    """The BPJS officer of the confirmation's program whose branch covers the regency (and superusers)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        user.role == Role.BPJS
        and user.program_id == confirmation.program_id
        and user.branch_regencies.filter(pk=regency_id(confirmation.request)).exists()
    )


def may_withdraw(user: User, request: DataChangeRequest) -> bool:
    """Who asked, or whoever may edit the desa's roster."""
    return user.is_authenticated and (user.pk == request.requested_by_id or may_edit_village(user, request.village))


def confirmation_for(user: User, request: DataChangeRequest) -> ProgramConfirmation | None:
    """The part of the request the user would confirm: a BPJS officer's program's; for a superuser the
    first one still waiting."""
    confirmations = request.confirmations.select_related("program")
    if user.is_superuser:
        return confirmations.filter(status=ProgramConfirmation.Status.WAITING).first()
    return confirmations.filter(program_id=user.program_id).first() if user.role == Role.BPJS else None


# --- the official's page -----------------------------------------------------------------------------


def data_change_timeline(change: DataChangeRequest, confirmations: list | None = None) -> list[dict]:
    """Who asked, who checked, who confirmed: the steps in the order they happened."""
    if confirmations is None:
        confirmations = list(change.confirmations.select_related("program", "decided_by"))
    steps = [{"at": change.requested_at, "user": change.requested_by, "what": _("asked"), "note": change.reason}]
    if change.checked_at:
        approved = change.status != DataChangeRequest.Status.REJECTED or any(
            c.status == c.Status.REJECTED for c in confirmations
        )
        what = _("approved by DPMD") if approved else _("rejected by DPMD")
        steps.append({"at": change.checked_at, "user": change.checked_by, "what": what, "note": change.check_note})
    for c in confirmations:
        if c.decided_at:
            confirmed = c.status == c.Status.CONFIRMED
            what = _("confirmed by BPJS %(program)s") if confirmed else _("rejected by BPJS %(program)s")
            what %= {"program": c.program.short_name}
            steps.append({"at": c.decided_at, "user": c.decided_by, "what": what, "note": c.note})
    if change.status == DataChangeRequest.Status.WITHDRAWN:
        steps.append({"at": change.closed_at, "user": None, "what": _("withdrawn"), "note": ""})
    return sorted(steps, key=lambda s: s["at"])


def official_section(user: User, person) -> dict:
    """The data changes of an official as their page shows them: each request with its history, and the
    post through which the user may ask for a new one (an active participant, none in progress)."""
    changes = list(
        data_changes_visible_to(user)
        .filter(person=person)
        .select_related("requested_by", "checked_by")
        .prefetch_related("confirmations__program", "confirmations__decided_by")
    )
    for change in changes:
        change.timeline = data_change_timeline(change, list(change.confirmations.all()))
    post = None
    if person.pk in frozen_person_ids([person.pk]) and not any(c.is_open for c in changes):
        posts = Post.objects.current().filter(person=person).select_related("village__subdistrict")
        post = next((p for p in posts if may_request(user, p.village)), None)
    return {"data_changes": changes, "data_change_post": post}
