"""Submissions and documents API (/api/v1/submissions/..., /api/v1/officials/<id>/documents/): scoped like
the pages — outside the scope is a 404, a read-only role writing a 403, bad input a 400 in Indonesian."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from enrollment.models import Enrollment
from submissions.models import Document, Submission
from submissions.services import submission_start, submission_submit, submission_verify
from tests.factories import PersonFactory, PostFactory, make_nik

PDF = b"%PDF-1.7\n%%EOF\n"
S = Submission.Status


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def budi(suka_pindah):
    person = PersonFactory(full_name="Budi Saputra", nik=make_nik(9801))
    PostFactory(person=person, village=suka_pindah)
    return person


@pytest.fixture
def draft(suka_pindah, kes, head_suka_pindah, budi):
    return submission_start(actor=head_suka_pindah, village=suka_pindah, program=kes)


@pytest.fixture
def submitted(draft, head_suka_pindah):
    return submission_submit(actor=head_suka_pindah, submission=draft)


# --- submissions -------------------------------------------------------------------------------------


def test_village_head_starts_a_submission(suka_pindah, head_suka_pindah, api):
    response = api(head_suka_pindah).post(
        "/api/v1/submissions/", {"village": "17.06.01.2005", "program": "bpjs_ketenagakerjaan"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["village"], body["program"], body["status"], body["created_by"]) == (
        "17.06.01.2005",
        "bpjs_ketenagakerjaan",
        "draft",
        head_suka_pindah.username,
    )
    assert Submission.objects.filter(pk=body["id"], village=suka_pindah).exists()


def test_starting_needs_village_and_program_400_in_indonesian(head_suka_pindah, api):
    response = api(head_suka_pindah).post("/api/v1/submissions/", {}, format="json")

    assert response.status_code == 400
    assert "kode desa" in response.json()["errors"]["village"][0]
    assert "bpjs_kesehatan" in response.json()["errors"]["program"][0]
    response = api(head_suka_pindah).post(
        "/api/v1/submissions/", {"village": "17.06.01.2005", "program": "bpjs_lain"}, format="json"
    )
    assert response.status_code == 400 and "program" in response.json()["errors"]


def test_starting_twice_is_a_400(draft, head_suka_pindah, api):
    response = api(head_suka_pindah).post(
        "/api/v1/submissions/", {"village": "17.06.01.2005", "program": "bpjs_kesehatan"}, format="json"
    )

    assert response.status_code == 400
    assert "sudah memiliki pengajuan terbuka" in str(response.json())


def test_starting_elsewhere_is_404_and_read_only_is_403(regions, head_arah_tiga, bpjs_tk_mukomuko, api):
    data = {"village": "17.06.01.2005", "program": "bpjs_ketenagakerjaan"}

    assert api(head_arah_tiga).post("/api/v1/submissions/", data, format="json").status_code == 404
    assert api(bpjs_tk_mukomuko).post("/api/v1/submissions/", data, format="json").status_code == 403
    assert not Submission.objects.exists() or not Submission.objects.filter(village_id="17.06.01.2005").exists()


def test_list_is_scoped(submitted, head_suka_pindah, head_arah_tiga, dpmd_majene, bpjs_tk_mukomuko, dpmd_mukomuko, api):
    assert [s["id"] for s in api(head_suka_pindah).get("/api/v1/submissions/").json()["results"]] == [submitted.pk]
    assert [s["id"] for s in api(dpmd_mukomuko).get("/api/v1/submissions/?status=submitted").json()["results"]] == [
        submitted.pk
    ]
    for user in (head_arah_tiga, bpjs_tk_mukomuko):  # BPJS TK: another program
        assert api(user).get("/api/v1/submissions/").json()["results"] == []
    # DPMD of Majene lists exactly Majene's own submissions (the session demo's, when it was loaded).
    majene = Submission.objects.filter(village__subdistrict__regency=dpmd_majene.regency)
    listed = api(dpmd_majene).get("/api/v1/submissions/").json()["results"]
    assert {s["id"] for s in listed} == set(majene.values_list("pk", flat=True))
    assert submitted.pk not in {s["id"] for s in listed}


def test_detail_has_timeline_officials_and_steps(submitted, budi, dpmd_mukomuko, api):
    body = api(dpmd_mukomuko).get(f"/api/v1/submissions/{submitted.pk}/").json()

    assert [(e["from_status"], e["to_status"]) for e in body["events"]] == [("", "draft"), ("draft", "submitted")]
    budi_row = next(o for o in body["officials"] if o["id"] == budi.pk)
    assert budi_row["missing_documents"] == ["ktp", "kk", "sk_pengangkatan"]
    assert body["steps"] == ["verify", "return"]


def test_detail_is_404_out_of_scope(submitted, head_arah_tiga, dpmd_majene, api):
    for user in (head_arah_tiga, dpmd_majene):
        assert api(user).get(f"/api/v1/submissions/{submitted.pk}/").status_code == 404


def test_the_whole_workflow_through_the_api(draft, budi, kes, head_suka_pindah, dpmd_mukomuko, api):
    village, dpmd = api(head_suka_pindah), api(dpmd_mukomuko)

    assert village.post(f"/api/v1/submissions/{draft.pk}/submit/", {"note": "Siap."}).json()["status"] == "submitted"
    response = dpmd.post(f"/api/v1/submissions/{draft.pk}/return/", {"note": "KK kurang."})
    assert response.json()["status"] == "returned"
    assert village.post(f"/api/v1/submissions/{draft.pk}/submit/").json()["status"] == "submitted"
    assert dpmd.post(f"/api/v1/submissions/{draft.pk}/verify/").json()["status"] == "verified"
    response = dpmd.post(
        f"/api/v1/submissions/{draft.pk}/forward/", {"funding_source": "APBD", "note": "Kirim."}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "forwarded" and body["created"] >= 1 and body["skipped"] >= 0
    enrollment = Enrollment.objects.get(person=budi, program=kes)
    assert (enrollment.status, enrollment.funding_source_id) == ("requested", "APBD")


def test_return_without_note_is_a_400_in_indonesian(submitted, dpmd_mukomuko, api):
    response = api(dpmd_mukomuko).post(f"/api/v1/submissions/{submitted.pk}/return/", {"note": ""})

    assert response.status_code == 400
    assert "perbaiki" in response.json()["errors"]["note"][0]
    assert Submission.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_illegal_step_is_a_400(draft, dpmd_mukomuko, api):
    response = api(dpmd_mukomuko).post(f"/api/v1/submissions/{draft.pk}/verify/")

    assert response.status_code == 400
    assert Submission.objects.get(pk=draft.pk).status == S.DRAFT


def test_forward_with_an_unknown_funding_source_is_a_400(submitted, dpmd_mukomuko, api):
    submission_verify(actor=dpmd_mukomuko, submission=submitted)

    response = api(dpmd_mukomuko).post(f"/api/v1/submissions/{submitted.pk}/forward/", {"funding_source": "XYZ"})

    assert response.status_code == 400
    assert "XYZ" in response.json()["errors"]["funding_source"][0]


def test_wrong_roles_get_403_and_other_regencies_404(
    submitted, head_suka_pindah, bpjs_kes_majene, bpjs_tk_mukomuko, dpmd_majene, bengkulu_observer, dpmd_mukomuko, api
):
    url = f"/api/v1/submissions/{submitted.pk}"

    assert api(head_suka_pindah).post(f"{url}/verify/").status_code == 403
    assert api(dpmd_mukomuko).post(f"{url}/submit/").status_code == 403
    assert api(bengkulu_observer).post(f"{url}/verify/").status_code == 403
    assert api(dpmd_majene).post(f"{url}/verify/").status_code == 404
    assert api(bpjs_kes_majene).post(f"{url}/verify/").status_code == 404
    assert api(bpjs_tk_mukomuko).post(f"{url}/verify/").status_code == 404  # not their program
    assert Submission.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_anonymous_gets_401_or_403(submitted, client):
    assert client.get("/api/v1/submissions/").status_code in (401, 403)
    assert client.post(f"/api/v1/submissions/{submitted.pk}/verify/").status_code in (401, 403)


def test_token_authentication_works(submitted, dpmd_mukomuko):
    token = Token.objects.create(user=dpmd_mukomuko)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.post(f"/api/v1/submissions/{submitted.pk}/verify/").json()["status"] == "verified"


# --- documents ---------------------------------------------------------------------------------------


def test_village_head_uploads_and_lists_documents(budi, head_suka_pindah, api):
    client = api(head_suka_pindah)
    upload = SimpleUploadedFile("ktp.png", PDF, content_type="image/png")

    response = client.post(f"/api/v1/officials/{budi.pk}/documents/", {"document_type": "ktp", "file": upload})

    assert response.status_code == 201
    assert (response.json()["document_type"], response.json()["content_type"]) == ("ktp", "application/pdf")
    listing = client.get(f"/api/v1/officials/{budi.pk}/documents/").json()
    assert [d["document_type"] for d in listing["documents"]] == ["ktp"]
    assert listing["missing"] == ["kk", "sk_pengangkatan"]
    assert listing["documents"][0]["download_url"].endswith(f"/berkas/{Document.objects.get(person=budi).pk}/")


def test_upload_of_a_wrong_file_is_a_400_in_indonesian(budi, head_suka_pindah, api):
    upload = SimpleUploadedFile("ktp.pdf", b"hello world", content_type="application/pdf")

    response = api(head_suka_pindah).post(
        f"/api/v1/officials/{budi.pk}/documents/", {"document_type": "ktp", "file": upload}
    )

    assert response.status_code == 400
    assert "bukan PDF" in response.json()["errors"]["file"][0]
    assert not Document.objects.filter(person=budi).exists()


def test_upload_needs_a_known_type_and_a_file(budi, head_suka_pindah, api):
    response = api(head_suka_pindah).post(f"/api/v1/officials/{budi.pk}/documents/", {"document_type": "paspor"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"document_type", "file"}


def test_bpjs_officer_can_list_but_not_upload_documents(budi, bpjs_tk_mukomuko, api):
    client = api(bpjs_tk_mukomuko)
    upload = SimpleUploadedFile("ktp.pdf", PDF, content_type="application/pdf")

    assert client.get(f"/api/v1/officials/{budi.pk}/documents/").status_code == 200
    response = client.post(f"/api/v1/officials/{budi.pk}/documents/", {"document_type": "ktp", "file": upload})
    assert response.status_code == 403
    assert not Document.objects.filter(person=budi).exists()


def test_documents_of_another_village_are_404(budi, head_arah_tiga, dpmd_majene, api):
    upload = SimpleUploadedFile("ktp.pdf", PDF, content_type="application/pdf")

    for user in (head_arah_tiga, dpmd_majene):
        assert api(user).get(f"/api/v1/officials/{budi.pk}/documents/").status_code == 404
        response = api(user).post(f"/api/v1/officials/{budi.pk}/documents/", {"document_type": "ktp", "file": upload})
        assert response.status_code == 404
