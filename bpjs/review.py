"""BPJS review of requested enrollments (issue "BPJS review, reconciliation", parts 1 and 2).

- the queue: requested enrollments a user may review, grouped by desa;
- approving (one or many, all or nothing) with participant number and start date; rejecting with a
  reason the village reads.

The collective-registration sheet (exported, filled in by BPJS, imported back) is bpjs/sheet.py.

Who: a BPJS officer reviews the requests of their program in the regencies of their branch; DPMD staff
see the queue of their regency but do not act on it (a 403); superusers do everything. Objects come from
`enrollments_visible_to`, so anything outside the user's scope is a 404 in the views.

Participant numbers (rules.md §2): a JKN card number has exactly 13 digits (an error otherwise); a KPJ
number has digits only and usually 11 of them (a warning otherwise, never an error).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.notifications import in_app_language, notify, village_users
from core.models import Program, Regency, Village
from core.roles import Role
from core.selectors import governed_villages, villages_visible_to
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to
from enrollment.services import enrollment_change_status, enrollments_activate
from villages.models import FamilyMember, Person, Post

Status = Enrollment.Status
# The post a request is shown under when its official holds several: the definitif one, then the latest.
POST_ORDER = ("status", "-term_start", "pk")
_SEPARATORS = re.compile(r"[\s.\-]")


# --- who may do what ---------------------------------------------------------------------------------


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def may_view_queue(user: User) -> bool:
    """BPJS officers, DPMD staff (read only) and superusers open the queue; other roles have none."""
    return _active(user) and (user.is_superuser or user.role in (Role.BPJS, Role.DPMD))


def may_review(user: User) -> bool:
    """Approving and rejecting is BPJS's act: its officers and superusers."""
    return _active(user) and (user.is_superuser or user.role == Role.BPJS)


def ensure_may_review(user: User, enrollments: Iterable[Enrollment] = ()) -> None:
    if not may_review(user):
        raise PermissionDenied(_("Only BPJS officers approve or reject requests; you can see the queue only."))
    if not user.is_superuser and any(e.program_id != user.program_id for e in enrollments):
        raise PermissionDenied(_("You review the requests of your own program only."))


# --- the queue ---------------------------------------------------------------------------------------


def _queue_villages(user: User, *, regency: Regency | None, village: Village | None) -> QuerySet[Village]:
    villages = governed_villages(villages_visible_to(user))
    if regency is not None:
        villages = villages.filter(subdistrict__regency=regency)
    if village is not None:
        villages = villages.filter(pk=village.pk)
    return villages


def review_queue(
    user: User,
    *,
    regency: Regency | None = None,
    village: Village | None = None,
    program: Program | None = None,
    family: bool = False,
) -> QuerySet[Enrollment]:
    """Requested enrollments the user may see, ordered by desa code then name. Each enrollment carries
    `village_code` and `person.queue_posts` (the official's current posts in the desa shown, definitif
    first). A fixed number of queries however long the queue: the enrollments, their components, the
    posts (and, with `family`, the family members)."""
    if not may_view_queue(user):
        return Enrollment.objects.none()
    posts = Post.objects.current().filter(village__in=_queue_villages(user, regency=regency, village=village))
    first_post = posts.filter(person=OuterRef("person_id")).order_by(*POST_ORDER).values("village_id")[:1]
    qs = (
        enrollments_visible_to(user)
        .filter(status=Status.REQUESTED)
        .annotate(village_code=Subquery(first_post))
        .filter(village_code__isnull=False)
    )
    if program is not None:
        qs = qs.filter(program=program)
    prefetches = [
        "components",
        Prefetch(
            "person__posts",
            queryset=posts.select_related("village__subdistrict").order_by(*POST_ORDER),
            to_attr="queue_posts",
        ),
    ]
    if family:
        prefetches.append(Prefetch("person__family", queryset=FamilyMember.objects.order_by("relation", "birth_date")))
    return qs.order_by("village_code", "person__full_name", "program", "pk").prefetch_related(*prefetches)


@dataclass
class QueueRow:
    enrollment: Enrollment
    post: Post
    nik: str
    # What the approve form showed or was sent, and its problems, when the page is shown again.
    number: str = ""
    start: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def components(self) -> str:
        return ", ".join(c.code for c in self.enrollment.components.all())


@dataclass
class VillageGroup:
    village: Village
    rows: list[QueueRow] = field(default_factory=list)


def nik_for(user: User, person: Person) -> str:
    return person.nik if user.can_see_nik else person.nik_masked


def queue_row(user: User, enrollment: Enrollment) -> QueueRow:
    return QueueRow(enrollment=enrollment, post=enrollment.person.queue_posts[0], nik=nik_for(user, enrollment.person))


def group_by_village(user: User, enrollments: Iterable[Enrollment]) -> list[VillageGroup]:
    """Consecutive enrollments of one desa under one heading (the queue is ordered by desa code)."""
    groups: list[VillageGroup] = []
    for enrollment in enrollments:
        row = queue_row(user, enrollment)
        if not groups or groups[-1].village.pk != row.post.village_id:
            groups.append(VillageGroup(village=row.post.village))
        groups[-1].rows.append(row)
    return groups


