"""The columns of a spreadsheet the app reads or writes, and a problem found in one of its cells.

Headers are part of a file's format, not of the UI: they are Indonesian whatever the user's language, so
a file downloaded in English reads back just the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Column:
    key: str  # the attribute a row's value is read into (or written from)
    header: str
    width: int = 14
    required: bool = False
    text: bool = False  # a text cell ('@'): Excel keeps leading zeros and all 16 digits of a NIK
    date: bool = False  # a date cell shown DD-MM-YYYY
    money: bool = False  # whole rupiah, a number shown Rp1.700.000
    aliases: tuple[str, ...] = ()  # other headers read as this column ('No HP' for 'No. HP')


@dataclass
class Issue:
    """One problem of one row: its number as Excel shows it, the column's header, what is wrong."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


def village_columns() -> list[Column]:
    """Kode desa, Desa, Kecamatan: how every list of desa, or of their officials, begins (in the user's
    language: these are exports, not files read back)."""
    return [
        Column("code", _("Village code"), 16, text=True),
        Column("village", _("Village"), 22),
        Column("subdistrict", _("Subdistrict"), 20),
    ]
