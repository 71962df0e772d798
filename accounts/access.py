"""The access log: every export of officials' data and every document download is recorded (who, what,
how many NIKs, which regency, when, from which address), and read by the DPMD of the regency and by
superusers (issue 9, personal data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import AccessRecord, User
from accounts.security import client_ip
from core.permissions import may_read_access_log


def access_record(
    request: HttpRequest,
    kind: AccessRecord.Kind,
    *,
    target: str,
    niks: Mapping[str | None, int],
    masked: bool = False,
) -> None:
    """Record that the signed-in user took data out: `niks` is how many NIKs it carried per regency code
    (one record each, so every regency's DPMD sees what concerns it; None for none), `masked` when they
    were masked for the user's role."""
    common = {
        "kind": kind,
        "target": target[:300],
        "niks_masked": masked,
        "user": request.user,
        "ip_address": client_ip(request),
    }
    AccessRecord.objects.bulk_create(
        [AccessRecord(regency_id=code, niks=count, **common) for code, count in (niks or {None: 0}).items()]
    )


def access_records_visible_to(user: User) -> QuerySet[AccessRecord]:
    """DPMD staff read their regency's records, superusers all; every other role none."""
    qs = AccessRecord.objects.select_related("user", "regency")
    if not may_read_access_log(user):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(regency_id=user.regency_id)


def access_records_filtered(
    records: QuerySet[AccessRecord],
    *,
    who: str = "",
    kind: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AccessRecord]:
    if who:
        records = records.filter(user__username__icontains=who)
    if kind:
        records = records.filter(kind=kind)
    if since:
        records = records.filter(at__date__gte=since)
    if until:
        records = records.filter(at__date__lte=until)
    return records
