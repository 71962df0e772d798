"""The officials-file API: /api/v1/villages/<code>/imports/, /api/v1/imports/<token>/ (+ confirm/, discard/),
scoped exactly like the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.nik import mask_nik
from core.roles import Role
from tests.factories import PersonFactory, PostFactory
from tests.villages.test_roster_import import (
    NOT_A_SPREADSHEET,
    SUKA_PINDAH,
    db_state,
    in_indonesian,
    nik,
    official,
    xlsx,
)
from villages.models import Post, RosterImport


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.ROSTER_IMPORT_INLINE_ROWS = 500


def post_file(client, content: bytes, *, code: str = SUKA_PINDAH, name: str = "perangkat.xlsx", regency=False):
    url = f"/api/v1/regencies/{code}/imports/" if regency else f"/api/v1/villages/{code}/imports/"
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, format="multipart")


@pytest.fixture
def budi(suka_pindah):
    return PostFactory(village=suka_pindah, person=PersonFactory(full_name="Budi Saputra", nik=nik(1)))


def test_village_head_uploads_a_file_and_gets_the_preview(budi, head_suka_pindah, api):
    response = post_file(api(head_suka_pindah), xlsx([official(nik(3), "Dedi Gunawan")]))

    assert response.status_code == 201
    data = response.json()
    assert len(data["token"]) == 32
    assert (data["status"], data["progress"], data["village"], data["regency"]) == (
        "preview",
        100,
        SUKA_PINDAH,
        "17.06",
    )
    assert data["preview"]["counts"]["new"] == 1
    assert data["preview"]["new"][0]["nik"] == mask_nik(nik(3))
    assert nik(3) not in response.content.decode()
    assert "digest" not in data["preview"] and "language" not in data["preview"]


def test_the_import_can_be_read_back_confirmed_once_and_not_discarded_after(head_suka_pindah, api):
    client = api(head_suka_pindah)
    token = post_file(client, xlsx([official(nik(3), "Dedi Gunawan")])).json()["token"]

    assert client.get(f"/api/v1/imports/{token}/").json()["status"] == "preview"
    response = client.post(f"/api/v1/imports/{token}/confirm/")
    assert response.status_code == 200
    assert response.json()["status"] == "applied"
    assert Post.objects.filter(person__full_name="Dedi Gunawan", village_id=SUKA_PINDAH).exists()

    again = client.post(f"/api/v1/imports/{token}/confirm/")
    assert again.status_code == 409
    assert again.json()["detail"] == in_indonesian("This file has already been confirmed.")
    assert client.post(f"/api/v1/imports/{token}/discard/").status_code == 409


def test_discard_through_the_api(head_suka_pindah, api):
    client = api(head_suka_pindah)
    token = post_file(client, xlsx([official(nik(3), "Dedi Gunawan")])).json()["token"]
    before = db_state()

    response = client.post(f"/api/v1/imports/{token}/discard/")

    assert response.status_code == 200
    assert response.json()["status"] == "discarded"
    assert db_state() == before


def test_a_file_that_cannot_be_read_is_a_400_with_the_message(budi, head_suka_pindah, api):
    before = db_state()

    response = post_file(api(head_suka_pindah), b"%PDF-1.4 bukan excel", name="perangkat.pdf")

    assert response.status_code == 400
    [message] = response.json()["errors"]["file"]
    assert message == in_indonesian(NOT_A_SPREADSHEET)
    assert db_state() == before
    assert not RosterImport.objects.exists()


def test_row_errors_come_back_in_the_preview(head_suka_pindah, api):
    response = post_file(api(head_suka_pindah), xlsx([official(nik(3), "Dedi", sex="X")]))

    data = response.json()
    assert response.status_code == 201
    assert data["status"] == "invalid"
    assert data["preview"]["errors"] == [
        {"row": 2, "column": "Jenis Kelamin (L/P)", "message": in_indonesian("Write L (male) or P (female).")}
    ]


def test_dpmd_uploads_a_regency_file(dpmd_mukomuko, api):
    rows = [official(nik(3), "Dedi", village=SUKA_PINDAH), official(nik(4), "Eko", village="17.06.01.2007")]

    response = post_file(api(dpmd_mukomuko), xlsx(rows, regency=True), code="17.06", regency=True)

    assert response.status_code == 201
    assert (response.json()["village"], response.json()["preview"]["counts"]["new"]) == (None, 2)


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_get_403_on_writes_and_404_on_imports(actor, request, head_suka_pindah, api):
    token = post_file(api(head_suka_pindah), xlsx([official(nik(3))])).json()["token"]
    client = api(request.getfixturevalue(actor))

    assert post_file(client, xlsx([official(nik(4))])).status_code == 403
    assert post_file(client, xlsx([official(nik(4))], regency=True), code="17.06", regency=True).status_code == 403
    assert client.post(f"/api/v1/imports/{token}/confirm/").status_code == 403
    assert client.post(f"/api/v1/imports/{token}/discard/").status_code == 403
    assert client.get(f"/api/v1/imports/{token}/").status_code == 404
    assert RosterImport.objects.get().status == "preview"


def test_out_of_scope_is_404(head_suka_pindah, head_arah_tiga, dpmd_majene, api):
    token = post_file(api(head_suka_pindah), xlsx([official(nik(3))])).json()["token"]

    for user in (head_arah_tiga, dpmd_majene):
        client = api(user)
        assert post_file(client, xlsx([official(nik(4))])).status_code == 404
        assert client.get(f"/api/v1/imports/{token}/").status_code == 404
        assert client.post(f"/api/v1/imports/{token}/confirm/").status_code == 404
        assert client.post(f"/api/v1/imports/{token}/discard/").status_code == 404
    assert (
        post_file(api(head_suka_pindah), xlsx([official(nik(4))], regency=True), code="17.06", regency=True).status_code
        == 404
    )
    assert RosterImport.objects.count() == 1


def test_anonymous_callers_are_refused(head_suka_pindah, api):
    token = post_file(api(head_suka_pindah), xlsx([official(nik(3))])).json()["token"]

    assert post_file(api(), xlsx([official(nik(4))])).status_code in (401, 403)
    assert api().get(f"/api/v1/imports/{token}/").status_code in (401, 403)
    assert api().post(f"/api/v1/imports/{token}/confirm/").status_code in (401, 403)
    assert RosterImport.objects.get().status == "preview"


def test_a_large_file_is_accepted_and_checked_later(
    head_suka_pindah, api, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_IMPORT_INLINE_ROWS = 1
    client = api(head_suka_pindah)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, xlsx([official(nik(3), "Dedi"), official(nik(4), "Eko")]))
    token = response.json()["token"]
    assert response.json()["status"] == "uploaded"  # as it was when the request answered
    assert client.get(f"/api/v1/imports/{token}/").json()["preview"]["counts"]["new"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(f"/api/v1/imports/{token}/confirm/")
    assert accepted.status_code == 202
    assert client.get(f"/api/v1/imports/{token}/").json()["status"] == "applied"


# --- a DPMD regency file: only DPMD staff of the regency confirm or discard it --------------------------


def regency_file(client) -> str:
    rows = [official(nik(3), "Dedi", village=SUKA_PINDAH), official(nik(4), "Eko", village="17.06.01.2007")]
    return post_file(client, xlsx(rows, regency=True), code="17.06", regency=True).json()["token"]


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_neither_confirm_nor_discard_a_dpmd_regency_file(actor, request, dpmd_mukomuko, api, login):
    token = regency_file(api(dpmd_mukomuko))
    before = db_state()
    reader, page = api(request.getfixturevalue(actor)), login(request.getfixturevalue(actor))

    refused = [
        reader.post(f"/api/v1/imports/{token}/confirm/").status_code,
        reader.post(f"/api/v1/imports/{token}/discard/").status_code,
        page.post(f"/impor/{token}/konfirmasi/").status_code,
        page.post(f"/impor/{token}/batal/").status_code,
    ]

    assert refused == [403] * 4
    assert RosterImport.objects.get(token=token).status == "preview"
    assert db_state() == before


@pytest.mark.parametrize("how", ["api", "page"])
def test_dpmd_staff_made_observer_can_no_longer_confirm_or_discard_their_regency_file(
    how, dpmd_mukomuko, mukomuko, api, login
):
    token = regency_file(api(dpmd_mukomuko))
    before = db_state()
    dpmd_mukomuko.role, dpmd_mukomuko.regency, dpmd_mukomuko.province = Role.PROVINCE, None, mukomuko.province
    dpmd_mukomuko.save()
    client = api(dpmd_mukomuko) if how == "api" else login(dpmd_mukomuko)
    confirm, discard = (
        (f"/api/v1/imports/{token}/confirm/", f"/api/v1/imports/{token}/discard/")
        if how == "api"
        else (f"/impor/{token}/konfirmasi/", f"/impor/{token}/batal/")
    )

    assert (client.post(confirm).status_code, client.post(discard).status_code) == (403, 403)
    assert RosterImport.objects.get(token=token).status == "preview"
    assert db_state() == before
