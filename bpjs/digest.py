"""The daily digest of a BPJS officer's queue: one message a day saying how many officials of how many
desa wait for review ("12 perangkat dari 3 desa menunggu di antrean"), rather than one per official."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import Notification, User
from accounts.notifications import in_app_language, notified_since, notify
from bpjs.selectors import review_queue
from core.roles import Role


def queue_digests_send(*, day: dt.date | None = None) -> int:
    """Send each active BPJS officer with requests waiting in their queue today's digest, once a day at
    most (a retried or twice-scheduled run sends nothing more). Returns how many officers were told.
    One count per officer: officers are few, their queues long."""
    day = day or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    sent = 0
    for officer in User.objects.filter(role=Role.BPJS, is_active=True, program__isnull=False).order_by("pk"):
        sent += _digest(officer, since)
    return sent


@transaction.atomic
def _digest(officer: User, since: dt.datetime) -> int:
    User.objects.select_for_update().filter(pk=officer.pk).first()  # one digest even if two runs overlap
    if notified_since(kind=Notification.Kind.DIGEST, since=since).filter(user=officer).exists():
        return 0
    figures = review_queue(officer).aggregate(
        officials=Count("person", distinct=True), villages=Count("village_code", distinct=True)
    )
    if not figures["officials"]:
        return 0
    with in_app_language():
        message = ngettext(
            "%(n)s official from %(villages)s desa is waiting in your %(program)s queue.",
            "%(n)s officials from %(villages)s desa are waiting in your %(program)s queue.",
            figures["officials"],
        ) % {"n": figures["officials"], "villages": figures["villages"], "program": officer.program.short_name}
    notify(users=[officer], kind=Notification.Kind.DIGEST, message=message, link=reverse("review-queue"))
    return 1
