"""The collective-registration sheet of the BPJS review queue (issue "BPJS review, reconciliation",
part 2): exported with an empty "Nomor Peserta" and "Tanggal Mulai", filled in by BPJS, imported back →
preview → confirm (all or nothing, through review.enrollments_approve).

The file is written by core.spreadsheets.writer and read by core.spreadsheets.reader (which checks it
as a whole); the preview waits for its confirmation in the one preview storage (previews), under a token only its
uploader can use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bpjs.selectors import nik_for
from bpjs.services import ApprovalResult, check_approvals, enrollments_approve, normalize_participant_number
from core import nik as nik_lib
from core.models import Program
from core.permissions import ensure_may_review, may_see_nik
from core.spreadsheets.cells import CellError, cell_text, is_blank, is_formula, parse_date, parse_nik
from core.spreadsheets.columns import Column
from core.spreadsheets.reader import ImportFileError, find_header_row, is_blank_row, match_header, read_filled_rows
from core.spreadsheets.writer import title_text, xlsx_response
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to
from previews.models import Preview
from previews.selectors import preview_for
from previews.services import preview_claim, preview_create
from villages.models import FamilyMember

Status = Enrollment.Status
PREVIEW_LIFETIME = dt.timedelta(hours=1)  # how long a sheet preview waits for its confirmation


# --- the collective-registration sheet ---------------------------------------------------------------
# Headers are part of the file format, not of the UI: Indonesian whatever the user's language.

COL_NIK = Column("nik", "NIK", 20, required=True, text=True)
COL_NAME = Column("full_name", "Nama", 28)
COL_BIRTH = Column("birth_date", "Tanggal Lahir", 14, date=True)
COL_SEX = Column("sex", "Jenis Kelamin", 8)
COL_POSITION = Column("position", "Jabatan", 26)
COL_WAGE = Column("wage", "Upah", 14)
COL_VILLAGE_CODE = Column("village_code", "Kode Desa", 16, text=True)
COL_VILLAGE = Column("village", "Desa", 20)
COL_SUBDISTRICT = Column("subdistrict", "Kecamatan", 20)
COL_PROGRAM = Column("program", "Program", 18)
COL_COMPONENTS = Column("components", "Komponen", 14)
COL_CLINIC = Column("primary_clinic", "Faskes Tingkat 1", 26)
COL_FAMILY = Column("family", "Anggota Keluarga", 48)
COL_NUMBER = Column("participant_number", "Nomor Peserta", 18, required=True, text=True)
COL_START = Column("start_date", "Tanggal Mulai", 14, required=True, date=True)
COL_ID = Column("id", "ID", 10, required=True)

SHEET_TITLE = "Pendaftaran"


def sheet_columns(program: Program) -> list[Column]:
    columns = [
        COL_NIK,
        COL_NAME,
        COL_BIRTH,
        COL_SEX,
        COL_POSITION,
        COL_WAGE,
        COL_VILLAGE_CODE,
        COL_VILLAGE,
        COL_SUBDISTRICT,
        COL_PROGRAM,
        COL_COMPONENTS,
    ]
    if program.code == Program.KESEHATAN:
        columns += [COL_CLINIC, COL_FAMILY]
    return [*columns, COL_NUMBER, COL_START, COL_ID]


def family_text(members: Iterable[FamilyMember]) -> str:
    """'Siti (pasangan, 02-03-1987); Budi (anak, 11-05-2012)'. The relation codes are the Indonesian
    words BPJS reads (pasangan, anak, orang tua), whatever the user's language."""
    parts = []
    for m in members:
        details = [m.relation.replace("_", " ")]
        if m.birth_date:
            details.append(m.birth_date.strftime("%d-%m-%Y"))
        parts.append(f"{m.full_name} ({', '.join(details)})")
    return "; ".join(parts)


