"""The pages that show cached figures (the dashboard, the kecamatan page, the comparison of regencies)
show a write at the very next read, whatever made it, and never another language's or another scope's
cached HTML."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.models import FundingSource, Program, Village
from enrollment.figures import figures_warm
from enrollment.models import Enrollment
from tests.factories import PersonFactory, PostFactory, make_nik
from villages.models import Post

SUKA_PINDAH = "17.06.01.2005"
ARAH_TIGA = "17.06.01.2007"


@pytest.fixture(autouse=True)
def _own_officials(regions):
    Post.objects.current().update(ended_on=F("term_start"), end_reason=Post.EndReason.TERM_ENDED)


def official(code: str, n: int, *, enrolled: bool):
    """An official of desa `code`, enrolled in JKN (written with bulk_create: no save(), no signal)."""
    person = PersonFactory(nik=make_nik(n))
    PostFactory(person=person, village=Village.objects.get(pk=code), term_start=dt.date(2020, 1, 1))
    if enrolled:
        Enrollment.objects.bulk_create(
            [
                Enrollment(
                    person=person,
                    program_id=Program.KESEHATAN,
                    status=Enrollment.Status.ACTIVE,
                    segment="PPU",
                    start_date=dt.date(2021, 1, 1),
                    funding_source=FundingSource.objects.get(pk="DAU"),
                )
            ]
        )
    return person


def jkn_officials(html: str) -> str:
    """The officials figure of the JKN card: "1 dari 3 perangkat" and the like."""
    card = html[html.index('data-program="bpjs_kesehatan"') :]
    return re.findall(r'<a class="big"[^>]*>([^<]*)</a>', card)[1]


def test_the_dashboard_shows_a_bulk_write_at_the_next_read(login, dpmd_mukomuko):
    client = login(dpmd_mukomuko)
    official(SUKA_PINDAH, 1, enrolled=True)
    official(ARAH_TIGA, 2, enrolled=False)
    url = reverse("regency-dashboard", args=["17.06"])

    assert jkn_officials(client.get(url).content.decode()) == "1 dari 2 perangkat"
    assert jkn_officials(client.get(url).content.decode()) == "1 dari 2 perangkat"  # from the cache

    official(ARAH_TIGA, 3, enrolled=True)
    assert jkn_officials(client.get(url).content.decode()) == "2 dari 3 perangkat"

    Enrollment.objects.filter(person__posts__village_id=SUKA_PINDAH).update(
        status=Enrollment.Status.INACTIVE, end_date=timezone.localdate() - dt.timedelta(days=3)
    )
    assert jkn_officials(client.get(url).content.decode()) == "1 dari 3 perangkat"


def test_the_cached_dashboard_is_not_served_in_another_language(login, dpmd_mukomuko):
    client = login(dpmd_mukomuko)
    official(SUKA_PINDAH, 1, enrolled=True)
    url = reverse("regency-dashboard", args=["17.06"])
    assert "1 dari 1 perangkat" in client.get(url).content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "1 of 1 officials" in english and "By subdistrict" in english
    assert "perangkat</a>" not in english


def test_the_kecamatan_page_shows_a_write_at_the_next_read(login, dpmd_mukomuko):
    client = login(dpmd_mukomuko)
    official(SUKA_PINDAH, 1, enrolled=False)
    url = reverse("subdistrict-detail", args=["17.06.01"])
    assert "0 dari 1 perangkat" in client.get(url).content.decode()

    Enrollment.objects.create(
        person=Post.objects.get(village_id=SUKA_PINDAH, ended_on=None).person,
        program_id=Program.KESEHATAN,
        status=Enrollment.Status.ACTIVE,
        segment="PPU",
        start_date=dt.date(2021, 1, 1),
        funding_source=FundingSource.objects.get(pk="DAU"),
    )
    assert "1 dari 1 perangkat" in client.get(url).content.decode()


def test_the_comparison_shows_a_write_and_only_the_regencies_in_scope(login, superuser, bengkulu_observer):
    official(SUKA_PINDAH, 1, enrolled=True)
    url = reverse("regency-list")
    everyone = login(superuser).get(url).content.decode()
    assert "Majene" in everyone and "Mukomuko" in everyone

    bengkulu = login(bengkulu_observer).get(url).content.decode()  # the same figures, cached: another scope
    assert "Mukomuko" in bengkulu and "Majene" not in bengkulu

    official(ARAH_TIGA, 2, enrolled=True)
    assert "2 dari 2 perangkat" in login(superuser).get(url).content.decode()


def test_the_beat_task_counts_only_what_changed(regions):
    official(SUKA_PINDAH, 1, enrolled=True)
    figures_warm()
    assert figures_warm() == 0  # nothing written since: nothing counted again

    official(ARAH_TIGA, 2, enrolled=True)
    assert figures_warm() == 1  # Mukomuko only


def test_the_lists_behind_the_figures_show_a_write_at_the_next_read(login, dpmd_mukomuko):
    client = login(dpmd_mukomuko)
    official(SUKA_PINDAH, 1, enrolled=True)
    query = "?program=bpjs_kesehatan&which=covered"
    villages, officials = (reverse(name, args=["17.06"]) + query for name in ("regency-villages", "regency-officials"))
    assert "1 desa dengan minimal satu perangkat terdaftar" in client.get(villages).content.decode()
    assert "1 perangkat terdaftar" in client.get(officials).content.decode()

    official(ARAH_TIGA, 2, enrolled=True)
    assert "2 desa dengan minimal satu perangkat terdaftar" in client.get(villages).content.decode()
    assert "2 perangkat terdaftar" in client.get(officials).content.decode()


def test_the_followup_list_shows_a_submission_at_the_next_read(login, dpmd_mukomuko):
    from submissions.models import Submission

    client = login(dpmd_mukomuko)
    official(SUKA_PINDAH, 1, enrolled=False)
    url = reverse("regency-followup", args=["17.06"]) + "?program=bpjs_kesehatan&kecamatan=17.06.01"
    row = 'data-stage="0"'
    before = client.get(url).content.decode().count(row)
    assert before >= 1

    Submission.objects.create(
        village_id=SUKA_PINDAH,
        program_id=Program.KESEHATAN,
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        created_by=dpmd_mukomuko,
    )
    after = client.get(url).content.decode()
    assert after.count(row) == before - 1 and 'data-stage="2"' in after


def test_the_cached_charts_carry_each_users_own_target_form(login, dpmd_mukomuko, bengkulu_observer):
    official(SUKA_PINDAH, 1, enrolled=True)
    url = reverse("regency-dashboard", args=["17.06"])
    dpmd = login(dpmd_mukomuko)
    first = dpmd.get(url).content.decode()
    assert first.count('name="year"') == 2  # a form per program, in its chart

    officer = login(bengkulu_observer).get(url).content.decode()  # the charts from the cache, no form
    assert 'name="year"' not in officer

    dpmd.post(reverse("coverage-target", args=["17.06"]), {"program": "bpjs_kesehatan", "year": "2029"})
    again = dpmd.get(url).content.decode()
    assert 'value="2029"' in again and "100% pada 2029" in again
