"""Responses to signed-in users are kept out of every cache (issue 9: pages, API answers and exports
carry NIKs, participant numbers and the like; a shared office PC or a proxy must not keep them)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user, static files aside.
    The user is read after the view ran, so an API call signed in by token (which DRF authenticates in
    the view) is covered like a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path_info.startswith(settings.STATIC_URL):
            patch_cache_control(response, private=True, no_store=True)
        return response
