"""Uploaded papers: where they are stored (the names are referenced by migrations: keep them importable),
and the one check of a scanned paper (a KTP, a KK, an SK) that every upload of one goes through.

A file is accepted by what it *is*, never by its name or by the content type the browser claims: its
first bytes must be those of a PDF, a JPEG or a PNG. A photo is then stored reduced to a legible size, the
right way up and without its metadata (the place it was taken): `document_prepare_file`."""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# The signatures of the accepted formats; anything else is refused however it is named.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_HEAD = max(len(signature) for signature, _ in SIGNATURES)


def document_path(instance, filename: str) -> str:
    return f"documents/{instance.person_id}/{instance.document_type_id}-{instance.token}{instance.extension}"


def reconciliation_path(instance, filename: str) -> str:
    return f"reconciliations/{instance.token}-{filename}"


def data_change_ktp_path(instance, filename: str) -> str:
    return f"data-changes/{instance.person_id}/ktp-{instance.ktp_token}{instance.ktp_extension}"


def sniff_content_type(head: bytes) -> str | None:
    """The content type the first bytes of a file announce, or None when they are none we accept."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def size_limit(content_type: str) -> int:
    """The largest accepted file of this content type: a photo may be as large as a phone camera makes."""
    if content_type.startswith("image/"):
        return settings.DOCUMENT_IMAGE_MAX_BYTES
    return settings.DOCUMENT_MAX_BYTES


def max_size_label(content_type: str = "application/pdf") -> str:
    """The largest accepted file of this content type in megabytes, written the Indonesian way ("2,0")."""
    return _megabytes(size_limit(content_type))


def _too_large(size: int, limit: int, content_type: str, label: str | None) -> ValidationError:
    if label is None:
        message = _("The file is too large (%(size)s MB). The largest allowed is %(limit)s MB.")
    elif content_type.startswith("image/"):
        message = _(
            "%(document)s is too large (%(size)s MB, more than %(limit)s MB): send it again with a smaller "
            "camera resolution or scan it as a PDF."
        )
    else:
        message = _(
            "%(document)s is too large (%(size)s MB, more than %(limit)s MB): scan it again at a lower "
            "resolution (150 dpi is enough) or in black and white."
        )
    return _file_error(message % {"document": label, "size": _megabytes(size), "limit": _megabytes(limit)}, "too_large")


def document_check_file(uploaded_file: UploadedFile, *, label: str | None = None) -> str:
    """The file's real content type; a ValidationError on `file`, in words a village operator
    understands, when it is empty, not a PDF, JPG or PNG, or larger than its type allows (`label` names
    the document in that message, e.g. "KTP Budi Saputra", with how to make it smaller)."""
    size = uploaded_file.size or 0
    if size == 0:
        raise _file_error(_("The file is empty. Choose the scanned document again."), "empty")
    uploaded_file.seek(0)
    head = uploaded_file.read(_HEAD)
    uploaded_file.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise _file_error(
            _("This file is not a PDF, JPG or PNG. Scan or photograph the document and upload that file."),
            "wrong_type",
        )
    limit = size_limit(content_type)
    if size > limit:
        raise _too_large(size, limit, content_type, label)
    return content_type


def original_name(name: str | None) -> str:
    """The name the user gave the file, kept for display only: no path, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "berkas"


# --- photos: stored reduced --------------------------------------------------------------------------

# A KTP or an SK stays legible at 2000 px on its longest side; a phone's 4000 px photo is four times the
# pixels and several times the bytes.
PHOTO_MAX_SIDE = 2000
PHOTO_JPEG_QUALITY = 80
# A PNG this small (a screenshot, a scan saved as PNG) stays a PNG: JPEG would only blur its text.
PHOTO_PNG_KEPT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class PreparedFile:
    file: File
    content_type: str
    size: int
    name: str  # the user's name of the file, with the extension of what is stored


