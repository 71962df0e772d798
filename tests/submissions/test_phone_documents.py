"""Documents from a phone and during a submission: a photo may be as large as a phone camera makes and is
stored reduced (legible, the right way up, without its GPS position), a file over its limit, a photo
with too many pixels or a damaged one is refused naming the document, papers can be uploaded and replaced
while DPMD checks (the officials' data stays locked), and "Hapus" asks first."""

from __future__ import annotations

import datetime as dt
import functools
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import PHOTO_MAX_SIDE
from submissions.documents import document_upload
from submissions.models import Document, Submission
from tests.html import page
from tests.images import image_bytes, noise_image, opened, saved
from tests.submissions.test_documents import PDF, post_upload, upload
from villages.services import post_end

MB = 1024 * 1024
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.fixture
def with_dpmd(suka_pindah, kes, head_suka_pindah):
    """Suka Pindah's submission is with DPMD: its roster is locked."""
    return Submission.objects.create(village=suka_pindah, program=kes, status="submitted", created_by=head_suka_pindah)


def photo(size: int, name: str = "IMG_20260301_101500.jpg") -> SimpleUploadedFile:
    """A file of `size` bytes that starts like a JPEG (what is past the start is never read when the size
    alone refuses it)."""
    return SimpleUploadedFile(name, JPEG_HEAD + os.urandom(size - len(JPEG_HEAD)), content_type="image/jpeg")


GPS = 0x8825
ORIENTATION = 0x0112


@functools.cache
def camera_jpeg() -> bytes:
    """What a phone held upright sends: 4000 × 3000 pixels of fine detail (noise) at quality 95, about
    6 MB, with EXIF "turn 90° clockwise to show" and the GPS position where it was taken."""
    image = Image.merge("RGB", [Image.effect_noise((4000, 3000), 12) for _ in range(3)])
    exif = image.getexif()
    exif[ORIENTATION] = 6
    exif.get_ifd(GPS).update({1: "S", 2: (3.0, 47.0, 10.0), 3: "E", 4: (101.0, 30.0, 5.0)})
    return saved(image, "JPEG", quality=95, exif=exif)


def camera_photo(name: str = "IMG_20260301_101500.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, camera_jpeg(), content_type="image/jpeg")


def errors(response) -> list[str]:
    return [li.text for li in page(response).find_all("li", cls="msg-error")]


# --- size limits -------------------------------------------------------------------------------------


def test_a_6_mb_phone_photo_is_stored_reduced_upright_and_without_its_gps_position(
    budi, head_suka_pindah, login, private_media
):
    sent = camera_jpeg()
    assert len(sent) >= 6 * MB and GPS in opened(sent).getexif()  # the photo is what a phone sends

    response = post_upload(login(head_suka_pindah), budi, "ktp", camera_photo())

    assert response.status_code == 302
    document = Document.objects.get(person=budi, document_type="ktp")
    stored = (private_media / document.file.name).read_bytes()
    assert (document.content_type, document.size, document.file.name[-4:]) == ("image/jpeg", len(stored), ".jpg")
    assert len(stored) < len(sent) / 3
    image = opened(stored)
    assert image.format == "JPEG"
    assert image.size == (1500, PHOTO_MAX_SIDE)  # upright: portrait, as the phone was held
    exif = image.getexif()
    assert GPS not in exif and ORIENTATION not in exif


def test_a_large_png_photo_is_stored_as_a_smaller_jpeg_named_so(budi, head_suka_pindah, login, private_media):
    sent = saved(Image.effect_noise((2400, 1800), 12).convert("RGB"), "PNG")  # about 5 MB
    file = SimpleUploadedFile("ktp.png", sent, content_type="image/png")

    post_upload(login(head_suka_pindah), budi, "ktp", file)

    document = Document.objects.get(person=budi, document_type="ktp")
    stored = (private_media / document.file.name).read_bytes()
    assert (document.content_type, document.original_name, document.file.name[-4:]) == (
        "image/jpeg",
        "ktp.jpg",
        ".jpg",
    )
    assert len(stored) < len(sent)
    assert opened(stored).size == (PHOTO_MAX_SIDE, 1500)


def test_a_png_with_transparency_stays_a_png(budi, head_suka_pindah, login, private_media):
    signature = noise_image((2400, 800), "RGBA")
    file = SimpleUploadedFile("tanda-tangan.png", saved(signature, "PNG"), content_type="image/png")

    post_upload(login(head_suka_pindah), budi, "ktp", file)

    document = Document.objects.get(person=budi, document_type="ktp")
    image = opened((private_media / document.file.name).read_bytes())
    assert (document.content_type, image.format, image.mode, image.size) == ("image/png", "PNG", "RGBA", (2000, 667))


def test_a_small_png_scan_stays_a_png(budi, head_suka_pindah, login, private_media):
    post_upload(login(head_suka_pindah), budi, "ktp", SimpleUploadedFile("ktp.png", image_bytes("PNG", (800, 500))))

    document = Document.objects.get(person=budi, document_type="ktp")
    assert (document.content_type, document.original_name) == ("image/png", "ktp.png")


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(
    budi, ktp, head_suka_pindah, login, private_media
):
    # 20,000 × 20,000 white pixels: a few hundred kilobytes that would unpack into 1.2 GB.
    bomb = SimpleUploadedFile("ktp.png", image_bytes("PNG", (20_000, 20_000), mode="1"), content_type="image/png")
    assert bomb.size < MB

    response = post_upload(login(head_suka_pindah), budi, "ktp", bomb)

    assert response.status_code == 400
    (message,) = errors(response)
    assert f"{ktp.name} Budi Saputra" in message and "50" in message
    assert not Document.objects.filter(person=budi).exists()
    assert not [path for path in private_media.rglob("*") if path.is_file()]


def test_a_damaged_photo_is_refused_naming_the_document(budi, ktp, head_suka_pindah, login, private_media):
    cut_off = SimpleUploadedFile("ktp.jpg", camera_jpeg()[: 2 * MB], content_type="image/jpeg")

    response = post_upload(login(head_suka_pindah), budi, "ktp", cut_off)

    assert response.status_code == 400
    (message,) = errors(response)
    assert message.startswith(f"{ktp.name} Budi Saputra")
    assert not Document.objects.filter(person=budi).exists()
    assert not [path for path in private_media.rglob("*") if path.is_file()]


def test_the_service_names_what_is_wrong_with_a_photo(budi, ktp, head_suka_pindah, private_media):
    for content, code in [
        (JPEG_HEAD + os.urandom(4096), "unreadable"),
        (image_bytes("PNG", (8000, 8000)), "too_many_pixels"),
    ]:
        with pytest.raises(ValidationError) as refused:
            document_upload(
                actor=head_suka_pindah, person=budi, document_type=ktp, uploaded_file=SimpleUploadedFile("ktp", content)
            )
        assert refused.value.error_dict["file"][0].code == code


def test_a_pdf_is_stored_as_it_came(budi, head_suka_pindah, login, private_media):
    post_upload(login(head_suka_pindah), budi, "ktp", upload("ktp.pdf", PDF))

    document = Document.objects.get(person=budi, document_type="ktp")
    assert (private_media / document.file.name).read_bytes() == PDF
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))


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
        assert post_upload(client, budi, "ktp", upload("ktp-baru.jpg", image_bytes(), "image/jpeg")).status_code == 302

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
