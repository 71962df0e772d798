"""The daily digest of a BPJS officer's queue: one message saying how many officials of how many desa
wait, to the officers of that program whose branch covers them, once a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Notification
from bpjs.tasks import send_queue_digests
from core.roles import Role
from tests.bpjs.review_support import request_enrollment
from tests.factories import UserFactory

DIGEST = Notification.Kind.DIGEST


@pytest.fixture
def waiting(tk, suka_pindah, arah_tiga):
    """Three Ketenagakerjaan requests of Suka Pindah and one of Arah Tiga (Mukomuko)."""
    return [request_enrollment(tk, suka_pindah) for _ in range(3)] + [request_enrollment(tk, arah_tiga)]


@pytest.fixture
def bpjs_tk_lebong(lebong, tk):
    user = UserFactory(username="bpjs-tk-lebong", role=Role.BPJS, program=tk)
    user.branch_regencies.set([lebong])
    return user


@pytest.fixture
def bpjs_kes_mukomuko(mukomuko, kes):
    user = UserFactory(username="bpjs-kes-mukomuko", role=Role.BPJS, program=kes)
    user.branch_regencies.set([mukomuko])
    return user


def test_the_officer_gets_one_digest_counting_officials_and_desa(waiting, bpjs_tk_mukomuko):
    send_queue_digests()

    (digest,) = Notification.objects.filter(user=bpjs_tk_mukomuko)
    assert digest.kind == DIGEST
    assert "4" in digest.message and "2" in digest.message and "BPJS TK" in digest.message
    assert digest.link == "/bpjs/antrean/"


def test_officers_of_another_regency_or_program_and_other_roles_get_no_digest(
    waiting, bpjs_tk_lebong, bpjs_kes_mukomuko, dpmd_mukomuko, head_suka_pindah
):
    send_queue_digests()

    assert not Notification.objects.filter(
        user__in=[bpjs_tk_lebong, bpjs_kes_mukomuko, dpmd_mukomuko, head_suka_pindah]
    ).exists()


def test_the_digest_goes_out_once_a_day(waiting, bpjs_tk_mukomuko):
    send_queue_digests.delay()
    send_queue_digests.delay()
    assert Notification.objects.filter(user=bpjs_tk_mukomuko, kind=DIGEST).count() == 1

    Notification.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    send_queue_digests()
    assert Notification.objects.filter(user=bpjs_tk_mukomuko, kind=DIGEST).count() == 2


def test_the_digest_is_scheduled_daily(settings):
    assert settings.CELERY_BEAT_SCHEDULE["bpjs-queue-digests"]["task"] == "bpjs.send_queue_digests"