def village_enrollments(user: User, village: Village) -> QuerySet[Enrollment]:
    """The enrollments (any status) of the desa's current officials that the user may see, with the
    rejection reasons: what the village reads on its BPJS page. Three queries."""
    posts = Post.objects.current().filter(village=village)
    return (
        enrollments_visible_to(user)
        .filter(Exists(posts.filter(person=OuterRef("person"))))
        .prefetch_related(Prefetch("person__posts", queryset=posts.order_by(*POST_ORDER), to_attr="queue_posts"))
        .order_by("person__full_name", "person_id", "program__order", "-created_at", "-pk")
    )


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


def participant_number_error(program: Program, number: str) -> str:
    if not number:
        return _("Write the participant number.")
    if not number.isdigit():
        return _("A participant number has digits only.")
    if program.participant_number_length_strict and len(number) != program.participant_number_length:
        return _("A %(program)s participant number has exactly %(n)d digits.") % {
            "program": program.short_name,
            "n": program.participant_number_length,
        }
    return ""


def participant_number_warning(program: Program, number: str) -> str:
    return Enrollment(program=program, participant_number=number).participant_number_warning


def numbers_in_use(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[int]]:
    """(program, participant number) → the persons whose enrollments carry it. One query."""
    pairs = {(p, n) for p, n in pairs if n}
    if not pairs:
        return {}
    used: dict[tuple[str, str], set[int]] = {}
    rows = Enrollment.objects.filter(
        program_id__in={p for p, _ in pairs}, participant_number__in={n for _, n in pairs}
    ).values_list("program_id", "participant_number", "person_id")
    for program_id, number, person_id in rows:
        if (program_id, number) in pairs:
            used.setdefault((program_id, number), set()).add(person_id)
    return used


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
    seen_enrollments: dict[int, int] = {}
    usable: list[tuple[int, Enrollment, str]] = []
    for index, (enrollment, number, start) in enumerate(items):

        def issue(key: str, message: str, index=index, enrollment=enrollment) -> RowIssue:
            return RowIssue(index, enrollment.pk, key, message)

        if enrollment.pk in seen_enrollments:
            errors.append(issue("enrollment", _("The same request appears twice in this list.")))
            continue
        seen_enrollments[enrollment.pk] = index
        if enrollment.status != Status.REQUESTED:
            errors.append(
                issue(
                    "enrollment",
                    _("This request is no longer waiting for review: the enrollment is %(status)s.")
                    % {"status": enrollment.get_status_display()},
                )
            )
        if start is None:
            errors.append(issue("start_date", _("Give the start date.")))
        message = participant_number_error(enrollment.program, number)
        if message:
            errors.append(issue("participant_number", message))
            continue
        if warning := participant_number_warning(enrollment.program, number):
            warnings.append(issue("participant_number", warning))
        key = (enrollment.program_id, number)
        if key in seen_numbers:
            errors.append(
                issue(
                    "participant_number",
                    _("The participant number %(number)s is given twice in this list: also for %(other)s.")
                    % {"number": number, "other": describe(seen_numbers[key])},
                )
            )
            continue
        seen_numbers[key] = index
        usable.append((index, enrollment, number))
    used = numbers_in_use((e.program_id, n) for _, e, n in usable)
    for index, enrollment, number in usable:
        if used.get((enrollment.program_id, number), set()) - {enrollment.person_id}:
            errors.append(
                RowIssue(
                    index,
                    enrollment.pk,
                    "participant_number",
                    _("The participant number %(number)s already belongs to another official in %(program)s.")
                    % {"number": number, "program": enrollment.program.short_name},
                )
            )
    return sorted(errors, key=lambda i: i.index), warnings


@transaction.atomic
def enrollments_approve(*, actor: User, items: list[Item]) -> ApprovalResult:
    """Activate every requested enrollment of `items` with its participant number and start date, or
    none of them: all items are checked first (ApprovalError lists each row's problem). The enrollments
    are read again under a lock, so two officers approving at once cannot both succeed."""
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
    fresh = [(locked[e.pk], number, start) for e, number, start in items]
    errors, warnings = check_approvals(fresh)
    if errors:
        raise ApprovalError(errors)
    try:
        approved = enrollments_activate(actor=actor, items=fresh)
    except ValidationError as exc:  # the model's own checks: nothing of the batch is kept
        raise ApprovalError([RowIssue(0, None, "enrollment", " ".join(exc.messages))]) from exc
    return ApprovalResult(approved=approved, warnings=warnings)


@transaction.atomic
def enrollment_reject(*, actor: User, enrollment: Enrollment, reason: str) -> Enrollment:
    """Reject a request with a reason. The reason is kept on the enrollment, shown on the desa's BPJS page
    and sent to the village head and operators."""
    ensure_may_review(actor, [enrollment])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the request is rejected: the village will read it.")})
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("person", "program").get(pk=enrollment.pk)
    )
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
    villages = Village.objects.filter(posts__in=Post.objects.current().filter(person=enrollment.person_id)).distinct()
    for village in villages:
        with in_app_language():
            message = _("BPJS rejected the %(program)s request for %(name)s: %(reason)s") % {
                "program": enrollment.program.short_name,
                "name": enrollment.person.full_name,
                "reason": enrollment.rejection_reason,
            }
        notify(users=village_users(village), message=message, link=reverse("village-bpjs-status", args=[village.pk]))
