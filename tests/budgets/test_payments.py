"""Payments: entered month by month through a form, and imported from a small Excel or CSV file with a
preview, Indonesian row errors and nothing saved while any row is wrong."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import Workbook

from budgets.models import Payment
from core.models import Program
from tests.html import Element, field_errors, hidden, messages, number, page

MUKOMUKO = "17.06"
KES, TK = Program.KESEHATAN, Program.KETENAGAKERJAAN
TODAY = timezone.localdate()
YEAR = TODAY.year
HEADER = "Tahun,Bulan,Sumber,Program,Jumlah,Tanggal Bayar,Referensi"


@pytest.fixture(autouse=True)
def _no_payments(db):
    """Each test starts from no payments at all (the session demo may have recorded its own)."""
    Payment.objects.all().delete()


def csv_file(*rows: str, header: str = HEADER, name: str = "pembayaran.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([header, *rows]).encode(), content_type="text/csv")


def xlsx_file(rows: list[list]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("pembayaran.xlsx", buffer.getvalue())


def preview_rows(response) -> list[dict[str, str]]:
    """The rows of an import's preview, each {column: text}; the unnamed last column is "new" or "skipped"."""
    main = page(response)
    assert not main.find_all(cls="budget-alert"), main.find(cls="budget-alert").text  # no errors listed
    card = next(c for c in main.find_all("section") if c.find_all("h2") and c.find("h2").text == "Pratinjau")
    return card.find("table").rows()


def error_rows(response) -> list[dict[str, str]]:
    """The errors an import lists under its "n kesalahan ... Tidak ada yang disimpan." heading."""
    return page(response).find("div", cls="budget-alert").find("table").rows()


def upload_form(response) -> Element:
    return page(response).find("form", enctype="multipart/form-data")


def payment_data(**overrides) -> dict:
    data = {
        "fiscal_year": YEAR,
        "month": 1,
        "program": KES,
        "source": "DAU",
        "amount": "Rp139.080.000",
        "paid_on": f"{YEAR}-01-08",
        "reference": "SP2D-001",
    }
    return {**data, **overrides}


# --- the form ----------------------------------------------------------------------------------------


