"""The registration sheet's round trip (issue "BPJS review, reconciliation", part 2): the queue goes out
as .xlsx, comes back with participant numbers (and start dates), is previewed with every row's error, and
is confirmed all or nothing; the same file again changes nothing. An officer clears 100 requests in one
file, in a number of queries that does not grow with the file (the preview) or grows by a fixed amount
per approved row (the confirmation, one status change each through the service)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from bpjs import services
from core.models import Village
from enrollment.models import Enrollment
from tests.bpjs import test_reconciliation as reconciliation
from tests.bpjs.review_support import HEADER_ROW, jkn, kpj, request_enrollment, xlsx_bytes
from tests.factories import PersonFactory, make_nik
from tests.html import errors_under, hidden, messages, number, page

Status = Enrollment.Status
MAJENE_DESA = "76.05.02.2003"
# Queries of a confirmation: a fixed part, then this many per approved row: the status change through
# enrollment_change_status (its savepoint, full_clean's three foreign-key and three constraint checks
# with their savepoints, the update and the history row).
# One bulk update, whatever the number of rows; the preview is read and used up in the same transaction.
# +2: the savepoint around the bulk update, where a number a concurrent approval took is refused.
# +3: the notifications of the batch (the desa and posts approved, their desa and DPMD users, one insert).
CONFIRM_FIXED, CONFIRM_PER_ROW = 28, 0


@pytest.fixture
def majene_desa(regions):
    return Village.objects.get(pk=MAJENE_DESA)


# The officer of a regency of its own downloads a queue holding only the test's requests, whatever the
# session demo left waiting in Majene's.
uji, uji_desa, bpjs_kes_uji = reconciliation.uji, reconciliation.uji_desa, reconciliation.bpjs_kes_uji


def fill_queue(program, village, n: int, *, start: int = 0) -> list[Enrollment]:
    return [
        request_enrollment(program, village, person=PersonFactory(nik=make_nik(start + i + 1, prefix="760502")))
        for i in range(n)
    ]


def download(client, program) -> bytes:
    response = client.get(f"/bpjs/antrean.xlsx?program={program.code}")
    assert response.status_code == 200
    return response.content


def filled(content: bytes, numbers, *, start: str | None = None, edit=None) -> bytes:
    """The downloaded sheet with Nomor Peserta typed as text (numbers(i) for data row i, None to leave it
    empty) and Tanggal Mulai if given; `edit(sheet, header)` changes anything else."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[HEADER_ROW]]
    number_col, start_col = header.index("Nomor Peserta") + 1, header.index("Tanggal Mulai") + 1
    for i, row in enumerate(range(HEADER_ROW + 1, sheet.max_row + 1)):
        number = numbers(i)
        if number is not None:
            sheet.cell(row, number_col).value = number
            if start:
                sheet.cell(row, start_col).value = start
    if edit:
        edit(sheet, header)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "antrean.xlsx"):
    return client.post("/bpjs/antrean/impor/", {"file": SimpleUploadedFile(name, content)})


SUMMARY = {
    "akan disetujui": "approve",
    "sudah aktif dengan nomor yang sama (tidak berubah)": "unchanged",
    "tanpa nomor peserta (tetap di antrean)": "skipped",
    "kesalahan": "errors",
}


def preview_of(client, response) -> dict:
    """The preview as the officer reads it: how many rows are approved, unchanged and skipped, every error
    with its row and column, and the token of its "Setujui" button."""
    assert response.status_code == 302, response.content.decode()[:2000]
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    card = page(shown).find("section", aria_labelledby="preview-title")
    counts = {}
    for li in card.find("ul", cls="review-summary").find_all("li"):
        figure = li.find("strong").text
        counts[SUMMARY[li.text.removeprefix(figure).strip()]] = number(figure)
    errors = [
        {"row": int(row["Baris"]), "column": row["Kolom"], "message": row["Masalah"]}
        for table in card.find_all("table")
        if [th.text for th in table.find("thead").find_all("th")] == ["Baris", "Kolom", "Masalah"]
        for row in table.rows()
    ]
    assert counts.pop("errors") == len(errors)
    # A preview with errors, or with nothing to approve, offers no button: the tests that confirm it
    # anyway take its token from the view.
    token = hidden(card, "token") or shown.context["token"]
    return counts | {"errors": errors, "token": token}


