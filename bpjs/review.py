"""BPJS review of requested enrollments (issue "BPJS review, reconciliation", parts 1 and 2).

- the queue: requested enrollments a user may review, grouped by desa;
- approving (one or many, all or nothing) with participant number and start date; rejecting with a
  reason the village reads;
- the collective-registration sheet: exported with an empty "Nomor Peserta" and "Tanggal Mulai", filled
  in by BPJS, imported back → preview → confirm (all or nothing).

Who: a BPJS officer reviews the requests of their program in the regencies of their branch; DPMD staff
see the queue of their regency but do not act on it (a 403); superusers do everything. Objects come from
`enrollments_visible_to`, so anything outside the user's scope is a 404 in the views.

Participant numbers (rules.md §2): a JKN card number has exactly 13 digits (an error otherwise); a KPJ
number has digits only and usually 11 of them (a warning otherwise, never an error).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import User
from accounts.notifications import in_app_language, notify, village_users
from core import nik as nik_lib
from core.models import Program, Regency, Village
from core.permissions import ensure_may_review, may_see_nik, may_view_queue
from core.selectors import governed_villages, villages_visible_to
from core.spreadsheets import reader as roster_reader
from core.spreadsheets.cells import CellError, header_key, is_blank, is_formula, parse_date, parse_nik
from core.spreadsheets.reader import ImportFileError
from core.spreadsheets.writer import XLSX
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to
from enrollment.services import enrollment_change_status, enrollments_activate
from villages.models import FamilyMember, Person, Post
from villages.roster_import.columns import Column

Status = Enrollment.Status
# The post a request is shown under when its official holds several: the definitif one, then the latest.
POST_ORDER = ("status", "-term_start", "pk")
PREVIEW_TIMEOUT = 60 * 60  # seconds a sheet preview waits for its confirmation
_SEPARATORS = re.compile(r"[\s.\-]")


# --- the queue ---------------------------------------------------------------------------------------


def _queue_villages(user: User, *, regency: Regency | None, village: Village | None) -> QuerySet[Village]:
    villages = governed_villages(villages_visible_to(user))
    if regency is not None:
        villages = villages.filter(subdistrict__regency=regency)
    if village is not None:
        villages = villages.filter(pk=village.pk)
    return villages


def review_queue(
    user: User,
    *,
    regency: Regency | None = None,
    village: Village | None = None,
    program: Program | None = None,
    family: bool = False,
) -> QuerySet[Enrollment]:
    """Requested enrollments the user may see, ordered by desa code then name. Each enrollment carries
    `village_code` and `person.queue_posts` (the official's current posts in the desa shown, definitif
    first). A fixed number of queries however long the queue: the enrollments, their components, the
    posts (and, with `family`, the family members)."""
    if not may_view_queue(user):
        return Enrollment.objects.none()
    posts = Post.objects.current().filter(village__in=_queue_villages(user, regency=regency, village=village))
    first_post = posts.filter(person=OuterRef("person_id")).order_by(*POST_ORDER).values("village_id")[:1]
    qs = (
        enrollments_visible_to(user)
        .filter(status=Status.REQUESTED)
        .annotate(village_code=Subquery(first_post))
        .filter(village_code__isnull=False)
    )
    if program is not None:
        qs = qs.filter(program=program)
    prefetches = [
        "components",
        Prefetch(
            "person__posts",
            queryset=posts.select_related("village__subdistrict").order_by(*POST_ORDER),
            to_attr="queue_posts",
        ),
    ]
    if family:
        prefetches.append(Prefetch("person__family", queryset=FamilyMember.objects.order_by("relation", "birth_date")))
    return qs.order_by("village_code", "person__full_name", "program", "pk").prefetch_related(*prefetches)


@dataclass
class QueueRow:
    enrollment: Enrollment
    post: Post
    nik: str
    # What the approve form showed or was sent, and its problems, when the page is shown again.
    number: str = ""
    start: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def components(self) -> str:
        return ", ".join(c.code for c in self.enrollment.components.all())


@dataclass
class VillageGroup:
    village: Village
    rows: list[QueueRow] = field(default_factory=list)


def nik_for(user: User, person: Person) -> str:
    return person.nik if may_see_nik(user) else person.nik_masked


def queue_row(user: User, enrollment: Enrollment) -> QueueRow:
    return QueueRow(enrollment=enrollment, post=enrollment.person.queue_posts[0], nik=nik_for(user, enrollment.person))


def group_by_village(user: User, enrollments: Iterable[Enrollment]) -> list[VillageGroup]:
    """Consecutive enrollments of one desa under one heading (the queue is ordered by desa code)."""
    groups: list[VillageGroup] = []
    for enrollment in enrollments:
        row = queue_row(user, enrollment)
        if not groups or groups[-1].village.pk != row.post.village_id:
            groups.append(VillageGroup(village=row.post.village))
        groups[-1].rows.append(row)
    return groups


def village_enrollments(user: User, village: Village) -> QuerySet[Enrollment]:
    """The enrollments (any status) of the desa's current officials that the user may see, with the
    rejection reasons: what the village reads on its BPJS page. Three queries."""
    posts = Post.objects.current().filter(village=village)
    return (
        enrollments_visible_to(user)
        .filter(Exists(posts.filter(person=OuterRef("person"))))
        .prefetch_related(Prefetch("person__posts", queryset=posts.order_by(*POST_ORDER), to_attr="queue_posts"))
        .order_by("person__full_name", "person_id", "program__order", "-created_at", "-pk")
    )


# --- approving and rejecting -------------------------------------------------------------------------

# (enrollment, participant number, start date)
Item = tuple[Enrollment, str, dt.date | None]


@dataclass(frozen=True)
class RowIssue:
    """One problem of one item: `index` is its position in the items (0-based)."""

    index: int
    enrollment_id: int | None
    field: str  # enrollment, participant_number, start_date
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "enrollment": self.enrollment_id, "field": self.field, "message": self.message}


class ApprovalError(ValidationError):
    """Some items cannot be approved; none was. `issues` says which and why, row by row."""

    def __init__(self, issues: list[RowIssue]):
        rows = len({issue.index for issue in issues})
        super().__init__(
            ngettext(
                "%(n)s row has an error, so nothing was approved. Correct it and try again.",
                "%(n)s rows have errors, so nothing was approved. Correct them and try again.",
                rows,
            )
            % {"n": rows}
        )
        self.issues = issues


@dataclass
class ApprovalResult:
    approved: list[Enrollment]
    warnings: list[RowIssue]


def normalize_participant_number(value: object) -> str:
    """'0011 3365 26592', '0011.3365.26592' and "'0011336526592" all read 0011336526592."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SEPARATORS.sub("", str(value)).lstrip("'")


