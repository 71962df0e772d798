"""Reading the tables of an HTML file saved with a spreadsheet name (.xls): what OpenSID and other web apps
send as their "Excel" download. Excel opens such a file as a sheet; here it is read as text, never run.

Python's html.parser only tokenises: it fetches nothing, expands no entities beyond the named ones and
runs no script. The file's size is checked before (core.spreadsheets.reader.check_size) and the number
of cells and the nesting of tables are bounded here, so a crafted file cannot make the reader grow
without limit. A file that holds no table is refused: it is a web page, not a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.translation import gettext as _

from core.spreadsheets.reader import ImportFileError

MAX_CELLS = 200_000
MAX_COLSPAN = 60
MAX_DEPTH = 8
_SNIFF = 2048
_SKIPPED = {"script", "style", "head", "title"}


def looks_like_html(head: bytes) -> bool:
    """The start of a file that is markup (HTML or XML), whatever its name: its first character is '<'."""
    text = head[:_SNIFF].lstrip(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"<")


@dataclass
class HtmlTable:
    """One <table>: its rows, each (row number in the file, counting every <tr>, cells as text or None)."""

    rows: list[tuple[int, tuple]] = field(default_factory=list)


def not_a_table() -> ImportFileError:
    return ImportFileError(
        _(
            "This file is a web page (HTML) without a table, not a spreadsheet. Upload the Excel template "
            "(.xlsx) filled in, a CSV file, or the officials list downloaded from OpenSID unchanged."
        )
    )


def read_tables(raw: bytes) -> list[HtmlTable]:
    """The tables of an HTML document, in the order they open; refuses a document without any."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
    except _TooLarge as exc:
        raise ImportFileError(
            _("The file has too many cells to be an officials list: split it into several files.")
        ) from exc
    tables = [t for t in parser.tables if t.rows]
    if not tables:
        raise not_a_table()
    return tables


class _TooLarge(Exception):
    pass


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[HtmlTable] = []
        # Open tables, innermost last: (table, the row being read, the cell being read as text parts).
        self.stack: list[list] = []
        self.rows_seen = 0
        self.cells = 0
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if tag == "table":
            if len(self.stack) >= MAX_DEPTH:
                raise _TooLarge
            table = HtmlTable()
            self.tables.append(table)
            self.stack.append([table, None, None])
        elif not self.stack:
            return
        elif tag == "tr":
            self._end_row()
            self.rows_seen += 1
            self.stack[-1][1] = (self.rows_seen, [])
        elif tag in ("td", "th"):
            self._end_cell()
            if self.stack[-1][1] is None:  # a cell outside any <tr>: a row of its own
                self.rows_seen += 1
                self.stack[-1][1] = (self.rows_seen, [])
            self.stack[-1][2] = ([], _colspan(attrs))
        elif tag == "br" and self.stack[-1][2] is not None:
            self.stack[-1][2][0].append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag == "br" and self.stack and self.stack[-1][2] is not None:
            self.stack[-1][2][0].append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif not self.stack:
            return
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self.stack.pop()

    def handle_data(self, data):
        if self.skipping or not self.stack or self.stack[-1][2] is None:
            return
        self.stack[-1][2][0].append(data)

    def close(self):
        super().close()
        while self.stack:
            self._end_row()
            self.stack.pop()

    def _end_cell(self):
        level = self.stack[-1]
        if level[2] is None:
            return
        parts, span = level[2]
        level[2] = None
        text = " ".join("".join(parts).replace("\u00a0", " ").split())
        self.cells += span
        if self.cells > MAX_CELLS:
            raise _TooLarge
        level[1][1].extend([text or None] + [None] * (span - 1))

    def _end_row(self):
        level = self.stack[-1]
        self._end_cell()
        if level[1] is not None:
            number, cells = level[1]
            level[0].rows.append((number, tuple(cells)))
            level[1] = None


def _colspan(attrs) -> int:
    value = dict(attrs).get("colspan") or "1"
    try:
        return min(max(int(value.strip()), 1), MAX_COLSPAN)
    except ValueError:
        return 1
