"""Active and inactive apart: an official made inactive for an unpaid JKN month is counted "inactive",
not "not yet enrolled", and coverage counts the active only; the same on the dashboard, the kecamatan
page, the village page, the API and the lists behind the numbers. Lebong, which the demo leaves empty,
holds this test's officials alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Program, Village
from enrollment.models import Enrollment
from enrollment.selectors import coverage
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from tests.html import numbers, page

START = dt.date(2024, 1, 1)
UNPAID_FROM = timezone.localdate().replace(day=1)
KES = Program.KESEHATAN


@pytest.fixture
def desa(lebong):
    return Village.objects.filter(subdistrict__regency=lebong, kind=Village.Kind.DESA).order_by("code").first()


@pytest.fixture
def lebong_officials(desa, kes):
    """Ani is covered by JKN, Bayu was made inactive for an unpaid month, Citra was never enrolled."""

    def official(serial: int, name: str):
        return PostFactory(
            village=desa, term_start=START, person=PersonFactory(full_name=name, nik=make_nik(serial, prefix="170701"))
        ).person

    ani, bayu, citra = official(7401, "Ani Aktif"), official(7402, "Bayu Menunggak"), official(7403, "Citra Baru")
    EnrollmentFactory(person=ani, program=kes, start_date=START)
    EnrollmentFactory(
        person=bayu, program=kes, status=Enrollment.Status.INACTIVE, start_date=START, end_date=UNPAID_FROM
    )
    return {"ani": ani, "bayu": bayu, "citra": citra}


def api_figures(client, day: dt.date | None = None) -> dict:
    params = {"regency": "17.07", **({"as_of": day.isoformat()} if day else {})}
    return client.get("/api/v1/coverage/", params).json()["programs"][KES]


def test_the_unpaid_official_counts_inactive_not_covered_and_not_unenrolled(lebong_officials, dpmd_lebong, login):
    figures = api_figures(login(dpmd_lebong))

    assert (figures["officials_total"], figures["officials_covered"], figures["officials_inactive"]) == (3, 1, 1)


def test_before_the_unpaid_month_the_official_was_covered(lebong_officials, dpmd_lebong, login):
    figures = api_figures(login(dpmd_lebong), UNPAID_FROM - dt.timedelta(days=1))

    assert (figures["officials_covered"], figures["officials_inactive"]) == (2, 0)


def test_an_inactive_enrollment_without_end_date_does_not_count_as_covered(desa, kes, dpmd_lebong, login):
    person = PostFactory(
        village=desa, term_start=START, person=PersonFactory(nik=make_nik(7404, prefix="170701"))
    ).person
    EnrollmentFactory(person=person, program=kes, status=Enrollment.Status.INACTIVE, start_date=START, end_date=None)

    figures = api_figures(login(dpmd_lebong))

    assert (figures["officials_covered"], figures["officials_inactive"]) == (0, 1)


def test_the_dashboard_links_inactive_and_not_enrolled_to_lists_of_as_many(lebong_officials, dpmd_lebong, login):
    client = login(dpmd_lebong)
    card = page(client.get("/wilayah/17.07/")).find("article", cls="card", data_program=KES)

    inactive, not_enrolled = card.find("a", cls="inactive"), card.find("a", cls="not-enrolled")
    assert numbers(inactive.text)[0] == 1 and numbers(not_enrolled.text)[0] == 1

    def listed(link) -> list[str]:
        rows = page(client.get(link.attrs["href"])).find("table").find("tbody").find_all("tr")
        return [tr.find("th").text for tr in rows]

    assert listed(inactive) == ["Bayu Menunggak"]
    assert listed(not_enrolled) == ["Citra Baru"]


def test_regency_kecamatan_and_village_figures_agree(lebong_officials, desa, lebong, kes):
    day = timezone.localdate()
    programs = [Program.objects.get(pk=KES)]
    villages = Village.objects.filter(subdistrict__regency=lebong)

    regency = coverage(villages=villages, programs=programs, day=day)[None][KES]
    kecamatan = coverage(villages=villages, programs=programs, day=day, by="subdistrict")[desa.subdistrict_id][KES]
    village = coverage(villages=villages, programs=programs, day=day, by="village")[desa.pk][KES]

    officials = ("officials_total", "officials_covered", "officials_inactive", "villages_covered")
    assert {k: regency.as_dict()[k] for k in officials} == {k: kecamatan.as_dict()[k] for k in officials}
    assert {k: kecamatan.as_dict()[k] for k in officials} == {k: village.as_dict()[k] for k in officials}
    assert (village.officials_covered, village.officials_inactive, village.officials_not_enrolled) == (1, 1, 1)
    assert regency.officials_covered_pct == 33.3  # Ani of three: the inactive Bayu is not covered


def test_the_village_page_shows_the_inactive_official_as_inactive(lebong_officials, desa, dpmd_lebong, login):
    response = login(dpmd_lebong).get(f"/desa/{desa.code}/")

    card = page(response).find("article", cls="card", data_program=KES)
    assert numbers(card.find("p", cls="big").text) == (1, 3)
    assert numbers(card.find("p", cls="inactive").text) == (1,)
    bayu = lebong_officials["bayu"]
    (row,) = [tr for tr in page(response).find_all("tr") if f"/perangkat/{bayu.pk}/" in tr.links()]
    status = row.find("td", cls="program-status", data_label="BPJS Kesehatan").find("span", cls="status")
    assert status.attrs["data-status"] == "inactive"


def test_the_dashboard_of_another_regency_is_a_404(lebong_officials, dpmd_majene, login):
    client = login(dpmd_majene)

    assert client.get("/wilayah/17.07/").status_code == 404
    assert client.get("/api/v1/coverage/", {"regency": "17.07"}).status_code == 404


def test_the_officials_list_and_its_excel_show_each_status_as_the_village_page_does(
    lebong_officials, kes, dpmd_lebong, login
):
    import io

    from openpyxl import load_workbook

    rejected = PostFactory(
        village=lebong_officials["ani"].posts.get().village,
        term_start=START,
        person=PersonFactory(full_name="Dedi Ditolak", nik=make_nik(7405, prefix="170701")),
    ).person
    EnrollmentFactory(
        person=rejected, program=kes, status=Enrollment.Status.REJECTED, rejection_reason="NIK tidak padan"
    )
    client = login(dpmd_lebong)
    url = f"/wilayah/17.07/perangkat/?program={KES}"

    rows = page(client.get(url)).find("table").find("tbody").find_all("tr")
    shown = {row.find("th").text: row.find("span", cls="status").attrs["data-status"] for row in rows}
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    header = next(r for r in sheet.iter_rows(values_only=True) if r and "Nama" in r)
    named = [
        dict(zip(header, r, strict=False)) for r in sheet.iter_rows(values_only=True) if r and r[0] and r != header
    ]

    assert {name.split()[0]: kind for name, kind in shown.items()} == {
        "Ani": "active",
        "Bayu": "inactive",
        "Citra": "not_registered",
        "Dedi": "rejected",
    }
    in_excel = {r["Nama"].split()[0]: r[f"Status {kes.short_name}"] for r in named if r.get("Nama")}
    assert in_excel == {
        "Ani": "aktif",
        "Bayu": "nonaktif — menunggak",
        "Citra": "belum didaftarkan",
        "Dedi": "ditolak BPJS",
    }
