"""Writes of data-change requests: ask, check (DPMD), confirm (BPJS, per program), withdraw.

Every step is recorded on the request (who and when) and in its history; the Person changes only when
the last program confirms, with that officer as the history's user."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification, User
from accounts.notifications import bpjs_officers, dpmd_users, in_app_language, notify
from changes.models import DataChangeRequest, ProgramConfirmation
from changes.selectors import (
    active_program_ids,
    may_check,
    may_confirm,
    may_request,
    may_withdraw,
    regency_id,
)
from core import nik as nik_lib
from core.permissions import ensure
from core.uploads import document_prepare_file
from villages.identity import identity_frozen
from villages.models import Person, Post

Status = DataChangeRequest.Status


def _link(request: DataChangeRequest) -> str:
    return reverse("data-change-detail", args=[request.pk])


def _ensure_nik_free(nik: str, person: Person) -> None:
    if Person.objects.filter(nik_hash=nik_lib.hash_nik(nik)).exclude(pk=person.pk).exists():
        raise ValidationError({"nik": _("This NIK already belongs to another official.")})


def _new_values(person: Person, *, nik, full_name, birth_date, sex) -> dict:
    """The fields that really change, checked like the roster form checks them."""
    errors: dict[str, str | list[str]] = {}
    values: dict = {}
    if nik:
        check = nik_lib.check_nik(nik)
        if not check.valid:
            errors["nik"] = check.errors
        elif check.nik != person.nik:
            values["nik"] = check.nik
    if full_name is not None and " ".join(full_name.split()) and " ".join(full_name.split()) != person.full_name:
        values["full_name"] = " ".join(full_name.split())[:150]
    if birth_date and birth_date != person.birth_date:
        if birth_date > timezone.localdate():
            errors["birth_date"] = _("The birth date cannot be in the future.")
        values["birth_date"] = birth_date
    if sex and sex != person.sex:
        if sex not in Person.Sex.values:
            errors["sex"] = _("Write L (male) or P (female).")
        values["sex"] = sex
    if errors:
        raise ValidationError(errors)
    if not values:
        raise ValidationError(_("Nothing to change: write the new NIK, name, birth date or sex."))
    return values


def _store_ktp(request: DataChangeRequest, uploaded_file: UploadedFile) -> None:
    prepared = document_prepare_file(uploaded_file)
    request.ktp_token = secrets.token_hex(16)
    request.ktp_content_type = prepared.content_type
    request.ktp_size = prepared.size
    request.ktp_original_name = prepared.name
    request.ktp_file.save("upload", prepared.file, save=False)


@transaction.atomic
def data_change_request(
    *,
    actor: User,
    post: Post,
    reason: str,
    nik: str = "",
    full_name: str | None = None,
    birth_date: dt.date | None = None,
    sex: str = "",
    ktp: UploadedFile | None = None,
) -> DataChangeRequest:
    """Ask for a change of an active participant's identity, for the desa of one of their current posts.
    A reason is required, and for a new NIK the new KTP."""
    ensure(may_request(actor, post.village), _("You may not request changes for the officials of this village."))
    person = Person.objects.select_for_update().get(pk=post.person_id)
    if post.ended_on is not None:
        raise ValidationError(_("This post has ended: request the change through the official's current post."))
    if not identity_frozen(person):
        raise ValidationError(
            _("This official has no active BPJS enrollment: correct the data directly on the official's form.")
        )
    if DataChangeRequest.objects.filter(person=person, status__in=DataChangeRequest.OPEN_STATUSES).exists():
        raise ValidationError(_("This official already has a data-change request in progress."))
    values = _new_values(person, nik=nik, full_name=full_name, birth_date=birth_date, sex=sex)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Write the reason for the change, e.g. a typo on the KTP or a new KTP.")
    if "nik" in values and ktp is None:
        errors["ktp"] = _("A NIK change needs the new KTP: upload its scan (PDF, JPG or PNG).")
    if errors:
        raise ValidationError(errors)
    if "nik" in values:
        _ensure_nik_free(values["nik"], person)

    request = DataChangeRequest(person=person, village=post.village, reason=reason.strip(), requested_by=actor)
    if "nik" in values:
        request.set_nik(old=person.nik, new=values["nik"])
    for name in ("full_name", "birth_date", "sex"):
        if name in values:
            setattr(request, f"old_{name}", getattr(person, name))
            setattr(request, f"new_{name}", values[name])
    if ktp is not None:
        try:
            _store_ktp(request, ktp)
        except ValidationError as exc:
            raise ValidationError({"ktp": exc.messages}) from None
    request._history_user = actor
    try:
        request.full_clean()
        request.save()
    except Exception:
        if request.ktp_file:
            request.ktp_file.storage.delete(request.ktp_file.name)
        raise
    _add_confirmations(request, actor)
    with in_app_language():
        message = _("%(user)s asks to change the data of %(name)s (%(village)s): %(reason)s") % {
            "user": actor.get_full_name() or actor.username,
            "name": person.full_name,
            "village": post.village.name,
            "reason": request.reason,
        }
    notify(
        users=dpmd_users(regency_id(request)),
        kind=Notification.Kind.CHANGE_REQUESTED,
        message=message,
        link=_link(request),
    )
    return request


def _add_confirmations(request: DataChangeRequest, actor: User) -> None:
    """One confirmation per program the person is active in (those activated since are added)."""
    have = set(request.confirmations.values_list("program_id", flat=True))
    for program_id in active_program_ids(request.person):
        if program_id not in have:
            confirmation = ProgramConfirmation(request=request, program_id=program_id)
            confirmation._history_user = actor
            confirmation.save()


def _ensure_status(request: DataChangeRequest, status: str) -> None:
    if request.status != status:
        raise ValidationError(
            _("This request is %(status)s: it cannot take this step.") % {"status": request.get_status_display()}
        )


def _locked(request: DataChangeRequest) -> DataChangeRequest:
    return (
        DataChangeRequest.objects.select_for_update()
        .select_related("person", "village__subdistrict")
        .get(pk=request.pk)
    )


def _requester_told(request: DataChangeRequest, message: str) -> None:
    notify(users=[request.requested_by], kind=Notification.Kind.CHANGE_DECIDED, message=message, link=_link(request))


@transaction.atomic
def data_change_check(*, actor: User, request: DataChangeRequest, approve: bool, note: str = "") -> DataChangeRequest:
    """DPMD's check: approved, the request goes to the BPJS officers of each active program; rejected (a
    note is required), it ends and the requester is told."""
    ensure(may_check(actor, request), _("Only DPMD staff of the regency check data-change requests."))
    request = _locked(request)
    _ensure_status(request, Status.WAITING_DPMD)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Write why the request is rejected.")})
    request.checked_by = actor
    request.checked_at = timezone.now()
    request.check_note = note
    request.status = Status.WAITING_BPJS if approve else Status.REJECTED
    if not approve:
        request.closed_at = request.checked_at
    request._history_user = actor
    request.save()
    name = request.person.full_name
    if approve:
        _add_confirmations(request, actor)
        waiting = request.confirmations.filter(status=ProgramConfirmation.Status.WAITING)
        with in_app_language():
            message = _("DPMD approved a data-change request of %(name)s (%(village)s): please confirm it.") % {
                "name": name,
                "village": request.village.name,
            }
        officers = bpjs_officers(waiting.values_list("program_id", flat=True), regency_id(request))
        notify(users=officers, kind=Notification.Kind.CHANGE_REQUESTED, message=message, link=_link(request))
    else:
        with in_app_language():
            message = _("DPMD rejected the data-change request of %(name)s: %(note)s") % {"name": name, "note": note}
        _requester_told(request, message)
    return request


@transaction.atomic
def data_change_confirm(
    *, actor: User, request: DataChangeRequest, confirm: bool, note: str = "", program_id: str | None = None
) -> DataChangeRequest:
    """A BPJS officer's answer for their program (a superuser names the program). When every program has
    confirmed, the Person takes the new values; one rejection ends the request."""
    request = _locked(request)
    program_id = program_id or actor.program_id
    confirmation = request.confirmations.select_related("program").filter(program_id=program_id).first()
    if confirmation is None or not may_confirm(actor, confirmation):
        raise PermissionDenied(_("You confirm the data changes of your own program and branch only."))
    _ensure_status(request, Status.WAITING_BPJS)
    if confirmation.status != ProgramConfirmation.Status.WAITING:
        raise ValidationError(_("Your program has already answered this request."))
    note = (note or "").strip()
    if not confirm and not note:
        raise ValidationError({"note": _("Write why the request is rejected.")})
    now = timezone.now()
    confirmation.status = ProgramConfirmation.Status.CONFIRMED if confirm else ProgramConfirmation.Status.REJECTED
    confirmation.decided_by, confirmation.decided_at, confirmation.note = actor, now, note
    confirmation._history_user = actor
    confirmation.save()
    name = request.person.full_name
    if not confirm:
        _close(request, Status.REJECTED, actor, now)
        with in_app_language():
            message = _("BPJS (%(program)s) rejected the data-change request of %(name)s: %(note)s") % {
                "program": confirmation.program.short_name,
                "name": name,
                "note": note,
            }
        _requester_told(request, message)
    elif not request.confirmations.exclude(status=ProgramConfirmation.Status.CONFIRMED).exists():
        _apply(request, actor)
        _close(request, Status.CONFIRMED, actor, now)
        with in_app_language():
            message = _("BPJS confirmed the data change of %(name)s: the new data is now recorded.") % {
                "name": request.person.full_name
            }
        _requester_told(request, message)
    return request


def _close(request: DataChangeRequest, status: str, actor: User, now) -> None:
    request.status = status
    request.closed_at = now
    request._history_user = actor
    request.save()


def _apply(request: DataChangeRequest, actor: User) -> None:
    """The Person takes the confirmed values; its history names the last confirmer and the request."""
    person = Person.objects.select_for_update().get(pk=request.person_id)
    if request.new_nik:
        _ensure_nik_free(request.new_nik, person)
        person.nik = request.new_nik
    for name in ("full_name", "birth_date", "sex"):
        value = getattr(request, f"new_{name}")
        if value not in ("", None):
            setattr(person, name, value)
    person._history_user = actor
    person._change_reason = f"data-change request #{request.pk}"
    person.full_clean()
    person.save()
    request.person = person


@transaction.atomic
def data_change_withdraw(*, actor: User, request: DataChangeRequest) -> DataChangeRequest:
    """Who asked (or whoever may edit the desa's roster) withdraws a request still in progress."""
    ensure(may_withdraw(actor, request), _("You may not withdraw this request."))
    request = _locked(request)
    if not request.is_open:
        raise ValidationError(_("This request is already closed."))
    _close(request, Status.WITHDRAWN, actor, timezone.now())
    return request