def _sheet_values(user: User, enrollment: Enrollment) -> dict[str, object]:
    person = enrollment.person
    post = person.queue_posts[0]
    values = {
        "nik": nik_for(user, person),
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "position": post.title,
        "wage": int(post.wage_basis),
        "village_code": post.village.code,
        "village": post.village.name,
        "subdistrict": post.village.subdistrict.name,
        "program": enrollment.program.short_name,
        "components": ", ".join(c.code for c in enrollment.components.all()),
        "participant_number": None,
        "start_date": None,
        "id": enrollment.pk,
    }
    if enrollment.program.code == Program.KESEHATAN:
        values["primary_clinic"] = enrollment.primary_clinic
        values["family"] = family_text(person.family.all())
    return values


def review_sheet_xlsx(
    user: User, enrollments: QuerySet[Enrollment], *, program: Program, filename: str, where: object = None
) -> HttpResponse:
    """The queue as the collective-registration sheet BPJS fills in: NIK and numbers as text, dates as
    dates, the wage as a number; empty text-formatted "Nomor Peserta" and date "Tanggal Mulai" cells, and
    the enrollment ID that matches each row back. Streamed (write-only), a fixed number of queries per
    2,000 rows. `where` (a regency or desa) is named in the title row."""
    columns = sheet_columns(program)
    rows = (
        [values[c.key] for c in columns]
        for values in (
            _sheet_values(user, enrollment) for enrollment in enrollments.filter(program=program).iterator(2000)
        )
    )
    title = title_text(SHEET_TITLE, regency=where, program=program, day=timezone.localdate())
    return xlsx_response(
        filename=filename, sheet_title=SHEET_TITLE, title=title, columns=columns, rows=rows, private=may_see_nik(user)
    )


# --- importing the sheet back ------------------------------------------------------------------------


@dataclass
class SheetPreview:
    """What a filled-in sheet would do: the rows to approve, the rows already done ("unchanged"), the
    rows left empty, and every error with its row number, column and message."""

    approve: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    # (enrollment id, participant number, start date ISO): exactly what a confirmation applies.
    items: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def error(self, row: int, column: Column | str, message: str) -> None:
        header = column.header if isinstance(column, Column) else column
        self.errors.append({"row": row, "column": header, "message": message})

    def as_dict(self) -> dict:
        return {
            "approve": self.approve,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": sorted(self.errors, key=lambda e: e["row"]),
            "warnings": self.warnings,
            "items": self.items,
        }


@dataclass
class _SheetRow:
    number: int
    enrollment_id: int | None = None
    nik: str | None = ""  # None: the cell could not be read (already reported)
    participant_number: str = ""
    start_date: dt.date | None = None
    ok: bool = True


_IMPORT_COLUMNS = (COL_ID, COL_NIK, COL_NUMBER, COL_START)


def _header(values: list[tuple[int, tuple]]) -> tuple[int, dict[str, int]]:
    """(position of the header row in `values`, column key → index); below the sheet's title row."""
    start = find_header_row(values, _IMPORT_COLUMNS)
    match = match_header(values[start][1], _IMPORT_COLUMNS)
    missing = [c.header for c in match.missing(_IMPORT_COLUMNS)]
    if missing:
        raise ImportFileError(
            _(
                "These columns are missing or were renamed: %(missing)s. Upload the sheet downloaded from the "
                "review queue, with its header row unchanged."
            )
            % {"missing": ", ".join(missing)}
        )
    return start, match.positions


def _participant_number_cell(value: object, program: Program | None) -> str:
    """A number typed into a number cell loses its leading zeros (0011336526592 → 11336526592); a JKN
    number that comes back shorter than 13 digits is said so, rather than guessed."""
    number = normalize_participant_number(value)
    if isinstance(value, float) and not value.is_integer():
        raise CellError(
            _(
                "Excel turned this participant number into a number and lost digits. Format the column as Text "
                "and type it again."
            )
        )
    if (
        program is not None
        and program.participant_number_length_strict
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and len(number) < program.participant_number_length
    ):
        raise CellError(
            _(
                "This participant number has %(m)d digits; a %(program)s number has %(n)d. If it started with 0, "
                "Excel dropped the zeros: format the column as Text and type it again."
            )
            % {"m": len(number), "n": program.participant_number_length, "program": program.short_name}
        )
    return number


