"""A document belongs to the desa for whose post it was uploaded, and opens only while the official still
serves there: a second desa where they act keeps its own papers, and after a move the former desa, its
DPMD and its BPJS officer open nothing of the person's (a 404, no hint)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import DocumentType, Village
from core.roles import Role
from submissions.documents import document_upload
from submissions.models import Document
from tests.conftest import ARAH_TIGA, MAJENE_DESA, SUKA_PINDAH
from tests.factories import PersonFactory, PostFactory, UserFactory, make_nik
from villages.models import Position, Post

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
OTHER_PDF = b"%PDF-1.4\n% dari desa lain\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def rina(suka_pindah):
    """Kaur Keuangan (definitif) of Suka Pindah."""
    person = PersonFactory(full_name="Rina Marlina", nik=make_nik(7101, female=True), sex="P")
    return PostFactory(person=person, village=suka_pindah, position=Position.KAUR_KEUANGAN)


@pytest.fixture
def ktp(db):
    return DocumentType.objects.get(pk="ktp")


@pytest.fixture
def rina_ktp(rina, ktp, head_suka_pindah):
    return document_upload(
        actor=head_suka_pindah, person=rina.person, document_type=ktp, uploaded_file=SimpleUploadedFile("k.pdf", PDF)
    )


@pytest.fixture
def head_adolang(regions):
    return UserFactory(username="desa-7605022003", role=Role.VILLAGE, village=Village.objects.get(pk=MAJENE_DESA))


def _upload(client, person, content: bytes = OTHER_PDF):
    return client.post(
        f"/perangkat/{person.pk}/berkas/", {"document_type": "ktp", "file": SimpleUploadedFile("ktp.pdf", content)}
    )


def _move(post: Post, to: str) -> Post:
    post.ended_on, post.end_reason = dt.date(2025, 6, 30), Post.EndReason.RESIGNED
    post.save()
    return PostFactory(person=post.person, village_id=to, position=Position.STAF, term_start=dt.date(2025, 7, 1))


def test_a_document_belongs_to_the_desa_it_was_uploaded_for(rina_ktp):
    assert rina_ktp.village_id == SUKA_PINDAH


# --- an acting post in a second desa -------------------------------------------------------------------


def test_the_second_desa_cannot_open_replace_or_remove_the_first_desas_ktp(
    rina, rina_ktp, head_arah_tiga, head_suka_pindah, login
):
    PostFactory(person=rina.person, village_id=ARAH_TIGA, status=Post.Status.PLT, position=Position.KASI_PELAYANAN)
    client = login(head_arah_tiga)

    assert client.get(f"/berkas/{rina_ktp.pk}/").status_code == 404
    assert client.post(f"/berkas/{rina_ktp.pk}/hapus/").status_code == 404
    documents_page = client.get(f"/perangkat/{rina.person_id}/berkas/")
    assert f"/berkas/{rina_ktp.pk}/" not in documents_page.content.decode()
    listing = client.get(f"/api/v1/officials/{rina.person_id}/documents/")
    assert listing.json()["documents"] == []

    assert _upload(client, rina.person).status_code == 302

    own = Document.objects.get(person=rina.person, village_id=ARAH_TIGA)
    assert own.pk != rina_ktp.pk
    first = Document.objects.get(pk=rina_ktp.pk)
    assert (first.village_id, first.token, first.file.name) == (SUKA_PINDAH, rina_ktp.token, rina_ktp.file.name)
    response = login(head_suka_pindah).get(f"/berkas/{rina_ktp.pk}/")
    assert b"".join(response.streaming_content) == PDF
    assert client.get(f"/berkas/{own.pk}/").status_code == 200


def test_dpmd_of_the_regency_opens_both_desas_papers(rina, rina_ktp, head_arah_tiga, dpmd_mukomuko, login):
    PostFactory(person=rina.person, village_id=ARAH_TIGA, status=Post.Status.PLT, position=Position.KASI_PELAYANAN)
    _upload(login(head_arah_tiga), rina.person)
    own = Document.objects.get(person=rina.person, village_id=ARAH_TIGA)

    client = login(dpmd_mukomuko)

    assert client.get(f"/berkas/{rina_ktp.pk}/").status_code == 200
    assert client.get(f"/berkas/{own.pk}/").status_code == 200


# --- after a move ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("former", ["head_suka_pindah", "dpmd_mukomuko", "bpjs_tk_mukomuko"])
def test_after_a_move_to_another_regency_the_former_side_opens_nothing(
    request, rina, rina_ktp, head_adolang, former, login, api
):
    _move(rina, MAJENE_DESA)
    assert _upload(login(head_adolang), rina.person).status_code == 302
    new = Document.objects.get(person=rina.person, village_id=MAJENE_DESA)

    client = login(request.getfixturevalue(former))

    assert client.get(f"/berkas/{rina_ktp.pk}/").status_code == 404
    assert client.get(f"/berkas/{new.pk}/").status_code == 404
    response = client.get(f"/perangkat/{rina.person_id}/berkas/")
    assert response.status_code == 200  # the former official is still on the desa's record
    text = response.content.decode()
    assert f"/berkas/{rina_ktp.pk}/" not in text and f"/berkas/{new.pk}/" not in text
    assert "Adolang" not in text  # nor where the official serves now
    listing = api(request.getfixturevalue(former)).get(f"/api/v1/officials/{rina.person_id}/documents/").json()
    assert (listing["documents"], listing["villages"]) == ([], [])
    assert login(head_adolang).get(f"/berkas/{new.pk}/").status_code == 200


def test_after_a_move_within_the_regency_the_former_desa_opens_nothing(
    rina, rina_ktp, head_suka_pindah, head_arah_tiga, dpmd_mukomuko, login, api
):
    _move(rina, ARAH_TIGA)
    _upload(login(head_arah_tiga), rina.person)
    new = Document.objects.get(person=rina.person, village_id=ARAH_TIGA)

    former = login(head_suka_pindah)

    assert former.get(f"/berkas/{new.pk}/").status_code == 404
    assert former.get(f"/berkas/{rina_ktp.pk}/").status_code == 404
    assert api(head_suka_pindah).get(f"/api/v1/officials/{rina.person_id}/documents/").json()["documents"] == []
    assert login(dpmd_mukomuko).get(f"/berkas/{new.pk}/").status_code == 200
    assert login(dpmd_mukomuko).get(f"/berkas/{rina_ktp.pk}/").status_code == 404


def test_existing_documents_go_to_the_desa_of_the_home_post(rina, rina_ktp):
    PostFactory(
        person=rina.person,
        village_id=ARAH_TIGA,
        status=Post.Status.PLT,
        position=Position.KASI_PELAYANAN,
        term_start=dt.date(2019, 1, 1),  # earlier, but acting: the definitif post is the home one
    )
    Document.objects.filter(pk=rina_ktp.pk).update(village=None)
    migration = importlib.import_module("submissions.migrations.0002_document_village")

    migration.fill_document_village(apps, None)

    assert Document.objects.get(pk=rina_ktp.pk).village_id == SUKA_PINDAH
