"""Uploads that hold NIKs are not kept for ever: officials files never confirmed and BPJS lists never
compared are discarded by a daily task."""

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.utils import timezone

from bpjs.models import Reconciliation
from bpjs.tasks import discard_stale_reconciliations
from previews.models import Preview
from previews.services import preview_create
from villages.models import RosterImport
from villages.tasks import discard_stale_imports


def _age(model, pk, days):
    model.objects.filter(pk=pk).update(
        **{
            "created_at": timezone.now() - dt.timedelta(days=days),
            **({"updated_at": timezone.now() - dt.timedelta(days=days)} if model is RosterImport else {}),
        }
    )


def _roster_import(user, village, token):
    # An import waiting for its check: its file is kept in the previews storage.
    preview = preview_create(
        actor=user,
        kind=Preview.Kind.ROSTER,
        scope=village.code,
        data={},
        upload=ContentFile(b"PK rows with NIKs", "a.xlsx"),
    )
    return RosterImport.objects.create(
        token=token,
        regency=village.subdistrict.regency,
        village=village,
        original_name="a.xlsx",
        status=RosterImport.Status.UPLOADED,
        created_by=user,
        preview=preview,
    )


def _reconciliation(user, regency, program, token):
    rec = Reconciliation(
        token=token,
        program=program,
        regency=regency,
        original_name="bpjs.csv",
        result={"stage": "mapping"},
        created_by=user,
    )
    rec.file.save("bpjs.csv", ContentFile(b"NIK,Nomor\n"), save=False)
    rec.save()
    return rec


def test_old_unconfirmed_imports_and_uncompared_lists_are_discarded_with_their_files(
    django_capture_on_commit_callbacks, head_suka_pindah, suka_pindah, dpmd_mukomuko, mukomuko, kes
):
    old_import, new_import = (
        _roster_import(head_suka_pindah, suka_pindah, "a" * 32),
        _roster_import(head_suka_pindah, suka_pindah, "b" * 32),
    )
    old_list = _reconciliation(dpmd_mukomuko, mukomuko, kes, "c" * 32)
    files = [old_import.preview.file.path, old_list.file.path]
    _age(RosterImport, old_import.pk, 8)
    _age(Reconciliation, old_list.pk, 8)

    with django_capture_on_commit_callbacks(execute=True):
        assert discard_stale_imports.delay().get() == 1
        assert discard_stale_reconciliations.delay().get() == 1

    old_import.refresh_from_db()
    new_import.refresh_from_db()
    old_list.refresh_from_db()
    assert old_import.status == RosterImport.Status.DISCARDED
    assert old_import.preview.status == Preview.Status.DISCARDED
    assert new_import.status == RosterImport.Status.UPLOADED and new_import.preview.is_open
    assert new_import.preview.file.storage.exists(new_import.preview.file.name)
    assert (old_list.file.name, old_list.result["stage"]) == ("", "expired")
    assert not any(os.path.exists(path) for path in files)


def test_an_expired_list_sends_its_reader_back_to_upload(dpmd_mukomuko, mukomuko, kes, login):
    rec = _reconciliation(dpmd_mukomuko, mukomuko, kes, "d" * 32)
    _age(Reconciliation, rec.pk, 8)
    discard_stale_reconciliations.delay()

    response = login(dpmd_mukomuko).get(f"/bpjs/rekonsiliasi/{rec.token}/")

    assert response.status_code == 302 and response["Location"].endswith("/bpjs/rekonsiliasi/")
