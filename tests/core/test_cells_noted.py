"""The cell parsers say what they tidied (the officials preview shows it); the plain parsers, used by the
budget and BPJS imports, read the same values as before and say nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from core.spreadsheets import cells

NIK = "1706011708850001"


@pytest.mark.parametrize(
    "parser, noted, value, expected, noted_expected",
    [
        (cells.parse_nik, cells.parse_nik_noted, f"{NIK[:6]} {NIK[6:]}", NIK, True),
        (cells.parse_nik, cells.parse_nik_noted, NIK, NIK, False),
        (cells.parse_date, cells.parse_date_noted, 31276, dt.date(1985, 8, 17), True),
        (cells.parse_date, cells.parse_date_noted, "17/08/1985", dt.date(1985, 8, 17), True),
        (cells.parse_date, cells.parse_date_noted, "17-08-1985", dt.date(1985, 8, 17), False),
        (cells.parse_date, cells.parse_date_noted, dt.datetime(1985, 8, 17), dt.date(1985, 8, 17), False),
        (cells.parse_rupiah, cells.parse_rupiah_noted, "2,850,000", 2_850_000, True),
        (cells.parse_rupiah, cells.parse_rupiah_noted, "2.850.000,00", 2_850_000, True),
        (cells.parse_rupiah, cells.parse_rupiah_noted, "Rp2.850.000", 2_850_000, False),
        (cells.parse_rupiah, cells.parse_rupiah_noted, 2850000, 2_850_000, False),
        (cells.parse_phone, cells.parse_phone_noted, "+62 812-3456-7890", "+6281234567890", True),
        (cells.parse_phone, cells.parse_phone_noted, "081234567890", "081234567890", False),
    ],
)
def test_a_noted_parser_reads_as_the_plain_one_and_says_when_it_tidied(parser, noted, value, expected, noted_expected):
    assert parser(value) == expected
    read, note = noted(value)
    assert read == expected
    assert bool(note) is noted_expected


def test_a_nik_note_never_holds_the_full_nik():
    _nik, note = cells.parse_nik_noted(f"'{NIK}")
    assert NIK not in note and NIK[:4] in note


def test_a_name_note_says_spaces_were_removed():
    name, note = cells.clean_name_noted("  Dedi   Gunawan ", max_length=50)
    assert name == "Dedi Gunawan" and "Dedi Gunawan" in note
    assert cells.clean_name_noted("Dedi Gunawan", max_length=50) == ("Dedi Gunawan", "")
