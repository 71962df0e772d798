"""What a plan of an officials file is: each row's outcome (new, changed, unchanged, ended), every error and
warning, and the JSON the preview page shows. How it is made: planning.py, from the rows (parsing.py),
the checks (checks.py) and each row's decision (decisions.py); how it is written: writing.py.

Upsert rules (issue "Village heads submit their officials"):
- a NIK with an active post in the row's desa updates that post (same or another position) and the person;
- a NIK with no active post anywhere gets a new post, reusing the person if the NIK is known;
- a NIK with an active post in another desa is an error and a NikConflict for DPMD, never a silent move;
- an official of the desa who is not in the file is left alone unless the uploader chooses, on the
  preview, to end their post with a date and a reason (EndChoice; a desa's file only: the preview lists
  them by name). A DPMD file for the regency often holds only the rows DPMD corrects, so its preview
  gives the number of officials not in the file and offers no ends;
- a row with Tanggal Berhenti and Alasan Berhenti ends the post.

The preview shows every value a new or changed row will store, and each value the file wrote in another
form (a NIK with spaces, an Excel date number, "Rp 2.850.000") as a warning on its row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.utils.formats import number_format

from core import nik as nik_lib
from core.models import Village
from core.spreadsheets.columns import Issue
from villages.models import Person, Position, Post
from villages.roster_import.columns import BY_KEY, PERSON_FIELDS, POST_FIELDS

KINDS = ("new", "changed", "unchanged", "ended")


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
class EndChoice:
    """An official not in the file whose post the uploader chose, on the preview, to end."""

    post: int
    ended_on: dt.date
    end_reason: str

    def as_json(self) -> dict:
        return {"post": self.post, "ended_on": self.ended_on.isoformat(), "end_reason": self.end_reason}

    @classmethod
    def from_json(cls, data: dict) -> EndChoice:
        return cls(data["post"], dt.date.fromisoformat(data["ended_on"]), data["end_reason"])


@dataclass
class Plan:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    absent: int = 0
    # A desa's file: the active posts of the desa that the file does not hold, which the preview lists and
    # the uploader may choose to end (end_choices, set at confirmation).
    absent_posts: list[Post] = field(default_factory=list)
    end_choices: list[EndChoice] = field(default_factory=list)
    rows: int = 0
    parsed: list[Row] = field(default_factory=list)
    # (person, submitting village, village of the active post, row): NikConflicts to record.
    conflicts: list[tuple[Person, Village, Village, int]] = field(default_factory=list)
    # Of the desa where the file's NIKs hold posts, those the uploader may see (a message names only
    # these) and may edit (whose officials' personal data the file may change).
    visible_villages: set[str] = field(default_factory=set)
    editable_villages: set[str] = field(default_factory=set)
    # Rows read without a NIK that no current official matched (opensid.py): the preview asks for it.
    missing_nik: list[Row] = field(default_factory=list)

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
                [(c.key, raw_value(c.old), raw_value(c.new)) for c in e.changes],
            )
            for e in self.entries
        ]
        # The officials listed as not in the file: the ends chosen among them are checked against this list.
        canonical.append([(p.pk, raw_value(p.term_start)) for p in self.absent_posts])
        return hashlib.sha256(json.dumps(canonical, default=str).encode()).hexdigest()

    def preview(self) -> dict:
        """The JSON stored on RosterImport.result: never a full NIK, only the masked one."""
        counts = {kind: len(self.of_kind(kind)) for kind in KINDS}
        counts.update(errors=len(self.errors), warnings=len(self.warnings), absent=self.absent, rows=self.rows)
        preview = {
            "counts": counts,
            "errors": [i.as_dict() for i in sorted(self.errors, key=_issue_order)],
            "warnings": [i.as_dict() for i in sorted(self.warnings, key=_issue_order)],
            "digest": self.digest(),
            "absent": [_absent_json(p) for p in self.absent_posts],
        }
        notes: dict[int, list[dict]] = {}
        for issue in sorted(self.warnings, key=_issue_order):
            notes.setdefault(issue.row, []).append({"column": issue.column, "message": issue.message})
        for kind in KINDS:
            preview[kind] = [_entry_json(e, notes.get(e.row.number, [])) for e in self.of_kind(kind)]
        if self.missing_nik:
            counts["needs_nik"] = len(self.missing_nik)
            preview["needs_nik"] = [_needs_nik_json(row) for row in self.missing_nik]
        return preview


_COLUMN_ORDER = {c.header: i for i, c in enumerate(BY_KEY.values())}


def _issue_order(issue: Issue) -> tuple[int, int]:
    """As the file reads: by row, then left to right."""
    return issue.row, _COLUMN_ORDER.get(issue.column, len(_COLUMN_ORDER))


def raw_value(value: object) -> object:
    """A value as JSON carries it: dates as ISO text."""
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
        "sex": Person.Sex,
        "position": Position,
        "status": Post.Status,
        "end_reason": Post.EndReason,
    }.get(key)
    if choices is not None:
        return str(dict(choices.choices).get(value, value))
    return str(value)


def _needs_nik_json(row: Row) -> dict:
    """A row without a NIK, as the NIK form shows it (what the file says of the official)."""
    return {
        "row": row.number,
        "name": row.get("full_name") or "",
        "birth_date": display("birth_date", row.get("birth_date")),
        "sex": row.get("sex") or "",
        "position": display("position", row.get("position")),
        "local_title": row.get("local_title") or "",
    }


# What a new or changed row stores, in the order of the template's columns.
_SHOWN = ("full_name", "nik", *PERSON_FIELDS[1:], *POST_FIELDS)
_SHOWN_WHEN_SET = {"ended_on", "end_reason"}


def _values_json(entry: Entry) -> list[dict]:
    """Every value the row stores once written (the person and post as the plan leaves them); a changed
    one with the value it replaces. The NIK masked: the preview is kept unencrypted."""
    old = {c.key: c.old for c in entry.changes}
    values = []
    for key in _SHOWN:
        if key == "nik":
            value = nik_lib.mask_nik(entry.row.nik or "")
        else:
            value = getattr(entry.person if key in _PERSON_KEYS else entry.post, key)
            if key in _SHOWN_WHEN_SET and value in (None, ""):
                continue
            value = display(key, value)
        item = {"key": key, "column": BY_KEY[key].header, "value": value}
        if key in old:
            item["old"] = display(key, old[key])
        values.append(item)
    return values


_PERSON_KEYS = {"full_name", "sex", "birth_date", "phone"}


def _absent_json(post: Post) -> dict:
    return {
        "post": post.pk,
        "name": post.person.full_name,
        "nik": post.person.nik_masked,
        "position": post.title,
        "status": display("status", post.status),
        "term_start": display("term_start", post.term_start),
    }


def _entry_json(entry: Entry, notes: list[dict] | None = None) -> dict:
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
    data["warnings"] = notes or []
    if entry.kind != "unchanged":
        data["values"] = _values_json(entry)
    if entry.kind == "new":
        data["known_person"] = entry.person.pk is not None
    if entry.kind == "ended" and post:
        data["ended_on"] = display("ended_on", post.ended_on)
        data["end_reason"] = display("end_reason", post.end_reason)
    return data
