"""The NIK step of an import whose rows came without a NIK (an OpenSID list, opensid.py): on the preview the
uploader types the NIK of each row no current official matched, or leaves the row out; the rows are then
planned again and the normal preview and confirmation go on.

Nothing is written to the officials: the typed NIKs go into the import's kept rows (the encrypted preview
storage, as for every checked file), never into RosterImport.result, which shows masked NIKs only. A
typed NIK that is wrong (structure, or refused by the plan: twice in the file, active in another desa)
is not kept: that row keeps asking, with the reason; the other rows' NIKs are kept.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core import nik as nik_lib
from core.spreadsheets.columns import Issue
from previews.selectors import preview_owned
from previews.services import preview_discard, preview_update
from villages.models import RosterImport
from villages.roster_import.parsing import rows_data, rows_from_data
from villages.roster_import.planning import replan
from villages.roster_import.selectors import EXPIRED, open_preview
from villages.roster_import.services import _language, _record_conflicts, _summary
from villages.services import ensure_roster_open

Status = RosterImport.Status
NOTHING_ASKED = gettext_lazy("No official of this file is waiting for a NIK.")
NOTHING_TYPED = gettext_lazy("Type a NIK, or tick “leave out”, for at least one official.")


def roster_import_fill_niks(
    *, actor: User, roster_import: RosterImport, niks: dict[int, str], left_out: set[int]
) -> RosterImport:
    """Give the rows waiting for a NIK the NIKs typed (by row number), drop the rows left out, and plan
    the file again. Raises ValidationError when the import is not waiting for NIKs."""
    with translation.override(_language(roster_import)), transaction.atomic():
        current = (
            RosterImport.objects.select_for_update(of=("self",)).select_related("preview").get(pk=roster_import.pk)
        )
        waiting = {entry["row"] for entry in (current.result or {}).get("needs_nik", [])}
        if current.status != Status.PREVIEW or not waiting:
            raise ValidationError(str(NOTHING_ASKED))
        preview = open_preview(current)
        if preview_owned(actor, preview) is None or preview.data.get("rows") is None:
            raise ValidationError(str(EXPIRED))
        if current.village is not None:
            ensure_roster_open(current.village)
        typed = {n: v.strip() for n, v in niks.items() if n in waiting and v and v.strip()}
        left_out = left_out & waiting
        if not typed and not left_out:
            raise ValidationError(str(NOTHING_TYPED))
        _fill(current, preview, actor=actor, typed=typed, left_out=left_out)
    roster_import.refresh_from_db()
    return roster_import


def _fill(current: RosterImport, preview, *, actor: User, typed: dict[int, str], left_out: set[int]) -> None:
    rows = [row for row in rows_from_data(preview.data["rows"]) if row.number not in left_out]
    by_number = {row.number: row for row in rows}
    today = timezone.localdate()
    refused: dict[int, list[str]] = {}
    warnings: list[Issue] = []
    for number, value in typed.items():
        row = by_number[number]
        check = nik_lib.check_nik(value, sex=row.get("sex"), birth_date=row.get("birth_date"), today=today)
        if not check.valid:
            refused[number] = check.errors
            continue
        row.nik, row.nik_hash = check.nik, nik_lib.hash_nik(check.nik)
        warnings += [Issue(number, "NIK", message) for message in check.warnings]
    args = {"regency": current.regency, "village": current.village, "actor": actor}
    plan = replan(rows, **args)
    # A typed NIK the plan refuses (twice in the file, active elsewhere) is not kept: the row asks again.
    rejected = {e.row for e in plan.errors if e.row in typed and e.row not in refused}
    if rejected:
        _record_conflicts(plan, current, actor)
        for issue in plan.errors:
            if issue.row in rejected:
                refused.setdefault(issue.row, []).append(issue.message)
        for number in rejected:
            by_number[number].nik = by_number[number].nik_hash = None
        for row in rows:
            row.has_errors = False  # planned afresh: the errors of the first plan were the typed NIKs'
        warnings = [w for w in warnings if w.row not in rejected]
        plan = replan(rows, **args)
    result = {"language": current.result.get("language"), **plan.preview()}
    if not plan.valid:
        # The officials changed since the preview was made (not the typed NIKs): as a confirmation does.
        current.status, current.result = Status.INVALID, {**result, "replanned": True}
        current.message = _(
            "The officials changed since this preview was made. Nothing has been saved: check the new preview below."
        )
        current.save(update_fields=["status", "result", "message", "updated_at"])
        preview_discard(preview=preview)
        return
    result["warnings"] = _merged(current.result.get("warnings", []), [w.as_dict() for w in warnings], result, left_out)
    result["counts"]["warnings"] = len(result["warnings"])
    for entry in result.get("needs_nik", []):
        if entry["row"] in refused:
            entry["errors"] = refused[entry["row"]]
    preview_update(preview=preview, data={**preview.data, "rows": rows_data(plan)})
    current.result = result
    current.message = _summary(plan)
    current.save(update_fields=["result", "message", "updated_at"])


def _merged(before: list[dict], typed: list[dict], result: dict, left_out: set[int]) -> list[dict]:
    """The file's warnings (kept from the first check: the rows are not parsed again), the typed NIKs'
    warnings and the new plan's, once each; none of a row just left out."""
    merged: list[dict] = []
    for warning in [*before, *typed, *result.get("warnings", [])]:
        if warning not in merged and warning["row"] not in left_out:
            merged.append(warning)
    return sorted(merged, key=lambda w: w["row"])
