"""The admin starts from the same scoping selectors as the pages: DPMD staff with every model permission
see and open only the rows of their own regency; the superuser sees everything."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from budgets.models import Allocation
from core.models import FundingSource, Program, Village
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from villages.models import Person, Post

MUKOMUKO, MAJENE = "17.06", "76.05"
ADOLANG = "76.05.02.2003"  # a desa in Pamboang, Majene


def _villages(regency: str) -> QuerySet:
    return Village.objects.filter(subdistrict__regency_id=regency)


def _persons(regency: str) -> QuerySet:
    return Person.objects.filter(posts__village__subdistrict__regency_id=regency).distinct()


def _posts(regency: str) -> QuerySet:
    return Post.objects.filter(village__subdistrict__regency_id=regency)


def _enrollments(regency: str) -> QuerySet:
    return Enrollment.objects.filter(person__posts__village__subdistrict__regency_id=regency).distinct()


def _allocations(regency: str) -> QuerySet:
    return Allocation.objects.filter(Q(regency_id=regency) | Q(village__subdistrict__regency_id=regency))


# Each admin changelist and, written independently of the app's selectors, the rows of one regency.
CHANGELISTS: dict[str, tuple[type[Model], Callable[[str], QuerySet]]] = {
    "/admin/core/village/": (Village, _villages),
    "/admin/villages/person/": (Person, _persons),
    "/admin/villages/post/": (Post, _posts),
    "/admin/enrollment/enrollment/": (Enrollment, _enrollments),
    "/admin/budgets/allocation/": (Allocation, _allocations),
}


@pytest.fixture
def both_regencies(mukomuko, majene, suka_pindah, kes):
    """At least one official, post, enrollment and allocation on each side, whether or not the demo is loaded."""
    year = timezone.localdate().year + 1  # a year the demo leaves alone
    for regency, village, serial in ((mukomuko, suka_pindah, 9501), (majene, Village.objects.get(pk=ADOLANG), 9502)):
        person = PersonFactory(nik=make_nik(serial, prefix=village.code_digits[:6]))
        PostFactory(person=person, village=village)
        EnrollmentFactory(person=person, program=kes, participant_number=f"{serial:013d}")
        Allocation.objects.create(
            fiscal_year=year, regency=regency, program=kes, source=FundingSource.objects.get(pk="DAU"), amount=1_000_000
        )
        Allocation.objects.create(
            fiscal_year=year,
            village=village,
            program=Program.objects.get(pk=Program.KETENAGAKERJAAN),
            source=FundingSource.objects.get(pk="ADD"),
            amount=250_000,
        )


@pytest.fixture
def dpmd_staff(dpmd_mukomuko, both_regencies):
    """DPMD Mukomuko with access to the admin and every permission on regions, officials, enrollments, budgets."""
    dpmd_mukomuko.is_staff = True
    dpmd_mukomuko.save()
    dpmd_mukomuko.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["core", "villages", "enrollment", "budgets"])
    )
    return dpmd_mukomuko


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_dpmd_staff_sees_only_their_own_regency_in_the_admin_changelist(dpmd_staff, login, url):
    _, rows_of = CHANGELISTS[url]
    assert rows_of(MAJENE).exists()  # there is something to hide

    response = login(dpmd_staff).get(url)

    assert response.status_code == 200
    changelist = response.context["cl"]
    expected = set(rows_of(MUKOMUKO).values_list("pk", flat=True))
    assert changelist.result_count == len(expected)
    assert set(changelist.queryset.values_list("pk", flat=True)) == expected
    assert {obj.pk for obj in changelist.result_list} <= expected


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_superuser_sees_every_regency_in_the_admin_changelist(both_regencies, superuser, login, url):
    model, rows_of = CHANGELISTS[url]

    response = login(superuser).get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()
    pks = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert pks >= set(rows_of(MUKOMUKO).values_list("pk", flat=True)) | set(
        rows_of(MAJENE).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_dpmd_staff_opens_the_change_page_of_their_own_regency_object(dpmd_staff, login, url):
    _, rows_of = CHANGELISTS[url]
    obj = rows_of(MUKOMUKO).order_by("-pk").first()

    assert login(dpmd_staff).get(f"{url}{obj.pk}/change/").status_code == 200


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_dpmd_staff_cannot_open_the_change_page_of_another_regency_object(dpmd_staff, superuser, login, url):
    _, rows_of = CHANGELISTS[url]
    obj = rows_of(MAJENE).order_by("-pk").first()
    assert login(superuser).get(f"{url}{obj.pk}/change/").status_code == 200

    response = login(dpmd_staff).get(f"{url}{obj.pk}/change/")

    # The admin answers a missing object with a redirect to its index and a "does not exist" message.
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == "/admin/"


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_dpmd_staff_cannot_delete_another_regency_object(dpmd_staff, login, url):
    model, rows_of = CHANGELISTS[url]
    obj = rows_of(MAJENE).order_by("-pk").first()

    client = login(dpmd_staff)
    assert client.get(f"{url}{obj.pk}/delete/").status_code in (302, 404)
    client.post(f"{url}{obj.pk}/delete/", {"post": "yes"})
    assert model.objects.filter(pk=obj.pk).exists()


def _history_client(login, user):
    client = login(user)
    client.raise_request_exception = False  # a crash is a 500 to assert on, not an exception in the test
    return client


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_dpmd_staff_cannot_read_the_history_of_another_regency_object(dpmd_staff, superuser, login, url):
    """The History button (simple_history) must not bypass the scoped queryset either."""
    _, rows_of = CHANGELISTS[url]
    history = f"{url}{rows_of(MAJENE).order_by('-pk').first().pk}/history/"
    assert _history_client(login, superuser).get(history).status_code == 200

    response = _history_client(login, dpmd_staff).get(history)

    assert response.status_code in (302, 404)


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_dpmd_staff_reads_the_history_of_their_own_regency_object(dpmd_staff, login, url):
    _, rows_of = CHANGELISTS[url]
    obj = rows_of(MUKOMUKO).order_by("-pk").first()

    assert _history_client(login, dpmd_staff).get(f"{url}{obj.pk}/history/").status_code == 200


@pytest.mark.parametrize("url", [url for url, (model, _) in CHANGELISTS.items() if hasattr(model, "history")])
def test_dpmd_staff_cannot_open_a_past_version_of_another_regency_object(dpmd_staff, login, url):
    _, rows_of = CHANGELISTS[url]
    obj = rows_of(MAJENE).order_by("-pk").first()
    version = obj.history.latest("history_date")

    response = _history_client(login, dpmd_staff).get(f"{url}{obj.pk}/history/{version.history_id}/")

    assert response.status_code in (302, 404)


def test_dpmd_staff_cannot_change_another_regency_official_through_a_past_version(dpmd_staff, login):
    person = _persons(MAJENE).order_by("-pk").first()
    version = person.history.latest("history_date")
    form = {"full_name": "Diubah Dari Mukomuko", "sex": "L", "birth_date": "1985-08-17", "phone": "", "nik_input": ""}

    _history_client(login, dpmd_staff).post(f"/admin/villages/person/{person.pk}/history/{version.history_id}/", form)

    person.refresh_from_db()
    assert person.full_name != "Diubah Dari Mukomuko"


def test_village_autocomplete_offers_only_villages_of_the_own_regency(dpmd_staff, login):
    client = login(dpmd_staff)
    params = {"app_label": "villages", "model_name": "post", "field_name": "village"}

    own = client.get("/admin/autocomplete/", {**params, "term": "Suka Pindah"}).json()["results"]
    other = client.get("/admin/autocomplete/", {**params, "term": "Adolang"}).json()["results"]

    assert "17.06.01.2005" in {r["id"] for r in own}
    assert other == []


def test_official_autocomplete_offers_only_officials_of_the_own_regency(dpmd_staff, login):
    majene_person = _persons(MAJENE).order_by("-pk").first()
    params = {"app_label": "enrollment", "model_name": "enrollment", "field_name": "person"}

    results = login(dpmd_staff).get("/admin/autocomplete/", {**params, "term": majene_person.full_name}).json()

    assert str(majene_person.pk) not in {r["id"] for r in results["results"]}
