"""Each document belongs to the desa for whose post it was uploaded; existing ones go to the desa of
their official's home post (the current definitif post, else the earliest current one), or, for an
official no longer serving, of their last post."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_document_village(apps, schema_editor):
    Document = apps.get_model("submissions", "Document")
    Post = apps.get_model("villages", "Post")
    for document in Document.objects.filter(village__isnull=True).iterator():
        posts = Post.objects.filter(person_id=document.person_id)
        home = (
            posts.filter(ended_on__isnull=True, status="definitif").order_by("term_start", "pk").first()
            or posts.filter(ended_on__isnull=True).order_by("term_start", "pk").first()
            or posts.order_by("-ended_on", "-pk").first()
        )
        if home is not None:
            Document.objects.filter(pk=document.pk).update(village_id=home.village_id)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('submissions', '0001_initial'),
        ('villages', '0008_identity_conflict_post'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='document',
            options={'ordering': ['person', 'document_type', 'village'], 'verbose_name': 'document', 'verbose_name_plural': 'documents'},
        ),
        migrations.RemoveConstraint(
            model_name='document',
            name='one_document_per_person_and_type',
        ),
        migrations.AddField(
            model_name='document',
            name='village',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.village', verbose_name='village'),
        ),
        migrations.AddField(
            model_name='historicaldocument',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.village', verbose_name='village'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(fields=('person', 'document_type', 'village'), name='one_document_per_person_type_and_village'),
        ),
        # Last: on PostgreSQL no schema change may follow the row updates in the same transaction.
        migrations.RunPython(fill_document_village, migrations.RunPython.noop),
    ]