def _parse_sheet_row(preview: SheetPreview, number: int, raw: dict[str, object], today: dt.date) -> _SheetRow | None:
    """None for a row BPJS left empty (no participant number): it stays in the queue."""
    row = _SheetRow(number=number)
    if is_blank(raw["participant_number"]):
        return None
    for key, column in (
        ("id", COL_ID),
        ("nik", COL_NIK),
        ("participant_number", COL_NUMBER),
        ("start_date", COL_START),
    ):
        if is_formula(raw[key]):
            preview.error(number, column, _("This cell holds a formula, not a value. Paste the values only."))
            row.ok = False
    if not row.ok:
        return row
    text = cell_text(raw["id"])
    if text.isdigit():
        row.enrollment_id = int(text)
    else:
        preview.error(
            number, COL_ID, _("Keep the ID of each row as it was downloaded: it says which request the row is.")
        )
        row.ok = False
    try:
        row.nik = "" if is_blank(raw["nik"]) else parse_nik(raw["nik"])
    except CellError as exc:
        preview.error(number, COL_NIK, exc.message)
        row.nik, row.ok = None, False
    try:
        row.start_date = parse_date(raw["start_date"]) or today
    except CellError as exc:
        preview.error(number, COL_START, exc.message)
        row.ok = False
    return row


def review_sheet_preview(*, actor: User, upload: IO[bytes], name: str) -> SheetPreview:
    """Read a filled-in sheet and say what confirming it would do. Nothing is written. A fixed number of
    queries whatever the number of rows: the enrollments of the file's IDs (in the actor's scope) and
    the participant numbers already in use."""
    values = read_filled_rows(upload, name=name)
    start, positions = _header(values)
    today = timezone.localdate()
    preview = SheetPreview()
    parsed: list[tuple[_SheetRow, object]] = []
    for number, row in values[start + 1 :]:
        if is_blank_row(row):
            continue
        raw = {key: (row[i] if i < len(row) else None) for key, i in positions.items()}
        sheet_row = _parse_sheet_row(preview, number, raw, today)
        if sheet_row is None:
            preview.skipped += 1
        else:
            parsed.append((sheet_row, raw["participant_number"]))
    ids = {r.enrollment_id for r, _raw in parsed if r.enrollment_id}
    enrollments = {e.pk: e for e in enrollments_visible_to(actor).filter(pk__in=ids).select_related("person")}
    candidates = [
        (row, enrollment)
        for row, raw_number in parsed
        if (enrollment := _matched(preview, row, raw_number, enrollments)) is not None
    ]
    _check_candidates(preview, candidates)
    return preview


def _matched(preview: SheetPreview, row: _SheetRow, raw_number: object, enrollments: dict) -> Enrollment | None:
    """The requested enrollment a row approves, or None: the row has an error, is already applied
    (listed unchanged), or names no request."""
    enrollment = enrollments.get(row.enrollment_id) if row.enrollment_id else None
    if row.enrollment_id and enrollment is None:
        preview.error(
            row.number, COL_ID, _("No request in your queue has this ID. Keep the ID column as it was downloaded.")
        )
        row.ok = False
    if enrollment is None:
        return None
    try:
        row.participant_number = _participant_number_cell(raw_number, enrollment.program)
    except CellError as exc:
        preview.error(row.number, COL_NUMBER, exc.message)
        row.ok = False
    _check_nik(preview, row, enrollment)
    if not row.ok:
        return None
    if enrollment.status == Status.ACTIVE and enrollment.participant_number == row.participant_number:
        preview.unchanged.append(_preview_line(row, enrollment))
    elif enrollment.status == Status.ACTIVE:
        preview.error(
            row.number,
            COL_NUMBER,
            _("%(name)s is already active with participant number %(number)s.")
            % {"name": enrollment.person.full_name, "number": enrollment.participant_number},
        )
    elif enrollment.status != Status.REQUESTED:
        preview.error(
            row.number,
            COL_ID,
            _("This request is no longer waiting for review: the enrollment is %(status)s.")
            % {"status": enrollment.get_status_display()},
        )
    else:
        return enrollment
    return None


