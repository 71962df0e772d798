"""Where core.text's rules apply: names typed into the app (officials form and API, officials file,
scenario and account names) cannot become formulas or carry control characters, nor can a payment
reference or a name in a BPJS list. The refusal is in Indonesian, beside the field or on the row and
column, and nothing is saved. Phone numbers with +62 and other numbers are not names and still pass."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from budgets.models import Payment, Scenario
from tests.bpjs.review_support import reconcile_one
from tests.factories import PostFactory, make_nik
from tests.html import field_errors, page
from tests.villages.test_roster_import import csv_bytes, db_state, last_import, official, upload, xlsx
from villages.models import Person, Post, RosterImport

NIK = make_nik(5556, prefix="170601", birth=dt.date(1988, 3, 9))
FORMULA = "Nama tidak boleh diawali %s: program spreadsheet membacanya sebagai rumus. Hapus %s di awal."
CONTROL = "Teks ini memuat karakter kontrol (%s), misalnya tab, baris baru atau ESC."
ESCAPE = "Teks ini memuat kode escape Excel %s, bukan huruf. Ketik ulang tanpa kode itu."


def form(**overrides) -> dict:
    return {
        "nik": NIK,
        "full_name": "Hendra Saputra",
        "sex": "L",
        "birth_date": "1988-03-09",
        "phone": "+6281234567890",
        "position": "kasi_pemerintahan",
        "status": "definitif",
        "term_start": "2023-02-01",
        "wage_basis": "2850000",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", '=HYPERLINK("http://x")', FORMULA % ("=", "=")),
        ("full_name", "+Hendra", FORMULA % ("+", "+")),
        ("local_title", "@Kadus", FORMULA % ("@", "@")),
        ("sk_number", "-141/2023", FORMULA % ("-", "-")),
        ("full_name", "Hendra_x001B_", ESCAPE % "_x001B_"),
    ],
)
def test_the_api_refuses_a_name_read_as_a_formula_and_saves_nothing(
    head_suka_pindah, suka_pindah, api, field, value, message
):
    before = Person.objects.count(), Post.objects.count()

    response = api(head_suka_pindah).post(
        reverse("api-village-roster", args=[suka_pindah.code]), form(**{field: value}), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert (Person.objects.count(), Post.objects.count()) == before


def test_the_api_refuses_a_control_character_in_a_corrected_name(head_suka_pindah, suka_pindah, api):
    post = PostFactory(village=suka_pindah)

    response = api(head_suka_pindah).patch(
        reverse("api-post", args=[post.pk]), {"full_name": "Hendra\x1b[2J"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["full_name"][0].startswith(CONTROL % "U+001B")
    post.person.refresh_from_db()
    assert post.person.full_name != "Hendra\x1b[2J"


def test_the_page_shows_the_refusal_beside_the_name_and_a_phone_with_plus_passes(head_suka_pindah, suka_pindah, login):
    client = login(head_suka_pindah)

    refused = client.post(reverse("official-add", args=[suka_pindah.code]), form(full_name="=1+1"))
    accepted = client.post(reverse("official-add", args=[suka_pindah.code]), form())

    assert refused.status_code == 200
    assert field_errors(page(refused), "full_name") == [FORMULA % ("=", "=")]
    assert accepted.status_code == 302
    assert Person.objects.get(full_name="Hendra Saputra", posts__village=suka_pindah).phone == "+6281234567890"


def test_the_officials_file_refuses_such_names_with_row_and_column(head_suka_pindah, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(head_suka_pindah)
    before = db_state()
    rows = [
        official(make_nik(9601), "+Budi"),
        official(make_nik(9602), "-Budi"),
        official(make_nik(9603), "@Budi"),
        official(make_nik(9604), "Budi_x0000_"),
        official(make_nik(9605), "Budi", local_title="Kadus_x001B_"),
        official(make_nik(9606), "Budi", sk_number="@141"),
    ]

    upload(client, xlsx(rows))

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.INVALID
    assert db_state() == before
    errors = [(e["row"], e["column"], e["message"]) for e in roster_import.result["errors"]]
    assert errors == [
        (2, "Nama Lengkap", FORMULA % ("+", "+")),
        (3, "Nama Lengkap", FORMULA % ("-", "-")),
        (4, "Nama Lengkap", FORMULA % ("@", "@")),
        (5, "Nama Lengkap", ESCAPE % "_x0000_"),
        (6, "Nama Jabatan Lokal", ESCAPE % "_x001B_"),
        (7, "Nomor SK", FORMULA % ("@", "@")),
    ]


def test_a_csv_with_a_tab_or_esc_in_a_name_is_refused_with_row_and_column(head_suka_pindah, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rows = [official(make_nik(9611), "Budi\tSantoso"), official(make_nik(9612), "Budi\x1b[31m")]

    upload(login(head_suka_pindah), csv_bytes(rows, delimiter=";"), name="perangkat.csv")

    errors = [(e["row"], e["column"], e["message"]) for e in last_import().result["errors"]]
    assert [(row, column) for row, column, _ in errors] == [(2, "Nama Lengkap"), (3, "Nama Lengkap")]
    assert errors[0][2].startswith(CONTROL % "U+0009") and errors[1][2].startswith(CONTROL % "U+001B")


def test_a_scenario_name_read_as_a_formula_is_refused(demo, dpmd_mukomuko, login):
    payload = {
        "regency": "17.06",
        "name": '=HYPERLINK("http://x")',
        "program": "bpjs_ketenagakerjaan",
        "components": [],
        "source": "ADD",
        "start_month": "2026-07",
        "add_share_threshold": "5",
    }

    response = login(dpmd_mukomuko).post("/api/v1/scenarios/", payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"]["name"] == [FORMULA % ("=", "=")]
    assert not Scenario.objects.filter(name__startswith="=").exists()


def test_an_account_name_read_as_a_formula_is_refused(api, dpmd_mukomuko, suka_pindah):
    response = api(dpmd_mukomuko).post(
        "/api/v1/accounts/",
        {"username": "kades-baru", "role": "village", "village": suka_pindah.code, "first_name": "@cmd"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["first_name"] == [FORMULA % ("@", "@")]
    assert not User.objects.filter(username="kades-baru").exists()


def test_a_payment_reference_with_a_control_character_is_refused_on_its_row(dpmd_mukomuko, login):
    header = "Tahun,Bulan,Sumber,Program,Jumlah,Tanggal Bayar,Referensi"
    year = timezone.localdate().year
    rows = [f"{year},1,DAU,BPJS Kesehatan,1000,08-01-{year},SP2D-01", f"{year},1,DAU,JKN,2000,08-01-{year},SP2D\x1b02"]
    upload = SimpleUploadedFile("pembayaran.csv", "\n".join([header, *rows]).encode(), content_type="text/csv")

    response = login(dpmd_mukomuko).post("/wilayah/17.06/anggaran/pembayaran/impor/", {"file": upload})

    (error,) = page(response).find("div", cls="budget-alert").find("table").rows()
    assert error["Baris"] == "3" and error["Kolom"] == "Referensi"
    assert error["Masalah"].startswith(CONTROL % "U+001B")
    assert not Payment.objects.filter(reference__startswith="SP2D").exists()


def test_a_bpjs_list_name_with_an_escape_is_reported_on_its_row_and_not_kept(
    suka_pindah, kes, mukomuko, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    person = PostFactory(village=suka_pindah).person

    _, reconciliation = reconcile_one(person=person, program=kes, regency=mukomuko, name_in_list="BUDI_x001B_[2J")

    assert reconciliation.result["errors"] == [{"row": 2, "column": "Nama Peserta", "message": ESCAPE % "_x001B_"}]
    lines = [line for village in reconciliation.result["villages"] for line in village["lines"]]
    assert "_x001B_" not in str(lines)
