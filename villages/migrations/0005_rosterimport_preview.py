import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("previews", "0001_initial"),
        ("villages", "0004_move_regions_to_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="rosterimport",
            name="preview",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="roster_import",
                to="previews.preview",
            ),
        ),
    ]
