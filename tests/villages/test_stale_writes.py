"""A form or API client that read an official before someone else saved a change is refused, and the
other's change stays (issue 9, "a DPMD form opened earlier silently reverts a phone number the village
head saved in between"). Each write sends back the versions it read; a fresh read saves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PostFactory
from tests.html import form_errors, hidden, page
from tests.versions import stale_refusal
from villages.forms import OfficialEditForm
from villages.models import Person, Post

HEADS_PHONE = "081377770000"


@pytest.fixture
def post(suka_pindah):
    return PostFactory(village=suka_pindah, person__full_name="Budi Santos", person__phone="081100000001")


@pytest.fixture
def head(head_suka_pindah):
    head_suka_pindah.first_name, head_suka_pindah.last_name = "Siti", "Rahma"
    head_suka_pindah.save()
    return head_suka_pindah


def _as_sent(post: Post, **changes) -> dict:
    """The edit form's fields as its page shows them for `post`, with the user's changes typed in."""
    data = {k: v for k, v in OfficialEditForm.initial_for(post).items() if k not in ("version", "person_version")}
    data = {k: v.isoformat() if isinstance(v, dt.date) else ("" if v is None else v) for k, v in data.items()}
    return {**data, **changes}


def _opened(client, post: Post) -> dict:
    """The versions the edit page carries in its hidden fields, as the browser sends them back."""
    root = page(client.get(reverse("post-edit", args=[post.pk])))
    return {"version": hidden(root, "version"), "person_version": hidden(root, "person_version")}


def test_a_dpmd_form_opened_before_the_head_saved_a_new_phone_is_refused_and_the_phone_stays(
    post, head, dpmd_mukomuko, login
):
    dpmd = login(dpmd_mukomuko)
    dpmd_opened = _opened(dpmd, post)  # DPMD opens the form to fix the name...
    heads = login(head)
    saved = heads.post(
        reverse("post-edit", args=[post.pk]), {**_as_sent(post, phone=HEADS_PHONE), **_opened(heads, post)}
    )
    assert saved.status_code == 302  # ...meanwhile the village head saves a new phone number

    response = dpmd.post(
        reverse("post-edit", args=[post.pk]), {**_as_sent(post, full_name="Budi Santoso"), **dpmd_opened}
    )

    assert response.status_code == 200
    root = page(response)
    person = Person.objects.get(pk=post.person_id)
    assert stale_refusal(person, head) in form_errors(root)
    assert root.find("input", name="full_name").attrs["value"] == "Budi Santoso"  # what DPMD typed is kept
    assert (person.phone, person.full_name) == (HEADS_PHONE, "Budi Santos")  # and nothing of it saved


def test_the_form_opened_again_saves_and_keeps_the_heads_phone(post, head, dpmd_mukomuko, login):
    heads = login(head)
    heads.post(reverse("post-edit", args=[post.pk]), {**_as_sent(post, phone=HEADS_PHONE), **_opened(heads, post)})
    dpmd = login(dpmd_mukomuko)
    post.refresh_from_db()

    response = dpmd.post(
        reverse("post-edit", args=[post.pk]), {**_as_sent(post, full_name="Budi Santoso"), **_opened(dpmd, post)}
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=post.person_id)
    assert (person.phone, person.full_name) == (HEADS_PHONE, "Budi Santoso")


def test_a_stale_api_patch_is_a_409_and_the_heads_phone_stays(post, head, dpmd_mukomuko, api):
    url = reverse("api-post", args=[post.pk])
    read = api(dpmd_mukomuko).get(url).json()
    fresh = api(head).get(url).json()
    assert api(head).patch(url, {"phone": HEADS_PHONE, **_versions(fresh)}, format="json").status_code == 200

    response = api(dpmd_mukomuko).patch(url, {"full_name": "Budi Santoso", **_versions(read)}, format="json")

    assert response.status_code == 409
    person = Person.objects.get(pk=post.person_id)
    assert response.json()["detail"] == stale_refusal(person, head)
    assert (person.phone, person.full_name) == (HEADS_PHONE, "Budi Santos")
    again = api(dpmd_mukomuko).get(url).json()
    assert again["person_version"] > read["person_version"]  # read again: the newer versions save
    patched = api(dpmd_mukomuko).patch(url, {"full_name": "Budi Santoso", **_versions(again)}, format="json")
    assert patched.status_code == 200 and patched.json()["phone"] == HEADS_PHONE


def _versions(body: dict) -> dict:
    return {"version": body["version"], "person_version": body["person_version"]}


def test_an_api_patch_without_the_versions_is_a_400_saying_they_are_needed(post, head, api):
    response = api(head).patch(reverse("api-post", args=[post.pk]), {"phone": HEADS_PHONE}, format="json")

    assert response.status_code == 400
    needed = "Kirim versi data yang Anda baca: versi itu diperlukan untuk menyimpan perubahan."
    assert response.json()["errors"] == {"version": [needed], "person_version": [needed]}
    assert Person.objects.get(pk=post.person_id).phone == "081100000001"


def test_ending_a_post_changed_since_it_was_read_is_a_409_and_it_stays_current(post, head, dpmd_mukomuko, api):
    read = api(dpmd_mukomuko).get(reverse("api-post", args=[post.pk])).json()
    fix = {"local_title": "Kadus I", **_versions(read)}
    assert api(head).patch(reverse("api-post", args=[post.pk]), fix, format="json").status_code == 200

    end = {"ended_on": "2026-01-31", "reason": "pensiun", "version": read["version"]}
    response = api(dpmd_mukomuko).post(reverse("api-post-end", args=[post.pk]), end, format="json")

    assert response.status_code == 409
    assert Post.objects.get(pk=post.pk).ended_on is None
