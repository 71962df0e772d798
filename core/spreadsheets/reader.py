"""Opening an uploaded spreadsheet (.xlsx or CSV) and turning it into rows, or refusing it; finding its
header row and which column is where.

A refused file raises ImportFileError with a message that says what is wrong and how to fix it; nothing
is stored. The checks are on the content, not the file name: a PDF renamed .xlsx is still a PDF. Every
spreadsheet upload of the app reads through here; what a file's rows mean is its own flow's business.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import ParseError
from xml.parsers import expat
from xml.parsers.expat import ExpatError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from core.spreadsheets.cells import is_blank, loose_key
from core.spreadsheets.columns import Column

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# An .xlsx is compressed XML; a sheet that expands past this is refused rather than read (zip bomb).
MAX_EXPANSION = 40
HEADER_SEARCH_ROWS = 20  # a file may start with a title block; its header row is looked for this far down
# A workbook that can carry macros (.xlsm, or one renamed .xlsx): its code cannot be checked.
_MACRO_CONTENT_TYPE = b"macroEnabled"
_MACRO_PARTS = ("xl/vbaProject.bin",)


class ImportFileError(ValidationError):
    """The file as a whole cannot be read."""


class SheetChoiceNeeded(ImportFileError):
    """A workbook with several visible sheets, none of which looks like the data: the user chooses."""

    def __init__(self, message: str, *, sheets: list[str]):
        super().__init__(message)
        self.sheets = sheets


# Whether the first rows of a sheet (numbered as in read_rows) are those of the data the flow reads.
LooksLikeData = Callable[[list[tuple[int, tuple]]], bool]


@dataclass
class SheetRows:
    """What read_sheet read: the rows, the kind of file, and the sheet's name ("" for a CSV)."""

    rows: list[tuple[int, tuple]]
    kind: str
    sheet: str = ""


def file_size(fileobj: IO[bytes]) -> int:
    size = getattr(fileobj, "size", None)
    if size is None:
        position = fileobj.tell()
        size = fileobj.seek(0, io.SEEK_END)
        fileobj.seek(position)
    return size


def check_size(size: int) -> None:
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > settings.ROSTER_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s). The limit is %(limit)s: split it into several files.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.ROSTER_IMPORT_MAX_BYTES)}
        )


def not_a_spreadsheet() -> ImportFileError:
    return ImportFileError(
        _(
            "This file is not a spreadsheet. Upload the Excel template (.xlsx) filled in, or a CSV file "
            "(UTF-8, comma- or semicolon-separated) with the same headers."
        )
    )


def read_rows(fileobj: IO[bytes], *, name: str, sheet: str | None = None) -> tuple[list[tuple[int, tuple]], str]:
    """The rows of an .xlsx's sheet named `sheet` (else its first visible sheet), or of a CSV, numbered as
    Excel shows them, with the kind of file; see read_sheet."""
    read = read_sheet(fileobj, name=name, prefer=sheet)
    return read.rows, read.kind


def read_sheet(
    fileobj: IO[bytes],
    *,
    name: str,
    sheet: str | None = None,
    prefer: str | None = None,
    looks_like_data: LooksLikeData | None = None,
) -> SheetRows:
    """The rows of one sheet of an .xlsx, or of a CSV, after every check that concerns the file as a whole
    (size, password, macros, format, corruption, hidden data, merged cells).

    The sheet read is `sheet` (the user's choice: it must exist), else `prefer` when the workbook has it,
    else the first visible sheet that `looks_like_data`, else the only visible one. A workbook with several
    visible sheets none of which looks like the data raises SheetChoiceNeeded. A hidden sheet is never
    read: hidden sheets are ignored (drop-down lists live there), except that a hidden sheet chosen as the
    data, or one that looks like the data, refuses the file (what it holds would be imported unseen or
    left out unnoticed)."""
    check_size(file_size(fileobj))
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(OLE2_MAGIC):
        # An encrypted .xlsx is an OLE2 compound file (the zip is inside, encrypted); so is an old .xls.
        raise ImportFileError(
            _(
                "This file is password-protected or in the old Excel format (.xls). Open it in Excel, remove "
                "the password (File › Info › Protect Workbook › Encrypt with Password, leave it empty) and "
                "save it as Excel Workbook (.xlsx), then upload it again."
            )
        )
    if head.startswith(ZIP_MAGIC):
        rows, title = _xlsx_rows(fileobj, sheet, prefer, looks_like_data)
        return SheetRows(rows, "xlsx", title)
    if name.lower().endswith((".csv", ".txt")) and not head.startswith(b"%PDF"):
        return SheetRows(_csv_rows(fileobj), "csv")
    raise not_a_spreadsheet()


