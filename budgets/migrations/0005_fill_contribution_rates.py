"""Rates of ../shared/domain/rules.md §1–2, as dated data that a superuser can edit and supersede."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

# (program, component, effective from, employer, participant, ceiling, source)
RATES = [
    ("bpjs_kesehatan", "JKN", dt.date(2020, 7, 1), "0.04", "0.01", 12_000_000,
     "Perpres 82/2018 jo. 75/2019 art. 30; Perpres 64/2020 art. 32 (batas atas Rp12.000.000)"),
    ("bpjs_ketenagakerjaan", "JKK", dt.date(2015, 7, 1), "0.0024", "0", None,
     "PP 44/2015 jo. PP 82/2019 (kelompok risiko sangat rendah, 0,24%)"),
    ("bpjs_ketenagakerjaan", "JKM", dt.date(2015, 7, 1), "0.003", "0", None, "PP 44/2015"),
    ("bpjs_ketenagakerjaan", "JHT", dt.date(2015, 7, 1), "0.037", "0.02", None, "PP 46/2015 jo. PP 60/2015"),
    ("bpjs_ketenagakerjaan", "JP", dt.date(2015, 7, 1), "0.02", "0.01", 7_000_000, "PP 45/2015 art. 28–29"),
    ("bpjs_ketenagakerjaan", "JP", dt.date(2024, 3, 1), "0.02", "0.01", 10_042_300,
     "PP 45/2015 art. 28–29; batas upah JP Maret 2024"),
]


def fill_contribution_rates(apps, schema_editor):
    ContributionRate = apps.get_model("budgets", "ContributionRate")
    ProgramComponent = apps.get_model("enrollment", "ProgramComponent")
    for program, code, start, employer, participant, ceiling, source in RATES:
        component = ProgramComponent.objects.get(program_id=program, code=code)
        ContributionRate.objects.update_or_create(
            component=component,
            effective_from=start,
            defaults={
                "employer_rate": Decimal(employer),
                "participant_rate": Decimal(participant),
                "wage_ceiling": ceiling,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0004_historicalcontributionrate_historicalpayment_and_more"),
        ("enrollment", "0002_fill_programs"),
    ]
    operations = [migrations.RunPython(fill_contribution_rates, migrations.RunPython.noop)]
