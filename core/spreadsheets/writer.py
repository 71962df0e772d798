"""Writing spreadsheets: one writer for every xlsx the app sends.

- a title row above the header says what the sheet is, for which regency and program, as of which day;
- the header row is bold, frozen, with an auto-filter; each column has its width;
- a string is always a text cell, never a formula: a name such as "=HYPERLINK(...)" (or one starting
  with + - @, which Excel also reads as a formula when the cell is edited) is written as text with
  Excel's quote prefix, so opening the file runs nothing; a control character that the XML cannot
  hold (old data, from before core.text checked names) becomes U+FFFD;
- dates are real dates shown DD-MM-YYYY, rupiah amounts numbers shown Rp1.700.000, NIKs, phone and
  participant numbers text cells ('@') so Excel keeps their leading zeros and all their digits.

Streamed: `xlsx_chunks` writes the sheet's XML itself, rows go out as they come and memory stays flat.
`write_cell` serves the sheets written cell by cell with openpyxl (the officials template, with its
drop-downs).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import Cell
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


# --- the streaming sheet writer -----------------------------------------------------------------------
# The sheet's XML is written here directly, with the few styles every table uses decided once: openpyxl
# builds an object per cell and, without lxml, serialises each through the standard library's ElementTree,
# which made an officials export of a regency take seconds. The zip is written to a non-seekable stream
# (data descriptors), so the first bytes can leave before the last row is read.

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_EPOCH_ORDINAL = _EXCEL_EPOCH.toordinal()

# Style ids (cellXfs) of styles.xml below; a quote-prefixed twin follows each.
_PLAIN, _PLAIN_Q, _TITLE, _TITLE_Q, _HEADER, _HEADER_Q, _TEXT, _TEXT_Q, _DATE, _DATE_Q, _MONEY, _MONEY_Q = range(12)

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FONT = '<sz val="{}"/><name val="Calibri"/><family val="2"/>'
# numFmtId 49 is Excel's built-in text format ('@'); 164 and 165 are ours.
_XF = [(0, 0), (0, 2), (0, 1), (49, 0), (164, 0), (165, 0)]  # (number format, font) of each pair of styles
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN_NS}"><numFmts count="2">'
    f'<numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{escape(RUPIAH_FORMAT, {chr(34): "&quot;"})}"/></numFmts>'
    f'<fonts count="3"><font>{_FONT.format(11)}</font><font><b/>{_FONT.format(11)}</font>'
    f"<font><b/>{_FONT.format(13)}</font></fonts>"
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{2 * len(_XF)}">'
    + "".join(
        f'<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
        f'applyFont="1"{quoted}/>'
        for fmt, font in _XF
        for quoted in ("", ' quotePrefix="1"')
    )
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SHEET_TYPE}.styles+xml"/></Types>'
)
_ROOT_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'
)

_ABSOLUTE = re.compile(r"([A-Z]+)(\d+)")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _text(value: str) -> str:
    """A string as the XML of an inline string's <t>: escaped, what the XML cannot hold as U+FFFD."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if "&" in value or "<" in value or ">" in value:
        value = value.translate(_ESCAPES)
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _excel_date(value: dt.date) -> str:
    """A date (or a datetime, its time zone left out) as Excel's serial day number."""
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        delta = value - dt.datetime(1899, 12, 30)
        return repr(delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000)
    return str(value.toordinal() - _EXCEL_EPOCH_ORDINAL)


def _cell(ref: str, value: object, style: int) -> str:
    """One <c>: `style` is the column's (plain, text, date, money); a string is always an inline string,
    quote-prefixed when Excel would read it as a formula."""
    kind = type(value)
    if kind is str or isinstance(value, str):
        if not value:
            return f'<c r="{ref}" s="{style}"/>' if style else ""
        quoted = style + 1 if value.startswith(FORMULA_STARTS) else style
        return f'<c r="{ref}" s="{quoted}" t="inlineStr"><is>{_text(value)}</is></c>'
    if value is None:
        return f'<c r="{ref}" s="{style}"/>' if style else ""
    if style == _TEXT:
        return _cell(ref, str(value), style)
    if kind is bool:
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float or isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{_DATE}"><v>{_excel_date(value)}</v></c>'
    return _cell(ref, str(value), style)


def _column_style(column: Column) -> int:
    if column.text:
        return _TEXT
    if column.date:
        return _DATE
    if column.money:
        return _MONEY
    return _PLAIN


# A string needs more than <t>…</t> when it holds one of these (escaped, or U+FFFD), starts with one of
# the first (a formula's start, quote-prefixed; a space, kept), or ends with a space.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")
_ODD_FIRST = frozenset((*FORMULA_STARTS, " ", "\t", "\n", "\r"))
_BLANKS = frozenset(" \t\n\r")


