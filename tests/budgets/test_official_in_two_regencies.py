"""An official is charged once, to the regency of their main post (villages.models.MAIN_POST_ORDER), even
where older data gives them posts in two regencies: the kepala dusun of a Lebong desa at Rp2.850.000 who
is also Plt in Suka Pindah (Mukomuko) at Rp2.000.000 costs Lebong Rp114.000 a month and Mukomuko nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.models import Program, Village
from tests.factories import EnrollmentFactory, PersonFactory, make_nik
from villages.models import Position, Post

YEAR = timezone.localdate().year
MONTHLY = 114_000  # 4% of Rp2.850.000


def official_in_lebong_and_mukomuko(lebong, suka_pindah, kes):
    """Posts written straight to the database, as data from before the one-regency rule would be."""
    desa = Village.objects.filter(subdistrict__regency=lebong, kind=Village.Kind.DESA).order_by("code").first()
    person = PersonFactory(full_name="Budi Dua Kabupaten", nik=make_nik(7201, prefix="170701"))
    start = dt.date(2020, 1, 1)
    Post.objects.create(
        person=person, village=desa, position=Position.KEPALA_DUSUN, term_start=start, wage_basis=2_850_000
    )
    Post.objects.create(
        person=person,
        village=suka_pindah,
        position=Position.KASI_PELAYANAN,
        status=Post.Status.PLT,
        term_start=start,
        wage_basis=2_000_000,
    )
    enrollment = EnrollmentFactory(person=person, program=kes, start_date=dt.date(YEAR - 1, 1, 1))
    enrollment.components.set(kes.components.all())
    return person


def budget_lines(client, regency: str) -> dict:
    data = client.get(f"/api/v1/budgets/?regency={regency}&year={YEAR}").json()
    return {(x["program"], x["source"]): x for x in data["lines"] + data["village_lines"]}


def coverage_cost(client, regency: str) -> dict:
    return client.get("/api/v1/coverage/", {"regency": regency}).json()["programs"][Program.KESEHATAN]["monthly_cost"]


def test_the_budgets_charge_the_official_to_the_regency_of_the_main_post_only(
    lebong, suka_pindah, kes, dpmd_lebong, dpmd_mukomuko, login
):
    mukomuko_before = budget_lines(login(dpmd_mukomuko), "17.06")

    official_in_lebong_and_mukomuko(lebong, suka_pindah, kes)

    lebong_dau = budget_lines(login(dpmd_lebong), "17.07")[(Program.KESEHATAN, "DAU")]
    assert (lebong_dau["officials"], lebong_dau["monthly_cost"]) == (1, MONTHLY)
    assert budget_lines(login(dpmd_mukomuko), "17.06") == mukomuko_before


def test_the_coverage_api_costs_the_official_to_the_regency_of_the_main_post_only(
    lebong, suka_pindah, kes, dpmd_lebong, dpmd_mukomuko, login
):
    mukomuko_before = coverage_cost(login(dpmd_mukomuko), "17.06")

    official_in_lebong_and_mukomuko(lebong, suka_pindah, kes)

    assert coverage_cost(login(dpmd_lebong), "17.07")["employer"] == MONTHLY
    assert coverage_cost(login(dpmd_mukomuko), "17.06") == mukomuko_before
