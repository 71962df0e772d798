"""Pages of the BPJS review queue, the collective-registration sheet, reconciliation with BPJS lists, and
a desa's BPJS status (issue "BPJS review, reconciliation"). Included at the site root.

Objects come from the scoping selectors (a 404 outside the scope); a role that may only look (DPMD on the
queue) gets a 403 when it writes, a role with no business here (village heads, observers) a 403 on the
queue and reconciliation pages. POST-redirect-GET, except that a refused approval shows the queue again
with each row's error and the values that were sent."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.access import access_record
from accounts.models import AccessRecord
from bpjs import selectors, services, sheet
from bpjs.reconciliation import applying, export, reading
from bpjs.reconciliation import selectors as rec_selectors
from bpjs.reconciliation import services as rec_services
from bpjs.reconciliation.matching import KIND_LABELS, KINDS
from bpjs.selectors import queue_filters
from bpjs.services import RowIssue, approval_items
from core.models import Program, Village
from core.permissions import (
    ensure_may_review,
    may_reconcile,
    may_review,
    may_see_nik,
    may_view_queue,
    village_for_user,
)
from core.selectors import programs_visible_to, regencies_visible_to
from core.spreadsheets.cells import CellError, parse_date
from core.versioning import StaleVersion
from enrollment.selectors import enrollments_visible_to

QUEUE_PAGE_SIZE = 100
SHOW = ("problems", "all", *KINDS)


# --- forms -------------------------------------------------------------------------------------------


class SheetForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in sheet (.xlsx or .csv)"),
        error_messages={"required": gettext_lazy("Choose the sheet to upload.")},
    )


class ReconciliationForm(forms.Form):
    regency = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Regency"))
    program = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Program"))
    file = forms.FileField(
        label=gettext_lazy("BPJS participant or billing list (.xlsx or .csv)"),
        error_messages={"required": gettext_lazy("Choose the BPJS list to upload.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scopes = {
            "regency": rec_selectors.reconciliation_regencies(user),
            "program": rec_selectors.reconciliation_programs(user),
        }
        for name, qs in scopes.items():
            choices = list(qs)
            self.fields[name].queryset = qs
            if len(choices) == 1:
                self.fields[name].initial = choices[0].pk


class MappingForm(forms.Form):
    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —")), *((h, h) for h in headers)]
        for name in reading.FIELDS:
            self.fields[name] = forms.ChoiceField(label=reading.FIELD_LABELS[name], choices=choices, required=False)


# --- the queue ---------------------------------------------------------------------------------------


def _queue_filters(request, source) -> dict:
    """The regency, desa and program the queue is narrowed to, each within the user's scope (404)."""
    if not may_view_queue(request.user):
        raise PermissionDenied(_("The review queue is for BPJS officers and DPMD staff."))
    return queue_filters(request.user, source)


def _query(filters: dict) -> str:
    return urlencode({k: v.pk for k, v in filters.items() if v is not None})


def _queue_url(filters: dict) -> str:
    query = _query(filters)
    return reverse("review-queue") + (f"?{query}" if query else "")


def _render_queue(request, filters: dict, *, posted=None, issues=(), status: int = 200):
    queue = selectors.review_queue(request.user, **filters)
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = selectors.group_by_village(request.user, page.object_list)
    today = timezone.localdate().isoformat()
    by_id: dict[int, list[services.RowIssue]] = {}
    for issue in issues:
        by_id.setdefault(issue.enrollment_id, []).append(issue)
    for row in (row for group in groups for row in group.rows):
        pk = row.enrollment.pk
        row.number = (posted or {}).get(f"number-{pk}", "")
        row.start = (posted or {}).get(f"start-{pk}", "") or today
        row.errors = [i.message for i in by_id.get(pk, ())]
    context = {
        **filters,
        "page": page,
        "groups": groups,
        "may_review": may_review(request.user),
        "regencies": list(regencies_visible_to(request.user)),
        "programs": list(programs_visible_to(request.user)),
        "villages": Village.objects.filter(pk__in=queue.prefetch_related(None).order_by().values("village_code"))
        .select_related("subdistrict")
        .order_by("subdistrict__name", "name"),
        "query": _query(filters),
    }
    return render(request, "bpjs/review_queue.html", context, status=status)


@login_required
def review_queue(request):
    return _render_queue(request, _queue_filters(request, request.GET))


def _approval_rows(post, ids: list[int]) -> tuple[list[tuple], list[RowIssue]]:
    """The (id, number, start) of each chosen row; an unreadable date is that row's error."""
    rows, bad_dates = [], []
    for index, pk in enumerate(ids):
        start = timezone.localdate()
        try:
            start = parse_date(post.get(f"start-{pk}", "")) or start
        except CellError as exc:
            bad_dates.append(RowIssue(index, pk, "start_date", exc.message))
        rows.append((pk, post.get(f"number-{pk}", ""), start))
    return rows, bad_dates


def _ids(values: list[str]) -> list[int]:
    return list(dict.fromkeys(int(v) for v in values if str(v).isdigit()))


