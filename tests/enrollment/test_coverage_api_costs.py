"""The coverage API tells what coverage costs a month and who pays it, per program."""

from rest_framework.test import APIClient


def _coverage(user, regency):
    client = APIClient()
    client.force_authenticate(user)
    return client.get("/api/v1/coverage/", {"regency": regency}).json()["programs"]


def test_mukomuko_jkn_costs_139080000_a_month_paid_from_dau(dpmd_mukomuko, demo):
    kes = _coverage(dpmd_mukomuko, "17.06")["bpjs_kesehatan"]

    assert kes["monthly_cost"]["employer"] == 1_220 * 114_000
    assert kes["monthly_cost"]["participant"] == 1_220 * 28_500
    assert kes["funding"] == [
        {"source": "DAU", "name": "DAU (APBD)", "officials": 1_220, "villages": 148, "monthly_employer": 139_080_000}
    ]


def test_mukomuko_ketenagakerjaan_is_paid_from_the_add_of_nine_villages(dpmd_mukomuko, demo):
    tk = _coverage(dpmd_mukomuko, "17.06")["bpjs_ketenagakerjaan"]

    # JKK 0,24% + JKM 0,30% of Rp2.850.000 = Rp15.390 for each of the 97 officials; no worker share.
    assert tk["monthly_cost"] == {"month": tk["monthly_cost"]["month"], "employer": 97 * 15_390, "participant": 0}
    assert [(f["source"], f["officials"], f["villages"]) for f in tk["funding"]] == [("ADD", 97, 9)]


def test_a_bpjs_officer_gets_the_cost_of_their_own_program_only(bpjs_tk_mukomuko, demo):
    assert list(_coverage(bpjs_tk_mukomuko, "17.06")) == ["bpjs_ketenagakerjaan"]
