"""An officials file as a table of rows under the template's header, or the reason it cannot be read.

The file as a whole is checked by core.spreadsheets.reader; here, the officials-specific rules: every
required column of the template is there (under its header, an alias, or the header the regency's users
mapped it to), once, and the file holds at most ROSTER_IMPORT_MAX_ROWS officials. In a workbook, the
officials are read from the sheet Perangkat, else from the sheet whose first row is such a header.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import IO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.spreadsheets.cells import cell_text, is_blank, loose_key
from core.spreadsheets.html_table import looks_like_html
from core.spreadsheets.reader import HeaderMatch, ImportFileError, Table, is_blank_row, match_header, read_sheet
from villages.roster_import.columns import SHEET_DATA, columns_for
from villages.roster_import.opensid import read_opensid_table


class HeaderMismatch(ImportFileError):
    """Required columns not found: the user may say which of the file's `headers` holds each column."""

    def __init__(self, message: str, *, headers: list[str]):
        super().__init__(message)
        self.headers = headers


def read_table(
    fileobj: IO[bytes],
    *,
    name: str,
    regency_file: bool,
    sheet: str | None = None,
    saved_mapping: Callable[[], dict[str, str]] | None = None,
) -> Table:
    """The rows of the officials sheet (`sheet` when the user chose it), after every check that concerns
    the file as a whole. `saved_mapping` gives the headers the regency mapped (loose_key → column key):
    asked for only when the template's headers and aliases do not find every required column."""
    # --- OpenSID's download is an HTML table named .xls (villages/roster_import/opensid.py) ---
    fileobj.seek(0)
    if looks_like_html(fileobj.read(2048)):
        fileobj.seek(0)
        return read_opensid_table(fileobj, regency_file=regency_file)
    fileobj.seek(0)
    # --- end OpenSID ---
    columns = columns_for(regency_file=regency_file)
    mapping = cache(saved_mapping or dict)

    def looks_like_data(rows: list[tuple[int, tuple]]) -> bool:
        return bool(rows) and _matched(rows[0][1], columns, mapping) is not None

    read = read_sheet(fileobj, name=name, sheet=sheet, prefer=SHEET_DATA, looks_like_data=looks_like_data)
    table = _table(read.rows, columns=columns, mapping=mapping)
    table.kind, table.sheet = read.kind, read.sheet
    return table


def _matched(header: tuple, columns, mapping: Callable[[], dict]) -> HeaderMatch | None:
    """The header's match when it names every required column, by aliases alone or else with the saved
    mapping; None when it does not."""
    match = match_header(header, columns)
    if not match.missing(columns):
        return match
    if any(loose_key(text) in mapping() for text in header if not is_blank(text)):
        match = match_header(header, columns, mapping=mapping())
        if not match.missing(columns):
            return match
    return None


def _check_header(values: list[tuple[int, tuple]], columns, mapping: Callable[[], dict]) -> HeaderMatch:
    if all(is_blank_row(row) for _, row in values):
        raise ImportFileError(_("The sheet is empty. Fill in the template: one row per official below the header row."))
    if is_blank_row(values[0][1]):
        raise ImportFileError(_("The first row must hold the column names of the template, unchanged."))
    header = values[0][1]
    match = _matched(header, columns, mapping) or match_header(header, columns)
    if match.repeated:
        raise ImportFileError(
            _("The column %(column)s appears twice in the header row. Keep one.") % {"column": match.repeated[0].header}
        )
    missing = [c.header for c in match.missing(columns)]
    if missing:
        message = _(
            "These columns are missing or were renamed: %(missing)s. Keep the header row of the template "
            "exactly as it is."
        ) % {"missing": ", ".join(missing)}
        if match.unknown:
            message += " " + _("Columns not recognised: %(unknown)s.") % {"unknown": ", ".join(match.unknown[:10])}
        raise HeaderMismatch(message, headers=[cell_text(v) for v in header if not is_blank(v)])
    return match


def _table(values: list[tuple[int, tuple]], *, columns, mapping: Callable[[], dict]) -> Table:
    match = _check_header(values, columns, mapping)
    table = Table(columns=columns)
    limit = settings.ROSTER_IMPORT_MAX_ROWS
    for number, row in values[1:]:
        if is_blank_row(row):
            continue
        if len(table.rows) >= limit:
            raise ImportFileError(
                _(
                    "The file has more than %(limit)s officials; at most %(limit)s rows can be imported at "
                    "once. Split it into several files."
                )
                % {"limit": number_format(limit, force_grouping=True)}
            )
        table.rows.append((number, match.keyed(row)))
    if not table.rows:
        raise ImportFileError(
            _("The file has no officials: fill in one row per official below the header row, then upload again.")
        )
    return table
