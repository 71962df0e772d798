"""The search for officials `/cari/?q=` (the box in every page's header) and `GET /api/v1/search/?q=`: a
whole NIK finds one person through the keyed hash, a name by its words without regard to case or
accents, and nobody outside the user's scope is ever found."""

from __future__ import annotations

import pytest

from core.nik import mask_nik
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from tests.html import page, parse
from villages.models import Person, Position

# Serials from 9501 up: far above any serial the demo hands out.
SITI_NIK = make_nik(9501)
RAHMA_NIK = make_nik(9502)
ARAH_NIK = make_nik(9503)
MAJENE_NIK = make_nik(9504, prefix="760502")
ADOLANG = "76.05.02.2003"  # a desa in Pamboang, Majene
SHORT = "Ketik paling sedikit 3 karakter: nama atau NIK lengkap."


@pytest.fixture(autouse=True)
def _no_demo_officials(set_aside_posts):
    """Each search finds only the officials the test made, not the demo's of every name."""
    set_aside_posts()


@pytest.fixture
def siti(suka_pindah, tk):
    """Kepala Desa of Suka Pindah, her name written with an accent; enrolled in BPJS TK."""
    person = PersonFactory(full_name="Sitï Aminah", nik=SITI_NIK)
    PostFactory(person=person, village=suka_pindah, position=Position.KEPALA_DESA)
    EnrollmentFactory(person=person, program=tk)
    return person


@pytest.fixture
def rahma(suka_pindah):
    person = PersonFactory(full_name="Siti Rahma", nik=RAHMA_NIK, sex="P")
    PostFactory(person=person, village=suka_pindah, position=Position.KAUR_KEUANGAN)
    return person


@pytest.fixture
def siti_arah(arah_tiga):
    """Another desa of Mukomuko: a village head of Suka Pindah never finds her."""
    person = PersonFactory(full_name="Siti Aminah Arah", nik=ARAH_NIK)
    PostFactory(person=person, village=arah_tiga)
    return person


@pytest.fixture
def siti_majene(regions):
    """An official of Majene: Mukomuko's DPMD never finds her."""
    from core.models import Village

    person = PersonFactory(full_name="Siti Aminah Majene", nik=MAJENE_NIK)
    PostFactory(person=person, village=Village.objects.get(pk=ADOLANG))
    return person


@pytest.fixture
def everyone(siti, rahma, siti_arah, siti_majene):
    return {"siti": siti, "rahma": rahma, "arah": siti_arah, "majene": siti_majene}


def found(client, q: str) -> list[dict[str, str]]:
    """The rows of the results table, {"Nama": ..., "NIK": ..., ...}; [] when the page says none."""
    response = client.get("/cari/", {"q": q})
    assert response.status_code == 200
    tables = page(response).find_all("table")
    return tables[0].rows() if tables else []


def names(client, q: str) -> list[str]:
    return [row["Nama"] for row in found(client, q)]


def api_names(client, q: str) -> list[str]:
    response = client.get("/api/v1/search/", {"q": q})
    assert response.status_code == 200, response.content
    return [r["full_name"] for r in response.json()["results"]]


def test_whole_nik_finds_the_person_with_desa_post_and_status(everyone, head_suka_pindah, login):
    rows = found(login(head_suka_pindah), SITI_NIK)
    number = everyone["siti"].enrollments.get().participant_number  # the village head sees it whole
    assert rows == [
        {
            "Nama": "Sitï Aminah",
            "NIK": SITI_NIK,
            "Desa": "Suka Pindah (Lubuk Pinang)",
            "Jabatan": "Kepala Desa",
            "Program": f"BPJS Ketenagakerjaan: aktif {number} BPJS Kesehatan (JKN): belum didaftarkan",
        }
    ]