@login_required
@require_POST
def review_approve(request):
    """Approve every row with a participant number (or the one whose button was pressed): all or none."""
    filters = _queue_filters(request, request.POST)
    filled = [key[7:] for key, value in request.POST.items() if key.startswith("number-") and value.strip()]
    ids = _ids(request.POST.getlist("only") or filled)
    if not ids:
        messages.error(request, _("Write the participant number of the requests to approve."))
        return redirect(_queue_url(filters))
    rows, bad_dates = _approval_rows(request.POST, ids)
    items = approval_items(request.user, rows)
    ensure_may_review(request.user, (e for e, _, _ in items))
    try:
        if bad_dates:
            raise services.ApprovalError(sorted(bad_dates + services.check_approvals(items)[0], key=lambda i: i.index))
        result = services.enrollments_approve(actor=request.user, items=items, versions=_versions(request.POST, ids))
    except services.ApprovalError as exc:
        messages.error(request, exc.messages[0])
        return _render_queue(request, filters, posted=request.POST, issues=exc.issues, status=400)
    except StaleVersion as exc:  # a request changed since the queue was opened: nothing approved
        messages.error(request, exc.messages[0])
        return _render_queue(request, filters, posted=request.POST, issues=[], status=409)
    _approved_messages(request, result)
    return redirect(_queue_url(filters))


def _versions(post, ids: list[int]) -> dict[int, int]:
    """The version of each chosen row as the queue showed it (its hidden field)."""
    return {pk: int(v) for pk in ids if (v := post.get(f"version-{pk}", "")).isdigit()}


def _approved_messages(request, result: services.ApprovalResult) -> None:
    n = len(result.approved)
    if n:
        messages.success(request, ngettext("%(n)s request approved.", "%(n)s requests approved.", n) % {"n": n})
    else:
        messages.info(request, _("Nothing to approve."))
    for warning in result.warnings:
        messages.warning(request, warning.message)


