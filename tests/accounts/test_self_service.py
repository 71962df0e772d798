"""What every user does alone: the forced change after a one-time password, a forgotten password reset
by email (the link works once), the profile and the API token; the idle timeout and the client address
behind a proxy."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory, override_settings

from accounts import services
from accounts.models import AccountEvent
from accounts.security import client_ip

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "sawah-hijau-2027"


def _log_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/masuk/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return client


def test_a_one_time_password_leads_to_the_password_change_and_nowhere_else(dpmd_mukomuko, head_suka_pindah):
    password = services.account_reset_password(actor=dpmd_mukomuko, account=head_suka_pindah)
    client = _log_in(head_suka_pindah.username, password)

    assert client.get("/desa/17.06.01.2005/")["Location"] == "/akun/kata-sandi/"
    api = client.get("/api/v1/regencies/")
    assert api.status_code == 403 and "kata sandi" in api.json()["detail"].lower()

    response = client.post(
        "/akun/kata-sandi/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert client.get("/desa/17.06.01.2005/").status_code == 200
    head_suka_pindah.refresh_from_db()
    assert not head_suka_pindah.must_change_password
    assert AccountEvent.objects.filter(kind="password_changed", user=head_suka_pindah).exists()


def test_a_token_of_an_account_on_its_one_time_password_is_refused(dpmd_mukomuko, head_suka_pindah):
    token = services.token_create(account=head_suka_pindah)
    services.account_reset_password(actor=dpmd_mukomuko, account=head_suka_pindah)

    response = Client().get("/api/v1/villages/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 403 and "kata sandi" in response.json()["detail"].lower()


@pytest.mark.parametrize(
    ("password", "message"),
    [("pendek-1", "terlalu pendek"), ("12345678901", "seluruhnya terdiri dari angka"), ("password123", "terlalu umum")],
)
def test_weak_passwords_are_refused_in_indonesian(head_suka_pindah, password, message):
    client = _log_in(head_suka_pindah.username, "rahasia-123")

    response = client.post(
        "/akun/kata-sandi/", {"old_password": "rahasia-123", "new_password1": password, "new_password2": password}
    )

    assert response.status_code == 200 and message in response.content.decode().lower()


@override_settings(SITE_URL="https://desajaminan.mukomukokab.go.id")
def test_a_forgotten_password_is_reset_by_an_emailed_link_that_works_once(head_suka_pindah):
    head_suka_pindah.email = "kades.sukapindah@example.id"
    head_suka_pindah.save()

    Client().post("/akun/lupa/", {"email": "kades.sukapindah@example.id"})

    [message] = mail.outbox
    link = re.search(r"https://desajaminan\.mukomukokab\.go\.id(/akun/lupa/\S+/)", message.body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert _log_in(head_suka_pindah.username, NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "new_password1" not in again.content.decode()


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client):
    response = client.post("/akun/lupa/", {"email": "tidak.ada@example.id"})

    assert response.status_code == 302 and response["Location"] == "/akun/lupa/terkirim/"
    assert mail.outbox == []


def test_profile_keeps_email_and_phone(login, head_suka_pindah):
    login(head_suka_pindah).post("/akun/profil/", {"email": "kades@example.id", "phone": "0812 3456 7890"})

    head_suka_pindah.refresh_from_db()
    assert (head_suka_pindah.email, head_suka_pindah.phone) == ("kades@example.id", "0812 3456 7890")


def test_a_user_creates_and_revokes_their_api_token(login, head_suka_pindah):
    client = login(head_suka_pindah)
    page = client.post("/akun/profil/token/", {"action": "create"})
    key = re.search(r'class="mono password">([0-9a-f]{40})<', page.content.decode()).group(1)
    assert Client().get("/api/v1/villages/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    client.post("/akun/profil/token/", {"action": "revoke"})

    assert Client().get("/api/v1/villages/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    kinds = set(AccountEvent.objects.filter(user=head_suka_pindah).values_list("kind", flat=True))
    assert {"token_created", "token_revoked"} <= kinds


@override_settings(SESSION_IDLE_TIMEOUT=60)
def test_a_dpmd_session_ends_after_the_idle_time(dpmd_mukomuko, monkeypatch):
    import accounts.security as security

    now = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: now[0])
    client = _log_in(dpmd_mukomuko.username, "rahasia-123")
    assert client.get("/wilayah/17.06/").status_code == 200
    now[0] += 59
    assert client.get("/wilayah/17.06/").status_code == 200

    now[0] += 61

    response = client.get("/wilayah/17.06/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


@override_settings(SESSION_IDLE_TIMEOUT=60)
def test_a_village_heads_phone_keeps_its_session(head_suka_pindah, monkeypatch):
    import accounts.security as security

    now = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: now[0])
    client = _log_in(head_suka_pindah.username, "rahasia-123")
    now[0] += 3600

    assert client.get("/desa/17.06.01.2005/").status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.2"),  # no proxy trusted: the header is the client's own words
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.66, 203.0.113.7", "203.0.113.7"),  # a forged entry on the left is not trusted
        (2, "203.0.113.7, 10.0.0.9", "203.0.113.7"),
    ],
)
def test_the_client_address_comes_from_the_proxy_header_only_as_far_as_proxies_are_trusted(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_logins_and_failed_logins_are_recorded(head_suka_pindah):
    Client().post("/masuk/", {"username": head_suka_pindah.username, "password": "salah-salah"})
    _log_in(head_suka_pindah.username, "rahasia-123")

    kinds = list(AccountEvent.objects.filter(user=head_suka_pindah).values_list("kind", flat=True))
    assert "login_failed" in kinds and "login" in kinds


def test_a_one_time_password_opens_one_session_only(dpmd_mukomuko, head_suka_pindah):
    password = services.account_reset_password(actor=dpmd_mukomuko, account=head_suka_pindah)
    _log_in(head_suka_pindah.username, password)

    again = Client().post("/masuk/", {"username": head_suka_pindah.username, "password": password})

    assert again.status_code == 200  # the login form again: a new one-time password is needed
    fresh = services.account_reset_password(actor=dpmd_mukomuko, account=head_suka_pindah)
    assert _log_in(head_suka_pindah.username, fresh)
