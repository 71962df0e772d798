"""Excel exports (openpyxl write-only mode: rows stream out, memory stays flat)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from villages.models import Regency, Village

from .models import Program

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(*, filename: str, title: str, headers: list[str], rows: Iterable[list]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(row)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response


def villages_xlsx(
    villages: Iterable[Village], *, regency: Regency, program: Program, day: dt.date, which: str
) -> HttpResponse:
    """The desa of a dashboard list, with the village head to contact; counts are numbers, not text."""
    headers = [
        _("Village code"),
        _("Village"),
        _("Subdistrict"),
        _("Officials"),
        _("Officials covered"),
        _("Village head"),
        _("Village head phone"),
    ]
    rows = (
        [
            v.code,
            v.name,
            v.subdistrict.name,
            v.officials or 0,
            v.officials_covered or 0,
            v.head_name or "",
            v.head_phone or "",
        ]
        for v in villages
    )
    filename = f"desa-{which}-{program.code}-{regency.code}-{day.isoformat()}.xlsx"
    return xlsx_response(filename=filename, title=program.short_name, headers=headers, rows=rows)
