"""Applying a comparison's confirmed differences: each chosen line becomes an enrollment update through
the enrollment services, recorded in its history with the acting user; all of them or none."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import in_app_language
from bpjs.models import Reconciliation
from core.permissions import ensure_may_reconcile
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to, participant_number_taken_message, participant_numbers_taken
from enrollment.services import enrollment_change_status, participant_numbers_written

Status = Enrollment.Status


@transaction.atomic
def enrollment_set_participant_number(
    *, actor: User, enrollment: Enrollment, participant_number: str, reason: str = ""
) -> Enrollment:
    """Replace the participant number of an enrollment (BPJS reissued it); the old one stays in history."""
    if participant_numbers_taken([(enrollment, participant_number)]):
        raise ValidationError(
            {"participant_number": participant_number_taken_message(enrollment.program, participant_number)}
        )
    enrollment.participant_number = participant_number
    enrollment._history_user = actor
    enrollment._change_reason = reason
    enrollment.full_clean()
    with participant_numbers_written([enrollment]):
        enrollment.save()
    return enrollment


def _lines_by_key(result: dict) -> dict[str, dict]:
    return {line["key"]: line for village in result.get("villages", []) for line in village["lines"]}


def pending_lines(reconciliation: Reconciliation) -> list[dict]:
    """Lines with a change to apply that has not been applied yet."""
    return [line for line in _lines_by_key(reconciliation.result).values() if line["actions"] and not line["applied"]]


def _chosen_lines(result: dict, keys: list[str]) -> list[dict]:
    lines = _lines_by_key(result)
    chosen = []
    for key in dict.fromkeys(keys):
        line = lines.get(key)
        if line is None or not line["actions"]:
            raise ValidationError(_("There is nothing to apply for this row."))
        if line["applied"]:
            raise ValidationError(_("This row has already been applied."))
        chosen.append(line)
    if not chosen:
        raise ValidationError(_("Choose a row to apply."))
    return chosen


@transaction.atomic
def reconciliation_apply(
    *, actor: User, reconciliation: Reconciliation, keys: list[str], on: dt.date | None = None
) -> list[Enrollment]:
    """Turn confirmed matches into enrollment updates, all of them or none. Each line is applied once,
    and only if its enrollment is still as it was compared (else: compare again)."""
    ensure_may_reconcile(actor, reconciliation.regency, reconciliation.program)
    reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    on = on or timezone.localdate()
    chosen = _chosen_lines(reconciliation.result, keys)
    enrollments = (
        enrollments_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("person", "program")
        .in_bulk([line["enrollment"] for line in chosen])
    )
    with in_app_language():  # the history is read by others, in the app's language
        reason = _("Reconciliation with the BPJS list %(name)s") % {"name": reconciliation.original_name}
    done = []
    for line in chosen:
        enrollment = enrollments.get(line["enrollment"])
        if enrollment is None or (enrollment.status, enrollment.participant_number) != (
            line["status_here"],
            line["number_here"],
        ):
            raise ValidationError(
                _("The enrollment of %(name)s changed since this comparison. Upload the BPJS list again.")
                % {"name": line["name_here"]}
            )
        enrollment = _apply_line(actor=actor, enrollment=enrollment, line=line, on=on, reason=reason)
        line["applied"] = {"by": actor.get_username(), "at": timezone.now().isoformat(), "enrollment": enrollment.pk}
        done.append(enrollment)
    reconciliation.save(update_fields=["result"])
    return done


def _apply_line(*, actor: User, enrollment: Enrollment, line: dict, on: dt.date, reason: str) -> Enrollment:
    number = line["number_bpjs"]
    enrollment._change_reason = reason
    for action in line["actions"]:
        if action == "activate":
            enrollment = enrollment_change_status(
                actor=actor, enrollment=enrollment, status=Status.ACTIVE, on=on, participant_number=number
            )
        elif action == "set_number":
            enrollment = enrollment_set_participant_number(
                actor=actor, enrollment=enrollment, participant_number=number, reason=reason
            )
        elif action == "inactivate":
            enrollment._change_reason = reason
            enrollment = enrollment_change_status(actor=actor, enrollment=enrollment, status=Status.INACTIVE, on=on)
    return enrollment
