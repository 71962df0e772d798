"""A village's submission of its officials to one BPJS program, and who may move it along.

    draft ──submit──▶ submitted ──verify──▶ verified ──forward──▶ forwarded (enrollments requested)
                        │   ▲
                 return │   │ submit (again)
                        ▼   │
                      returned

Submitting is the village's act (its head or operator); verifying, returning and forwarding are the
acts of DPMD staff of the regency. A submitted or verified submission locks the village's roster
(villages.services.ensure_roster_open). Every step is a SubmissionEvent: who, when, from, to, note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Notification, User
from accounts.notifications import bpjs_officers, dpmd_users, in_app_language, notify, village_users
from core.models import DocumentType, FundingSource, Program, Village
from core.permissions import ensure, may_start_submission, may_take_step, may_use_program, object_for_user
from core.selectors import programs_visible_to, villages_visible_to
from enrollment.models import Enrollment
from enrollment.services import enrollment_create
from submissions.models import Document, Submission, SubmissionEvent
from villages.models import Person, Post
from villages.services import roster_rows_lock

S = Submission.Status

# Which step leads from which status. Anything else is refused.
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((S.DRAFT, S.RETURNED), S.SUBMITTED),
    "verify": ((S.SUBMITTED,), S.VERIFIED),
    "return": ((S.SUBMITTED,), S.RETURNED),
    "forward": ((S.VERIFIED,), S.FORWARDED),
}

# Who pays the employer share unless the forward form says otherwise (rules.md §1–2): the regency's
# DAU for JKN, the village's ADD for Ketenagakerjaan. Ketenagakerjaan starts with JKK + JKM.
DEFAULT_FUNDING_SOURCE = {Program.KESEHATAN: "DAU", Program.KETENAGAKERJAAN: "ADD"}
DEFAULT_COMPONENTS = {Program.KETENAGAKERJAAN: ("JKK", "JKM")}


# --- selectors ---------------------------------------------------------------------------------------


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """Submissions of the villages the user can see, in the programs the user can see: a BPJS officer
    sees those of their program in the regencies of their branch."""
    qs = Submission.objects.select_related("village__subdistrict__regency", "program", "created_by")
    if user.is_authenticated and user.is_active and user.is_superuser:
        return qs
    return qs.filter(village__in=villages_visible_to(user), program__in=programs_visible_to(user))


def submission_for_user(user: User, pk: int, *, step: str | None = None) -> Submission:
    """A submission within the user's scope (a 404 outside it); with `step`, a 403 unless the user's role
    may take that step."""
    return object_for_user(
        submissions_visible_to(user),
        write=step is not None,
        may_write=lambda submission: may_take_step(user, submission, step),
        denied=_("Your role may not do this with the submission."),
        pk=pk,
    )


def allowed_steps(user: User, submission: Submission) -> list[str]:
    """The steps the user may take now: allowed to their role and from the current status."""
    return [
        step
        for step, (sources, _target) in STEPS.items()
        if submission.status in sources and may_take_step(user, submission, step)
    ]


def open_submissions(villages: Iterable[Village] | QuerySet[Village], programs: Iterable[Program]):
    return Submission.objects.filter(
        village__in=villages, program__in=programs, status__in=Submission.OPEN_STATUSES
    ).select_related("program")


def officials_in_submission(submission: Submission) -> QuerySet[Post]:
    """The current posts of the desa, with each holder's open enrollment in the program (if any)."""
    open_enrollment = Enrollment.objects.filter(
        person=OuterRef("person"), program=submission.program, status__in=Enrollment.OPEN_STATUSES
    )
    return (
        Post.objects.current()
        .filter(village=submission.village)
        .select_related("person")
        .annotate(
            enrollment_status=Subquery(open_enrollment.values("status")[:1]),
            participant_number=Subquery(open_enrollment.values("participant_number")[:1]),
        )
        .by_rank("person__full_name", "pk")
    )