def _row(row: list, number: str, styles: list[int], letters: list[str]) -> str:
    """One <row>: the common cells (a plain string, a whole number, nothing) written here, the others by
    `_cell`. The row's strings are checked for what needs escaping in one pass."""
    plain = _SPECIAL.search("".join([v for v in row if type(v) is str])) is None
    cells = []
    add = cells.append
    for value, style, letter in zip(row, styles, letters, strict=False):
        kind = type(value)
        if kind is str and plain and value and value[0] not in _ODD_FIRST and value[-1] not in _BLANKS:
            add(f'<c r="{letter}{number}" s="{style}" t="inlineStr"><is><t>{value}</t></is></c>')
        elif value is None and style == _PLAIN:
            continue
        elif kind is int and style != _TEXT:
            add(f'<c r="{letter}{number}" s="{style}"><v>{value}</v></c>')
        elif kind is dt.date and style != _TEXT:
            add(f'<c r="{letter}{number}" s="{_DATE}"><v>{value.toordinal() - _EXCEL_EPOCH_ORDINAL}</v></c>')
        else:
            add(_cell(f"{letter}{number}", value, style))
    return f'<row r="{number}">{"".join(cells)}</row>'


class _Sink(io.RawIOBase):
    """Where the zip is written: bytes gathered until the next chunk is handed out (not seekable, so
    zipfile writes data descriptors instead of going back)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _sheet_head(columns: list[Column], title: str) -> str:
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{column.width}" customWidth="1"/>' for i, column in enumerate(columns, 1)
    )
    cols = f"<cols>{widths}</cols>" if columns else ""
    title_style = _TITLE_Q if title.startswith(FORMULA_STARTS) else _TITLE
    header = "".join(
        _cell(f"{get_column_letter(i)}2", str(column.header), _HEADER) for i, column in enumerate(columns, 1)
    )
    return (
        f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" '
        f'xmlns:r="{_REL_NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A3" sqref="A3"/>'
        f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>'
        f'<row r="1"><c r="A1" s="{title_style}" t="inlineStr"><is>{_text(title)}</is></c></row>'
        f'<row r="2">{header}</row>'
    )


def _workbook_xml(sheet_title: str, filter_ref: str) -> str:
    name = escape(sheet_name(sheet_title), {'"': "&quot;"})
    quoted, absolute = name.replace("'", "''"), _ABSOLUTE.sub(r"$\1$\2", filter_ref)
    return (
        f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets><definedNames>'
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"'{quoted}'!{absolute}</definedName></definedNames></workbook>"
    )


def xlsx_chunks(
    *, sheet_title: str, title: str, columns: list[Column], rows: Iterable[list], rows_per_chunk: int = 2000
) -> Iterator[bytes]:
    """The bytes of a one-sheet xlsx, in pieces as its rows are written: the title row, the bold frozen
    header with its auto-filter and widths, then the rows as the columns want them (see the module)."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    for name, text in (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
    ):
        archive.writestr(name, text)
    styles = [_column_style(column) for column in columns]
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    number = 2
    with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
        sheet.write(_sheet_head(columns, title).encode())
        yield sink.take()
        parts: list[str] = []
        for row in rows:
            number += 1
            parts.append(_row(row, str(number), styles, letters))
            if len(parts) >= rows_per_chunk:
                sheet.write("".join(parts).encode())
                parts = []
                yield sink.take()
        filter_ref = f"A2:{get_column_letter(max(len(columns), 1))}{number}"
        parts.append(f'</sheetData><autoFilter ref="{filter_ref}"/></worksheet>')
        sheet.write("".join(parts).encode())
    archive.writestr("xl/workbook.xml", _workbook_xml(sheet_title, filter_ref))
    archive.close()
    yield sink.take()


def write_xlsx(target: IO[bytes], *, sheet_title: str, title: str, columns: list[Column], rows: Iterable[list]) -> None:
    """The same file written into `target` (a stored export, a temporary file)."""
    for chunk in xlsx_chunks(sheet_title=sheet_title, title=title, columns=columns, rows=rows):
        target.write(chunk)


def xlsx_response(
    *,
    filename: str,
    title: str,
    columns: list[Column],
    rows: Iterable[list],
    sheet_title: str | None = None,
    private: bool = False,
    stream: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """A one-sheet xlsx download. `private` (a file with full NIKs) keeps it out of every cache. `stream`
    sends it as it is written (the long lists: the first bytes leave at once); the short ones are sent
    whole, with their length."""
    chunks = xlsx_chunks(sheet_title=sheet_title or title, title=title, columns=columns, rows=rows)
    if stream:
        response = StreamingHttpResponse(chunks, content_type=XLSX)
    else:
        response = HttpResponse(b"".join(chunks), content_type=XLSX)
    response["Content-Disposition"] = attachment(filename)
    if private:
        response["Cache-Control"] = "no-store"
    return response


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
