"""The superuser's page to set up a new regency: choose it, follow the import, create its first DPMD."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import services
from accounts.forms import OnboardingForm
from accounts.models import RegencyOnboarding
from accounts.onboarding import onboarding_start
from accounts.views_accounts import render_once
from core import permissions
from core.models import Regency
from core.queue import QueueUnavailable
from core.roles import Role


def _superuser_or_403(request) -> None:
    if not permissions.may_onboard_regencies(request.user):
        raise PermissionDenied(_("Only a superuser sets up a new regency."))


@login_required
def onboarding_new(request):
    _superuser_or_403(request)
    form = OnboardingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            onboarding = onboarding_start(actor=request.user, regency_code=form.cleaned_data["regency_code"])
        except QueueUnavailable as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("onboarding-detail", pk=onboarding.pk)
    recent = RegencyOnboarding.objects.all()[:10]
    return render(request, "accounts/onboarding_new.html", {"form": form, "recent": recent})


@login_required
def onboarding_detail(request, pk):
    _superuser_or_403(request)
    onboarding = get_object_or_404(RegencyOnboarding, pk=pk)
    regency = Regency.objects.filter(pk=onboarding.regency_code).first()
    done = onboarding.status == RegencyOnboarding.Status.DONE and regency is not None
    if request.method == "POST" and done:
        username = request.POST.get("username", "").strip() or f"dpmd-{regency.code.replace('.', '')}"
        try:
            account, password = services.account_create(
                actor=request.user, username=username, role=Role.DPMD, regency=regency
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            slips = [services.Slip(village=None, account=account, password=password)]
            return render_once(request, "accounts/slips.html", {"slips": slips, "single": True})
    else:
        error = ""
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": onboarding.status, "summary": onboarding.summary})
    dpmd = regency.dpmd_staff.filter(role=Role.DPMD) if regency else []
    context = {"onboarding": onboarding, "regency": regency, "done": done, "dpmd": dpmd, "error": error}
    return render(request, "accounts/onboarding_detail.html", context)