def participant_number_error(program: Program, number: str) -> str:
    if not number:
        return _("Write the participant number.")
    if not number.isdigit():
        return _("A participant number has digits only.")
    if program.participant_number_length_strict and len(number) != program.participant_number_length:
        return _("A %(program)s participant number has exactly %(n)d digits.") % {
            "program": program.short_name,
            "n": program.participant_number_length,
        }
    return ""


def participant_number_warning(program: Program, number: str) -> str:
    return Enrollment(program=program, participant_number=number).participant_number_warning


def numbers_in_use(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[int]]:
    """(program, participant number) → the persons whose enrollments carry it. One query."""
    pairs = {(p, n) for p, n in pairs if n}
    if not pairs:
        return {}
    used: dict[tuple[str, str], set[int]] = {}
    rows = Enrollment.objects.filter(
        program_id__in={p for p, _ in pairs}, participant_number__in={n for _, n in pairs}
    ).values_list("program_id", "participant_number", "person_id")
    for program_id, number, person_id in rows:
        if (program_id, number) in pairs:
            used.setdefault((program_id, number), set()).add(person_id)
    return used


def check_approvals(
    items: list[Item], *, describe: Callable[[int], str] | None = None
) -> tuple[list[RowIssue], list[RowIssue]]:
    """Every error and warning of the items, without writing anything. One query (numbers in use).
    `describe(index)` names an item in the message about a number given twice (the official's name by
    default; a sheet says its row)."""
    describe = describe or (lambda index: items[index][0].person.full_name)
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    seen_numbers: dict[tuple[str, str], int] = {}
    seen_enrollments: dict[int, int] = {}
    usable: list[tuple[int, Enrollment, str]] = []
    for index, (enrollment, number, start) in enumerate(items):

        def issue(key: str, message: str, index=index, enrollment=enrollment) -> RowIssue:
            return RowIssue(index, enrollment.pk, key, message)

        if enrollment.pk in seen_enrollments:
            errors.append(issue("enrollment", _("The same request appears twice in this list.")))
            continue
        seen_enrollments[enrollment.pk] = index
        if enrollment.status != Status.REQUESTED:
            errors.append(
                issue(
                    "enrollment",
                    _("This request is no longer waiting for review: the enrollment is %(status)s.")
                    % {"status": enrollment.get_status_display()},
                )
            )
        if start is None:
            errors.append(issue("start_date", _("Give the start date.")))
        message = participant_number_error(enrollment.program, number)
        if message:
            errors.append(issue("participant_number", message))
            continue
        if warning := participant_number_warning(enrollment.program, number):
            warnings.append(issue("participant_number", warning))
        key = (enrollment.program_id, number)
        if key in seen_numbers:
            errors.append(
                issue(
                    "participant_number",
                    _("The participant number %(number)s is given twice in this list: also for %(other)s.")
                    % {"number": number, "other": describe(seen_numbers[key])},
                )
            )
            continue
        seen_numbers[key] = index
        usable.append((index, enrollment, number))
    used = numbers_in_use((e.program_id, n) for _, e, n in usable)
    for index, enrollment, number in usable:
        if used.get((enrollment.program_id, number), set()) - {enrollment.person_id}:
            errors.append(
                RowIssue(
                    index,
                    enrollment.pk,
                    "participant_number",
                    _("The participant number %(number)s already belongs to another official in %(program)s.")
                    % {"number": number, "program": enrollment.program.short_name},
                )
            )
    return sorted(errors, key=lambda i: i.index), warnings


