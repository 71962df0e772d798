"""The village page `/desa/<code>/` and the official's page `/perangkat/<id>/`: who may open them, who sees
the full NIK, and which enrollments each role sees."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Program
from core.nik import mask_nik
from core.permissions import may_see_nik
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik, officials_against_the_alphabet
from tests.html import Element, facts, numbers, page, row_linking, section
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
    return mask_nik(nik)


def officials(response) -> Element:
    """The table of the village's current officials, one row per post."""
    cards = page(response).find_all("section", cls="card")
    card = next(c for c in cards if c.find_all("h2") and c.find("h2").text == "Perangkat desa")
    return card.find("table")


def budi_row(response, budi) -> dict[str, str]:
    """Budi's row of the officials table, found by the link to his page: {"BPJS TK": "aktif 17060100001", ...}."""
    return row_linking(officials(response), f"/perangkat/{budi.pk}/")


def coverage_cards(response) -> dict[str, tuple[int, ...]]:
    """Per program code, the figures of its card: "1 dari 1 perangkat" → (1, 1)."""
    cards = page(response).find_all("article", cls="card")
    return {card.attrs["data-program"]: numbers(card.find("p", cls="big").text) for card in cards}


def enrolled_programs(response) -> list[str]:
    """The programs of the official's page's enrollments, by name ("BPJS Ketenagakerjaan"), in order."""
    titles = [article.find("h3") for article in page(response).find_all("article", cls="enrollment")]
    return [h3.text.removesuffix(h3.find("span", cls="status").text).strip() for h3 in titles]


def post_villages(response) -> list[str]:
    """The village each post on the official's page is held in, by the link to its page."""
    rows = section(page(response), "Jabatan").find("tbody").find_all("tr")
    return [row.find("td", data_label="Desa").find("a").attrs["href"] for row in rows]


# --- the village page --------------------------------------------------------------------------------


def test_village_head_sees_their_desa_and_its_officials_with_nik_masked(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    assert response.status_code == 200
    assert page(response).find("h1").text == "Desa Suka Pindah"
    assert "Kode Kemendagri 17.06.01.2005" in page(response).find("p", cls="muted").text
    assert budi_row(response, budi)["NIK"] == masked(BUDI_NIK)
    content = response.content.decode()
    assert masked(BUDI_NIK) in content
    assert "••••" in content
    assert BUDI_NIK not in content


def test_village_page_shows_each_official_enrollment_per_program(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    row = budi_row(response, budi)
    assert (row["BPJS TK"], row["BPJS Kesehatan"]) == ("aktif 17060100001", "aktif 1706010000001")


def test_village_page_counts_match_its_official_rows(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/")

    rows = officials(response).rows()
    cards = coverage_cards(response)
    assert set(cards) == {Program.KETENAGAKERJAAN, Program.KESEHATAN}
    for program, (covered, total) in cards.items():
        assert total == len(rows), program
        assert 1 <= covered <= total


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
    assert budi_row(response, budi)["NIK"] == masked(BUDI_NIK)
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
    assert list(coverage_cards(response)) == [Program.KETENAGAKERJAAN]
    row = budi_row(response, budi)
    assert {column: row[column] for column in row if column.startswith("BPJS")} == {"BPJS TK": "aktif 17060100001"}
    assert "1706010000001" not in response.content.decode()


def test_kelurahan_page_has_no_village_government(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/desa/{PASAR_MUKOMUKO}/")

    assert response.status_code == 200
    main = page(response)
    assert main.find("h1").text == "Kelurahan Pasar Mukomuko"
    assert f"Kode Kemendagri {PASAR_MUKOMUKO}" in main.find("p", cls="muted").text
    assert "Kelurahan tidak memiliki pemerintahan desa" in main.find("p", cls="card").text
    assert not main.find_all("table") and coverage_cards(response) == {}  # no officials, no coverage cards
    # The page shows no card, so what the coverage counts for a kelurahan is read where it is computed.
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
    assert facts(page(response).find("dl", cls="facts"))["NIK"] == BUDI_NIK


def test_official_page_masks_the_nik_for_the_province_observer(budi, bengkulu_observer, login):
    assert not may_see_nik(bengkulu_observer)

    response = login(bengkulu_observer).get(f"/perangkat/{budi.pk}/")

    assert response.status_code == 200
    assert facts(page(response).find("dl", cls="facts"))["NIK"] == masked(BUDI_NIK)
    assert BUDI_NIK not in response.content.decode()


def test_bpjs_ketenagakerjaan_officer_sees_only_ketenagakerjaan_enrollments(budi, bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).get(f"/perangkat/{budi.pk}/")

    assert enrolled_programs(response) == ["BPJS Ketenagakerjaan"]
    assert "1706010000001" not in response.content.decode()


def test_dpmd_sees_the_enrollments_of_every_program(budi, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/perangkat/{budi.pk}/")

    assert set(enrolled_programs(response)) == {"BPJS Ketenagakerjaan", "BPJS Kesehatan (JKN)"}


def test_official_page_lists_the_posts_the_user_may_see(budi, head_suka_pindah, login):
    response = login(head_suka_pindah).get(f"/perangkat/{budi.pk}/")

    assert post_villages(response) == ["/desa/17.06.01.2005/"]


def test_village_head_does_not_see_a_post_held_in_another_desa(budi, arah_tiga, head_arah_tiga, login):
    """Budi is also Plt in Arah Tiga: its head may open his page, but sees only the Arah Tiga post."""
    PostFactory(person=budi, village=arah_tiga, status=Post.Status.PLT)

    response = login(head_arah_tiga).get(f"/perangkat/{budi.pk}/")

    assert response.status_code == 200
    assert post_villages(response) == ["/desa/17.06.01.2007/"]


def test_village_page_lists_officials_by_sotk_rank_whatever_their_names_and_titles(
    login, head_suka_pindah, suka_pindah
):
    in_rank_order = officials_against_the_alphabet(suka_pindah)

    response = login(head_suka_pindah).get(f"/desa/{suka_pindah.code}/")

    names = [th.text for th in officials(response).find("tbody").find_all("th")]
    assert names == in_rank_order
