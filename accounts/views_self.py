"""What every user does for themselves: change the password (forced after a one-time password), reset a
forgotten one by email, keep their email and phone, and create or revoke their API token."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.forms import ProfileForm
from accounts.security import client_ip


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(account=self.request.user, ip=client_ip(self.request))
        messages.success(self.request, _("Your password was changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """The emailed link is absolute, built from SITE_URL (the address users know), not from the Host
    header of whoever asked."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL.rstrip("/")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(account=form.user, ip=client_ip(self.request))
        return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, initial={"email": request.user.email, "phone": request.user.phone})
    if request.method == "POST" and form.is_valid():
        services.profile_update(account=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"form": form, "has_token": token is not None})


@login_required
@require_POST
def profile_token(request):
    """Create (replacing the old one) or revoke the user's API token. A new key is shown once."""
    if request.POST.get("action") == "revoke":
        services.token_revoke(account=request.user)
        messages.success(request, _("Your API token was revoked."))
        return redirect("profile")
    token = services.token_create(account=request.user)
    response = render(request, "accounts/token_created.html", {"key": token.key})
    response["Cache-Control"] = "no-store"
    return response
