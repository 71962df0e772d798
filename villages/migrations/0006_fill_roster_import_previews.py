"""Move what in-flight officials files keep (RosterImport.file) into the preview storage.

An import waiting for its check keeps its uploaded file, now referred to by a Preview (the stored file
does not move); one waiting for its confirmation had its parsed rows in an encrypted snapshot file, which
becomes the Preview's encrypted data (and the snapshot file goes). A file left behind by a finished
import (none should be) is deleted: it holds NIKs and nothing would refer to it once `file` is dropped.
"""

import datetime as dt
import json
import secrets

from django.db import migrations

WAITING = ("uploaded", "validating", "preview")
SNAPSHOT_NAME = "perangkat.rows"
LIFETIME = dt.timedelta(days=7)  # villages.tasks.discard_stale_imports


def _snapshot_rows(field_file) -> list | None:
    from core import nik as nik_lib

    try:
        with field_file.open("rb") as fileobj:
            text = nik_lib.decrypt_nik(fileobj.read().decode())
    except (FileNotFoundError, OSError, UnicodeDecodeError):
        return None
    return json.loads(text) if text else None  # unreadable with the current keys: as good as gone


def fill_roster_import_previews(apps, schema_editor):
    from core import nik as nik_lib

    RosterImport = apps.get_model("villages", "RosterImport")
    Preview = apps.get_model("previews", "Preview")
    for roster_import in RosterImport.objects.exclude(file="").filter(preview__isnull=True):
        name, storage = roster_import.file.name, roster_import.file.storage
        if roster_import.status not in WAITING:
            storage.delete(name)
            continue
        preview = Preview(
            token=secrets.token_hex(16),
            kind="roster",
            scope=roster_import.village_id or roster_import.regency_id,
            created_by_id=roster_import.created_by_id,
            original_name=roster_import.original_name,
            created_at=roster_import.created_at,
            expires_at=roster_import.updated_at + LIFETIME,
        )
        snapshot = name.endswith(SNAPSHOT_NAME)
        if snapshot:
            rows = _snapshot_rows(roster_import.file)
            if rows is not None:
                preview.data_encrypted = nik_lib.encrypt_nik(json.dumps({"rows": rows}, separators=(",", ":")))
        else:
            preview.file = name
        preview.save()
        RosterImport.objects.filter(pk=roster_import.pk).update(preview=preview)
        if snapshot:
            storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("previews", "0001_initial"),
        ("villages", "0005_rosterimport_preview"),
    ]

    operations = [migrations.RunPython(fill_roster_import_previews, migrations.RunPython.noop)]
