"""Notifications (`/notifikasi/`): a row in the app for each user and an email to those with an address,
sent only when the transaction commits; each user sees and marks only their own."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import RequestFactory

from accounts.context_processors import unread_notifications
from accounts.models import Notification
from accounts.notifications import dpmd_users, notify, village_users


@pytest.fixture
def kades(head_suka_pindah):
    head_suka_pindah.email = "kades@sukapindah.desa.id"
    head_suka_pindah.save()
    return head_suka_pindah


def test_notify_creates_one_row_per_user_and_emails_those_with_an_address(
    kades, dpmd_mukomuko, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            users=[kades, dpmd_mukomuko, kades],
            kind=Notification.Kind.OTHER,
            message="Pengajuan dikembalikan.",
            link="/pengajuan/1/",
        )

    assert sorted(n.user_id for n in rows) == sorted([kades.pk, dpmd_mukomuko.pk])
    assert Notification.objects.filter(message="Pengajuan dikembalikan.", link="/pengajuan/1/").count() == 2
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["kades@sukapindah.desa.id"]
    assert "Pengajuan dikembalikan." in mailoutbox[0].subject
    assert "/pengajuan/1/" in mailoutbox[0].body


def test_each_recipient_gets_their_own_email(kades, dpmd_mukomuko, mailoutbox, django_capture_on_commit_callbacks):
    dpmd_mukomuko.email = "dpmd@mukomukokab.go.id"
    dpmd_mukomuko.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[kades, dpmd_mukomuko], kind=Notification.Kind.OTHER, message="Halo", link="")

    assert sorted(m.to[0] for m in mailoutbox) == ["dpmd@mukomukokab.go.id", "kades@sukapindah.desa.id"]
    assert all(len(m.to) == 1 for m in mailoutbox)


def test_no_email_leaves_before_the_commit(kades, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[kades], kind=Notification.Kind.OTHER, message="Halo", link="")

    assert mailoutbox == []
    assert len(callbacks) == 1


def test_inactive_users_are_not_notified(kades):
    kades.is_active = False
    kades.save()

    assert notify(users=[kades], kind=Notification.Kind.OTHER, message="Halo", link="") == []


def test_a_failing_mail_server_does_not_break_the_step(kades, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there

    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[kades], kind=Notification.Kind.OTHER, message="Halo", link="")

    assert Notification.objects.filter(user=kades).count() == 1


def test_recipients_by_role(kades, head_arah_tiga, dpmd_mukomuko, dpmd_majene, suka_pindah, mukomuko):
    assert list(village_users(suka_pindah)) == [kades]
    assert list(dpmd_users(mukomuko)) == [dpmd_mukomuko]
    assert list(dpmd_users("76.05")) == [dpmd_majene]


# --- the page ----------------------------------------------------------------------------------------


def test_user_sees_only_their_own_notifications(kades, head_arah_tiga, login):
    notify(users=[kades], kind=Notification.Kind.OTHER, message="Untuk Suka Pindah", link="/desa/17.06.01.2005/")
    notify(users=[head_arah_tiga], kind=Notification.Kind.OTHER, message="Untuk Arah Tiga", link="")

    response = login(kades).get("/notifikasi/")

    assert response.status_code == 200
    assert [n.message for n in response.context["page"]] == ["Untuk Suka Pindah"]
    assert "Untuk Arah Tiga" not in response.content.decode()


def test_marking_one_read(kades, login):
    (note,) = notify(users=[kades], kind=Notification.Kind.OTHER, message="Halo", link="")

    response = login(kades).post(f"/notifikasi/{note.pk}/baca/")

    assert response.status_code == 302 and response["Location"] == "/notifikasi/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_marks_read_and_follows_the_link(kades, login):
    (note,) = notify(users=[kades], kind=Notification.Kind.OTHER, message="Halo", link="/pengajuan/7/")

    response = login(kades).post(f"/notifikasi/{note.pk}/baca/", {"open": "1"})

    assert response["Location"] == "/pengajuan/7/"


def test_opening_never_follows_a_link_to_another_site(kades, login):
    (note,) = notify(users=[kades], kind=Notification.Kind.OTHER, message="Halo", link="//evil.example/")

    assert login(kades).post(f"/notifikasi/{note.pk}/baca/", {"open": "1"})["Location"] == "/notifikasi/"


def test_marking_all_read(kades, dpmd_mukomuko, login):
    notify(users=[kades], kind=Notification.Kind.OTHER, message="Satu", link="")
    notify(users=[kades], kind=Notification.Kind.OTHER, message="Dua", link="")
    notify(users=[dpmd_mukomuko], kind=Notification.Kind.OTHER, message="Lain", link="")

    login(kades).post("/notifikasi/baca-semua/")

    assert not Notification.objects.filter(user=kades, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=dpmd_mukomuko, read_at__isnull=True).count() == 1


def test_another_users_notification_is_404(kades, head_arah_tiga, login):
    (note,) = notify(users=[kades], kind=Notification.Kind.OTHER, message="Halo", link="")

    assert login(head_arah_tiga).post(f"/notifikasi/{note.pk}/baca/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_read_needs_post(kades, login):
    (note,) = notify(users=[kades], kind=Notification.Kind.OTHER, message="Halo", link="")

    assert login(kades).get(f"/notifikasi/{note.pk}/baca/").status_code == 405
    assert login(kades).get("/notifikasi/baca-semua/").status_code == 405


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get("/notifikasi/")

    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_every_role_has_a_notifications_page(bpjs_tk_mukomuko, bengkulu_observer, superuser, login):
    for user in (bpjs_tk_mukomuko, bengkulu_observer, superuser):
        assert login(user).get("/notifikasi/").status_code == 200


# --- the unread count --------------------------------------------------------------------------------


def test_context_processor_counts_unread_lazily(kades, django_assert_num_queries):
    notify(users=[kades], kind=Notification.Kind.OTHER, message="Satu", link="")
    notify(users=[kades], kind=Notification.Kind.OTHER, message="Dua", link="")
    Notification.objects.filter(message="Dua").update(read_at="2026-01-01T00:00Z")
    request = RequestFactory().get("/")
    request.user = kades

    with django_assert_num_queries(0):
        context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 1


def test_context_processor_gives_zero_to_anonymous(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert unread_notifications(request) == {"unread_notifications": 0}


def test_existing_notifications_get_the_kind_their_link_shows(kades):
    fill_kind = importlib.import_module("accounts.migrations.0009_notification_kind").fill_kind
    reminder, rejection, other = (
        Notification.objects.create(user=kades, message="m", link=link)
        for link in ("/desa/17.06.01.2005/pengajuan/?pengingat=tenggat", "/desa/17.06.01.2005/bpjs/", "/pengajuan/3/")
    )

    fill_kind(django_apps, None)

    assert [Notification.objects.get(pk=n.pk).kind for n in (reminder, rejection, other)] == [
        Notification.Kind.REMINDER,
        Notification.Kind.REJECTED,
        Notification.Kind.OTHER,
    ]
