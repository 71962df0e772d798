"""The village page (its officials and their coverage), the page of one official, the roster forms,
and the NIK conflicts DPMD settles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import error_summary
from core.models import Village
from core.permissions import may_edit_identity, regency_for_user, village_for_user
from villages.forms import OfficialEditForm, OfficialForm, PostEndForm
from villages.identity import identity_frozen
from villages.selectors import (
    home_post,
    may_settle_nik_conflict,
    nik_conflict_for_user,
    nik_conflict_rows,
    nik_conflicts_visible_to,
    post_for_user,
    village_in_scope,
)
from villages.services import nik_conflict_resolve, official_create, official_update, post_end

# --- roster: add, correct and end officials ------------------------------------------------------


def _form_errors_from(form, exc: ValidationError) -> None:
    """Put a service's errors beside the fields they name, the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _saved(request, form, message: str, village: Village):
    messages.success(request, message)
    for warning in form.warnings:
        messages.warning(request, warning)
    return redirect("village-detail", code=village.code)


@login_required
def official_add(request, code):
    village = village_for_user(request.user, code, write=True)
    form = OfficialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            official_create(
                actor=request.user, village=village, nik=form.cleaned_data["nik"], **form.person_and_post_fields()
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            return _saved(request, form, _("%(name)s was added.") % {"name": form.cleaned_data["full_name"]}, village)
    return _official_form(request, form, village, None)


@login_required
def post_edit(request, pk):
    post = post_for_user(request.user, pk, write=True, current=True)
    home = home_post(post.person)
    form = OfficialEditForm(
        request.POST or None,
        initial=OfficialEditForm.initial_for(post),
        frozen_identity=identity_frozen(post.person),
        identity_locked=not may_edit_identity(request.user, home.village if home else None),
    )
    if request.method == "POST" and form.is_valid():
        try:
            official_update(
                actor=request.user,
                post=post,
                nik=form.cleaned_data["nik"],
                **form.versions(),
                **form.person_and_post_fields(),
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            return _saved(request, form, _("The changes were saved."), post.village)
    return _official_form(request, form, post.village, post)


def _official_form(request, form, village: Village, post):
    context = {"form": form, "village": village, "post": post, "error_summary": error_summary(form, form.subject(post))}
    return render(request, "villages/official_form.html", context)


@login_required
def post_end_view(request, pk):
    post = post_for_user(request.user, pk, write=True, current=True)
    form = PostEndForm(request.POST or None, initial={"version": post.version})
    if request.method == "POST" and form.is_valid():
        try:
            post_end(
                actor=request.user,
                post=post,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The post of %(name)s has ended.") % {"name": post.person})
            return redirect("village-detail", code=post.village_id)
    context = {"form": form, "post": post, "village": post.village, "error_summary": error_summary(form, post.title)}
    return render(request, "villages/post_end.html", context)


# --- NIK conflicts: a NIK claimed by a second desa waits for DPMD ------------------------------------


@login_required
def nik_conflicts(request, code):
    regency = regency_for_user(request.user, code)
    conflicts = nik_conflicts_visible_to(request.user).filter(
        Q(village__subdistrict__regency=regency) | Q(other_village__subdistrict__regency=regency)
    )
    open_conflicts = nik_conflict_rows(request.user, conflicts.filter(resolved_at__isnull=True).order_by("-created_at"))
    for row in open_conflicts:
        row.can_resolve = may_settle_nik_conflict(request.user, row.conflict)
    context = {
        "regency": regency,
        "open": open_conflicts,
        "resolved": nik_conflict_rows(
            request.user, conflicts.filter(resolved_at__isnull=False).order_by("-resolved_at")[:50]
        ),
        "can_resolve": any(row.can_resolve for row in open_conflicts),
    }
    return render(request, "villages/nik_conflicts.html", context)


@login_required
@require_POST
def nik_conflict_resolve_view(request, pk):
    conflict = nik_conflict_for_user(request.user, pk, write=True)
    # Back to the list of the user's own side of the conflict.
    side = conflict.village if village_in_scope(request.user, conflict.village) else conflict.other_village
    regency = side.subdistrict.regency
    try:
        nik_conflict_resolve(actor=request.user, conflict=conflict, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The conflict is resolved."))
    return redirect("nik-conflicts", code=regency.code)