@transaction.atomic
def enrollments_approve(*, actor: User, items: list[Item]) -> ApprovalResult:
    """Activate every requested enrollment of `items` with its participant number and start date, or
    none of them: all items are checked first (ApprovalError lists each row's problem). The enrollments
    are read again under a lock, so two officers approving at once cannot both succeed."""
    ensure_may_review(actor, (e for e, _, _ in items))
    ids = [e.pk for e, _, _ in items]
    locked = {
        e.pk: e
        for e in enrollments_visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("person", "program")
    }
    if set(ids) - set(locked):
        raise PermissionDenied(_("Some of these requests are outside your area."))
    fresh = [(locked[e.pk], number, start) for e, number, start in items]
    errors, warnings = check_approvals(fresh)
    if errors:
        raise ApprovalError(errors)
    try:
        approved = enrollments_activate(actor=actor, items=fresh)
    except ValidationError as exc:  # the model's own checks: nothing of the batch is kept
        raise ApprovalError([RowIssue(0, None, "enrollment", " ".join(exc.messages))]) from exc
    return ApprovalResult(approved=approved, warnings=warnings)


@transaction.atomic
def enrollment_reject(*, actor: User, enrollment: Enrollment, reason: str) -> Enrollment:
    """Reject a request with a reason. The reason is kept on the enrollment, shown on the desa's BPJS page
    and sent to the village head and operators."""
    ensure_may_review(actor, [enrollment])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the request is rejected: the village will read it.")})
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("person", "program").get(pk=enrollment.pk)
    )
    if enrollment.status != Status.REQUESTED:
        raise ValidationError(
            _("This request is no longer waiting for review: the enrollment is %(status)s.")
            % {"status": enrollment.get_status_display()}
        )
    enrollment.rejection_reason = reason
    enrollment = enrollment_change_status(
        actor=actor, enrollment=enrollment, status=Status.REJECTED, on=timezone.localdate()
    )
    _announce_rejection(enrollment)
    return enrollment


