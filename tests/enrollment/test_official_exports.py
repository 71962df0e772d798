"""Officials to Excel (`/desa|kecamatan|wilayah/<code>/perangkat.xlsx`): one row per current post, numbers
as numbers and dates as dates, the NIK full only for roles that register people, and scoped like the pages."""

from __future__ import annotations

import datetime as dt
from itertools import zip_longest

import pytest

from core.models import Village
from core.nik import mask_nik
from tests.enrollment.officials_fixture import build_roster, expected_rows
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik, officials_against_the_alphabet
from tests.spreadsheets import download_bytes, table_rows
from villages.models import Post

BUDI_NIK = make_nik(9701)
HEADERS = [
    "Kode desa",
    "Desa",
    "Kecamatan",
    "NIK",
    "Nama",
    "Jenis kelamin",
    "Tanggal lahir",
    "Jabatan",
    "Status jabatan",
    "Mulai menjabat",
    "Dasar upah",
]


@pytest.fixture
def budi(suka_pindah, kes):
    person = PersonFactory(full_name="Budi Saputra", nik=BUDI_NIK, birth_date=dt.date(1985, 8, 17))
    PostFactory(person=person, village=suka_pindah, wage_basis=2_850_000, term_start=dt.date(2021, 3, 1))
    EnrollmentFactory(person=person, program=kes, participant_number="1706010000101", start_date=dt.date(2022, 1, 1))
    return person


