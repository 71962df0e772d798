"""Template context for every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.notifications import unread_count
from core import permissions


def unread_notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: the user's unread count, queried only if the template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}


def menu(request: HttpRequest) -> dict:
    """`menu`: what the top menu of templates/base.html offers the user, decided by core.permissions."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": {}}
    return {
        "menu": {
            "regency": permissions.own_regency(user),
            "village": permissions.own_village(user),
            "can_review": permissions.may_review(user),
            "can_compare_regencies": permissions.compares_regencies(user),
            "can_administer": permissions.may_administer(user),
            "can_manage_accounts": permissions.may_manage_accounts(user),
            "can_onboard": permissions.may_onboard_regencies(user),
        }
    }
