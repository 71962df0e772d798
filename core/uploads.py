"""Uploaded papers: where they are stored (the names are referenced by migrations: keep them importable),
and the one check of a scanned paper (a KTP, a KK, an SK) that every upload of one goes through.

A file is accepted by what it *is*, never by its name or by the content type the browser claims: its
first bytes must be those of a PDF, a JPEG or a PNG."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

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
