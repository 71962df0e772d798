"""The client address, login events, the forced password change and the idle timeout."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from. Behind reverse proxies, X-Forwarded-For is read only when
    TRUSTED_PROXY_COUNT says how many proxies stand in front: each appends the address it was reached
    from, so the client is the entry that many places from the right; entries further left are
    whatever the client wrote and are never trusted (one attacker cannot pose as everyone)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


# Pages a user who must change a one-time password may still open.
_OPEN_TO_ALL = ("password_change", "logout", "set_language")


def _path_is_open(request: HttpRequest) -> bool:
    path = request.path_info
    if path.startswith((settings.STATIC_URL, "/i18n/", "/healthz")):
        return True
    return any(path == reverse(name) for name in _OPEN_TO_ALL)


class PasswordChangeRequiredMiddleware:
    """A one-time password opens one page: the password change. Every other page redirects there and
    every API call answers 403 with the reason (token calls are caught by the API's permission)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password and not _path_is_open(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": password_change_reason()}, status=403)
            return redirect("password_change")
        return self.get_response(request)


def password_change_reason() -> str:
    return _("Choose your own password first: the one you logged in with can be used only once (%(url)s).") % {
        "url": reverse("password_change")
    }


class IdleTimeoutMiddleware:
    """Sessions of the roles in SESSION_IDLE_TIMEOUT_ROLES end after SESSION_IDLE_TIMEOUT seconds without
    a request (DPMD and BPJS staff work on shared office computers)."""

    KEY = "last_seen"
    # The session is written at most once a minute, not on every request.
    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _idle_applies(user):
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": _("Your session ended after a time without activity.")}, status=401)
                messages.info(request, _("Your session ended after a time without activity. Please log in again."))
                return redirect(f"{reverse('login')}?next={request.path}")
            if last is None or now - last >= self.RESOLUTION:
                request.session[self.KEY] = now
        return self.get_response(request)

    @classmethod
    def touch(cls, request: HttpRequest) -> None:
        """Called at login, so the first pages after it do not write the session again."""
        if hasattr(request, "session"):
            request.session[cls.KEY] = int(time.time())


def _idle_applies(user) -> bool:
    roles = settings.SESSION_IDLE_TIMEOUT_ROLES
    return settings.SESSION_IDLE_TIMEOUT > 0 and (user.role in roles or (user.is_superuser and "superuser" in roles))


class PasswordChosen(BasePermission):
    """API calls (session or token) of an account still on its one-time password are refused."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user and user.is_authenticated and user.must_change_password:
            self.message = password_change_reason()
            return False
        return True
