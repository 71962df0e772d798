"""The data-change request end to end, through the pages: the village head asks (reason and new KTP for a
NIK change), DPMD approves, the BPJS officer of each active program confirms, and only then does the
official's record change, with a history that says who asked and who confirmed, and everyone told."""

from __future__ import annotations

import pytest

from accounts.models import AccessRecord, Notification
from changes.models import DataChangeRequest, ProgramConfirmation
from core import nik as nik_lib
from tests.changes.conftest import NEW_NIK, OLD_NIK, ktp
from tests.html import page
from tests.images import opened


def ask(client, post, **values):
    data = {"nik": NEW_NIK, "full_name": "Budi Santoso", "reason": "NIK dan nama salah ketik di KTP lama"}
    data.update(values)
    if "ktp" not in data:
        data["ktp"] = ktp()
    return client.post(f"/jabatan/{post.pk}/perubahan-data/", {k: v for k, v in data.items() if v is not None})


def notified(user) -> list[Notification]:
    """The user's notifications about data changes (a named actor may also be a demo account with others)."""
    return list(Notification.objects.filter(user=user, link__startswith="/perubahan-data/").order_by("pk"))


def test_head_asks_dpmd_approves_bpjs_confirms_and_the_official_changes(
    post, person, head_suka_pindah, dpmd_mukomuko, dpmd_majene, bpjs_tk_mukomuko, bpjs_kes_majene, login
):
    head, dpmd, bpjs = login(head_suka_pindah), login(dpmd_mukomuko), login(bpjs_tk_mukomuko)

    form = head.get(f"/jabatan/{post.pk}/perubahan-data/")
    assert form.status_code == 200
    assert page(form).find("input", name="full_name").attrs["value"] == "Budi Saputra"  # prefilled
    response = ask(head, post)

    change = DataChangeRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/perubahan-data/{change.pk}/"
    assert change.status == DataChangeRequest.Status.WAITING_DPMD
    assert (change.old_nik, change.new_nik, change.old_full_name, change.new_full_name) == (
        OLD_NIK,
        NEW_NIK,
        "Budi Saputra",
        "Budi Santoso",
    )
    assert change.fields == ["nik", "full_name"]  # birth date and sex were not asked to change
    assert change.requested_by == head_suka_pindah
    person.refresh_from_db()
    assert (person.nik, person.full_name) == (OLD_NIK, "Budi Saputra")  # the enrolled values stay
    [told] = notified(dpmd_mukomuko)
    assert told.link == f"/perubahan-data/{change.pk}/" and "Budi Saputra" in told.message
    assert notified(dpmd_majene) == [] and notified(bpjs_tk_mukomuko) == []

    listed = dpmd.get("/perubahan-data/")
    assert [a.attrs["href"] for a in page(listed).find_all("a") if "/perubahan-data/" in a.attrs.get("href", "")] == [
        f"/perubahan-data/{change.pk}/"
    ]
    assert dpmd.post(f"/perubahan-data/{change.pk}/periksa/", {"decision": "approve"}).status_code == 302

    change.refresh_from_db()
    assert change.status == DataChangeRequest.Status.WAITING_BPJS
    assert change.checked_by == dpmd_mukomuko
    [told] = notified(bpjs_tk_mukomuko)
    assert told.link == f"/perubahan-data/{change.pk}/" and told.kind == "change_requested"
    assert notified(bpjs_kes_majene) == []
    person.refresh_from_db()
    assert person.nik == OLD_NIK

    detail = bpjs.get(f"/perubahan-data/{change.pk}/")
    assert NEW_NIK in page(detail).text  # the officer registers people: the full NIK
    assert opened(bpjs.get(f"/perubahan-data/{change.pk}/ktp/").getvalue()).format == "JPEG"
    assert AccessRecord.objects.filter(user=bpjs_tk_mukomuko, kind=AccessRecord.Kind.DOCUMENT, niks=1).count() == 1
    assert bpjs.post(f"/perubahan-data/{change.pk}/konfirmasi/", {"decision": "approve"}).status_code == 302

    change.refresh_from_db()
    person.refresh_from_db()
    assert change.status == DataChangeRequest.Status.CONFIRMED
    assert (person.nik, person.nik_hash, person.full_name) == (NEW_NIK, nik_lib.hash_nik(NEW_NIK), "Budi Santoso")
    latest = person.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == bpjs_tk_mukomuko
    assert (change.requested_by, change.checked_by) == (head_suka_pindah, dpmd_mukomuko)
    assert change.confirmations.get().decided_by == bpjs_tk_mukomuko
    [told] = notified(head_suka_pindah)
    assert told.link == f"/perubahan-data/{change.pk}/" and "Budi Santoso" in told.message

    history = page(head.get(f"/perangkat/{person.pk}/")).find("section", id="perubahan-data").text
    actors = (head_suka_pindah, dpmd_mukomuko, bpjs_tk_mukomuko)  # who asked, checked and confirmed
    names = [history.find(user.get_full_name() or user.get_username()) for user in actors]
    assert -1 not in names
    assert names[0] < names[1] < names[2]