def confirm(client, token: str):
    return client.post("/bpjs/antrean/impor/konfirmasi/", {"token": token}, follow=True)


# --- the round trip ----------------------------------------------------------------------------------


def test_officer_clears_a_queue_of_100_requests_in_one_file(
    kes, uji_desa, bpjs_kes_uji, login, django_assert_max_num_queries
):
    requests = fill_queue(kes, uji_desa, 100)
    client = login(bpjs_kes_uji)
    content = filled(download(client, kes), lambda i: jkn(i + 1), start="01-03-2026")

    preview = preview_of(client, upload(client, content))
    assert (preview["approve"], preview["errors"], preview["skipped"]) == (100, [], 0)
    with django_assert_max_num_queries(CONFIRM_FIXED + CONFIRM_PER_ROW * 100):
        response = confirm(client, preview["token"])

    assert response.status_code == 200
    active = Enrollment.objects.filter(pk__in=[e.pk for e in requests], status=Status.ACTIVE)
    assert active.count() == 100
    assert set(active.values_list("start_date", flat=True)) == {dt.date(2026, 3, 1)}
    assert sorted(active.values_list("participant_number", flat=True)) == [jkn(i + 1) for i in range(100)]
    assert {e.history.first().history_user for e in active} == {bpjs_kes_uji}


def test_the_preview_costs_the_same_queries_for_10_and_100_rows(
    kes, uji_desa, bpjs_kes_uji, login, django_assert_max_num_queries
):
    client = login(bpjs_kes_uji)
    fill_queue(kes, uji_desa, 10)
    small_file = filled(download(client, kes), lambda i: jkn(i + 1))
    fill_queue(kes, uji_desa, 90, start=10)
    large_file = filled(download(client, kes), lambda i: jkn(i + 1))

    with django_assert_max_num_queries(12) as small:
        preview_of(client, upload(client, small_file))
    with django_assert_max_num_queries(len(small)) as large:
        preview = preview_of(client, upload(client, large_file))

    assert preview["approve"] == 100
    assert len(large) == len(small)


def test_bad_numbers_are_refused_row_by_row_and_nothing_is_applied(kes, uji_desa, bpjs_kes_uji, login):
    requests = fill_queue(kes, uji_desa, 4)
    client = login(bpjs_kes_uji)
    numbers = [jkn(1), "001133652659", "00113365265AB", jkn(1)]

    preview = preview_of(client, upload(client, filled(download(client, kes), lambda i: numbers[i])))

    assert preview["errors"] == [
        # rows as Excel numbers them: the title row, the header, then the data from row 3
        {"row": 4, "column": "Nomor Peserta", "message": "Nomor peserta BPJS Kesehatan harus tepat 13 digit angka."},
        {"row": 5, "column": "Nomor Peserta", "message": "Nomor peserta hanya boleh berisi angka."},
        {
            "row": 6,
            "column": "Nomor Peserta",
            "message": f"Nomor peserta {jkn(1)} diberikan dua kali dalam daftar ini: juga untuk baris 3.",
        },
    ]
    response = confirm(client, preview["token"])
    assert [level for level, _ in messages(response)] == ["error"]
    assert Enrollment.objects.filter(pk__in=[e.pk for e in requests], status=Status.REQUESTED).count() == 4


def test_importing_the_same_file_again_after_confirming_changes_nothing(kes, uji_desa, bpjs_kes_uji, login):
    requests = fill_queue(kes, uji_desa, 3)
    client = login(bpjs_kes_uji)
    content = filled(download(client, kes), lambda i: jkn(i + 1))
    confirm(client, preview_of(client, upload(client, content))["token"])
    history = sum(e.history.count() for e in Enrollment.objects.filter(pk__in=[e.pk for e in requests]))

    again = preview_of(client, upload(client, content))
    response = confirm(client, again["token"])

    assert (again["approve"], again["unchanged"], again["errors"]) == (0, 3, [])
    assert [level for level, _ in messages(response)] == ["info"]
    assert sum(e.history.count() for e in Enrollment.objects.filter(pk__in=[e.pk for e in requests])) == history


