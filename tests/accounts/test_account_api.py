"""/api/v1/accounts/: the accounts a caller looks after, with the same checks as the pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from core.models import Village
from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_list_holds_only_the_callers_accounts(api, dpmd_mukomuko, dpmd_majene, head_suka_pindah, bpjs_tk_mukomuko):
    rows = api(dpmd_mukomuko).get("/api/v1/accounts/").json()

    assert {r["username"] for r in rows} == {"dpmd-mukomuko", "desa-1706012005"}
    head = next(r for r in rows if r["username"] == "desa-1706012005")
    assert (head["role"], head["village"], head["regency"], head["is_active"], head["locked"]) == (
        "village",
        "17.06.01.2005",
        "17.06",
        True,
        False,
    )


@pytest.mark.parametrize("actor", ["head_suka_pindah", "bpjs_tk_mukomuko", "bengkulu_observer"])
def test_other_roles_get_403(request, api, actor):
    assert api(request.getfixturevalue(actor)).get("/api/v1/accounts/").status_code == 403


def test_an_anonymous_caller_gets_401():
    assert APIClient().get("/api/v1/accounts/").status_code == 401


def test_dpmd_creates_a_village_head_and_receives_the_one_time_password(api, dpmd_mukomuko):
    response = api(dpmd_mukomuko).post(
        "/api/v1/accounts/", {"username": "desa-baru", "role": "village", "village": "17.06.01.2005"}, format="json"
    )

    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    body = response.json()
    account = User.objects.get(username="desa-baru")
    assert account.check_password(body["one_time_password"]) and account.must_change_password
    assert body["account"]["village"] == "17.06.01.2005"


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "x1", "role": "village", "village": "76.05.01.2001"},  # a desa of Majene
        {"username": "x2", "role": "dpmd", "regency": "76.05"},  # another regency
        {"username": "x3", "role": "bpjs", "regency": "17.06"},  # a role a DPMD never gives
        {"username": "x4", "role": "dpmd", "regency": "17.06", "is_superuser": True},
        {"username": "x5", "role": "dpmd", "regency": "17.06", "is_staff": True},
    ],
)
def test_escalations_are_refused_and_nothing_is_created(api, dpmd_mukomuko, payload):
    response = api(dpmd_mukomuko).post("/api/v1/accounts/", payload, format="json")

    assert response.status_code in (400, 403) and response.json()
    assert not User.objects.filter(username=payload["username"]).exists()


def test_an_out_of_scope_desa_reads_like_one_that_does_not_exist(api, dpmd_mukomuko):
    client = api(dpmd_mukomuko)
    outside = client.post("/api/v1/accounts/", {"username": "a", "role": "village", "village": "76.05.01.2001"})
    missing = client.post("/api/v1/accounts/", {"username": "a", "role": "village", "village": "99.99.99.9999"})

    assert outside.json()["errors"]["village"][0].replace("76.05.01.2001", "?") == missing.json()["errors"]["village"][
        0
    ].replace("99.99.99.9999", "?")


def test_bulk_creates_heads_for_desa_without_one_and_nothing_twice(api, dpmd_mukomuko, head_suka_pindah, mukomuko):
    client = api(dpmd_mukomuko)
    governed = Village.objects.filter(subdistrict__regency=mukomuko, kind__in=Village.GOVERNED_KINDS).count()

    first = client.post("/api/v1/accounts/bulk/", {"regency": "17.06"}, format="json")
    second = client.post("/api/v1/accounts/bulk/", {"regency": "17.06"}, format="json")

    assert first.status_code == 201 and len(first.json()) == governed - 1
    assert {r["account"]["username"] for r in first.json()} >= {"desa-1706012007"}
    assert second.status_code == 201 and second.json() == []


def test_bulk_for_another_regency_is_refused(api, dpmd_majene):
    response = api(dpmd_majene).post("/api/v1/accounts/bulk/", {"subdistrict": "17.06.01"}, format="json")

    assert response.status_code == 400 and not User.objects.filter(role=Role.VILLAGE).exists()


@pytest.mark.parametrize("action", ["reset-password", "unlock", "deactivate", "reactivate"])
def test_another_regencys_account_is_a_404(api, dpmd_majene, head_suka_pindah, action):
    response = api(dpmd_majene).post(f"/api/v1/accounts/{head_suka_pindah.pk}/{action}/")

    assert response.status_code == 404
    head_suka_pindah.refresh_from_db()
    assert head_suka_pindah.is_active and not head_suka_pindah.must_change_password


def test_reset_deactivate_and_reactivate(api, dpmd_mukomuko, head_suka_pindah):
    client = api(dpmd_mukomuko)

    reset = client.post(f"/api/v1/accounts/{head_suka_pindah.pk}/reset-password/").json()
    head_suka_pindah.refresh_from_db()
    assert head_suka_pindah.check_password(reset["one_time_password"])
    assert client.post(f"/api/v1/accounts/{head_suka_pindah.pk}/deactivate/").json()["is_active"] is False
    assert client.post(f"/api/v1/accounts/{head_suka_pindah.pk}/reactivate/").json()["is_active"] is True


def test_dpmd_cannot_deactivate_itself(api, dpmd_mukomuko):
    response = api(dpmd_mukomuko).post(f"/api/v1/accounts/{dpmd_mukomuko.pk}/deactivate/")

    assert response.status_code == 400
    dpmd_mukomuko.refresh_from_db()
    assert dpmd_mukomuko.is_active


def test_dpmd_cannot_touch_a_bpjs_officer(api, dpmd_mukomuko, bpjs_tk_mukomuko):
    assert api(dpmd_mukomuko).post(f"/api/v1/accounts/{bpjs_tk_mukomuko.pk}/reset-password/").status_code == 404


def test_a_superuser_sees_every_account(api, superuser, head_suka_pindah, bpjs_tk_mukomuko):
    UserFactory(username="pemprov", role=Role.PROVINCE, province_id="17")

    names = {r["username"] for r in api(superuser).get("/api/v1/accounts/").json()}

    assert {"desa-1706012005", "bpjs-tk-mukomuko", "pemprov"} <= names
