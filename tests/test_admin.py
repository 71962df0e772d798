"""The Django admin is for superusers only. Staff status and every model permission open nothing for
DPMD staff or any other role; rows the app's services own (officials, posts, enrollments, accounts) are
read-only even for superusers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from core.models import Program, Village
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PostFactory
from villages.models import Person, Post

pytestmark = pytest.mark.django_db

CHANGELISTS = {
    "/admin/core/village/": Village,
    "/admin/villages/person/": Person,
    "/admin/villages/post/": Post,
    "/admin/enrollment/enrollment/": Enrollment,
    "/admin/budgets/allocation/": None,
    "/admin/budgets/payment/": None,
    "/admin/accounts/user/": User,
}


@pytest.fixture
def official(suka_pindah, kes):
    post = PostFactory(village=suka_pindah)
    EnrollmentFactory(person=post.person, program=kes)
    return post


@pytest.fixture
def dpmd_staff(dpmd_mukomuko):
    """DPMD Mukomuko made staff with every permission: what once opened the admin to them."""
    dpmd_mukomuko.is_staff = True
    dpmd_mukomuko.save()
    dpmd_mukomuko.user_permissions.set(Permission.objects.all())
    return dpmd_mukomuko


@pytest.mark.parametrize("url", ["/admin/", *CHANGELISTS])
@pytest.mark.parametrize("actor", ["dpmd_staff", "head_suka_pindah", "bpjs_tk_mukomuko", "bengkulu_observer"])
def test_no_role_but_the_superuser_reaches_the_admin(request, login, official, actor, url):
    response = login(request.getfixturevalue(actor)).get(url)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_cannot_open_an_officials_change_or_history_page(login, dpmd_staff, official):
    client = login(dpmd_staff)

    for url in (f"/admin/villages/post/{official.pk}/change/", f"/admin/villages/post/{official.pk}/history/"):
        response = client.get(url)
        assert response.status_code == 302 and official.person.full_name not in response.content.decode()


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_the_superuser_reads_every_changelist(login, superuser, official, url):
    assert login(superuser).get(url).status_code == 200


@pytest.mark.parametrize(
    ("model", "url"),
    [
        (Post, "/admin/villages/post/"),
        (Person, "/admin/villages/person/"),
        (Enrollment, "/admin/enrollment/enrollment/"),
    ],
)
def test_rows_the_services_own_are_read_only_even_for_the_superuser(login, superuser, official, model, url):
    obj = model.objects.order_by("-pk").first()
    client = login(superuser)

    page = client.get(f"{url}{obj.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"{url}{obj.pk}/change/", {}).status_code == 403
    assert client.get(f"{url}add/").status_code == 403
    assert client.post(f"{url}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_the_superuser_does_not_make_superusers_in_the_admin(login, superuser, dpmd_mukomuko):
    client = login(superuser)

    response = client.post(
        f"/admin/accounts/user/{dpmd_mukomuko.pk}/change/", {"username": "dpmd-mukomuko", "is_superuser": "on"}
    )

    dpmd_mukomuko.refresh_from_db()
    assert response.status_code == 403 and not dpmd_mukomuko.is_superuser


def test_reference_data_stays_editable_by_the_superuser(login, superuser):
    program = Program.objects.get(pk=Program.KESEHATAN)

    page = login(superuser).get(f"/admin/core/program/{program.pk}/change/")

    assert page.status_code == 200 and 'name="_save"' in page.content.decode()
