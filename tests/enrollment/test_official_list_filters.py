"""The list behind an official figure (`/wilayah/<code>/perangkat/`): kecamatan and desa columns, filters
by kecamatan, desa, position and position status, sort, and an Excel download of the very same rows."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Program, Village
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory
from tests.html import page
from tests.spreadsheets import table_rows
from villages.models import Position, Post

LUBUK_PINANG = "17.06.01"
PAMBOANG = "76.05.02"  # a kecamatan of Majene
ADOLANG = "76.05.02.2003"  # a desa in Pamboang, Majene


@pytest.fixture
def officials(suka_pindah, arah_tiga, tk, set_aside_posts):
    """Three officials not in BPJS TK and one who is, in two desa of Lubuk Pinang: the only posts there
    (the demo's are set aside for the test)."""
    set_aside_posts(village__subdistrict_id=LUBUK_PINANG)
    held = [
        ("Cahya Kadus", arah_tiga, Position.KEPALA_DUSUN, Post.Status.DEFINITIF),
        ("Zaki Kasi", suka_pindah, Position.KASI_PEMERINTAHAN, Post.Status.PLT),
        ("Bayu Kadus", suka_pindah, Position.KEPALA_DUSUN, Post.Status.DEFINITIF),
        ("Dodi Kadus", suka_pindah, Position.KEPALA_DUSUN, Post.Status.DEFINITIF),
    ]
    for name, village, position, status in held:
        PostFactory(person=PersonFactory(full_name=name), village=village, position=position, status=status)
    EnrollmentFactory(
        person=Post.objects.get(person__full_name="Dodi Kadus").person, program=tk, start_date=dt.date(2021, 1, 1)
    )


def uncovered(**filters: str) -> str:
    query = "&".join(
        f"{k}={v}" for k, v in {"program": Program.KETENAGAKERJAAN, "which": "uncovered", **filters}.items()
    )
    return f"/wilayah/17.06/perangkat/?{query}"


def names_on_page(response) -> list[str]:
    assert response.status_code == 200
    return [th.text for th in page(response).find("table").find("tbody").find_all("th")]


def names_in_excel(response) -> list[str]:
    assert response.status_code == 200
    header, *rows = table_rows(response.content)
    return [row[header.index("Nama")] for row in rows]


def test_desa_and_position_filters_narrow_the_page_and_its_excel_to_the_same_rows(officials, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    url = uncovered(kecamatan=LUBUK_PINANG, desa="17.06.01.2005", position="kepala_dusun")

    assert names_on_page(client.get(url)) == ["Bayu Kadus"]
    assert names_in_excel(client.get(url + "&format=xlsx")) == ["Bayu Kadus"]


def test_position_status_filter_keeps_the_acting_officials(officials, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    url = uncovered(kecamatan=LUBUK_PINANG, status="plt")

    assert names_on_page(client.get(url)) == ["Zaki Kasi"]
    assert names_in_excel(client.get(url + "&format=xlsx")) == ["Zaki Kasi"]


def test_list_shows_the_kecamatan_and_desa_of_each_official(officials, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(uncovered(kecamatan=LUBUK_PINANG, desa="17.06.01.2007"))

    (row,) = page(response).find("table").rows()
    assert row["Kecamatan"] == Village.objects.get(pk="17.06.01.2007").subdistrict.name
    assert row["Desa"] == "Arah Tiga"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Bayu Kadus", "Cahya Kadus", "Zaki Kasi"]),
        ("desa", ["Cahya Kadus", "Bayu Kadus", "Zaki Kasi"]),  # Arah Tiga before Suka Pindah, then by name
        ("position", ["Zaki Kasi", "Bayu Kadus", "Cahya Kadus"]),  # a Kasi before the Kadus
    ],
)
def test_list_sorts_by_name_desa_or_position_in_page_and_excel(officials, dpmd_mukomuko, login, sort, expected):
    client = login(dpmd_mukomuko)
    url = uncovered(kecamatan=LUBUK_PINANG, sort=sort)

    assert names_on_page(client.get(url)) == expected
    assert names_in_excel(client.get(url + "&format=xlsx")) == expected


def test_kecamatan_or_desa_of_another_regency_as_filter_is_not_found(officials, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    for url in (
        uncovered(kecamatan=PAMBOANG),
        uncovered(desa=ADOLANG),
        uncovered(kecamatan=LUBUK_PINANG, desa=ADOLANG),
    ):
        assert client.get(url).status_code == 404
        assert client.get(url + "&format=xlsx").status_code == 404


def test_dpmd_of_another_regency_gets_no_list_nor_excel(officials, dpmd_majene, login):
    client = login(dpmd_majene)

    assert client.get(uncovered()).status_code == 404
    assert client.get(uncovered(format="xlsx")).status_code == 404


def test_unknown_position_or_sort_is_not_found(officials, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    assert client.get(uncovered(position="bupati")).status_code == 404
    assert client.get(uncovered(sort="nik")).status_code == 404
