"""What BPJS's decisions tell whom: an approval batch tells each desa once and its regency's DPMD once,
however many officials it holds; a rejection tells the desa and its DPMD. Nobody else hears of them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Notification
from bpjs import services
from tests.bpjs.review_support import kpj, request_enrollment
from tests.factories import PersonFactory


@pytest.fixture
def batch(tk, suka_pindah, arah_tiga):
    """Three Ketenagakerjaan requests of Suka Pindah and one of Arah Tiga, both desa of Mukomuko."""
    return [request_enrollment(tk, suka_pindah) for _ in range(3)] + [request_enrollment(tk, arah_tiga)]


@pytest.fixture
def before(db):
    """Notifications left by the session's demo data: the tests look only at the new ones."""
    return list(Notification.objects.values_list("pk", flat=True))


def new(before):
    return Notification.objects.exclude(pk__in=before)


def test_an_approved_batch_tells_each_desa_once_and_the_dpmd_once(
    batch,
    before,
    bpjs_tk_mukomuko,
    head_suka_pindah,
    head_arah_tiga,
    dpmd_mukomuko,
    dpmd_majene,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    dpmd_mukomuko.email = "dpmd@mukomukokab.go.id"
    dpmd_mukomuko.save()
    rows = [(e.pk, kpj(i), timezone.localdate()) for i, e in enumerate(batch, start=1)]

    with django_capture_on_commit_callbacks(execute=True):
        services.enrollments_approve(actor=bpjs_tk_mukomuko, items=services.approval_items(bpjs_tk_mukomuko, rows))

    suka = new(before).get(user=head_suka_pindah)
    assert suka.kind == Notification.Kind.APPROVED
    assert "3" in suka.message and "Suka Pindah" in suka.message and "BPJS TK" in suka.message
    assert suka.link == f"/desa/{head_suka_pindah.village_id}/bpjs/"
    arah = new(before).get(user=head_arah_tiga)
    assert "1" in arah.message and "Arah Tiga" in arah.message
    dpmd = new(before).get(user=dpmd_mukomuko)
    assert dpmd.kind == Notification.Kind.APPROVED
    assert "4" in dpmd.message and "2" in dpmd.message
    assert not new(before).filter(user__in=[dpmd_majene, bpjs_tk_mukomuko]).exists()
    assert [m.to for m in mailoutbox] == [["dpmd@mukomukokab.go.id"]]


def test_a_rejection_tells_the_desa_and_its_dpmd_only(
    tk, suka_pindah, before, bpjs_tk_mukomuko, head_suka_pindah, head_arah_tiga, dpmd_mukomuko, dpmd_majene
):
    enrollment = request_enrollment(tk, suka_pindah, person=PersonFactory(full_name="Budi Santoso"))

    services.enrollment_reject(actor=bpjs_tk_mukomuko, enrollment=enrollment, reason="KTP tidak terbaca.")

    notes = new(before)
    assert set(notes.values_list("user", flat=True)) == {head_suka_pindah.pk, dpmd_mukomuko.pk}
    assert {n.kind for n in notes} == {Notification.Kind.REJECTED}
    assert all("Budi Santoso" in n.message and "KTP tidak terbaca." in n.message for n in notes)
    assert not notes.filter(user__in=[head_arah_tiga, dpmd_majene]).exists()
