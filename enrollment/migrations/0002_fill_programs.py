from django.db import migrations

PROGRAMS = [
    {
        "code": "bpjs_ketenagakerjaan", "name": "BPJS Ketenagakerjaan", "short_name": "BPJS TK",
        "participant_number_length": 11, "participant_number_length_strict": False, "order": 1,
        "components": [
            ("JKK", "Jaminan Kecelakaan Kerja", True),
            ("JKM", "Jaminan Kematian", True),
            ("JHT", "Jaminan Hari Tua", False),
            ("JP", "Jaminan Pensiun", False),
        ],
    },
    {
        "code": "bpjs_kesehatan", "name": "BPJS Kesehatan (JKN)", "short_name": "BPJS Kesehatan",
        "participant_number_length": 13, "participant_number_length_strict": True, "order": 2,
        "components": [("JKN", "Jaminan Kesehatan Nasional", True)],
    },
]


def fill_programs(apps, schema_editor):
    Program = apps.get_model("enrollment", "Program")
    ProgramComponent = apps.get_model("enrollment", "ProgramComponent")
    for spec in PROGRAMS:
        spec = dict(spec)
        components = spec.pop("components")
        program, _ = Program.objects.update_or_create(code=spec.pop("code"), defaults=spec)
        for order, (code, name, required) in enumerate(components):
            ProgramComponent.objects.update_or_create(
                program=program, code=code, defaults={"name": name, "is_required": required, "order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial")]
    operations = [migrations.RunPython(fill_programs, migrations.RunPython.noop)]