def read_filled_rows(fileobj: IO[bytes], *, name: str) -> list[tuple[int, tuple]]:
    """read_rows, refusing a sheet with nothing in it or with more than ROSTER_IMPORT_MAX_ROWS rows (a
    little room is left for a title block and blank rows)."""
    values, _kind = read_rows(fileobj, name=name)
    if all(is_blank_row(row) for _, row in values):
        raise ImportFileError(_("The sheet is empty."))
    limit = settings.ROSTER_IMPORT_MAX_ROWS
    if len(values) > limit + 50:
        raise ImportFileError(
            _("The file has more than %(limit)s rows; split it into several files.")
            % {"limit": number_format(limit, force_grouping=True)}
        )
    return values


# --- xlsx --------------------------------------------------------------------------------------------


def _corrupt() -> ImportFileError:
    return ImportFileError(
        _(
            "The Excel file is damaged or incomplete. Open it in Excel, save it again as Excel Workbook "
            "(.xlsx) and upload it again."
        )
    )


def _macros() -> ImportFileError:
    return ImportFileError(
        _(
            "This workbook contains macros (.xlsm), which cannot be checked. Open it in Excel, choose File › "
            "Save As › Excel Workbook (.xlsx), then upload the .xlsx file."
        )
    )


def _has_macros(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if any(part in names for part in _MACRO_PARTS):
        return True
    if "[Content_Types].xml" not in names:
        return False
    with archive.open("[Content_Types].xml") as types:
        return _MACRO_CONTENT_TYPE in types.read(1_000_000)


def _xlsx_rows(fileobj: IO[bytes], wanted: str | None, prefer: str | None, looks_like_data: LooksLikeData | None):
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
            macros = "xl/workbook.xml" in names and _has_macros(archive, names)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _corrupt() from exc
    if "xl/workbook.xml" not in names:
        raise not_a_spreadsheet()  # a .docx, .pptx, .odt or plain zip renamed .xlsx
    if macros:
        raise _macros()
    if expanded > MAX_EXPANSION * settings.ROSTER_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s). The limit is %(limit)s: split it into several files.")
            % {"size": filesizeformat(expanded), "limit": filesizeformat(settings.ROSTER_IMPORT_MAX_BYTES)}
        )
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, zlib.error, KeyError, ParseError, ValueError, OSError) as exc:
        raise _corrupt() from exc
    try:
        if not workbook.worksheets:
            raise not_a_spreadsheet()
        sheet = _choose_sheet(workbook, wanted, prefer, looks_like_data)
        parsed = _parse(workbook, sheet)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, KeyError, IndexError, ValueError, OSError, EOFError, ExpatError) as exc:
        raise _corrupt() from exc
    finally:
        workbook.close()
    merged = [ref for ref in parsed.merged if _last_row(ref) >= 2]
    if merged:
        raise ImportFileError(
            _(
                "The sheet has merged cells (%(cells)s). Every official needs their own row with every "
                "cell filled: select the cells, choose Merge & Center again to unmerge them, and fill them in."
            )
            % {"cells": ", ".join(merged[:10])}
        )
    return parsed.rows, sheet.title


def _hidden_sheet(title: str) -> ImportFileError:
    return ImportFileError(
        _(
            "The sheet %(sheet)s is hidden. Hidden data cannot be checked: unhide it (right-click a sheet "
            "tab › Unhide) or delete it, then upload again."
        )
        % {"sheet": title}
    )


def _parse(workbook, sheet, *, max_rows: int | None = None) -> ParsedSheet:
    with sheet._get_source() as source:
        parser = SheetParser(sheet._shared_strings, workbook._date_formats, workbook.epoch)
        return parser.parse(source, max_rows=max_rows)


