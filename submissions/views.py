"""Submission pages: the village's submissions, one submission, the DPMD queue of a regency, the
deadlines page, and the POST endpoints of each step (POST-redirect-GET).

Objects come from the scoping selectors (a 404 outside the scope); the services decide whether the
user's role may take a step (a 403 when it may not)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.access import access_record
from accounts.models import AccessRecord
from core.models import FundingSource, Program, Village
from core.permissions import has_regency_scope, may_start_submission, regency_for_user, village_for_user
from core.selectors import programs_visible_to
from enrollment.lists import list_filters, post_sorts, wants_xlsx
from enrollment.models import Enrollment
from enrollment.params import program_for
from submissions import deadlines, exports, services
from submissions.models import Submission, SubmissionEvent
from submissions.selectors import missing_documents
from villages.models import Position, Post

QUEUE = (Submission.Status.SUBMITTED, Submission.Status.VERIFIED)
STATUS_FILTERS = ("queue", "all", *Submission.Status.values)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What must the village fix?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write what the village must fix before returning the submission.")},
    )


class ForwardForm(NoteForm):
    funding_source = forms.ModelChoiceField(
        queryset=FundingSource.objects.all(), label=gettext_lazy("Who pays the employer share")
    )
    components = forms.MultipleChoiceField(
        label=gettext_lazy("Components"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, program: Program, **kwargs):
        source, components = services.forward_defaults(program)
        kwargs.setdefault("initial", {"funding_source": source, "components": list(components)})
        super().__init__(*args, **kwargs)
        choices = [(c.code, f"{c.code} – {c.name}") for c in program.components.all()]
        self.fields["components"].choices = choices
        if not choices:
            del self.fields["components"]


def _events():
    return Prefetch("events", SubmissionEvent.objects.select_related("actor").order_by("at", "pk"))


# --- pages -------------------------------------------------------------------------------------------


@login_required
def village_submissions(request, code):
    """A desa's submissions per program, each with its timeline, and who of its officials is overdue."""
    village = village_for_user(request.user, code)
    programs = list(programs_visible_to(request.user))
    history = list(
        services.with_officials_incomplete(services.submissions_visible_to(request.user).filter(village=village))
        .prefetch_related(_events())
        .order_by("-created_at", "-pk")
    )
    day = timezone.localdate()
    may_start = may_start_submission(request.user, village)
    panels = []
    for program in programs:
        subs = [s for s in history if s.program_id == program.code]
        current = next((s for s in subs if s.status in Submission.OPEN_STATUSES), None)
        for s in subs:
            s.steps = services.allowed_steps(request.user, s)
        overdue = list(
            deadlines.overdue_officials(villages=Village.objects.filter(pk=village.pk), program=program, day=day)
        )
        panels.append({"program": program, "current": current, "submissions": subs, "overdue": overdue})
    context = {"village": village, "panels": panels, "may_start": may_start, "note_form": NoteForm()}
    return render(request, "submissions/submission_village.html", context)


@login_required
def submission_detail(request, pk):
    submission = get_object_or_404(services.submissions_visible_to(request.user).prefetch_related(_events()), pk=pk)
    posts = list(services.officials_in_submission(submission))
    missing = missing_documents([p.person_id for p in posts], [submission.program])
    rows = [(post, missing[post.person_id]) for post in posts]
    steps = services.allowed_steps(request.user, submission)
    context = {
        "submission": submission,
        "village": submission.village,
        "rows": rows,
        "incomplete": [(post, types) for post, types in rows if types],
        "steps": steps,
        "can_see_regency": has_regency_scope(request.user),
        "note_form": NoteForm(),
        "return_form": ReturnForm(),
        "forward_form": ForwardForm(program=submission.program) if "forward" in steps else None,
        "enrollment_statuses": Enrollment.Status.choices,
    }
    return render(request, "submissions/submission_detail.html", context)


# How the DPMD list of submissions can be sorted: to handle first (the default), by desa, by kecamatan,
# oldest submitted first, most officials missing documents first.
SUBMISSION_SORTS = {
    "status": ("status", "submitted_at", "village__code", "pk"),
    "desa": ("village__name", "village__code", "program", "pk"),
    "kecamatan": ("village__subdistrict__name", "village__name", "program", "pk"),
    "submitted": ("submitted_at", "village__code", "pk"),
    "missing": ("-officials_incomplete", "village__name", "pk"),
}
DEADLINE_SORT_LABELS = [
    ("inaugurated", gettext_lazy("longest waiting first")),
    ("name", gettext_lazy("name")),
    ("desa", gettext_lazy("village")),
    ("position", gettext_lazy("position")),
]
SUBMISSION_SORT_LABELS = [
    ("status", gettext_lazy("status")),
    ("desa", gettext_lazy("village")),
    ("kecamatan", gettext_lazy("subdistrict")),
    ("submitted", gettext_lazy("oldest submitted first")),
    ("missing", gettext_lazy("most missing documents first")),
]


