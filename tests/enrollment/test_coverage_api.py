"""`GET /api/v1/coverage/?regency=<code>[&as_of=YYYY-MM-DD]` and the read-only lists `/api/v1/regencies/`,
`/api/v1/villages/`, `/api/v1/officials/`: the documented shape, the demo figures, and the caller's scope."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from core.models import Program, Regency, Village
from tests.factories import PersonFactory, PostFactory, make_nik
from villages.models import Person

MUKOMUKO, MAJENE = "17.06", "76.05"
TK, KES = Program.KETENAGAKERJAAN, Program.KESEHATAN
COUNTS = {
    "villages_total",
    "villages_covered",
    "villages_fully_covered",
    "officials_total",
    "officials_covered",
    "officials_inactive",
}


def coverage(client: Client, **params: str):
    return client.get("/api/v1/coverage/", params)


def figures(program: dict) -> tuple[int, int, int, int, int]:
    return (
        program["villages_covered"],
        program["villages_total"],
        program["villages_fully_covered"],
        program["officials_covered"],
        program["officials_total"],
    )


def every_result(client: Client, url: str) -> list[dict]:
    """Follow the pages of a DRF list to its end."""
    results = []
    while url:
        body = client.get(url).json()
        results += body["results"]
        url = body["next"]
    return results


# --- coverage: shape and figures ---------------------------------------------------------------------


def test_coverage_answers_in_the_documented_shape(demo, dpmd_mukomuko, login):
    response = coverage(login(dpmd_mukomuko), regency=MUKOMUKO)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"regency", "as_of", "programs"}
    assert body["regency"] == {"code": MUKOMUKO, "name": Regency.objects.get(pk=MUKOMUKO).name}
    assert body["as_of"] == timezone.localdate().isoformat()
    assert set(body["programs"]) == {TK, KES}
    for program in body["programs"].values():
        assert set(program) == COUNTS | {"subdistricts", "monthly_cost", "funding"}
        assert all(isinstance(program[key], int) for key in COUNTS)
        assert program["subdistricts"]
        for subdistrict in program["subdistricts"]:
            assert set(subdistrict) == COUNTS | {"code", "name"}
            assert subdistrict["code"].startswith(f"{MUKOMUKO}.")


def test_coverage_of_mukomuko_has_the_demo_figures(demo, dpmd_mukomuko, login):
    body = coverage(login(dpmd_mukomuko), regency=MUKOMUKO).json()

    assert body["as_of"] == timezone.localdate().isoformat()
    assert figures(body["programs"][TK]) == (9, 148, 9, 97, 1220)
    assert figures(body["programs"][KES]) == (148, 148, 148, 1220, 1220)


def test_coverage_of_majene_has_13_of_62_villages_in_kesehatan(demo, dpmd_majene, login):
    body = coverage(login(dpmd_majene), regency=MAJENE).json()

    assert body["regency"]["code"] == MAJENE
    kes = body["programs"][KES]
    assert (kes["villages_covered"], kes["villages_total"], kes["villages_fully_covered"]) == (13, 62, 13)
    assert body["programs"][TK]["villages_covered"] == 0


@pytest.mark.parametrize("regency,actor", [(MUKOMUKO, "dpmd_mukomuko"), (MAJENE, "dpmd_majene")])
def test_subdistrict_village_counts_add_up_to_the_regency_totals(demo, request, login, regency, actor):
    body = coverage(login(request.getfixturevalue(actor)), regency=regency).json()

    for code, program in body["programs"].items():
        for key in ("villages_total", "villages_covered", "villages_fully_covered"):
            assert sum(s[key] for s in program["subdistricts"]) == program[key], (code, key)


def test_coverage_as_of_the_past_answers_from_enrollment_dates(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    before = coverage(client, regency=MUKOMUKO, as_of="2022-12-31").json()
    during = coverage(client, regency=MUKOMUKO, as_of="2024-01-01").json()

    assert before["as_of"] == "2022-12-31"
    assert (before["programs"][TK]["villages_covered"], before["programs"][TK]["officials_covered"]) == (0, 0)
    assert before["programs"][KES]["officials_covered"] == 1220
    assert 0 < during["programs"][TK]["officials_covered"] < 97


def test_coverage_matches_the_dashboard(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    body = coverage(client, regency=MUKOMUKO).json()
    cards = client.get(f"/wilayah/{MUKOMUKO}/").context["cards"]

    assert {p.code: c.as_dict() for p, c, _ in cards} == {
        code: {key: value for key, value in program.items() if key in COUNTS}
        for code, program in body["programs"].items()
    }


# --- coverage: scope and errors ----------------------------------------------------------------------


def test_bpjs_ketenagakerjaan_officer_gets_only_their_program(demo, bpjs_tk_mukomuko, login):
    body = coverage(login(bpjs_tk_mukomuko), regency=MUKOMUKO).json()

    assert set(body["programs"]) == {TK}
    assert figures(body["programs"][TK]) == (9, 148, 9, 97, 1220)


def test_bpjs_kesehatan_officer_gets_only_their_program(demo, bpjs_kes_majene, login):
    body = coverage(login(bpjs_kes_majene), regency=MAJENE).json()

    assert set(body["programs"]) == {KES}


def test_unknown_regency_is_404(superuser, login):
    assert coverage(login(superuser), regency="99.99").status_code == 404


def test_dpmd_of_majene_cannot_read_mukomuko(dpmd_majene, login):
    assert coverage(login(dpmd_majene), regency=MUKOMUKO).status_code == 404


@pytest.mark.parametrize("regency", [MUKOMUKO, MAJENE])
def test_village_head_cannot_read_any_regency(head_suka_pindah, login, regency):
    assert coverage(login(head_suka_pindah), regency=regency).status_code == 404


@pytest.mark.parametrize("actor,regency", [("bpjs_tk_mukomuko", MAJENE), ("bpjs_kes_majene", MUKOMUKO)])
def test_bpjs_officer_cannot_read_a_regency_outside_the_branch(request, login, actor, regency):
    assert coverage(login(request.getfixturevalue(actor)), regency=regency).status_code == 404


def test_malformed_as_of_is_400_naming_the_field(dpmd_mukomuko, login):
    response = coverage(login(dpmd_mukomuko), regency=MUKOMUKO, as_of="2024-13-01")

    assert response.status_code == 400
    errors = response.json()["errors"]["as_of"]
    assert isinstance(errors, list)
    assert errors
    assert all(isinstance(message, str) and message for message in errors)


def test_missing_regency_is_400_naming_the_field(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/api/v1/coverage/")

    assert response.status_code == 400
    assert response.json()["errors"]["regency"]


def test_missing_regency_message_follows_the_language_of_each_caller(dpmd_mukomuko, login):
    """The message is translated per request, not frozen in whatever language was active at import."""
    msgid = "Give the regency code, e.g. ?regency=17.06."
    with translation.override("id"):
        indonesian = translation.gettext(msgid)
    english_client, indonesian_client = login(dpmd_mukomuko), login(dpmd_mukomuko)
    english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    assert indonesian_client.get("/api/v1/coverage/").json()["errors"]["regency"] == [indonesian]
    assert english_client.get("/api/v1/coverage/").json()["errors"]["regency"] == [msgid]


def test_unauthenticated_caller_is_refused(regions):
    response = coverage(Client(), regency=MUKOMUKO)

    assert response.status_code in (401, 403)
    assert "programs" not in response.json()


def test_token_authentication_works(demo, dpmd_mukomuko):
    token = Token.objects.create(user=dpmd_mukomuko)
    client = Client(headers={"Authorization": f"Token {token.key}"})

    response = coverage(client, regency=MUKOMUKO)

    assert response.status_code == 200
    assert response.json()["programs"][TK]["officials_covered"] == 97


def test_a_wrong_token_is_refused(dpmd_mukomuko):
    client = Client(headers={"Authorization": "Token 0000000000000000000000000000000000000000"})

    assert coverage(client, regency=MUKOMUKO).status_code in (401, 403)


def test_token_of_dpmd_majene_cannot_read_mukomuko(dpmd_majene):
    token = Token.objects.create(user=dpmd_majene)
    client = Client(headers={"Authorization": f"Token {token.key}"})

    assert coverage(client, regency=MUKOMUKO).status_code == 404


# --- read-only lists ---------------------------------------------------------------------------------


@pytest.fixture
def mukomuko_official(suka_pindah):
    person = PersonFactory(full_name="Aan Mukomuko", nik=make_nik(9401))
    PostFactory(person=person, village=suka_pindah)
    return person


@pytest.fixture
def majene_official(regions):
    person = PersonFactory(full_name="Aan Majene", nik=make_nik(9402, prefix="760502"))
    PostFactory(person=person, village=Village.objects.get(pk="76.05.02.2003"))
    return person


def test_village_head_lists_one_village_their_own(head_suka_pindah, login):
    body = login(head_suka_pindah).get("/api/v1/villages/").json()

    assert body["count"] == 1
    assert [v["code"] for v in body["results"]] == ["17.06.01.2005"]


def test_village_head_lists_no_regency(head_suka_pindah, login):
    assert login(head_suka_pindah).get("/api/v1/regencies/").json()["count"] == 0


def test_dpmd_lists_only_their_regency(dpmd_majene, login):
    body = login(dpmd_majene).get("/api/v1/regencies/").json()

    assert [r["code"] for r in body["results"]] == [MAJENE]


def test_dpmd_of_majene_lists_only_majene_villages(dpmd_majene, login):
    client = login(dpmd_majene)
    villages = every_result(client, "/api/v1/villages/")

    assert len(villages) == Village.objects.filter(subdistrict__regency_id=MAJENE).count()
    assert {v["regency"] for v in villages} == {MAJENE}


def test_a_filter_cannot_widen_the_village_list_beyond_the_scope(dpmd_majene, login):
    body = login(dpmd_majene).get("/api/v1/villages/", {"subdistrict__regency": MUKOMUKO}).json()

    assert body["count"] == 0


def test_dpmd_of_majene_never_sees_a_mukomuko_official(mukomuko_official, majene_official, dpmd_majene, login):
    officials = every_result(login(dpmd_majene), "/api/v1/officials/")
    ids = {o["id"] for o in officials}

    assert majene_official.pk in ids
    assert mukomuko_official.pk not in ids
    assert len(ids) == Person.objects.filter(posts__village__subdistrict__regency_id=MAJENE).distinct().count()


def test_official_list_masks_every_nik(mukomuko_official, dpmd_mukomuko, login):
    body = login(dpmd_mukomuko).get("/api/v1/officials/").json()

    assert body["results"]
    assert all("••••" in o["nik"] for o in body["results"])
    mine = next(o for o in every_result(login(dpmd_mukomuko), "/api/v1/officials/") if o["id"] == mukomuko_official.pk)
    assert mine["nik"] == mukomuko_official.nik_masked
    assert mine["nik"] != mukomuko_official.nik


def test_village_head_lists_only_the_officials_of_their_desa(mukomuko_official, majene_official, head_arah_tiga, login):
    ids = {o["id"] for o in every_result(login(head_arah_tiga), "/api/v1/officials/")}

    assert mukomuko_official.pk not in ids  # Suka Pindah, not Arah Tiga
    assert majene_official.pk not in ids


@pytest.mark.parametrize("url", ["/api/v1/regencies/", "/api/v1/villages/", "/api/v1/officials/"])
def test_lists_refuse_an_unauthenticated_caller(regions, url):
    assert Client().get(url).status_code in (401, 403)
