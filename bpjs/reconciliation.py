"""Reconciliation with the participant or billing lists BPJS exports (issue "BPJS review, reconciliation",
part 3).

A list for one regency and program is uploaded, its columns mapped (NIK, participant number, name,
status, wage; the mapping is remembered per program and regency, i.e. per BPJS branch), and every row is
compared with the open enrollments (requested, active, inactive) of the officials holding a post in the
regency's desa:

- matched: the same person (by NIK, through the keyed hash; else by participant number), nothing differs;
- mismatched: matched, but the status, the wage or the participant number (or, when matched by number,
  the NIK) differs: the field and both values are kept;
- only_bpjs: in the BPJS list, not among the enrollments here;
- only_here: an enrollment here that the BPJS list does not have.

No full NIK is ever stored in a result: masked NIKs and person and enrollment ids only. A mismatch matched
by NIK can be applied here with one click: a requested enrollment becomes active with the BPJS number, a
different participant number is replaced, an inactive status in BPJS makes the enrollment inactive; each
through the services, recorded in the enrollment's history with the acting user.

Who: DPMD staff for either program in their regency (Permendagri 119/2019 has DPMD reconcile); BPJS
officers for their program in the regencies of their branch; superusers everywhere.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.notifications import in_app_language
from bpjs.models import Reconciliation, ReconciliationMapping
from bpjs.services import normalize_participant_number
from core import nik as nik_lib
from core.models import Program, Regency, Village
from core.permissions import ensure_may_reconcile, may_reconcile
from core.roles import Role
from core.spreadsheets.cells import CellError, cell_text, header_key, is_blank, is_formula, parse_nik, parse_rupiah
from core.spreadsheets.columns import Column, village_columns
from core.spreadsheets.reader import ImportFileError
from core.spreadsheets.reader import read_filled_rows as read_rows
from core.spreadsheets.writer import title_text, xlsx_response
from core.templatetags.format_id import rupiah
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to, participant_number_taken_message, participant_numbers_taken
from enrollment.services import enrollment_change_status
from villages.models import Person, Post

Status = Enrollment.Status

FIELDS = ("nik", "participant_number", "name", "status", "wage")
FIELD_LABELS = {
    "nik": gettext_lazy("NIK"),
    "participant_number": gettext_lazy("Participant number"),
    "name": gettext_lazy("Name"),
    "status": gettext_lazy("Status"),
    "wage": gettext_lazy("Wage"),
}
KINDS = ("mismatched", "only_bpjs", "only_here", "matched")
KIND_LABELS = {
    "matched": gettext_lazy("matched"),
    "mismatched": gettext_lazy("mismatched"),
    "only_bpjs": gettext_lazy("in BPJS but not here"),
    "only_here": gettext_lazy("here but not in BPJS"),
}
ACTION_LABELS = {
    "activate": gettext_lazy("activate with the BPJS participant number"),
    "set_number": gettext_lazy("take the BPJS participant number"),
    "inactivate": gettext_lazy("make inactive"),
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


# --- who may reconcile what --------------------------------------------------------------------------


def reconciliation_regencies(user: User) -> QuerySet[Regency]:
    qs = Regency.objects.all()
    if not may_reconcile(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.DPMD:
        return qs.filter(pk=user.regency_id)
    return qs.filter(pk__in=user.branch_regencies.values("pk"))


def reconciliation_programs(user: User) -> QuerySet[Program]:
    qs = Program.objects.all()
    if not may_reconcile(user):
        return qs.none()
    if user.is_superuser or user.role == Role.DPMD:
        return qs
    return qs.filter(pk=user.program_id)


def reconciliations_visible_to(user: User) -> QuerySet[Reconciliation]:
    return Reconciliation.objects.filter(
        regency__in=reconciliation_regencies(user), program__in=reconciliation_programs(user)
    ).select_related("program", "regency", "created_by")


# --- the file's columns ------------------------------------------------------------------------------


def _key(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header_key(text)).strip()


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


# --- reading the BPJS rows ---------------------------------------------------------------------------


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


def _read_bpjs_rows(
    values, start: int, positions: dict[str, int], mapping: dict[str, str], program: Program, errors: list[dict]
) -> list[BpjsRow]:
    def error(row: int, f: str, message: str) -> None:
        errors.append({"row": row, "column": mapping.get(f, ""), "message": message})

    rows = []
    for number, raw in values[start + 1 :]:
        if all(is_blank(v) for v in raw):
            continue
        cell = {f: (raw[i] if i < len(raw) else None) for f, i in positions.items()}
        row = BpjsRow(number=number)
        for f, value in cell.items():
            if is_formula(value):
                error(number, f, _("This cell holds a formula, not a value. Paste the values only."))
                cell[f] = None
        if not is_blank(cell.get("nik")):
            try:
                nik = parse_nik(cell["nik"])
            except CellError as exc:
                error(number, "nik", exc.message)
            else:
                if len(nik) == 16 and nik.isdigit():
                    row.nik, row.nik_hash = nik, nik_lib.hash_nik(nik)
                else:
                    error(number, "nik", _("NIK must be exactly 16 digits."))
        value = cell.get("participant_number")
        if not is_blank(value):
            row.participant_number = normalize_participant_number(value)
            # A number cell of BPJS's own export drops a JKN card's leading zeros; its length is fixed.
            if isinstance(value, int | float) and program.participant_number_length_strict:
                row.participant_number = row.participant_number.zfill(program.participant_number_length)
        row.name = cell_text(cell.get("name"))
        if "status" not in positions:
            row.status = Status.ACTIVE  # a participant or billing list without a status lists active ones
        elif not is_blank(cell.get("status")):
            try:
                row.status = parse_status(cell["status"])
            except CellError as exc:
                error(number, "status", exc.message)
        if not is_blank(cell.get("wage")):
            try:
                row.wage = parse_rupiah(cell["wage"])
            except CellError as exc:
                error(number, "wage", exc.message)
        if not row.nik_hash and not row.participant_number:
            error(
                number,
                "nik" if "nik" in positions else "participant_number",
                _("No NIK or participant number: the row cannot be matched."),
            )
            continue
        rows.append(row)
    return rows


def _drop_duplicates(rows: list[BpjsRow], errors: list[dict], headers: dict[str, str]) -> list[BpjsRow]:
    """A person or number listed twice is compared once (the first row); the others are reported."""
    first_by_nik: dict[str, int] = {}
    first_by_number: dict[str, int] = {}
    kept = []
    for row in rows:
        if row.nik_hash and row.nik_hash in first_by_nik:
            errors.append(
                {
                    "row": row.number,
                    "column": headers.get("nik", ""),
                    "message": _("This NIK is also in row %(row)s; only that row is compared.")
                    % {"row": first_by_nik[row.nik_hash]},
                }
            )
            continue
        if row.participant_number and row.participant_number in first_by_number:
            errors.append(
                {
                    "row": row.number,
                    "column": headers.get("participant_number", ""),
                    "message": _("This participant number is also in row %(row)s; only that row is compared.")
                    % {"row": first_by_number[row.participant_number]},
                }
            )
            continue
        if row.nik_hash:
            first_by_nik[row.nik_hash] = row.number
        if row.participant_number:
            first_by_number[row.participant_number] = row.number
        kept.append(row)
    return kept


# --- comparing ---------------------------------------------------------------------------------------


def _regency_posts(regency: Regency) -> QuerySet[Post]:
    return (
        Post.objects.current()
        .filter(village__subdistrict__regency=regency, village__kind__in=Village.GOVERNED_KINDS)
        .select_related("village__subdistrict")
        .main_first()
    )


def _enrollments_here(regency: Regency, program: Program) -> list[Enrollment]:
    """Open enrollments of the program of officials holding a post in the regency. Two queries."""
    posts = _regency_posts(regency)
    return list(
        Enrollment.objects.filter(program=program, status__in=Enrollment.OPEN_STATUSES)
        .filter(Exists(posts.filter(person=OuterRef("person"))))
        .select_related("person")
        .prefetch_related(Prefetch("person__posts", queryset=posts, to_attr="queue_posts"))
    )


def _officials_known(regency: Regency, hashes: Iterable[str]) -> dict[str, Person]:
    """Officials of the regency with these NIK hashes (who have no open enrollment in the program)."""
    hashes = list(set(hashes))
    if not hashes:
        return {}
    posts = _regency_posts(regency)
    people = Person.objects.filter(nik_hash__in=hashes).filter(Exists(posts.filter(person=OuterRef("pk"))))
    return {p.nik_hash: p for p in people.prefetch_related(Prefetch("posts", queryset=posts, to_attr="queue_posts"))}


def _line(kind: str, *, row: BpjsRow | None = None, enrollment: Enrollment | None = None, person=None) -> dict:
    person = enrollment.person if enrollment is not None else person
    post = person.queue_posts[0] if person is not None else None
    return {
        "key": f"r{row.number}" if row is not None else f"e{enrollment.pk}",
        "kind": kind,
        "row": row.number if row is not None else None,
        "by": None,
        "enrollment": enrollment.pk if enrollment is not None else None,
        "person": person.pk if person is not None else None,
        "village": post.village_id if post is not None else "",
        "nik": person.nik_masked if person is not None else (row.nik_masked if row else ""),
        "name_here": person.full_name if person is not None else "",
        "name_bpjs": row.name if row is not None else "",
        "number_here": enrollment.participant_number if enrollment is not None else "",
        "number_bpjs": row.participant_number if row is not None else "",
        "status_here": enrollment.status if enrollment is not None else "",
        "status_bpjs": (row.status or "") if row is not None else "",
        "wage_here": int(post.wage_basis) if post is not None else None,
        "wage_bpjs": row.wage if row is not None else None,
        "differences": [],
        "actions": [],
        "applied": None,
    }


def _differences(line: dict, row: BpjsRow, enrollment: Enrollment) -> list[dict]:
    found = []
    if row.status and enrollment.status != row.status:
        found.append({"field": "status", "here": enrollment.status, "bpjs": row.status})
    if (
        row.participant_number
        and enrollment.participant_number
        and row.participant_number != enrollment.participant_number
    ):
        found.append(
            {"field": "participant_number", "here": enrollment.participant_number, "bpjs": row.participant_number}
        )
    if row.wage is not None and line["wage_here"] is not None and row.wage != line["wage_here"]:
        found.append({"field": "wage", "here": line["wage_here"], "bpjs": row.wage})
    if line["by"] == "participant_number" and row.nik_hash and row.nik_hash != enrollment.person.nik_hash:
        found.append({"field": "nik", "here": enrollment.person.nik_masked, "bpjs": row.nik_masked})
    return found


def _actions(line: dict, row: BpjsRow, enrollment: Enrollment, program: Program) -> list[str]:
    """What one click may change here: only for a person matched by NIK, only with a usable number."""
    if line["by"] != "nik":
        return []
    number_ok = not program.participant_number_error(row.participant_number)
    if enrollment.status == Status.REQUESTED:
        return ["activate"] if row.status == Status.ACTIVE and number_ok else []
    actions = []
    differs = any(d["field"] == "participant_number" for d in line["differences"])
    if differs and number_ok:
        actions.append("set_number")
    if enrollment.status == Status.ACTIVE and row.status == Status.INACTIVE:
        actions.append("inactivate")
    return actions


def compare(
    *, values: list[tuple[int, tuple]], header_at: int, mapping: dict[str, str], regency: Regency, program: Program
) -> dict:
    """The whole comparison, as the JSON kept in Reconciliation.result. A fixed number of queries whatever
    the length of the list: the enrollments here with their posts, and the officials known by NIK."""
    headers = [cell_text(v) for v in values[header_at][1]]
    index = {_key(h): i for i, h in reversed(list(enumerate(headers))) if h}
    positions = {f: index[_key(h)] for f, h in mapping.items()}
    errors: list[dict] = []
    rows = _drop_duplicates(_read_bpjs_rows(values, header_at, positions, mapping, program, errors), errors, mapping)
    here = _enrollments_here(regency, program)
    by_hash = {e.person.nik_hash: e for e in here}
    by_number = {e.participant_number: e for e in here if e.participant_number}
    matched_ids: set[int] = set()
    lines: list[dict] = []
    unmatched: list[BpjsRow] = []
    for row in rows:
        enrollment, by = by_hash.get(row.nik_hash), "nik"
        if enrollment is None and row.participant_number:
            enrollment, by = by_number.get(row.participant_number), "participant_number"
        if enrollment is None or enrollment.pk in matched_ids:
            unmatched.append(row)
            continue
        matched_ids.add(enrollment.pk)
        line = _line("matched", row=row, enrollment=enrollment)
        line["by"] = by
        line["differences"] = _differences(line, row, enrollment)
        if line["differences"]:
            line["kind"] = "mismatched"
            line["actions"] = _actions(line, row, enrollment, program)
        lines.append(line)
    known = _officials_known(regency, (r.nik_hash for r in unmatched if r.nik_hash))
    lines += [_line("only_bpjs", row=row, person=known.get(row.nik_hash)) for row in unmatched]
    lines += [_line("only_here", enrollment=e) for e in here if e.pk not in matched_ids]
    return {
        "stage": "done",
        "mapping": mapping,
        "header_row": values[header_at][0],
        "rows": len(rows),
        "summary": {kind: sum(1 for line in lines if line["kind"] == kind) for kind in KINDS} | {"errors": len(errors)},
        "villages": _by_village(lines, here, known.values()),
        "errors": sorted(errors, key=lambda e: e["row"]),
    }


def _by_village(lines: list[dict], here: list[Enrollment], known: Iterable[Person]) -> list[dict]:
    """Lines grouped per desa (kecamatan › desa, by code); lines whose desa is unknown here come last."""
    villages = {}
    for person in [e.person for e in here] + list(known):
        village = person.queue_posts[0].village
        villages[village.pk] = {"code": village.pk, "name": village.name, "subdistrict": village.subdistrict.name}
    grouped: dict[str, list[dict]] = defaultdict(list)
    order = {kind: i for i, kind in enumerate(KINDS)}
    for line in lines:
        grouped[line["village"]].append(line)
    result = []
    for code in sorted(grouped, key=lambda c: (c == "", c)):
        village_lines = sorted(grouped[code], key=lambda x: (order[x["kind"]], x["name_here"] or x["name_bpjs"]))
        info = villages.get(code, {"code": "", "name": "", "subdistrict": ""})
        counts = {kind: sum(1 for x in village_lines if x["kind"] == kind) for kind in KINDS}
        result.append({**info, "counts": counts, "lines": village_lines})
    return result


# --- writes ------------------------------------------------------------------------------------------


def _new(*, actor: User, regency: Regency, program: Program, name: str, result: dict) -> Reconciliation:
    return Reconciliation(
        token=secrets.token_hex(16),
        program=program,
        regency=regency,
        original_name=name,
        created_by=actor,
        result={"language": translation.get_language(), **result},
    )


def _remember(*, actor: User, regency: Regency, program: Program, mapping: dict[str, str]) -> None:
    ReconciliationMapping.objects.update_or_create(
        program=program, regency=regency, defaults={"mapping": mapping, "updated_by": actor}
    )


def _upload_name(upload) -> str:
    return os.path.basename(getattr(upload, "name", "") or "")[:255] or "bpjs"


@transaction.atomic
def reconciliation_upload(*, actor: User, regency: Regency, program: Program, upload) -> Reconciliation:
    """Keep a BPJS list (privately) until its columns are mapped; a file that cannot be read raises
    ImportFileError and keeps nothing."""
    ensure_may_reconcile(actor, regency, program)
    name = _upload_name(upload)
    values = read_rows(upload, name=name)
    header_at, headers = find_header(values)
    reconciliation = _new(
        actor=actor,
        regency=regency,
        program=program,
        name=name,
        result={"stage": "mapping", "header_at": header_at, "headers": [h for h in headers if h]},
    )
    upload.seek(0)
    extension = ".csv" if name.lower().endswith((".csv", ".txt")) else ".xlsx"
    reconciliation.file.save(f"daftar{extension}", File(upload), save=False)
    try:
        reconciliation.save()
    except Exception:
        reconciliation.file.delete(save=False)
        raise
    return reconciliation


def _delete_file_on_commit(reconciliation: Reconciliation) -> None:
    """The file holds NIKs: it goes once the comparison is stored."""
    name, storage = reconciliation.file.name, reconciliation.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def reconciliation_run(*, actor: User, reconciliation: Reconciliation, mapping: dict[str, str]) -> Reconciliation:
    """Compare an uploaded list with the given column mapping; the mapping is remembered for the branch."""
    ensure_may_reconcile(actor, reconciliation.regency, reconciliation.program)
    reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    if reconciliation.result.get("stage") != "mapping":
        raise ValidationError(_("This list has already been compared."))
    mapping = clean_mapping(mapping, reconciliation.result["headers"])
    try:
        with reconciliation.file.open("rb") as fileobj:
            values = read_rows(fileobj, name=reconciliation.original_name)
    except (FileNotFoundError, ValueError) as exc:
        raise ValidationError(_("The uploaded file is no longer there. Upload it again.")) from exc
    result = compare(
        values=values,
        header_at=reconciliation.result["header_at"],
        mapping=mapping,
        regency=reconciliation.regency,
        program=reconciliation.program,
    )
    _remember(actor=actor, regency=reconciliation.regency, program=reconciliation.program, mapping=mapping)
    _delete_file_on_commit(reconciliation)
    reconciliation.result = {"language": reconciliation.result.get("language"), **result}
    reconciliation.file = ""
    reconciliation.save(update_fields=["result", "file"])
    return reconciliation


@transaction.atomic
def reconciliation_create(
    *, actor: User, regency: Regency, program: Program, upload: IO[bytes], mapping: dict[str, str] | None = None
) -> Reconciliation:
    """Upload and compare in one step (the API): with the given mapping, else the branch's saved one or
    the usual header names. The file itself is not kept."""
    ensure_may_reconcile(actor, regency, program)
    name = _upload_name(upload)
    values = read_rows(upload, name=name)
    header_at, headers = find_header(values)
    if not mapping:
        mapping = suggested_mapping(headers, saved_mapping(regency=regency, program=program))
    mapping = clean_mapping(mapping, headers)
    result = compare(values=values, header_at=header_at, mapping=mapping, regency=regency, program=program)
    _remember(actor=actor, regency=regency, program=program, mapping=mapping)
    reconciliation = _new(actor=actor, regency=regency, program=program, name=name, result=result)
    reconciliation.save()
    return reconciliation


@transaction.atomic
def enrollment_set_participant_number(
    *, actor: User, enrollment: Enrollment, participant_number: str, reason: str = ""
) -> Enrollment:
    """Replace the participant number of an enrollment (BPJS reissued it); the old one stays in history."""
    if participant_numbers_taken([(enrollment, participant_number)]):
        raise ValidationError(
            {"participant_number": participant_number_taken_message(enrollment.program, participant_number)}
        )
    enrollment.participant_number = participant_number
    enrollment._history_user = actor
    enrollment._change_reason = reason
    enrollment.full_clean()
    enrollment.save()
    return enrollment


def _lines_by_key(result: dict) -> dict[str, dict]:
    return {line["key"]: line for village in result.get("villages", []) for line in village["lines"]}


@transaction.atomic
def reconciliation_apply(
    *, actor: User, reconciliation: Reconciliation, keys: list[str], on: dt.date | None = None
) -> list[Enrollment]:
    """Turn confirmed matches into enrollment updates, all of them or none. Each line is applied once,
    and only if its enrollment is still as it was compared (else: compare again)."""
    ensure_may_reconcile(actor, reconciliation.regency, reconciliation.program)
    reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    on = on or timezone.localdate()
    lines = _lines_by_key(reconciliation.result)
    chosen = []
    for key in dict.fromkeys(keys):
        line = lines.get(key)
        if line is None or not line["actions"]:
            raise ValidationError(_("There is nothing to apply for this row."))
        if line["applied"]:
            raise ValidationError(_("This row has already been applied."))
        chosen.append(line)
    if not chosen:
        raise ValidationError(_("Choose a row to apply."))
    enrollments = (
        enrollments_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("person", "program")
        .in_bulk([line["enrollment"] for line in chosen])
    )
    with in_app_language():  # the history is read by others, in the app's language
        reason = _("Reconciliation with the BPJS list %(name)s") % {"name": reconciliation.original_name}
    done = []
    for line in chosen:
        enrollment = enrollments.get(line["enrollment"])
        if enrollment is None or (enrollment.status, enrollment.participant_number) != (
            line["status_here"],
            line["number_here"],
        ):
            raise ValidationError(
                _("The enrollment of %(name)s changed since this comparison. Upload the BPJS list again.")
                % {"name": line["name_here"]}
            )
        enrollment = _apply_line(actor=actor, enrollment=enrollment, line=line, on=on, reason=reason)
        line["applied"] = {"by": actor.get_username(), "at": timezone.now().isoformat(), "enrollment": enrollment.pk}
        done.append(enrollment)
    reconciliation.save(update_fields=["result"])
    return done


def _apply_line(*, actor: User, enrollment: Enrollment, line: dict, on: dt.date, reason: str) -> Enrollment:
    number = line["number_bpjs"]
    enrollment._change_reason = reason
    for action in line["actions"]:
        if action == "activate":
            enrollment = enrollment_change_status(
                actor=actor, enrollment=enrollment, status=Status.ACTIVE, on=on, participant_number=number
            )
        elif action == "set_number":
            enrollment = enrollment_set_participant_number(
                actor=actor, enrollment=enrollment, participant_number=number, reason=reason
            )
        elif action == "inactivate":
            enrollment._change_reason = reason
            enrollment = enrollment_change_status(actor=actor, enrollment=enrollment, status=Status.INACTIVE, on=on)
    return enrollment


# --- export ------------------------------------------------------------------------------------------


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else ""


def describe_difference(difference: dict) -> str:
    here, bpjs = difference["here"], difference["bpjs"]
    if difference["field"] == "status":
        here, bpjs = _status_label(here), _status_label(bpjs)
    elif difference["field"] == "wage":
        here, bpjs = rupiah(here), rupiah(bpjs)
    return _("%(field)s: here %(here)s, in BPJS %(bpjs)s") % {
        "field": FIELD_LABELS[difference["field"]],
        "here": here,
        "bpjs": bpjs,
    }


def line_for_display(line: dict) -> dict:
    """A result line with its labels in the user's language (the stored line keeps codes)."""
    return {
        **line,
        "kind_label": KIND_LABELS[line["kind"]],
        "status_here_label": _status_label(line["status_here"]),
        "status_bpjs_label": _status_label(line["status_bpjs"]),
        "difference_texts": [describe_difference(d) for d in line["differences"]],
        "action_texts": [ACTION_LABELS[a] for a in line["actions"]],
    }


