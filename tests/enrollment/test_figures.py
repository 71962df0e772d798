"""The fast, cached coverage figures (enrollment.figures) against the plain aggregates that define them
(enrollment.selectors): equal on random days and regencies, after random writes of every kind, whatever
makes the write (a save, a QuerySet.update, a bulk insert, a delete), and never served from a cache
filled by a write that was rolled back."""

from __future__ import annotations

import datetime as dt
import os
import random

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import FundingSource, Program, Regency, Subdistrict, Village
from enrollment.figures import regencies_figures, regency_figures, subdistrict_figures
from enrollment.models import Enrollment
from enrollment.selectors import coverage, regency_coverage
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from villages.models import Position, Post

REGENCIES = ("17.06", "76.05")
SEED = int(os.environ.get("FIGURES_SEED", "1706"))


@pytest.fixture(autouse=True)
def _own_officials(regions):
    """Only this test's officials are held on any day: the posts already there (the session demo's)
    end on the day they began."""
    Post.objects.current().update(ended_on=F("term_start"), end_reason=Post.EndReason.TERM_ENDED)


def _day(rng: random.Random, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=rng.randrange(0, 6 * 365))


def _sources() -> list[FundingSource]:
    return list(FundingSource.objects.filter(pk__in=["DAU", "ADD", "APBD"]))


