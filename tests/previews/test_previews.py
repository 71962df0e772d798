"""The one upload → preview → confirm storage (previews.Preview): kept in the database, so any worker
confirms what another one previewed; owned by its uploader (another user's token is a 404 and changes
nothing); used once; expired by the daily clean-up; its data encrypted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.utils import timezone

from budgets.models import Payment
from enrollment.models import Enrollment
from previews.models import Preview
from previews.selectors import preview_for
from previews.services import preview_claim, preview_create, preview_discard, previews_expire
from previews.tasks import discard_stale_previews
from tests.bpjs import test_reconciliation as reconciliation
from tests.bpjs.review_support import HEADER_ROW, jkn, request_enrollment
from tests.factories import make_nik
from tests.html import hidden, messages, page

YEAR = timezone.localdate().year
PAYMENTS_URL = "/wilayah/17.06/anggaran/pembayaran/impor/"
NIK = make_nik(4242)
REFERENCE = "SP2D-PRATINJAU"  # a payment of these tests only, whatever else the database holds
uji, uji_desa, bpjs_kes_uji = reconciliation.uji, reconciliation.uji_desa, reconciliation.bpjs_kes_uji


def payments_file() -> SimpleUploadedFile:
    row = f"{YEAR},1,DAU,BPJS Kesehatan,139.080.000,08-01-{YEAR},{REFERENCE}"
    content = f"Tahun,Bulan,Sumber,Program,Jumlah,Tanggal Bayar,Referensi\n{row}\n".encode()
    return SimpleUploadedFile("bayar.csv", content)


def fresh_client(login, user) -> Client:
    """Another browser session, as a second gunicorn worker would serve it: nothing in local memory."""
    cache.clear()
    return login(user)


# --- the storage -------------------------------------------------------------------------------------


def test_a_preview_holds_its_data_encrypted(dpmd_mukomuko):
    preview = preview_create(actor=dpmd_mukomuko, kind=Preview.Kind.ROSTER, data={"nik": NIK})

    stored = Preview.objects.get(pk=preview.pk)
    assert NIK not in stored.data_encrypted
    assert stored.data == {"nik": NIK}


def test_another_users_preview_is_a_404_and_a_missing_one_none(dpmd_mukomuko, dpmd_majene):
    preview = preview_create(actor=dpmd_mukomuko, kind=Preview.Kind.PAYMENTS, scope="regency:17.06", data={})

    with pytest.raises(Http404):
        preview_for(dpmd_majene, preview.token, kind=Preview.Kind.PAYMENTS)
    with pytest.raises(Http404):
        preview_for(dpmd_mukomuko, preview.token, kind=Preview.Kind.PAYMENTS, scope="village:17.06.01.2005")
    assert preview_for(dpmd_mukomuko, "no-such-token", kind=Preview.Kind.PAYMENTS) is None
    assert preview_for(dpmd_mukomuko, preview.token, kind=Preview.Kind.REVIEW_SHEET) is None


def test_a_confirmed_or_discarded_preview_cannot_be_used_again(dpmd_mukomuko):
    confirmed = preview_create(actor=dpmd_mukomuko, kind=Preview.Kind.PAYMENTS, data={"rows": [1]})
    discarded = preview_create(actor=dpmd_mukomuko, kind=Preview.Kind.PAYMENTS, data={"rows": [1]})

    assert preview_claim(preview=confirmed) and preview_discard(preview=discarded)

    for preview in (confirmed, discarded):
        assert not preview_claim(preview=Preview.objects.get(pk=preview.pk))
        assert preview_for(dpmd_mukomuko, preview.token, kind=Preview.Kind.PAYMENTS) is None
        assert Preview.objects.get(pk=preview.pk).data_encrypted == ""  # what it held is gone


def test_an_expired_preview_cannot_be_confirmed_and_the_daily_clean_up_deletes_it(dpmd_mukomuko):
    old = preview_create(
        actor=dpmd_mukomuko,
        kind=Preview.Kind.RECONCILIATION,
        data={},
        upload=SimpleUploadedFile("daftar.csv", f"NIK\n{NIK}\n".encode()),
        lifetime=dt.timedelta(seconds=-1),
    )
    used = preview_create(actor=dpmd_mukomuko, kind=Preview.Kind.PAYMENTS, data={})
    preview_claim(preview=used)
    waiting = preview_create(actor=dpmd_mukomuko, kind=Preview.Kind.PAYMENTS, data={})
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)

    assert not preview_claim(preview=old)
    assert preview_for(dpmd_mukomuko, old.token, kind=Preview.Kind.RECONCILIATION) is None

    discard_stale_previews.delay()
    assert list(Preview.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert previews_expire() == 0


def test_the_daily_clean_up_deletes_the_file_of_an_expired_preview(dpmd_mukomuko, django_capture_on_commit_callbacks):
    old = preview_create(
        actor=dpmd_mukomuko,
        kind=Preview.Kind.RECONCILIATION,
        data={},
        upload=SimpleUploadedFile("daftar.csv", f"NIK\n{NIK}\n".encode()),
        lifetime=dt.timedelta(seconds=-1),
    )
    storage, name = old.file.storage, old.file.name

    with django_capture_on_commit_callbacks(execute=True):
        assert previews_expire() == 1
    assert not storage.exists(name)


# --- the flows ---------------------------------------------------------------------------------------


def test_payments_preview_is_confirmed_from_a_second_worker(dpmd_mukomuko, login):
    preview = login(dpmd_mukomuko).post(PAYMENTS_URL, {"file": payments_file()})
    token = hidden(page(preview), "token")

    confirmed = fresh_client(login, dpmd_mukomuko).post(PAYMENTS_URL, {"token": token})

    assert confirmed.status_code == 302
    assert Payment.objects.filter(reference=REFERENCE).count() == 1


def test_payments_preview_of_another_user_is_a_404_and_saves_nothing(dpmd_mukomuko, mukomuko, login):
    from tests.factories import UserFactory

    colleague = UserFactory(username="dpmd-mukomuko-2", role="dpmd", regency=mukomuko)
    token = hidden(page(login(dpmd_mukomuko).post(PAYMENTS_URL, {"file": payments_file()})), "token")

    assert login(colleague).post(PAYMENTS_URL, {"token": token}).status_code == 404
    assert not Payment.objects.filter(reference=REFERENCE).exists()
    assert Preview.objects.get(token=token).status == Preview.Status.OPEN  # still its owner's to confirm


def test_payments_preview_confirmed_once(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    token = hidden(page(client.post(PAYMENTS_URL, {"file": payments_file()})), "token")

    client.post(PAYMENTS_URL, {"token": token}, follow=True)
    again = client.post(PAYMENTS_URL, {"token": token})

    assert [level for level, _ in messages(again)] == ["error"]
    assert Payment.objects.filter(reference=REFERENCE).count() == 1


def _sheet_preview(client, kes) -> str:
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get(f"/bpjs/antrean.xlsx?program={kes.code}").content))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[HEADER_ROW]]
    sheet.cell(HEADER_ROW + 1, header.index("Nomor Peserta") + 1).value = jkn(1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post("/bpjs/antrean/impor/", {"file": SimpleUploadedFile("antrean.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    return response["Location"].split("token=")[1]


def test_collective_sheet_preview_is_confirmed_from_a_second_worker(kes, uji_desa, bpjs_kes_uji, login):
    enrollment = request_enrollment(kes, uji_desa)
    token = _sheet_preview(login(bpjs_kes_uji), kes)

    second = fresh_client(login, bpjs_kes_uji)
    second.post("/bpjs/antrean/impor/konfirmasi/", {"token": token}, follow=True)

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.participant_number) == (Enrollment.Status.ACTIVE, jkn(1))
    again = second.post("/bpjs/antrean/impor/konfirmasi/", {"token": token}, follow=True)
    assert [level for level, _ in messages(again)] == ["error"]


def test_collective_sheet_preview_of_another_officer_is_a_404_and_approves_nothing(kes, uji_desa, bpjs_kes_uji, login):
    enrollment = request_enrollment(kes, uji_desa)
    colleague = type(bpjs_kes_uji).objects.create(username="bpjs-kes-2", role="bpjs", program=kes)
    colleague.branch_regencies.set([uji_desa.subdistrict.regency])
    token = _sheet_preview(login(bpjs_kes_uji), kes)

    assert login(colleague).post("/bpjs/antrean/impor/konfirmasi/", {"token": token}).status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.REQUESTED
