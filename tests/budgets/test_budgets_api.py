"""Budgets API under /api/v1/: budgets of a regency and a desa, payments, scenarios and one enrollment's
contribution, scoped like the pages (404 outside the scope, 403 when a read-only role writes)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from budgets.models import Payment, Scenario, VillageFund
from core.models import Program
from enrollment.models import Enrollment
from tests.budgets import test_budget_pages as pages
from tests.budgets.test_budget_pages import TINY, count_queries, tk_village

MUKOMUKO, MAJENE = "17.06", "76.05"
KES, TK = Program.KESEHATAN, Program.KETENAGAKERJAAN
TODAY = timezone.localdate()
YEAR = TODAY.year

tiny, dpmd_tiny = pages.tiny, pages.dpmd_tiny


@pytest.fixture(autouse=True)
def _no_payments(db):
    """Each test starts from no payments at all (the session demo may have recorded its own)."""
    Payment.objects.all().delete()


def api_line(lines: list[dict], program: str, source: str) -> dict:
    return next(x for x in lines if x["program"] == program and x["source"] == source)


def mukomuko_jkn() -> Enrollment:
    return Enrollment.objects.filter(
        program=KES, status="active", person__posts__village__subdistrict__regency=MUKOMUKO
    ).first()


# --- budgets -----------------------------------------------------------------------------------------


def test_the_regency_budget_gives_pagu_whole_year_cost_and_982_percent(demo, dpmd_mukomuko, login):
    from budgets.models import Allocation

    # Without the demo's ADD pagu of the 9 desa, their line carries the "no allocation" warning.
    Allocation.objects.filter(fiscal_year=YEAR, village__isnull=False, program_id=TK, source_id="ADD").delete()
    response = login(dpmd_mukomuko).get(f"/api/v1/budgets/?regency={MUKOMUKO}&year={YEAR}")

    assert response.status_code == 200
    data = response.json()
    dau = api_line(data["lines"], KES, "DAU")
    assert dau["allocation"] == 1_700_000_000
    assert dau["whole_year_cost"] == 1_668_960_000
    assert dau["whole_year_pct"] == 98.2
    assert dau["monthly_cost"] == 139_080_000
    assert dau["remaining"] == 1_700_000_000 - dau["realization"] - dau["commitment"]
    assert data["remaining_months"] == list(range(TODAY.month, 13))
    add = api_line(data["village_lines"], TK, "ADD")
    assert (add["villages"], add["officials"], add["warning"]) == (9, 97, "no_allocation")
    assert add["warning_message"]


def test_the_budget_warns_when_realization_and_commitment_exceed_the_allocation(demo, dpmd_mukomuko, login):
    from budgets.models import Allocation
    from demo.budgets import payments_for_demo

    payments_for_demo(TODAY)
    Allocation.objects.filter(regency=MUKOMUKO, fiscal_year=YEAR, source="DAU").update(amount=1_000_000_000)

    dau = api_line(login(dpmd_mukomuko).get(f"/api/v1/budgets/?regency={MUKOMUKO}").json()["lines"], KES, "DAU")

    assert dau["warning"] == "over_allocation"
    assert dau["remaining"] == 1_000_000_000 - 1_668_960_000


def test_the_budget_needs_a_regency_and_a_real_year(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    assert client.get("/api/v1/budgets/").status_code == 400
    assert client.get(f"/api/v1/budgets/?regency={MUKOMUKO}&year=dua").status_code == 400


def test_the_village_budget_gives_the_apbdes_accounts(demo, dpmd_mukomuko, login):
    village = tk_village()

    data = login(dpmd_mukomuko).get(f"/api/v1/budgets/village/{village.code}/?year={YEAR}").json()

    accounts = {a["code"]: a for a in data["accounts"]}
    assert accounts["5.1.3.03"]["officials"] == 1
    assert accounts["5.1.3.03"]["monthly_cost"] == 15_390
    assert accounts["5.1.3"]["monthly_cost"] == api_line(data["lines"], TK, "ADD")["monthly_cost"]
    assert api_line(data["regency_lines"], KES, "DAU")["monthly_cost"] == accounts["5.1.3"]["officials"] * 114_000


def test_budgets_of_another_regency_or_desa_are_404(demo, dpmd_majene, head_arah_tiga, suka_pindah, login):
    assert login(dpmd_majene).get(f"/api/v1/budgets/?regency={MUKOMUKO}").status_code == 404
    assert login(dpmd_majene).get(f"/api/v1/budgets/village/{suka_pindah.code}/").status_code == 404
    assert login(head_arah_tiga).get(f"/api/v1/budgets/village/{suka_pindah.code}/").status_code == 404
    assert login(head_arah_tiga).get(f"/api/v1/budgets/?regency={MUKOMUKO}").status_code == 404


def test_anonymous_callers_are_refused(demo, client):
    assert client.get(f"/api/v1/budgets/?regency={MUKOMUKO}").status_code == 401


def test_the_budget_api_costs_as_many_queries_for_mukomuko_as_for_ten_desa(demo, tiny, dpmd_tiny, dpmd_mukomuko, login):
    small = count_queries(login(dpmd_tiny), f"/api/v1/budgets/?regency={TINY}")
    large = count_queries(login(dpmd_mukomuko), f"/api/v1/budgets/?regency={MUKOMUKO}")

    assert large == small <= 12


# --- payments ----------------------------------------------------------------------------------------


def payment(**overrides) -> dict:
    return {
        "regency": MUKOMUKO,
        "fiscal_year": YEAR,
        "month": 1,
        "program": KES,
        "source": "DAU",
        "amount": 139_080_000,
        "paid_on": f"{YEAR}-01-08",
        "reference": "SP2D-01",
        **overrides,
    }


def test_dpmd_records_a_payment(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post("/api/v1/payments/", payment(), content_type="application/json")

    assert response.status_code == 201
    data = response.json()
    assert (data["regency"], data["month"], data["amount"], data["recorded_by"]) == (
        MUKOMUKO,
        1,
        139_080_000,
        "dpmd-mukomuko",
    )
    assert Payment.objects.get(pk=data["id"]).recorded_by == dpmd_mukomuko


def test_a_village_head_records_their_desa_payment_but_not_a_regency_source(demo, head_suka_pindah, suka_pindah, login):
    client = login(head_suka_pindah)
    add = payment(regency="", village=suka_pindah.code, program=TK, source="ADD", amount=15_390)

    assert client.post("/api/v1/payments/", add, content_type="application/json").status_code == 201
    wrong = client.post("/api/v1/payments/", {**add, "source": "DAU"}, content_type="application/json")
    assert wrong.status_code == 400
    assert "source" in wrong.json()["errors"]


def test_an_invalid_payment_is_a_400_with_the_field(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post(
        "/api/v1/payments/", payment(month=13, amount="banyak"), content_type="application/json"
    )

    assert response.status_code == 400
    assert {"month", "amount"} <= set(response.json()["errors"])
    assert not Payment.objects.exists()


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_read_payments_but_recording_is_403(demo, actor, login, request):
    client = login(request.getfixturevalue(actor))

    assert client.get(f"/api/v1/payments/?regency={MUKOMUKO}").status_code == 200
    response = client.post("/api/v1/payments/", payment(program=TK), content_type="application/json")
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_payments_of_another_regency_or_desa_are_404(demo, dpmd_majene, head_arah_tiga, suka_pindah, login):
    assert login(dpmd_majene).post("/api/v1/payments/", payment(), content_type="application/json").status_code == 404
    village = payment(regency="", village=suka_pindah.code, program=TK, source="ADD")
    response = login(head_arah_tiga).post("/api/v1/payments/", village, content_type="application/json")
    assert response.status_code == 404


def test_the_payment_list_holds_only_what_the_caller_may_see(
    demo, dpmd_mukomuko, dpmd_majene, head_arah_tiga, suka_pindah, login
):
    login(dpmd_mukomuko).post("/api/v1/payments/", payment(), content_type="application/json")

    assert login(dpmd_mukomuko).get(f"/api/v1/payments/?year={YEAR}").json()["count"] == 1
    assert login(dpmd_mukomuko).get(f"/api/v1/payments/?regency={MUKOMUKO}").json()["count"] == 1
    assert login(dpmd_majene).get("/api/v1/payments/").json()["count"] == 0
    assert login(dpmd_majene).get(f"/api/v1/payments/?regency={MUKOMUKO}").status_code == 404
    assert login(head_arah_tiga).get(f"/api/v1/payments/?village={suka_pindah.code}").status_code == 404


# --- scenarios ---------------------------------------------------------------------------------------


def scenario(**overrides) -> dict:
    return {
        "regency": MUKOMUKO,
        "name": "JKK+JKM dari ADD",
        "program": TK,
        "components": [],
        "source": "ADD",
        "start_month": f"{YEAR}-07",
        "add_share_threshold": "5",
        **overrides,
    }


def test_dpmd_saves_a_scenario_and_gets_its_figures(demo, dpmd_mukomuko, login):
    # The demo enters every Mukomuko desa's ADD; here none is known, so all 139 desa are listed without.
    VillageFund.objects.filter(village__subdistrict__regency=MUKOMUKO, fiscal_year=YEAR).delete()
    client = login(dpmd_mukomuko)
    created = client.post("/api/v1/scenarios/", scenario(components=["JHT"]), content_type="application/json")

    assert created.status_code == 201
    assert created.json()["components"] == ["JKK", "JKM", "JHT"]
    data = client.get(f"/api/v1/scenarios/{created.json()['id']}/").json()
    figures = data["figures"]
    assert figures["total"]["officials"] == 1_123
    assert figures["total"]["employer_month"] == 1_123 * (15_390 + 105_450)
    assert figures["total"]["participant_month"] == 1_123 * 57_000
    assert figures["months_to_december"] == 6
    assert figures["employer_rate_pct"] == "4.24"
    assert sum(s["employer_month"] for s in figures["subdistricts"]) == figures["total"]["employer_month"]
    assert figures["add"]["threshold_pct"] == "5.00"
    assert len(figures["add"]["villages_without_add"]) == 139


def test_the_scenario_list_holds_only_the_callers_regency(demo, dpmd_mukomuko, dpmd_majene, login):
    login(dpmd_mukomuko).post("/api/v1/scenarios/", scenario(), content_type="application/json")

    assert login(dpmd_mukomuko).get("/api/v1/scenarios/").json()["count"] == 1
    assert login(dpmd_mukomuko).get(f"/api/v1/scenarios/?regency={MUKOMUKO}").json()["count"] == 1
    assert login(dpmd_majene).get("/api/v1/scenarios/").json()["count"] == 0
    assert login(dpmd_majene).get(f"/api/v1/scenarios/?regency={MUKOMUKO}").status_code == 404


def test_scenarios_of_another_regency_are_404(demo, dpmd_mukomuko, dpmd_majene, head_suka_pindah, login):
    pk = login(dpmd_mukomuko).post("/api/v1/scenarios/", scenario(), content_type="application/json").json()["id"]

    assert login(dpmd_majene).get(f"/api/v1/scenarios/{pk}/").status_code == 404
    assert login(head_suka_pindah).get(f"/api/v1/scenarios/{pk}/").status_code == 404
    response = login(dpmd_majene).post("/api/v1/scenarios/", scenario(), content_type="application/json")
    assert response.status_code == 404


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_read_scenarios_but_saving_is_403(demo, dpmd_mukomuko, actor, login, request):
    pk = login(dpmd_mukomuko).post("/api/v1/scenarios/", scenario(), content_type="application/json").json()["id"]
    client = login(request.getfixturevalue(actor))

    assert client.get(f"/api/v1/scenarios/{pk}/").status_code == 200
    assert client.post("/api/v1/scenarios/", scenario(), content_type="application/json").status_code == 403
    assert Scenario.objects.count() == 1


def test_an_invalid_scenario_is_a_400(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post(
        "/api/v1/scenarios/", scenario(start_month="Juli", components=["XYZ"]), content_type="application/json"
    )

    assert response.status_code == 400
    assert {"start_month", "components"} <= set(response.json()["errors"])


# --- one enrollment's contribution -------------------------------------------------------------------


def test_the_contribution_of_a_mukomuko_jkn_enrollment_in_january(demo, dpmd_mukomuko, login):
    enrollment = mukomuko_jkn()

    response = login(dpmd_mukomuko).get(f"/api/v1/contributions/?enrollment={enrollment.pk}&month={YEAR}-01")

    assert response.status_code == 200
    data = response.json()
    assert (data["employer"], data["participant"], data["total"]) == (114_000, 28_500, 142_500)
    assert data["funding_source"] == {"code": "DAU", "name": "DAU (APBD)", "level": "regency"}
    (jkn,) = data["lines"]
    assert (jkn["component"], jkn["wage_basis"], jkn["employer"], jkn["participant"]) == (
        "JKN",
        2_850_000,
        114_000,
        28_500,
    )
    assert jkn["employer_rate"] == "0.040000"
    assert data["rounding"]


def test_the_contribution_month_must_be_yyyy_mm(demo, dpmd_mukomuko, login):
    enrollment = mukomuko_jkn()

    response = login(dpmd_mukomuko).get(f"/api/v1/contributions/?enrollment={enrollment.pk}&month=Januari")

    assert response.status_code == 400
    assert "month" in response.json()["errors"]


def test_the_contribution_of_an_enrollment_out_of_scope_is_404(demo, dpmd_majene, bpjs_tk_mukomuko, login):
    enrollment = mukomuko_jkn()

    assert login(dpmd_majene).get(f"/api/v1/contributions/?enrollment={enrollment.pk}").status_code == 404
    # A BPJS Ketenagakerjaan officer of Mukomuko does not see JKN enrollments.
    assert login(bpjs_tk_mukomuko).get(f"/api/v1/contributions/?enrollment={enrollment.pk}").status_code == 404
