"""Review and reconciliation API (issue "BPJS review, reconciliation", part 5), scoped like the pages:
the other program's or regency's officer gets a 404, DPMD writing to the queue a 403, no credentials a 401."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from bpjs.models import Reconciliation
from core.models import Village
from enrollment.models import Enrollment
from tests.bpjs.review_support import KPJ_NUMBER, jkn, kpj, request_enrollment, xlsx_bytes
from tests.factories import PersonFactory, make_nik

Status = Enrollment.Status
MAJENE_DESA = "76.05.02.2003"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def majene_desa(regions):
    return Village.objects.get(pk=MAJENE_DESA)


@pytest.fixture
def tk_requests(tk, suka_pindah, arah_tiga):
    return [request_enrollment(tk, suka_pindah), request_enrollment(tk, arah_tiga)]


# --- the queue ---------------------------------------------------------------------------------------


def test_queue_is_grouped_by_village(tk_requests, bpjs_tk_mukomuko):
    response = api(bpjs_tk_mukomuko).get("/api/v1/review/queue/?regency=17.06")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(v["code"], v["subdistrict"]["name"]) for v in body["villages"]] == [
        ("17.06.01.2005", "Lubuk Pinang"),
        ("17.06.01.2007", "Lubuk Pinang"),
    ]
    row = body["villages"][0]["enrollments"][0]
    assert row["id"] == tk_requests[0].pk
    assert row["person"]["nik"] == tk_requests[0].person.nik
    assert (row["post"], row["wage_basis"], row["components"]) == ("Kepala Dusun", 2_850_000, ["JKK", "JKM"])


def test_dpmd_reads_the_queue_of_their_regency(tk_requests, dpmd_mukomuko):
    assert api(dpmd_mukomuko).get("/api/v1/review/queue/").json()["count"] == 2


@pytest.mark.parametrize("query", ["?regency=17.06", "?program=bpjs_ketenagakerjaan", "?village=17.06.01.2005"])
def test_queue_outside_the_scope_is_a_404(tk_requests, bpjs_kes_majene, query):
    assert api(bpjs_kes_majene).get(f"/api/v1/review/queue/{query}").status_code == 404


def test_village_heads_get_403_and_anonymous_401(tk_requests, head_suka_pindah):
    assert api(head_suka_pindah).get("/api/v1/review/queue/").status_code == 403
    assert api().get("/api/v1/review/queue/").status_code == 401
    assert api().post("/api/v1/review/approve/", {}, format="json").status_code == 401
    assert api().get("/api/v1/reconciliations/abc/").status_code == 401


# --- approving and rejecting -------------------------------------------------------------------------


def test_approve_activates_every_item(tk_requests, bpjs_tk_mukomuko):
    items = [
        {"enrollment": tk_requests[0].pk, "participant_number": kpj(1), "start_date": "2026-02-01"},
        {"enrollment": tk_requests[1].pk, "participant_number": "1234567890"},
    ]

    response = api(bpjs_tk_mukomuko).post("/api/v1/review/approve/", {"items": items}, format="json")

    assert response.status_code == 200
    assert [e["status"] for e in response.json()["approved"]] == ["active", "active"]
    assert response.json()["approved"][0]["start_date"] == "2026-02-01"
    assert [w["index"] for w in response.json()["warnings"]] == [1]  # a KPJ of 10 digits: checked, not refused


def test_approve_with_bad_numbers_is_a_400_row_by_row_and_applies_nothing(kes, majene_desa, bpjs_kes_majene):
    good, bad = (request_enrollment(kes, majene_desa) for _ in range(2))
    items = [
        {"enrollment": good.pk, "participant_number": jkn(1)},
        {"enrollment": bad.pk, "participant_number": "12345"},
    ]

    response = api(bpjs_kes_majene).post("/api/v1/review/approve/", {"items": items}, format="json")

    assert response.status_code == 400
    assert [(r["index"], r["enrollment"], r["field"]) for r in response.json()["rows"]] == [
        (1, bad.pk, "participant_number")
    ]
    good_item, bad_item = response.json()["errors"]["items"]  # the API's one format, shaped like the input
    assert (good_item, list(bad_item)) == ({}, ["participant_number"])
    assert Enrollment.objects.filter(pk__in=[good.pk, bad.pk], status=Status.REQUESTED).count() == 2


def test_approving_another_programs_request_is_a_404_and_dpmd_gets_403(tk_requests, bpjs_kes_majene, dpmd_mukomuko):
    items = [{"enrollment": tk_requests[0].pk, "participant_number": KPJ_NUMBER}]

    assert api(bpjs_kes_majene).post("/api/v1/review/approve/", {"items": items}, format="json").status_code == 404
    assert api(dpmd_mukomuko).post("/api/v1/review/approve/", {"items": items}, format="json").status_code == 403
    assert Enrollment.objects.get(pk=tk_requests[0].pk).status == Status.REQUESTED


def test_reject_keeps_the_reason(tk_requests, bpjs_tk_mukomuko):
    response = api(bpjs_tk_mukomuko).post(
        "/api/v1/review/reject/", {"enrollment": tk_requests[0].pk, "reason": "NIK tidak terdaftar di Dukcapil"}
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejection_reason"]) == (
        "rejected",
        "NIK tidak terdaftar di Dukcapil",
    )


def test_reject_needs_a_reason_and_scope(tk_requests, bpjs_tk_mukomuko, bpjs_kes_majene, dpmd_mukomuko):
    pk = tk_requests[0].pk

    assert api(bpjs_tk_mukomuko).post("/api/v1/review/reject/", {"enrollment": pk, "reason": ""}).status_code == 400
    assert api(bpjs_kes_majene).post("/api/v1/review/reject/", {"enrollment": pk, "reason": "x"}).status_code == 404
    assert api(dpmd_mukomuko).post("/api/v1/review/reject/", {"enrollment": pk, "reason": "x"}).status_code == 403
    assert Enrollment.objects.get(pk=pk).status == Status.REQUESTED


# --- reconciliation ----------------------------------------------------------------------------------


def bpjs_list(person, number: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "peserta.xlsx", xlsx_bytes([["NIK", "No Kartu", "Status"], [person.nik, number, "Aktif"]])
    )


def test_reconciliation_is_created_and_read_back(kes, majene_desa, bpjs_kes_majene):
    enrollment = request_enrollment(kes, majene_desa, person=PersonFactory(nik=make_nik(5, prefix="760502")))
    client = api(bpjs_kes_majene)

    created = client.post(
        "/api/v1/reconciliations/",
        {"file": bpjs_list(enrollment.person, jkn(5)), "regency": "76.05", "program": "bpjs_kesehatan"},
        format="multipart",
    )
    token = created.json()["token"]
    read = client.get(f"/api/v1/reconciliations/{token}/")

    assert created.status_code == 201
    assert read.status_code == 200
    assert read.json()["result"]["summary"]["mismatched"] == 1
    assert read.json()["result"]["mapping"] == {"nik": "NIK", "participant_number": "No Kartu", "status": "Status"}


def test_reconciliation_with_an_explicit_mapping(kes, majene_desa, dpmd_majene):
    enrollment = request_enrollment(kes, majene_desa)
    content = xlsx_bytes([["Nomor KTP Peserta", "Kartu"], [enrollment.person.nik, jkn(5)]])

    response = api(dpmd_majene).post(
        "/api/v1/reconciliations/",
        {
            "file": SimpleUploadedFile("x.xlsx", content),
            "regency": "76.05",
            "program": "bpjs_kesehatan",
            "mapping": '{"nik": "Nomor KTP Peserta", "participant_number": "Kartu"}',
        },
        format="multipart",
    )

    assert response.status_code == 201
    assert response.json()["result"]["summary"]["mismatched"] == 1


def test_reconciliation_with_a_bad_mapping_or_file_is_a_400(kes, majene_desa, bpjs_kes_majene):
    enrollment = request_enrollment(kes, majene_desa)
    client = api(bpjs_kes_majene)
    data = {"regency": "76.05", "program": "bpjs_kesehatan"}

    bad_mapping = client.post(
        "/api/v1/reconciliations/",
        {**data, "file": bpjs_list(enrollment.person, jkn(1)), "mapping": '{"nik": "Tidak Ada"}'},
        format="multipart",
    )
    bad_file = client.post(
        "/api/v1/reconciliations/",
        {**data, "file": SimpleUploadedFile("x.xlsx", b"not a spreadsheet")},
        format="multipart",
    )

    assert (bad_mapping.status_code, bad_file.status_code) == (400, 400)
    assert not Reconciliation.objects.exists()


@pytest.mark.parametrize(
    "actor, regency, program, code",
    [
        ("bpjs_kes_majene", "17.06", "bpjs_kesehatan", 404),
        ("bpjs_kes_majene", "76.05", "bpjs_ketenagakerjaan", 404),
        ("dpmd_mukomuko", "76.05", "bpjs_kesehatan", 404),
        ("head_suka_pindah", "17.06", "bpjs_kesehatan", 403),
        ("bengkulu_observer", "17.06", "bpjs_kesehatan", 403),
    ],
)
def test_reconciliation_outside_the_scope_is_refused(kes, majene_desa, request, actor, regency, program, code):
    enrollment = request_enrollment(kes, majene_desa)
    user = request.getfixturevalue(actor)

    response = api(user).post(
        "/api/v1/reconciliations/",
        {"file": bpjs_list(enrollment.person, jkn(1)), "regency": regency, "program": program},
        format="multipart",
    )

    assert response.status_code == code
    assert not Reconciliation.objects.exists()


def test_another_branchs_reconciliation_is_a_404(kes, majene_desa, bpjs_kes_majene, bpjs_tk_mukomuko, dpmd_mukomuko):
    enrollment = request_enrollment(kes, majene_desa)
    created = api(bpjs_kes_majene).post(
        "/api/v1/reconciliations/",
        {"file": bpjs_list(enrollment.person, jkn(1)), "regency": "76.05", "program": "bpjs_kesehatan"},
        format="multipart",
    )
    token = created.json()["token"]

    for other in (bpjs_tk_mukomuko, dpmd_mukomuko):
        assert api(other).get(f"/api/v1/reconciliations/{token}/").status_code == 404
