"""BPJS lists waiting for their columns now wait in the preview storage (previews). A list uploaded before
that and never compared keeps its file (with its NIKs) in Reconciliation.file, which nothing reads or
cleans any more: its file goes, and its page sends the reader back to upload it again, as for any list
not compared in time."""

from django.db import migrations, transaction


def discard_uncompared_uploads(apps, schema_editor):
    Reconciliation = apps.get_model("bpjs", "Reconciliation")
    for reconciliation in Reconciliation.objects.exclude(file=""):
        name, storage = reconciliation.file.name, reconciliation.file.storage
        reconciliation.file = ""
        if reconciliation.result.get("stage") == "mapping":
            reconciliation.result = {**reconciliation.result, "stage": "expired"}
        reconciliation.save(update_fields=["file", "result"])
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))


class Migration(migrations.Migration):
    dependencies = [("bpjs", "0001_initial")]

    operations = [migrations.RunPython(discard_uncompared_uploads, migrations.RunPython.noop)]
