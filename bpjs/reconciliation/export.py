"""A comparison for people to read: its lines with labels in the user's language (the stored lines keep
codes), and its Excel file."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bpjs.models import Reconciliation
from bpjs.reconciliation.matching import KIND_LABELS
from bpjs.reconciliation.reading import FIELD_LABELS
from core.spreadsheets.columns import Column, village_columns
from core.spreadsheets.writer import title_text, xlsx_response
from core.templatetags.format_id import rupiah
from enrollment.models import Enrollment

Status = Enrollment.Status

ACTION_LABELS = {
    "activate": gettext_lazy("activate with the BPJS participant number"),
    "set_number": gettext_lazy("take the BPJS participant number"),
    "inactivate": gettext_lazy("make inactive"),
}


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else ""


def describe_difference(difference: dict) -> str:
    here, bpjs = difference["here"], difference["bpjs"]
    if difference["field"] == "nik":
        # Both NIKs are kept masked to their regency prefix, which says nothing of how they differ.
        return _("NIK: the BPJS list holds another NIK for this participant number")
    if difference["field"] == "status":
        here, bpjs = _status_label(here), _status_label(bpjs)
    elif difference["field"] == "wage":
        here, bpjs = rupiah(here), rupiah(bpjs)
    return _("%(field)s: here %(here)s, in BPJS %(bpjs)s") % {
        "field": FIELD_LABELS[difference["field"]],
        "here": here,
        "bpjs": bpjs,
    }


def line_for_display(line: dict) -> dict:
    """A result line with its labels in the user's language (the stored line keeps codes)."""
    return {
        **line,
        "kind_label": KIND_LABELS[line["kind"]],
        "status_here_label": _status_label(line["status_here"]),
        "status_bpjs_label": _status_label(line["status_bpjs"]),
        "difference_texts": [describe_difference(d) for d in line["differences"]],
        "action_texts": [ACTION_LABELS[a] for a in line["actions"]],
    }


def _columns() -> list[Column]:
    return [
        *village_columns(),
        Column("kind", _("Result"), 20),
        Column("row", _("Row in the BPJS file"), 10),
        Column("nik", _("NIK"), 20, text=True),
        Column("name_here", _("Name here"), 26),
        Column("name_bpjs", _("Name in BPJS"), 26),
        Column("number_here", _("Participant number here"), 20, text=True),
        Column("number_bpjs", _("Participant number in BPJS"), 20, text=True),
        Column("status_here", _("Status here"), 14),
        Column("status_bpjs", _("Status in BPJS"), 14),
        Column("wage_here", _("Wage here"), 16, money=True),
        Column("wage_bpjs", _("Wage in BPJS"), 16, money=True),
        Column("differences", _("Differences"), 48),
        Column("applied", _("Applied"), 14),
    ]


def _row(village: dict, line: dict) -> list:
    return [
        village["code"],
        village["name"],
        village["subdistrict"],
        str(KIND_LABELS[line["kind"]]),
        line["row"],
        line["nik"],
        line["name_here"],
        line["name_bpjs"],
        line["number_here"],
        line["number_bpjs"],
        _status_label(line["status_here"]),
        _status_label(line["status_bpjs"]),
        line["wage_here"],
        line["wage_bpjs"],
        "; ".join(describe_difference(d) for d in line["differences"]),
        line["applied"]["by"] if line["applied"] else "",
    ]


def reconciliation_xlsx(reconciliation: Reconciliation) -> HttpResponse:
    """Every line of a comparison, one row each, with its desa; NIKs masked as they are stored."""
    rows = (_row(village, line) for village in reconciliation.result.get("villages", []) for line in village["lines"])
    day = timezone.localtime(reconciliation.created_at).date()
    filename = f"rekonsiliasi-{reconciliation.program_id}-{reconciliation.regency_id}-{day.isoformat()}.xlsx"
    title = title_text(_("Reconciliation"), regency=reconciliation.regency, program=reconciliation.program, day=day)
    return xlsx_response(filename=filename, sheet_title=_("Reconciliation"), title=title, columns=_columns(), rows=rows)