def test_dpmd_records_a_regency_payment_and_is_sent_back_to_the_list(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/", payment_data())

    assert response.status_code == 302
    assert response["Location"] == f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/?tahun={YEAR}"
    payment = Payment.objects.get(regency=MUKOMUKO)
    assert (payment.month, payment.amount, payment.source_id, payment.reference) == (1, 139_080_000, "DAU", "SP2D-001")
    assert payment.recorded_by == dpmd_mukomuko
    assert payment.history.get().history_user == dpmd_mukomuko


def test_the_payments_page_lists_the_year(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    client.post(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/", payment_data())

    response = client.get(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/?tahun={YEAR}")

    rows = page(response).find("table").rows()
    assert [number(row["Jumlah"]) for row in rows] == [139_080_000]
    assert (rows[0]["Bulan"], rows[0]["Sumber dana"], rows[0]["Referensi"]) == (f"Januari {YEAR}", "DAU", "SP2D-001")


def test_village_head_records_an_add_payment_of_their_desa(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).post(
        f"/desa/{suka_pindah.code}/anggaran/pembayaran/",
        payment_data(program=TK, source="ADD", amount="153.900"),
    )

    assert response.status_code == 302
    assert Payment.objects.get(village=suka_pindah).amount == 153_900


def test_a_desa_cannot_record_a_regency_source(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).post(f"/desa/{suka_pindah.code}/anggaran/pembayaran/", payment_data())

    assert response.status_code == 200
    assert field_errors(page(response), "source")
    assert not Payment.objects.exists()


def test_a_payment_date_in_the_future_or_a_zero_amount_is_refused(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    future = client.post(
        f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/",
        payment_data(paid_on=(TODAY.replace(year=YEAR + 1)).isoformat()),
    )
    zero = client.post(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/", payment_data(amount="0"))

    assert field_errors(page(future), "paid_on") == ["Tanggal bayar ada di masa depan."]
    assert field_errors(page(zero), "amount") == ["Jumlahnya harus lebih dari nol."]
    assert not Payment.objects.exists()


def test_dpmd_deletes_a_payment_and_the_history_keeps_who(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    client.post(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/", payment_data())
    payment = Payment.objects.get()

    assert client.get(f"/pembayaran/{payment.pk}/hapus/").status_code == 200
    assert client.post(f"/pembayaran/{payment.pk}/hapus/").status_code == 302
    assert not Payment.objects.exists()
    assert Payment.history.filter(id=payment.pk, history_type="-").get().history_user == dpmd_mukomuko


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_see_payments_but_recording_or_deleting_is_403(
    actor, dpmd_mukomuko, suka_pindah, login, request
):
    payment = Payment.objects.create(
        fiscal_year=YEAR,
        month=1,
        regency_id=MUKOMUKO,
        program_id=TK,
        source_id="DAU",
        amount=1_000,
        paid_on=TODAY,
        recorded_by=dpmd_mukomuko,
    )
    client = login(request.getfixturevalue(actor))

    assert client.get(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/").status_code == 200
    assert client.post(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/", payment_data(program=TK)).status_code == 403
    assert client.post(f"/desa/{suka_pindah.code}/anggaran/pembayaran/", payment_data()).status_code == 403
    assert client.post(f"/pembayaran/{payment.pk}/hapus/").status_code == 403
    upload = {"file": csv_file(f"{YEAR},1,DAU,BPJS TK,1000,08-01-{YEAR},")}
    assert client.post(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/", upload).status_code == 403
    assert Payment.objects.count() == 1


def test_dpmd_of_another_regency_gets_404(dpmd_majene, dpmd_mukomuko, suka_pindah, login):
    payment = Payment.objects.create(
        fiscal_year=YEAR,
        month=1,
        regency_id=MUKOMUKO,
        program_id=KES,
        source_id="DAU",
        amount=1_000,
        paid_on=TODAY,
        recorded_by=dpmd_mukomuko,
    )
    client = login(dpmd_majene)

    for url in (
        f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/",
        f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/",
        f"/desa/{suka_pindah.code}/anggaran/pembayaran/",
        f"/desa/{suka_pindah.code}/anggaran/pembayaran/impor/",
        f"/pembayaran/{payment.pk}/hapus/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/", payment_data()).status_code == 404


def test_village_head_of_another_desa_gets_404(head_arah_tiga, suka_pindah, login):
    client = login(head_arah_tiga)

    assert client.get(f"/desa/{suka_pindah.code}/anggaran/pembayaran/").status_code == 404
    assert client.get(f"/desa/{suka_pindah.code}/anggaran/pembayaran/impor/").status_code == 404
    assert client.post(f"/desa/{suka_pindah.code}/anggaran/pembayaran/", payment_data()).status_code == 404
    assert client.get(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/").status_code == 404


# --- the import --------------------------------------------------------------------------------------


def test_a_csv_is_previewed_then_recorded_on_confirmation(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    url = f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/"
    upload = csv_file(
        f"{YEAR},1,DAU,BPJS Kesehatan,139.080.000,08-01-{YEAR},SP2D-01",
        f"{YEAR};2;DAU;JKN;Rp139.080.000;{YEAR}-02-07;SP2D-02".replace(";", ","),
        f"{YEAR},Maret,dau,bpjs_kesehatan,139080000,06/03/{YEAR},",
    )

    preview = client.post(url, {"file": upload})

    assert preview.status_code == 200
    rows = preview_rows(preview)
    assert [row[""] for row in rows] == ["baru", "baru", "baru"]
    assert [row["Bulan"] for row in rows] == [f"1/{YEAR}", f"2/{YEAR}", f"3/{YEAR}"]
    assert not Payment.objects.exists()  # nothing saved before the confirmation

    confirmed = client.post(url, {"token": hidden(page(preview), "token")})

    assert confirmed.status_code == 302
    assert list(Payment.objects.order_by("month").values_list("month", "amount")) == [
        (1, 139_080_000),
        (2, 139_080_000),
        (3, 139_080_000),
    ]
    assert set(Payment.objects.values_list("recorded_by", flat=True)) == {dpmd_mukomuko.pk}


def test_an_xlsx_with_real_dates_and_numbers_imports_the_same(dpmd_mukomuko, login):
    import datetime as dt

    client = login(dpmd_mukomuko)
    url = f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/"
    preview = client.post(
        url, {"file": xlsx_file([[YEAR, 1, "DAU", "BPJS Kesehatan", 139080000, dt.datetime(YEAR, 1, 8), "A1"]])}
    )

    rows = preview_rows(preview)
    assert [(row["Jumlah"], row["Tanggal bayar"]) for row in rows] == [("Rp139.080.000", f"8 Jan {YEAR}")]
    client.post(url, {"token": hidden(page(preview), "token")})
    assert Payment.objects.get().paid_on == dt.date(YEAR, 1, 8)


def test_row_errors_are_listed_in_indonesian_and_nothing_is_saved(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    upload = csv_file(
        f"{YEAR},1,DAU,BPJS Kesehatan,139.080.000,08-01-{YEAR},ok",
        f"{YEAR},13,DAU,BPJS Kesehatan,1000,08-01-{YEAR},",
        f"{YEAR},2,XYZ,BPJS Kesehatan,1000,08-01-{YEAR},",
        f"{YEAR},2,ADD,BPJS TK,1000,08-01-{YEAR},",
        f"{YEAR},2,DAU,BPJS Kesehatan,seribu,08-01-{YEAR},",
        f"{YEAR},2,DAU,BPJS Kesehatan,1000,,",
        f"{YEAR},1,DAU,BPJS Kesehatan,139.080.000,08-01-{YEAR},ok",
        f"{YEAR},4,DAU,BPJS Kesehatan,1000,=SUM(A1:A2),",
    )

    with translation.override("id"):
        response = client.post(f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/", {"file": upload})

    errors = error_rows(response)
    assert [(int(e["Baris"]), e["Kolom"]) for e in errors] == [
        (3, "Bulan"),
        (4, "Sumber"),
        (5, "Sumber"),
        (6, "Jumlah"),
        (7, "Tanggal Bayar"),
        (8, "Jumlah"),
        (9, "Tanggal Bayar"),
    ]
    problems = {int(e["Baris"]): e["Masalah"] for e in errors}
    assert "bukan bulan" in problems[3]
    assert "dibayar oleh desa" in problems[5]
    assert "baris 2" in problems[8]
    main = page(response)
    assert not main.find_all("input", name="token")  # no confirmation offered
    assert "Tidak ada yang disimpan" in main.find("div", cls="budget-alert").find("h2").text
    assert not Payment.objects.exists()


def test_a_file_that_is_not_a_table_is_refused_with_a_message(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    url = f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/"

    pdf = client.post(url, {"file": SimpleUploadedFile("bayar.xlsx", b"%PDF-1.4 not a sheet")})
    missing = client.post(url, {"file": csv_file(f"{YEAR},1", header="Tahun,Bulan")})

    assert field_errors(page(pdf), "file")
    assert "Sumber" in " ".join(field_errors(page(missing), "file"))
    for response in (pdf, missing):  # no preview and no row errors: the file was never read as a table
        assert not page(response).find_all("table")
        assert upload_form(response).find("h2").text == "Unggah berkas"


def test_uploading_the_same_file_again_adds_nothing(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    url = f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/"
    row = f"{YEAR},1,DAU,BPJS Kesehatan,139.080.000,08-01-{YEAR},SP2D-01"
    client.post(url, {"token": hidden(page(client.post(url, {"file": csv_file(row)})), "token")})

    preview = client.post(url, {"file": csv_file(row)})

    assert [row[""] for row in preview_rows(preview)] == ["sudah tercatat: dilewati"]
    client.post(url, {"token": hidden(page(preview), "token")})
    assert Payment.objects.count() == 1


def test_a_tampered_or_borrowed_preview_saves_nothing(dpmd_mukomuko, head_suka_pindah, suka_pindah, login):
    client = login(dpmd_mukomuko)
    url = f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/"
    token = hidden(page(client.post(url, {"file": csv_file(f"{YEAR},1,DAU,JKN,1000,08-01-{YEAR},")})), "token")

    tampered = client.post(url, {"token": token[:-3] + "abc"})
    other_page = login(head_suka_pindah).post(f"/desa/{suka_pindah.code}/anggaran/pembayaran/impor/", {"token": token})

    assert tampered.status_code == 200
    assert [level for level, _ in messages(tampered)] == ["error"]
    assert other_page.status_code == 404  # another user's preview: not theirs to see or confirm
    assert not Payment.objects.exists()


def test_a_village_head_imports_the_payments_of_their_desa(head_suka_pindah, suka_pindah, login):
    client = login(head_suka_pindah)
    url = f"/desa/{suka_pindah.code}/anggaran/pembayaran/impor/"

    preview = client.post(url, {"file": csv_file(f"{YEAR},1,ADD,BPJS TK,153.900,05-01-{YEAR},")})
    client.post(url, {"token": hidden(page(preview), "token")})

    assert Payment.objects.get().village == suka_pindah


def test_the_import_costs_the_same_queries_for_3_rows_as_for_300(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    url = f"/wilayah/{MUKOMUKO}/anggaran/pembayaran/impor/"

    def rows(n: int) -> list[str]:
        return [f"{YEAR},{1 + i % 12},DAU,BPJS Kesehatan,{1000 + i},08-01-{YEAR},R{i}" for i in range(n)]

    client.post(url, {"file": csv_file(*rows(3))})
    with CaptureQueriesContext(connection) as small:
        client.post(url, {"file": csv_file(*rows(3))})
    with CaptureQueriesContext(connection) as large:
        response = client.post(url, {"file": csv_file(*rows(300))})

    assert len(preview_rows(response)) == 300
    assert len(large) == len(small) <= 11  # the preview is kept in one INSERT


def test_who_entered_an_add_amount_and_who_saved_or_deleted_a_scenario_is_kept(dpmd_mukomuko, suka_pindah, tk):
    import datetime as dt
    from decimal import Decimal

    from budgets.models import Scenario, VillageFund
    from budgets.services import scenario_create, scenario_delete, village_fund_set
    from core.models import FundingSource

    fund = village_fund_set(actor=dpmd_mukomuko, village=suka_pindah, fiscal_year=2031, add_amount=400_000_000)
    village_fund_set(actor=dpmd_mukomuko, village=suka_pindah, fiscal_year=2031, add_amount=450_000_000)
    scenario = scenario_create(
        actor=dpmd_mukomuko,
        regency=suka_pindah.subdistrict.regency,
        name="Semua dari ADD",
        program=tk,
        components=["JKK", "JKM"],
        source=FundingSource.objects.get(pk="ADD"),
        start_month=dt.date(2031, 7, 1),
        add_share_threshold=Decimal(5),
    )
    scenario_pk = scenario.pk
    scenario_delete(actor=dpmd_mukomuko, scenario=scenario)

    assert [h.add_amount for h in fund.history.order_by("history_date")] == [400_000_000, 450_000_000]
    assert {h.history_user for h in fund.history.all()} == {dpmd_mukomuko}
    deleted = Scenario.history.filter(id=scenario_pk, history_type="-").get()
    assert deleted.history_user == dpmd_mukomuko
    assert VillageFund.objects.get(pk=fund.pk).add_amount == 450_000_000
