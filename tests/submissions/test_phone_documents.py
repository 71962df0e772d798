"""Documents from a phone and during a submission: a photo may be as large as a phone camera makes, a
file over its limit is refused naming the document and how to make it smaller, papers can be uploaded
and replaced while DPMD checks (the officials' data stays locked), and "Hapus" asks first."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions.models import Document, Submission
from tests.html import page
from tests.submissions.test_documents import PDF, post_upload, upload
from villages.services import post_end

MB = 1024 * 1024
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.fixture
def with_dpmd(suka_pindah, kes, head_suka_pindah):
    """Suka Pindah's submission is with DPMD: its roster is locked."""
    return Submission.objects.create(village=suka_pindah, program=kes, status="submitted", created_by=head_suka_pindah)


def photo(size: int, name: str = "IMG_20260301_101500.jpg") -> SimpleUploadedFile:
    """A file a phone camera would send: a JPEG of `size` bytes."""
    return SimpleUploadedFile(name, JPEG_HEAD + os.urandom(size - len(JPEG_HEAD)), content_type="image/jpeg")


def errors(response) -> list[str]:
    return [li.text for li in page(response).find_all("li", cls="msg-error")]


# --- size limits -------------------------------------------------------------------------------------


def test_a_6_mb_phone_photo_is_accepted(budi, head_suka_pindah, login, private_media):
    file = photo(6 * MB)

    response = post_upload(login(head_suka_pindah), budi, "ktp", file)

    assert response.status_code == 302
    document = Document.objects.get(person=budi, document_type="ktp")
    assert (document.content_type, document.size) == ("image/jpeg", 6 * MB)
    assert (private_media / document.file.name).stat().st_size == 6 * MB


def test_a_photo_over_8_mb_is_refused_naming_the_document_and_how_to_make_it_smaller(
    budi, ktp, head_suka_pindah, login, private_media
):
    response = post_upload(login(head_suka_pindah), budi, "ktp", photo(int(12.4 * MB)))

    assert response.status_code == 400
    assert errors(response) == [
        f"{ktp.name} Budi Saputra terlalu besar (12,4 MB, lebih dari 8,0 MB): "
        "kirim ulang dengan resolusi kamera lebih kecil atau pindai sebagai PDF."
    ]
    assert not Document.objects.filter(person=budi).exists()
    assert not [path for path in private_media.rglob("*") if path.is_file()]


def test_a_pdf_keeps_its_2_mb_limit_and_is_told_how_to_scan_smaller(budi, ktp, head_suka_pindah, login):
    big_pdf = SimpleUploadedFile("ktp.pdf", PDF + b"0" * (3 * MB), content_type="application/pdf")

    response = post_upload(login(head_suka_pindah), budi, "ktp", big_pdf)

    assert response.status_code == 400
    assert errors(response) == [
        f"{ktp.name} Budi Saputra terlalu besar (3,0 MB, lebih dari 2,0 MB): "
        "pindai ulang dengan resolusi lebih rendah (150 dpi sudah cukup) atau hitam-putih."
    ]
    assert not Document.objects.filter(person=budi).exists()