def _announce_rejection(enrollment: Enrollment) -> None:
    villages = Village.objects.filter(posts__in=Post.objects.current().filter(person=enrollment.person_id)).distinct()
    for village in villages:
        with in_app_language():
            message = _("BPJS rejected the %(program)s request for %(name)s: %(reason)s") % {
                "program": enrollment.program.short_name,
                "name": enrollment.person.full_name,
                "reason": enrollment.rejection_reason,
            }
        notify(users=village_users(village), message=message, link=reverse("village-bpjs-status", args=[village.pk]))


# --- reading uploaded sheets -------------------------------------------------------------------------


def read_rows(fileobj: IO[bytes], *, name: str) -> list[tuple[int, tuple]]:
    """Every row of an uploaded .xlsx (its first sheet) or CSV, numbered as Excel shows them, after the
    whole-file checks of the officials import (size, password, old .xls, damage, hidden sheets, merged
    cells, encoding): a file that cannot be read raises ImportFileError and nothing is kept.

    The file as a whole is checked by villages/roster_import/reader.py's `read_rows`."""
    values, _kind = roster_reader.read_rows(fileobj, name=name)
    if not any(any(not is_blank(v) for v in row) for _, row in values):
        raise ImportFileError(_("The sheet is empty."))
    limit = settings.ROSTER_IMPORT_MAX_ROWS
    if len(values) > limit + 50:  # a little room for title and blank rows
        raise ImportFileError(
            _("The file has more than %(limit)s rows; split it into several files.")
            % {"limit": number_format(limit, force_grouping=True)}
        )
    return values


def cell_text(value: object) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip()


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


def _cell(sheet, value: object, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if column.text:
        cell.number_format = "@"  # Excel keeps the leading zeros and all 16 digits
    elif column.date:
        cell.number_format = "DD-MM-YYYY"
    return cell


def review_sheet_xlsx(
    user: User, enrollments: QuerySet[Enrollment], *, program: Program, filename: str
) -> HttpResponse:
    """The queue as the collective-registration sheet BPJS fills in: NIK and numbers as text, dates as
    dates, the wage as a number; empty text-formatted "Nomor Peserta" and date "Tanggal Mulai" cells, and
    the enrollment ID that matches each row back. Streamed (write-only), a fixed number of queries per
    2,000 rows."""
    columns = sheet_columns(program)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET_TITLE)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for enrollment in enrollments.filter(program=program).iterator(chunk_size=2000):
        values = _sheet_values(user, enrollment)
        sheet.append([_cell(sheet, values[c.key], c) for c in columns])
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response


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


