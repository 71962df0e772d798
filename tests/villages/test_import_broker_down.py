"""Redis down when a large officials file is uploaded, confirmed or tried again: the user is told in
Indonesian, and nothing is left half-made (no import waiting for a check that cannot come, no NIK file on
disk); a confirmation or "Coba lagi" leaves the import as it was before the click.

The tasks are sent after the transaction commits, so these tests commit (transactional).
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import RegencyOnboarding
from previews.models import Preview
from tests.villages.test_roster_import import SUKA_PINDAH, last_import, nik, official, stored_files, upload, xlsx
from villages.models import Post, RosterImport
from villages.tasks import fail_stalled_imports

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Status = RosterImport.Status
QUEUE_DOWN = (
    "Antrean tugas server sedang tidak menjawab. Tidak ada yang disimpan atau diubah: coba lagi beberapa menit lagi."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.ROSTER_IMPORT_INLINE_ROWS = 0  # every file goes through a task
    return settings.MEDIA_ROOT


@pytest.fixture
def broker_down():
    """Every task sent fails as Celery fails with Redis on a closed port (kombu's OperationalError, after
    its short publish retries); broker_down.restore() lets tasks run again (in the test's process)."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    def refused(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    class Broker:
        patch = mock.patch.object(Task, "apply_async", refused)
        down = False

        def fail(self) -> None:
            self.patch.start()
            self.down = True

        def restore(self) -> None:
            if self.down:
                self.patch.stop()
                self.down = False

    broker = Broker()
    broker.fail()
    yield broker
    broker.restore()


@pytest.fixture
def head(head_suka_pindah, login):
    return login(head_suka_pindah)


def test_an_upload_while_redis_is_down_says_so_and_keeps_nothing(head, media, broker_down):
    response = upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))

    assert response.status_code == 200
    assert QUEUE_DOWN in response.content.decode()
    assert list(response.context["form"].errors["file"]) == [QUEUE_DOWN]
    assert not RosterImport.objects.exists()
    assert not Preview.objects.exists()
    assert stored_files(media) == []


def test_an_api_upload_while_redis_is_down_is_a_503_and_keeps_nothing(head_suka_pindah, api, media, broker_down):
    content = xlsx([official(nik(3), "Dedi Gunawan")])

    response = api(head_suka_pindah).post(
        f"/api/v1/villages/{SUKA_PINDAH}/imports/",
        {"file": SimpleUploadedFile("perangkat.xlsx", content)},
        format="multipart",
    )

    assert response.status_code == 503
    assert response.json()["detail"] == QUEUE_DOWN
    assert not RosterImport.objects.exists()
    assert not Preview.objects.exists()
    assert stored_files(media) == []


def test_a_confirmation_while_redis_is_down_leaves_the_preview_to_confirm_later(head, broker_down):
    broker_down.restore()
    upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    checked = last_import()
    assert checked.status == Status.PREVIEW
    broker_down.fail()

    response = head.post(f"/impor/{checked.token}/konfirmasi/", follow=True)

    assert QUEUE_DOWN in response.content.decode()
    checked.refresh_from_db()
    assert checked.status == Status.PREVIEW
    assert ">Konfirmasi dan simpan</button>" in response.content.decode()
    assert not Post.objects.filter(person__full_name="Dedi Gunawan").exists()

    broker_down.restore()
    head.post(f"/impor/{checked.token}/konfirmasi/")

    checked.refresh_from_db()
    assert checked.status == Status.APPLIED
    assert Post.objects.filter(person__full_name="Dedi Gunawan").count() == 1


def test_try_again_while_redis_is_down_leaves_the_import_failed_with_its_choice(
    head_suka_pindah, api, head, broker_down
):
    broker_down.restore()
    upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    checked = last_import()
    # Confirmed, and the worker saving it died for good: the beat task marks it failed.
    long_ago = timezone.now() - dt.timedelta(hours=1)
    RosterImport.objects.filter(pk=checked.pk).update(status=Status.APPLYING, heartbeat_at=long_ago)
    fail_stalled_imports()
    broker_down.fail()

    response = api(head_suka_pindah).post(f"/api/v1/imports/{checked.token}/retry/")

    assert response.status_code == 503
    assert response.json()["detail"] == QUEUE_DOWN
    checked.refresh_from_db()
    assert checked.status == Status.FAILED
    assert ">Coba lagi</button>" in head.get(f"/impor/{checked.token}/").content.decode()


def test_a_regency_set_up_while_redis_is_down_says_so_and_keeps_nothing(login, superuser, broker_down):
    response = login(superuser).post("/akun/kabupaten-baru/", {"regency_code": "17.04"})

    assert response.status_code == 200
    assert QUEUE_DOWN in response.content.decode()
    assert not RegencyOnboarding.objects.exists()
