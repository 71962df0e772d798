"""Document downloads in the access log (accounts.access): a KTP or KK carries the official's NIK."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.access import access_record
from accounts.models import AccessRecord
from submissions.models import Document
from villages.selectors import official_regency_codes


def document_download_record(request: HttpRequest, document: Document) -> None:
    """One record per regency where the official holds a current post (the DPMD of each reads it)."""
    target = f"{document.document_type_id} #{document.pk}, {document.person.full_name} (#{document.person_id})"
    niks = dict.fromkeys(official_regency_codes(document.person_id), 1) or {None: 1}
    access_record(request, AccessRecord.Kind.DOCUMENT, target=target, niks=niks)
