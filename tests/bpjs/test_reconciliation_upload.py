"""A BPJS list waiting for its columns (bpjs.reconciliation.services): kept in the one preview storage, so
any worker shows its mapping step; its uploader's only (another officer's token is a 404 and changes
nothing); used once by the comparison; unreadable once expired and cleaned by the daily clean-up, when its
page sends the reader back to upload it again."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.utils import timezone

from bpjs.models import Reconciliation, ReconciliationMapping
from bpjs.reconciliation.selectors import waiting_upload
from previews.models import Preview
from previews.services import previews_expire
from tests.bpjs import test_reconciliation as reconciliation
from tests.previews.test_previews import fresh_client

uji, uji_desa, bpjs_kes_uji, dpmd_uji, scene = (
    reconciliation.uji,
    reconciliation.uji_desa,
    reconciliation.bpjs_kes_uji,
    reconciliation.dpmd_uji,
    reconciliation.scene,
)
MAPPING, upload_page = reconciliation.MAPPING, reconciliation.upload_page


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def uploaded(client, uji, kes, scene) -> tuple[str, Reconciliation]:
    location = upload_page(client, uji, kes, scene["file"])["Location"]
    return location, Reconciliation.objects.get(token=location.rstrip("/").rsplit("/", 1)[-1])


def test_the_uploaded_list_waits_in_a_preview_of_its_uploader(scene, uji, kes, bpjs_kes_uji, login):
    _location, waiting = uploaded(login(bpjs_kes_uji), uji, kes, scene)

    preview = Preview.objects.get(token=waiting.token)
    assert (preview.kind, preview.created_by, preview.data["headers"][:3]) == (
        Preview.Kind.RECONCILIATION,
        bpjs_kes_uji,
        ["No", "NIK", "No Kartu"],
    )
    assert preview.file and not waiting.file  # the NIKs are in the preview's file, not on the row
    assert preview.expires_at > timezone.now() + dt.timedelta(days=6)
    assert waiting.result["stage"] == "mapping"


def test_another_officers_uploaded_list_is_a_404_and_changes_nothing(scene, uji, kes, bpjs_kes_uji, dpmd_uji, login):
    location, waiting = uploaded(login(bpjs_kes_uji), uji, kes, scene)
    colleague = login(dpmd_uji)  # reconciles the same regency and program

    assert colleague.get(location).status_code == 404
    assert colleague.post(location, MAPPING).status_code == 404
    assert colleague.get(location.rstrip("/") + ".xlsx").status_code == 404
    assert colleague.post(location + "terapkan/", {"line": "r5"}).status_code == 404
    assert waiting.token not in colleague.get("/bpjs/rekonsiliasi/").content.decode()  # not listed for them
    assert waiting.token in login(bpjs_kes_uji).get("/bpjs/rekonsiliasi/").content.decode()

    waiting.refresh_from_db()
    assert waiting.result["stage"] == "mapping"
    assert not ReconciliationMapping.objects.filter(program=kes, regency=uji).exists()
    assert Preview.objects.get(token=waiting.token).is_open
    assert login(bpjs_kes_uji).post(location, MAPPING).status_code == 302  # its uploader still compares it


def test_the_mapping_step_survives_a_cache_clear(scene, uji, kes, bpjs_kes_uji, login):
    location, waiting = uploaded(login(bpjs_kes_uji), uji, kes, scene)

    other_worker = fresh_client(login, bpjs_kes_uji)
    mapping_page = other_worker.get(location)
    compared = fresh_client(login, bpjs_kes_uji).post(location, MAPPING)

    assert mapping_page.status_code == 200 and "No Kartu" in mapping_page.content.decode()
    assert compared.status_code == 302
    waiting.refresh_from_db()
    assert waiting.result["summary"]["mismatched"] == 4


def test_the_uploaded_list_is_used_once_by_its_comparison(scene, uji, kes, bpjs_kes_uji, login):
    client = login(bpjs_kes_uji)
    location, waiting = uploaded(client, uji, kes, scene)
    client.post(location, MAPPING)

    preview = Preview.objects.get(token=waiting.token)
    assert (preview.status, preview.data_encrypted, preview.file.name) == (Preview.Status.CONFIRMED, "", "")
    again = client.post(location, {**MAPPING, "wage": ""})  # the result page does not take a mapping
    waiting.refresh_from_db()
    assert again.status_code == 200 and waiting.result["mapping"] == MAPPING


def test_an_expired_list_is_unreadable_and_its_page_asks_for_it_again(
    scene, uji, kes, bpjs_kes_uji, login, media, django_capture_on_commit_callbacks
):
    client = login(bpjs_kes_uji)
    location, waiting = uploaded(client, uji, kes, scene)
    Preview.objects.filter(token=waiting.token).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert waiting_upload(bpjs_kes_uji, waiting) is None  # past its time: not read even before the clean-up
    with django_capture_on_commit_callbacks(execute=True):
        assert previews_expire() == 1
    page = client.get(location, follow=True)
    posted = client.post(location, MAPPING)

    assert not Preview.objects.filter(token=waiting.token).exists()
    assert not any(media.rglob("*.xlsx"))  # the file with its NIKs is gone
    assert page.redirect_chain == [("/bpjs/rekonsiliasi/", 302)]
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert posted.status_code == 302 and posted["Location"] == "/bpjs/rekonsiliasi/"
    waiting.refresh_from_db()
    assert waiting.result["stage"] == "mapping" and "villages" not in waiting.result
    assert not ReconciliationMapping.objects.filter(program=kes, regency=uji).exists()


def test_a_list_kept_on_its_row_before_previews_loses_its_file(
    uji, kes, bpjs_kes_uji, login, django_capture_on_commit_callbacks
):
    legacy = Reconciliation(
        token="l" * 32,
        program=kes,
        regency=uji,
        original_name="bpjs.csv",
        result={"stage": "mapping"},
        created_by=bpjs_kes_uji,
    )
    legacy.file.save("bpjs.csv", ContentFile(b"NIK,Nomor\n"), save=False)
    legacy.save()
    storage, name = legacy.file.storage, legacy.file.name
    migration = importlib.import_module("bpjs.migrations.0002_discard_uncompared_uploads")

    with django_capture_on_commit_callbacks(execute=True):
        migration.discard_uncompared_uploads(apps, None)

    legacy.refresh_from_db()
    assert (legacy.file.name, legacy.result["stage"]) == ("", "expired")
    assert not storage.exists(name)
    assert login(bpjs_kes_uji).get(f"/bpjs/rekonsiliasi/{legacy.token}/")["Location"] == "/bpjs/rekonsiliasi/"
