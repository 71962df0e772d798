"""The village page `/desa/<code>/` and the official's page `/perangkat/<id>/`: who may open them, who sees
the full NIK, and which enrollments each role sees."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Program
from core.permissions import may_see_nik
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from villages.models import Post

# Serials from 9301 up: far above any serial the demo hands out, so the NIK is new even with the demo loaded.
BUDI_NIK = make_nik(9301)
PASAR_MUKOMUKO = "17.06.02.1009"  # a kelurahan in Kecamatan Kota Mukomuko
ADOLANG = "76.05.02.2003"  # a desa in Pamboang, Majene


@pytest.fixture
def budi(suka_pindah, tk, kes):
    """A kepala dusun of Suka Pindah, enrolled in both programs."""
    person = PersonFactory(full_name="Budi Saputra", nik=BUDI_NIK, birth_date=dt.date(1985, 8, 17))
    PostFactory(person=person, village=suka_pindah)
    EnrollmentFactory(person=person, program=tk, participant_number="17060100001", segment="PU")
    EnrollmentFactory(person=person, program=kes, participant_number="1706010000001")
    return person


def masked(nik: str) -> str:
    return nik[:4] + "••••••••" + nik[-4:]


# --- the village page --------------------------------------------------------------------------------


def test_village_head_sees_their_desa_and_its_officials_with_nik_masked(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    assert response.status_code == 200
    assert response.context["village"].code == "17.06.01.2005"
    assert budi.pk in {post.person_id for post, _, _ in response.context["rows"]}
    content = response.content.decode()
    assert masked(BUDI_NIK) in content
    assert "••••" in content
    assert BUDI_NIK not in content


def test_village_page_shows_each_official_enrollment_per_program(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    cells = next(cells for post, cells, _ in response.context["rows"] if post.person_id == budi.pk)
    assert {p.code: e.participant_number for p, e in cells} == {
        Program.KETENAGAKERJAAN: "17060100001",
        Program.KESEHATAN: "1706010000001",
    }


def test_village_page_counts_match_its_official_rows(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    officials = {post.person_id for post, _, _ in response.context["rows"]}
    for program, figures in response.context["cards"]:
        assert figures.officials_total == len(officials), program
        assert 1 <= figures.officials_covered <= figures.officials_total


def test_village_head_cannot_see_other_village(budi, head_arah_tiga, login):
    assert login(head_arah_tiga).get("/desa/17.06.01.2005/").status_code == 404


def test_village_head_cannot_see_official_of_other_village(budi, head_arah_tiga, login):
    assert login(head_arah_tiga).get(f"/perangkat/{budi.pk}/").status_code == 404


def test_village_head_cannot_see_a_desa_of_another_regency(head_suka_pindah, superuser, login):
    assert login(superuser).get(f"/desa/{ADOLANG}/").status_code == 200
    assert login(head_suka_pindah).get(f"/desa/{ADOLANG}/").status_code == 404


def test_dpmd_of_the_regency_sees_the_desa(budi, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/desa/17.06.01.2005/")

    assert response.status_code == 200
    assert budi.pk in {post.person_id for post, _, _ in response.context["rows"]}
    assert BUDI_NIK not in response.content.decode()  # the list shows NIK masked to everyone


def test_dpmd_of_another_regency_cannot_see_the_desa_or_its_official(budi, dpmd_majene, login):
    client = login(dpmd_majene)

    assert client.get("/desa/17.06.01.2005/").status_code == 404
    assert client.get(f"/perangkat/{budi.pk}/").status_code == 404


def test_bpjs_officer_of_another_regency_cannot_see_the_desa_or_its_official(budi, bpjs_kes_majene, login):
    client = login(bpjs_kes_majene)

    assert client.get("/desa/17.06.01.2005/").status_code == 404
    assert client.get(f"/perangkat/{budi.pk}/").status_code == 404


def test_bpjs_officer_sees_only_their_program_on_the_village_page(budi, bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).get("/desa/17.06.01.2005/")

    assert response.status_code == 200
    assert [p.code for p in response.context["programs"]] == [Program.KETENAGAKERJAAN]
    cells = next(cells for post, cells, _ in response.context["rows"] if post.person_id == budi.pk)
    assert [(p.code, e.program_id) for p, e in cells] == [(Program.KETENAGAKERJAAN, Program.KETENAGAKERJAAN)]


def test_kelurahan_page_has_no_village_government(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/desa/{PASAR_MUKOMUKO}/")

    assert response.status_code == 200
    village = response.context["village"]
    assert village.code == PASAR_MUKOMUKO
    assert village.has_government is False
    assert response.context["rows"] == []
    assert all(figures.villages_total == 0 for _, figures in response.context["cards"])


@pytest.mark.parametrize("url", ["/desa/17.06.01.2005/", "/perangkat/1/"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, regions, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_unknown_village_is_404_even_for_the_superuser(superuser, login):
    assert login(superuser).get("/desa/99.99.99.9999/").status_code == 404


# --- the official's page -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["superuser", "dpmd_mukomuko", "head_suka_pindah", "bpjs_tk_mukomuko"])
def test_official_page_shows_the_full_nik_to_roles_that_register_people(budi, request, login, actor):
    user = request.getfixturevalue(actor)
    assert may_see_nik(user)

    response = login(user).get(f"/perangkat/{budi.pk}/")

    assert response.status_code == 200
    assert response.context["nik"] == BUDI_NIK
    assert BUDI_NIK in response.content.decode()


def test_official_page_masks_the_nik_for_the_province_observer(budi, bengkulu_observer, login):
    assert not may_see_nik(bengkulu_observer)

    response = login(bengkulu_observer).get(f"/perangkat/{budi.pk}/")

    assert response.status_code == 200
    assert response.context["nik"] == masked(BUDI_NIK)
    assert BUDI_NIK not in response.content.decode()


def test_bpjs_ketenagakerjaan_officer_sees_only_ketenagakerjaan_enrollments(budi, bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).get(f"/perangkat/{budi.pk}/")

    assert [e.program_id for e in response.context["enrollments"]] == [Program.KETENAGAKERJAAN]
    assert "1706010000001" not in response.content.decode()


def test_dpmd_sees_the_enrollments_of_every_program(budi, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/perangkat/{budi.pk}/")

    assert {e.program_id for e in response.context["enrollments"]} == {Program.KETENAGAKERJAAN, Program.KESEHATAN}


def test_official_page_lists_the_posts_the_user_may_see(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get(f"/perangkat/{budi.pk}/")

    assert [p.village_id for p in response.context["posts"]] == ["17.06.01.2005"]


def test_village_head_does_not_see_a_post_held_in_another_desa(budi, arah_tiga, head_arah_tiga, login):
    """Budi is also Plt in Arah Tiga: its head may open his page, but sees only the Arah Tiga post."""
    PostFactory(person=budi, village=arah_tiga, status=Post.Status.PLT)

    response = login(head_arah_tiga).get(f"/perangkat/{budi.pk}/")

    assert response.status_code == 200
    assert [p.village_id for p in response.context["posts"]] == ["17.06.01.2007"]
