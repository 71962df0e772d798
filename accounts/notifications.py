"""Notifications: a row in the app for each user, and an email to those who have an address.

Messages are written in the app's language (Indonesian), whatever language the acting user browses in:
they are read later by other people. Emails leave only after the transaction that caused them commits,
so a rolled-back step never announces anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, User
from core.models import Regency, Village
from core.roles import Role


@dataclass(frozen=True)
class Message:
    """One message to some users: what `notify_many` sends."""

    users: Iterable[User]
    message: str
    link: str = ""


def notify(*, users: Iterable[User], kind: Notification.Kind, message: str, link: str = "") -> list[Notification]:
    """Create one notification of this kind per user (each user once) and email those with an address.
    The kind says what it is about, so a daily job recognises what it already sent."""
    return notify_many(kind=kind, messages=[Message(users, message, link)])


def notify_many(*, kind: Notification.Kind, messages: Iterable[Message]) -> list[Notification]:
    """`notify` for several messages at once in one insert: a batch of many desa costs no more queries
    than a batch of one. (One statement: no savepoint of its own; the emails wait for the caller's commit.)"""
    rows: list[Notification] = []
    for item in messages:
        recipients = list({user.pk: user for user in item.users if user.is_active}.values())
        with in_app_language():
            message = str(item.message)
            subject = _("Desa Jaminan: %(message)s") % {"message": message.splitlines()[0][:80] if message else ""}
        rows += [Notification(user=user, kind=kind, message=message, link=item.link) for user in recipients]
        addresses = [user.email for user in recipients if user.email]
        if addresses:
            transaction.on_commit(partial(_email, addresses, subject, message, item.link))
    return Notification.objects.bulk_create(rows)


def in_app_language():
    """Write a message for other people in the app's language, not in the actor's."""
    return translation.override(settings.LANGUAGE_CODE)


def _email(addresses: list[str], subject: str, message: str, link: str) -> None:
    # One email per address: recipients of a desa or a DPMD office must not see each other's address.
    # SITE_URL (optional) turns the in-app path into a link that works from a mail client.
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    body = f"{message}\n\n{base}{link}" if link else message
    for address in addresses:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: the given ones, or all of them. Returns how many."""
    qs = user.notifications.filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- selectors ---------------------------------------------------------------------------------------


def village_users(village: Village | str) -> QuerySet[User]:
    """The village head and operators of a desa."""
    return User.objects.filter(role=Role.VILLAGE, village=village, is_active=True)


def dpmd_users(regency: Regency | str) -> QuerySet[User]:
    """The DPMD staff of a regency."""
    regency_id = regency.pk if isinstance(regency, Regency) else regency
    return User.objects.filter(role=Role.DPMD, regency_id=regency_id, is_active=True)


def bpjs_officers(program_ids: Iterable[str], regency: Regency | str) -> QuerySet[User]:
    """The BPJS officers of these programs whose branch covers the regency."""
    regency_id = regency.pk if isinstance(regency, Regency) else regency
    return User.objects.filter(
        role=Role.BPJS, program_id__in=list(program_ids), branch_regencies=regency_id, is_active=True
    ).distinct()


def unread_count(user: User) -> int:
    return user.notifications.filter(read_at__isnull=True).count()


def notified_since(*, kind: Notification.Kind, since: dt.datetime) -> QuerySet[Notification]:
    """Notifications of this kind created since `since`: how a daily job knows it already ran."""
    return Notification.objects.filter(kind=kind, created_at__gte=since)
