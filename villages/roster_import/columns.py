"""The columns of the officials file, shared by the template and the import, and the parsers of its
drop-down columns (Jabatan, Status Jabatan, Alasan Berhenti, Jenis Kelamin).

Headers are part of the file format, not of the UI: they are Indonesian whatever the user's language,
so a template downloaded in English imports just the same.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from core.spreadsheets.cells import CellError, Choices
from core.spreadsheets.columns import Column
from villages import services
from villages.models import Person, Position, Post

VILLAGE_CODE = Column("village_code", "Kode Desa", 16, required=True, text=True, aliases=("Kode Wilayah Desa",))

# The aliases are the headers office sheets use for the same column; they are compared as loose_key does
# (case, spaces and punctuation aside), so "No. HP" also stands for "No HP" and "NO.HP".
COLUMNS: tuple[Column, ...] = (
    Column("nik", "NIK", 20, required=True, text=True, aliases=("No KTP", "NIK KTP", "Nomor KTP", "Nomor NIK")),
    Column("full_name", "Nama Lengkap", 28, required=True, aliases=("Nama",)),
    Column("sex", "Jenis Kelamin (L/P)", 11, required=True, aliases=("JK", "L/P", "Kelamin")),
    Column("birth_date", "Tanggal Lahir", 14, required=True, date=True, aliases=("Tgl Lahir",)),
    Column("phone", "No. HP", 16, text=True, aliases=("HP", "Nomor HP", "Telepon", "No Telepon", "No Telp", "No WA")),
    Column("position", "Jabatan", 32, required=True),
    Column("local_title", "Nama Jabatan Lokal", 22, aliases=("Jabatan Lokal",)),
    Column("status", "Status Jabatan", 22, aliases=("Status",)),
    Column("sk_number", "Nomor SK", 24, aliases=("No SK",)),
    Column("sk_date", "Tanggal SK", 14, date=True, aliases=("Tgl SK",)),
    Column("inauguration_date", "Tanggal Pelantikan", 14, date=True, aliases=("Tgl Pelantikan",)),
    # Most office sheets have no start of term: it is then the inauguration date, else the SK date.
    Column("term_start", "Mulai Menjabat", 14, date=True, aliases=("Tanggal Mulai Menjabat", "TMT Jabatan")),
    Column("term_end", "Akhir Masa Jabatan", 14, date=True, aliases=("Akhir Jabatan",)),
    Column("wage_basis", "Dasar Upah (Rp)", 16, money=True, aliases=("Siltap", "Penghasilan Tetap")),
    Column("ended_on", "Tanggal Berhenti", 14, date=True),
    Column("end_reason", "Alasan Berhenti", 28),
)

BY_KEY = {c.key: c for c in (VILLAGE_CODE, *COLUMNS)}

# The fields a file may set: those the roster forms set, and a post's end.
PERSON_FIELDS = services.PERSON_FIELDS
POST_FIELDS = (*services.POST_FIELDS, "ended_on", "end_reason")

SHEET_DATA = "Perangkat"
SHEET_HELP = "Petunjuk"
SHEET_LISTS = "Daftar"


def columns_for(*, regency_file: bool) -> tuple[Column, ...]:
    """A DPMD file for a whole regency starts with the village code; a village's file has none."""
    return (VILLAGE_CODE, *COLUMNS) if regency_file else COLUMNS


# --- the drop-down columns ---------------------------------------------------------------------------

POSITIONS = Choices(Position.choices)
STATUSES = Choices(Post.Status.choices)
END_REASONS = Choices(Post.EndReason.choices)
SEXES = Choices(
    Person.Sex.choices,
    extra={"laki-laki": "L", "laki laki": "L", "pria": "L", "lk": "L", "perempuan": "P", "wanita": "P", "pr": "P"},
)
SEX_CODES = [code for code, _label in Person.Sex.choices]


# Office words for the SOTK positions (rules.md §4), compared after _position_words.
_POSITION_WORDS = {
    "kades": Position.KEPALA_DESA,
    "sekdes": Position.SEKRETARIS_DESA,
    "sekretaris": Position.SEKRETARIS_DESA,
    "kaur tu dan umum": Position.KAUR_TU_UMUM,
    "kaur tu umum": Position.KAUR_TU_UMUM,
    "kaur tata usaha umum": Position.KAUR_TU_UMUM,
    "kaur umum perencanaan": Position.KAUR_UMUM_PERENCANAAN,
    "kasi kesejahteraan pelayanan": Position.KASI_KESEJAHTERAAN_PELAYANAN,
    "kadus": Position.KEPALA_DUSUN,
}
_WORD_FORMS = (
    (r"\bkepala urusan\b", "kaur"),
    (r"\bkepala seksi\b", "kasi"),
    (r"\bkepala dusun\b", "kadus"),
    (r"&", " dan "),
)
# "Kepala Dusun I", "Kadus 2": the number names the dusun, kept as the local title "Dusun I".
_DUSUN_NUMBER = re.compile(r"^kadus ([ivx]+|[0-9]+)$")


def _position_words(value: object) -> str:
    text = str(value).replace("\u00a0", " ").lower()
    for pattern, replacement in _WORD_FORMS:
        text = re.sub(pattern, replacement, text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def parse_position(value: object) -> tuple[str, str]:
    """The position of a Jabatan cell and the local title its words imply ("" when none): "Kades" →
    kepala desa; "Kepala Dusun III" → kepala dusun, "Dusun III"."""
    try:
        return POSITIONS.parse(value), ""
    except CellError:
        words = _position_words(value)
        code = _POSITION_WORDS.get(words) or _POSITION_WORDS.get(words.replace(" dan ", " "))
        if code is None:
            code = next((c for c, label in Position.choices if _position_words(label) == words), None)
        if code is not None:
            return str(code), ""
        number = _DUSUN_NUMBER.match(words)
        if number is None:
            raise
        digits = number.group(1)
        return str(Position.KEPALA_DUSUN), f"Dusun {digits.upper() if not digits.isdigit() else digits}"


def parse_position_noted(value: object) -> tuple[str, str, str]:
    """parse_position, and a note when the cell used an office word rather than the list's label."""
    code, title = parse_position(value)
    if POSITIONS.lookup.get(" ".join(str(value).replace("\u00a0", " ").split()).lower()) == code:
        return code, title, ""
    label = dict(Position.choices)[code]
    if title:
        note = _("Jabatan “%(value)s” read as %(position)s, with the local title %(title)s.")
        return code, title, note % {"value": str(value).strip(), "position": label, "title": title}
    note = _("Jabatan “%(value)s” read as %(position)s.")
    return code, title, note % {"value": str(value).strip(), "position": label}


def parse_sex(value: object) -> str:
    try:
        return SEXES.parse(value)
    except CellError:
        raise CellError(_("Write L (male) or P (female).")) from None
