"""The one spreadsheet writer (core.spreadsheets.writer) and the files the app writes with it: text is
never a formula, a title row names what the sheet is, the header is bold, frozen and filtered, dates read
DD-MM-YYYY, rupiah amounts are numbers, NIKs text."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from openpyxl import load_workbook

from budgets.models import Scenario
from budgets.services import scenario_create
from core.models import FundingSource, Program, Village
from core.spreadsheets.columns import Column
from core.spreadsheets.writer import DATE_FORMAT, RUPIAH_FORMAT, XLSX, title_text, xlsx_response
from enrollment.models import ExportJob
from tests.bpjs.review_support import reconcile_one, request_enrollment
from tests.factories import PersonFactory, PostFactory, make_nik
from tests.spreadsheets import download_bytes, sheet_xml, table_rows, title_of
from villages.models import Person, Position, Post

HYPERLINK = '=HYPERLINK("http://contoh.invalid/","klik")'
COLUMNS = [
    Column("nik", "NIK", 20, text=True),
    Column("name", "Nama", 28),
    Column("born", "Tanggal Lahir", 14, date=True),
    Column("wage", "Upah", 16, money=True),
]


def written(rows) -> bytes:
    response = xlsx_response(filename="x.xlsx", title="Perangkat · Mukomuko · 12-05-2026", columns=COLUMNS, rows=rows)
    return response.content


def test_a_name_that_looks_like_a_formula_is_written_as_text():
    content = written(
        [[make_nik(1), HYPERLINK, None, 0], [make_nik(2), "+62 812", None, 0], [make_nik(3), "@risk", None, 0]]
    )

    assert "<f>" not in sheet_xml(content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert (sheet["B3"].value, sheet["B3"].data_type, sheet["B3"].quotePrefix) == (HYPERLINK, "s", True)
    assert sheet["B4"].value == "+62 812" and sheet["B4"].data_type == "s"


def test_a_control_character_stored_before_names_were_checked_does_not_break_the_file():
    content = written([[make_nik(1), "Budi\x1bSantoso", None, 0]])

    assert load_workbook(io.BytesIO(content)).worksheets[0]["B3"].value == "Budi\ufffdSantoso"


def test_the_sheet_has_a_title_row_and_a_bold_frozen_filtered_header():
    content = written([[make_nik(1), "Budi", dt.date(1985, 8, 17), 2_850_000]])

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A1"].value == "Perangkat · Mukomuko · 12-05-2026"
    assert [c.value for c in sheet[2]] == ["NIK", "Nama", "Tanggal Lahir", "Upah"]
    assert all(c.font.bold for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:D3"
    assert sheet.column_dimensions["B"].width == 28


def test_dates_are_dates_shown_dd_mm_yyyy_amounts_numbers_and_niks_text():
    content = written([[make_nik(1), "Budi", dt.date(1985, 8, 17), 2_850_000]])

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    nik, _name, born, wage = sheet[3]
    assert (born.value.date(), born.number_format) == (dt.date(1985, 8, 17), DATE_FORMAT)
    assert DATE_FORMAT == "DD-MM-YYYY"
    assert (wage.value, wage.number_format) == (2_850_000, RUPIAH_FORMAT)
    assert (nik.value, nik.data_type, nik.number_format) == (make_nik(1), "s", "@")


def test_a_title_names_what_where_which_program_and_the_day(kes, mukomuko):
    assert title_text("Perangkat", regency=mukomuko, program=kes, day=dt.date(2026, 5, 12)) == (
        f"Perangkat · {mukomuko.name} · {kes.short_name} · 12-05-2026"
    )
    assert title_text("Perangkat", day=dt.date(2026, 5, 12)) == "Perangkat · 12-05-2026"


# --- the files of the app ----------------------------------------------------------------------------


@pytest.fixture
def formula_official(suka_pindah):
    person = PersonFactory(full_name=HYPERLINK, nik=make_nik(9801), birth_date=dt.date(1985, 8, 17))
    PostFactory(person=person, village=suka_pindah, local_title=HYPERLINK)
    return person


def test_officials_export_writes_no_formula_and_names_the_regency(
    formula_official, suka_pindah, mukomuko, dpmd_mukomuko, login
):
    content = download_bytes(login(dpmd_mukomuko).get(f"/desa/{suka_pindah.code}/perangkat.xlsx"))

    assert "<f>" not in sheet_xml(content)
    assert mukomuko.name in title_of(content)
    header, *rows = table_rows(content)
    assert header[4] == "Nama" and HYPERLINK in [row[4] for row in rows]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    assert sheet["G3"].number_format == DATE_FORMAT  # Tanggal lahir


def test_officials_template_writes_no_formula(formula_official, suka_pindah, head_suka_pindah, login):
    response = login(head_suka_pindah).get(f"/desa/{suka_pindah.code}/template.xlsx")

    assert "<f>" not in sheet_xml(response.content)
    workbook = load_workbook(io.BytesIO(response.content))
    assert HYPERLINK in [cell.value for cell in workbook["Perangkat"]["B"]]
    assert workbook["Perangkat"]["D2"].number_format == DATE_FORMAT
    assert "Perangkat" in workbook["Petunjuk"]["A1"].value


def test_collective_sheet_writes_no_formula_and_names_the_program(tk, suka_pindah, bpjs_tk_mukomuko, login):
    request_enrollment(tk, suka_pindah, person=PersonFactory(full_name=HYPERLINK))

    response = login(bpjs_tk_mukomuko).get("/bpjs/antrean.xlsx")

    assert "<f>" not in sheet_xml(response.content)
    assert tk.short_name in title_of(response.content)
    header, *rows = table_rows(response.content)
    assert HYPERLINK in [row[header.index("Nama")] for row in rows]


# --- every xlsx the app serves -----------------------------------------------------------------------


def cell_texts(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    return [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_text_never_formula(response, text: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    content = download_bytes(response)
    assert "<f>" not in sheet_xml(content)
    assert text in cell_texts(content)


@pytest.fixture
def formula_head(suka_pindah):
    """The village head of Suka Pindah named like a formula, stored before names were checked (as old
    data is); the demo's head when the demo is loaded."""
    head = Post.objects.current().filter(village=suka_pindah, position=Position.KEPALA_DESA).first()
    if head is None:
        head = PostFactory(person=PersonFactory(nik=make_nik(9802)), village=suka_pindah, position=Position.KEPALA_DESA)
    Person.objects.filter(pk=head.person_id).update(full_name=HYPERLINK)
    Post.objects.filter(pk=head.pk).update(local_title=HYPERLINK)
    return head.person


