"""The one "covering" predicate (enrollment.models.covering): coverage runs from the start date up to,
not including, the end date. The dashboard counts and the registration deadlines read it alike."""

import datetime as dt

import pytest

from enrollment.models import Enrollment
from submissions.deadlines import overdue_posts
from tests.factories import EnrollmentFactory, PostFactory

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


@pytest.fixture
def ended(kes):
    return EnrollmentFactory(program=kes, status=Enrollment.Status.ENDED, start_date=START, end_date=END)


@pytest.mark.parametrize(
    ("day", "covered"),
    [(START - dt.timedelta(days=1), False), (START, True), (END - dt.timedelta(days=1), True), (END, False)],
    ids=["day-before-start", "start", "last-day", "end-date"],
)
def test_an_enrollment_covers_from_its_start_date_up_to_its_end_date(ended, day, covered):
    assert Enrollment.objects.covering_on(day).filter(pk=ended.pk).exists() is covered


def test_a_requested_enrollment_covers_no_day(kes):
    requested = EnrollmentFactory(program=kes, status=Enrollment.Status.REQUESTED, start_date=None)

    assert not Enrollment.objects.covering_on(START).filter(pk=requested.pk).exists()


def test_on_the_end_date_an_official_is_overdue_again(ended, kes, suka_pindah):
    post = PostFactory(person=ended.person, village=suka_pindah, term_start=dt.date(2023, 1, 1))

    assert not overdue_posts(program=kes, day=END - dt.timedelta(days=1)).filter(pk=post.pk).exists()
    assert overdue_posts(program=kes, day=END).filter(pk=post.pk).exists()
