"""A file whose sheet or columns the user must choose before it can be checked.

An upload whose workbook has several sheets, none with the template's header, or whose header row lacks
required columns even under their aliases, is not simply refused: the file is kept in the one preview
storage (its uploader's only, for a day) and the page asks which sheet holds the officials, or which of
the file's headers holds each column of the template. The columns chosen are remembered for the regency
(ImportHeaderMapping): the next file with the same headers, from any user of the regency, imports at
once; another regency never uses them. Once chosen, the kept file goes through the usual upload
(services.roster_import_upload) and its preview is used up.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import Regency, Village
from core.spreadsheets.cells import loose_key
from core.spreadsheets.columns import Column
from core.spreadsheets.reader import SheetChoiceNeeded, match_header
from previews.models import Preview
from previews.selectors import preview_for
from previews.services import preview_claim, preview_create, preview_update
from villages.models import ImportHeaderMapping, RosterImport
from villages.roster_import import services
from villages.roster_import.columns import columns_for
from villages.roster_import.reader import HeaderMismatch

KEPT_FOR = dt.timedelta(days=1)
SCOPE = "file:"  # the scope of a kept file's preview, before its desa or regency code
SHEET, COLUMNS = "sheet", "columns"  # the choice a kept file waits for


def roster_file_upload(*, actor: User, upload, village: Village | None, regency: Regency) -> RosterImport | Preview:
    """services.roster_import_upload; a file whose sheet or columns must be chosen is kept instead, and
    its preview returned (data: the step, the message, the sheets or headers to choose from)."""
    try:
        return services.roster_import_upload(actor=actor, upload=upload, village=village, regency=regency)
    except SheetChoiceNeeded as exc:
        data = {"step": SHEET, "sheets": exc.sheets, "message": exc.messages[0]}
    except HeaderMismatch as exc:
        data = {"step": COLUMNS, "headers": exc.headers, "message": exc.messages[0]}
    target = village.code if village is not None else regency.code
    data.update(village=village.code if village is not None else None, regency=regency.code, sheet=None)
    return preview_create(
        actor=actor,
        kind=Preview.Kind.ROSTER,
        scope=f"{SCOPE}{target}",
        data=data,
        upload=upload,
        name=upload.name,
        lifetime=KEPT_FOR,
    )


def kept_file_for(user: User, token: str) -> Preview | None:
    """The user's kept file under `token`; None once used or expired; another user's is a 404 (so is a
    preview that is not a kept file)."""
    preview = preview_for(user, token, kind=Preview.Kind.ROSTER)
    if preview is not None and not preview.scope.startswith(SCOPE):
        raise Http404
    return preview


def suggested_columns(preview: Preview, columns: tuple[Column, ...], saved: dict[str, str]) -> dict[str, str]:
    """Column key → header of the file, as the aliases and the regency's saved mapping find them."""
    headers = preview.data.get("headers", [])
    match = match_header(tuple(headers), columns, mapping=saved)
    return {key: headers[index] for key, index in match.positions.items()}


def clean_columns(chosen: dict[str, str], *, headers: list[str], columns: tuple[Column, ...]) -> dict[str, str]:
    """{loose_key of a header: column key} from the form's {column key: header}; every required column
    chosen, a header given to one column only, and only the file's headers."""
    present = {loose_key(h) for h in headers}
    errors: dict[str, str] = {}
    mapping: dict[str, str] = {}
    for column in columns:
        header = chosen.get(column.key) or ""
        if not header:
            if column.required:
                errors[column.key] = _("Choose the column of the file that holds %(column)s.") % {
                    "column": column.header
                }
            continue
        key = loose_key(header)
        if key not in present:
            errors[column.key] = _("The file has no column “%(header)s”.") % {"header": header}
        elif key in mapping:
            errors[column.key] = _("The column “%(header)s” is chosen for two fields.") % {"header": header}
        else:
            mapping[key] = column.key
    if errors:
        raise ValidationError(errors)
    return mapping


def header_mapping_save(
    *, actor: User, regency: Regency, mapping: dict[str, str], headers: list[str]
) -> ImportHeaderMapping:
    """Remember the columns chosen for the regency: the entries for this file's headers are replaced by
    `mapping` (a header no longer chosen is forgotten); those of other layouts stay."""
    found = ImportHeaderMapping.objects.select_for_update().filter(regency=regency).first()
    row = found or ImportHeaderMapping(regency=regency)
    saved = {k: v for k, v in (row.mapping or {}).items() if k not in {loose_key(h) for h in headers}}
    row.mapping = {**saved, **mapping}
    row.updated_by = row._history_user = actor
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def roster_file_choose(
    *,
    actor: User,
    preview: Preview,
    village: Village | None,
    regency: Regency,
    sheet: str | None = None,
    columns: dict[str, str] | None = None,
) -> RosterImport | Preview:
    """Upload the kept file with the sheet or the columns chosen (the columns remembered for the regency).
    A sheet whose headers still lack columns makes the preview wait for them; any other refusal raises
    ValidationError and leaves the file kept and the mapping as it was. The preview is used up once the
    file is uploaded."""
    data = preview.data
    sheet = sheet or data.get("sheet")
    if columns is not None:
        template = columns_for(regency_file=village is None)
        mapping = clean_columns(columns, headers=data.get("headers", []), columns=template)
        header_mapping_save(actor=actor, regency=regency, mapping=mapping, headers=data.get("headers", []))
    try:
        with preview.file.open("rb") as fileobj:
            roster_import = services.roster_import_upload(
                actor=actor,
                upload=File(fileobj, name=preview.original_name),
                village=village,
                regency=regency,
                sheet=sheet,
            )
    except FileNotFoundError as exc:
        raise ValidationError(str(services.GONE)) from exc
    except HeaderMismatch as exc:
        if columns is not None:
            raise
        data.update(step=COLUMNS, sheet=sheet, headers=exc.headers, message=exc.messages[0])
        return preview_update(preview=preview, data=data)
    preview_claim(preview=preview)
    return roster_import
