"""From the rows of an officials file to a plan: what would be created, changed and ended, and every error.

The same plan serves the preview (shown, stored as JSON) and the confirmation (written). It costs a fixed
number of queries whatever the number of rows: the villages of the file, their locks, the persons of its
NIKs with their posts, and the active posts of its villages, each in one query.

Upsert rules (issue "Village heads submit their officials"):
- a NIK with an active post in the row's desa updates that post (same or another position) and the person;
- a NIK with no active post anywhere gets a new post, reusing the person if the NIK is known;
- a NIK with an active post in another desa is an error and a NikConflict for DPMD, never a silent move;
- an official of the desa who is not in the file is left alone (the preview says how many);
- a row with Tanggal Berhenti and Alasan Berhenti ends the post.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from core import nik as nik_lib
from core.models import Regency, Village
from core.selectors import villages_editable_by
from core.spreadsheets import cells
from core.spreadsheets.cells import CellError
from core.spreadsheets.columns import Issue
from core.spreadsheets.reader import Table
from villages.locks import locked_village_ids
from villages.models import Person, Position, Post
from villages.roster_import import columns as roster_columns
from villages.roster_import.columns import BY_KEY, PERSON_FIELDS, POST_FIELDS

BATCH = 1000
LOOKUP_CHUNK = 5000  # NIK hashes per query: within SQLite's limit on parameters


@dataclass
class Row:
    number: int
    values: dict[str, object] = field(default_factory=dict)
    nik: str | None = None
    nik_hash: str | None = None
    village: Village | None = None
    has_errors: bool = False

    def get(self, key: str):
        return self.values.get(key)


@dataclass
class Change:
    key: str
    old: object
    new: object


@dataclass
class Entry:
    """One row's outcome: new, changed, unchanged or ended."""

    kind: str
    row: Row
    person: Person
    post: Post | None
    changes: list[Change] = field(default_factory=list)
    person_changed: bool = False
    post_changed: bool = False


@dataclass
class Plan:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    absent: int = 0
    rows: int = 0
    parsed: list[Row] = field(default_factory=list)
    # (person, submitting village, village of the active post, row): NikConflicts to record.
    conflicts: list[tuple[Person, Village, Village, int]] = field(default_factory=list)

    def error(self, row: Row | int, key: str, message: str) -> None:
        number = row.number if isinstance(row, Row) else row
        self.errors.append(Issue(number, BY_KEY[key].header if key in BY_KEY else key, message))
        if isinstance(row, Row):
            row.has_errors = True

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def valid(self) -> bool:
        return not self.errors

    def digest(self) -> str:
        """What the plan would write, as a fingerprint: a confirmation applies only the plan that was shown."""
        canonical = [
            (
                e.kind,
                e.row.number,
                e.row.nik_hash,
                e.person.pk,
                e.post.pk if e.post and e.post.pk else None,
                [(c.key, _raw(c.old), _raw(c.new)) for c in e.changes],
            )
            for e in self.entries
        ]
        return hashlib.sha256(json.dumps(canonical, default=str).encode()).hexdigest()

    def preview(self) -> dict:
        """The JSON stored on RosterImport.result: never a full NIK, only the masked one."""
        counts = {kind: len(self.of_kind(kind)) for kind in ("new", "changed", "unchanged", "ended")}
        counts.update(errors=len(self.errors), warnings=len(self.warnings), absent=self.absent, rows=self.rows)
        preview = {
            "counts": counts,
            "errors": [i.as_dict() for i in sorted(self.errors, key=_issue_order)],
            "warnings": [i.as_dict() for i in sorted(self.warnings, key=_issue_order)],
            "digest": self.digest(),
        }
        for kind in ("new", "changed", "unchanged", "ended"):
            preview[kind] = [_entry_json(e) for e in self.of_kind(kind)]
        return preview


_COLUMN_ORDER = {c.header: i for i, c in enumerate(BY_KEY.values())}


def _issue_order(issue: Issue) -> tuple[int, int]:
    """As the file reads: by row, then left to right."""
    return issue.row, _COLUMN_ORDER.get(issue.column, len(_COLUMN_ORDER))


