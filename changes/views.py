"""Pages of data-change requests: the list (DPMD checks, BPJS confirms), the request form for an
official's post, one request with its history and actions, and its private KTP file.

Requests come from the scoping selector (a 404 outside it); a role that may only look gets a 403 when it
acts. POST-redirect-GET."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import access_record
from accounts.models import AccessRecord
from changes import selectors, services
from changes.forms import DataChangeForm, DecisionForm
from changes.models import DataChangeRequest
from core import nik as nik_lib
from core.permissions import may_see_nik
from villages.models import Person
from villages.selectors import official_regency_codes, post_for_user

PAGE_SIZE = 50


@login_required
def data_change_list(request):
    qs = selectors.data_changes_visible_to(request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.filter(status__in=DataChangeRequest.OPEN_STATUSES)
    elif status in DataChangeRequest.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-requested_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": DataChangeRequest.Status.choices}
    return render(request, "changes/list.html", context)


@login_required
def data_change_new(request, pk):
    post = post_for_user(request.user, pk, write=True, current=True)
    show_nik = may_see_nik(request.user)
    form = DataChangeForm(
        request.POST or None, request.FILES or None, initial=DataChangeForm.initial_for(post.person, show_nik=show_nik)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.data_change_request(
                actor=request.user,
                post=post,
                reason=data["reason"],
                nik=data["nik"],
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                sex=data["sex"],
                ktp=data["ktp"],
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The data-change request was sent to DPMD."))
            return redirect("data-change-detail", pk=change.pk)
    return render(request, "changes/form.html", {"form": form, "post": post, "person": post.person})


def _form_errors_from(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def data_change_detail(request, pk):
    change = selectors.data_change_for_user(request.user, pk)
    confirmations = list(change.confirmations.select_related("program", "decided_by"))
    mine = selectors.confirmation_for(request.user, change)
    show_nik = may_see_nik(request.user)
    rows = [
        (label, _shown(change.old_value(name), name, show_nik), _shown(change.new_value(name), name, show_nik))
        for name, label in FIELD_LABELS.items()
        if name in change.fields
    ]
    context = {
        "change": change,
        "rows": rows,
        "confirmations": confirmations,
        "history": selectors.data_change_timeline(change, confirmations),
        "can_check": change.status == DataChangeRequest.Status.WAITING_DPMD
        and selectors.may_check(request.user, change),
        "can_confirm": change.status == DataChangeRequest.Status.WAITING_BPJS
        and mine is not None
        and mine.status == mine.Status.WAITING
        and selectors.may_confirm(request.user, mine),
        "my_confirmation": mine,
        "can_withdraw": change.is_open and selectors.may_withdraw(request.user, change),
        "can_open_ktp": bool(change.ktp_file) and show_nik,
        "form": DecisionForm(),
    }
    return render(request, "changes/detail.html", context)


FIELD_LABELS = {
    "nik": gettext_lazy("NIK"),
    "full_name": gettext_lazy("Full name"),
    "birth_date": gettext_lazy("Birth date"),
    "sex": gettext_lazy("Sex"),
}


def _shown(value, name: str, show_nik: bool):
    if name == "nik":
        return value if show_nik else nik_lib.mask_nik(value)
    if name == "sex":
        return dict(Person.Sex.choices).get(value, value)
    return value


def _decision(request) -> tuple[bool, str]:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose approve or reject."))
    return form.cleaned_data["decision"] == "approve", form.cleaned_data["note"]


def _act(request, pk, action, done: str):
    change = selectors.data_change_for_user(request.user, pk)
    try:
        action(change)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("data-change-detail", pk=change.pk)


@login_required
@require_POST
def data_change_check_view(request, pk):
    def check(change):
        approve, note = _decision(request)
        services.data_change_check(actor=request.user, request=change, approve=approve, note=note)

    return _act(request, pk, check, _("Your check is recorded."))


@login_required
@require_POST
def data_change_confirm_view(request, pk):
    def confirm(change):
        approve, note = _decision(request)
        services.data_change_confirm(
            actor=request.user, request=change, confirm=approve, note=note, program_id=request.POST.get("program")
        )

    return _act(request, pk, confirm, _("Your answer is recorded."))


@login_required
@require_POST
def data_change_withdraw_view(request, pk):
    return _act(
        request,
        pk,
        lambda change: services.data_change_withdraw(actor=request.user, request=change),
        _("The request was withdrawn."),
    )


@login_required
def data_change_ktp(request, pk):
    change = selectors.data_change_for_user(request.user, pk)
    if not change.ktp_file:
        raise Http404
    if not may_see_nik(request.user):
        raise PermissionDenied(_("Your role may not open KTP scans."))
    try:
        handle = change.ktp_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=change.ktp_content_type,
        as_attachment=False,
        filename=f"ktp-perubahan-{change.pk}{change.ktp_extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    niks = dict.fromkeys(official_regency_codes(change.person_id), 1) or {None: 1}
    access_record(
        request, AccessRecord.Kind.DOCUMENT, target=f"ktp-perubahan #{change.pk} (#{change.person_id})", niks=niks
    )
    return response