def _choose_sheet(workbook, wanted: str | None, prefer: str | None, looks_like_data):
    """The worksheet to read (see read_sheet); only the first rows of the others are parsed."""
    worksheets = workbook.worksheets
    visible = [ws for ws in worksheets if ws.sheet_state == "visible"]
    hidden = [ws for ws in worksheets if ws.sheet_state != "visible"]

    def looks(ws) -> bool:
        return looks_like_data(_parse(workbook, ws, max_rows=HEADER_SEARCH_ROWS).rows)

    if looks_like_data is not None:
        for ws in hidden:
            if looks(ws):
                raise _hidden_sheet(ws.title)
    if wanted is not None:
        if wanted not in workbook.sheetnames:
            raise ImportFileError(
                _("The workbook has no sheet named %(sheet)s. Its sheets: %(sheets)s.")
                % {"sheet": wanted, "sheets": ", ".join(ws.title for ws in visible)}
            )
        chosen = workbook[wanted]
    elif prefer is not None and prefer in workbook.sheetnames:
        chosen = workbook[prefer]
    elif not visible:
        raise _hidden_sheet(worksheets[0].title)
    elif looks_like_data is None or len(visible) == 1:
        chosen = visible[0]
    else:
        chosen = next((ws for ws in visible if looks(ws)), None)
        if chosen is None:
            titles = [ws.title for ws in visible]
            raise SheetChoiceNeeded(
                _(
                    "None of the sheets of this workbook (%(sheets)s) has the header row of the template. "
                    "Choose the sheet that holds the officials."
                )
                % {"sheets": ", ".join(titles)},
                sheets=titles,
            )
    if chosen.sheet_state != "visible":
        raise _hidden_sheet(chosen.title)
    return chosen


def _last_row(ref: str) -> int:
    """The last row a merged range reaches: B2:C3 → 3."""
    return int(_ROW_NUMBER.search(ref.split(":")[-1]).group(0))


_ROW_NUMBER = re.compile(r"[0-9]+")
_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML
)


def _column_number(ref: str) -> int:
    """B7 → 2, AA3 → 27."""
    number = 0
    for char in ref:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        else:
            break
    return number


class _Enough(Exception):
    """The rows asked for are read: the rest of the sheet is not parsed."""


@dataclass
class ParsedSheet:
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


class SheetParser:
    """The cell values of a worksheet's XML, row by row, and its merged ranges, in one pass.

    openpyxl (read-only) opens the workbook and gives the shared strings, the date styles and the date
    epoch; its own row iterator builds an object per cell and is several times slower than this expat
    loop over a large file. Values come out as openpyxl's values_only gives them: str, int, float, bool,
    datetime, and a formula as its text with "=" (the file's cached result is not trusted)."""

    def __init__(self, shared_strings, date_styles, epoch):
        self.strings = shared_strings
        self.date_styles = {str(i) for i in date_styles}
        self.epoch = epoch

    def parse(self, source, *, max_rows: int | None = None) -> ParsedSheet:
        """The sheet's rows and merged ranges; with `max_rows`, only its first rows (to look at its header)."""
        result = ParsedSheet()
        names = {
            f"{namespace} {local}": local
            for namespace in _MAIN_NAMESPACES
            for local in ("row", "c", "v", "f", "t", "mergeCell", "rPh")
        }
        cells: list = []
        state = {"row": 0, "col": 0, "type": None, "style": None, "v": None, "f": None, "inline": None, "phonetic": 0}
        text: list[str] | None = None

        def start(name, attrs):
            nonlocal text
            local = names.get(name)
            if local == "c":
                ref = attrs.get("r")
                state["col"] = _column_number(ref) if ref else state["col"] + 1
                state.update(type=attrs.get("t"), style=attrs.get("s"), v=None, f=None, inline=None)
            elif local in ("v", "f") or (local == "t" and not state["phonetic"]):
                text = []
            elif local == "row":
                ref = attrs.get("r")
                state["row"] = int(ref) if ref else state["row"] + 1
                state["col"] = 0
                cells.clear()
            elif local == "rPh":
                state["phonetic"] += 1  # a phonetic guide (furigana), not part of the text
            elif local == "mergeCell" and attrs.get("ref"):
                result.merged.append(attrs["ref"])

        def end(name):
            nonlocal text
            local = names.get(name)
            if local in ("v", "f"):
                state[local] = "".join(text) if text is not None else ""
                text = None
            elif local == "t" and text is not None:
                state["inline"] = (state["inline"] or "") + "".join(text)
                text = None
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "c":
                column = state["col"]
                if column > len(cells) + 1:
                    cells.extend([None] * (column - len(cells) - 1))
                cells.append(self._value(state))
            elif local == "row":
                result.rows.append((state["row"], tuple(cells)))
                if max_rows is not None and len(result.rows) >= max_rows:
                    raise _Enough

        def characters(data):
            if text is not None:
                text.append(data)

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters
        with contextlib.suppress(_Enough):
            parser.ParseFile(source)
        return result

    def _value(self, state):
        kind, value = state["type"], state["v"]
        if state["f"] is not None:
            return f"={state['f']}"
        if kind == "s":
            return self.strings[int(value)] if value else None
        if kind == "inlineStr":
            return state["inline"]
        if kind in ("str", "e"):
            return value
        if kind == "b":
            return value == "1" if value is not None else None
        if not value:
            return None
        if kind == "d":
            return dt.datetime.fromisoformat(value)
        number = float(value) if any(c in value for c in ".eE") else int(value)
        if state["style"] in self.date_styles:
            return from_excel(number, self.epoch)
        return number