def _raw(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


# --- display -----------------------------------------------------------------------------------------


def display(key: str, value: object) -> str:
    """A value as the preview shows it: dates DD-MM-YYYY, rupiah with dots, list values by their label."""
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if key == "wage_basis":
        return f"Rp{number_format(value, force_grouping=True)}"
    choices = {
        "position": Position,
        "status": Post.Status,
        "end_reason": Post.EndReason,
    }.get(key)
    if choices is not None:
        return str(dict(choices.choices).get(value, value))
    return str(value)


def _entry_json(entry: Entry) -> dict:
    post = entry.post
    village = entry.row.village
    data = {
        "row": entry.row.number,
        "village": village.code if village else "",
        "village_name": village.name if village else "",
        "nik": nik_lib.mask_nik(entry.row.nik or ""),
        "name": entry.person.full_name,
        "position": display("position", post.position) if post else "",
        "changes": [
            {"column": BY_KEY[c.key].header, "old": display(c.key, c.old), "new": display(c.key, c.new)}
            for c in entry.changes
        ],
    }
    if entry.kind == "new":
        data["known_person"] = entry.person.pk is not None
    if entry.kind == "ended" and post:
        data["ended_on"] = display("ended_on", post.ended_on)
        data["end_reason"] = display("end_reason", post.end_reason)
    return data


# --- parsing the cells -------------------------------------------------------------------------------

_TEXT_LIMITS = {
    "full_name": Person._meta.get_field("full_name").max_length,
    "local_title": Post._meta.get_field("local_title").max_length,
    "sk_number": Post._meta.get_field("sk_number").max_length,
}
_PARSERS: dict[str, Callable[[object], object]] = {
    "nik": cells.parse_nik,
    "sex": roster_columns.parse_sex,
    "phone": cells.parse_phone,
    "position": roster_columns.POSITIONS.parse,
    "status": roster_columns.STATUSES.parse,
    "end_reason": roster_columns.END_REASONS.parse,
    "wage_basis": cells.parse_rupiah,
    "village_code": cells.parse_village_code,
    **{key: (lambda v, n=n: cells.clean_text(v, max_length=n)) for key, n in _TEXT_LIMITS.items()},
    **{c.key: cells.parse_date for c in BY_KEY.values() if c.date},
}


_BLANK = {"phone": "", "local_title": "", "status": "", "sk_number": "", "wage_basis": 0, "end_reason": ""}
_REQUIRED = {c.key for c in BY_KEY.values() if c.required}


def _parse_row(plan: Plan, number: int, raw: dict[str, object], today: dt.date) -> Row:
    row = Row(number)
    for key, value in raw.items():
        if value is None and key not in _REQUIRED:
            row.values[key] = _BLANK.get(key)  # an empty optional cell (most of them): nothing to parse
            continue
        column = BY_KEY[key]
        if cells.is_formula(value):
            plan.error(row, key, cells.formula_error(value).message)
            continue
        if column.required and cells.is_blank(value):
            plan.error(row, key, _("Fill in this column."))
            continue
        try:
            row.values[key] = _PARSERS[key](value)
        except CellError as exc:
            plan.error(row, key, exc.message)
    row.values["status"] = row.values.get("status") or Post.Status.DEFINITIF
    _check_nik(plan, row, today)
    _check_dates(plan, row, today)
    return row


def _check_nik(plan: Plan, row: Row, today: dt.date) -> None:
    if "nik" not in row.values:
        return
    check = nik_lib.check_nik(row.values.pop("nik"), sex=row.get("sex"), birth_date=row.get("birth_date"), today=today)
    for message in check.errors:
        plan.error(row, "nik", message)
    for message in check.warnings:
        plan.warnings.append(Issue(row.number, BY_KEY["nik"].header, message))
    if check.valid:
        row.nik = check.nik
        row.nik_hash = nik_lib.hash_nik(check.nik)


def _check_dates(plan: Plan, row: Row, today: dt.date) -> None:
    birth, start, end, ended = (row.get(k) for k in ("birth_date", "term_start", "term_end", "ended_on"))
    if birth and birth > today:
        plan.error(row, "birth_date", _("The birth date is in the future."))
    if start and end and end < start:
        plan.error(row, "term_end", _("The term cannot end before it starts."))
    if start and ended and ended < start:
        plan.error(row, "ended_on", _("A post cannot end before it starts."))
    if ended and ended > today:
        plan.error(row, "ended_on", _("The end date is in the future: end the post once it has ended."))
    # A blank cell is parsed to None or ""; a cell that failed to parse is absent and already reported.
    has_date, has_reason = bool(ended), bool(row.get("end_reason"))
    if has_date and not has_reason and "end_reason" in row.values:
        plan.error(row, "end_reason", _("To end a post, fill in both Tanggal Berhenti and Alasan Berhenti."))
    elif has_reason and not has_date and "ended_on" in row.values:
        plan.error(row, "ended_on", _("To end a post, fill in both Tanggal Berhenti and Alasan Berhenti."))


# --- villages ----------------------------------------------------------------------------------------


def _resolve_villages(plan: Plan, rows: list[Row], *, regency: Regency, village: Village | None, actor: User) -> None:
    if village is not None:
        for row in rows:
            row.village = village
        return
    codes = {row.get("village_code") for row in rows if row.get("village_code")}
    found = Village.objects.select_related("subdistrict").in_bulk(list(codes))
    editable = set(
        villages_editable_by(actor)
        .filter(pk__in=list(codes), subdistrict__regency=regency)
        .values_list("pk", flat=True)
    )
    for row in rows:
        code = row.get("village_code")
        if not code:
            continue
        desa = found.get(code)
        if desa is None:
            plan.error(row, "village_code", _("%(code)s is not a village in the Kemendagri data.") % {"code": code})
        elif desa.subdistrict.regency_id != regency.pk:
            plan.error(
                row,
                "village_code",
                _("%(code)s (%(village)s) is not in %(regency)s: this file can only hold the desa of %(regency)s.")
                % {"code": code, "village": desa.name, "regency": regency.name},
            )
        elif not desa.has_government:
            plan.error(
                row,
                "village_code",
                _("%(code)s (%(village)s) is a kelurahan: it has no village officials.")
                % {"code": code, "village": desa.name},
            )
        elif not desa.is_active:
            plan.error(
                row,
                "village_code",
                _("%(code)s (%(village)s) is no longer in the Kemendagri data.") % {"code": code, "village": desa.name},
            )
        elif code not in editable:
            plan.error(row, "village_code", _("You may not change the officials of %(code)s.") % {"code": code})
        else:
            row.village = desa


def _check_locks(plan: Plan, rows: list[Row]) -> None:
    locked = locked_village_ids({row.village.pk for row in rows if row.village})
    for row in rows:
        if row.village and row.village.pk in locked:
            plan.error(
                row,
                "village_code" if "village_code" in row.values else "nik",
                _("The officials of %(village)s are locked while DPMD checks their submission.")
                % {"village": row.village.name},
            )
            row.village = None


def _check_duplicates(plan: Plan, rows: list[Row]) -> None:
    by_nik: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.nik_hash:
            by_nik[row.nik_hash].append(row)
    for same in by_nik.values():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            for row in same:
                plan.error(
                    row,
                    "nik",
                    _("NIK %(nik)s appears more than once in the file: rows %(rows)s. Keep one row per official.")
                    % {"nik": nik_lib.mask_nik(row.nik), "rows": numbers},
                )
                row.nik_hash = None  # no lookup: neither row is imported


# --- the plan ----------------------------------------------------------------------------------------


def build_plan(
    table: Table,
    *,
    regency: Regency,
    village: Village | None,
    actor: User,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Parse every row of a file, then decide each row's outcome (see replan)."""
    today = timezone.localdate()
    plan = Plan(rows=len(table.rows))
    for index, (number, raw) in enumerate(table.rows, start=1):
        plan.parsed.append(_parse_row(plan, number, raw, today))
        if progress and index % 500 == 0:
            progress(int(70 * index / len(table.rows)))
    if progress:
        progress(70)
    return _decide_all(plan, regency=regency, village=village, actor=actor)


def replan(rows: list[Row], *, regency: Regency, village: Village | None, actor: User) -> Plan:
    """The plan of rows parsed before (a checked import's snapshot), against the data as it is now."""
    plan = Plan(rows=len(rows), parsed=rows)
    return _decide_all(plan, regency=regency, village=village, actor=actor)


def _decide_all(plan: Plan, *, regency: Regency, village: Village | None, actor: User) -> Plan:
    """Look everything up in bulk, then decide each row: a fixed number of queries."""
    rows = plan.parsed
    _resolve_villages(plan, rows, regency=regency, village=village, actor=actor)
    _check_locks(plan, rows)
    _check_duplicates(plan, rows)

    keyed = [row for row in rows if row.nik_hash and row.village]
    persons, posts_by_person = _lookup_persons({row.nik_hash for row in keyed}, {row.village.pk for row in keyed})
    file_villages = {row.village.pk for row in rows if row.village}
    active_in_villages = list(
        Post.objects.filter(village__in=list(file_villages), ended_on__isnull=True).values_list(
            "pk", "person_id", "village_id", "position", "status", "person__full_name"
        )
    )
    for row in keyed:
        entry = _decide(plan, row, persons.get(row.nik_hash), posts_by_person)
        if entry is not None:
            plan.entries.append(entry)

    _check_single_holders(plan, active_in_villages)
    _check_one_definitif_per_person(plan, posts_by_person)
    plan.entries = [e for e in plan.entries if not e.row.has_errors]
    in_file = {e.post.pk for e in plan.entries if e.post and e.post.pk}
    plan.absent = sum(1 for post in active_in_villages if post[0] not in in_file)
    return plan


# --- the snapshot of a checked file ------------------------------------------------------------------

_DATE_KEYS = {c.key for c in BY_KEY.values() if c.date}


def rows_snapshot(plan: Plan) -> str:
    """The parsed rows of a valid plan as JSON: what the confirmation re-plans from, so the file is not
    read and parsed a second time. Holds full NIKs: services encrypt it before storing it."""
    return json.dumps(
        [[row.number, row.nik, {k: _raw(v) for k, v in row.values.items()}] for row in plan.parsed],
        separators=(",", ":"),
    )


def rows_from_snapshot(text: str) -> list[Row]:
    rows = []
    for number, nik, values in json.loads(text):
        for key in _DATE_KEYS & values.keys():
            if values[key]:
                values[key] = dt.date.fromisoformat(values[key])
        rows.append(Row(number, values, nik=nik, nik_hash=nik_lib.hash_nik(nik) if nik else None))
    return rows


def _lookup_persons(hashes: set[str], village_ids: set[str]) -> tuple[dict[str, Person], dict[int, list[Post]]]:
    """The persons of the file's NIKs, with their active posts anywhere and their ended posts in the
    file's villages (an ended row uploaded again is 'unchanged', not an error)."""
    ordered = sorted(hashes)
    persons: dict[str, Person] = {}
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        for person in Person.objects.filter(nik_hash__in=ordered[start : start + LOOKUP_CHUNK]):
            persons[person.nik_hash] = person
    posts_by_person: dict[int, list[Post]] = defaultdict(list)
    ids = sorted(p.pk for p in persons.values())
    for start in range(0, len(ids), LOOKUP_CHUNK):
        posts = Post.objects.filter(person_id__in=ids[start : start + LOOKUP_CHUNK]).filter(
            Q(ended_on__isnull=True) | Q(village__in=list(village_ids))
        )
        for post in posts.select_related("village").order_by("pk"):
            posts_by_person[post.person_id].append(post)
    by_pk = {p.pk: p for p in persons.values()}
    for person_id, posts in posts_by_person.items():
        for post in posts:
            post.person = by_pk[person_id]  # one Person object per person, shared by the row and its posts
    return persons, posts_by_person


def _decide(plan: Plan, row: Row, person: Person | None, posts_by_person: dict[int, list[Post]]) -> Entry | None:
    posts = posts_by_person.get(person.pk, []) if person else []
    here = [p for p in posts if p.village_id == row.village.pk]
    active_here = [p for p in here if p.ended_on is None]
    elsewhere = [p for p in posts if p.ended_on is None and p.village_id != row.village.pk]
    if row.has_errors:
        # Nothing is decided for a row with errors, but a NIK active elsewhere is still reported to DPMD.
        if not active_here and elsewhere and not row.get("ended_on"):
            _conflict(plan, row, person, elsewhere[0].village)
        return None
    target = _match(plan, row, active_here)
    if target is False:
        return None
    if row.get("ended_on"):
        if target is None:
            if any(p.ended_on == row.get("ended_on") for p in here if p.ended_on):
                return Entry("unchanged", row, person, next(p for p in here if p.ended_on == row.get("ended_on")))
            plan.error(
                row,
                "ended_on",
                _("This NIK has no active post in %(village)s to end.") % {"village": row.village.name},
            )
            return None
        return _update(row, person, target, kind="ended")

    if target is not None:
        return _update(row, person, target, kind="changed")
    if elsewhere:
        _conflict(plan, row, person, elsewhere[0].village)
        return None
    return _create(row, person)


def _conflict(plan: Plan, row: Row, person: Person, other: Village) -> None:
    plan.error(
        row,
        "nik",
        _(
            "This official already holds an active post in %(village)s (%(code)s). DPMD has been told and "
            "will decide; the official is not moved by this file."
        )
        % {"village": other.name, "code": other.code},
    )
    plan.conflicts.append((person, row.village, other, row.number))


def _match(plan: Plan, row: Row, active_here: list[Post]) -> Post | bool | None:
    """The active post of this desa that the row updates: the one of the same position, else the only one."""
    if not active_here:
        return None
    same = [p for p in active_here if p.position == row.get("position")]
    if len(same) == 1:
        return same[0]
    if len(active_here) == 1 and not same:
        return active_here[0]
    plan.error(
        row,
        "position",
        _("This official holds several active posts in %(village)s. Change them one by one on the village page.")
        % {"village": row.village.name},
    )
    return False


def _spaces(value: object) -> str:
    return " ".join(str(value or "").split())


# Values the form may have stored with other spacing or separators: equal if they read the same.
_COMPARED_AS = {
    "full_name": _spaces,
    "local_title": _spaces,
    "sk_number": _spaces,
    "phone": lambda value: re.sub(r"[\s.\-()]", "", str(value or "")),
}


def _set(obj, key: str, value, changes: list[Change]) -> bool:
    old = getattr(obj, key)
    if value is None and isinstance(old, str):
        value = ""
    same_as = _COMPARED_AS.get(key)
    if old == value or (same_as and same_as(old) == same_as(value)):
        return False
    changes.append(Change(key, old, value))
    setattr(obj, key, value)
    return True


def _row_fields(row: Row, keys: tuple[str, ...]) -> dict[str, object]:
    values = {key: row.get(key) for key in keys}
    for key in ("phone", "local_title", "sk_number", "end_reason"):
        if key in values and values[key] is None:
            values[key] = ""
    if "wage_basis" in values and values["wage_basis"] is None:
        values["wage_basis"] = 0
    return values


def _update(row: Row, person: Person, post: Post, *, kind: str) -> Entry:
    entry = Entry(kind, row, person, post)
    for key, value in _row_fields(row, PERSON_FIELDS).items():
        entry.person_changed |= _set(person, key, value, entry.changes)
    for key, value in _row_fields(row, POST_FIELDS).items():
        entry.post_changed |= _set(post, key, value, entry.changes)
    if kind == "changed" and not entry.changes:
        entry.kind = "unchanged"
    return entry


def _create(row: Row, person: Person | None) -> Entry:
    changes: list[Change] = []
    person_changed = False
    if person is None:
        person = Person(**_row_fields(row, PERSON_FIELDS))
    else:
        # A former official coming back: the same person, their details brought up to date.
        for key, value in _row_fields(row, PERSON_FIELDS).items():
            person_changed |= _set(person, key, value, changes)
    post = Post(person=person, village=row.village, **_row_fields(row, POST_FIELDS))
    return Entry("new", row, person, post, changes=changes, person_changed=person_changed, post_changed=True)


def _check_single_holders(plan: Plan, active_in_villages: list[tuple]) -> None:
    """A desa has one definitif kepala desa and one definitif sekretaris desa at a time (the database
    refuses a second; the file is told which rows before anything is written)."""
    holders: dict[tuple[str, str], list[tuple[str, Entry | None]]] = defaultdict(list)
    touched = {e.post.pk for e in plan.entries if e.post and e.post.pk}
    for pk, _person, village_id, position, status, name in active_in_villages:
        if pk not in touched and status == Post.Status.DEFINITIF and position in Post.SINGLE_HOLDER_POSITIONS:
            holders[(village_id, position)].append((name, None))
    for entry in plan.entries:
        post = entry.post
        if (
            post.ended_on is None
            and post.status == Post.Status.DEFINITIF
            and post.position in Post.SINGLE_HOLDER_POSITIONS
        ):
            holders[(post.village_id or post.village.pk, post.position)].append((entry.person.full_name, entry))
    for (_village, position), holding in holders.items():
        if len(holding) < 2:
            continue
        names = ", ".join(name for name, _ in holding)
        for _name, entry in holding:
            if entry is not None:
                plan.error(
                    entry.row,
                    "position",
                    _(
                        "%(village)s would have more than one definitif %(position)s (%(names)s). End the "
                        "previous holder's post (Tanggal Berhenti and Alasan Berhenti) or use status Plt."
                    )
                    % {"village": entry.row.village.name, "position": display("position", position), "names": names},
                )


def _check_one_definitif_per_person(plan: Plan, posts_by_person: dict[int, list[Post]]) -> None:
    for entry in plan.entries:
        post = entry.post
        if entry.person.pk is None or post.ended_on is not None or post.status != Post.Status.DEFINITIF:
            continue
        others = [
            p
            for p in posts_by_person.get(entry.person.pk, [])
            if p is not post and p.ended_on is None and p.status == Post.Status.DEFINITIF
        ]
        if others:
            plan.error(
                entry.row,
                "status",
                _("This official already holds a definitif post (%(post)s in %(village)s): use status Plt here.")
                % {"post": others[0].title, "village": others[0].village.name},
            )


# --- writing -----------------------------------------------------------------------------------------


def write_plan(plan: Plan, *, actor: User) -> dict[str, int]:
    """Write a valid plan in bulk, with a history record per change (history_user = actor). The caller
    holds the transaction."""
    now = timezone.now()
    new_persons, changed_persons, new_posts, changed_posts = [], [], [], []
    for entry in plan.entries:
        if entry.person.pk is None:
            # The hash is already known from the check; only the encryption is left to do.
            entry.person.nik_encrypted = nik_lib.encrypt_nik(entry.row.nik)
            entry.person.nik_hash = entry.row.nik_hash
            new_persons.append(entry.person)
        elif entry.person_changed:
            entry.person.updated_at = now
            changed_persons.append(entry.person)
        if entry.kind == "new":
            new_posts.append(entry.post)
        elif entry.post_changed:
            entry.post.updated_at = now
            changed_posts.append(entry.post)

    if new_persons:
        bulk_create_with_history(new_persons, Person, batch_size=BATCH, default_user=actor, default_date=now)
    if changed_persons:
        bulk_update_with_history(
            changed_persons,
            Person,
            [*PERSON_FIELDS, "updated_at"],
            batch_size=BATCH,
            default_user=actor,
            default_date=now,
        )
    for post in new_posts:
        post.person = post.person  # the person now has its primary key: copy it onto person_id
    if new_posts:
        bulk_create_with_history(new_posts, Post, batch_size=BATCH, default_user=actor, default_date=now)
    if changed_posts:
        bulk_update_with_history(
            changed_posts,
            Post,
            [*POST_FIELDS, "updated_at"],
            batch_size=BATCH,
            default_user=actor,
            default_date=now,
        )
    return {kind: len(plan.of_kind(kind)) for kind in ("new", "changed", "unchanged", "ended")}
