"""Excel exports (openpyxl write-only mode: rows stream out, memory stays flat)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.masks import mask_participant_number
from core.models import Program, Regency, Village
from core.selectors import governed_villages
from core.spreadsheets.columns import Column, village_columns
from core.spreadsheets.writer import title_text, xlsx_response
from enrollment.models import Enrollment
from villages.models import Person, Post, position_rank


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


def _best_enrollment(program: Program):
    """The enrollment a row shows for a program: the open one, else the most recent."""
    return (
        Enrollment.objects.filter(person=OuterRef("person"), program=program)
        .annotate(
            rank=Case(
                When(status__in=Enrollment.OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("rank", "-created_at", "-pk")
    )


def officials_rows(villages: QuerySet[Village], programs: list[Program]) -> QuerySet[Post]:
    """Current posts of the desa among `villages`, each with its holder and, per program, the status,
    participant number, funding source and start of their enrollment: one query, streamed."""
    annotations = {}
    for p in programs:
        best = _best_enrollment(p)
        annotations[f"{p.code}__status"] = Subquery(best.values("status")[:1])
        annotations[f"{p.code}__number"] = Subquery(best.values("participant_number")[:1])
        annotations[f"{p.code}__source"] = Subquery(best.values("funding_source")[:1])
        annotations[f"{p.code}__start"] = Subquery(best.values("start_date")[:1])
    return (
        Post.objects.current()
        .filter(village__in=governed_villages(villages))
        .select_related("person", "village__subdistrict")
        .annotate(**annotations)
        .order_by("village__code", position_rank(), "person__full_name", "pk")
    )


def _officials_columns(programs: list[Program]) -> list[Column]:
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
) -> HttpResponse:
    """Officials and their enrollment per program, one row per current post. Wage basis is a rupiah
    number, dates are date cells; the NIK is full only for roles that may see it (masked otherwise), the
    participant numbers only in the programs of `whole_numbers` (masked in the others)."""
    columns = _officials_columns(programs)
    sexes = dict(Person.Sex.choices)
    statuses = dict(Post.Status.choices)
    enrollment_statuses = dict(Enrollment.Status.choices)
    not_enrolled = _("not enrolled")

    def row(post) -> list:
        person = post.person
        nik = person.nik if show_nik else person.nik_masked
        cells = [
            post.village.code,
            post.village.name,
            post.village.subdistrict.name,
            nik,
            person.full_name,
            str(sexes.get(person.sex, person.sex)),
            person.birth_date,
            post.title,
            str(statuses.get(post.status, post.status)),
            post.term_start,
            int(post.wage_basis),
        ]
        for p in programs:
            status = getattr(post, f"{p.code}__status")
            number = getattr(post, f"{p.code}__number") or ""
            cells += [
                str(enrollment_statuses.get(status, status)) if status else str(not_enrolled),
                number if p.code in whole_numbers else mask_participant_number(number),
                getattr(post, f"{p.code}__source") or "",
                getattr(post, f"{p.code}__start"),
            ]
        return cells

    rows = (row(post) for post in posts.iterator(chunk_size=2000))
    return xlsx_response(
        filename=filename, sheet_title=sheet_title, title=title, columns=columns, rows=rows, private=show_nik
    )
