"""Notifications: a row in the app for each user, and an email to those who have an address.

Messages are written in the app's language (Indonesian), whatever language the acting user browses in:
they are read later by other people. Emails leave only after the transaction that caused them commits,
so a rolled-back step never announces anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, User
from core.models import Regency, Village
from core.roles import Role


@transaction.atomic
def notify(*, users: Iterable[User], message: str, link: str = "") -> list[Notification]:
    """Create one notification per user (each user once) and email those with an address."""
    recipients = list({user.pk: user for user in users if user.is_active}.values())
    with in_app_language():
        message = str(message)
        subject = _("Desa Jaminan: %(message)s") % {"message": message.splitlines()[0][:80] if message else ""}
    notifications = Notification.objects.bulk_create(
        [Notification(user=user, message=message, link=link) for user in recipients]
    )
    addresses = [user.email for user in recipients if user.email]
    if addresses:
        transaction.on_commit(lambda: _email(addresses, subject, message, link))
    return notifications


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


def village_users(village: Village) -> QuerySet[User]:
    """The village head and operators of a desa."""
    return User.objects.filter(role=Role.VILLAGE, village=village, is_active=True)


def dpmd_users(regency: Regency | str) -> QuerySet[User]:
    """The DPMD staff of a regency."""
    regency_id = regency.pk if isinstance(regency, Regency) else regency
    return User.objects.filter(role=Role.DPMD, regency_id=regency_id, is_active=True)


def unread_count(user: User) -> int:
    return user.notifications.filter(read_at__isnull=True).count()


def notified_since(*, link: str, since: dt.datetime) -> QuerySet[Notification]:
    """Notifications with this link created since `since`: how a daily job knows it already ran."""
    return Notification.objects.filter(link=link, created_at__gte=since)