def test_a_preview_is_confirmed_once(kes, uji_desa, bpjs_kes_uji, login):
    fill_queue(kes, uji_desa, 2)
    client = login(bpjs_kes_uji)
    token = preview_of(client, upload(client, filled(download(client, kes), lambda i: jkn(i + 1))))["token"]

    confirm(client, token)
    second = confirm(client, token)

    assert [level for level, _ in messages(second)] == ["error"]


def test_rows_without_a_number_stay_in_the_queue_and_the_start_date_defaults_to_today(
    tk, suka_pindah, bpjs_tk_mukomuko, login
):
    # The sheet lists the requests by name: named so, `first` is its first row whatever the factory's count.
    first, second = (request_enrollment(tk, suka_pindah, person=PersonFactory(full_name=n)) for n in ("Ani", "Budi"))
    client = login(bpjs_tk_mukomuko)
    content = filled(download(client, tk), lambda i: kpj(1) if i == 0 else None)

    preview = preview_of(client, upload(client, content))
    confirm(client, preview["token"])

    assert (preview["approve"], preview["skipped"]) == (1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.start_date) == (Status.ACTIVE, timezone.localdate())
    assert second.status == Status.REQUESTED


def test_each_kind_of_bad_row_is_reported_with_its_row_and_column(kes, uji_desa, suka_pindah, tk, bpjs_kes_uji, login):
    swapped_a, swapped_b, unknown, rejected, bad_date, typed_as_number, used = fill_queue(kes, uji_desa, 7)
    services.enrollment_reject(actor=bpjs_kes_uji, enrollment=rejected, reason="Data ganda")
    holder = fill_queue(kes, uji_desa, 1, start=50)[0]
    services.enrollments_approve(actor=bpjs_kes_uji, items=[(holder, jkn(99), dt.date(2025, 1, 1))])
    client = login(bpjs_kes_uji)
    content = download(client, kes)
    order = {e.pk: e for e in (swapped_a, swapped_b, unknown, rejected, bad_date, typed_as_number, used)}

    def edit(sheet, header):
        col = {name: header.index(name) + 1 for name in header}
        rows = {sheet.cell(r, col["ID"]).value: r for r in range(HEADER_ROW + 1, sheet.max_row + 1)}
        for pk, row in rows.items():
            sheet.cell(row, col["Nomor Peserta"]).value = jkn(pk)
        a, b = rows[swapped_a.pk], rows[swapped_b.pk]
        nik_a = sheet.cell(a, col["NIK"]).value
        sheet.cell(a, col["NIK"]).value = sheet.cell(b, col["NIK"]).value
        sheet.cell(b, col["NIK"]).value = nik_a
        sheet.cell(rows[unknown.pk], col["ID"]).value = 999999
        sheet.cell(rows[bad_date.pk], col["Tanggal Mulai"]).value = "31-02-2026"
        sheet.cell(rows[typed_as_number.pk], col["Nomor Peserta"]).value = 11336526592
        sheet.cell(rows[used.pk], col["Nomor Peserta"]).value = jkn(99)
        # the rejected request is no longer in the downloaded queue: add its row by hand
        sheet.append([rejected.person.nik, "x", None, None, None, None, None, None, None, None, None, None, None,
                      jkn(rejected.pk), None, rejected.pk])  # fmt: skip

    preview = preview_of(client, upload(client, filled(content, lambda i: None, edit=edit)))

    found = {(e["column"], e["message"].split(" ")[0]) for e in preview["errors"]}
    assert len(preview["errors"]) == 7, preview["errors"]
    assert {e["column"] for e in preview["errors"]} == {"NIK", "ID", "Tanggal Mulai", "Nomor Peserta"}
    assert sum(1 for c, _ in found if c == "NIK") == 1  # one message shape for both swapped rows
    assert all(isinstance(e["row"], int) and e["row"] > HEADER_ROW for e in preview["errors"])
    assert preview["approve"] == 0
    assert len(order) == 7


