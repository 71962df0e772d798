"""Logins and failed logins go into the account activity (who, when, from where)."""

from __future__ import annotations

from accounts.models import AccountEvent, User
from accounts.security import IdleTimeoutMiddleware, client_ip
from accounts.services import account_event_record


def record_login(sender, request, user, **kwargs) -> None:
    if request is not None:
        IdleTimeoutMiddleware.touch(request)
    if user.must_change_password and not user.one_time_password_used:
        user.one_time_password_used = True
        user.save(update_fields=["one_time_password_used"])
    account_event_record(
        kind=AccountEvent.Kind.LOGIN, account=user, actor=user, ip=client_ip(request) if request else None
    )


def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).first()
    account_event_record(
        kind=AccountEvent.Kind.LOGIN_FAILED,
        account=account,
        actor=None,
        username=username,
        ip=client_ip(request) if request is not None else None,
    )
