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


def max_size_label() -> str:
    """The largest accepted file in megabytes, written the Indonesian way ("2,0")."""
    return _megabytes(settings.DOCUMENT_MAX_BYTES)


def document_check_file(uploaded_file: UploadedFile) -> str:
    """The file's real content type; a ValidationError on `file`, in words a village operator
    understands, when it is empty, too large, or not a PDF, JPG or PNG."""
    size = uploaded_file.size or 0
    if size == 0:
        raise _file_error(_("The file is empty. Choose the scanned document again."), "empty")
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise _file_error(
            _("The file is too large (%(size)s MB). The largest allowed is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)},
            "too_large",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(_HEAD)
    uploaded_file.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise _file_error(
            _("This file is not a PDF, JPG or PNG. Scan or photograph the document and upload that file."),
            "wrong_type",
        )
    return content_type


def original_name(name: str | None) -> str:
    """The name the user gave the file, kept for display only: no path, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "berkas"
