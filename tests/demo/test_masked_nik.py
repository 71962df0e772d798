"""A masked NIK cannot be rebuilt from what the same viewer reads (issue 9, personal data).

A NIK is the regency and kecamatan codes (digits 1–6), the birth date DDMMYY with 40 added to the day
for women (7–12) and a serial (13–16). The province observer sees the desa, the birth date and the sex
of every official: whatever the mask leaves visible must not pin the NIK down to one candidate."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import Count, Q

from core.models import Village
from core.roles import Role
from tests.factories import UserFactory
from tests.html import facts, page
from villages.models import Post

pytestmark = pytest.mark.usefixtures("demo")

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def birth_date(text: str) -> dt.date:
    day, month, year = text.split()
    return dt.date(int(year), MONTHS.index(month) + 1, int(day))


def candidates(masked: str, *, village_code: str, born: dt.date, female: bool) -> int:
    """How many NIKs agree with the masked one and with what the pages say: the first 12 digits follow
    from the desa and the birth date, the mask's visible digits fix their places, and each hidden
    serial digit leaves ten choices (the serial 0000 is not issued)."""
    assert len(masked) == 16
    stem = village_code.replace(".", "")[:6] + f"{born.day + (40 if female else 0):02d}{born:%m%y}"
    if any(shown.isdigit() and shown != known for shown, known in zip(masked[:12], stem, strict=True)):
        return 0
    hidden = sum(1 for c in masked[12:] if not c.isdigit())
    return 10**hidden - 1 if hidden == 4 else 10**hidden


def test_no_official_of_a_desa_can_be_rebuilt_from_the_observers_pages(login):
    village = (
        Village.objects.filter(subdistrict__regency_id="17.06")
        .annotate(n=Count("posts", filter=Q(posts__ended_on__isnull=True)))
        .order_by("-n", "code")
        .first()
    )
    observer = login(UserFactory(role=Role.PROVINCE, province=village.subdistrict.regency.province))
    listing = page(observer.get(f"/desa/{village.code}/"))
    people = sorted({int(m) for m in re.findall(r"/perangkat/(\d+)/", str(listing.links()))})
    assert len(people) == Post.objects.current().filter(village=village).values("person").distinct().count() > 5

    for pk in people:
        shown = facts(page(observer.get(f"/perangkat/{pk}/")).find("dl", cls="facts"))
        found = candidates(
            shown["NIK"],
            village_code=village.code,
            born=birth_date(shown["Tanggal lahir"]),
            female=shown["Jenis kelamin"] == "perempuan",
        )
        assert found > 1, f"the NIK of official {pk} follows from the observer's pages: {shown}"
