"""Writes of reconciliation: upload a BPJS list → choose its columns → compare it.

The uploaded list holds NIKs: until its columns are chosen it waits in the one preview storage
(previews), under the token of its Reconciliation row, for its uploader only and for a week (the daily
previews clean-up deletes it after that). Comparing uses the preview up and drops its file; the
Reconciliation row then keeps the comparison (masked NIKs and ids only). The API uploads and compares in
one step and keeps no file at all."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from bpjs.models import Reconciliation, ReconciliationMapping
from bpjs.reconciliation.matching import compare
from bpjs.reconciliation.reading import clean_mapping, find_header, saved_mapping, suggested_mapping
from bpjs.reconciliation.selectors import UPLOAD, upload_scope, waiting_upload
from core.models import Program, Regency
from core.permissions import ensure_may_reconcile
from core.spreadsheets.reader import read_filled_rows as read_rows
from previews.services import preview_claim, preview_create

# The page says a list not compared within a week must be uploaded again.
UPLOAD_LIFETIME = dt.timedelta(days=7)


def _new(*, actor: User, regency: Regency, program: Program, name: str, result: dict) -> Reconciliation:
    return Reconciliation(
        token=secrets.token_hex(16),
        program=program,
        regency=regency,
        original_name=name,
        created_by=actor,
        result={"language": translation.get_language(), **result},
    )


def _remember(*, actor: User, regency: Regency, program: Program, mapping: dict[str, str]) -> None:
    ReconciliationMapping.objects.update_or_create(
        program=program, regency=regency, defaults={"mapping": mapping, "updated_by": actor}
    )


def _upload_name(upload) -> str:
    return os.path.basename(getattr(upload, "name", "") or "")[:255] or "bpjs"


@transaction.atomic
def reconciliation_upload(*, actor: User, regency: Regency, program: Program, upload) -> Reconciliation:
    """Keep a BPJS list, for its uploader only, until its columns are mapped: the file in a preview, the
    Reconciliation row (the same token) naming it for the pages. A file that cannot be read raises
    ImportFileError and keeps nothing."""
    ensure_may_reconcile(actor, regency, program)
    name = _upload_name(upload)
    values = read_rows(upload, name=name)
    header_at, headers = find_header(values)
    reconciliation = _new(actor=actor, regency=regency, program=program, name=name, result={"stage": "mapping"})
    preview = preview_create(
        actor=actor,
        kind=UPLOAD,
        scope=upload_scope(reconciliation),
        data={"header_at": header_at, "headers": [h for h in headers if h]},
        upload=upload,
        name=name,
        lifetime=UPLOAD_LIFETIME,
    )
    reconciliation.token = preview.token
    try:
        reconciliation.save()
    except Exception:
        preview.file.delete(save=False)
        raise
    return reconciliation


def _read_upload(reconciliation: Reconciliation, preview) -> list[tuple[int, tuple]]:
    try:
        with preview.file.open("rb") as fileobj:
            return read_rows(fileobj, name=reconciliation.original_name)
    except (FileNotFoundError, ValueError) as exc:
        raise ValidationError(_("The uploaded file is no longer there. Upload it again.")) from exc


@transaction.atomic
def reconciliation_run(*, actor: User, reconciliation: Reconciliation, mapping: dict[str, str]) -> Reconciliation:
    """Compare the actor's uploaded list with the given column mapping, using its preview up; the mapping
    is remembered for the branch. Another user's upload is a 404; a mapping refused leaves it waiting."""
    ensure_may_reconcile(actor, reconciliation.regency, reconciliation.program)
    reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    if reconciliation.result.get("stage") != "mapping":
        raise ValidationError(_("This list has already been compared."))
    preview = waiting_upload(actor, reconciliation)
    if preview is None:
        raise ValidationError(_("The uploaded file is no longer there. Upload it again."))
    upload = preview.data
    mapping = clean_mapping(mapping, upload["headers"])
    result = compare(
        values=_read_upload(reconciliation, preview),
        header_at=upload["header_at"],
        mapping=mapping,
        regency=reconciliation.regency,
        program=reconciliation.program,
    )
    if not preview_claim(preview=preview):  # compared meanwhile from another window, or just expired
        raise ValidationError(_("The uploaded file is no longer there. Upload it again."))
    _remember(actor=actor, regency=reconciliation.regency, program=reconciliation.program, mapping=mapping)
    reconciliation.result = {"language": reconciliation.result.get("language"), **result}
    reconciliation.save(update_fields=["result"])
    return reconciliation


@transaction.atomic
def reconciliation_create(
    *, actor: User, regency: Regency, program: Program, upload: IO[bytes], mapping: dict[str, str] | None = None
) -> Reconciliation:
    """Upload and compare in one step (the API): with the given mapping, else the branch's saved one or
    the usual header names. The file itself is not kept."""
    ensure_may_reconcile(actor, regency, program)
    name = _upload_name(upload)
    values = read_rows(upload, name=name)
    header_at, headers = find_header(values)
    if not mapping:
        mapping = suggested_mapping(headers, saved_mapping(regency=regency, program=program))
    mapping = clean_mapping(mapping, headers)
    result = compare(values=values, header_at=header_at, mapping=mapping, regency=regency, program=program)
    _remember(actor=actor, regency=regency, program=program, mapping=mapping)
    reconciliation = _new(actor=actor, regency=regency, program=program, name=name, result=result)
    reconciliation.save()
    return reconciliation
