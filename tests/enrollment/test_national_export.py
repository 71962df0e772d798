"""The officials export of the whole country (a superuser) or of a province (its observer), started from
the regency comparison `/wilayah/` and written by a worker: its status page, its file, who may see them."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccessRecord
from core.nik import mask_nik
from enrollment import national_export
from enrollment.models import ExportJob
from enrollment.tasks import export_jobs_expire
from tests.enrollment.officials_fixture import SARI_NIK, WATI_NIK, build_roster
from tests.factories import Role, UserFactory
from tests.spreadsheets import download_bytes, table_rows


@pytest.fixture
def roster(tk, kes, set_aside_posts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    set_aside_posts()
    return build_roster(tk, kes)


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """start(client) → the export it started (its task run as a worker would, once committed) and the
    page it was sent to."""

    def _start(client):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/ekspor/perangkat/")
        assert response.status_code == 302
        return ExportJob.objects.get(), response["Location"]

    return _start


def rows_of(client, url: str) -> list[tuple]:
    response = client.get(url)
    assert response.status_code == 200
    header, *rows = table_rows(download_bytes(response))
    return [header, *rows]


def test_superuser_gets_every_regency_export_in_one_file(roster, superuser, login, start):
    client = login(superuser)

    job, status_url = start(client)

    assert status_url == f"/ekspor/{job.token}/"
    assert job.status == ExportJob.Status.DONE and job.rows_done == job.rows_total == 4
    page = client.get(status_url).content.decode()
    assert _("Download the file") in page and f"/ekspor/{job.token}/perangkat.xlsx" in page
    header, *rows = rows_of(client, f"/ekspor/{job.token}/perangkat.xlsx")
    regencies = [rows_of(client, f"/wilayah/{code}/perangkat.xlsx") for code in ("17.06", "17.07", "76.05")]
    assert all(regency[0] == header for regency in regencies)
    assert rows == [row for regency in regencies for row in regency[1:]]
    assert {row[3] for row in rows} == {SARI_NIK, WATI_NIK, rows[1][3]}


def test_the_status_page_shows_progress_while_the_file_is_written(roster, superuser, login, monkeypatch, start):
    monkeypatch.setattr(national_export, "PROGRESS_EVERY", 2)
    seen, write = [], national_export.write_xlsx

    def watched_write(target, *, rows, **kwargs):
        def watched():
            for row in rows:
                yield row
                seen.append(ExportJob.objects.values_list("status", "rows_done", "rows_total").get())

        write(target, rows=watched(), **kwargs)

    monkeypatch.setattr(national_export, "write_xlsx", watched_write)

    start(login(superuser))

    assert seen == [("running", 0, 4), ("running", 2, 4), ("running", 2, 4), ("running", 4, 4)]


def test_a_page_being_written_refreshes_itself(roster, superuser, login):
    job = ExportJob.objects.create(token="t" * 32, created_by=superuser, status="running", rows_done=5, rows_total=10)

    page = login(superuser).get(f"/ekspor/{job.token}/").content.decode()

    assert 'http-equiv="refresh"' in page and 'value="50"' in page
    assert login(superuser).get(f"/ekspor/{job.token}/perangkat.xlsx").status_code == 404


def test_a_second_click_while_one_is_written_opens_that_one(roster, superuser, login):
    job = ExportJob.objects.create(token="w" * 32, created_by=superuser, status="running", rows_total=10)

    response = login(superuser).post("/ekspor/perangkat/")

    assert response["Location"] == f"/ekspor/{job.token}/" and ExportJob.objects.count() == 1


def test_the_province_observer_exports_their_province_with_masked_niks(roster, bengkulu_observer, login, start):
    client = login(bengkulu_observer)

    job, _status_url = start(client)

    _, *rows = rows_of(client, f"/ekspor/{job.token}/perangkat.xlsx")
    assert job.province_id == bengkulu_observer.province_id
    assert [row[3] for row in rows] == [mask_nik(SARI_NIK), rows[1][3], mask_nik(SARI_NIK)]
    assert "Wati" not in {row[4] for row in rows}  # Majene is not in Bengkulu


def test_the_download_is_recorded_in_the_access_log_per_regency(roster, superuser, login, start):
    client = login(superuser)
    job, _status_url = start(client)

    client.get(f"/ekspor/{job.token}/perangkat.xlsx")

    assert dict(AccessRecord.objects.values_list("regency_id", "niks")) == {"17.06": 3, "76.05": 1}


def test_other_users_learn_nothing_of_an_export(roster, superuser, bengkulu_observer, dpmd_mukomuko, login, start):
    job, _status_url = start(login(superuser))
    other_observer = UserFactory(username="pemprov-lain", role=Role.PROVINCE, province=bengkulu_observer.province)

    for user in (bengkulu_observer, dpmd_mukomuko, other_observer):
        client = login(user)
        assert client.get(f"/ekspor/{job.token}/").status_code == 404
        assert client.get(f"/ekspor/{job.token}/perangkat.xlsx").status_code == 404
    assert AccessRecord.objects.count() == 0


def test_dpmd_staff_cannot_start_an_export(roster, dpmd_mukomuko, head_suka_pindah, login):
    for user in (dpmd_mukomuko, head_suka_pindah):
        assert login(user).post("/ekspor/perangkat/").status_code == 404
    assert not ExportJob.objects.exists()


def test_the_regency_comparison_offers_the_export_to_the_superuser(roster, superuser, login):
    page = login(superuser).get("/wilayah/").content.decode()

    assert 'action="/ekspor/perangkat/"' in page and 'method="post"' in page


def test_a_failed_export_says_so_in_indonesian(roster, superuser, login, monkeypatch, start):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(national_export, "write_xlsx", broken)
    client = login(superuser)

    job, status_url = start(client)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    page = client.get(status_url).content.decode()
    failed = _("Writing the file failed. Start the export again; if it fails again, tell the administrator.")
    assert failed in page and "disk full" not in page
    assert 'http-equiv="refresh"' not in page
    assert client.get(f"/ekspor/{job.token}/perangkat.xlsx").status_code == 404


def test_old_exports_are_deleted_with_their_files(roster, superuser, login, settings, start):
    job, _status_url = start(login(superuser))
    path = job.file.path
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(days=settings.EXPORT_KEEP_DAYS, minutes=1)
    )
    recent = ExportJob.objects.create(token="r" * 32, created_by=superuser)

    assert export_jobs_expire() == 1
    assert list(ExportJob.objects.all()) == [recent]
    assert not os.path.exists(path)
