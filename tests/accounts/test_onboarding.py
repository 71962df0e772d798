"""A new regency set up by a superuser in the app, then put on board by its own DPMD, with no shell."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import RegencyOnboarding, User
from core.models import Regency, Village

pytestmark = pytest.mark.django_db

KAUR = "17.04"  # Kabupaten Kaur, Bengkulu: not among the test regencies
NEW_PASSWORD = "pantai-linau-2027"


def _password(response) -> str:
    return re.search(r'class="mono password">([a-z0-9-]{14})<', response.content.decode()).group(1)


@pytest.mark.parametrize("actor", ["dpmd_mukomuko", "head_suka_pindah", "bpjs_tk_mukomuko"])
def test_only_a_superuser_sets_up_a_regency(request, login, actor):
    client = login(request.getfixturevalue(actor))

    assert client.get("/akun/kabupaten-baru/").status_code == 403
    assert client.post("/akun/kabupaten-baru/", {"regency_code": KAUR}).status_code == 403
    assert not RegencyOnboarding.objects.exists()


def test_from_an_empty_regency_to_its_village_heads_on_board(
    login, superuser, regions, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(superuser).post("/akun/kabupaten-baru/", {"regency_code": KAUR})
    onboarding = RegencyOnboarding.objects.get()
    assert response["Location"] == f"/akun/kabupaten-baru/{onboarding.pk}/"
    assert onboarding.status == "done" and Regency.objects.filter(pk=KAUR).exists()
    villages = Village.objects.filter(subdistrict__regency_id=KAUR, kind__in=Village.GOVERNED_KINDS).count()
    assert villages > 50

    slip = login(superuser).post(f"/akun/kabupaten-baru/{onboarding.pk}/", {"username": "dpmd-kaur"})
    dpmd = User.objects.get(username="dpmd-kaur")
    assert (dpmd.role, dpmd.regency_id, dpmd.must_change_password) == ("dpmd", KAUR, True)

    office = Client()
    office.post("/masuk/", {"username": "dpmd-kaur", "password": _password(slip)})
    office.post(
        "/akun/kata-sandi/",
        {"old_password": _password(slip), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert office.get(f"/wilayah/{KAUR}/").status_code == 200
    slips = office.post("/akun/massal/", {"subdistrict": ""})
    assert slips.content.decode().count('class="slip card"') == villages
    assert User.objects.filter(role="village", village__subdistrict__regency_id=KAUR).count() == villages


def test_a_failed_import_says_why(login, superuser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        login(superuser).post("/akun/kabupaten-baru/", {"regency_code": KAUR})
    onboarding = RegencyOnboarding.objects.get()
    onboarding.status, onboarding.regency_code = "pending", "99.99"
    onboarding.save()

    from accounts.onboarding import onboarding_run

    onboarding_run(onboarding_id=onboarding.pk)

    onboarding.refresh_from_db()
    assert onboarding.status == "failed" and "99.99" in onboarding.summary
