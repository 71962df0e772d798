"""Two BPJS approvals of different requests with the same participant number at the same moment
(issue 9, "Races"): the database keeps one number per program among open enrollments, so exactly one
approval wins and the other gets the row's usual message, not a server error."""

from __future__ import annotations

import threading

from rest_framework.test import APIClient

from bpjs import services
from core.models import Village
from enrollment.models import Enrollment
from tests.bpjs.review_support import jkn, request_enrollment
from tests.concurrency import pytestmark_concurrent, run_together, skip_unless_postgresql

pytestmark = pytestmark_concurrent


def _approve_call(user, enrollment: Enrollment, number: str):
    def call():
        client = APIClient()
        client.force_authenticate(user)
        items = [{"enrollment": enrollment.pk, "participant_number": number}]
        return client.post("/api/v1/review/approve/", {"items": items}, format="json")

    return call


def test_two_approvals_of_one_number_at_once_one_wins_the_other_gets_the_row_message(kes, bpjs_kes_majene, monkeypatch):
    skip_unless_postgresql()
    village = Village.objects.get(pk="76.05.02.2003")
    first, second = request_enrollment(kes, village), request_enrollment(kes, village)
    number = jkn(42)
    # Both approvals have checked the number free before either writes: the race of two officers.
    meet, check = threading.Barrier(2, timeout=10), services.check_approvals

    def checked_then_meet(*args, **kwargs):
        result = check(*args, **kwargs)
        meet.wait()
        return result

    monkeypatch.setattr(services, "check_approvals", checked_then_meet)

    responses = run_together(
        _approve_call(bpjs_kes_majene, first, number), _approve_call(bpjs_kes_majene, second, number)
    )

    assert sorted(r.status_code for r in responses) == [200, 400]
    lost = next(r for r in responses if r.status_code == 400).json()
    assert [row["field"] for row in lost["rows"]] == ["participant_number"]
    assert lost["rows"][0]["message"] == f"Nomor peserta {number} sudah dimiliki perangkat lain di {kes.short_name}."
    holders = Enrollment.objects.filter(participant_number=number, status=Enrollment.Status.ACTIVE)
    assert holders.count() == 1
    assert Enrollment.objects.filter(pk__in=[first.pk, second.pk], status=Enrollment.Status.REQUESTED).count() == 1
