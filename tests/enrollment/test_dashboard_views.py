"""Coverage pages: the regency dashboard, the subdistrict page, the lists behind each number, the follow-up
list and its Excel export, the comparison of regencies, and where `/` sends each role.

Figures come from the session `demo` (enrollment/demo.py): in Mukomuko 9 of 148 desa and 97 of 1,220
officials in BPJS Ketenagakerjaan (enrolled from 2023 on), everyone in BPJS Kesehatan; in Majene 13 of 62
desa in BPJS Kesehatan. Pages are asserted on context values and on numbers formatted the Indonesian way
("1.220"), which read the same before and after the translations are compiled.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Program, Province, Regency, Subdistrict, Village
from core.roles import Role
from enrollment.selectors import Coverage
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from tests.spreadsheets import table_rows
from villages.models import Position

MUKOMUKO, MAJENE = "17.06", "76.05"
LUBUK_PINANG = "17.06.01"
KOTA_MUKOMUKO = "17.06.02"  # has the three kelurahan of Mukomuko
TK, KES = Program.KETENAGAKERJAAN, Program.KESEHATAN
BEFORE_KETENAGAKERJAAN = "2022-12-31"  # the demo's Ketenagakerjaan enrollments start on 2023-01-01 or later


def card(response, program: str) -> Coverage:
    return next(c for p, c, _ in response.context["cards"] if p.code == program)


def sources(response, program: str) -> dict[str, tuple[int, int]]:
    return {
        s.source.code: (s.officials, s.villages)
        for p, _, srcs in response.context["cards"]
        if p.code == program
        for s in srcs
    }


def card_programs(response) -> set[str]:
    return {p.code for p, _, _ in response.context["cards"]}


def villages_url(regency: str, program: str, which: str, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"program": program, "which": which, **extra}.items())
    return f"/wilayah/{regency}/desa/?{query}"


def officials_url(regency: str, program: str, which: str, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"program": program, "which": which, **extra}.items())
    return f"/wilayah/{regency}/perangkat/?{query}"


def assert_redirects_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


# --- the regency dashboard ---------------------------------------------------------------------------


def test_dpmd_sees_the_demo_figures_of_mukomuko_on_the_dashboard(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/")

    assert response.status_code == 200
    assert response.context["regency"].code == MUKOMUKO
    assert card_programs(response) == {TK, KES}
    assert card(response, TK) == Coverage(
        villages_total=148, villages_covered=9, villages_fully_covered=9, officials_total=1220, officials_covered=97
    )
    assert card(response, KES) == Coverage(
        villages_total=148,
        villages_covered=148,
        villages_fully_covered=148,
        officials_total=1220,
        officials_covered=1220,
    )
    content = response.content.decode()
    assert "1.220" in content
    assert "97" in content
    assert "148" in content


def test_dashboard_names_who_pays_the_employer_share(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/")

    assert sources(response, TK) == {"ADD": (97, 9)}
    assert sources(response, KES) == {"DAU": (1220, 148)}


def test_dashboard_subdistrict_rows_add_up_to_the_cards(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/")

    rows = response.context["subdistricts"]
    assert len(rows) == Subdistrict.objects.filter(regency_id=MUKOMUKO).count()
    for program in (TK, KES):
        cells = [c for _, cells in rows for p, c in cells if p.code == program and c is not None]
        total = card(response, program)
        for field in ("villages_total", "villages_covered", "villages_fully_covered", "officials_total"):
            assert sum(getattr(c, field) for c in cells) == getattr(total, field), (program, field)


def test_dpmd_of_majene_sees_13_of_62_villages_in_kesehatan(demo, dpmd_majene, login):
    response = login(dpmd_majene).get(f"/wilayah/{MAJENE}/")

    assert response.status_code == 200
    kes = card(response, KES)
    assert (kes.villages_covered, kes.villages_total) == (13, 62)
    assert kes.villages_fully_covered == 13
    assert card(response, TK).villages_covered == 0


def test_dpmd_of_majene_cannot_open_the_mukomuko_dashboard(demo, dpmd_majene, login):
    assert login(dpmd_majene).get(f"/wilayah/{MUKOMUKO}/").status_code == 404


@pytest.mark.parametrize("regency", [MUKOMUKO, MAJENE])
def test_village_head_cannot_open_any_regency_dashboard(head_suka_pindah, login, regency):
    assert login(head_suka_pindah).get(f"/wilayah/{regency}/").status_code == 404


def test_bpjs_ketenagakerjaan_officer_sees_only_ketenagakerjaan_on_the_mukomuko_dashboard(
    demo, bpjs_tk_mukomuko, login
):
    response = login(bpjs_tk_mukomuko).get(f"/wilayah/{MUKOMUKO}/")

    assert response.status_code == 200
    assert card_programs(response) == {TK}
    assert (card(response, TK).villages_covered, card(response, TK).officials_covered) == (9, 97)


def test_bpjs_ketenagakerjaan_officer_of_mukomuko_cannot_open_majene(bpjs_tk_mukomuko, login):
    assert login(bpjs_tk_mukomuko).get(f"/wilayah/{MAJENE}/").status_code == 404


def test_bpjs_kesehatan_officer_of_majene_cannot_open_mukomuko(bpjs_kes_majene, login):
    assert login(bpjs_kes_majene).get(f"/wilayah/{MUKOMUKO}/").status_code == 404


def test_bpjs_kesehatan_officer_of_majene_sees_only_kesehatan_there(demo, bpjs_kes_majene, login):
    response = login(bpjs_kes_majene).get(f"/wilayah/{MAJENE}/")

    assert response.status_code == 200
    assert card_programs(response) == {KES}
    assert card(response, KES).villages_covered == 13


def test_unknown_regency_is_404_even_for_the_superuser(superuser, login):
    assert login(superuser).get("/wilayah/99.99/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/wilayah/",
        f"/wilayah/{MUKOMUKO}/",
        f"/kecamatan/{LUBUK_PINANG}/",
        villages_url(MUKOMUKO, TK, "covered"),
        officials_url(MUKOMUKO, TK, "covered"),
        f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}",
        f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}&format=xlsx",
    ],
)
def test_anonymous_visitor_is_sent_to_the_login_page(client, regions, url):
    assert_redirects_to_login(client.get(url))


def test_invalid_as_of_shows_an_error_and_renders_today(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/?as_of=2024-13-01")

    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert len(errors) == 1
    assert "2024-13-01" in str(errors[0])
    assert card(response, TK).villages_covered == 9


@pytest.mark.parametrize(
    "url",
    [
        f"/kecamatan/{LUBUK_PINANG}/?as_of=2024-13-01",
        villages_url(MUKOMUKO, TK, "covered", as_of="2024-13-01"),
        officials_url(MUKOMUKO, TK, "covered", as_of="2024-13-01"),
        f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}&as_of=2024-13-01",
        "/wilayah/?as_of=2024-13-01",
    ],
)
def test_invalid_as_of_on_other_pages_shows_an_error_and_renders_today(demo, superuser, login, url):
    response = login(superuser).get(url)

    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_as_of_before_the_first_ketenagakerjaan_enrollment_shows_no_village_covered(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/?as_of={BEFORE_KETENAGAKERJAAN}")

    assert response.context["day"] == dt.date(2022, 12, 31)
    tk = card(response, TK)
    assert (tk.villages_covered, tk.villages_fully_covered, tk.officials_covered) == (0, 0, 0)
    assert sources(response, TK) == {}
    assert card(response, KES).officials_covered == 1220  # Kesehatan enrollments go back to 2020


def test_as_of_in_the_past_gives_the_lists_the_figures_of_that_day(demo, dpmd_mukomuko, login):
    """On 2024-01-01 only the enrollments started in 2023 covered: fewer than 97 officials, no desa fully."""
    client = login(dpmd_mukomuko)
    tk = card(client.get(f"/wilayah/{MUKOMUKO}/?as_of=2024-01-01"), TK)

    assert 0 < tk.officials_covered < 97
    assert tk.villages_fully_covered < 9
    covered = client.get(officials_url(MUKOMUKO, TK, "covered", as_of="2024-01-01"))
    assert covered.context["page"].paginator.count == tk.officials_covered
    fully = client.get(villages_url(MUKOMUKO, TK, "fully_covered", as_of="2024-01-01"))
    assert len(fully.context["rows"]) == tk.villages_fully_covered
    before = client.get(villages_url(MUKOMUKO, TK, "covered", as_of=BEFORE_KETENAGAKERJAAN))
    assert len(before.context["rows"]) == 0


# --- the subdistrict page ----------------------------------------------------------------------------


def test_dpmd_sees_the_desa_of_a_subdistrict_and_their_totals(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/kecamatan/{LUBUK_PINANG}/")

    assert response.status_code == 200
    rows = response.context["rows"]
    desa = Village.objects.filter(subdistrict_id=LUBUK_PINANG, kind__in=Village.GOVERNED_KINDS)
    assert [v.code for v, _ in rows] == list(desa.order_by("code").values_list("code", flat=True))
    for program, total in response.context["totals_cells"]:
        cells = [c for _, cells in rows for p, c in cells if p == program]
        assert total.villages_total == len(rows)
        assert sum(c.villages_covered for c in cells) == total.villages_covered
        assert sum(c.officials_total for c in cells) == total.officials_total
        assert sum(c.officials_covered for c in cells) == total.officials_covered


def test_subdistrict_totals_equal_its_row_on_the_dashboard(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    dashboard = client.get(f"/wilayah/{MUKOMUKO}/")
    page = client.get(f"/kecamatan/{LUBUK_PINANG}/")

    row = next(cells for s, cells in dashboard.context["subdistricts"] if s.code == LUBUK_PINANG)
    assert {p.code: c for p, c in row} == {p.code: c for p, c in page.context["totals_cells"]}


def test_subdistrict_page_lists_kelurahan_apart_and_does_not_count_them(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/kecamatan/{KOTA_MUKOMUKO}/")

    kelurahan = {v.code for v in response.context["kelurahan"]}
    assert "17.06.02.1009" in kelurahan
    assert kelurahan.isdisjoint(v.code for v, _ in response.context["rows"])
    for _, total in response.context["totals_cells"]:
        assert total.villages_total == len(response.context["rows"])


def test_dpmd_of_majene_cannot_open_a_mukomuko_subdistrict(dpmd_majene, login):
    assert login(dpmd_majene).get(f"/kecamatan/{LUBUK_PINANG}/").status_code == 404


def test_village_head_cannot_open_even_their_own_subdistrict(head_suka_pindah, login):
    assert login(head_suka_pindah).get(f"/kecamatan/{LUBUK_PINANG}/").status_code == 404


def test_bpjs_kesehatan_officer_of_majene_cannot_open_a_mukomuko_subdistrict(bpjs_kes_majene, login):
    assert login(bpjs_kes_majene).get(f"/kecamatan/{LUBUK_PINANG}/").status_code == 404


def test_bpjs_ketenagakerjaan_officer_sees_only_ketenagakerjaan_on_the_subdistrict_page(demo, bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).get(f"/kecamatan/{LUBUK_PINANG}/")

    assert response.status_code == 200
    assert {p.code for p, _ in response.context["totals_cells"]} == {TK}


# --- the lists behind the numbers --------------------------------------------------------------------

VILLAGE_FIGURES = [
    ("all", "villages_total"),
    ("covered", "villages_covered"),
    ("fully_covered", "villages_fully_covered"),
    ("uncovered", "villages_uncovered"),
]
OFFICIAL_FIGURES = [("all", "officials_total"), ("covered", "officials_covered"), ("uncovered", "officials_uncovered")]


def test_ketenagakerjaan_village_lists_have_the_demo_numbers_of_rows(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    counts = {which: len(client.get(villages_url(MUKOMUKO, TK, which)).context["rows"]) for which, _ in VILLAGE_FIGURES}

    assert counts == {"all": 148, "covered": 9, "fully_covered": 9, "uncovered": 139}


def test_ketenagakerjaan_official_lists_have_the_demo_numbers_of_people(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    counts = {
        which: client.get(officials_url(MUKOMUKO, TK, which)).context["page"].paginator.count
        for which, _ in OFFICIAL_FIGURES
    }

    assert counts == {"all": 1220, "covered": 97, "uncovered": 1123}
    assert "1.123" in client.get(officials_url(MUKOMUKO, TK, "uncovered")).content.decode()


@pytest.mark.parametrize("program", [TK, KES])
@pytest.mark.parametrize("regency,actor", [(MUKOMUKO, "dpmd_mukomuko"), (MAJENE, "dpmd_majene")])
def test_each_village_list_has_as_many_rows_as_its_figure_on_the_dashboard(
    demo, login, request, regency, actor, program
):
    client = login(request.getfixturevalue(actor))
    figures = card(client.get(f"/wilayah/{regency}/"), program)

    for which, field in VILLAGE_FIGURES:
        rows = client.get(villages_url(regency, program, which)).context["rows"]
        assert len(rows) == getattr(figures, field), (which, field)


@pytest.mark.parametrize("program", [TK, KES])
@pytest.mark.parametrize("regency,actor", [(MUKOMUKO, "dpmd_mukomuko"), (MAJENE, "dpmd_majene")])
def test_each_official_list_has_as_many_people_as_its_figure_on_the_dashboard(
    demo, login, request, regency, actor, program
):
    client = login(request.getfixturevalue(actor))
    figures = card(client.get(f"/wilayah/{regency}/"), program)

    for which, field in OFFICIAL_FIGURES:
        page = client.get(officials_url(regency, program, which)).context["page"]
        assert page.paginator.count == getattr(figures, field), (which, field)


def test_covered_village_rows_count_the_97_covered_officials(demo, dpmd_mukomuko, login):
    rows = login(dpmd_mukomuko).get(villages_url(MUKOMUKO, TK, "covered")).context["rows"]

    assert sum(v.officials_covered for v in rows) == 97
    assert all(v.officials_covered == v.officials for v in rows)  # the 9 desa are fully covered
    assert all(v.subdistrict.regency_id == MUKOMUKO for v in rows)


def test_official_list_pages_by_100_and_reaches_every_person(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    first = client.get(officials_url(MUKOMUKO, TK, "uncovered")).context["page"]
    last = client.get(officials_url(MUKOMUKO, TK, "uncovered", page=first.paginator.num_pages)).context["page"]

    assert len(first.object_list) == 100
    assert first.paginator.num_pages == 12
    assert len(last.object_list) == 1123 - 11 * 100


def test_lists_narrowed_to_a_subdistrict_match_the_subdistrict_page(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    totals = dict((p.code, c) for p, c in client.get(f"/kecamatan/{LUBUK_PINANG}/").context["totals_cells"])

    villages = client.get(villages_url(MUKOMUKO, KES, "covered", kecamatan=LUBUK_PINANG))
    officials = client.get(officials_url(MUKOMUKO, KES, "all", kecamatan=LUBUK_PINANG))
    assert villages.context["subdistrict"].code == LUBUK_PINANG
    assert len(villages.context["rows"]) == totals[KES].villages_covered
    assert {v.subdistrict_id for v in villages.context["rows"]} == {LUBUK_PINANG}
    assert officials.context["page"].paginator.count == totals[KES].officials_total


def test_a_subdistrict_of_another_regency_cannot_narrow_a_list(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(villages_url(MUKOMUKO, KES, "all", kecamatan="76.05.02"))

    assert response.status_code == 404


def test_dpmd_of_majene_cannot_open_the_mukomuko_lists(demo, dpmd_majene, login):
    client = login(dpmd_majene)

    assert client.get(villages_url(MUKOMUKO, KES, "covered")).status_code == 404
    assert client.get(officials_url(MUKOMUKO, KES, "covered")).status_code == 404


def test_village_head_cannot_open_the_lists_of_their_regency(head_suka_pindah, login):
    client = login(head_suka_pindah)

    assert client.get(villages_url(MUKOMUKO, KES, "all")).status_code == 404
    assert client.get(officials_url(MUKOMUKO, KES, "all")).status_code == 404


@pytest.mark.parametrize(
    "actor,regency,other_program",
    [("bpjs_tk_mukomuko", MUKOMUKO, KES), ("bpjs_kes_majene", MAJENE, TK)],
)
def test_bpjs_officer_cannot_open_the_lists_of_the_other_program(request, login, actor, regency, other_program):
    client = login(request.getfixturevalue(actor))

    assert client.get(villages_url(regency, other_program, "all")).status_code == 404
    assert client.get(officials_url(regency, other_program, "all")).status_code == 404
    assert client.get(f"/wilayah/{regency}/tindak-lanjut/?program={other_program}").status_code == 404


def test_bpjs_officer_opens_the_lists_of_their_own_program(demo, bpjs_tk_mukomuko, login):
    client = login(bpjs_tk_mukomuko)

    assert len(client.get(villages_url(MUKOMUKO, TK, "covered")).context["rows"]) == 9
    assert client.get(officials_url(MUKOMUKO, TK, "covered")).context["page"].paginator.count == 97


def test_bpjs_officer_of_mukomuko_cannot_open_the_majene_lists(bpjs_tk_mukomuko, login):
    client = login(bpjs_tk_mukomuko)

    assert client.get(villages_url(MAJENE, TK, "all")).status_code == 404
    assert client.get(officials_url(MAJENE, TK, "all")).status_code == 404


@pytest.mark.parametrize("query", ["program=bpjs_ketenagakerjaan&which=everyone", "which=covered", "program=jht"])
def test_list_with_an_unknown_filter_or_program_is_404(dpmd_mukomuko, login, query):
    assert login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/desa/?{query}").status_code == 404


# --- the follow-up list and its export ---------------------------------------------------------------


def test_followup_lists_the_139_desa_without_ketenagakerjaan_with_their_village_heads(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    dashboard = client.get(f"/wilayah/{MUKOMUKO}/")
    response = client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}")

    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert len(rows) == 139 == card(dashboard, TK).villages_uncovered
    assert all(not v.officials_covered for v in rows)
    assert all(v.head_name for v in rows)  # the demo has a kepala desa in every desa
    assert "139" in response.content.decode()


def test_followup_for_a_fully_covered_program_is_empty(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={KES}")

    assert response.status_code == 200
    assert len(response.context["rows"]) == 0


def test_followup_of_majene_kesehatan_lists_the_49_desa_left(demo, bpjs_kes_majene, login):
    response = login(bpjs_kes_majene).get(f"/wilayah/{MAJENE}/tindak-lanjut/?program={KES}")

    assert len(response.context["rows"]) == 62 - 13


def test_followup_export_is_a_workbook_with_one_row_per_desa_shown(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    shown = list(client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}").context["rows"])
    response = client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}&format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    header, *data = table_rows(response.content)
    assert len(header) == 7 and all(header)
    assert len(data) == len(shown) == 139
    assert [row[0] for row in data] == [v.code for v in shown]
    for row in data:
        officials, covered = row[3], row[4]
        assert isinstance(officials, int) and not isinstance(officials, bool)
        assert isinstance(covered, int) and not isinstance(covered, bool)
        assert officials >= 8 and covered == 0


def test_village_list_export_has_the_rows_of_the_list(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(villages_url(MUKOMUKO, TK, "covered", format="xlsx"))

    _, *data = table_rows(response.content)
    assert len(data) == 9
    assert sum(row[4] for row in data) == 97


def test_dpmd_of_majene_cannot_open_or_export_the_mukomuko_followup(demo, dpmd_majene, login):
    client = login(dpmd_majene)

    assert client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}").status_code == 404
    assert client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}&format=xlsx").status_code == 404


def test_village_head_cannot_open_the_followup(head_suka_pindah, login):
    assert login(head_suka_pindah).get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}").status_code == 404


def test_bpjs_kesehatan_officer_of_majene_cannot_open_the_mukomuko_followup(bpjs_kes_majene, login):
    assert login(bpjs_kes_majene).get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={KES}").status_code == 404


# --- the comparison of regencies ---------------------------------------------------------------------


def comparison(response) -> dict[str, dict[str, Coverage]]:
    return {r.code: {p.code: c for p, c in cells} for r, cells in response.context["rows"]}


def test_superuser_compares_mukomuko_and_majene_with_the_dashboard_figures(demo, superuser, login):
    client = login(superuser)
    response = client.get("/wilayah/")

    assert response.status_code == 200
    rows = comparison(response)
    assert {MUKOMUKO, MAJENE} <= set(rows)
    assert rows[MUKOMUKO][TK] == card(client.get(f"/wilayah/{MUKOMUKO}/"), TK)
    assert rows[MUKOMUKO][KES].officials_covered == 1220
    assert (rows[MAJENE][KES].villages_covered, rows[MAJENE][KES].villages_total) == (13, 62)
    assert "1.220" in response.content.decode()


def test_province_observer_compares_only_the_regencies_of_their_province(demo, bengkulu_observer, login):
    rows = comparison(login(bengkulu_observer).get("/wilayah/"))

    assert MUKOMUKO in rows
    assert MAJENE not in rows
    assert all(code.startswith("17.") for code in rows)


def test_dpmd_sees_only_their_own_regency_on_the_comparison_page(demo, dpmd_majene, login):
    assert set(comparison(login(dpmd_majene).get("/wilayah/"))) == {MAJENE}


def test_village_head_sees_no_regency_on_the_comparison_page(head_suka_pindah, login):
    response = login(head_suka_pindah).get("/wilayah/")

    assert response.status_code == 404 or response.context["rows"] == []


def test_comparison_as_of_the_past_answers_from_enrollment_dates(demo, superuser, login):
    rows = comparison(login(superuser).get(f"/wilayah/?as_of={BEFORE_KETENAGAKERJAAN}"))

    assert rows[MUKOMUKO][TK].villages_covered == 0
    assert rows[MAJENE][KES].villages_covered == 0  # Majene enrolled in 2024


# --- where `/` sends each role -----------------------------------------------------------------------


def test_home_sends_the_village_head_to_their_desa(head_suka_pindah, login):
    response = login(head_suka_pindah).get("/")

    assert response.status_code == 302
    assert response["Location"] == "/desa/17.06.01.2005/"


@pytest.mark.parametrize(
    "actor,regency", [("dpmd_mukomuko", MUKOMUKO), ("dpmd_majene", MAJENE), ("bpjs_tk_mukomuko", MUKOMUKO)]
)
def test_home_sends_a_user_with_one_regency_to_its_dashboard(request, login, actor, regency):
    response = login(request.getfixturevalue(actor)).get("/")

    assert response.status_code == 302
    assert response["Location"] == f"/wilayah/{regency}/"


def test_home_sends_the_superuser_to_the_comparison_of_regencies(superuser, login):
    response = login(superuser).get("/")

    assert response.status_code == 302
    assert response["Location"] == "/wilayah/"


# --- query counts: the same for one small regency and for the whole of Mukomuko ----------------------

TINY = "99.01"  # a regency built by hand: one kecamatan, two desa with three officials, one kelurahan
TINY_SUBDISTRICT = "99.01.01"


@pytest.fixture
def tiny(db, tk, kes):
    province = Province.objects.create(code="99", name="Provinsi Uji")
    regency = Regency.objects.create(code=TINY, name="Kabupaten Uji", province=province)
    subdistrict = Subdistrict.objects.create(code=TINY_SUBDISTRICT, name="Uji", regency=regency)
    first = Village.objects.create(code="99.01.01.2001", name="Satu", subdistrict=subdistrict, kind="desa")
    second = Village.objects.create(code="99.01.01.2002", name="Dua", subdistrict=subdistrict, kind="desa")
    Village.objects.create(code="99.01.01.1001", name="Kota", subdistrict=subdistrict, kind="kelurahan")
    head = PostFactory(village=first, position=Position.KEPALA_DESA, person=PersonFactory(nik=make_nik(9201)))
    PostFactory(village=first, person=PersonFactory(nik=make_nik(9202)))
    PostFactory(village=second, position=Position.KEPALA_DESA, person=PersonFactory(nik=make_nik(9203)))
    EnrollmentFactory(person=head.person, program=tk, participant_number="99010100001")
    EnrollmentFactory(person=head.person, program=kes)
    return regency


@pytest.fixture
def dpmd_tiny(tiny):
    return UserFactory(username="dpmd-uji", role=Role.DPMD, regency=tiny)


@pytest.fixture
def observer_tiny(tiny):
    return UserFactory(username="pemprov-uji", role=Role.PROVINCE, province=tiny.province)


def _pages(regency: str, subdistrict: str) -> dict[str, str]:
    return {
        "dashboard": f"/wilayah/{regency}/",
        "subdistrict": f"/kecamatan/{subdistrict}/",
        "village list": villages_url(regency, TK, "all"),
        "village list covered": villages_url(regency, TK, "covered"),
        "official list": officials_url(regency, TK, "all"),
        "official list covered": officials_url(regency, KES, "covered"),
        "follow-up": f"/wilayah/{regency}/tindak-lanjut/?program={TK}",
        "follow-up xlsx": f"/wilayah/{regency}/tindak-lanjut/?program={TK}&format=xlsx",
    }


def _count_queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, translations) out of the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", list(_pages(TINY, TINY_SUBDISTRICT)))
def test_page_costs_as_many_queries_for_mukomuko_as_for_a_regency_of_two_desa(
    demo, dpmd_tiny, dpmd_mukomuko, login, django_assert_max_num_queries, page
):
    small = _count_queries(login(dpmd_tiny), _pages(TINY, TINY_SUBDISTRICT)[page])
    assert small <= 15

    client = login(dpmd_mukomuko)
    url = _pages(MUKOMUKO, KOTA_MUKOMUKO)[page]
    client.get(url)
    with django_assert_max_num_queries(small) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == small


def test_comparison_page_costs_as_many_queries_for_all_regencies_as_for_one(
    demo, observer_tiny, superuser, login, django_assert_max_num_queries
):
    small = _count_queries(login(observer_tiny), "/wilayah/")
    assert small <= 10

    client = login(superuser)
    client.get("/wilayah/")
    with django_assert_max_num_queries(small) as large:
        response = client.get("/wilayah/")
    assert len(comparison(response)) >= 2
    assert len(large) == small


def test_tiny_regency_figures_count_desa_only(tiny, dpmd_tiny, login):
    """The small case of the query-count tests is itself right: 1 of 2 desa and 1 of 3 officials covered."""
    response = login(dpmd_tiny).get(f"/wilayah/{TINY}/")

    assert card(response, TK) == Coverage(
        villages_total=2, villages_covered=1, villages_fully_covered=0, officials_total=3, officials_covered=1
    )
    assert len(login(dpmd_tiny).get(f"/wilayah/{TINY}/tindak-lanjut/?program={TK}").context["rows"]) == 1
