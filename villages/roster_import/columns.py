"""The columns of the officials file, shared by the template and the import, and the parsers of its
drop-down columns (Jabatan, Status Jabatan, Alasan Berhenti, Jenis Kelamin).

Headers are part of the file format, not of the UI: they are Indonesian whatever the user's language,
so a template downloaded in English imports just the same.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.spreadsheets.cells import CellError, Choices
from core.spreadsheets.columns import Column
from villages import services
from villages.models import Person, Position, Post

VILLAGE_CODE = Column("village_code", "Kode Desa", 16, required=True, text=True)

COLUMNS: tuple[Column, ...] = (
    Column("nik", "NIK", 20, required=True, text=True),
    Column("full_name", "Nama Lengkap", 28, required=True),
    Column("sex", "Jenis Kelamin (L/P)", 11, required=True),
    Column("birth_date", "Tanggal Lahir", 14, required=True, date=True),
    Column("phone", "No. HP", 16, text=True),
    Column("position", "Jabatan", 32, required=True),
    Column("local_title", "Nama Jabatan Lokal", 22),
    Column("status", "Status Jabatan", 22),
    Column("sk_number", "Nomor SK", 24),
    Column("sk_date", "Tanggal SK", 14, date=True),
    Column("inauguration_date", "Tanggal Pelantikan", 14, date=True),
    Column("term_start", "Mulai Menjabat", 14, required=True, date=True),
    Column("term_end", "Akhir Masa Jabatan", 14, date=True),
    Column("wage_basis", "Dasar Upah (Rp)", 16, money=True),
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


def parse_sex(value: object) -> str:
    try:
        return SEXES.parse(value)
    except CellError:
        raise CellError(_("Write L (male) or P (female).")) from None