@login_required
@require_POST
def review_reject(request):
    filters = _queue_filters(request, request.POST)
    enrollment = get_object_or_404(enrollments_visible_to(request.user), pk=request.POST.get("enrollment") or 0)
    ensure_may_review(request.user, [enrollment])
    try:
        services.enrollment_reject(
            actor=request.user,
            enrollment=enrollment,
            reason=request.POST.get("reason", ""),
            version=_versions(request.POST, [enrollment.pk]).get(enrollment.pk),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request of %(name)s rejected.") % {"name": enrollment.person.full_name})
    return redirect(_queue_url(filters))


@login_required
def review_export(request):
    filters = _queue_filters(request, request.GET)
    programs = [filters["program"]] if filters["program"] else list(programs_visible_to(request.user))
    if len(programs) != 1:
        messages.error(request, _("Choose a program: each program has its own sheet."))
        return redirect(_queue_url(filters))
    program: Program = programs[0]
    where = filters["village"] or filters["regency"]
    filename = f"antrean-{program.code}-{where.pk if where else 'semua'}-{timezone.localdate().isoformat()}.xlsx"
    queue = selectors.review_queue(request.user, **{**filters, "program": program}, family=True)
    niks = selectors.queue_regency_counts(queue) or {where.pk[:5] if where else None: 0}
    target = f"{program.code} {where.pk if where else '*'}"
    access_record(
        request, AccessRecord.Kind.REVIEW_SHEET, target=target, niks=niks, masked=not may_see_nik(request.user)
    )
    return sheet.review_sheet_xlsx(request.user, queue, program=program, filename=filename, where=where)


# --- the sheet back ----------------------------------------------------------------------------------


@login_required
def review_import(request):
    """Upload a filled-in sheet (POST) → its preview (GET ?token=) → confirm (review_import_confirm)."""
    ensure_may_review(request.user)
    form = SheetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            preview = sheet.review_sheet_preview(actor=request.user, upload=upload, name=upload.name)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            token = sheet.review_import_stash(actor=request.user, preview=preview, name=upload.name)
            return redirect(reverse("review-import") + f"?token={token}")
    token = request.GET.get("token", "")
    stash = _stash(request, token)
    if token and stash is None:
        messages.error(request, _("This preview has expired or was already confirmed. Upload the file again."))
    return render(request, "bpjs/review_import.html", {"form": form, "stash": stash, "token": token})


def _stash(request, token: str) -> dict | None:
    """The user's own preview; another user's token is a 404, an expired one None."""
    return sheet.review_import_load(actor=request.user, token=token)


@login_required
@require_POST
def review_import_confirm(request):
    token = request.POST.get("token", "")
    try:  # another user's preview is a 404 (review_import_confirm)
        result = sheet.review_import_confirm(actor=request.user, token=token)
    except services.ApprovalError as exc:
        messages.error(request, exc.messages[0])
        for issue in exc.issues:
            messages.error(request, issue.message)
        return redirect(reverse("review-import") + f"?token={token}")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review-import")
    _approved_messages(request, result)
    return redirect("review-queue")


# --- a desa's BPJS status ----------------------------------------------------------------------------


@login_required
def village_bpjs_status(request, code):
    """What BPJS decided for the desa's officials, with the reasons of rejected requests."""
    village = village_for_user(request.user, code)
    enrollments = list(selectors.village_enrollments(request.user, village))
    context = {
        "village": village,
        "enrollments": enrollments,
        "rejected": sum(1 for e in enrollments if e.status == e.Status.REJECTED),
        "requested": sum(1 for e in enrollments if e.status == e.Status.REQUESTED),
    }
    return render(request, "bpjs/village_bpjs.html", context)


# --- reconciliation ----------------------------------------------------------------------------------


def _ensure_may_reconcile(request) -> None:
    if not may_reconcile(request.user):
        raise PermissionDenied(_("Reconciliation is for DPMD staff and BPJS officers."))


@login_required
def reconciliation_new(request):
    _ensure_may_reconcile(request)
    initial = {k: request.GET[k] for k in ("regency", "program") if request.GET.get(k)}
    form = ReconciliationForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            reconciliation = rec_services.reconciliation_upload(
                actor=request.user, regency=data["regency"], program=data["program"], upload=data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("reconciliation-detail", token=reconciliation.token)
    recent = rec_selectors.reconciliations_listed_for(request.user)[:20]
    context = {"form": form, "recent": recent, "can_view_queue": may_view_queue(request.user)}
    return render(request, "bpjs/reconciliation_new.html", context)


def _reconciliation(request, token, *, compared: bool = False):
    """A reconciliation in the user's scope (else a 404); `compared`: only once its list is compared."""
    reconciliation = get_object_or_404(rec_selectors.reconciliations_visible_to(request.user), token=token)
    if compared and reconciliation.result.get("stage") != "done":
        raise Http404
    return reconciliation


@login_required
def reconciliation_detail(request, token):
    """Map the columns (first visit), then the comparison per desa, filtered by ?show= and ?village=."""
    reconciliation = _reconciliation(request, token)
    if reconciliation.result.get("stage") == "mapping":
        upload = rec_selectors.waiting_upload(request.user, reconciliation)  # another user's upload: a 404
        if upload is not None:
            return _mapping_step(request, reconciliation, upload.data["headers"])
    if reconciliation.result.get("stage") != "done":  # its upload expired (or, before previews, "expired")
        messages.error(request, _("This list was uploaded more than a week ago and never compared. Upload it again."))
        return redirect("reconciliation-new")
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "problems"
    kinds = {"problems": ("mismatched", "only_bpjs", "only_here"), "all": KINDS}.get(show, (show,))
    village = request.GET.get("village", "")
    villages = [
        {**v, "lines": [export.line_for_display(line) for line in v["lines"] if line["kind"] in kinds]}
        for v in reconciliation.result.get("villages", [])
        if not village or v["code"] == village
    ]
    context = {
        "reconciliation": reconciliation,
        "result": reconciliation.result,
        "villages": [v for v in villages if v["lines"]],
        "pending": [line["key"] for line in applying.pending_lines(reconciliation)],
        "show": show,
        "village": village,
        "filters": [("problems", _("Differences")), ("all", _("All")), *KIND_LABELS.items()],
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "bpjs/reconciliation_detail.html", context)


def _mapping_step(request, reconciliation, headers: list[str]):
    saved = reading.saved_mapping(regency=reconciliation.regency, program=reconciliation.program)
    form = MappingForm(request.POST or None, headers=headers, initial=reading.suggested_mapping(headers, saved))
    if request.method == "POST" and form.is_valid():
        try:
            rec_services.reconciliation_run(
                actor=request.user, reconciliation=reconciliation, mapping=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("reconciliation-detail", token=reconciliation.token)
    return render(request, "bpjs/reconciliation_mapping.html", {"reconciliation": reconciliation, "form": form})


@login_required
def reconciliation_export(request, token):
    reconciliation = _reconciliation(request, token, compared=True)
    lines = sum(len(v["lines"]) for v in reconciliation.result.get("villages", []))
    niks = {reconciliation.regency_id: lines}
    access_record(request, AccessRecord.Kind.RECONCILIATION, target=token, niks=niks, masked=True)
    return export.reconciliation_xlsx(reconciliation)


@login_required
@require_POST
def reconciliation_apply(request, token):
    reconciliation = _reconciliation(request, token, compared=True)
    back = reverse("reconciliation-detail", args=[token]) + "?" + urlencode({"show": request.POST.get("show", "")})
    try:
        on = parse_date(request.POST.get("on", "")) or timezone.localdate()
        done = applying.reconciliation_apply(
            actor=request.user, reconciliation=reconciliation, keys=request.POST.getlist("line"), on=on
        )
    except CellError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, ngettext("%(n)s enrollment updated.", "%(n)s enrollments updated.", len(done)) % {"n": len(done)}
        )
    return redirect(back)
