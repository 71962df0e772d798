from django.db import migrations

SOURCES = [
    ("ADD", "ADD (Alokasi Dana Desa)", "village"),
    ("DD", "DD (Dana Desa)", "village"),
    ("PADES", "PADes (Pendapatan Asli Desa)", "village"),
    ("DAU", "DAU (APBD)", "regency"),
    ("APBD", "APBD (lainnya)", "regency"),
    ("PESERTA", "Peserta (iuran pribadi)", "participant"),
]


def fill_funding_sources(apps, schema_editor):
    FundingSource = apps.get_model("budgets", "FundingSource")
    for order, (code, name, level) in enumerate(SOURCES):
        FundingSource.objects.update_or_create(code=code, defaults={"name": name, "level": level, "order": order})


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_initial")]
    operations = [migrations.RunPython(fill_funding_sources, migrations.RunPython.noop)]
