"""Uploads that hold NIKs are not kept for ever: officials files never confirmed and BPJS lists never
compared are discarded by a daily task (a BPJS list waits for its columns in the preview storage, which
the daily previews clean-up empties)."""

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bpjs.models import Reconciliation
from bpjs.reconciliation.services import reconciliation_upload
from previews.models import Preview
from previews.services import preview_create
from previews.tasks import discard_stale_previews
from villages.models import RosterImport
from villages.tasks import discard_stale_imports


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _age(model, pk, days):
    model.objects.filter(pk=pk).update(
        **{
            "created_at": timezone.now() - dt.timedelta(days=days),
            **({"updated_at": timezone.now() - dt.timedelta(days=days)} if model is RosterImport else {}),
        }
    )


def _age_upload(reconciliation, days):
    """The list's upload as if it had been made `days` days ago: it waits a week for its columns."""
    then = timezone.now() - dt.timedelta(days=days)
    _age(Reconciliation, reconciliation.pk, days)
    Preview.objects.filter(token=reconciliation.token).update(created_at=then, expires_at=then + dt.timedelta(days=7))


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


def _reconciliation(user, regency, program):
    return reconciliation_upload(
        actor=user, regency=regency, program=program, upload=SimpleUploadedFile("bpjs.csv", b"NIK,Nomor\n")
    )


def _upload_file(reconciliation) -> str:
    return Preview.objects.get(token=reconciliation.token).file.path


def test_old_unconfirmed_imports_and_uncompared_lists_are_discarded_with_their_files(
    django_capture_on_commit_callbacks, head_suka_pindah, suka_pindah, dpmd_mukomuko, mukomuko, kes
):
    old_import, new_import = (
        _roster_import(head_suka_pindah, suka_pindah, "a" * 32),
        _roster_import(head_suka_pindah, suka_pindah, "b" * 32),
    )
    old_list, new_list = _reconciliation(dpmd_mukomuko, mukomuko, kes), _reconciliation(dpmd_mukomuko, mukomuko, kes)
    files = [old_import.preview.file.path, _upload_file(old_list)]
    new_list_file = _upload_file(new_list)
    _age(RosterImport, old_import.pk, 8)
    _age_upload(old_list, 8)

    with django_capture_on_commit_callbacks(execute=True):
        assert discard_stale_imports.delay().get() == 1
        # the old list's preview, past its week, and the old import's, discarded just before
        assert discard_stale_previews.delay().get() == 2

    old_import.refresh_from_db()
    new_import.refresh_from_db()
    assert old_import.status == RosterImport.Status.DISCARDED
    assert old_import.preview is None  # its preview, file and all, is gone
    assert new_import.status == RosterImport.Status.UPLOADED and new_import.preview.is_open
    assert new_import.preview.file.storage.exists(new_import.preview.file.name)
    assert not Preview.objects.filter(token=old_list.token).exists()
    assert Preview.objects.filter(token=new_list.token).exists() and os.path.exists(new_list_file)
    assert not any(os.path.exists(path) for path in files)
    assert Reconciliation.objects.get(pk=old_list.pk).file.name == ""  # the row never held the file


def test_an_expired_list_sends_its_reader_back_to_upload(dpmd_mukomuko, mukomuko, kes, login):
    rec = _reconciliation(dpmd_mukomuko, mukomuko, kes)
    _age_upload(rec, 8)
    discard_stale_previews.delay()

    response = login(dpmd_mukomuko).get(f"/bpjs/rekonsiliasi/{rec.token}/")

    assert response.status_code == 302 and response["Location"].endswith("/bpjs/rekonsiliasi/")