# --- CSV ---------------------------------------------------------------------------------------------


def _not_utf8() -> ImportFileError:
    return ImportFileError(
        _(
            "The CSV file is not in UTF-8. In Excel choose File › Save As › CSV UTF-8 (Comma delimited), "
            "or upload the .xlsx file itself."
        )
    )


def _csv_rows(fileobj: IO[bytes]):
    raw = fileobj.read()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_utf8()  # Excel's "Unicode Text" is UTF-16
    if b"\x00" in raw:
        raise not_a_spreadsheet()  # binary content (an image, a PDF ...) named .csv
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in an Indonesian (or any Western) Windows saves "CSV (Comma delimited)" in Windows-1252.
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise _not_utf8() from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(number, tuple(None if v == "" else v for v in row)) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise not_a_spreadsheet() from exc


# --- headers and rows --------------------------------------------------------------------------------


def is_blank_row(row: tuple) -> bool:
    return all(is_blank(v) for v in row)


@dataclass
class HeaderMatch:
    """Where each column of a header row is: `positions` (column key → index; the first of a column
    given twice), the headers not recognised, and the columns given twice."""

    positions: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    repeated: list[Column] = field(default_factory=list)

    def missing(self, columns: tuple[Column, ...], *, required_only: bool = True) -> list[Column]:
        return [c for c in columns if c.key not in self.positions and (c.required or not required_only)]

    def keyed(self, row: tuple) -> dict[str, object]:
        """A row's cells by column key (None past the row's last cell)."""
        return {key: (row[index] if index < len(row) else None) for key, index in self.positions.items()}


def match_header(header: tuple, columns: tuple[Column, ...], *, mapping: dict[str, str] | None = None) -> HeaderMatch:
    """A column is found under its header or one of its aliases; case, spacing, punctuation, a trailing '*'
    and a trailing note such as '(Rp)' do not matter (loose_key).

    `mapping` (loose_key of a header → column key) is what a user chose for their own headers: a column
    it gives a header of this row is found there only, not under its aliases."""
    by_key = {c.key: c for c in columns}
    present = {loose_key(text) for text in header if not is_blank(text)}
    chosen = {k: by_key[v] for k, v in (mapping or {}).items() if k in present and v in by_key}
    taken = {c.key for c in chosen.values()}
    wanted = {loose_key(name): c for c in columns if c.key not in taken for name in (c.header, *c.aliases)}
    wanted.update(chosen)
    match = HeaderMatch()
    for index, text in enumerate(header):
        if is_blank(text):
            continue
        column = wanted.get(loose_key(text))
        if column is None:
            match.unknown.append(str(text).strip())
        elif column.key in match.positions:
            match.repeated.append(column)
        else:
            match.positions[column.key] = index
    return match


def find_header_row(values: list[tuple[int, tuple]], columns: tuple[Column, ...]) -> int:
    """The position in `values` of the header row: the first row near the top that names every required
    column (a sheet the app wrote has a title row above its header), else the first row not blank."""
    filled = [i for i, (_number, row) in enumerate(values[: HEADER_SEARCH_ROWS + 1]) if not is_blank_row(row)]
    for position in filled:
        if not match_header(values[position][1], columns).missing(columns):
            return position
    return filled[0] if filled else 0


@dataclass
class Table:
    """The rows of a sheet under its header: (row number as Excel shows it, {column key: raw value});
    blank rows are left out."""

    columns: tuple[Column, ...]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    kind: str = "xlsx"
    sheet: str = ""  # the worksheet read ("" for a CSV)