@pytest.mark.parametrize(
    "url",
    [
        "/desa/17.06.01.2005/perangkat.xlsx",
        "/kecamatan/17.06.01/perangkat.xlsx",
        "/wilayah/17.06/perangkat.xlsx",
        "/desa/17.06.01.2005/template.xlsx",
        "/wilayah/17.06/template.xlsx",
        "/wilayah/17.06/desa/?format=xlsx&program=bpjs_ketenagakerjaan&which=all",
        "/wilayah/17.06/tindak-lanjut/?format=xlsx&program=bpjs_ketenagakerjaan",
    ],
)
def test_officials_lists_templates_and_village_lists_hold_names_as_text(formula_head, dpmd_mukomuko, login, url):
    assert_text_never_formula(login(dpmd_mukomuko).get(url), HYPERLINK)


def test_scenario_export_holds_its_name_as_text(dpmd_mukomuko, login):
    scenario = scenario_create(
        actor=dpmd_mukomuko,
        regency=dpmd_mukomuko.regency,
        name="Skenario",
        program=Program.objects.get(pk=Program.KETENAGAKERJAAN),
        components=[],
        source=FundingSource.objects.get(pk="ADD"),
        start_month=dt.date(2026, 7, 1),
        add_share_threshold=Decimal("5"),
    )
    name = '=HYPERLINK("x")'  # a sheet title cannot hold ":" or "/"; the title row holds the name
    Scenario.objects.filter(pk=scenario.pk).update(name=name)

    response = login(dpmd_mukomuko).get(f"/skenario/{scenario.pk}.xlsx")

    title = title_text(name, regency=scenario.regency, program=scenario.program, day=timezone.localdate())
    assert_text_never_formula(response, title)


def test_villages_not_on_board_hold_village_names_as_text(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    header, first, *_ = table_rows(client.get("/akun/desa-belum-masuk.xlsx").content)
    Village.objects.filter(pk=first[header.index("Kode desa")]).update(name=HYPERLINK)

    assert_text_never_formula(client.get("/akun/desa-belum-masuk.xlsx"), HYPERLINK)


def test_reconciliation_export_holds_names_as_text(suka_pindah, kes, mukomuko, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    person = PersonFactory(full_name=HYPERLINK, nik=make_nik(9803))
    PostFactory(person=person, village=suka_pindah)
    officer, reconciliation = reconcile_one(person=person, program=kes, regency=mukomuko, name_in_list="BUDI")

    response = login(officer).get(f"/bpjs/rekonsiliasi/{reconciliation.token}.xlsx")

    assert_text_never_formula(response, HYPERLINK)


def test_national_officials_export_holds_names_as_text(
    formula_head, superuser, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ekspor/perangkat/")

    assert_text_never_formula(client.get(f"/ekspor/{ExportJob.objects.get().token}/perangkat.xlsx"), HYPERLINK)


def test_every_xlsx_url_of_the_app_is_checked_here():
    """A new spreadsheet download is added to the tests above (the lists with ?format=xlsx are there)."""
    checked = {
        "village-officials-xlsx",
        "subdistrict-officials-xlsx",
        "regency-officials-xlsx",
        "export-job-download",
        "village-import-template",
        "regency-import-template",
        "scenario-export",
        "villages-not-on-board-xlsx",
        "review-export",
        "reconciliation-export",
    }

    def names(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from names(entry.url_patterns)
            elif "xlsx" in str(entry.pattern):
                yield entry.name

    assert set(names(get_resolver().url_patterns)) == checked
