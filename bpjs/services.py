"""Writes of the BPJS review: approving requested enrollments (one or many, all or nothing) with their
participant numbers and start dates, and rejecting one with a reason the village reads.

Participant numbers follow the program's rules (core.models.Program.participant_number_error and
_warning: a JKN card number has exactly 13 digits, a KPJ number usually 11); a number belongs to one
official (enrollment.selectors.participant_numbers_taken)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Notification, User
from accounts.notifications import Message, dpmd_users, in_app_language, notify, notify_many, village_users
from core.models import Village
from core.permissions import ensure_may_review
from core.roles import Role
from core.versioning import ensure_current
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to, participant_number_taken_message, participant_numbers_taken
from enrollment.services import ParticipantNumberTaken, enrollment_change_status, enrollments_activate
from villages.models import Post

Status = Enrollment.Status
_SEPARATORS = re.compile(r"[\s.\-]")


# --- approving and rejecting -------------------------------------------------------------------------

# (enrollment, participant number, start date)
Item = tuple[Enrollment, str, dt.date | None]


@dataclass(frozen=True)
class RowIssue:
    """One problem of one item: `index` is its position in the items (0-based)."""

    index: int
    enrollment_id: int | None
    field: str  # enrollment, participant_number, start_date
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "enrollment": self.enrollment_id, "field": self.field, "message": self.message}


class ApprovalError(ValidationError):
    """Some items cannot be approved; none was. `issues` says which and why, row by row."""

    def __init__(self, issues: list[RowIssue]):
        rows = len({issue.index for issue in issues})
        super().__init__(
            ngettext(
                "%(n)s row has an error, so nothing was approved. Correct it and try again.",
                "%(n)s rows have errors, so nothing was approved. Correct them and try again.",
                rows,
            )
            % {"n": rows}
        )
        self.issues = issues


@dataclass
class ApprovalResult:
    approved: list[Enrollment]
    warnings: list[RowIssue]


def normalize_participant_number(value: object) -> str:
    """'0011 3365 26592', '0011.3365.26592' and "'0011336526592" all read 0011336526592."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SEPARATORS.sub("", str(value)).lstrip("'")


def _item_issues(index: int, enrollment: Enrollment, number: str, start: dt.date | None) -> list[RowIssue]:
    """The problems of one item by itself: its status, its start date and its number's own rules."""
    issues = []
    if enrollment.status != Status.REQUESTED:
        message = _("This request is no longer waiting for review: the enrollment is %(status)s.") % {
            "status": enrollment.get_status_display()
        }
        issues.append(RowIssue(index, enrollment.pk, "enrollment", message))
    if start is None:
        issues.append(RowIssue(index, enrollment.pk, "start_date", _("Give the start date.")))
    if message := enrollment.program.participant_number_error(number):
        issues.append(RowIssue(index, enrollment.pk, "participant_number", message))
    return issues


def check_approvals(
    items: list[Item], *, describe: Callable[[int], str] | None = None
) -> tuple[list[RowIssue], list[RowIssue]]:
    """Every error and warning of the items, without writing anything. One query (numbers in use).
    `describe(index)` names an item in the message about a number given twice (the official's name by
    default; a sheet says its row)."""
    describe = describe or (lambda index: items[index][0].person.full_name)
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    seen_numbers: dict[tuple[str, str], int] = {}
    seen_enrollments: set[int] = set()
    usable: list[tuple[int, Enrollment, str]] = []
    for index, (enrollment, number, start) in enumerate(items):
        if enrollment.pk in seen_enrollments:
            twice = _("The same request appears twice in this list.")
            errors.append(RowIssue(index, enrollment.pk, "enrollment", twice))
            continue
        seen_enrollments.add(enrollment.pk)
        issues = _item_issues(index, enrollment, number, start)
        errors += issues
        if any(issue.field == "participant_number" for issue in issues):
            continue
        if warning := enrollment.program.participant_number_warning(number):
            warnings.append(RowIssue(index, enrollment.pk, "participant_number", warning))
        key = (enrollment.program_id, number)
        if key in seen_numbers:
            message = _("The participant number %(number)s is given twice in this list: also for %(other)s.") % {
                "number": number,
                "other": describe(seen_numbers[key]),
            }
            errors.append(RowIssue(index, enrollment.pk, "participant_number", message))
            continue
        seen_numbers[key] = index
        usable.append((index, enrollment, number))
    taken = participant_numbers_taken((e, n) for _, e, n in usable)
    for index, enrollment, number in usable:
        if (enrollment.program_id, number) in taken:
            message = participant_number_taken_message(enrollment.program, number)
            errors.append(RowIssue(index, enrollment.pk, "participant_number", message))
    return sorted(errors, key=lambda i: i.index), warnings


def approval_items(user: User, rows: list[tuple[int, str, dt.date | None]]) -> list[Item]:
    """(enrollment id, participant number as typed, start date) → approval items, the page's and the
    API's alike: the enrollments are read within the user's scope (any outside it: a 404) and the numbers
    normalised. Who may approve is checked by the caller and again by `enrollments_approve`."""
    ids = [pk for pk, _, _ in rows]
    enrollments = enrollments_visible_to(user).select_related("person", "program").in_bulk(ids)
    if len(enrollments) != len(set(ids)):
        raise Http404
    return [(enrollments[pk], normalize_participant_number(number), start) for pk, number, start in rows]


