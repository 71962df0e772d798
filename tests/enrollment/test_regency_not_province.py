"""DPMD staff work for their regency, not for its province: Mukomuko and Lebong both lie in Bengkulu, and
DPMD Mukomuko reaches nothing of Lebong (dashboards, lists, exports, the API), while DPMD Lebong does."""

from __future__ import annotations

import pytest

from core.models import Village
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from villages.models import Person

LEBONG = "17.07"


@pytest.fixture
def lebong_desa(lebong):
    return Village.objects.filter(subdistrict__regency=lebong, kind=Village.Kind.DESA).order_by("code").first()


@pytest.fixture
def lebong_official(lebong_desa, kes):
    person = PersonFactory(full_name="Perangkat Lebong", nik=make_nik(7001, prefix="170701"))
    PostFactory(person=person, village=lebong_desa)
    EnrollmentFactory(person=person, program=kes)
    return person


def lebong_pages(desa: Village, official) -> list[str]:
    return [
        f"/perangkat/{official.pk}/",
        f"/wilayah/{LEBONG}/",
        f"/wilayah/{LEBONG}/desa/?program=bpjs_kesehatan",
        f"/wilayah/{LEBONG}/perangkat/?program=bpjs_kesehatan",
        f"/wilayah/{LEBONG}/tindak-lanjut/?program=bpjs_kesehatan",
        f"/wilayah/{LEBONG}/anggaran/",
        f"/wilayah/{LEBONG}/perangkat.xlsx",
        f"/kecamatan/{desa.subdistrict_id}/",
        f"/kecamatan/{desa.subdistrict_id}/perangkat.xlsx",
        f"/desa/{desa.code}/",
        f"/desa/{desa.code}/perangkat.xlsx",
        f"/api/v1/coverage/?regency={LEBONG}",
    ]


def test_dpmd_of_mukomuko_opens_no_page_export_or_figure_of_lebong(lebong_desa, lebong_official, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    assert {url: client.get(url).status_code for url in lebong_pages(lebong_desa, lebong_official)} == dict.fromkeys(
        lebong_pages(lebong_desa, lebong_official), 404
    )


def test_dpmd_of_lebong_opens_them(lebong_desa, lebong_official, dpmd_lebong, login):
    client = login(dpmd_lebong)

    assert {url: client.get(url).status_code for url in lebong_pages(lebong_desa, lebong_official)} == dict.fromkeys(
        lebong_pages(lebong_desa, lebong_official), 200
    )


def test_the_api_lists_of_dpmd_mukomuko_hold_nothing_of_lebong(lebong_official, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    regencies = [r["code"] for r in client.get("/api/v1/regencies/").json()["results"]]
    lebong_villages = client.get("/api/v1/villages/", {"subdistrict__regency": LEBONG}).json()
    officials = client.get("/api/v1/officials/").json()

    assert regencies == ["17.06"]
    assert lebong_villages["count"] == 0
    mukomuko_people = Person.objects.filter(posts__village__subdistrict__regency_id="17.06").distinct()
    assert officials["count"] == mukomuko_people.count()
