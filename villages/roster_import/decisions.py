"""Each row's outcome: new, changed, unchanged or ended, against the persons of the file's NIKs and their
posts (looked up in bulk, a fixed number of queries)."""

from __future__ import annotations

import re
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from core.models import Village
from core.spreadsheets.columns import Issue
from villages.identity import IDENTITY_FIELDS, frozen_person_ids
from villages.models import Person, Post
from villages.roster_import.columns import BY_KEY, PERSON_FIELDS, POST_FIELDS
from villages.roster_import.parsing import TERM_START_FROM, check_term_dates, term_start_for_new_post
from villages.roster_import.plan import Change, Entry, Plan, Row
from villages.selectors import home_post_of

LOOKUP_CHUNK = 5000  # NIK hashes per query: within SQLite's limit on parameters


def lookup_persons(hashes: set[str], village_ids: set[str]) -> tuple[dict[str, Person], dict[int, list[Post]]]:
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
        for post in posts.select_related("village__subdistrict").order_by("pk"):
            posts_by_person[post.person_id].append(post)
    by_pk = {p.pk: p for p in persons.values()}
    for person_id, posts in posts_by_person.items():
        for post in posts:
            post.person = by_pk[person_id]  # one Person object per person, shared by the row and its posts
    return persons, posts_by_person


# "NIK active elsewhere" here is not villages.services.active_post_elsewhere on purpose: that one refuses
# a definitif post only (the page lets a Plt post be added) and costs a query per NIK; the file refuses
# any row of a NIK active in another desa and records a NikConflict for DPMD, from posts looked up in bulk.
def decide_row(plan: Plan, row: Row, person: Person | None, posts_by_person: dict[int, list[Post]]) -> Entry | None:
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
        return _checked_update(plan, row, person, target, kind="ended", posts=posts)

    if target is not None:
        return _checked_update(plan, row, person, target, kind="changed", posts=posts)
    if elsewhere:
        _conflict(plan, row, person, elsewhere[0].village)
        return None
    if not term_start_for_new_post(plan, row):
        return None
    if TERM_START_FROM in row.values:
        check_term_dates(plan, row, row.get("term_start"))
        if row.has_errors:
            return None
    return _create(row, person)


def _checked_update(plan: Plan, row: Row, person: Person, post: Post, *, kind: str, posts: list[Post]) -> Entry | None:
    """A row without Mulai Menjabat keeps the post's stored start: its dates are checked against that one."""
    if TERM_START_FROM in row.values:
        check_term_dates(plan, row, post.term_start)
        if row.has_errors:
            return None
    return _update(row, person, post, kind=kind, plan=_locking(plan, row, posts))


def keep_frozen_identities(plan: Plan) -> None:
    """An active BPJS participant's name, birth date and sex stay as enrolled (villages.identity): a row
    that changes them is reported, row and column, and the rest of the row still applies."""
    frozen = frozen_person_ids({e.person.pk for e in plan.entries if e.person.pk is not None})
    for entry in plan.entries:
        if entry.person.pk not in frozen:
            continue
        kept = [c for c in entry.changes if c.key in IDENTITY_FIELDS]
        for change in kept:
            setattr(entry.person, change.key, change.old)
            plan.warnings.append(
                Issue(
                    entry.row.number,
                    BY_KEY[change.key].header,
                    _(
                        "This official is an active BPJS participant: %(column)s is not changed by the file. "
                        "Ask for a data-change request (“Ajukan perubahan data” on the official's page); the "
                        "enrolled value stays."
                    )
                    % {"column": BY_KEY[change.key].header},
                )
            )
        if kept:
            entry.changes = [c for c in entry.changes if c.key not in IDENTITY_FIELDS]
            entry.person_changed = any(c.key in PERSON_FIELDS for c in entry.changes)
            if entry.kind == "changed" and not entry.changes:
                entry.kind = "unchanged"


def _conflict(plan: Plan, row: Row, person: Person, other: Village) -> None:
    """The row's error names the other desa only to an uploader who can see it (villages.services
    nik_elsewhere_message, in the file's words)."""
    if other.subdistrict.regency_id != row.village.subdistrict.regency_id:
        message = _("This NIK is registered in another regency; contact DPMD.")
    elif other.pk in plan.visible_villages:
        message = _(
            "This official already holds an active post in %(village)s (%(code)s). DPMD has been told and "
            "will decide; the official is not moved by this file."
        ) % {"village": other.name, "code": other.code}
    else:
        message = _(
            "This official already holds an active post in another desa. DPMD has been told and will decide; "
            "the official is not moved by this file."
        )
    plan.error(row, "nik", message)
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


def _differs(obj, key: str, value) -> bool:
    old = getattr(obj, key)
    if value is None and isinstance(old, str):
        value = ""
    same_as = _COMPARED_AS.get(key)
    return not (old == value or (same_as and same_as(old) == same_as(value)))


def _set(obj, key: str, value, changes: list[Change]) -> bool:
    old = getattr(obj, key)
    if value is None and isinstance(old, str):
        value = ""
    if not _differs(obj, key, value):
        return False
    changes.append(Change(key, old, value))
    setattr(obj, key, value)
    return True


def _row_fields(row: Row, keys: tuple[str, ...]) -> dict[str, object]:
    # A column the file does not have changes nothing: an office sheet without Nomor SK keeps the SK.
    values = {key: row.get(key) for key in keys if key in row.values}
    for key in ("phone", "local_title", "sk_number", "end_reason"):
        if key in values and values[key] is None:
            values[key] = ""
    if "wage_basis" in values and values["wage_basis"] is None:
        values["wage_basis"] = 0
    return values


def _locking(plan: Plan, row: Row, posts: list[Post]) -> Plan | None:
    """The plan, when the person's personal data belongs to a desa the uploader may not edit (their home
    post lies elsewhere: this desa's post is an acting one); else None."""
    home = home_post_of(posts)
    locked = home is not None and home.village_id != row.village.pk and home.village_id not in plan.editable_villages
    return plan if locked else None


def _update(row: Row, person: Person, post: Post, *, kind: str, plan: Plan | None = None) -> Entry:
    """The row's changes to the person and the post; with `plan`, a change of the person's personal data
    that belongs to another desa is that row's error instead."""
    entry = Entry(kind, row, person, post)
    for key, value in _row_fields(row, PERSON_FIELDS).items():
        if plan is not None and _differs(person, key, value):
            plan.error(
                row,
                key,
                _(
                    "The personal data of this official is kept by the desa of their home post and by DPMD; "
                    "this file may change only the post."
                ),
            )
            continue
        entry.person_changed |= _set(person, key, value, entry.changes)
    fields = _row_fields(row, POST_FIELDS)
    if TERM_START_FROM in row.values:
        fields.pop("term_start", None)  # Mulai Menjabat empty: the stored start stays (not the fallback)
    for key, value in fields.items():
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