@transaction.atomic
def enrollments_approve(*, actor: User, items: list[Item], versions: dict[int, int] | None = None) -> ApprovalResult:
    """Activate every requested enrollment of `items` with its participant number and start date, or
    none of them: all items are checked first (ApprovalError lists each row's problem). The enrollments
    are read again under a lock, so two officers approving at once cannot both succeed; `versions`
    (enrollment id → version as the officer read it) refuses one changed since (StaleVersion)."""
    ensure_may_review(actor, (e for e, _, _ in items))
    ids = [e.pk for e, _, _ in items]
    locked = {
        e.pk: e
        for e in enrollments_visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("person", "program")
    }
    if set(ids) - set(locked):
        raise PermissionDenied(_("Some of these requests are outside your area."))
    for pk, version in (versions or {}).items():
        if pk in locked:
            ensure_current(locked[pk], version)
    fresh = [(locked[e.pk], number, start) for e, number, start in items]
    errors, warnings = check_approvals(fresh)
    if errors:
        raise ApprovalError(errors)
    try:
        approved = enrollments_activate(actor=actor, items=fresh)
    except ParticipantNumberTaken as exc:  # a concurrent approval took the number after the check above
        message = participant_number_taken_message
        raise ApprovalError(
            [
                RowIssue(index, e.pk, "participant_number", message(e.program, number))
                for index, (e, number, _) in enumerate(fresh)
                if e.pk in exc.enrollment_ids
            ]
        ) from exc
    except ValidationError as exc:  # the model's own checks: nothing of the batch is kept
        raise ApprovalError([RowIssue(0, None, "enrollment", " ".join(exc.messages))]) from exc
    _announce_approvals(approved)
    return ApprovalResult(approved=approved, warnings=warnings)


def _announce_approvals(approved: list[Enrollment]) -> None:
    """One notification per desa and program of the batch to the desa, and one per regency and program
    to its DPMD, however many officials were approved. A constant number of queries."""
    rows = list(
        Post.objects.current()
        .filter(person__enrollments__in=[e.pk for e in approved])
        .values("village", "village__name", "village__subdistrict__regency_id", "person__enrollments__program")
        .annotate(n=Count("person", distinct=True))
        .order_by("village")
    )
    if not rows:
        return
    programs = {e.program_id: e.program for e in approved}
    people = defaultdict(list)
    for user in User.objects.filter(is_active=True).filter(
        Q(role=Role.VILLAGE, village__in={r["village"] for r in rows})
        | Q(role=Role.DPMD, regency__in={r["village__subdistrict__regency_id"] for r in rows})
    ):
        people[user.village_id if user.role == Role.VILLAGE else user.regency_id].append(user)
    to_villages, regencies = [], defaultdict(list)
    with in_app_language():
        for row in rows:
            program = programs[row["person__enrollments__program"]]
            message = ngettext(
                "%(program)s approved the registration of %(n)s official of %(village)s.",
                "%(program)s approved the registration of %(n)s officials of %(village)s.",
                row["n"],
            ) % {"n": row["n"], "program": program.short_name, "village": row["village__name"]}
            link = reverse("village-bpjs-status", args=[row["village"]])
            to_villages.append(Message(people[row["village"]], message, link))
            regencies[(row["village__subdistrict__regency_id"], program.pk)].append(row["n"])
        to_dpmd = [
            Message(
                people[regency_id],
                ngettext(
                    "%(program)s approved the registration of %(n)s official from %(villages)s desa.",
                    "%(program)s approved the registration of %(n)s officials from %(villages)s desa.",
                    sum(counts),
                )
                % {"n": sum(counts), "program": programs[program_id].short_name, "villages": len(counts)},
            )
            for (regency_id, program_id), counts in regencies.items()
        ]
    notify_many(kind=Notification.Kind.APPROVED, messages=[*to_villages, *to_dpmd])


@transaction.atomic
def enrollment_reject(*, actor: User, enrollment: Enrollment, reason: str, version: int | None = None) -> Enrollment:
    """Reject a request with a reason. The reason is kept on the enrollment, shown on the desa's BPJS page
    and sent to the village head and operators. `version` is the enrollment's as the officer read it."""
    ensure_may_review(actor, [enrollment])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the request is rejected: the village will read it.")})
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("person", "program").get(pk=enrollment.pk)
    )
    ensure_current(enrollment, version)
    if enrollment.status != Status.REQUESTED:
        raise ValidationError(
            _("This request is no longer waiting for review: the enrollment is %(status)s.")
            % {"status": enrollment.get_status_display()}
        )
    enrollment.rejection_reason = reason
    enrollment = enrollment_change_status(
        actor=actor, enrollment=enrollment, status=Status.REJECTED, on=timezone.localdate()
    )
    _announce_rejection(enrollment)
    return enrollment


def _announce_rejection(enrollment: Enrollment) -> None:
    """The desa of the official and its regency's DPMD: one notification each for the rejection."""
    villages = Village.objects.filter(
        posts__in=Post.objects.current().filter(person=enrollment.person_id)
    ).select_related("subdistrict")
    for village in villages.distinct():
        with in_app_language():
            message = _("%(program)s rejected the registration request for %(name)s (%(village)s): %(reason)s") % {
                "program": enrollment.program.short_name,
                "name": enrollment.person.full_name,
                "village": village.name,
                "reason": enrollment.rejection_reason,
            }
        users = [*village_users(village), *dpmd_users(village.subdistrict.regency_id)]
        link = reverse("village-bpjs-status", args=[village.pk])
        notify(users=users, kind=Notification.Kind.REJECTED, message=message, link=link)