@login_required
def regency_submissions(request, code):
    """The DPMD queue: submitted ones to verify, verified ones to forward; filter by program, status,
    kecamatan and desa, sorted; the same rows in Excel."""
    regency = regency_for_user(request.user, code)
    programs = list(programs_visible_to(request.user))
    program = next((p for p in programs if p.code == request.GET.get("program")), None)
    status = request.GET.get("status") or "queue"
    if status not in STATUS_FILTERS:
        status = "queue"
    filters = list_filters(request, regency, sorts=SUBMISSION_SORT_LABELS)
    qs = services.submissions_visible_to(request.user).filter(village__in=filters.villages)
    if program:
        qs = qs.filter(program=program)
    counts = qs.aggregate(
        all=Count("pk"),
        queue=Count("pk", filter=Q(status__in=QUEUE)),
        **{s: Count("pk", filter=Q(status=s)) for s in Submission.Status.values},
    )
    if status == "queue":
        qs = qs.filter(status__in=QUEUE)
    elif status != "all":
        qs = qs.filter(status=status)
    qs = services.with_officials_incomplete(qs).order_by(*SUBMISSION_SORTS[filters.sort])
    if wants_xlsx(request):
        return exports.submissions_xlsx(qs, regency=regency, program=program, status=status)
    filter_labels = [("queue", _("To handle")), ("all", _("All")), *Submission.Status.choices]
    context = {
        "regency": regency,
        "programs": programs,
        "program": program,
        "filters": [(value, label, counts[value]) for value, label in filter_labels],
        "page": Paginator(qs, 100).get_page(request.GET.get("page")),
        **filters.context(request, status=status),
        "status": status,  # the submission's status (the filter form keeps it as it is)
    }
    return render(request, "submissions/submission_regency.html", context)


# --- steps (POST) ------------------------------------------------------------------------------------


def _refused(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def submission_start(request, code):
    village = village_for_user(request.user, code)
    program = get_object_or_404(programs_visible_to(request.user), pk=request.POST.get("program", ""))
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        submission = services.submission_start(
            actor=request.user, village=village, program=program, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("village-submissions", code=village.pk)
    messages.success(request, _("Submission for %(program)s started as a draft.") % {"program": program.short_name})
    return redirect("submission-detail", pk=submission.pk)


def _submission(request, pk) -> Submission:
    return services.submission_for_user(request.user, pk)


def _take_step(request, submission: Submission, service, form: forms.Form):
    """Validate the form and call the service; a refusal becomes an error message (a wrong role
    raises PermissionDenied, which Django answers with a 403)."""
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return None
    try:
        return service(actor=request.user, submission=submission, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
        return None


@login_required
@require_POST
def submission_submit(request, pk):
    submission = _submission(request, pk)
    if _take_step(request, submission, services.submission_submit, NoteForm(request.POST)):
        messages.success(request, _("Submitted to DPMD."))
        incomplete = services.with_officials_incomplete(Submission.objects.filter(pk=pk)).get().officials_incomplete
        if incomplete:
            messages.warning(
                request,
                ngettext(
                    "%(n)s official still misses documents (berkas belum lengkap).",
                    "%(n)s officials still miss documents (berkas belum lengkap).",
                    incomplete,
                )
                % {"n": incomplete},
            )
    return redirect("submission-detail", pk=pk)


@login_required
@require_POST
def submission_verify(request, pk):
    if _take_step(request, _submission(request, pk), services.submission_verify, NoteForm(request.POST)):
        messages.success(request, _("Submission verified."))
    return redirect("submission-detail", pk=pk)


@login_required
@require_POST
def submission_return(request, pk):
    if _take_step(request, _submission(request, pk), services.submission_return, ReturnForm(request.POST)):
        messages.success(request, _("Submission returned to the village for revision."))
    return redirect("submission-detail", pk=pk)


@login_required
@require_POST
def submission_forward(request, pk):
    submission = _submission(request, pk)
    form = ForwardForm(request.POST, program=submission.program)
    result = _take_step(request, submission, services.submission_forward, form)
    if result:
        messages.success(
            request,
            _("Forwarded to BPJS: %(created)s enrollments requested, %(skipped)s officials already had one.")
            % {"created": result.created, "skipped": result.skipped},
        )
    return redirect("submission-detail", pk=pk)


# --- deadlines ---------------------------------------------------------------------------------------


@login_required
def regency_deadlines(request, code):
    """Officials past the one-month registration deadline, per desa, and desa that never submitted."""
    regency = regency_for_user(request.user, code)
    programs = list(programs_visible_to(request.user))
    default = Program.KESEHATAN if any(p.code == Program.KESEHATAN for p in programs) else programs[0].code
    program = program_for(request.user, request.GET.get("program") or default)
    day = timezone.localdate()
    filters = list_filters(
        request, regency, sorts=DEADLINE_SORT_LABELS, positions=Position.choices, statuses=Post.Status.choices
    )
    villages = filters.villages
    overdue = deadlines.overdue_officials(villages=villages, program=program, day=day)
    overdue = overdue.filter(**{k: v for k, v in (("position", filters.position), ("status", filters.status)) if v})
    if filters.sort != "inaugurated":
        overdue = overdue.order_by(*post_sorts()[filters.sort])
    if wants_xlsx(request):
        target = f"{regency.code} {program.code} tenggat {day.isoformat()}"
        access_record(
            request, AccessRecord.Kind.OFFICIALS, target=target, niks={regency.pk: overdue.count()}, masked=True
        )
        return deadlines.overdue_officials_xlsx(overdue, regency=regency, program=program, day=day)
    context = {
        "regency": regency,
        "programs": programs,
        "program": program,
        "day": day,
        "cutoff": deadlines.overdue_cutoff(day),
        "summary": deadlines.deadline_summary(villages=villages, program=program, day=day),
        "villages": deadlines.villages_behind_deadline(villages=villages, program=program, day=day),
        "page": Paginator(overdue, 100).get_page(request.GET.get("page")),
        **filters.context(request),
        "submission_statuses": Submission.Status.choices,
    }
    return render(request, "submissions/deadlines.html", context)