def test_nik_with_spaces_or_dots_finds_the_same_person(everyone, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    spaced = f"{SITI_NIK[:6]} {SITI_NIK[6:12]} {SITI_NIK[12:]}"
    dotted = f"{SITI_NIK[:2]}.{SITI_NIK[2:4]}.{SITI_NIK[4:]}"
    assert names(client, spaced) == ["Sitï Aminah"]
    assert names(client, dotted) == ["Sitï Aminah"]


def test_a_nik_is_matched_exactly_not_by_its_start(everyone, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    assert names(client, SITI_NIK[:-1] + "9") == []
    response = client.get("/cari/", {"q": SITI_NIK[:10]})
    assert "NIK hanya dapat dicari utuh: ketik ke-16 angkanya." in page(response).text
    assert not page(response).find_all("table")


def test_name_words_match_in_any_order_and_case_with_or_without_accents(everyone, head_suka_pindah, login):
    client = login(head_suka_pindah)
    assert names(client, "siti") == ["Siti Rahma", "Sitï Aminah"]
    assert names(client, "AMINAH siti") == ["Sitï Aminah"]
    assert names(client, "Sitï") == ["Siti Rahma", "Sitï Aminah"]
    assert names(client, "sitï rahma") == ["Siti Rahma"]
    assert names(client, "siti budi") == []  # every word must match


def test_renamed_official_is_found_by_the_new_name(siti, head_suka_pindah, login):
    siti.full_name = "Siti Nurhayati"
    siti.save()
    client = login(head_suka_pindah)
    assert names(client, "nurhayati") == ["Siti Nurhayati"]
    assert names(client, "aminah") == []


def test_village_head_does_not_find_another_desa_official(everyone, head_suka_pindah, login):
    client = login(head_suka_pindah)
    assert names(client, ARAH_NIK) == []
    assert "Arah" not in " ".join(names(client, "siti aminah"))
    response = client.get("/cari/", {"q": ARAH_NIK})
    assert "Arah" not in response.content.decode()
    assert "Tidak ada perangkat di wilayah Anda" in page(response).text


def test_dpmd_does_not_find_another_regency_official(everyone, dpmd_majene, dpmd_mukomuko, login):
    assert names(login(dpmd_majene), "siti aminah") == ["Siti Aminah Majene"]
    assert names(login(dpmd_majene), SITI_NIK) == []
    assert names(login(dpmd_mukomuko), "siti aminah") == ["Siti Aminah Arah", "Sitï Aminah"]
    assert names(login(dpmd_mukomuko), MAJENE_NIK) == []


def test_observer_sees_the_nik_masked(everyone, bengkulu_observer, dpmd_mukomuko, login):
    [row] = found(login(bengkulu_observer), SITI_NIK)
    assert row["NIK"] == mask_nik(SITI_NIK)
    table = page(login(bengkulu_observer).get("/cari/", {"q": SITI_NIK})).find("table")
    assert SITI_NIK not in table.text
    [row] = found(login(dpmd_mukomuko), SITI_NIK)
    assert row["NIK"] == SITI_NIK


def test_result_links_to_the_official_page(siti, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/cari/", {"q": "aminah"})
    assert f"/perangkat/{siti.pk}/" in page(response).find("table").links()


def test_short_query_gets_a_message_and_no_results(everyone, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/cari/", {"q": " si "})
    assert SHORT in page(response).find("p", cls="error").text
    assert not page(response).find_all("table")


def test_search_needs_login(client):
    response = client.get("/cari/", {"q": "siti"})
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["head_suka_pindah", "dpmd_mukomuko", "bengkulu_observer", "bpjs_tk_mukomuko"])
def test_every_role_has_the_search_box_in_the_header(role, request, login):
    response = login(request.getfixturevalue(role)).get("/", follow=True)
    header = parse(response.content).find("header")
    form = header.find("form", role="search")
    assert form.attrs["action"] == "/cari/" and form.attrs["method"] == "get"
    field = form.find("input", name="q")
    assert form.find("label", **{"for": field.attrs["id"]}).text == "Cari perangkat"


def test_query_count_does_not_grow_with_results(
    suka_pindah, tk, kes, dpmd_mukomuko, login, django_assert_max_num_queries
):
    for n in range(12):
        person = PersonFactory(full_name=f"Siti Banyak {n}", nik=make_nik(9600 + n))
        PostFactory(person=person, village=suka_pindah)
        EnrollmentFactory(person=person, program=tk)
        EnrollmentFactory(person=person, program=kes, status=Enrollment.Status.REQUESTED)
    client = login(dpmd_mukomuko)
    with django_assert_max_num_queries(14):
        rows = found(client, "siti banyak")
    assert len(rows) == 12


def test_more_than_fifty_are_capped_with_a_note(suka_pindah, dpmd_mukomuko, login, api):
    for n in range(51):
        person = PersonFactory(full_name=f"Siti Ramai {n:02d}", nik=make_nik(9700 + n))
        PostFactory(person=person, village=suka_pindah)
    response = login(dpmd_mukomuko).get("/cari/", {"q": "siti ramai"})
    assert len(page(response).find("table").rows()) == 50
    assert "Hanya 50 pertama yang ditampilkan" in page(response).text
    data = api(dpmd_mukomuko).get("/api/v1/search/", {"q": "siti ramai"}).json()
    assert len(data["results"]) == 50 and data["more"] is True


# --- the API ------------------------------------------------------------------------------------------


def test_api_finds_by_nik_and_by_name(everyone, head_suka_pindah, api, tk, kes):
    client = api(head_suka_pindah)
    data = client.get("/api/v1/search/", {"q": SITI_NIK.replace("0", "0 ", 1)}).json()
    assert data["more"] is False
    [result] = data["results"]
    assert result["full_name"] == "Sitï Aminah" and result["nik"] == SITI_NIK
    assert result["posts"] == [
        {
            "title": "Kepala Desa",
            "village": "17.06.01.2005",
            "village_name": "Suka Pindah",
            "subdistrict_name": "Lubuk Pinang",
        }
    ]
    assert result["programs"] == [
        {"program": tk.code, "status": "active", "kind": "active", "since": "2021-01-01", "waiting_at": ""},
        {"program": kes.code, "status": None, "kind": "not_registered", "since": None, "waiting_at": ""},
    ]
    assert api_names(client, "SITI aminah") == ["Sitï Aminah"]


def test_api_keeps_to_scope(everyone, head_suka_pindah, dpmd_majene, api):
    assert api_names(api(head_suka_pindah), ARAH_NIK) == []
    assert api_names(api(head_suka_pindah), "arah") == []
    assert api_names(api(dpmd_majene), SITI_NIK) == []
    assert api_names(api(dpmd_majene), "siti") == ["Siti Aminah Majene"]


def test_api_masks_the_nik_for_the_observer(everyone, bengkulu_observer, api):
    [result] = api(bengkulu_observer).get("/api/v1/search/", {"q": SITI_NIK}).json()["results"]
    assert result["nik"] == mask_nik(SITI_NIK)


def test_api_short_query_is_refused_with_a_message(everyone, head_suka_pindah, api):
    response = api(head_suka_pindah).get("/api/v1/search/", {"q": "si"})
    assert response.status_code == 400
    assert SHORT in str(response.json())


def test_api_needs_authentication(everyone, api):
    assert api().get("/api/v1/search/", {"q": "siti"}).status_code in (401, 403)


def test_stored_names_are_folded_for_search(siti):
    assert Person.objects.get(pk=siti.pk).search_name == "siti aminah"


def test_officials_written_by_the_officials_file_are_found_by_name(suka_pindah, head_suka_pindah, login):
    """The file import writes in bulk (no save()): new and renamed officials must be searchable too."""
    from tests.villages.test_roster_import import last_import, official, template_bytes, upload

    budi = PostFactory(person=PersonFactory(full_name="Budi Saputra", nik=make_nik(9801)), village=suka_pindah)

    def edit(sheet):
        for cells in sheet.iter_rows(min_row=2):
            if cells[1].value == "Budi Saputra":
                cells[1].value = "Budi Sänjaya"
        sheet.append(official(make_nik(9802), "Dédi Gunawan", position="staf", wage="2850000"))

    client = login(head_suka_pindah)
    upload(client, template_bytes(budi.village, edit=edit))
    assert client.post(f"/impor/{last_import().token}/konfirmasi/").status_code == 302
    assert names(client, "dedi gunawan") == ["Dédi Gunawan"]
    assert names(client, "sanjaya") == ["Budi Sänjaya"]