def test_the_page_states_both_limits(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get(f"/perangkat/{budi.pk}/berkas/")

    assert "PDF paling besar 2,0 MB, foto (JPG atau PNG) paling besar 8,0 MB." in page(response).text


# --- during a submission -----------------------------------------------------------------------------


def test_documents_are_uploaded_and_replaced_while_dpmd_checks_but_officials_stay_locked(
    with_dpmd, budi, head_suka_pindah, login, django_capture_on_commit_callbacks
):
    client = login(head_suka_pindah)

    assert post_upload(client, budi, "ktp", upload("ktp.pdf", PDF)).status_code == 302
    first = Document.objects.get(person=budi, document_type="ktp")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_upload(client, budi, "ktp", photo(MB, "ktp-baru.jpg")).status_code == 302

    replaced = Document.objects.get(person=budi, document_type="ktp")
    assert (replaced.pk, replaced.content_type, replaced.original_name) == (first.pk, "image/jpeg", "ktp-baru.jpg")
    assert not default_storage.exists(first.file.name)
    with pytest.raises(ValidationError):
        post_end(actor=head_suka_pindah, post=budi.posts.get(), ended_on=dt.date(2026, 1, 1), reason="pensiun")
    assert budi.posts.get().ended_on is None


def test_the_page_keeps_the_upload_form_while_dpmd_checks(with_dpmd, budi_ktp, budi, head_suka_pindah, login):
    main = page(login(head_suka_pindah).get(f"/perangkat/{budi.pk}/berkas/"))

    row = main.find("tr", id="type-ktp")
    assert row.find("input", type="file") is not None
    assert "Ganti" in row.text
    assert "Berkas tetap dapat diunggah dan diganti" in main.text


def test_the_api_accepts_a_document_while_dpmd_checks(with_dpmd, budi, head_suka_pindah, api):
    response = api(head_suka_pindah).post(
        f"/api/v1/officials/{budi.pk}/documents/",
        {"document_type": "ktp", "file": upload("ktp.pdf", PDF)},
        format="multipart",
    )

    assert response.status_code == 201
    assert Document.objects.filter(person=budi, document_type="ktp").exists()


# --- removal asks first ------------------------------------------------------------------------------


def test_hapus_opens_a_confirmation_and_get_deletes_nothing(budi_ktp, budi, ktp, head_suka_pindah, login):
    client = login(head_suka_pindah)
    listing = page(client.get(f"/perangkat/{budi.pk}/berkas/"))
    remove = listing.find("tr", id="type-ktp").find("a", cls="danger")
    assert remove.text.strip() == "Hapus"
    assert remove.attrs["href"] == f"/berkas/{budi_ktp.pk}/hapus/"

    response = client.get(remove.attrs["href"])

    assert response.status_code == 200
    confirm = page(response)
    assert confirm.find("h1").text.strip() == f"Hapus dokumen {ktp.name} Budi Saputra?"
    form = confirm.find("form", method="post")
    assert form.find("button", type="submit").text.strip() == "Hapus"
    assert form.find("a").text.strip() == "Batal"
    assert default_storage.exists(budi_ktp.file.name)
    assert Document.objects.filter(pk=budi_ktp.pk).exists()


def test_the_confirmed_post_removes_the_document(budi_ktp, head_suka_pindah, login):
    response = login(head_suka_pindah).post(f"/berkas/{budi_ktp.pk}/hapus/")

    assert response.status_code == 302
    assert not Document.objects.filter(pk=budi_ktp.pk).exists()


def test_confirmation_page_is_404_outside_the_scope_and_403_for_read_only(
    budi_ktp, head_arah_tiga, dpmd_majene, bpjs_tk_mukomuko, login, client
):
    for stranger in (head_arah_tiga, dpmd_majene):
        response = login(stranger).get(f"/berkas/{budi_ktp.pk}/hapus/")
        assert response.status_code == 404
        assert "Budi" not in response.content.decode()
    assert login(bpjs_tk_mukomuko).get(f"/berkas/{budi_ktp.pk}/hapus/").status_code == 403
    assert client.get(f"/berkas/{budi_ktp.pk}/hapus/")["Location"].startswith("/masuk/")
    assert Document.objects.filter(pk=budi_ktp.pk).exists()


def test_while_dpmd_checks_the_confirmation_offers_replacing_not_removing(
    with_dpmd, budi_ktp, budi, head_suka_pindah, login
):
    client = login(head_suka_pindah)
    listing = page(client.get(f"/perangkat/{budi.pk}/berkas/"))
    assert not listing.find("tr", id="type-ktp").find_all("a", cls="danger")

    confirm = page(client.get(f"/berkas/{budi_ktp.pk}/hapus/"))

    assert not confirm.find_all("form", method="post")
    assert "Berkas tidak dapat dihapus selama DPMD memeriksa pengajuan" in confirm.text
    assert client.post(f"/berkas/{budi_ktp.pk}/hapus/").status_code == 302
    assert Document.objects.filter(pk=budi_ktp.pk).exists()
