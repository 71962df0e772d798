"""Fixtures of the documents tests: uploads go to a temporary private media root, and Budi Saputra, a
kepala dusun of Suka Pindah, with or without his KTP."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import DocumentType
from submissions.documents import document_upload
from tests.factories import PersonFactory, PostFactory, make_nik

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def budi(suka_pindah):
    """A kepala dusun of Suka Pindah."""
    person = PersonFactory(full_name="Budi Saputra", nik=make_nik(9401))
    PostFactory(person=person, village=suka_pindah)
    return person


@pytest.fixture
def ktp(db):
    return DocumentType.objects.get(pk="ktp")


@pytest.fixture
def kk(db):
    return DocumentType.objects.get(pk="kk")


@pytest.fixture
def budi_ktp(budi, ktp, head_suka_pindah):
    return document_upload(
        actor=head_suka_pindah,
        person=budi,
        document_type=ktp,
        uploaded_file=SimpleUploadedFile("ktp.pdf", PDF, content_type="application/pdf"),
    )
