"""Parsing the rows of an officials file: each cell read and checked on its own (NIK, dates, list values),
and the parsed rows kept as JSON between the check and the confirmation (rows_data, rows_from_data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import nik as nik_lib
from core.spreadsheets import cells
from core.spreadsheets.cells import CellError
from core.spreadsheets.columns import Issue
from villages.models import Person, Post
from villages.roster_import import columns as roster_columns
from villages.roster_import.columns import BY_KEY
from villages.roster_import.plan import Plan, Row, raw_value

_TEXT_LIMITS = {
    "full_name": Person._meta.get_field("full_name").max_length,
    "local_title": Post._meta.get_field("local_title").max_length,
    "sk_number": Post._meta.get_field("sk_number").max_length,
}
_PARSERS: dict[str, Callable[[object], object]] = {
    "sex": roster_columns.parse_sex,
    "status": roster_columns.STATUSES.parse,
    "end_reason": roster_columns.END_REASONS.parse,
    "village_code": cells.parse_village_code,
}
# Parsers that also say what they tidied: each note is a warning on its row, so the preview shows how the
# file was read (a NIK with spaces, a date as an Excel number, "Rp 2.850.000", a phone without its 0).
_NOTED_PARSERS: dict[str, Callable[[object], tuple[object, str]]] = {
    "nik": cells.parse_nik_noted,
    "phone": cells.parse_phone_noted,
    "wage_basis": cells.parse_rupiah_noted,
    **{key: (lambda v, n=n: cells.clean_name_noted(v, max_length=n)) for key, n in _TEXT_LIMITS.items()},
    **{c.key: cells.parse_date_noted for c in BY_KEY.values() if c.date},
}
# Set on a row whose Mulai Menjabat is empty: the column its start was taken from (decisions.py uses it
# for a new post only; an existing post keeps the start it has).
TERM_START_FROM = "term_start_from"


_BLANK = {"phone": "", "local_title": "", "status": "", "sk_number": "", "wage_basis": 0, "end_reason": ""}
_REQUIRED = {c.key for c in BY_KEY.values() if c.required}


def parse_row(plan: Plan, number: int, raw: dict[str, object], today: dt.date) -> Row:
    row = Row(number)
    implied_title = ""
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
            note = ""
            if key == "position":
                row.values[key], implied_title, note = roster_columns.parse_position_noted(value)
            elif key in _NOTED_PARSERS:
                row.values[key], note = _NOTED_PARSERS[key](value)
            else:
                row.values[key] = _PARSERS[key](value)
        except CellError as exc:
            plan.error(row, key, exc.message)
        else:
            if note:
                plan.warnings.append(Issue(row.number, column.header, note))
    if implied_title and cells.is_blank(raw.get("local_title")):
        row.values["local_title"] = implied_title  # a local title written in its own column is kept
    row.values["status"] = row.values.get("status") or Post.Status.DEFINITIF
    _fill_term_start(plan, row, raw)
    _check_nik(plan, row, today)
    _check_dates(plan, row, today)
    if row.has_errors and row.get(TERM_START_FROM) == "":
        # A row with errors is not decided: the missing start is said now, so one upload names them all.
        term_start_for_new_post(plan, row)
    return row


def _fill_term_start(plan: Plan, row: Row, raw: dict[str, object]) -> None:
    """Without Mulai Menjabat a new post's term starts at the inauguration, else at the SK date; an existing
    post keeps its stored start (decisions.py decides which, and the row says so)."""
    if not cells.is_blank(raw.get("term_start")):
        return
    row.values["term_start"] = None
    row.values[TERM_START_FROM] = ""
    for key in ("inauguration_date", "sk_date"):
        if row.get(key):
            row.values["term_start"] = row.get(key)
            row.values[TERM_START_FROM] = key
            return


_TERM_START_FALLBACK = {
    "inauguration_date": gettext_lazy("Mulai Menjabat is empty: the term starts at Tanggal Pelantikan, %(date)s."),
    "sk_date": gettext_lazy("Mulai Menjabat is empty: the term starts at Tanggal SK, %(date)s."),
}


def term_start_for_new_post(plan: Plan, row: Row) -> bool:
    """A new post of a row without Mulai Menjabat: the start taken from the inauguration or SK date (and a
    warning), or the row's error when it has neither. False when the row cannot make a post."""
    source = row.get(TERM_START_FROM)
    if source is None:
        return True  # Mulai Menjabat was filled in
    if not source:
        plan.error(
            row,
            "term_start",
            _("Fill in Mulai Menjabat, or at least Tanggal Pelantikan or Tanggal SK: the start of the term is needed."),
        )
        return False
    date = row.get("term_start").strftime("%d-%m-%Y")
    plan.warnings.append(
        Issue(row.number, BY_KEY["term_start"].header, str(_TERM_START_FALLBACK[source]) % {"date": date})
    )
    return True


def check_term_dates(plan: Plan, row: Row, start) -> None:
    """The end of term and the end of the post against the start the post will have."""
    end, ended = row.get("term_end"), row.get("ended_on")
    if start and end and end < start:
        plan.error(row, "term_end", _("The term cannot end before it starts."))
    if start and ended and ended < start:
        plan.error(row, "ended_on", _("A post cannot end before it starts."))


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
    birth, ended = row.get("birth_date"), row.get("ended_on")
    if birth and birth > today:
        plan.error(row, "birth_date", _("The birth date is in the future."))
    if TERM_START_FROM not in row.values:  # else checked once the post's start is known (decisions.py)
        check_term_dates(plan, row, row.get("term_start"))
    if ended and ended > today:
        plan.error(row, "ended_on", _("The end date is in the future: end the post once it has ended."))
    # A blank cell is parsed to None or ""; a cell that failed to parse is absent and already reported.
    has_date, has_reason = bool(ended), bool(row.get("end_reason"))
    if has_date and not has_reason and "end_reason" in row.values:
        plan.error(row, "end_reason", _("To end a post, fill in both Tanggal Berhenti and Alasan Berhenti."))
    elif has_reason and not has_date and "ended_on" in row.values:
        plan.error(row, "ended_on", _("To end a post, fill in both Tanggal Berhenti and Alasan Berhenti."))


_DATE_KEYS = {c.key for c in BY_KEY.values() if c.date}


def rows_data(plan: Plan) -> list:
    """The parsed rows of a valid plan, as JSON data: what the confirmation re-plans from, so the file is
    not read and parsed a second time. Holds full NIKs: it is kept in the preview storage, encrypted."""
    return [[row.number, row.nik, {k: raw_value(v) for k, v in row.values.items()}] for row in plan.parsed]


def rows_from_data(data: list) -> list[Row]:
    rows = []
    for number, nik, values in data:
        for key in _DATE_KEYS & values.keys():
            if values[key]:
                values[key] = dt.date.fromisoformat(values[key])
        rows.append(Row(number, values, nik=nik, nik_hash=nik_lib.hash_nik(nik) if nik else None))
    return rows
