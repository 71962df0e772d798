"""The officials Excel of a regency, kept under its data version: a second download is the same file, a
write shows in the next one, the cache holds the file only encrypted, and a user who may not see full
NIKs never gets a file written for one who may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse

from core.models import Village
from tests.factories import PersonFactory, PostFactory, make_nik
from tests.spreadsheets import download_bytes, table_rows
from villages.models import Post

SUKA_PINDAH = "17.06.01.2005"


@pytest.fixture(autouse=True)
def _own_officials(regions):
    Post.objects.current().update(ended_on=F("term_start"), end_reason=Post.EndReason.TERM_ENDED)


def official(n: int, name: str):
    person = PersonFactory(nik=make_nik(n), full_name=name)
    PostFactory(person=person, village=Village.objects.get(pk=SUKA_PINDAH), term_start=dt.date(2020, 1, 1))
    return person


def names(response) -> list[str]:
    return sorted(str(cell) for row in table_rows(download_bytes(response)) for cell in row if cell in WANTED)


WANTED = {"Siti Aminah", "Budi Santoso", "Rahmat Hidayat"}


def test_a_second_download_is_the_same_file_and_a_write_shows_in_the_next(login, dpmd_mukomuko):
    client = login(dpmd_mukomuko)
    url = reverse("regency-officials-xlsx", args=["17.06"])
    official(1, "Siti Aminah")
    first = download_bytes(client.get(url))
    second = client.get(url)
    assert download_bytes(second) == first
    assert names(second) == ["Siti Aminah"]

    official(2, "Budi Santoso")
    assert names(client.get(url)) == ["Budi Santoso", "Siti Aminah"]


def test_the_cache_never_holds_the_nik_in_clear(login, dpmd_mukomuko, monkeypatch):
    from enrollment import views_exports

    kept = {}
    real_set = views_exports.cache.set
    monkeypatch.setattr(views_exports.cache, "set", lambda k, v, *a, **kw: kept.update({k: v}) or real_set(k, v, *a))
    official(1, "Siti Aminah")
    content = download_bytes(login(dpmd_mukomuko).get(reverse("regency-officials-xlsx", args=["17.06"])))
    assert make_nik(1) in str(table_rows(content))  # the file has the full NIK

    (value,) = kept.values()
    assert b"Siti" not in value and b"PK" not in value[:4]  # neither the name nor a zip in clear


def test_an_observer_never_gets_the_file_written_for_dpmd(login, dpmd_mukomuko, bengkulu_observer):
    official(1, "Siti Aminah")
    nik = make_nik(1)
    url = reverse("regency-officials-xlsx", args=["17.06"])
    assert nik in str(table_rows(download_bytes(login(dpmd_mukomuko).get(url))))

    masked = table_rows(download_bytes(login(bengkulu_observer).get(url)))
    assert nik not in str(masked) and "Siti Aminah" in str(masked)