def _too_many_pixels(label: str | None) -> ValidationError:
    limit = f"{settings.DOCUMENT_IMAGE_MAX_PIXELS / 1_000_000:.0f}"
    if label is None:
        message = _(
            "The photo is too large: it has more than %(limit)s megapixels. Take it again at a smaller resolution."
        )
    else:
        message = _(
            "The photo is too large: %(document)s has more than %(limit)s megapixels. Take it again with a "
            "smaller camera resolution."
        )
    return _file_error(message % {"document": label, "limit": limit}, "too_many_pixels")


def _unreadable(label: str | None) -> ValidationError:
    if label is None:
        message = _("The photo cannot be read: the file is damaged or incomplete. Take the photo again and upload it.")
    else:
        message = _(
            "%(document)s cannot be read as a photo: the file is damaged or incomplete. Take the photo again "
            "and upload it."
        )
    return _file_error(message % {"document": label}, "unreadable")


def _decoded(uploaded_file: UploadedFile, label: str | None) -> Image.Image:
    """The photo decoded, no larger than needed: its pixels are counted from the header before anything
    is decoded, and a JPEG is decoded at the smallest scale that still covers PHOTO_MAX_SIDE."""
    uploaded_file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(uploaded_file, formats=["JPEG", "PNG"])
            width, height = image.size
            if width * height > settings.DOCUMENT_IMAGE_MAX_PIXELS:
                raise _too_many_pixels(label)
            if image.format == "JPEG":
                image.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(label) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _unreadable(label) from None
    finally:
        uploaded_file.seek(0)
    return image


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA"):
        return image.getchannel("A").getextrema()[0] < 255
    return "transparency" in image.info


def _jpeg_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    if image.mode in ("RGB", "L"):
        rgb, icc = image, image.info.get("icc_profile")
    else:  # a CMYK profile, say, does not describe the converted pixels
        rgb, icc = image.convert("RGB"), None
    # No exif= and no comment: the metadata (GPS, camera, time) is not written again.
    rgb.save(out, "JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True, icc_profile=icc)
    return out.getvalue()


def _png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def photo_reduce(uploaded_file: UploadedFile, content_type: str, *, label: str | None = None) -> tuple[bytes, str]:
    """The photo as it is stored, and its content type: turned the way its EXIF says, no longer than
    PHOTO_MAX_SIDE on either side, without metadata. A JPEG stays a JPEG; a PNG becomes one only when that
    is smaller and it has no transparency and is not already small."""
    image = _decoded(uploaded_file, label)
    try:
        image = ImageOps.exif_transpose(image)
        resized = max(image.size) > PHOTO_MAX_SIDE
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
        if content_type == "image/jpeg":
            return _jpeg_bytes(image), "image/jpeg"
        png = _png_bytes(image)
        if _has_transparency(image) or (not resized and (uploaded_file.size or 0) <= PHOTO_PNG_KEPT_BYTES):
            return png, "image/png"
        jpeg = _jpeg_bytes(image)
    except (OSError, ValueError):  # pixels Pillow decodes but cannot turn or write (an odd mode)
        raise _unreadable(label) from None
    return (jpeg, "image/jpeg") if len(jpeg) < len(png) else (png, "image/png")


_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def document_prepare_file(uploaded_file: UploadedFile, *, label: str | None = None) -> PreparedFile:
    """The file as it is stored: checked (document_check_file), and a photo reduced (photo_reduce). A PDF
    is stored as it came."""
    content_type = document_check_file(uploaded_file, label=label)
    name = original_name(uploaded_file.name)
    if not content_type.startswith("image/"):
        return PreparedFile(uploaded_file, content_type, uploaded_file.size or 0, name)
    data, stored_type = photo_reduce(uploaded_file, content_type, label=label)
    if stored_type != content_type:  # a PNG stored as JPEG is named so when it is downloaded
        name = os.path.splitext(name)[0] + _EXTENSIONS[stored_type]
    return PreparedFile(ContentFile(data), stored_type, len(data), name)
