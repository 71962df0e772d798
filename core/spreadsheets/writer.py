"""Writing spreadsheets: one writer for every xlsx the app sends.

- a title row above the header says what the sheet is, for which regency and program, as of which day;
- the header row is bold, frozen, with an auto-filter; each column has its width;
- a string is always a text cell, never a formula: a name such as "=HYPERLINK(...)" (or one starting
  with + - @, which Excel also reads as a formula when the cell is edited) is written as text with
  Excel's quote prefix, so opening the file runs nothing; a control character that the XML cannot
  hold (old data, from before core.text checked names) becomes U+FFFD;
- dates are real dates shown DD-MM-YYYY, rupiah amounts numbers shown Rp1.700.000, NIKs, phone and
  participant numbers text cells ('@') so Excel keeps their leading zeros and all their digits.

Streamed (openpyxl write-only): rows go out as they come, memory stays flat. `write_cell` serves the
sheets written cell by cell as well (the officials template, with its drop-downs).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.spreadsheets.columns import Column
from core.text import FORMULA_STARTS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"
DATE_FORMAT = "DD-MM-YYYY"
RUPIAH_FORMAT = '"Rp"#,##0'  # shown with the reader's separators: Rp1.700.000 in an Indonesian Excel
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=13)
# What Excel refuses in a sheet's name, and what no file name may hold (a path, quotes, control characters).
SHEET_NAME_REFUSES = re.compile(r"[\\/*?:\[\]]")
FILE_NAME_REFUSES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def number_format(column: Column | None, value: object) -> str | None:
    if column is not None and column.text:
        return TEXT_FORMAT
    if (column is not None and column.date) or isinstance(value, dt.date):
        return DATE_FORMAT
    if column is not None and column.money:
        return RUPIAH_FORMAT
    return None


def write_cell(cell: Cell, value: object, column: Column | None = None) -> Cell:
    """Put `value` in `cell` (of a write-only sheet or not) as the column wants it; text never becomes
    a formula."""
    if column is not None and column.text and value is not None and not isinstance(value, str):
        value = str(value)
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        # A control character stored before names were checked (core.text) cannot go into the XML:
        # it is shown as U+FFFD rather than the whole file failing.
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make "=..." a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    fmt = number_format(column, value)
    if fmt:
        cell.number_format = fmt
    return cell


def _needs_cell(value: object, column: Column | None) -> bool:
    """A plain value streams as it is; only these need a styled cell (an empty text or date cell keeps
    its format, for what is typed into it)."""
    if column is not None and (column.text or column.date or column.money):
        return True
    if isinstance(value, str):
        return value.startswith(FORMULA_STARTS) or ILLEGAL_CHARACTERS_RE.search(value) is not None
    return isinstance(value, dt.date)


def title_text(what: str, *, regency: object = None, program: object = None, day: dt.date | None = None) -> str:
    """'Perangkat desa · Kabupaten Mukomuko · BPJS Kesehatan · 12-05-2026': what, where, which program,
    as of which day (the parts there are)."""
    parts = [str(what)]
    if regency is not None:
        parts.append(str(getattr(regency, "name", regency)))
    if program is not None:
        parts.append(str(getattr(program, "short_name", program)))
    if day is not None:
        parts.append(day.strftime("%d-%m-%Y"))
    return " · ".join(parts)


def write_table(
    workbook: Workbook, *, sheet_title: str, title: str, columns: list[Column], rows: Iterable[list]
) -> None:
    """One sheet of a write-only workbook: the title row, the header, the rows."""
    sheet = workbook.create_sheet(title=sheet_name(sheet_title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A3"
    title_cell = write_cell(WriteOnlyCell(sheet), title)
    title_cell.font = TITLE_FONT
    sheet.append([title_cell])
    header = []
    for column in columns:
        cell = write_cell(WriteOnlyCell(sheet), column.header)
        cell.font = HEADER_FONT
        header.append(cell)
    sheet.append(header)
    last = 2
    for row in rows:
        sheet.append(
            [
                write_cell(WriteOnlyCell(sheet), value, column) if _needs_cell(value, column) else value
                for value, column in zip(row, columns, strict=False)
            ]
        )
        last += 1
    sheet.auto_filter.ref = f"A2:{get_column_letter(max(len(columns), 1))}{last}"


def xlsx_response(
    *,
    filename: str,
    title: str,
    columns: list[Column],
    rows: Iterable[list],
    sheet_title: str | None = None,
    private: bool = False,
) -> HttpResponse:
    """A one-sheet xlsx download. `private` (a file with full NIKs) keeps it out of every cache."""
    workbook = Workbook(write_only=True)
    write_table(workbook, sheet_title=sheet_title or title, title=title, columns=columns, rows=rows)
    return workbook_response(workbook, filename=filename, private=private)


def sheet_name(title: str) -> str:
    """A sheet's name from any title ("TK 2026/2027" → "TK 2026-2027"): Excel's 31 characters, none of
    the ones it refuses, no quote at either end."""
    return SHEET_NAME_REFUSES.sub("-", title)[:31].strip("'") or "-"


def attachment(filename: str) -> str:
    """The Content-Disposition of a download named after user text: a plain ASCII `filename` that every
    browser reads and the exact name as `filename*` (RFC 6266), neither with a path or a quote in it."""
    name = re.sub("-{2,}", "-", FILE_NAME_REFUSES.sub("-", filename)).strip(" .") or "unduhan"
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub("-{2,}", "-", re.sub(r"[^\w .()+,-]+", "-", plain, flags=re.ASCII)).strip(" .") or "unduhan"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def workbook_response(workbook: Workbook, *, filename: str, private: bool = False) -> HttpResponse:
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = attachment(filename)
    if private:
        response["Cache-Control"] = "no-store"
    workbook.save(response)
    return response
