"""Matching a BPJS list with the enrollments here and grouping the lines per desa: the comparison, as the
JSON kept in Reconciliation.result (masked NIKs and ids only, never a full NIK)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy

from bpjs.reconciliation.reading import BpjsRow, read_bpjs_rows
from core.models import Program, Regency, Village
from enrollment.models import Enrollment
from villages.models import Person, Post

Status = Enrollment.Status

KINDS = ("mismatched", "only_bpjs", "only_here", "matched")
KIND_LABELS = {
    "matched": gettext_lazy("matched"),
    "mismatched": gettext_lazy("mismatched"),
    "only_bpjs": gettext_lazy("in BPJS but not here"),
    "only_here": gettext_lazy("here but not in BPJS"),
}


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


def _match(rows: list[BpjsRow], here: list[Enrollment], program: Program) -> tuple[list[dict], list[BpjsRow]]:
    """The lines of the rows matched with an enrollment here (by NIK hash, else by participant number;
    each enrollment once), and the rows left unmatched."""
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
    return lines, unmatched


def compare(
    *, values: list[tuple[int, tuple]], header_at: int, mapping: dict[str, str], regency: Regency, program: Program
) -> dict:
    """The whole comparison, as the JSON kept in Reconciliation.result. A fixed number of queries whatever
    the length of the list: the enrollments here with their posts, and the officials known by NIK."""
    rows, errors = read_bpjs_rows(values, header_at=header_at, mapping=mapping, program=program)
    here = _enrollments_here(regency, program)
    lines, unmatched = _match(rows, here, program)
    matched_ids = {line["enrollment"] for line in lines}
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