def _positions(header: tuple) -> dict[str, int]:
    wanted = {header_key(c.header): c for c in _IMPORT_COLUMNS}
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        column = wanted.get(header_key(text)) if not is_blank(text) else None
        if column is not None and column.key not in positions:
            positions[column.key] = index
    missing = [c.header for c in _IMPORT_COLUMNS if c.key not in positions]
    if missing:
        raise ImportFileError(
            _(
                "These columns are missing or were renamed: %(missing)s. Upload the sheet downloaded from the "
                "review queue, with its header row unchanged."
            )
            % {"missing": ", ".join(missing)}
        )
    return positions


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
    values = read_rows(upload, name=name)
    start = next(i for i, (_, row) in enumerate(values) if any(not is_blank(v) for v in row))
    positions = _positions(values[start][1])
    today = timezone.localdate()
    preview = SheetPreview()
    parsed: list[_SheetRow] = []
    raw_numbers: dict[int, object] = {}
    for number, row in values[start + 1 :]:
        if all(is_blank(v) for v in row):
            continue
        raw = {key: (row[i] if i < len(row) else None) for key, i in positions.items()}
        sheet_row = _parse_sheet_row(preview, number, raw, today)
        if sheet_row is None:
            preview.skipped += 1
            continue
        raw_numbers[number] = raw["participant_number"]
        parsed.append(sheet_row)
    ids = {r.enrollment_id for r in parsed if r.enrollment_id}
    enrollments = {e.pk: e for e in enrollments_visible_to(actor).filter(pk__in=ids).select_related("person")}
    candidates: list[tuple[_SheetRow, Enrollment]] = []
    for row in parsed:
        enrollment = enrollments.get(row.enrollment_id) if row.enrollment_id else None
        if row.enrollment_id and enrollment is None:
            preview.error(
                row.number, COL_ID, _("No request in your queue has this ID. Keep the ID column as it was downloaded.")
            )
            row.ok = False
        if enrollment is None:
            continue
        try:
            row.participant_number = _participant_number_cell(raw_numbers[row.number], enrollment.program)
        except CellError as exc:
            preview.error(row.number, COL_NUMBER, exc.message)
            row.ok = False
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
        if not row.ok:
            continue
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
            candidates.append((row, enrollment))
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
    return preview


def _preview_line(row: _SheetRow, enrollment: Enrollment) -> dict:
    return {
        "row": row.number,
        "enrollment": enrollment.pk,
        "name": enrollment.person.full_name,
        "program": enrollment.program.short_name,
        "participant_number": row.participant_number,
        "start_date": row.start_date.isoformat() if row.start_date else None,
    }


def _cache_key(token: str) -> str:
    return f"review-import:{token}"


def review_import_stash(*, actor: User, preview: SheetPreview, name: str) -> str:
    """Keep a preview server-side (in the cache, for an hour) under a random token; only its uploader
    may open or confirm it. No NIK is kept: rows carry enrollment ids, names and numbers."""
    token = secrets.token_urlsafe(16)
    cache.set(_cache_key(token), {"user": actor.pk, "name": name, **preview.as_dict()}, PREVIEW_TIMEOUT)
    return token


def review_import_exists(token: str) -> bool:
    return bool(token) and cache.get(_cache_key(token)) is not None


def review_import_load(*, actor: User, token: str) -> dict | None:
    stash = cache.get(_cache_key(token)) if token else None
    if not stash or stash.get("user") != actor.pk:
        return None
    return stash


def review_import_confirm(*, actor: User, token: str) -> ApprovalResult:
    """Apply a previewed sheet: all its rows or none (the rows are checked again against the data as it
    is now). The preview is dropped once applied, so a second click or a re-sent form applies nothing."""
    ensure_may_review(actor)
    stash = review_import_load(actor=actor, token=token)
    if stash is None:
        raise ValidationError(_("This preview has expired or was already confirmed. Upload the file again."))
    if stash["errors"]:
        raise ValidationError(_("This file has errors: correct them and upload it again. Nothing was approved."))
    ids = [pk for pk, _, _ in stash["items"]]
    enrollments = enrollments_visible_to(actor).select_related("person", "program").in_bulk(ids)
    if len(enrollments) != len(set(ids)):
        raise ValidationError(_("Some requests of this file are no longer in your queue. Upload the file again."))
    items = [(enrollments[pk], number, dt.date.fromisoformat(start)) for pk, number, start in stash["items"]]
    result = enrollments_approve(actor=actor, items=items) if items else ApprovalResult([], [])
    cache.delete(_cache_key(token))
    return result
