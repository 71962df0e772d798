"""On its end date an enrollment no longer covers and a post no longer counts: the coverage figures of
that day leave them out. Lebong, which the demo leaves empty, holds this test's officials alone."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Program, Village
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from villages.models import Post

START, END = dt.date(2024, 1, 1), dt.date(2025, 6, 30)


@pytest.fixture
def lebong_officials(lebong, kes):
    """Two officials of a Lebong desa: Ani, whose JKN ends on END, and Bayu, whose post ends on END."""
    desa = Village.objects.filter(subdistrict__regency=lebong, kind=Village.Kind.DESA).order_by("code").first()
    ani = PostFactory(village=desa, term_start=START, person=PersonFactory(nik=make_nik(7301, prefix="170701")))
    EnrollmentFactory(person=ani.person, program=kes, status=Enrollment.Status.ENDED, start_date=START, end_date=END)
    PostFactory(
        village=desa,
        term_start=START,
        ended_on=END,
        end_reason=Post.EndReason.RESIGNED,
        person=PersonFactory(nik=make_nik(7302, prefix="170701")),
    )


def jkn_figures(client, day: dt.date) -> dict:
    response = client.get("/api/v1/coverage/", {"regency": "17.07", "as_of": day.isoformat()})
    figures = response.json()["programs"][Program.KESEHATAN]
    return {key: figures[key] for key in ("officials_total", "officials_covered", "villages_covered")}


def test_the_day_before_the_end_date_both_count_and_ani_is_covered(lebong_officials, dpmd_lebong, login):
    figures = jkn_figures(login(dpmd_lebong), END - dt.timedelta(days=1))

    assert figures == {"officials_total": 2, "officials_covered": 1, "villages_covered": 1}


def test_on_the_end_date_the_ended_post_does_not_count_and_the_ended_enrollment_does_not_cover(
    lebong_officials, dpmd_lebong, login
):
    figures = jkn_figures(login(dpmd_lebong), END)

    assert figures == {"officials_total": 1, "officials_covered": 0, "villages_covered": 0}
