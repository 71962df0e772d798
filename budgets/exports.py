"""Excel files of budgets: a scenario's figures per desa (through the one writer, core.spreadsheets)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _

from budgets.models import Scenario
from budgets.scenarios import ScenarioResult
from core.spreadsheets.columns import Column, village_columns
from core.spreadsheets.writer import title_text, xlsx_response


def scenario_xlsx(scenario: Scenario, result: ScenarioResult, *, day: dt.date) -> HttpResponse:
    """One row per desa and a total row; amounts are rupiah numbers, the ADD share a number."""
    columns = [
        *village_columns(),
        Column("officials", _("Officials"), 10),
        *(
            Column(key, header, 20, money=True)
            for key, header in (
                ("employer_month", _("Employer share per month")),
                ("participant_month", _("Participant share per month")),
                ("employer_december", _("Employer share to December")),
                ("participant_december", _("Participant share to December")),
                ("employer_12", _("Employer share, 12 months")),
                ("participant_12", _("Participant share, 12 months")),
            )
        ),
        Column("add", _("ADD"), 18, money=True),
        Column("add_share", _("Share of ADD (%)"), 14),
    ]
    rows = [
        [v.code, v.name, v.subdistrict, v.officials, *(getattr(v, a) for a in v.AMOUNTS), v.add_amount, v.add_share]
        for v in result.villages
    ]
    t = result.total
    rows.append(["", _("Total"), "", t.officials, *(getattr(t, a) for a in t.AMOUNTS), None, None])
    title = title_text(scenario.name, regency=scenario.regency, program=scenario.program, day=day)
    filename = f"skenario-{scenario.name}-{scenario.regency_id}.xlsx"  # the writer makes the name safe
    return xlsx_response(filename=filename, sheet_title=scenario.name, title=title, columns=columns, rows=rows)