def test_a_nik_typed_as_a_number_is_that_rows_error(kes, uji_desa, bpjs_kes_uji, login):
    (enrollment,) = fill_queue(kes, uji_desa, 1)
    client = login(bpjs_kes_uji)

    def edit(sheet, header):
        sheet.cell(HEADER_ROW + 1, header.index("NIK") + 1).value = float(enrollment.person.nik)

    preview = preview_of(client, upload(client, filled(download(client, kes), lambda i: jkn(1), edit=edit)))

    assert [(e["row"], e["column"]) for e in preview["errors"]] == [(HEADER_ROW + 1, "NIK")]


def test_a_csv_sheet_is_read_too(tk, suka_pindah, bpjs_tk_mukomuko, login):
    enrollment = request_enrollment(tk, suka_pindah)
    csv = f"NIK;Nama;Nomor Peserta;Tanggal Mulai;ID\n{enrollment.person.nik};x;{kpj(3)};15/02/2026;{enrollment.pk}\n"
    client = login(bpjs_tk_mukomuko)

    preview = preview_of(client, upload(client, csv.encode(), "antrean.csv"))
    confirm(client, preview["token"])

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.participant_number, enrollment.start_date) == (
        Status.ACTIVE,
        kpj(3),
        dt.date(2026, 2, 15),
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "kata sandi"),
        (b"PK\x03\x04broken", "rusak"),
        (xlsx_bytes([["NIK", "Nama"], ["1706011708850001", "x"]]), "Nomor Peserta"),
    ],
)
def test_an_unreadable_file_is_refused_and_nothing_is_kept(tk, suka_pindah, bpjs_tk_mukomuko, login, content, message):
    request_enrollment(tk, suka_pindah)

    response = upload(login(bpjs_tk_mukomuko), content)

    assert response.status_code == 200
    assert message in " ".join(errors_under(page(response), "file"))


def test_dpmd_and_village_heads_cannot_import(dpmd_mukomuko, head_suka_pindah, login):
    for actor in (dpmd_mukomuko, head_suka_pindah):
        assert login(actor).get("/bpjs/antrean/impor/").status_code == 403
        assert login(actor).post("/bpjs/antrean/impor/konfirmasi/", {"token": "x"}).status_code == 403


def test_rows_of_another_program_or_regency_are_unknown_ids(kes, tk, suka_pindah, majene_desa, bpjs_kes_majene, login):
    other = request_enrollment(tk, suka_pindah)
    csv = f"NIK,Nomor Peserta,Tanggal Mulai,ID\n{other.person.nik},{kpj(1)},,{other.pk}\n"
    client = login(bpjs_kes_majene)

    preview = preview_of(client, upload(client, csv.encode(), "x.csv"))

    assert [(e["row"], e["column"]) for e in preview["errors"]] == [(2, "ID")]


def test_another_officers_preview_is_a_404(kes, uji_desa, bpjs_kes_uji, login):
    fill_queue(kes, uji_desa, 1)
    colleague = type(bpjs_kes_uji).objects.create(username="bpjs-kes-2", role="bpjs", program=kes)
    colleague.branch_regencies.set([uji_desa.subdistrict.regency])
    owner = login(bpjs_kes_uji)
    token = preview_of(owner, upload(owner, filled(download(owner, kes), lambda i: jkn(1))))["token"]

    assert login(colleague).get(f"/bpjs/antrean/impor/?token={token}").status_code == 404
    assert login(colleague).post("/bpjs/antrean/impor/konfirmasi/", {"token": token}).status_code == 404
    assert Enrollment.objects.filter(status=Status.REQUESTED, person__posts__village=uji_desa).count() == 1
