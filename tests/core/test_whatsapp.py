"""WhatsApp click-to-chat links wherever a phone number is shown to staff: the number in the form wa.me
reads, a prefilled Indonesian message, opened in a new tab without giving it this page."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from core.whatsapp import whatsapp_number, whatsapp_url
from tests.factories import PersonFactory, PostFactory, make_nik
from tests.html import page
from villages.models import Person, Post


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("812 3456 7890", "6281234567890"),
        ("", ""),
        ("tidak ada", ""),
        ("0812", ""),
    ],
)
def test_phone_numbers_are_normalised_to_the_international_form(phone, number):
    assert whatsapp_number(phone) == number


def test_the_prefilled_text_is_url_encoded():
    url = whatsapp_url("0812-3456-7890", "Halo Pak, soal BPJS & KTP?")

    assert url == "https://wa.me/6281234567890?text=Halo%20Pak%2C%20soal%20BPJS%20%26%20KTP%3F"


def test_no_link_for_a_phone_that_is_not_a_number():
    assert whatsapp_url("-", "Halo") == ""


def whatsapp_anchors(response):
    return [a.attrs for a in page(response).find_all("a") if a.attrs.get("href", "").startswith("https://wa.me/")]


def test_dpmd_sees_a_whatsapp_link_for_the_village_head(suka_pindah, dpmd_mukomuko, login):
    post = Post.objects.current().filter(village=suka_pindah, position="kepala_desa").first()  # the demo's
    if post is None:
        post = PostFactory(person=PersonFactory(nik=make_nik(9701)), village=suka_pindah, position="kepala_desa")
    Person.objects.filter(pk=post.person_id).update(phone="0812-3456-7890")

    regency = suka_pindah.subdistrict.regency_id
    response = login(dpmd_mukomuko).get(f"/wilayah/{regency}/desa/?program=bpjs_ketenagakerjaan&which=all")

    (anchor,) = [a for a in whatsapp_anchors(response) if "6281234567890" in a["href"]]
    assert anchor["href"].startswith("https://wa.me/6281234567890?text=")
    assert "Suka Pindah" in unquote(anchor["href"])
    assert (anchor["target"], anchor["rel"]) == ("_blank", "noopener")


def test_the_official_page_links_the_officials_phone_to_whatsapp(suka_pindah, dpmd_mukomuko, login):
    person = PersonFactory(full_name="Budi Saputra", nik=make_nik(9702), phone="081398765432")
    PostFactory(person=person, village=suka_pindah)

    response = login(dpmd_mukomuko).get(f"/perangkat/{person.pk}/")

    (anchor,) = whatsapp_anchors(response)
    assert anchor["href"].startswith("https://wa.me/6281398765432?text=")
    assert "Budi Saputra" in unquote(anchor["href"])
    assert (anchor["target"], anchor["rel"]) == ("_blank", "noopener")


def test_the_official_page_of_another_regency_is_404_and_shows_no_link(suka_pindah, dpmd_majene, login):
    person = PersonFactory(full_name="Budi Saputra", nik=make_nik(9703), phone="081398765432")
    PostFactory(person=person, village=suka_pindah)

    response = login(dpmd_majene).get(f"/perangkat/{person.pk}/")

    assert response.status_code == 404
    assert "wa.me" not in response.content.decode()
