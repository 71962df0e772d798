"""Scope is total: a request outside the user's scope is a 404 on every page, endpoint and the KTP
file; a BPJS officer confirms their own program's part only, whoever calls the service; read-only roles
act on nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from changes.models import DataChangeRequest, ProgramConfirmation
from changes.services import data_change_check, data_change_confirm, data_change_request
from core.roles import Role
from tests.changes.conftest import NEW_NIK, ktp
from tests.factories import UserFactory


@pytest.fixture
def change(post, head_suka_pindah):
    return data_change_request(
        actor=head_suka_pindah, post=post, reason="KTP baru", nik=NEW_NIK, full_name="Budi Santoso", ktp=ktp()
    )


@pytest.fixture
def approved(change, dpmd_mukomuko):
    return data_change_check(actor=dpmd_mukomuko, request=change, approve=True)


@pytest.fixture
def bpjs_tk_majene(majene, tk):
    user = UserFactory(username="bpjs-tk-majene", role=Role.BPJS, program=tk)
    user.branch_regencies.set([majene])
    return user


OUTSIDE = ["head_arah_tiga", "dpmd_majene", "bpjs_kes_majene", "bpjs_tk_majene", "bpjs_kes_mukomuko"]


@pytest.mark.parametrize("actor", OUTSIDE)
def test_a_request_outside_the_scope_is_a_404_everywhere(approved, request, login, api, actor):
    user = request.getfixturevalue(actor)
    client, rest = login(user), api(user)
    pk = approved.pk

    assert client.get(f"/perubahan-data/{pk}/").status_code == 404
    assert client.get(f"/perubahan-data/{pk}/ktp/").status_code == 404
    for step in ("periksa", "konfirmasi", "tarik"):
        assert client.post(f"/perubahan-data/{pk}/{step}/", {"decision": "approve"}).status_code == 404
    assert rest.get(f"/api/v1/data-changes/{pk}/").status_code == 404
    for step in ("check", "confirm"):
        assert rest.post(f"/api/v1/data-changes/{pk}/{step}/", {"decision": "approve"}).status_code == 404
    assert rest.get("/api/v1/data-changes/").json()["results"] == []
    assert NEW_NIK not in client.get("/perubahan-data/").content.decode()
    approved.refresh_from_db()
    assert approved.status == DataChangeRequest.Status.WAITING_BPJS


@pytest.mark.parametrize("actor", ["head_arah_tiga", "dpmd_majene", "bpjs_tk_mukomuko", "bengkulu_observer"])
def test_asking_for_an_official_outside_the_scope_or_read_only_is_refused(post, request, login, api, actor):
    user = request.getfixturevalue(actor)
    expected = 403 if actor in ("bpjs_tk_mukomuko", "bengkulu_observer") else 404

    page = login(user).post(f"/jabatan/{post.pk}/perubahan-data/", {"full_name": "X Y", "reason": "r"})
    rest = api(user).post("/api/v1/data-changes/", {"post": post.pk, "full_name": "X Y", "reason": "r"})

    assert (page.status_code, rest.status_code) == (expected, expected)
    assert not DataChangeRequest.objects.exists()


def test_an_officer_of_another_program_cannot_confirm_its_part_even_calling_the_service(
    post, also_kes, head_suka_pindah, dpmd_mukomuko, bpjs_tk_mukomuko, bpjs_kes_mukomuko, api
):
    change = data_change_request(actor=head_suka_pindah, post=post, reason="salah ketik", full_name="Budi Santoso")
    data_change_check(actor=dpmd_mukomuko, request=change, approve=True)

    with pytest.raises(PermissionDenied):
        data_change_confirm(actor=bpjs_kes_mukomuko, request=change, confirm=True, program_id="bpjs_ketenagakerjaan")
    body = {"decision": "reject", "note": "x", "program": "bpjs_ketenagakerjaan"}
    sent = api(bpjs_kes_mukomuko).post(f"/api/v1/data-changes/{change.pk}/confirm/", body)

    assert sent.status_code == 403
    tk_part = change.confirmations.get(program="bpjs_ketenagakerjaan")
    assert (tk_part.status, tk_part.decided_by) == (ProgramConfirmation.Status.WAITING, None)
    change.refresh_from_db()
    assert change.status == DataChangeRequest.Status.WAITING_BPJS


def test_an_officer_whose_branch_does_not_cover_the_regency_cannot_confirm_by_the_service(approved, bpjs_tk_majene):
    with pytest.raises(PermissionDenied):
        data_change_confirm(actor=bpjs_tk_majene, request=approved, confirm=True)

    assert approved.confirmations.get().status == ProgramConfirmation.Status.WAITING


def test_the_observer_reads_but_acts_on_nothing_and_sees_no_ktp(change, approved, bengkulu_observer, login, api):
    client = login(bengkulu_observer)

    detail = client.get(f"/perubahan-data/{change.pk}/")
    assert detail.status_code == 200
    assert NEW_NIK not in detail.content.decode()  # masked for an observer
    assert client.get(f"/perubahan-data/{change.pk}/ktp/").status_code == 403
    assert client.post(f"/perubahan-data/{change.pk}/konfirmasi/", {"decision": "approve"}).status_code == 403
    assert client.post(f"/perubahan-data/{change.pk}/tarik/").status_code == 403
    rest = api(bengkulu_observer)
    assert rest.post(f"/api/v1/data-changes/{change.pk}/confirm/", {"decision": "approve"}).status_code == 403
    assert NEW_NIK not in rest.get(f"/api/v1/data-changes/{change.pk}/").content.decode()
    change.refresh_from_db()
    assert change.status == DataChangeRequest.Status.WAITING_BPJS


def test_dpmd_checks_but_does_not_confirm_and_the_village_head_does_neither(
    change, head_suka_pindah, dpmd_mukomuko, login
):
    head, dpmd = login(head_suka_pindah), login(dpmd_mukomuko)

    assert head.post(f"/perubahan-data/{change.pk}/periksa/", {"decision": "approve"}).status_code == 403
    dpmd.post(f"/perubahan-data/{change.pk}/periksa/", {"decision": "approve"})
    assert dpmd.post(f"/perubahan-data/{change.pk}/konfirmasi/", {"decision": "approve"}).status_code == 403
    assert head.post(f"/perubahan-data/{change.pk}/konfirmasi/", {"decision": "approve"}).status_code == 403
    change.refresh_from_db()
    assert change.status == DataChangeRequest.Status.WAITING_BPJS


def test_the_official_page_shows_no_request_history_outside_the_scope(change, person, dpmd_majene, login):
    response = login(dpmd_majene).get(f"/perangkat/{person.pk}/")

    assert response.status_code == 404


def test_the_admin_shows_requests_to_the_superuser_only_and_changes_nothing(change, superuser, dpmd_mukomuko, login):
    url = f"/admin/changes/datachangerequest/{change.pk}/change/"
    dpmd_mukomuko.is_staff = True
    dpmd_mukomuko.save()

    assert login(superuser).get("/admin/changes/datachangerequest/").status_code == 200
    assert login(superuser).post(url, {"status": "confirmed"}).status_code == 403
    assert login(dpmd_mukomuko).get(url).status_code in (302, 403)
    change.refresh_from_db()
    assert change.status == DataChangeRequest.Status.WAITING_DPMD
