"""Pages of the officials file: the Excel template, the upload, the preview (or progress) page, and the
confirm and discard buttons. Scoped: outside the user's scope is a 404, a read-only role writing is a 403,
and an import is only found by users who may edit its desa or regency."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import access_record
from accounts.models import AccessRecord
from core.models import Regency, Village
from core.permissions import regency_for_user, village_for_user
from core.queue import QueueUnavailable
from villages.locks import roster_locked
from villages.models import Post, RosterImport
from villages.roster_import import choosing, services
from villages.roster_import.columns import columns_for
from villages.roster_import.selectors import header_mapping_of, roster_import_as_shown, roster_import_for_user
from villages.roster_template import template_response

RUNNING = (RosterImport.Status.UPLOADED, RosterImport.Status.VALIDATING, RosterImport.Status.APPLYING)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Officials file"),
        help_text=_("The filled-in Excel template (.xlsx), or a CSV file (UTF-8) with the same headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.xls"}),  # .xls: OpenSID's HTML list
    )


@login_required
@require_GET
def village_import_template(request, code):
    return _template(request, village=village_for_user(request.user, code, write=True))


@login_required
@require_GET
def regency_import_template(request, code):
    return _template(request, regency=regency_for_user(request.user, code, write=True))


def _template(request, *, village: Village | None = None, regency: Regency | None = None):
    """The template holds the full NIK of each current official, once per person: logged."""
    posts = Post.objects.current().filter(
        **({"village": village} if village else {"village__subdistrict__regency": regency})
    )
    regency_code = village.subdistrict.regency_id if village else regency.pk
    niks = {regency_code: posts.values("person").distinct().count()}
    access_record(request, AccessRecord.Kind.TEMPLATE, target=(village or regency).code, niks=niks)
    return template_response(village=village, regency=regency)


@login_required
def village_import(request, code):
    village = village_for_user(request.user, code, write=True)
    return _upload(request, village=village, regency=village.subdistrict.regency)


@login_required
def regency_import(request, code):
    return _upload(request, village=None, regency=regency_for_user(request.user, code, write=True))


def _upload(request, *, village: Village | None, regency: Regency):
    form = UploadForm(request.POST or None, request.FILES or None)
    choose_url = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = choosing.roster_file_upload(
                actor=request.user, upload=form.cleaned_data["file"], village=village, regency=regency
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        except QueueUnavailable as exc:  # nothing was kept: the same form, to send again later
            form.add_error("file", str(exc))
        else:
            if isinstance(outcome, RosterImport):
                return redirect("import-detail", token=outcome.token)
            if outcome.data["step"] == choosing.SHEET:
                return redirect("import-file", token=outcome.token)
            # Headers not found: refused as before, with the way to map them on the file kept.
            form.add_error("file", outcome.data["message"])
            choose_url = reverse("import-file", args=[outcome.token])
    context = {
        "form": form,
        "choose_url": choose_url,
        "village": village,
        "regency": regency,
        "locked": village is not None and roster_locked(village),
        "template_url": reverse("village-import-template", args=[village.code])
        if village
        else reverse("regency-import-template", args=[regency.code]),
    }
    return render(request, "villages/import_upload.html", context)


class SheetForm(forms.Form):
    def __init__(self, *args, sheets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"] = forms.ChoiceField(
            label=_("Sheet holding the officials"), choices=[(s, s) for s in sheets], widget=forms.RadioSelect
        )


class ColumnsForm(forms.Form):
    """A select per column of the template, listing the file's headers (as the reconciliation's mapping)."""

    def __init__(self, *args, headers: list[str], columns, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —")), *((h, h) for h in headers)]
        for column in columns:
            self.fields[column.key] = forms.ChoiceField(label=column.header, choices=choices, required=column.required)


def _kept_file(request, token):
    """The user's kept file and its desa or regency, each within the user's scope (else a 404)."""
    preview = choosing.kept_file_for(request.user, token)
    if preview is None:
        return None, None, None
    data = preview.data
    if data.get("village"):
        village = village_for_user(request.user, data["village"], write=True)
        return preview, village, village.subdistrict.regency
    return preview, None, regency_for_user(request.user, data["regency"], write=True)


@login_required
def import_file(request, token):
    """The kept file's choice: which sheet holds the officials, or which header holds each column."""
    preview, village, regency = _kept_file(request, token)
    if preview is None:
        messages.error(request, services.GONE)
        return redirect("home")
    data = preview.data
    columns = columns_for(regency_file=village is None)
    if data["step"] == choosing.SHEET:
        form = SheetForm(request.POST or None, sheets=data["sheets"])
    else:
        initial = choosing.suggested_columns(preview, columns, header_mapping_of(regency))
        form = ColumnsForm(request.POST or None, headers=data["headers"], columns=columns, initial=initial)
    if request.method == "POST" and form.is_valid():
        choice = (
            {"sheet": form.cleaned_data["sheet"]} if data["step"] == choosing.SHEET else {"columns": form.cleaned_data}
        )
        try:
            outcome = choosing.roster_file_choose(
                actor=request.user, preview=preview, village=village, regency=regency, **choice
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # the columns' errors under their selects
        except QueueUnavailable as exc:
            form.add_error(None, str(exc))
        else:
            if isinstance(outcome, RosterImport):
                return redirect("import-detail", token=outcome.token)
            return redirect("import-file", token=token)
    context = {"form": form, "data": data, "name": preview.original_name, "village": village, "regency": regency}
    return render(request, "villages/import_file.html", context)


@login_required
@require_GET
def import_detail(request, token):
    roster_import = roster_import_as_shown(roster_import_for_user(request.user, token))
    result = roster_import.result or {}
    context = {
        "item": roster_import,
        "result": result,
        "counts": result.get("counts", {}),
        "running": roster_import.status in RUNNING,
        "can_confirm": roster_import.status == RosterImport.Status.PREVIEW and not result.get("needs_nik"),
        "asks_nik": roster_import.status == RosterImport.Status.PREVIEW and bool(result.get("needs_nik")),
        "can_discard": roster_import.status in services.DISCARDABLE,
        "failed": roster_import.status == RosterImport.Status.FAILED,
        "can_retry": services.roster_import_retryable(roster_import),
        "upload_url": _upload_url(roster_import),
        "back_url": _back_url(roster_import),
        "regency_file": roster_import.village_id is None,
        "end_reasons": Post.EndReason.choices,
        "today": timezone.localdate(),
        # The counts say it all for a fresh preview; the message matters when the preview was re-made.
        "show_message": bool(roster_import.message)
        and not result.get("file_errors")
        and (roster_import.status != RosterImport.Status.PREVIEW or result.get("replanned")),
    }
    return render(request, "villages/import_detail.html", context)


@login_required
@require_GET
def import_status(request, token):
    roster_import = roster_import_as_shown(roster_import_for_user(request.user, token))
    return JsonResponse(
        {
            "status": roster_import.status,
            "progress": roster_import.progress,
            "message": roster_import.message,
            "preview_url": reverse("import-detail", args=[roster_import.token]),
        },
        headers={"Cache-Control": "no-store"},
    )


def _step(request, token: str, service) -> RosterImport | None:
    """Run a button's service on the user's import; None (and the reason shown) when it is refused or the
    task queue does not answer (the import is then as it was before the click)."""
    roster_import = roster_import_for_user(request.user, token, write=True)
    try:
        return service(actor=request.user, roster_import=roster_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except QueueUnavailable as exc:
        messages.error(request, str(exc))
    return None


def _end_choices(data, roster_import: RosterImport) -> list[dict]:
    """The ends chosen on the preview: for each official listed as not in the file, a reason (none: the
    post is left as it is) and a date. The service checks them."""
    choices = []
    for item in (roster_import.result or {}).get("absent", []):
        reason = data.get(f"end-{item['post']}-reason", "")
        ended_on = data.get(f"end-{item['post']}-date", "")
        if reason or ended_on:
            choices.append({"post": item["post"], "ended_on": ended_on, "end_reason": reason})
    return choices


@login_required
@require_POST
def import_confirm(request, token):
    def confirm(*, actor, roster_import):
        ends = _end_choices(request.POST, roster_import)
        return services.roster_import_confirm(actor=actor, roster_import=roster_import, ends=ends)

    roster_import = _step(request, token, confirm)
    if roster_import and roster_import.status == RosterImport.Status.APPLIED and roster_import.village_id:
        messages.success(request, roster_import.message)
        return redirect("village-detail", code=roster_import.village_id)
    return redirect("import-detail", token=token)


@login_required
@require_POST
def import_retry(request, token):
    """ "Try again" on a failed import: its step runs again from the file or rows still kept."""
    _step(request, token, services.roster_import_retry)
    return redirect("import-detail", token=token)


@login_required
@require_POST
def import_discard(request, token):
    roster_import = _step(request, token, services.roster_import_discard)
    if roster_import is None:
        return redirect("import-detail", token=token)
    messages.info(request, _("The file was discarded; nothing has been saved."))
    return redirect(_back_url(roster_import))


def _upload_url(roster_import: RosterImport) -> str:
    if roster_import.village_id:
        return reverse("village-import", args=[roster_import.village_id])
    return reverse("regency-import", args=[roster_import.regency_id])


def _back_url(roster_import: RosterImport) -> str:
    if roster_import.village_id:
        return reverse("village-detail", args=[roster_import.village_id])
    return reverse("regency-import", args=[roster_import.regency_id])