class World:
    """A few kecamatan of both regencies with officials in them, and the writes a regency sees."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng, self.today = rng, today
        self.programs = list(Program.objects.all())
        self.sources = _sources()
        self.desa: list[Village] = []
        for code in REGENCIES:
            for subdistrict in Subdistrict.objects.filter(regency_id=code).order_by("code")[:2]:
                self.desa += list(subdistrict.villages.filter(kind__in=Village.GOVERNED_KINDS).order_by("code")[:3])
        self.serial = 0
        self.people: list[int] = []  # only these are written to (the session demo has officials there too)

    def date(self) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randrange(-30, 7 * 365))

    def official(self) -> None:
        self.serial += 1
        person = PersonFactory(nik=make_nik(self.serial, prefix="170601" if self.serial % 2 else "760501"))
        self.people.append(person.pk)
        for n in range(self.rng.choice([1, 1, 1, 2])):
            self.post(person, status=self.rng.choice([Post.Status.DEFINITIF, Post.Status.PLT]) if n == 0 else None)
        for program in self.programs:
            for _ in range(self.rng.choice([0, 1, 1, 2])):
                self.enrollment(person, program)

    def post(self, person, status=None) -> None:
        start = self.date()
        ended = start + dt.timedelta(days=self.rng.randrange(1, 900)) if self.rng.random() < 0.25 else None
        PostFactory(
            person=person,
            village=self.rng.choice(self.desa),
            position=Position.KEPALA_DUSUN,
            status=status or Post.Status.PLT,
            term_start=start,
            ended_on=ended,
            end_reason=Post.EndReason.TERM_ENDED if ended else "",
            wage_basis=self.rng.choice([2_022_200, 2_850_000]),
        )

    def status(self, person, program, *, other_than: int | None = None) -> str:
        """A random status; an open one only when the official has no other open enrollment in it."""
        open_ = Enrollment.objects.filter(person=person, program=program, status__in=Enrollment.OPEN_STATUSES)
        if open_.exclude(pk=other_than).exists():
            return self.rng.choice([Enrollment.Status.ENDED, Enrollment.Status.REJECTED])
        return self.rng.choice(list(Enrollment.Status))

    def enrollment(self, person, program) -> None:
        status = self.status(person, program)
        start = self.date()
        end = start + dt.timedelta(days=self.rng.randrange(1, 900)) if self.rng.random() < 0.5 else None
        EnrollmentFactory(
            person=person,
            program=program,
            status=status,
            start_date=start,
            end_date=end,
            participant_number="",
            funding_source=self.rng.choice(self.sources),
        )

    def write(self) -> str:
        """One random write, of the kinds the app makes; returns what it did."""
        rng = self.rng
        kind = rng.choice(["official", "end_post", "status", "update", "delete_enrollment", "delete_post", "source"])
        posts = Post.objects.filter(person__in=self.people)
        enrollments = Enrollment.objects.filter(person__in=self.people)
        if kind == "official" or not enrollments.exists():
            self.official()
            return "official"
        if kind == "end_post" and (post := posts.filter(ended_on=None).order_by("?").first()):
            post.ended_on, post.end_reason = max(post.term_start, self.date()), Post.EndReason.RESIGNED
            post.save()
        elif kind == "status":
            enrollment = enrollments.order_by("?").first()
            enrollment.status = self.status(enrollment.person, enrollment.program, other_than=enrollment.pk)
            enrollment.end_date = None if rng.random() < 0.5 else enrollment.start_date + dt.timedelta(days=40)
            enrollment.save()
        elif kind == "update":  # no save(), no signal: a QuerySet.update
            earlier = F("start_date") - dt.timedelta(days=rng.randrange(1, 400))
            Enrollment.objects.filter(pk=enrollments.order_by("?").first().pk).update(start_date=earlier)
        elif kind == "delete_enrollment":
            enrollments.order_by("?").first().delete()
        elif kind == "delete_post" and posts.exists():
            posts.order_by("?").first().delete()
        elif kind == "source":
            Enrollment.objects.filter(pk=enrollments.order_by("?").first().pk).update(
                funding_source=rng.choice(self.sources)
            )
        return kind


def assert_same(day: dt.date, programs: list[Program]) -> None:
    regencies = list(Regency.objects.filter(pk__in=REGENCIES))
    for regency in regencies:
        fast, plain = (
            regency_figures(regency=regency, programs=programs, day=day),
            regency_coverage(regency=regency, programs=programs, day=day),
        )
        assert fast.totals == plain.totals, (regency.code, day)
        assert fast.per_subdistrict == plain.per_subdistrict, (regency.code, day)
        assert fast.sources == plain.sources, (regency.code, day)
        for subdistrict in Subdistrict.objects.filter(regency=regency).order_by("code")[:2]:
            villages = Village.objects.filter(subdistrict=subdistrict)
            per_village, totals = subdistrict_figures(subdistrict=subdistrict, programs=programs, day=day)
            assert per_village == coverage(villages=villages, programs=programs, day=day, by="village")
            assert totals == coverage(villages=villages, programs=programs, day=day)[None]
    together = Village.objects.filter(subdistrict__regency__in=regencies)
    assert regencies_figures(regencies=regencies, programs=programs, day=day) == coverage(
        villages=together, programs=programs, day=day, by="regency"
    )


def test_fast_figures_equal_the_plain_aggregates_on_random_days_after_random_writes():
    rng, today = random.Random(SEED), timezone.localdate()
    world = World(rng, today)
    for _ in range(25):
        world.official()
    days = [today, today - dt.timedelta(days=400), *(_day(rng, today) for _ in range(2))]
    programs = world.programs
    for _ in range(8):
        for day in days:  # the same days each round: what was cached for them must not be served again
            assert_same(day, programs)
        for _ in range(rng.randrange(1, 5)):
            world.write()


def test_a_second_read_is_answered_from_the_cache():
    world = World(random.Random(SEED), timezone.localdate())
    for _ in range(5):
        world.official()
    regency, day = Regency.objects.get(pk="17.06"), timezone.localdate()
    regency_figures(regency=regency, programs=world.programs, day=day)
    with CaptureQueriesContext(connection) as again:
        regency_figures(regency=regency, programs=world.programs, day=day)
    tables = " ".join(q["sql"] for q in again.captured_queries)
    assert "villages_post" not in tables and "enrollment_enrollment" not in tables


def test_a_rolled_back_write_leaves_no_figure_behind():
    world = World(random.Random(SEED), timezone.localdate())
    for _ in range(5):
        world.official()
    regency, day, programs = Regency.objects.get(pk="17.06"), timezone.localdate(), world.programs
    before = regency_figures(regency=regency, programs=programs, day=day).totals
    desa = Village.objects.get(pk="17.06.01.2005")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        person = PersonFactory(nik=make_nik(900))
        PostFactory(person=person, village=desa, term_start=day - dt.timedelta(days=10))
        EnrollmentFactory(person=person, start_date=day - dt.timedelta(days=10), participant_number="")
        inside = regency_figures(regency=regency, programs=programs, day=day).totals
        assert inside[Program.KESEHATAN].officials_total == before[Program.KESEHATAN].officials_total + 1
        raise Undo

    assert regency_figures(regency=regency, programs=programs, day=day).totals == before
    assert before == regency_coverage(regency=regency, programs=programs, day=day).totals