def _check_nik(preview: SheetPreview, row: _SheetRow, enrollment: Enrollment) -> None:
    if row.nik == "":
        preview.error(row.number, COL_NIK, _("The NIK is missing. Keep the NIK of each row as it was downloaded."))
        row.ok = False
    elif row.nik is not None and nik_lib.hash_nik(row.nik) != enrollment.person.nik_hash:
        preview.error(
            row.number,
            COL_NIK,
            _(
                "The NIK in this row is not the NIK of %(name)s, whose request has this ID. Rows may have been "
                "mixed up: keep each row's NIK and ID together."
            )
            % {"name": enrollment.person.full_name},
        )
        row.ok = False


def _check_candidates(preview: SheetPreview, candidates: list[tuple[_SheetRow, Enrollment]]) -> None:
    """The approval rules on the rows left (numbers given twice or in use...): the rows that pass go to
    `approve` and `items`."""
    errors, warnings = check_approvals(
        [(e, r.participant_number, r.start_date) for r, e in candidates],
        describe=lambda index: _("row %(n)s") % {"n": candidates[index][0].number},
    )
    columns = {"participant_number": COL_NUMBER, "start_date": COL_START, "enrollment": COL_ID}
    for issue in errors:
        preview.error(candidates[issue.index][0].number, columns[issue.field], issue.message)
    for issue in warnings:
        number = candidates[issue.index][0].number
        preview.warnings.append({"row": number, "column": columns[issue.field].header, "message": issue.message})
    failed = {issue.index for issue in errors}
    for index, (row, enrollment) in enumerate(candidates):
        if index not in failed:
            preview.approve.append(_preview_line(row, enrollment))
            preview.items.append((enrollment.pk, row.participant_number, row.start_date.isoformat()))


def _preview_line(row: _SheetRow, enrollment: Enrollment) -> dict:
    return {
        "row": row.number,
        "enrollment": enrollment.pk,
        "name": enrollment.person.full_name,
        "program": enrollment.program.short_name,
        "participant_number": row.participant_number,
        "start_date": row.start_date.isoformat() if row.start_date else None,
    }


def review_import_stash(*, actor: User, preview: SheetPreview, name: str) -> str:
    """Keep a preview (in the database, for an hour) under a random token; only its uploader may open or
    confirm it. No NIK is kept: rows carry enrollment ids, names and numbers."""
    kept = preview_create(
        actor=actor,
        kind=Preview.Kind.REVIEW_SHEET,
        data={"name": name, **preview.as_dict()},
        name=name,
        lifetime=PREVIEW_LIFETIME,
    )
    return kept.token


def review_import_load(*, actor: User, token: str) -> dict | None:
    """The actor's own preview (None when expired or already confirmed); another user's is a 404."""
    kept = preview_for(actor, token, kind=Preview.Kind.REVIEW_SHEET)
    return kept.data if kept is not None else None


@transaction.atomic
def review_import_confirm(*, actor: User, token: str) -> ApprovalResult:
    """Apply a previewed sheet: all its rows or none (the rows are checked again against the data as it
    is now). The preview is used up by the confirmation, so a second click or a re-sent form applies
    nothing; a confirmation refused (ApprovalError) rolls back and leaves the preview to look at."""
    ensure_may_review(actor)
    kept = preview_for(actor, token, kind=Preview.Kind.REVIEW_SHEET)
    stash = kept.data if kept is not None else None
    if stash is None or not preview_claim(preview=kept):
        raise ValidationError(_("This preview has expired or was already confirmed. Upload the file again."))
    if stash["errors"]:
        raise ValidationError(_("This file has errors: correct them and upload it again. Nothing was approved."))
    ids = [pk for pk, _, _ in stash["items"]]
    enrollments = enrollments_visible_to(actor).select_related("person", "program").in_bulk(ids)
    if len(enrollments) != len(set(ids)):
        raise ValidationError(_("Some requests of this file are no longer in your queue. Upload the file again."))
    items = [(enrollments[pk], number, dt.date.fromisoformat(start)) for pk, number, start in stash["items"]]
    return enrollments_approve(actor=actor, items=items) if items else ApprovalResult([], [])
