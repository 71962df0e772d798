"""Reads that put several concerns together: the search for officials (their posts and coverage)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import nik as nik_lib
from core.models import Program
from core.permissions import may_see_nik
from core.selectors import programs_visible_to, villages_visible_to
from core.text import fold
from enrollment.selectors import enrollments_visible_to
from enrollment.status import ProgramStatus, program_statuses
from villages.models import Person, Post
from villages.selectors import officials_visible_to, posts_visible_to

SEARCH_LIMIT = 50
MIN_QUERY = 3


@dataclass
class Found:
    person: Person
    nik: str
    posts: list[Post]
    statuses: list[tuple[Program, ProgramStatus]]


@dataclass
class SearchResult:
    query: str
    error: str | None = None
    rows: list[Found] = field(default_factory=list)
    more: bool = False


def search_officials(user: User, query: str) -> SearchResult:
    """Officials in the user's scope found by a whole NIK (through its keyed hash: exact) or by name
    (every word must occur, without regard to case or accents). At most SEARCH_LIMIT, `more` when
    there are others. Six queries for any number of results."""
    query = " ".join((query or "").split())
    if len(query) < MIN_QUERY:
        return SearchResult(
            query, error=_("Type at least %(count)d characters: a name or a whole NIK.") % {"count": MIN_QUERY}
        )
    digits = nik_lib.normalize_nik(query)
    people = officials_visible_to(user)
    if digits.isdigit():
        if len(digits) != 16:
            return SearchResult(query, error=_("A NIK is found only whole: type all 16 digits."))
        people = people.filter(nik_hash=nik_lib.hash_nik(digits))
    else:
        words = fold(query).split()
        people = people.filter(*[Q(search_name__icontains=word) for word in words])
    current = posts_visible_to(user).active_on(timezone.localdate()).select_related("village__subdistrict")
    current = current.order_by("village__name", "village_id", "position", "pk")
    people = list(
        people.order_by("full_name", "pk").prefetch_related(Prefetch("posts", current, to_attr="found_posts"))[
            : SEARCH_LIMIT + 1
        ]
    )
    more = len(people) > SEARCH_LIMIT
    people = people[:SEARCH_LIMIT]
    return SearchResult(query, rows=_rows(user, people), more=more)


def official_statuses(
    user: User, person_ids: list[int], programs: list[Program], day: dt.date
) -> dict[tuple[int, str], ProgramStatus]:
    """Where each of the officials stands in each program (enrollment.status) as this user may see it:
    from the enrollments and the submissions of the desa in the user's scope. Two queries."""
    return program_statuses(
        person_ids=person_ids,
        programs=programs,
        day=day,
        enrollments=enrollments_visible_to(user),
        villages=villages_visible_to(user),
    )


def _rows(user: User, people: list[Person]) -> list[Found]:
    if not people:
        return []
    programs = list(programs_visible_to(user))
    statuses = official_statuses(user, [person.pk for person in people], programs, timezone.localdate())
    whole = may_see_nik(user)
    return [
        Found(
            person=person,
            nik=person.nik if whole else person.nik_masked,
            posts=person.found_posts,
            statuses=[(program, statuses[person.pk, program.code]) for program in programs],
        )
        for person in people
    ]
