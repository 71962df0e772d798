"""Template context for every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.notifications import unread_count


def unread_notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: the user's unread count, queried only if the template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
