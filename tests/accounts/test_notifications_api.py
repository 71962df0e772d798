"""/api/v1/notifications/: each user lists and marks read only their own notifications; another user's
is a 404, and anonymous callers are refused."""

from __future__ import annotations

import pytest

from accounts.models import Notification
from accounts.notifications import notify

KIND = Notification.Kind


@pytest.fixture
def notes(head_suka_pindah, head_arah_tiga):
    mine = notify(users=[head_suka_pindah], kind=KIND.APPROVED, message="Disetujui", link="/desa/x/bpjs/")
    read = notify(users=[head_suka_pindah], kind=KIND.REMINDER, message="Sudah dibaca")
    Notification.objects.filter(pk=read[0].pk).update(read_at="2026-01-01T00:00:00Z")
    theirs = notify(users=[head_arah_tiga], kind=KIND.REJECTED, message="Untuk Arah Tiga")
    return {"mine": mine[0], "read": read[0], "theirs": theirs[0]}


def test_the_list_shows_only_the_callers_notifications_with_their_kind(api, notes, head_suka_pindah):
    response = api(head_suka_pindah).get("/api/v1/notifications/")

    assert response.status_code == 200
    body = response.json()
    assert [(n["message"], n["kind"]) for n in body["results"]] == [
        ("Sudah dibaca", "reminder"),
        ("Disetujui", "approved"),
    ]
    assert body["unread"] == 1


def test_the_list_can_show_only_the_unread(api, notes, head_suka_pindah):
    response = api(head_suka_pindah).get("/api/v1/notifications/?unread=1")

    assert [n["message"] for n in response.json()["results"]] == ["Disetujui"]


def test_marking_one_read(api, notes, head_suka_pindah):
    response = api(head_suka_pindah).post(f"/api/v1/notifications/{notes['mine'].pk}/read/")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert Notification.objects.get(pk=notes["mine"].pk).read_at is not None


def test_another_users_notification_is_404_and_stays_unread(api, notes, head_suka_pindah):
    response = api(head_suka_pindah).post(f"/api/v1/notifications/{notes['theirs'].pk}/read/")

    assert response.status_code == 404
    assert "Arah Tiga" not in response.content.decode()
    assert Notification.objects.get(pk=notes["theirs"].pk).read_at is None


def test_marking_all_read_touches_only_the_callers(api, notes, head_suka_pindah):
    response = api(head_suka_pindah).post("/api/v1/notifications/read-all/")

    assert response.json() == {"marked": 1}
    assert Notification.objects.get(pk=notes["theirs"].pk).read_at is None


def test_anonymous_callers_are_refused(api, notes):
    assert api().get("/api/v1/notifications/").status_code == 401
    assert api().post(f"/api/v1/notifications/{notes['mine'].pk}/read/").status_code == 401
