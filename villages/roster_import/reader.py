"""An officials file as a table of rows under the template's header, or the reason it cannot be read.

The file as a whole is checked by core.spreadsheets.reader; here, the officials-specific rules: every
required column of the template is there (under its header or an alias), once, and the file holds at most
ROSTER_IMPORT_MAX_ROWS officials.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.spreadsheets.html_table import looks_like_html
from core.spreadsheets.reader import HeaderMatch, ImportFileError, Table, is_blank_row, match_header, read_rows
from villages.roster_import.columns import SHEET_DATA, columns_for
from villages.roster_import.opensid import read_opensid_table


def read_table(fileobj: IO[bytes], *, name: str, regency_file: bool) -> Table:
    """The rows of the officials sheet, after every check that concerns the file as a whole."""
    # --- OpenSID's download is an HTML table named .xls (villages/roster_import/opensid.py) ---
    fileobj.seek(0)
    if looks_like_html(fileobj.read(2048)):
        fileobj.seek(0)
        return read_opensid_table(fileobj, regency_file=regency_file)
    fileobj.seek(0)
    # --- end OpenSID ---
    values, kind = read_rows(fileobj, name=name, sheet=SHEET_DATA)
    table = _table(values, regency_file=regency_file)
    table.kind = kind
    return table


def _check_header(values: list[tuple[int, tuple]], columns) -> HeaderMatch:
    if all(is_blank_row(row) for _, row in values):
        raise ImportFileError(_("The sheet is empty. Fill in the template: one row per official below the header row."))
    if is_blank_row(values[0][1]):
        raise ImportFileError(_("The first row must hold the column names of the template, unchanged."))
    match = match_header(values[0][1], columns)
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
        raise ImportFileError(message)
    return match


def _table(values: list[tuple[int, tuple]], *, regency_file: bool) -> Table:
    columns = columns_for(regency_file=regency_file)
    match = _check_header(values, columns)
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
