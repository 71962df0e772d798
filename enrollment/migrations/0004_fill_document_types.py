from django.db import migrations

TYPES = [
    ("ktp", "KTP (Kartu Tanda Penduduk)", ["bpjs_kesehatan", "bpjs_ketenagakerjaan"]),
    ("kk", "KK (Kartu Keluarga)", ["bpjs_kesehatan", "bpjs_ketenagakerjaan"]),
    ("sk_pengangkatan", "SK Pengangkatan", ["bpjs_kesehatan", "bpjs_ketenagakerjaan"]),
]


def fill_document_types(apps, schema_editor):
    DocumentType = apps.get_model("enrollment", "DocumentType")
    Program = apps.get_model("enrollment", "Program")
    for order, (code, name, programs) in enumerate(TYPES):
        document_type, _ = DocumentType.objects.update_or_create(code=code, defaults={"name": name, "order": order})
        document_type.programs.set(Program.objects.filter(code__in=programs))


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0003_documenttype_historicaldocument_submission_and_more")]
    operations = [migrations.RunPython(fill_document_types, migrations.RunPython.noop)]
