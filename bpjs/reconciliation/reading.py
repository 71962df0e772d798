"""Reading a BPJS list: its header row, which column holds what (guessed, remembered per branch, checked),
and its rows as BpjsRow, each cell's problem reported with its row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bpjs.models import ReconciliationMapping
from bpjs.services import normalize_participant_number
from core import nik as nik_lib
from core.models import Program, Regency
from core.spreadsheets.cells import (
    CellError,
    cell_text,
    is_blank,
    is_formula,
    loose_key,
    parse_nik,
    parse_rupiah,
)
from core.spreadsheets.reader import ImportFileError
from core.text import name_problem
from enrollment.models import Enrollment

Status = Enrollment.Status

FIELDS = ("nik", "participant_number", "name", "status", "wage")
FIELD_LABELS = {
    "nik": gettext_lazy("NIK"),
    "participant_number": gettext_lazy("Participant number"),
    "name": gettext_lazy("Name"),
    "status": gettext_lazy("Status"),
    "wage": gettext_lazy("Wage"),
}
# Headers BPJS exports commonly use, to pre-fill the mapping the first time a branch uploads a list.
ALIASES = {
    "nik": ("nik", "no nik", "nomor nik", "nik peserta", "no ktp", "nomor ktp", "nomor induk kependudukan"),
    "participant_number": (
        "nomor peserta",
        "no peserta",
        "nomor kartu",
        "no kartu",
        "noka",
        "no kpj",
        "nomor kpj",
        "kpj",
        "no jkn",
    ),
    "name": ("nama", "nama peserta", "nama lengkap", "nama tenaga kerja", "nama pekerja"),
    "status": ("status", "status peserta", "status kepesertaan", "status aktif", "keterangan status"),
    "wage": ("upah", "gaji", "gaji pokok", "upah dilaporkan", "upah terakhir", "gapok"),
}
HEADER_SEARCH_ROWS = 20  # a BPJS export may start with a title block; the header row is looked for here
_ACTIVE_WORDS = {"aktif", "active", "a"}
_INACTIVE_WORDS = {"nonaktif", "tidakaktif", "inactive", "nonactive", "na", "pasif", "keluar", "berhenti", "meninggal"}


# --- the file's columns ------------------------------------------------------------------------------


_key = loose_key


def _guess(key: str) -> str | None:
    return next((f for f, aliases in ALIASES.items() if key in aliases), None)


def find_header(values: list[tuple[int, tuple]]) -> tuple[int, list[str]]:
    """(position in `values`, header texts) of the header row: the first row near the top that names a
    NIK or participant-number column, else the first row with two or more filled cells."""
    candidates = values[:HEADER_SEARCH_ROWS]
    for position, (_number, row) in enumerate(candidates):
        if any(_guess(_key(v)) in ("nik", "participant_number") for v in row if not is_blank(v)):
            return position, [cell_text(v) for v in row]
    for position, (_number, row) in enumerate(candidates):
        if sum(1 for v in row if not is_blank(v)) >= 2:
            return position, [cell_text(v) for v in row]
    raise ImportFileError(_("No header row found: the first rows of the file should name its columns."))


def suggested_mapping(headers: list[str], saved: dict | None = None) -> dict[str, str]:
    """Field → header: the saved mapping of the branch where its headers are in this file, else a guess
    from the usual BPJS header names."""
    present = {_key(h): h for h in headers if h}
    mapping: dict[str, str] = {}
    for f in FIELDS:
        header = (saved or {}).get(f)
        if header and _key(header) in present:
            mapping[f] = present[_key(header)]
    for key, header in present.items():
        f = _guess(key)
        if f and f not in mapping and header not in mapping.values():
            mapping[f] = header
    return mapping


def saved_mapping(*, regency: Regency, program: Program) -> dict:
    found = ReconciliationMapping.objects.filter(regency=regency, program=program).first()
    return found.mapping if found else {}


def clean_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Only known fields and headers of the file; NIK or participant number must be among them."""
    present = {_key(h): h for h in headers if h}
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for f in FIELDS:
        header = (mapping or {}).get(f) or ""
        if not header:
            continue
        if _key(header) not in present:
            errors[f] = _("The file has no column “%(header)s”.") % {"header": header}
        elif present[_key(header)] in cleaned.values():
            errors[f] = _("The column “%(header)s” is chosen for two fields.") % {"header": header}
        else:
            cleaned[f] = present[_key(header)]
    if errors:
        raise ValidationError(errors)
    if "nik" not in cleaned and "participant_number" not in cleaned:
        raise ValidationError(_("Choose the column of the NIK or of the participant number: rows are matched by them."))
    return cleaned


# --- the rows ----------------------------------------------------------------------------------------


@dataclass
class BpjsRow:
    number: int
    nik: str = ""  # 16 digits, never stored
    nik_hash: str = ""
    participant_number: str = ""
    name: str = ""
    status: str | None = None  # active, inactive, or None when the file's status could not be read
    wage: int | None = None

    @property
    def nik_masked(self) -> str:
        return nik_lib.mask_nik(self.nik) if self.nik else ""


