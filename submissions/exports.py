"""Excel of the DPMD list of submissions: the rows of the page, all of its pages, in its order."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Program, Regency
from core.spreadsheets.columns import Column, village_columns
from core.spreadsheets.writer import title_text, xlsx_response
from submissions.models import Submission


def submissions_xlsx(
    submissions: Iterable[Submission], *, regency: Regency, program: Program | None, status: str
) -> HttpResponse:
    columns = [
        *village_columns(),
        Column("program", _("Program"), 16),
        Column("status", _("Status"), 18),
        Column("submitted", _("Submitted"), 14, date=True),
        Column("officials", _("Officials"), 12),
        Column("missing", _("Missing documents"), 14),
    ]
    rows = (
        [
            s.village.code,
            s.village.name,
            s.village.subdistrict.name,
            s.program.short_name,
            str(s.get_status_display()),
            timezone.localdate(s.submitted_at) if s.submitted_at else None,
            s.officials or 0,
            s.officials_incomplete or 0,
        ]
        for s in submissions
    )
    day = timezone.localdate()
    title = title_text(_("Submissions"), regency=regency, program=program, day=day)
    filename = f"pengajuan-{status}-{program.code if program else 'semua'}-{regency.code}-{day.isoformat()}.xlsx"
    return xlsx_response(filename=filename, sheet_title=_("Submissions"), title=title, columns=columns, rows=rows)
