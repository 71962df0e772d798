"""The /akun/ pages: DPMD staff look after the accounts of their own regency, and nothing else.

Actors: dpmd_mukomuko and dpmd_majene (DPMD staff), head_suka_pindah (a village head of Mukomuko),
bpjs_tk_mukomuko (a BPJS officer), superuser."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import AccountEvent, User
from core.models import Village
from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SLIP_PASSWORD = re.compile(r'class="mono password">([a-z0-9-]{14})<')


def _passwords(response) -> list[str]:
    return SLIP_PASSWORD.findall(response.content.decode())


def _logs_in(username: str, password: str) -> bool:
    """A login through the login page, as a person does it (Axes watches it)."""
    return Client().post("/masuk/", {"username": username, "password": password}).status_code == 302


def _governed(regency) -> int:
    return Village.objects.filter(subdistrict__regency=regency, kind__in=Village.GOVERNED_KINDS).count()


# --- who may open the pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/akun/",
        "/akun/baru/",
        "/akun/massal/",
        "/akun/desa-belum-masuk/",
        "/akun/desa-belum-masuk.xlsx",
        "/akun/aktivitas/",
    ],
)
@pytest.mark.parametrize("actor", ["head_suka_pindah", "bpjs_tk_mukomuko", "bengkulu_observer"])
def test_roles_other_than_dpmd_have_no_account_pages(request, login, url, actor):
    response = login(request.getfixturevalue(actor)).get(url)

    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get("/akun/")

    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_dpmd_lists_only_the_accounts_of_its_regency(
    login, dpmd_mukomuko, dpmd_majene, head_suka_pindah, bpjs_tk_mukomuko, superuser, majene
):
    majene_head = UserFactory(
        username="desa-7605012001",
        role=Role.VILLAGE,
        village=Village.objects.filter(subdistrict__regency=majene, kind="desa").first(),
    )

    html = login(dpmd_mukomuko).get("/akun/").content.decode()

    assert "desa-1706012005" in html and "dpmd-mukomuko" in html
    for other in ("dpmd-majene", majene_head.username, "bpjs-tk-mukomuko", ">admin<"):
        assert other not in html


def test_another_regencys_account_is_a_404_on_every_page_and_action(login, dpmd_majene, head_suka_pindah):
    client = login(dpmd_majene)
    pk = head_suka_pindah.pk

    assert client.get(f"/akun/{pk}/").status_code == 404
    for action in ("reset", "buka-kunci", "nonaktifkan", "aktifkan", "ubah"):
        assert client.post(f"/akun/{pk}/{action}/", {"role": "village"}).status_code == 404
    head_suka_pindah.refresh_from_db()
    assert head_suka_pindah.is_active and not head_suka_pindah.must_change_password
    assert not AccountEvent.objects.filter(user=head_suka_pindah).exclude(kind="login").exists()


def test_dpmd_cannot_reach_a_bpjs_officer_nor_a_superuser(login, dpmd_mukomuko, bpjs_tk_mukomuko, superuser):
    client = login(dpmd_mukomuko)

    assert client.get(f"/akun/{bpjs_tk_mukomuko.pk}/").status_code == 404
    assert client.post(f"/akun/{superuser.pk}/reset/").status_code == 404


# --- creating accounts ------------------------------------------------------------------------------


def test_dpmd_creates_a_village_operator_who_logs_in_once_with_the_slip_password(login, dpmd_mukomuko, suka_pindah):
    response = login(dpmd_mukomuko).post(
        "/akun/baru/", {"username": "operator-suka-pindah", "role": "village", "village": suka_pindah.pk}
    )

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    [password] = _passwords(response)
    account = User.objects.get(username="operator-suka-pindah")
    assert (account.role, account.village_id, account.must_change_password) == ("village", suka_pindah.pk, True)
    assert _logs_in("operator-suka-pindah", password)
    assert AccountEvent.objects.filter(kind="created", user=account, actor=dpmd_mukomuko).exists()


def test_dpmd_cannot_create_an_account_for_another_regencys_desa(login, dpmd_majene, suka_pindah):
    response = login(dpmd_majene).post(
        "/akun/baru/", {"username": "x-op", "role": "village", "village": suka_pindah.pk}
    )

    assert response.status_code == 200 and "x-op" not in {u.username for u in User.objects.all()}
    assert suka_pindah.name not in response.content.decode()  # not even offered as a choice


@pytest.mark.parametrize("role", ["bpjs", "province"])
def test_dpmd_cannot_give_a_bpjs_or_observer_role(login, dpmd_mukomuko, role, mukomuko):
    response = login(dpmd_mukomuko).post("/akun/baru/", {"username": "sneaky", "role": role, "regency": mukomuko.pk})

    assert response.status_code == 200 and not User.objects.filter(username="sneaky").exists()


def test_a_posted_superuser_flag_is_ignored_by_the_form(login, dpmd_mukomuko, mukomuko):
    login(dpmd_mukomuko).post(
        "/akun/baru/",
        {"username": "staf-baru", "role": "dpmd", "regency": mukomuko.pk, "is_superuser": "on", "is_staff": "on"},
    )

    account = User.objects.get(username="staf-baru")
    assert not account.is_superuser and not account.is_staff and account.regency_id == "17.06"


def test_bulk_creates_one_head_per_desa_without_an_account_and_nothing_the_second_time(
    login, dpmd_mukomuko, head_suka_pindah, mukomuko
):
    client = login(dpmd_mukomuko)
    first = client.post("/akun/massal/", {"subdistrict": ""})

    passwords = _passwords(first)
    assert len(passwords) == _governed(mukomuko) - 1  # Suka Pindah already has its head
    assert User.objects.filter(username="desa-1706012007", role="village", village_id="17.06.01.2007").exists()
    assert "http://testserver/" in first.content.decode()  # the address on every slip
    second = client.post("/akun/massal/", {"subdistrict": ""})
    assert _passwords(second) == []
    assert User.objects.filter(role="village", village__subdistrict__regency=mukomuko).count() == _governed(mukomuko)


def test_bulk_for_one_kecamatan_stays_in_it(login, dpmd_mukomuko, suka_pindah):
    subdistrict = suka_pindah.subdistrict

    login(dpmd_mukomuko).post("/akun/massal/", {"subdistrict": subdistrict.pk})

    created = User.objects.filter(role="village")
    assert created.exists() and all(u.village.subdistrict_id == subdistrict.pk for u in created)


def test_dpmd_cannot_bulk_create_in_another_regencys_kecamatan(login, dpmd_majene, suka_pindah):
    login(dpmd_majene).post("/akun/massal/", {"subdistrict": suka_pindah.subdistrict_id})

    assert not User.objects.filter(role="village").exists()


# --- looking after an account -----------------------------------------------------------------------


def test_reset_gives_a_new_one_time_password_and_the_old_one_stops_working(login, dpmd_mukomuko, head_suka_pindah):
    response = login(dpmd_mukomuko).post(f"/akun/{head_suka_pindah.pk}/reset/")

    [password] = _passwords(response)
    head_suka_pindah.refresh_from_db()
    assert head_suka_pindah.must_change_password
    assert not _logs_in(head_suka_pindah.username, "rahasia-123")
    assert _logs_in(head_suka_pindah.username, password)


def test_a_locked_out_village_head_is_unlocked_in_one_click(login, dpmd_mukomuko, head_suka_pindah, settings):
    browser = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post("/masuk/", {"username": head_suka_pindah.username, "password": "salah-salah"})
    locked = browser.post("/masuk/", {"username": head_suka_pindah.username, "password": "rahasia-123"})
    assert locked.status_code == 429 and "DPMD" in locked.content.decode()
    assert (
        "terkunci karena terlalu sering" in login(dpmd_mukomuko).get(f"/akun/{head_suka_pindah.pk}/").content.decode()
    )

    login(dpmd_mukomuko).post(f"/akun/{head_suka_pindah.pk}/buka-kunci/")

    again = browser.post("/masuk/", {"username": head_suka_pindah.username, "password": "rahasia-123"})
    assert again.status_code == 302
    assert AccountEvent.objects.filter(kind="unlocked", user=head_suka_pindah, actor=dpmd_mukomuko).exists()


def test_deactivated_accounts_cannot_log_in_and_come_back_when_reactivated(login, dpmd_mukomuko, head_suka_pindah):
    client = login(dpmd_mukomuko)
    client.post(f"/akun/{head_suka_pindah.pk}/nonaktifkan/")
    assert not _logs_in(head_suka_pindah.username, "rahasia-123")
    assert User.objects.filter(pk=head_suka_pindah.pk).exists()  # never deleted

    client.post(f"/akun/{head_suka_pindah.pk}/aktifkan/")

    assert _logs_in(head_suka_pindah.username, "rahasia-123")


def test_dpmd_cannot_change_its_own_role_or_scope(login, dpmd_mukomuko, majene):
    login(dpmd_mukomuko).post(f"/akun/{dpmd_mukomuko.pk}/ubah/", {"role": "dpmd", "regency": majene.pk})

    dpmd_mukomuko.refresh_from_db()
    assert dpmd_mukomuko.regency_id == "17.06"


def test_dpmd_moves_an_operator_to_another_desa_of_its_regency_only(
    login, dpmd_mukomuko, head_suka_pindah, arah_tiga, majene
):
    client = login(dpmd_mukomuko)
    majene_desa = Village.objects.filter(subdistrict__regency=majene, kind="desa").first()
    client.post(f"/akun/{head_suka_pindah.pk}/ubah/", {"role": "village", "village": majene_desa.pk})
    head_suka_pindah.refresh_from_db()
    assert head_suka_pindah.village_id == "17.06.01.2005"

    client.post(f"/akun/{head_suka_pindah.pk}/ubah/", {"role": "village", "village": arah_tiga.pk})

    head_suka_pindah.refresh_from_db()
    assert head_suka_pindah.village_id == arah_tiga.pk
    assert AccountEvent.objects.filter(kind="changed", user=head_suka_pindah).exists()


def test_the_superuser_creates_a_bpjs_officer_through_the_same_page(login, superuser, mukomuko, tk):
    login(superuser).post(
        "/akun/baru/",
        {"username": "bpjs-tk-baru", "role": "bpjs", "program": tk.pk, "branch_regencies": [mukomuko.pk]},
    )

    officer = User.objects.get(username="bpjs-tk-baru")
    assert officer.program_id == tk.pk and list(officer.branch_regencies.all()) == [mukomuko]


# --- desa not on board, activity --------------------------------------------------------------------


def test_desa_not_on_board_lists_those_without_a_login_and_downloads_the_same(
    login, dpmd_mukomuko, head_suka_pindah, head_arah_tiga, mukomuko
):
    assert _logs_in(head_arah_tiga.username, "rahasia-123")
    client = login(dpmd_mukomuko)

    html = client.get("/akun/desa-belum-masuk/").content.decode()

    assert "Suka Pindah" in html and "Arah Tiga" not in html  # Arah Tiga's head has logged in
    workbook = client.get("/akun/desa-belum-masuk.xlsx")
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"{_governed(mukomuko) - 1} desa" in html


def test_account_activity_shows_the_regency_only(login, dpmd_mukomuko, dpmd_majene, head_suka_pindah):
    login(dpmd_mukomuko).post(f"/akun/{head_suka_pindah.pk}/reset/")
    Client().post("/masuk/", {"username": head_suka_pindah.username, "password": "salah-salah"})

    mukomuko_page = login(dpmd_mukomuko).get("/akun/aktivitas/").content.decode()
    majene_page = login(dpmd_majene).get("/akun/aktivitas/").content.decode()

    assert "desa-1706012005" in mukomuko_page
    assert "desa-1706012005" not in majene_page


def test_the_demo_dashboard_says_how_many_desa_have_logged_in(demo, client):
    client.force_login(User.objects.get(username="dpmd-mukomuko"))

    html = client.get("/wilayah/17.06/").content.decode()

    assert "12 dari 148 desa sudah masuk" in html


def test_the_login_figure_is_not_shown_to_a_bpjs_officer(login, bpjs_tk_mukomuko):
    assert "sudah masuk" not in login(bpjs_tk_mukomuko).get("/wilayah/17.06/").content.decode()


def test_slips_name_the_address_users_know(login, dpmd_mukomuko, suka_pindah, settings):
    settings.SITE_URL = "https://desajaminan.mukomukokab.go.id"

    response = login(dpmd_mukomuko).post(
        "/akun/baru/", {"username": "operator-baru", "role": "village", "village": suka_pindah.pk}
    )

    assert "https://desajaminan.mukomukokab.go.id/" in response.content.decode()