def parse_status(value: object) -> str:
    word = re.sub(r"[^a-z]", "", str(value).lower())
    if word in _ACTIVE_WORDS:
        return Status.ACTIVE
    if word in _INACTIVE_WORDS or word.startswith(("non", "tidak")):
        return Status.INACTIVE
    raise CellError(_("“%(value)s” is not a status this page reads: write Aktif or Non Aktif.") % {"value": value})


def read_bpjs_rows(
    values: list[tuple[int, tuple]], *, header_at: int, mapping: dict[str, str], program: Program
) -> tuple[list[BpjsRow], list[dict]]:
    """The rows below the header that can be matched (a person or number listed twice: the first row),
    and the errors ({row, column, message}) of the others and of the cells that could not be read."""
    headers = [cell_text(v) for v in values[header_at][1]]
    index = {_key(h): i for i, h in reversed(list(enumerate(headers))) if h}
    reader = _RowReader({f: index[_key(h)] for f, h in mapping.items()}, mapping, program)
    rows = []
    for number, raw in values[header_at + 1 :]:
        if not all(is_blank(v) for v in raw) and (row := reader.read(number, raw)) is not None:
            rows.append(row)
    return _drop_duplicates(rows, reader.errors, mapping), reader.errors


class _RowReader:
    """Reads one row after another, collecting each cell's error."""

    def __init__(self, positions: dict[str, int], mapping: dict[str, str], program: Program):
        self.positions, self.mapping, self.program = positions, mapping, program
        self.errors: list[dict] = []

    def error(self, row: int, f: str, message: str) -> None:
        self.errors.append({"row": row, "column": self.mapping.get(f, ""), "message": message})

    def read(self, number: int, raw: tuple) -> BpjsRow | None:
        cell = {f: (raw[i] if i < len(raw) else None) for f, i in self.positions.items()}
        for f, value in cell.items():
            if is_formula(value):
                self.error(number, f, _("This cell holds a formula, not a value. Paste the values only."))
                cell[f] = None
        if problem := name_problem(cell.get("name")):  # the name is kept in the result and exported
            self.error(number, "name", problem)
            cell["name"] = None
        row = BpjsRow(number=number, name=cell_text(cell.get("name")))
        self._read_nik(row, cell.get("nik"))
        self._read_number(row, cell.get("participant_number"))
        if "status" not in self.positions:
            row.status = Status.ACTIVE  # a participant or billing list without a status lists active ones
        else:
            row.status = self._parsed(number, "status", cell.get("status"), parse_status)
        row.wage = self._parsed(number, "wage", cell.get("wage"), parse_rupiah)
        if not row.nik_hash and not row.participant_number:
            f = "nik" if "nik" in self.positions else "participant_number"
            self.error(number, f, _("No NIK or participant number: the row cannot be matched."))
            return None
        return row

    def _parsed(self, number: int, f: str, value: object, parse):
        if is_blank(value):
            return None
        try:
            return parse(value)
        except CellError as exc:
            self.error(number, f, exc.message)
            return None

    def _read_nik(self, row: BpjsRow, value: object) -> None:
        nik = self._parsed(row.number, "nik", value, parse_nik)
        if nik is None:
            return
        if len(nik) == 16 and nik.isdigit():
            row.nik, row.nik_hash = nik, nik_lib.hash_nik(nik)
        else:
            self.error(row.number, "nik", _("NIK must be exactly 16 digits."))

    def _read_number(self, row: BpjsRow, value: object) -> None:
        if is_blank(value):
            return
        row.participant_number = normalize_participant_number(value)
        # A number cell of BPJS's own export drops a JKN card's leading zeros; its length is fixed.
        if isinstance(value, int | float) and self.program.participant_number_length_strict:
            row.participant_number = row.participant_number.zfill(self.program.participant_number_length)


def _duplicate_message(f: str, first: int) -> str:
    if f == "nik":
        return _("This NIK is also in row %(row)s; only that row is compared.") % {"row": first}
    return _("This participant number is also in row %(row)s; only that row is compared.") % {"row": first}


def _drop_duplicates(rows: list[BpjsRow], errors: list[dict], headers: dict[str, str]) -> list[BpjsRow]:
    """A person or number listed twice is compared once (the first row); the others are reported."""
    first: dict[str, dict[str, int]] = {"nik": {}, "participant_number": {}}  # field → value → first row
    kept = []
    for row in rows:
        keys = {"nik": row.nik_hash, "participant_number": row.participant_number}
        repeated = next((f for f, key in keys.items() if key and key in first[f]), None)
        if repeated:
            message = _duplicate_message(repeated, first[repeated][keys[repeated]])
            errors.append({"row": row.number, "column": headers.get(repeated, ""), "message": message})
            continue
        for f, key in keys.items():
            if key:
                first[f][key] = row.number
        kept.append(row)
    return kept