def with_officials_incomplete(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """Annotate each submission with its desa's current officials (`officials`) and how many of them
    still miss a document its program requires (`officials_incomplete`): two subqueries, no loop."""
    posts = Post.objects.current().filter(village=OuterRef("village")).order_by().values("village")
    missing_type = DocumentType.objects.filter(is_active=True, programs=OuterRef(OuterRef("program"))).filter(
        ~Exists(Document.objects.filter(person=OuterRef(OuterRef("person")), document_type=OuterRef("pk")))
    )
    return submissions.annotate(
        officials=Coalesce(Subquery(posts.annotate(n=Count("person", distinct=True)).values("n")), 0),
        officials_incomplete=Coalesce(
            Subquery(posts.filter(Exists(missing_type)).annotate(n=Count("person", distinct=True)).values("n")),
            0,
        ),
    )


# --- writes ------------------------------------------------------------------------------------------


def _record(submission: Submission, *, actor: User, from_status: str, note: str) -> SubmissionEvent:
    event = SubmissionEvent(
        submission=submission, from_status=from_status, to_status=submission.status, actor=actor, note=note
    )
    event.full_clean()
    event.save()
    return event


def _locked(submission: Submission) -> Submission:
    """The submission re-read under a row lock: two clicks on the same button act once."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("village__subdistrict", "program")
        .get(pk=submission.pk)
    )


def _step(submission: Submission, step: str, *, actor: User, note: str, announce: bool = True) -> Submission:
    # The roster's row lock first, as every roster write takes it: an edit that found the roster open
    # commits before this step locks it, or waits and then finds it locked.
    roster_rows_lock([submission.village_id])
    submission = _locked(submission)
    if not may_take_step(actor, submission, step):
        raise PermissionDenied(_("Your role may not do this with the submission."))
    sources, target = STEPS[step]
    if submission.status not in sources:
        raise ValidationError(
            _("A submission that is %(status)s cannot be %(target)s.")
            % {"status": submission.get_status_display(), "target": S(target).label},
            code="invalid_transition",
        )
    from_status = submission.status
    submission.status = target
    note = (note or "").strip()
    if note:  # Submission.note keeps the last note written; the timeline keeps every step's own
        submission.note = note
    if target == S.SUBMITTED:
        submission.submitted_at = timezone.now()
    submission.full_clean()
    submission.save()
    _record(submission, actor=actor, from_status=from_status, note=note)
    if announce:
        _announce(submission, note)
    return submission


@transaction.atomic
def submission_start(*, actor: User, village: Village, program: Program, note: str = "") -> Submission:
    """Open a draft submission for a desa and a program; only one may be open at a time."""
    ensure(may_start_submission(actor, village), _("You may not start a submission for this village."))
    ensure(may_use_program(actor, program), _("You may not start a submission for this program."))
    # Lock the village row so two starts at once cannot both pass the check below.
    roster_rows_lock([village.pk])
    if Submission.objects.filter(village=village, program=program, status__in=Submission.OPEN_STATUSES).exists():
        raise ValidationError(
            _("%(village)s already has an open submission for %(program)s.")
            % {"village": village, "program": program.short_name},
            code="already_open",
        )
    note = (note or "").strip()
    submission = Submission(village=village, program=program, created_by=actor, note=note)
    submission.full_clean()
    submission.save()
    _record(submission, actor=actor, from_status="", note=note)
    return submission


@transaction.atomic
def submission_submit(*, actor: User, submission: Submission, note: str = "") -> Submission:
    """The village sends its officials to DPMD (also after a return); the roster locks."""
    return _step(submission, "submit", actor=actor, note=note)


@transaction.atomic
def submission_verify(*, actor: User, submission: Submission, note: str = "") -> Submission:
    """DPMD has checked the officials and documents; the roster stays locked until forwarded."""
    return _step(submission, "verify", actor=actor, note=note)


@transaction.atomic
def submission_return(*, actor: User, submission: Submission, note: str) -> Submission:
    """DPMD sends the submission back for revision, saying what to fix; the roster unlocks."""
    if not (note or "").strip():
        raise ValidationError(
            {"note": _("Write what the village must fix before returning the submission.")}, code="note_required"
        )
    return _step(submission, "return", actor=actor, note=note)


@dataclass(frozen=True)
class ForwardResult:
    submission: Submission
    created: int
    skipped: int


def forward_defaults(program: Program) -> tuple[str, tuple[str, ...]]:
    """The funding source code and component codes the forward form starts with."""
    return DEFAULT_FUNDING_SOURCE.get(program.code, "DAU"), DEFAULT_COMPONENTS.get(program.code, ())


def _check_components(program: Program, codes: list[str]) -> None:
    unknown = set(codes) - set(program.components.values_list("code", flat=True))
    if unknown:
        raise ValidationError(
            {
                "components": _("Unknown components for %(program)s: %(codes)s")
                % {"program": program.short_name, "codes": ", ".join(sorted(unknown))}
            },
            code="unknown_component",
        )


@transaction.atomic
def submission_forward(
    *,
    actor: User,
    submission: Submission,
    funding_source: FundingSource | None = None,
    components: Iterable[str] | None = None,
    note: str = "",
) -> ForwardResult:
    """DPMD forwards a verified submission to BPJS: every official holding a current post in the desa
    who has no open enrollment in the program gets one, *requested*; those who have one are skipped."""
    submission = _step(submission, "forward", actor=actor, note=note, announce=False)
    program = submission.program
    default_source, default_components = forward_defaults(program)
    if funding_source is None:
        funding_source = FundingSource.objects.get(pk=default_source)
    chosen = list(default_components if components is None else components)
    _check_components(program, chosen)
    holders = Person.objects.filter(
        Exists(Post.objects.current().filter(person=OuterRef("pk"), village=submission.village))
    )
    enrolled = Exists(
        Enrollment.objects.filter(person=OuterRef("pk"), program=program, status__in=Enrollment.OPEN_STATUSES)
    )
    skipped = holders.filter(enrolled).count()
    with in_app_language():
        enrollment_note = _("Forwarded to BPJS with submission %(id)s of %(village)s.") % {
            "id": submission.pk,
            "village": submission.village,
        }
    created = 0
    for person in holders.filter(~enrolled).order_by("pk"):
        enrollment_create(
            actor=actor,
            person=person,
            program=program,
            funding_source=funding_source,
            components=chosen,
            note=enrollment_note,
        )
        created += 1
    _announce(submission, note, created=created)
    return ForwardResult(submission=submission, created=created, skipped=skipped)


# --- notifications -----------------------------------------------------------------------------------


def _announce(submission: Submission, note: str, *, created: int = 0) -> None:
    """Tell the other side: DPMD when the village submits, the village when DPMD decides, and on a
    forward the BPJS officers of the program whose branch covers the regency as well."""
    village, program = submission.village, submission.program
    regency_id = village.subdistrict.regency_id
    names = {"program": program.short_name, "village": village.name}
    kinds = Notification.Kind
    with in_app_language():
        if submission.status == S.SUBMITTED:
            users, kind = dpmd_users(regency_id), kinds.SUBMITTED
            message = _("Desa %(village)s submitted its officials for %(program)s. Please verify them.") % names
        elif submission.status == S.RETURNED:
            users, kind = village_users(village), kinds.RETURNED
            message = _("DPMD returned the %(program)s submission of %(village)s for revision: %(note)s") % {
                **names,
                "note": note,
            }
        elif submission.status == S.VERIFIED:
            users, kind = village_users(village), kinds.VERIFIED
            message = _("DPMD verified the %(program)s submission of %(village)s.") % names
        elif submission.status == S.FORWARDED:
            users, kind = village_users(village), kinds.FORWARDED
            message = ngettext(
                "DPMD forwarded the %(program)s submission of %(village)s to BPJS: registration requested for "
                "%(n)s official.",
                "DPMD forwarded the %(program)s submission of %(village)s to BPJS: registration requested for "
                "%(n)s officials.",
                created,
            ) % {**names, "n": created}
            if created:
                _announce_to_bpjs(submission, created)
        else:
            return
    notify(users=users, kind=kind, message=message, link=reverse("submission-detail", args=[submission.pk]))


def _announce_to_bpjs(submission: Submission, created: int) -> None:
    """The officers who will review the requests: of the program, whose branch covers the regency."""
    village = submission.village
    message = ngettext(
        "DPMD %(regency)s forwarded %(n)s %(program)s registration request from desa %(village)s to your queue.",
        "DPMD %(regency)s forwarded %(n)s %(program)s registration requests from desa %(village)s to your queue.",
        created,
    ) % {
        "regency": village.subdistrict.regency.name,
        "n": created,
        "program": submission.program.short_name,
        "village": village.name,
    }
    notify(
        users=bpjs_officers([submission.program_id], village.subdistrict.regency_id),
        kind=Notification.Kind.FORWARDED,
        message=message,
        link=reverse("review-queue") + f"?village={village.pk}&program={submission.program_id}",
    )
