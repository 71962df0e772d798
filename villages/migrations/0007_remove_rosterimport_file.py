from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0006_fill_roster_import_previews"),
    ]

    operations = [
        migrations.RemoveField(model_name="rosterimport", name="file"),
    ]
