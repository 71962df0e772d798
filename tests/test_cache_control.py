"""Responses to signed-in users carry `Cache-Control: private, no-store` (issue 9): pages, API answers
and exports hold NIKs, and a proxy or a shared office PC must keep none of them."""

from __future__ import annotations

import pytest

from tests.factories import PersonFactory, PostFactory, make_nik

NIK = make_nik(9811)


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def budi(suka_pindah):
    person = PersonFactory(full_name="Budi Saputra", nik=NIK)
    PostFactory(person=person, village=suka_pindah)
    return person


def test_the_official_page_with_a_full_nik_is_not_stored(budi, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/perangkat/{budi.pk}/")

    assert NIK in response.content.decode()
    assert {"private", "no-store"} <= directives(response)


def test_an_api_answer_with_a_full_nik_is_not_stored(budi, head_suka_pindah, api):
    response = api(head_suka_pindah).get(f"/api/v1/villages/{budi.posts.get().village_id}/officials/")

    assert next(row["nik"] for row in response.json() if row["person_id"] == budi.pk) == NIK
    assert {"private", "no-store"} <= directives(response)


def test_an_officials_export_is_not_stored(budi, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/desa/{budi.posts.get().village_id}/perangkat.xlsx")

    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_an_export_for_the_observer_is_not_stored_either(budi, bengkulu_observer, login):
    response = login(bengkulu_observer).get(f"/desa/{budi.posts.get().village_id}/perangkat.xlsx")

    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
