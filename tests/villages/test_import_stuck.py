"""No officials file stays "Memeriksa… 0%" or "Menyimpan…" for ever.

A check or save whose worker died (the OOM killer, a deploy) and never came back is marked failed by the
beat task after settings.TASK_STALL_MINUTES without a sign of life; the page then offers "Coba lagi"
(the same kept file or rows, checked or saved again) and "Buang". A task whose worker keeps dying ends
failed instead of looping; the daily clean-up discards every unfinished state, "applying" included,
with the NIK file on disk. The real worker killed mid-check is test_import_worker.py's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connection
from django.utils import timezone

from previews.models import Preview
from previews.services import preview_create
from tests.factories import UserFactory
from tests.villages.test_roster_import import SUKA_PINDAH, last_import, nik, official, stored_files, upload, xlsx
from villages.models import Position, Post, RosterImport
from villages.roster_import import services
from villages.roster_import.services import MAX_ATTEMPTS
from villages.tasks import discard_stale_imports, fail_stalled_imports, roster_import_validate

Status = RosterImport.Status
CHECK_STOPPED = "Pemeriksaan berkas terhenti sebelum selesai; coba lagi atau buang."
SAVE_STOPPED = "Penyimpanan berkas terhenti sebelum selesai; belum ada yang disimpan. Coba lagi atau buang."
NOT_KEPT = "Berkas ini sudah tidak disimpan: unggah ulang berkasnya."
RETRY_BUTTON = ">Coba lagi</button>"
DISCARD_BUTTON = ">Buang</button>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.ROSTER_IMPORT_INLINE_ROWS = 0  # every file is checked and saved by a task
    settings.TASK_STALL_MINUTES = 15
    return settings.MEDIA_ROOT


@pytest.fixture
def head(head_suka_pindah, login):
    return login(head_suka_pindah)


@pytest.fixture
def waiting_for_its_check(head, django_capture_on_commit_callbacks):
    """waiting_for_its_check() → a large file uploaded whose check task never ran (its worker died)."""

    def _upload(name: str = "Dedi Gunawan", client=head) -> RosterImport:
        with django_capture_on_commit_callbacks():  # the task is not run
            upload(client, xlsx([official(nik(3), name)]))
        return last_import()

    return _upload


def silent_for(roster_import: RosterImport, *, minutes: int, **fields) -> None:
    """The import as a task left it `minutes` ago, with no sign of life since."""
    then = timezone.now() - dt.timedelta(minutes=minutes)
    RosterImport.objects.filter(pk=roster_import.pk).update(heartbeat_at=then, updated_at=then, **fields)


def page(client, roster_import) -> str:
    return client.get(f"/impor/{roster_import.token}/").content.decode()


def test_a_check_silent_past_the_stall_time_is_failed_with_try_again_and_discard(
    waiting_for_its_check, head, media, django_capture_on_commit_callbacks
):
    stuck = waiting_for_its_check()
    silent_for(stuck, minutes=16, status=Status.VALIDATING, progress=40)
    running = waiting_for_its_check("Rina Marlina")
    silent_for(running, minutes=14, status=Status.VALIDATING, progress=40)  # not yet past 15 minutes

    assert fail_stalled_imports() == 1

    stuck.refresh_from_db()
    assert (stuck.status, stuck.message) == (Status.FAILED, CHECK_STOPPED)
    html = page(head, stuck)
    assert CHECK_STOPPED in html and RETRY_BUTTON in html and DISCARD_BUTTON in html
    assert "Memeriksa" not in html
    assert len(stored_files(media)) == 2  # its file is kept for "Coba lagi"
    running.refresh_from_db()
    assert running.status == Status.VALIDATING


def test_try_again_checks_the_kept_file_again(waiting_for_its_check, head, media, django_capture_on_commit_callbacks):
    stuck = waiting_for_its_check()
    silent_for(stuck, minutes=20, status=Status.VALIDATING)
    fail_stalled_imports()

    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(f"/impor/{stuck.token}/coba-lagi/")

    assert response.status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == Status.PREVIEW
    assert stuck.result["counts"]["new"] == 1
    assert ">Konfirmasi dan simpan</button>" in page(head, stuck)


def test_a_save_silent_past_the_stall_time_is_failed_and_try_again_saves_it(
    waiting_for_its_check, head, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(head, xlsx([official(nik(3), "Dedi Gunawan", position="Staf")]))
    checked = last_import()
    assert checked.status == Status.PREVIEW
    with django_capture_on_commit_callbacks():  # the save task is never run
        head.post(f"/impor/{checked.token}/konfirmasi/")
    silent_for(checked, minutes=30)

    fail_stalled_imports()

    checked.refresh_from_db()
    assert (checked.status, checked.message) == (Status.FAILED, SAVE_STOPPED)
    assert not Post.objects.filter(person__full_name="Dedi Gunawan", village=checked.village).exists()
    assert RETRY_BUTTON in page(head, checked)

    with django_capture_on_commit_callbacks(execute=True):
        head.post(f"/impor/{checked.token}/coba-lagi/")

    checked.refresh_from_db()
    assert checked.status == Status.APPLIED
    assert (
        Post.objects.filter(person__full_name="Dedi Gunawan", village=checked.village, position=Position.STAF).count()
        == 1
    )


def test_discard_of_a_failed_import_deletes_its_file(
    waiting_for_its_check, head, media, django_capture_on_commit_callbacks
):
    stuck = waiting_for_its_check()
    silent_for(stuck, minutes=20, status=Status.VALIDATING)
    fail_stalled_imports()
    assert stored_files(media)

    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(f"/impor/{stuck.token}/batal/")

    assert response.status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == Status.DISCARDED
    assert stored_files(media) == []
    assert head.post(f"/impor/{stuck.token}/coba-lagi/").status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == Status.DISCARDED


def test_a_failed_import_whose_file_is_gone_says_upload_again(
    waiting_for_its_check, head, media, django_capture_on_commit_callbacks
):
    stuck = waiting_for_its_check()
    silent_for(stuck, minutes=20, status=Status.VALIDATING)
    Preview.objects.filter(pk=stuck.preview_id).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    fail_stalled_imports()

    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED
    assert stuck.message == "Pemeriksaan berkas terhenti sebelum selesai. Unggah ulang berkasnya."
    html = page(head, stuck)
    assert NOT_KEPT in html and RETRY_BUTTON not in html
    assert f'href="/desa/{SUKA_PINDAH}/impor/"' in html
    response = head.post(f"/impor/{stuck.token}/coba-lagi/", follow=True)
    assert "Berkas ini tidak dapat dicoba lagi. Unggah ulang berkasnya." in response.content.decode()
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED


def test_a_check_whose_worker_keeps_dying_ends_failed_instead_of_looping(
    waiting_for_its_check, head, media, django_capture_on_commit_callbacks
):
    stuck = waiting_for_its_check()
    # The task was delivered MAX_ATTEMPTS times and its process died each time (acks_late re-delivers it).
    RosterImport.objects.filter(pk=stuck.pk).update(status=Status.VALIDATING, attempts=MAX_ATTEMPTS)

    roster_import_validate(stuck.pk)

    stuck.refresh_from_db()
    assert (stuck.status, stuck.message) == (Status.FAILED, CHECK_STOPPED)
    assert RETRY_BUTTON in page(head, stuck)


def test_the_daily_clean_up_discards_an_import_left_saving_and_deletes_its_file(
    waiting_for_its_check, head, media, django_capture_on_commit_callbacks
):
    stuck = waiting_for_its_check()
    silent_for(stuck, minutes=8 * 24 * 60, status=Status.APPLYING)  # "Menyimpan…" for 8 days
    assert stored_files(media)

    with django_capture_on_commit_callbacks(execute=True):
        assert discard_stale_imports() == 1

    stuck.refresh_from_db()
    assert stuck.status == Status.DISCARDED
    assert stored_files(media) == []


def test_try_again_is_the_uploaders_only(
    waiting_for_its_check,
    head,
    head_suka_pindah,
    suka_pindah,
    dpmd_majene,
    login,
    media,
    django_capture_on_commit_callbacks,
):
    stuck = waiting_for_its_check()
    silent_for(stuck, minutes=20, status=Status.VALIDATING)
    fail_stalled_imports()
    colleague = UserFactory(username="sekdes-1706012005", role=head_suka_pindah.role, village=suka_pindah)

    assert login(dpmd_majene).post(f"/impor/{stuck.token}/coba-lagi/").status_code == 404
    assert login(colleague).post(f"/impor/{stuck.token}/coba-lagi/").status_code == 404
    assert login(dpmd_majene).get(f"/impor/{stuck.token}/").status_code == 404

    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED


def test_api_try_again_runs_the_step_again_and_is_scoped(
    waiting_for_its_check, head_suka_pindah, dpmd_majene, api, media, django_capture_on_commit_callbacks, login
):
    stuck = waiting_for_its_check()
    silent_for(stuck, minutes=20, status=Status.VALIDATING)
    fail_stalled_imports()

    assert api(head_suka_pindah).get(f"/api/v1/imports/{stuck.token}/").json()["can_retry"] is True
    assert api(dpmd_majene).post(f"/api/v1/imports/{stuck.token}/retry/").status_code == 404
    assert api().post(f"/api/v1/imports/{stuck.token}/retry/").status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        response = api(head_suka_pindah).post(f"/api/v1/imports/{stuck.token}/retry/")

    assert response.status_code == 202
    assert response.json()["status"] == Status.UPLOADED
    assert api(head_suka_pindah).get(f"/api/v1/imports/{stuck.token}/").json()["status"] == Status.PREVIEW
    again = api(head_suka_pindah).post(f"/api/v1/imports/{stuck.token}/retry/")
    assert again.status_code == 409
    assert again.json()["detail"] == "Berkas ini tidak dapat dicoba lagi. Unggah ulang berkasnya."


# --- a failure written after the database connection died ------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_check_that_failed_on_a_dead_connection_writes_its_failure_on_a_fresh_one(
    head_suka_pindah, media, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database cannot be reconnected to; CI's PostgreSQL pass runs this")

    content = xlsx([official(nik(3), "Dedi Gunawan")])

    preview = preview_create(
        actor=head_suka_pindah,
        kind=Preview.Kind.ROSTER,
        scope=SUKA_PINDAH,
        data={},
        upload=ContentFile(content, "a.xlsx"),
    )
    roster_import = RosterImport.objects.create(
        token="d" * 32,
        regency_id="17.06",
        village_id=SUKA_PINDAH,
        original_name="a.xlsx",
        rows_total=1,
        created_by=head_suka_pindah,
        preview=preview,
    )

    def postgresql_restarted(**kwargs):
        connection.connection.close()  # the server went away: the socket Django holds is dead
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "roster_import_validate", postgresql_restarted)

    with pytest.raises(OperationalError):
        roster_import_validate(roster_import.pk)

    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.message) == (Status.FAILED, CHECK_STOPPED)