def test_every_active_program_confirms_before_the_official_changes(
    post, person, also_kes, head_suka_pindah, dpmd_mukomuko, bpjs_tk_mukomuko, bpjs_kes_mukomuko, login
):
    ask(login(head_suka_pindah), post, nik="", ktp=None, full_name="Budi Santoso")
    change = DataChangeRequest.objects.get()
    programs = sorted(change.confirmations.values_list("program_id", flat=True))
    assert programs == ["bpjs_kesehatan", "bpjs_ketenagakerjaan"]
    login(dpmd_mukomuko).post(f"/perubahan-data/{change.pk}/periksa/", {"decision": "approve"})
    assert {n.user for n in Notification.objects.filter(link=f"/perubahan-data/{change.pk}/")} >= {
        bpjs_tk_mukomuko,
        bpjs_kes_mukomuko,
    }

    login(bpjs_tk_mukomuko).post(f"/perubahan-data/{change.pk}/konfirmasi/", {"decision": "approve"})

    person.refresh_from_db()
    change.refresh_from_db()
    assert person.full_name == "Budi Saputra"  # BPJS Kesehatan has not confirmed yet
    assert change.status == DataChangeRequest.Status.WAITING_BPJS

    login(bpjs_kes_mukomuko).post(f"/perubahan-data/{change.pk}/konfirmasi/", {"decision": "approve"})

    person.refresh_from_db()
    assert person.full_name == "Budi Santoso"
    assert person.history.order_by("-history_date", "-history_id").first().history_user == bpjs_kes_mukomuko
    assert set(change.confirmations.values_list("status", flat=True)) == {ProgramConfirmation.Status.CONFIRMED}


@pytest.mark.parametrize("actor", ["head_suka_pindah", "dpmd_mukomuko"])
def test_the_desa_and_its_dpmd_may_ask(post, request, login, actor):
    response = ask(login(request.getfixturevalue(actor)), post, nik="", ktp=None, sex="P")

    assert response.status_code == 302
    assert DataChangeRequest.objects.get().new_sex == "P"


def test_the_official_page_offers_the_request_to_who_may_ask_only(
    post, person, head_suka_pindah, bpjs_tk_mukomuko, login
):
    link = f"/jabatan/{post.pk}/perubahan-data/"

    head_page = page(login(head_suka_pindah).get(f"/perangkat/{person.pk}/"))
    bpjs_page = page(login(bpjs_tk_mukomuko).get(f"/perangkat/{person.pk}/"))

    assert [a for a in head_page.find_all("a") if a.attrs.get("href") == link]
    assert not [a for a in bpjs_page.find_all("a") if a.attrs.get("href") == link]


def test_the_api_carries_the_request_from_head_to_bpjs(
    post, person, head_suka_pindah, dpmd_mukomuko, bpjs_tk_mukomuko, api
):
    created = api(head_suka_pindah).post(
        "/api/v1/data-changes/",
        {"post": post.pk, "nik": NEW_NIK, "reason": "KTP baru", "ktp": ktp()},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["changes"] == {"nik": {"old": OLD_NIK, "new": NEW_NIK}}

    assert api(dpmd_mukomuko).post(f"/api/v1/data-changes/{pk}/check/", {"decision": "approve"}).status_code == 200
    confirmed = api(bpjs_tk_mukomuko).post(f"/api/v1/data-changes/{pk}/confirm/", {"decision": "approve"})

    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmations"][0]["decided_by"] == "bpjs-tk-mukomuko"
    person.refresh_from_db()
    assert person.nik == NEW_NIK
    listed = api(dpmd_mukomuko).get("/api/v1/data-changes/")
    assert [r["id"] for r in listed.json()["results"]] == [pk]


def test_the_list_costs_the_same_queries_for_one_and_for_five_requests(
    suka_pindah, tk, head_suka_pindah, dpmd_mukomuko, login, django_assert_max_num_queries
):
    from changes.services import data_change_request
    from tests.factories import EnrollmentFactory, PostFactory

    def add(count: int) -> None:
        for _ in range(count):
            post = PostFactory(village=suka_pindah)
            EnrollmentFactory(person=post.person, program=tk)
            data_change_request(actor=head_suka_pindah, post=post, reason="salah ketik", full_name="Nama Baru")

    client = login(dpmd_mukomuko)
    add(1)
    client.get("/perubahan-data/")  # the session and the menu, once
    with django_assert_max_num_queries(12) as one:
        client.get("/perubahan-data/")
    add(4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/perubahan-data/")
    assert len(page(response).find("tbody").find_all("tr")) == 5
