"""A BPJS decision on a request that changed since the officer read it is refused (issue 9, optimistic
locking of enrollments): the API answers 409 with who changed it and when, the queue page says so, and
nothing is approved or rejected. The page and the API carry each request's version."""

from __future__ import annotations

import pytest

from enrollment.models import Enrollment
from tests.bpjs.review_support import kpj, request_enrollment
from tests.html import hidden, messages, page
from tests.versions import stale_refusal

Status = Enrollment.Status


@pytest.fixture
def waiting(tk, suka_pindah):
    return request_enrollment(tk, suka_pindah)


def _changed_meanwhile(enrollment: Enrollment, user) -> str:
    """Someone changes the request (its note) after it was read; the refusal it should cause."""
    enrollment.note = "Data dilengkapi desa"
    enrollment._history_user = user
    enrollment.save()
    return stale_refusal(enrollment, user)


def test_rejecting_a_request_changed_since_it_was_read_is_a_409_and_it_stays_requested(
    waiting, bpjs_tk_mukomuko, dpmd_mukomuko, api
):
    read = api(bpjs_tk_mukomuko).get("/api/v1/review/queue/").json()["villages"][0]["enrollments"][0]
    refusal = _changed_meanwhile(waiting, dpmd_mukomuko)

    body = {"enrollment": waiting.pk, "reason": "NIK tidak cocok", "version": read["version"]}
    response = api(bpjs_tk_mukomuko).post("/api/v1/review/reject/", body, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == refusal
    assert Enrollment.objects.get(pk=waiting.pk).status == Status.REQUESTED


def test_approving_with_a_stale_version_is_a_409_and_nothing_is_approved(
    tk, suka_pindah, waiting, bpjs_tk_mukomuko, dpmd_mukomuko, api
):
    other = request_enrollment(tk, suka_pindah)
    read = {
        r["id"]: r["version"]
        for v in api(bpjs_tk_mukomuko).get("/api/v1/review/queue/").json()["villages"]
        for r in v["enrollments"]
    }
    refusal = _changed_meanwhile(waiting, dpmd_mukomuko)
    items = [
        {"enrollment": e.pk, "participant_number": kpj(n), "version": read[e.pk]}
        for n, e in enumerate([other, waiting])
    ]

    response = api(bpjs_tk_mukomuko).post("/api/v1/review/approve/", {"items": items}, format="json")

    assert (response.status_code, response.json()["detail"]) == (409, refusal)
    assert Enrollment.objects.filter(pk__in=[waiting.pk, other.pk], status=Status.REQUESTED).count() == 2


def test_the_queue_page_refuses_an_approval_of_a_request_changed_since_it_was_opened(
    waiting, bpjs_tk_mukomuko, dpmd_mukomuko, login
):
    client = login(bpjs_tk_mukomuko)
    shown = hidden(page(client.get("/bpjs/antrean/")), f"version-{waiting.pk}")
    refusal = _changed_meanwhile(waiting, dpmd_mukomuko)

    response = client.post("/bpjs/antrean/setujui/", {f"number-{waiting.pk}": kpj(7), f"version-{waiting.pk}": shown})

    assert response.status_code == 409
    assert ("error", refusal) in messages(response)
    assert Enrollment.objects.get(pk=waiting.pk).status == Status.REQUESTED
    # The page shows the request as it is now: approving again from it saves.
    fresh = hidden(page(response), f"version-{waiting.pk}")
    again = client.post("/bpjs/antrean/setujui/", {f"number-{waiting.pk}": kpj(7), f"version-{waiting.pk}": fresh})
    assert again.status_code == 302
    assert Enrollment.objects.get(pk=waiting.pk).status == Status.ACTIVE
