"""The one spreadsheet writer (core.spreadsheets.writer) and the files the app writes with it: text is
never a formula, a title row names what the sheet is, the header is bold, frozen and filtered, dates read
DD-MM-YYYY, rupiah amounts are numbers, NIKs text."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from core.spreadsheets.columns import Column
from core.spreadsheets.writer import DATE_FORMAT, RUPIAH_FORMAT, title_text, xlsx_response
from tests.bpjs.review_support import request_enrollment
from tests.factories import PersonFactory, PostFactory, make_nik
from tests.spreadsheets import sheet_xml, table_rows, title_of

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
    response = login(dpmd_mukomuko).get(f"/desa/{suka_pindah.code}/perangkat.xlsx")

    assert "<f>" not in sheet_xml(response.content)
    assert mukomuko.name in title_of(response.content)
    header, *rows = table_rows(response.content)
    assert header[4] == "Nama" and HYPERLINK in [row[4] for row in rows]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
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