def pending_lines(reconciliation: Reconciliation) -> list[dict]:
    """Lines with a change to apply that has not been applied yet."""
    return [line for line in _lines_by_key(reconciliation.result).values() if line["actions"] and not line["applied"]]


def reconciliation_xlsx(reconciliation: Reconciliation) -> HttpResponse:
    """Every line of a comparison, one row each, with its desa; NIKs masked as they are stored."""
    columns = [
        *village_columns(),
        Column("kind", _("Result"), 20),
        Column("row", _("Row in the BPJS file"), 10),
        Column("nik", _("NIK"), 20, text=True),
        Column("name_here", _("Name here"), 26),
        Column("name_bpjs", _("Name in BPJS"), 26),
        Column("number_here", _("Participant number here"), 20, text=True),
        Column("number_bpjs", _("Participant number in BPJS"), 20, text=True),
        Column("status_here", _("Status here"), 14),
        Column("status_bpjs", _("Status in BPJS"), 14),
        Column("wage_here", _("Wage here"), 16, money=True),
        Column("wage_bpjs", _("Wage in BPJS"), 16, money=True),
        Column("differences", _("Differences"), 48),
        Column("applied", _("Applied"), 14),
    ]
    rows = (
        [
            village["code"],
            village["name"],
            village["subdistrict"],
            str(KIND_LABELS[line["kind"]]),
            line["row"],
            line["nik"],
            line["name_here"],
            line["name_bpjs"],
            line["number_here"],
            line["number_bpjs"],
            _status_label(line["status_here"]),
            _status_label(line["status_bpjs"]),
            line["wage_here"],
            line["wage_bpjs"],
            "; ".join(describe_difference(d) for d in line["differences"]),
            line["applied"]["by"] if line["applied"] else "",
        ]
        for village in reconciliation.result.get("villages", [])
        for line in village["lines"]
    )
    day = timezone.localtime(reconciliation.created_at).date()
    filename = f"rekonsiliasi-{reconciliation.program_id}-{reconciliation.regency_id}-{day.isoformat()}.xlsx"
    title = title_text(_("Reconciliation"), regency=reconciliation.regency, program=reconciliation.program, day=day)
    return xlsx_response(filename=filename, sheet_title=_("Reconciliation"), title=title, columns=columns, rows=rows)


def reconciliation_uploads_expire(*, before: dt.datetime) -> int:
    """Delete the files of lists uploaded before `before` whose columns were never chosen: they hold
    NIKs and no comparison will be made of them. Run daily."""
    expired = 0
    for reconciliation in Reconciliation.objects.filter(created_at__lt=before).exclude(file=""):
        with transaction.atomic():
            _delete_file_on_commit(reconciliation)
            reconciliation.result = {**reconciliation.result, "stage": "expired"}
            reconciliation.file = ""
            reconciliation.save(update_fields=["result", "file"])
            expired += 1
    return expired
