"""Excel exports (openpyxl write-only mode: rows stream out, memory stays flat)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from core import nik as nik_lib
from core.masks import mask_participant_number
from core.models import Program, Regency, Village
from core.selectors import governed_villages
from core.spreadsheets.columns import Column, village_columns
from core.spreadsheets.writer import title_text, xlsx_response
from enrollment.models import Enrollment
from villages.models import Person, Position, Post, position_rank


def _stage_labels() -> dict[int, str]:
    """How the follow-up list names where a desa stands with its submission (followup_stages)."""
    return {
        0: _("nothing sent yet"),
        1: _("returned for revision"),
        2: _("waiting at DPMD"),
        3: _("waiting at BPJS"),
    }


def villages_xlsx(
    villages: Iterable[Village], *, regency: Regency, program: Program, day: dt.date, which: str, stage: bool = False
) -> HttpResponse:
    """The desa of a dashboard list, with the village head to contact; counts are numbers, not text. With
    `stage`, where each stands with its submission (the follow-up list)."""
    columns = [
        *village_columns(),
        Column("officials", _("Officials"), 12),
        Column("covered", _("Officials covered"), 14),
        Column("head", _("Village head"), 26),
        Column("phone", _("Village head phone"), 18, text=True),
    ]
    stages = _stage_labels() if stage else {}
    if stage:
        columns.append(Column("submission", _("Submission"), 22))

    def row(v: Village) -> list:
        cells = [
            v.code,
            v.name,
            v.subdistrict.name,
            v.officials or 0,
            v.officials_covered or 0,
            v.head_name or "",
            v.head_phone or "",
        ]
        if stage:
            cells.append(str(stages.get(v.submission_stage, stages[0])))
        return cells

    filename = f"desa-{which}-{program.code}-{regency.code}-{day.isoformat()}.xlsx"
    title = title_text(_("Village"), regency=regency, program=program, day=day)
    rows = (row(v) for v in villages)
    return xlsx_response(filename=filename, sheet_title=program.short_name, title=title, columns=columns, rows=rows)


def official_list_xlsx(
    people: Iterable[Person], *, regency: Regency, program: Program, day: dt.date, which: str
) -> HttpResponse:
    """The officials of a dashboard list, the rows of the page: one per person, their listed posts (from
    `held_posts`) joined in each cell, the NIK masked as on the page, and their status in the program
    (`program_status`, enrollment.status.attach_program_status)."""
    columns = [
        *village_columns(),
        Column("name", _("Name"), 28),
        Column("nik", _("NIK"), 20, text=True),
        Column("post", _("Post"), 26),
        Column("post_status", _("Position status"), 18),
        Column("status", _("Status %(program)s") % {"program": program.short_name}, 16),
        Column("source", _("Funding source %(program)s") % {"program": program.short_name}, 14),
    ]

    def joined(posts, cell) -> str:
        return "; ".join(str(cell(post)) for post in posts)

    def row(person) -> list:
        posts, latest = person.held_posts, (person.program_enrollments or [None])[-1]
        return [
            joined(posts, lambda p: p.village.code),
            joined(posts, lambda p: p.village.name),
            joined(posts, lambda p: p.village.subdistrict.name),
            person.full_name,
            person.nik_masked,
            joined(posts, lambda p: p.title),
            joined(posts, lambda p: p.get_status_display()),
            person.program_status.label,
            latest.funding_source.code if latest and latest.funding_source else "",
        ]

    filename = f"perangkat-{which}-{program.code}-{regency.code}-{day.isoformat()}.xlsx"
    title = title_text(_("Officials"), regency=regency, program=program, day=day)
    rows = (row(person) for person in people)
    return xlsx_response(filename=filename, sheet_title=program.short_name, title=title, columns=columns, rows=rows)


# --- officials and their enrollments (issue "Village heads submit their officials", part 6) ----------


# Rows are read as plain tuples (no model instances), labels looked up in dicts made once, each NIK
# decrypted in one loop: an export of a regency's 7,700 posts is a few hundred milliseconds, not seconds.
_POST_FIELDS = (
    "village_id",
    "village__name",
    "village__subdistrict__name",
    "person_id",
    "person__nik_encrypted",
    "person__full_name",
    "person__sex",
    "person__birth_date",
    "local_title",
    "position",
    "status",
    "term_start",
    "wage_basis",
)
CHUNK = 2000


def officials_posts(villages: QuerySet[Village]) -> QuerySet[Post]:
    """Current posts of the desa among `villages` in the order of the export: by desa, SOTK rank, name."""
    return (
        Post.objects.current()
        .filter(village__in=governed_villages(villages))
        .order_by("village__code", position_rank(), "person__full_name", "pk")
    )


def best_enrollments(people: Iterable[int] | QuerySet, programs: list[Program]) -> dict[tuple[int, str], list]:
    """{(person, program): [status, participant number, funding source, start]} of the enrollment a row
    shows: the open one, else the most recent. One query for `people` (ids, or a query of them), instead
    of a subquery per row and cell."""
    rank = Case(When(status__in=Enrollment.OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = (
        Enrollment.objects.filter(person_id__in=people, program__in=programs)
        .annotate(rank=rank)
        .order_by("person_id", "program_id", "rank", "-created_at", "-pk")
        .values_list("person_id", "program_id", "status", "participant_number", "funding_source_id", "start_date")
    )
    best: dict[tuple[int, str], list] = {}
    for person_id, program_id, *cells in rows:
        best.setdefault((person_id, program_id), cells)
    return best


def officials_table(
    posts: QuerySet[Post],
    *,
    programs: list[Program],
    show_nik: bool,
    whole_numbers: set[str],
    enrollments_by_chunk: bool = False,
) -> Iterator[list]:
    """The cells of the officials export, one list per post of `posts` (officials_posts), read in chunks
    with a server-side cursor. The enrollments shown are read in one query first (two queries whatever
    the size of a regency), or, `enrollments_by_chunk` (the whole country), one query per chunk of posts
    so that memory stays flat."""
    sexes = {value: str(label) for value, label in Person.Sex.choices}
    positions = {value: str(label) for value, label in Position.choices}
    statuses = {value: str(label) for value, label in Post.Status.choices}
    enrollment_statuses = {value: str(label) for value, label in Enrollment.Status.choices}
    not_enrolled = str(_("not enrolled"))
    masked = {p.code: p.code not in whole_numbers for p in programs}
    decrypt = nik_lib.decrypter()
    if not enrollments_by_chunk:
        best = best_enrollments(posts.order_by().values("person_id"), programs)
    rows = posts.values_list(*_POST_FIELDS).iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        if enrollments_by_chunk:
            best = best_enrollments([row[3] for row in chunk], programs)
        for row in chunk:
            code, village, subdistrict, person_id, token, name, sex, born, title, position, status, start, wage = row
            nik = decrypt(token)
            cells = [
                code,
                village,
                subdistrict,
                nik if show_nik else nik_lib.mask_nik(nik),
                name,
                sexes.get(sex, sex),
                born,
                title or positions.get(position, position),
                statuses.get(status, status),
                start,
                int(wage),
            ]
            for p in programs:
                enrollment = best.get((person_id, p.code))
                if enrollment is None:
                    cells += [not_enrolled, "", "", None]
                    continue
                state, number, source, begun = enrollment
                number = number or ""
                cells += [
                    enrollment_statuses.get(state, state) if state else not_enrolled,
                    mask_participant_number(number) if masked[p.code] else number,
                    source or "",
                    begun,
                ]
            yield cells


def officials_columns(programs: list[Program]) -> list[Column]:
    columns = [
        *village_columns(),
        Column("nik", _("NIK"), 20, text=True),
        Column("name", _("Name"), 28),
        Column("sex", _("Sex"), 12),
        Column("birth_date", _("Birth date"), 14, date=True),
        Column("post", _("Post"), 26),
        Column("post_status", _("Position status"), 18),
        Column("term_start", _("Term start"), 14, date=True),
        Column("wage", _("Wage basis"), 16, money=True),
    ]
    for p in programs:
        named = {"program": p.short_name}
        columns += [
            Column(f"{p.code}_status", _("Status %(program)s") % named, 16),
            Column(f"{p.code}_number", _("Participant number %(program)s") % named, 20, text=True),
            Column(f"{p.code}_source", _("Funding source %(program)s") % named, 14),
            Column(f"{p.code}_start", _("Start %(program)s") % named, 14, date=True),
        ]
    return columns


def officials_xlsx(
    posts: QuerySet[Post],
    *,
    programs: list[Program],
    show_nik: bool,
    whole_numbers: set[str],
    filename: str,
    title: str,
    sheet_title: str,
) -> StreamingHttpResponse:
    """Officials and their enrollment per program, one row per current post, streamed. Wage basis is a
    rupiah number, dates are date cells; the NIK is full only for roles that may see it (masked
    otherwise), the participant numbers only in the programs of `whole_numbers` (masked in the others)."""
    rows = officials_table(posts, programs=programs, show_nik=show_nik, whole_numbers=whole_numbers)
    return xlsx_response(
        filename=filename,
        sheet_title=sheet_title,
        title=title,
        columns=officials_columns(programs),
        rows=rows,
        private=show_nik,
        stream=True,
    )