def sheet(response) -> list[tuple]:
    """The header and data rows (below the title row)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return table_rows(download_bytes(response))


def rows_of(response) -> dict[str, dict]:
    header, *rows = sheet(response)
    # Read-only openpyxl leaves out empty cells at the end of a row.
    return {row[4]: dict(zip_longest(header, row)) for row in rows}


def test_dpmd_exports_a_village_with_full_nik_and_typed_cells(budi, suka_pindah, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/desa/17.06.01.2005/perangkat.xlsx")

    header, *rows = sheet(response)
    assert list(header[:11]) == HEADERS
    assert list(header[11:]) == [
        "Status BPJS TK",
        "Nomor peserta BPJS TK",
        "Sumber dana BPJS TK",
        "Mulai BPJS TK",
        "Status BPJS Kesehatan",
        "Nomor peserta BPJS Kesehatan",
        "Sumber dana BPJS Kesehatan",
        "Mulai BPJS Kesehatan",
    ]
    assert len(rows) == Post.objects.current().filter(village=suka_pindah).count()
    row = rows_of(response)["Budi Saputra"]
    assert row["NIK"] == BUDI_NIK
    assert row["Dasar upah"] == 2_850_000 and isinstance(row["Dasar upah"], int)
    assert row["Tanggal lahir"] == dt.datetime(1985, 8, 17)
    assert row["Mulai menjabat"] == dt.datetime(2021, 3, 1)
    assert row["Kode desa"] == "17.06.01.2005"
    assert row["Status BPJS Kesehatan"] == "aktif"
    assert row["Nomor peserta BPJS Kesehatan"] == "1706010000101"
    assert row["Sumber dana BPJS Kesehatan"] == "DAU"
    assert row["Mulai BPJS Kesehatan"] == dt.datetime(2022, 1, 1)
    assert row["Status BPJS TK"] == "belum terdaftar"
    assert row["Mulai BPJS TK"] is None


def test_the_province_observer_gets_masked_niks(budi, bengkulu_observer, login):
    row = rows_of(login(bengkulu_observer).get("/desa/17.06.01.2005/perangkat.xlsx"))["Budi Saputra"]

    assert row["NIK"] == mask_nik(BUDI_NIK)


def test_village_head_exports_their_village_with_full_nik(budi, head_suka_pindah, login):
    assert rows_of(login(head_suka_pindah).get("/desa/17.06.01.2005/perangkat.xlsx"))["Budi Saputra"]["NIK"] == BUDI_NIK


def test_bpjs_officer_gets_only_their_program_columns(budi, bpjs_tk_mukomuko, login):
    header, *_ = sheet(login(bpjs_tk_mukomuko).get("/kecamatan/17.06.01/perangkat.xlsx"))

    assert [h for h in header if "BPJS" in h] == [
        "Status BPJS TK",
        "Nomor peserta BPJS TK",
        "Sumber dana BPJS TK",
        "Mulai BPJS TK",
    ]


def test_subdistrict_and_regency_exports_have_a_row_per_current_post(budi, suka_pindah, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    former = PersonFactory(nik=make_nik(9702))
    PostFactory(person=former, village=suka_pindah, ended_on=dt.date(2024, 1, 1), end_reason="pensiun")

    for url, villages in (
        ("/kecamatan/17.06.01/perangkat.xlsx", Village.objects.filter(subdistrict_id="17.06.01")),
        ("/wilayah/17.06/perangkat.xlsx", Village.objects.filter(subdistrict__regency_id="17.06")),
    ):
        _, *rows = sheet(client.get(url))
        assert len(rows) == Post.objects.current().filter(village__in=villages, village__kind="desa").count()
        assert former.full_name not in {row[4] for row in rows}


def test_a_person_with_an_ended_enrollment_shows_it(suka_pindah, tk, dpmd_mukomuko, login):
    person = PersonFactory(full_name="Sari Lestari", nik=make_nik(9703))
    PostFactory(person=person, village=suka_pindah)
    EnrollmentFactory(
        person=person,
        program=tk,
        status="ended",
        segment="PU",
        participant_number="17060100003",
        end_date=dt.date(2023, 1, 1),
        funding_source_id="ADD",
    )

    row = rows_of(login(dpmd_mukomuko).get("/desa/17.06.01.2005/perangkat.xlsx"))["Sari Lestari"]

    assert (row["Status BPJS TK"], row["Sumber dana BPJS TK"]) == ("berakhir", "ADD")


def test_exports_are_404_outside_the_scope(budi, head_arah_tiga, head_suka_pindah, dpmd_majene, bpjs_kes_majene, login):
    assert login(head_arah_tiga).get("/desa/17.06.01.2005/perangkat.xlsx").status_code == 404
    assert login(head_suka_pindah).get("/kecamatan/17.06.01/perangkat.xlsx").status_code == 404
    assert login(head_suka_pindah).get("/wilayah/17.06/perangkat.xlsx").status_code == 404
    for user in (dpmd_majene, bpjs_kes_majene):
        client = login(user)
        assert client.get("/desa/17.06.01.2005/perangkat.xlsx").status_code == 404
        assert client.get("/kecamatan/17.06.01/perangkat.xlsx").status_code == 404
        assert client.get("/wilayah/17.06/perangkat.xlsx").status_code == 404


def test_anonymous_is_sent_to_log_in(client, regions):
    response = client.get("/wilayah/17.06/perangkat.xlsx")

    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_regency_export_costs_the_same_queries_for_the_demo(demo, dpmd_mukomuko, login, django_assert_max_num_queries):
    client = login(dpmd_mukomuko)

    # 9: the 8 of the file and the regency's data version (a file already written is sent from the cache)
    with django_assert_max_num_queries(9):
        rows = sheet(client.get("/desa/17.06.01.2005/perangkat.xlsx"))
    assert len(rows) > 1
    with django_assert_max_num_queries(9):
        rows = sheet(client.get("/wilayah/17.06/perangkat.xlsx"))
    assert len(rows) - 1 == Post.objects.current().filter(village__subdistrict__regency_id="17.06").count() >= 1220


def test_village_export_lists_officials_by_sotk_rank(suka_pindah, dpmd_mukomuko, login):
    in_rank_order = officials_against_the_alphabet(suka_pindah)

    header, *rows = sheet(login(dpmd_mukomuko).get("/desa/17.06.01.2005/perangkat.xlsx"))

    assert [row[header.index("Nama")] for row in rows] == in_rank_order


# --- the cells, exactly --------------------------------------------------------------------------------


def test_regency_export_shows_each_current_post_with_its_best_enrollment_per_program(
    tk, kes, set_aside_posts, dpmd_mukomuko, login
):
    """An acting post in a second desa is a row of its own with the person's enrollments; an ended post is
    left out; the open enrollment, else the latest, is the one shown."""
    set_aside_posts()
    roster = build_roster(tk, kes)

    _, *rows = sheet(login(dpmd_mukomuko).get("/wilayah/17.06/perangkat.xlsx"))

    assert [tuple(row) for row in rows] == expected_rows(roster)
