"""Documents of officials (`/perangkat/<id>/berkas/`, `/berkas/<id>/`, `/berkas/<id>/hapus/`): files are
judged by their first bytes, stored privately, served only through the scoped view, and only those who
may edit the official's desa may change them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions.documents import document_delete, document_upload, sniff_content_type
from submissions.models import Document, Submission
from tests.factories import UserFactory
from tests.html import page
from tests.images import image_bytes, opened

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
TEXT = b"Ini bukan berkas PDF, hanya teks biasa.\n"


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_upload(client, person, type_code: str, file: SimpleUploadedFile):
    return client.post(f"/perangkat/{person.pk}/berkas/", {"document_type": type_code, "file": file})


# --- content checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (TEXT, None), (b"", None), (b"%PD", None)],
)
def test_content_type_is_read_from_the_first_bytes(head, expected):
    assert sniff_content_type(head) == expected


def test_village_head_uploads_a_pdf_for_their_official(budi, head_suka_pindah, login, private_media):
    response = post_upload(login(head_suka_pindah), budi, "ktp", upload("KTP Budi.pdf", PDF))

    assert response.status_code == 302
    assert response["Location"] == f"/perangkat/{budi.pk}/berkas/"
    document = Document.objects.get(person=budi, document_type="ktp")
    assert (document.content_type, document.size, document.original_name) == (
        "application/pdf",
        len(PDF),
        "KTP Budi.pdf",
    )
    assert document.uploaded_by == head_suka_pindah
    assert document.file.name.startswith(f"documents/{budi.pk}/ktp-") and document.file.name.endswith(".pdf")
    assert (private_media / document.file.name).read_bytes() == PDF


def test_a_png_named_pdf_is_stored_as_png(budi, head_suka_pindah, login):
    post_upload(login(head_suka_pindah), budi, "ktp", upload("ktp.pdf", PNG, "application/pdf"))

    document = Document.objects.get(person=budi, document_type="ktp")
    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")


def test_a_text_file_named_pdf_is_refused_and_nothing_is_stored(budi, head_suka_pindah, login, private_media):
    response = post_upload(login(head_suka_pindah), budi, "ktp", upload("ktp.pdf", TEXT, "application/pdf"))

    assert response.status_code == 400
    assert "bukan PDF, JPG, atau PNG" in response.content.decode()
    assert not Document.objects.filter(person=budi).exists()
    assert not (private_media / "documents").exists() or not any((private_media / "documents").rglob("*.*"))


def test_a_file_above_the_limit_is_refused(budi, head_suka_pindah, login, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = post_upload(login(head_suka_pindah), budi, "ktp", upload("ktp.pdf", PDF + b"0" * 2048))

    assert response.status_code == 400
    assert "terlalu besar" in response.content.decode()
    assert not Document.objects.filter(person=budi).exists()


def test_an_empty_file_is_refused(budi, head_suka_pindah, login):
    response = post_upload(login(head_suka_pindah), budi, "ktp", upload("ktp.pdf", b""))

    assert response.status_code == 400
    assert "kosong" in response.content.decode()
    assert not Document.objects.filter(person=budi).exists()


def test_a_refused_replacement_keeps_the_document_as_it_was(budi_ktp, budi, head_suka_pindah, login):
    before = Document.objects.values().get(pk=budi_ktp.pk)

    response = post_upload(login(head_suka_pindah), budi, "ktp", upload("ktp.pdf", TEXT))

    assert response.status_code == 400
    assert Document.objects.values().get(pk=budi_ktp.pk) == before
    assert default_storage.open(budi_ktp.file.name).read() == PDF


def test_uploading_again_replaces_the_file_and_deletes_the_old_one(
    budi_ktp, budi, ktp, head_suka_pindah, django_capture_on_commit_callbacks
):
    old_name = budi_ktp.file.name

    with django_capture_on_commit_callbacks(execute=True):
        replaced = document_upload(
            actor=head_suka_pindah, person=budi, document_type=ktp, uploaded_file=upload("ktp.jpg", JPEG)
        )

    assert replaced.pk == budi_ktp.pk
    assert Document.objects.filter(person=budi, document_type=ktp).count() == 1
    assert replaced.content_type == "image/jpeg"
    assert not default_storage.exists(old_name)
    assert opened(default_storage.open(replaced.file.name).read()).format == "JPEG"
    assert list(replaced.history.values_list("content_type", flat=True).order_by("history_date")) == [
        "application/pdf",
        "image/jpeg",
    ]


def test_document_types_no_longer_in_use_are_refused(budi, ktp, head_suka_pindah):
    ktp.is_active = False
    ktp.save()

    with pytest.raises(ValidationError):
        document_upload(actor=head_suka_pindah, person=budi, document_type=ktp, uploaded_file=upload("k.pdf", PDF))


# --- who may change ----------------------------------------------------------------------------------


def test_dpmd_of_the_regency_may_upload(budi, dpmd_mukomuko, login):
    assert post_upload(login(dpmd_mukomuko), budi, "kk", upload("kk.pdf", PDF)).status_code == 302
    assert Document.objects.filter(person=budi, document_type="kk").exists()


def test_bpjs_officer_can_download_but_not_upload(budi_ktp, budi, bpjs_tk_mukomuko, login):
    client = login(bpjs_tk_mukomuko)

    assert client.get(f"/berkas/{budi_ktp.pk}/").status_code == 200
    assert client.get(f"/perangkat/{budi.pk}/berkas/").status_code == 200
    assert post_upload(client, budi, "kk", upload("kk.pdf", PDF)).status_code == 403
    assert client.post(f"/berkas/{budi_ktp.pk}/hapus/").status_code == 403
    assert list(Document.objects.filter(person=budi)) == [budi_ktp]


def test_province_observer_sees_whether_a_paper_is_there_but_no_file(budi_ktp, budi, bengkulu_observer, login, api):
    client = login(bengkulu_observer)

    assert client.get(f"/berkas/{budi_ktp.pk}/").status_code == 404
    response = client.get(f"/perangkat/{budi.pk}/berkas/")
    assert response.status_code == 200
    main = page(response)
    assert f"/berkas/{budi_ktp.pk}/" not in response.content.decode()
    ktp_row = main.find("tr", id="type-ktp").text
    assert "diunggah" in ktp_row and "belum diunggah" not in ktp_row
    assert "belum diunggah" in main.find("tr", id="type-kk").text
    listing = api(bengkulu_observer).get(f"/api/v1/officials/{budi.pk}/documents/").json()
    assert listing["documents"] == [] and "ktp" not in listing["missing"]
    assert post_upload(client, budi, "kk", upload("kk.pdf", PDF)).status_code == 403


def test_other_village_head_gets_404_everywhere(budi_ktp, budi, head_arah_tiga, login):
    client = login(head_arah_tiga)

    assert client.get(f"/perangkat/{budi.pk}/berkas/").status_code == 404
    assert client.get(f"/berkas/{budi_ktp.pk}/").status_code == 404
    assert post_upload(client, budi, "kk", upload("kk.pdf", PDF)).status_code == 404
    assert client.post(f"/berkas/{budi_ktp.pk}/hapus/").status_code == 404
    assert Document.objects.filter(pk=budi_ktp.pk).exists()


def test_dpmd_of_another_regency_gets_404(budi_ktp, budi, dpmd_majene, bpjs_kes_majene, login):
    for user in (dpmd_majene, bpjs_kes_majene):
        assert login(user).get(f"/berkas/{budi_ktp.pk}/").status_code == 404
        assert login(user).get(f"/perangkat/{budi.pk}/berkas/").status_code == 404


def test_anonymous_is_sent_to_log_in(budi_ktp, client):
    response = client.get(f"/berkas/{budi_ktp.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_service_refuses_a_head_of_another_village(budi, ktp, head_arah_tiga):
    with pytest.raises(PermissionDenied):
        document_upload(actor=head_arah_tiga, person=budi, document_type=ktp, uploaded_file=upload("k.pdf", PDF))


def test_former_official_documents_cannot_be_changed_by_the_village(budi, ktp, suka_pindah, head_suka_pindah):
    budi.posts.update(ended_on="2024-01-01", end_reason="mengundurkan_diri")

    with pytest.raises(PermissionDenied):
        document_upload(actor=head_suka_pindah, person=budi, document_type=ktp, uploaded_file=upload("k.pdf", PDF))


# --- serving -----------------------------------------------------------------------------------------


def test_download_serves_the_stored_type_inline_and_private(budi_ktp, head_suka_pindah, login):
    response = login(head_suka_pindah).get(f"/berkas/{budi_ktp.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="ktp-budi-saputra.pdf"'


def test_download_name_never_comes_from_the_uploaded_name(budi, ktp, head_suka_pindah, login):
    document = document_upload(
        actor=head_suka_pindah,
        person=budi,
        document_type=ktp,
        uploaded_file=upload('../../evil"; name=x.html', PNG, "text/html"),
    )

    response = login(head_suka_pindah).get(f"/berkas/{document.pk}/")

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="ktp-budi-saputra.png"'
    assert document.original_name == 'evil"; name=x.html'


def test_documents_are_stored_outside_any_public_url(budi_ktp, settings, private_media):
    assert str(settings.MEDIA_ROOT) == str(private_media)
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))
    assert not settings.MEDIA_URL or settings.MEDIA_URL in ("/", "")


# --- the page and removal ----------------------------------------------------------------------------


def test_documents_page_lists_what_is_still_missing(budi_ktp, budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get(f"/perangkat/{budi.pk}/berkas/")

    assert response.status_code == 200
    root = page(response)
    missing = root.find("p", id="berkas-belum-lengkap").text.removeprefix("Berkas belum lengkap: ")
    assert set(missing.split(", ")) == {"KK (Kartu Keluarga)", "SK Pengangkatan"}
    ktp_row, kk_row = root.find("tr", id="type-ktp"), root.find("tr", id="type-kk")
    assert ktp_row.links() == [f"/berkas/{budi_ktp.pk}/", f"/berkas/{budi_ktp.pk}/hapus/"]
    assert (kk_row.links(), kk_row.find("td", data_label="Berkas terunggah").text) == ([], "belum diunggah")
    assert kk_row.find_all("input", type="file", name="file")  # the village head may upload it


def test_village_head_removes_a_document_and_its_file(
    budi_ktp, budi, head_suka_pindah, login, django_capture_on_commit_callbacks
):
    name = budi_ktp.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = login(head_suka_pindah).post(f"/berkas/{budi_ktp.pk}/hapus/")

    assert response.status_code == 302
    assert not Document.objects.filter(pk=budi_ktp.pk).exists()
    assert not default_storage.exists(name)
    deleted = Document.history.filter(id=budi_ktp.pk, history_type="-").get()
    assert deleted.history_user == head_suka_pindah


def test_removal_is_refused_while_the_roster_is_locked(budi_ktp, suka_pindah, kes, head_suka_pindah):
    Submission.objects.create(village=suka_pindah, program=kes, status="verified", created_by=head_suka_pindah)

    with pytest.raises(ValidationError):
        document_delete(actor=head_suka_pindah, document=budi_ktp)
    assert Document.objects.filter(pk=budi_ktp.pk).exists()


def test_an_operator_without_a_village_user_cannot_upload(budi, ktp):
    stranger = UserFactory(username="tanpa-peran")

    with pytest.raises(PermissionDenied):
        document_upload(actor=stranger, person=budi, document_type=ktp, uploaded_file=upload("k.pdf", PDF))
