"""An enrollment counts from the month it started (README, "Contributions and money"): the month of its
start is owed in full, whatever the day. Approval sets the start to the day of approval, so most
enrollments start in the middle of a month.

The figures are Lebong's, a regency of Bengkulu the demo leaves empty, so they are this test's alone: one
official in JKN from DAU at Rp2.850.000, Rp114.000 a month.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Program, Village
from tests.budgets.test_budget_pages import dau_line
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik

NEXT_YEAR = timezone.localdate().year + 1
MONTHLY = 114_000


@pytest.fixture
def started_on_the_15th(lebong, kes):
    """An official of a Lebong desa whose JKN starts on 15 March of next year."""
    desa = Village.objects.filter(subdistrict__regency=lebong, kind=Village.Kind.DESA).order_by("code").first()
    person = PersonFactory(nik=make_nik(7101, prefix="170701"))
    PostFactory(person=person, village=desa, wage_basis=2_850_000)
    enrollment = EnrollmentFactory(person=person, program=kes, start_date=dt.date(NEXT_YEAR, 3, 15))
    enrollment.components.set(kes.components.all())
    return enrollment


def test_the_year_cost_charges_the_month_begun_on_the_15th(started_on_the_15th, dpmd_lebong, login):
    response = login(dpmd_lebong).get(f"/wilayah/17.07/anggaran/?tahun={NEXT_YEAR}")

    dau = dau_line(response)
    assert (dau.officials, dau.whole_year) == (1, 10 * MONTHLY)  # March to December


def test_the_budget_api_charges_the_month_begun_on_the_15th(started_on_the_15th, dpmd_lebong, login):
    response = login(dpmd_lebong).get(f"/api/v1/budgets/?regency=17.07&year={NEXT_YEAR}")

    lines = response.json()["lines"]
    (dau,) = [line for line in lines if (line["program"], line["source"]) == (Program.KESEHATAN, "DAU")]
    assert dau["whole_year_cost"] == 10 * MONTHLY
