"""The officials template (.xlsx): what a village head or DPMD downloads to fill in, and who may."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core.spreadsheets.cells import labels_id
from tests.factories import PersonFactory, PostFactory
from tests.villages.test_roster_import import ARAH_TIGA, SUKA_PINDAH, last_import, nik, upload
from villages.models import Position, Post
from villages.roster_import.columns import COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.ROSTER_IMPORT_INLINE_ROWS = 5000  # a regency template with the demo loaded has 1,220 rows


@pytest.fixture
def budi(suka_pindah):
    person = PersonFactory(full_name="Budiman Templat", nik=nik(1), phone="081111111111")
    return PostFactory(person=person, village=suka_pindah, position=Position.KEPALA_DUSUN, local_title="Kadus I")


@pytest.fixture
def gani(arah_tiga):
    return PostFactory(person=PersonFactory(full_name="Ganiman Templat", nik=nik(6)), village=arah_tiga)


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def data_rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row)]


def test_village_head_downloads_the_template_of_their_desa(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get(f"/desa/{SUKA_PINDAH}/template.xlsx")

    workbook = workbook_of(response)
    assert response["Content-Disposition"] == (
        f'attachment; filename="perangkat-desa-{SUKA_PINDAH}.xlsx"; '
        f"filename*=UTF-8''perangkat-desa-{SUKA_PINDAH}.xlsx"
    )
    assert "no-store" in response["Cache-Control"]
    assert workbook.sheetnames == ["Perangkat", "Petunjuk", "Daftar"]
    assert all(sheet.sheet_state == "visible" for sheet in workbook.worksheets)
    sheet = workbook["Perangkat"]
    assert [c.value for c in sheet[1]] == [
        "NIK",
        "Nama Lengkap",
        "Jenis Kelamin (L/P)",
        "Tanggal Lahir",
        "No. HP",
        "Jabatan",
        "Nama Jabatan Lokal",
        "Status Jabatan",
        "Nomor SK",
        "Tanggal SK",
        "Tanggal Pelantikan",
        "Mulai Menjabat",
        "Akhir Masa Jabatan",
        "Dasar Upah (Rp)",
        "Tanggal Berhenti",
        "Alasan Berhenti",
    ]
    assert sheet.freeze_panes == "A2"


def test_the_template_holds_the_current_officials_with_their_full_nik(budi, head_suka_pindah, login):
    ended = PostFactory(
        village=budi.village,
        person=PersonFactory(full_name="Mantan Kadus", nik=nik(2)),
        ended_on="2022-01-01",
        end_reason=Post.EndReason.TERM_ENDED,
    )

    sheet = workbook_of(login(head_suka_pindah).get(f"/desa/{SUKA_PINDAH}/template.xlsx"))["Perangkat"]

    rows = {row[1]: row for row in data_rows(sheet)}
    budi_row = rows["Budiman Templat"]
    assert budi_row[0] == nik(1)  # in full, as text
    assert (budi_row[2], budi_row[4], budi_row[5], budi_row[6], budi_row[7]) == (
        "L",
        "081111111111",
        "Kepala Dusun",
        "Kadus I",
        "definitif",
    )
    assert budi_row[3].date().isoformat() == "1985-08-17"
    assert budi_row[13] == 2_850_000
    assert ended.person.full_name not in rows
    assert len(rows) == Post.objects.filter(village=budi.village, ended_on__isnull=True).count()


def test_nik_and_phone_are_text_and_dates_are_dd_mm_yyyy(budi, head_suka_pindah, login):
    sheet = workbook_of(login(head_suka_pindah).get(f"/desa/{SUKA_PINDAH}/template.xlsx"))["Perangkat"]

    for row in (2, 50):  # a filled row, and an empty one below for new officials
        assert sheet[f"A{row}"].number_format == "@"
        assert sheet[f"E{row}"].number_format == "@"
        assert sheet[f"D{row}"].number_format == "DD-MM-YYYY"
    assert sheet.column_dimensions["A"].width >= 18


def test_drop_downs_take_their_values_from_the_visible_list_sheet(budi, head_suka_pindah, login):
    workbook = workbook_of(login(head_suka_pindah).get(f"/desa/{SUKA_PINDAH}/template.xlsx"))
    sheet, lists = workbook["Perangkat"], workbook["Daftar"]

    validations = {str(dv.sqref)[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}

    assert validations == {
        "C": "'Daftar'!$C$2:$C$3",
        "F": "'Daftar'!$A$2:$A$13",
        "H": "'Daftar'!$B$2:$B$5",
        "P": "'Daftar'!$D$2:$D$6",
    }
    assert [c.value for c in lists["A"][1:]] == labels_id(Position.choices)
    assert [c.value for c in lists["B"][1:] if c.value] == labels_id(Post.Status.choices)
    assert [c.value for c in lists["C"][1:] if c.value] == ["L", "P"]
    assert [c.value for c in lists["D"][1:] if c.value] == labels_id(Post.EndReason.choices)
    assert "pensiun" in labels_id(Post.EndReason.choices)


def test_the_instructions_explain_nik_dates_headers_and_ending_a_post(head_suka_pindah, login):
    workbook = workbook_of(login(head_suka_pindah).get(f"/desa/{SUKA_PINDAH}/template.xlsx"))

    text = " ".join(str(c.value) for c in workbook["Petunjuk"]["A"] if c.value)

    for part in ("NIK", "DD-MM-YYYY", "Tanggal Berhenti", "Alasan Berhenti", "Teks", ".xlsx"):
        assert part in text, part


def test_the_template_uploaded_unchanged_changes_nothing(budi, head_suka_pindah, login):
    client = login(head_suka_pindah)
    content = client.get(f"/desa/{SUKA_PINDAH}/template.xlsx").content

    upload(client, content)

    roster_import = last_import()
    counts = roster_import.result["counts"]
    assert roster_import.status == "preview", roster_import.result.get("errors") or roster_import.result
    assert (counts["new"], counts["changed"], counts["ended"], counts["errors"], counts["absent"]) == (0, 0, 0, 0, 0)
    assert counts["unchanged"] == Post.objects.filter(village=budi.village, ended_on__isnull=True).count()


def test_a_plt_post_beside_a_definitif_one_is_listed_once(budi, head_suka_pindah, login):
    PostFactory(person=budi.person, village=budi.village, position=Position.SEKRETARIS_DESA, status=Post.Status.PLT)
    client = login(head_suka_pindah)

    content = client.get(f"/desa/{SUKA_PINDAH}/template.xlsx").content
    rows = [row for row in data_rows(load_workbook(io.BytesIO(content))["Perangkat"]) if row[0] == nik(1)]
    upload(client, content)

    assert len(rows) == 1 and rows[0][5] == "Kepala Dusun"
    assert last_import().result["counts"]["errors"] == 0


def test_dpmd_downloads_the_regency_template_with_the_village_code_first(budi, gani, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/wilayah/17.06/template.xlsx")

    sheet = workbook_of(response)["Perangkat"]
    assert response["Content-Disposition"] == (
        "attachment; filename=\"perangkat-kabupaten-17.06.xlsx\"; filename*=UTF-8''perangkat-kabupaten-17.06.xlsx"
    )
    assert [c.value for c in sheet[1]] == ["Kode Desa", *(c.header for c in COLUMNS)]
    rows = {row[2]: row for row in data_rows(sheet)}
    assert rows["Budiman Templat"][0] == SUKA_PINDAH
    assert rows["Ganiman Templat"][0] == ARAH_TIGA
    assert sheet["A2"].number_format == "@"
    assert {row[0][:5] for row in rows.values()} == {"17.06"}


def test_the_regency_template_uploaded_unchanged_changes_nothing(budi, gani, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    content = client.get("/wilayah/17.06/template.xlsx").content

    upload(client, content, regency="17.06")

    counts = last_import().result["counts"]
    assert (counts["new"], counts["changed"], counts["errors"]) == (0, 0, 0), last_import().result["errors"][:3]


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_may_not_download_the_template(actor, request, login):
    client = login(request.getfixturevalue(actor))

    assert client.get(f"/desa/{SUKA_PINDAH}/template.xlsx").status_code == 403
    assert client.get("/wilayah/17.06/template.xlsx").status_code == 403


def test_a_village_head_cannot_download_another_desa_or_the_regency(head_arah_tiga, login):
    client = login(head_arah_tiga)

    assert client.get(f"/desa/{SUKA_PINDAH}/template.xlsx").status_code == 404
    assert client.get("/wilayah/17.06/template.xlsx").status_code == 404


def test_dpmd_of_another_regency_gets_404(dpmd_majene, login):
    client = login(dpmd_majene)

    assert client.get(f"/desa/{SUKA_PINDAH}/template.xlsx").status_code == 404
    assert client.get("/wilayah/17.06/template.xlsx").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, regions):
    response = client.get(f"/desa/{SUKA_PINDAH}/template.xlsx")

    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_a_kelurahan_has_no_template(dpmd_mukomuko, login):
    assert login(dpmd_mukomuko).get("/desa/17.06.02.1009/template.xlsx").status_code == 403


def test_the_template_costs_the_same_queries_for_few_and_many_officials(
    suka_pindah, head_suka_pindah, login, django_assert_max_num_queries
):
    client = login(head_suka_pindah)
    with django_assert_max_num_queries(8):
        client.get(f"/desa/{SUKA_PINDAH}/template.xlsx")
    for i in range(30):
        PostFactory(village=suka_pindah, person=PersonFactory(nik=nik(100 + i)))

    with django_assert_max_num_queries(8):
        assert client.get(f"/desa/{SUKA_PINDAH}/template.xlsx").status_code == 200
