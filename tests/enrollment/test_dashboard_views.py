"""Coverage pages: the regency dashboard, the subdistrict page, the lists behind each number, the follow-up
list and its Excel export, the comparison of regencies, and where `/` sends each role.

Figures come from the session `demo` (enrollment/demo.py): in Mukomuko 9 of 148 desa and 97 of 1,220
officials in BPJS Ketenagakerjaan (enrolled from 2023 on), everyone in BPJS Kesehatan; in Majene 13 of 62
desa in BPJS Kesehatan. Pages are asserted on what they say ("9 dari 148 desa", "97 dari 1.220 perangkat"),
read back into numbers by tests/html.py. Tests about scope, dates and the small case build their own data
(the regency `tiny`) and hold whether or not the session demo is loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Program, Province, Regency, Subdistrict, Village
from core.roles import Role
from enrollment.models import Enrollment
from enrollment.selectors import Coverage
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from tests.html import Element, messages, numbers, page, section
from tests.spreadsheets import table_rows
from villages.models import Position, Post

MUKOMUKO, MAJENE = "17.06", "76.05"
MAJENE_DESA = "76.05.02.2003"  # Adolang, Pamboang
LUBUK_PINANG = "17.06.01"
KOTA_MUKOMUKO = "17.06.02"  # has the three kelurahan of Mukomuko
TK, KES = Program.KETENAGAKERJAAN, Program.KESEHATAN
BEFORE_KETENAGAKERJAAN = "2022-12-31"  # the demo's Ketenagakerjaan enrollments start on 2023-01-01 or later


class Cell(NamedTuple):
    """A coverage cell of a table: "9 dari 148 desa · 97 dari 1.220 perangkat · 8%"."""

    villages_covered: int
    villages_total: int
    officials_covered: int
    officials_total: int


def cell(text: str) -> Cell:
    return Cell(*numbers(text)[:4])


def as_cell(c: Coverage) -> Cell:
    return Cell(c.villages_covered, c.villages_total, c.officials_covered, c.officials_total)


def card(response, program: str) -> Coverage:
    """A program's card on the dashboard, read back from what it says: "9 dari 148 desa", "9 tercakup
    penuh", "97 dari 1.220 perangkat"."""
    article = page(response).find("article", cls="program", data_program=program)
    villages, officials = article.find_all("a", cls="big")
    (fully,) = [a for a in article.find_all("a") if "which=fully_covered" in a.attrs["href"]]
    (villages_covered, villages_total), (officials_covered, officials_total) = (
        numbers(villages.text),
        numbers(officials.text),
    )
    return Coverage(
        villages_total=villages_total,
        villages_covered=villages_covered,
        villages_fully_covered=numbers(fully.text)[0],
        officials_total=officials_total,
        officials_covered=officials_covered,
    )


def sources(response, program: str) -> dict[str, tuple[int, int]]:
    """ "Who pays": {"ADD (Alokasi Dana Desa)": (97 perangkat, 9 desa)}."""
    article = page(response).find("article", cls="program", data_program=program)
    return {li.find("strong").text: numbers(li.text) for li in article.find_all("li")}


def card_programs(response) -> set[str]:
    return {a.attrs["data-program"] for a in page(response).find_all("article", cls="program")}


def short_names() -> dict[str, str]:
    """The column headings of the coverage tables ("BPJS TK") → the program's code."""
    return {p.short_name: p.code for p in Program.objects.all()}


def coverage_rows(table: Element, part: str = "tbody") -> dict[str, dict[str, Cell]]:
    """A coverage table, {first column: {program: Cell}}; a program with nothing to count shows "–"."""
    programs = short_names()
    return {
        next(iter(row.values())): {programs[k]: cell(v) for k, v in row.items() if k in programs and v != "–"}
        for row in table.rows(part)
    }


def village_code(name_cell: str) -> str:
    """A desa's cell on a list reads "Suka Pindah 17.06.01.2005": the code is under the name."""
    return name_cell.split()[-1]


def listed(response) -> int:
    """The number a list states in its heading: "9 desa dengan ...", "1.123 perangkat belum terdaftar"."""
    return numbers(page(response).find("h1").text)[0]


def village_rows(response) -> list[dict[str, str]]:
    return page(response).find("table").rows()


def day_shown(response) -> str:
    """The day a page is computed for, as its date field or else its links back carry it."""
    main = page(response)
    fields = main.find_all("input", name="as_of")
    if fields:
        return fields[0].attrs["value"]
    return parse_qs(urlsplit(main.find("p", cls="crumbs").find("a").attrs["href"]).query)["as_of"][0]


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
    assert page(response).find("h1").text == "Kabupaten Mukomuko"
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
    assert "97 dari 1.220 perangkat" in page(response).find("article", data_program=TK).text


def test_dashboard_names_who_pays_the_employer_share(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/")

    assert sources(response, TK) == {"ADD (Alokasi Dana Desa)": (97, 9)}
    assert sources(response, KES) == {"DAU (APBD)": (1220, 148)}


def test_dashboard_subdistrict_rows_add_up_to_the_cards(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/")

    rows = coverage_rows(section(page(response), "Per kecamatan").find("table"))
    assert len(rows) == Subdistrict.objects.filter(regency_id=MUKOMUKO).count()
    for program in (TK, KES):
        cells = [cells[program] for cells in rows.values() if program in cells]
        total = as_cell(card(response, program))
        for i, field in enumerate(Cell._fields):
            assert sum(c[i] for c in cells) == total[i], (program, field)
    # A row does not show how many of its desa are fully covered: that sum is read from the context.
    context_cells = [c for _, cells in response.context["subdistricts"] for p, c in cells if p.code == TK and c]
    assert sum(c.villages_fully_covered for c in context_cells) == card(response, TK).villages_fully_covered


def test_dpmd_of_majene_sees_13_of_62_villages_in_kesehatan(demo, dpmd_majene, login):
    response = login(dpmd_majene).get(f"/wilayah/{MAJENE}/")

    assert response.status_code == 200
    kes = card(response, KES)
    assert (kes.villages_covered, kes.villages_total) == (13, 62)
    assert kes.villages_fully_covered == 13
    assert card(response, TK).villages_covered == 0


def test_dpmd_of_majene_cannot_open_the_mukomuko_dashboard(dpmd_majene, login):
    assert login(dpmd_majene).get(f"/wilayah/{MUKOMUKO}/").status_code == 404


@pytest.mark.parametrize("regency", [MUKOMUKO, MAJENE])
def test_village_head_cannot_open_any_regency_dashboard(head_suka_pindah, login, regency):
    assert login(head_suka_pindah).get(f"/wilayah/{regency}/").status_code == 404


def test_bpjs_ketenagakerjaan_officer_sees_only_ketenagakerjaan_on_the_mukomuko_dashboard(
    bpjs_tk_mukomuko, dpmd_mukomuko, suka_pindah, tk, login
):
    post = PostFactory(village=suka_pindah, person=PersonFactory(nik=make_nik(9801)))
    EnrollmentFactory(person=post.person, program=tk, participant_number="17060198001")

    response = login(bpjs_tk_mukomuko).get(f"/wilayah/{MUKOMUKO}/")

    assert response.status_code == 200
    assert card_programs(response) == {TK}
    assert card(response, TK) == card(login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/"), TK)
    assert card(response, TK).officials_covered >= 1


def test_bpjs_ketenagakerjaan_officer_of_mukomuko_cannot_open_majene(bpjs_tk_mukomuko, login):
    assert login(bpjs_tk_mukomuko).get(f"/wilayah/{MAJENE}/").status_code == 404


def test_bpjs_kesehatan_officer_of_majene_cannot_open_mukomuko(bpjs_kes_majene, login):
    assert login(bpjs_kes_majene).get(f"/wilayah/{MUKOMUKO}/").status_code == 404


def test_bpjs_kesehatan_officer_of_majene_sees_only_kesehatan_there(bpjs_kes_majene, dpmd_majene, kes, login):
    post = PostFactory(village=Village.objects.get(pk=MAJENE_DESA), person=PersonFactory(nik=make_nik(9802)))
    EnrollmentFactory(person=post.person, program=kes)

    response = login(bpjs_kes_majene).get(f"/wilayah/{MAJENE}/")

    assert response.status_code == 200
    assert card_programs(response) == {KES}
    assert card(response, KES) == card(login(dpmd_majene).get(f"/wilayah/{MAJENE}/"), KES)
    assert card(response, KES).villages_covered >= 1


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


def test_invalid_as_of_shows_an_error_and_renders_today(tiny, dpmd_tiny, login):
    response = login(dpmd_tiny).get(f"/wilayah/{TINY}/?as_of=2024-13-01")

    assert response.status_code == 200
    assert day_shown(response) == timezone.localdate().isoformat()
    errors = [text for level, text in messages(response) if level == "error"]
    assert len(errors) == 1
    assert "2024-13-01" in errors[0]
    assert card(response, TK).villages_covered == 1


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
def test_invalid_as_of_on_other_pages_shows_an_error_and_renders_today(superuser, login, url):
    response = login(superuser).get(url)

    assert response.status_code == 200
    assert day_shown(response) == timezone.localdate().isoformat()
    assert [level for level, _ in messages(response)] == ["error"]


def test_as_of_before_the_first_ketenagakerjaan_enrollment_shows_no_village_covered(tiny, dpmd_tiny, login):
    Enrollment.objects.filter(person__posts__village__subdistrict__regency=tiny, program=TK).update(
        start_date=dt.date(2023, 1, 1)
    )

    response = login(dpmd_tiny).get(f"/wilayah/{TINY}/?as_of={BEFORE_KETENAGAKERJAAN}")

    assert day_shown(response) == "2022-12-31"
    tk = card(response, TK)
    assert (tk.villages_covered, tk.villages_fully_covered, tk.officials_covered) == (0, 0, 0)
    assert sources(response, TK) == {}
    assert card(response, KES).officials_covered == 1  # the Kesehatan enrollment goes back to 2021


def test_as_of_in_the_past_gives_the_lists_the_figures_of_that_day(demo, dpmd_mukomuko, login):
    """On 2024-01-01 only the enrollments started in 2023 covered: fewer than 97 officials, no desa fully."""
    client = login(dpmd_mukomuko)
    tk = card(client.get(f"/wilayah/{MUKOMUKO}/?as_of=2024-01-01"), TK)

    assert 0 < tk.officials_covered < 97
    assert tk.villages_fully_covered < 9
    covered = client.get(officials_url(MUKOMUKO, TK, "covered", as_of="2024-01-01"))
    assert listed(covered) == tk.officials_covered
    fully = client.get(villages_url(MUKOMUKO, TK, "fully_covered", as_of="2024-01-01"))
    assert len(village_rows(fully)) == listed(fully) == tk.villages_fully_covered
    before = client.get(villages_url(MUKOMUKO, TK, "covered", as_of=BEFORE_KETENAGAKERJAAN))
    assert village_rows(before) == []
    assert listed(before) == 0


# --- the subdistrict page ----------------------------------------------------------------------------


def test_dpmd_sees_the_desa_of_a_subdistrict_and_their_totals(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/kecamatan/{LUBUK_PINANG}/")

    assert response.status_code == 200
    table = page(response).find("table")
    rows = coverage_rows(table)
    desa = Village.objects.filter(subdistrict_id=LUBUK_PINANG, kind__in=Village.GOVERNED_KINDS)
    assert [village_code(name) for name in rows] == list(desa.order_by("code").values_list("code", flat=True))
    (totals,) = coverage_rows(table, "tfoot").values()
    assert set(totals) == {TK, KES}
    for program, total in totals.items():
        cells = [cells[program] for cells in rows.values()]
        assert total.villages_total == len(rows)
        assert sum(c.villages_covered for c in cells) == total.villages_covered
        assert sum(c.officials_total for c in cells) == total.officials_total
        assert sum(c.officials_covered for c in cells) == total.officials_covered


def test_subdistrict_totals_equal_its_row_on_the_dashboard(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    dashboard = client.get(f"/wilayah/{MUKOMUKO}/")
    subdistrict = client.get(f"/kecamatan/{LUBUK_PINANG}/")

    row = coverage_rows(section(page(dashboard), "Per kecamatan").find("table"))["Lubuk Pinang"]
    (totals,) = coverage_rows(page(subdistrict).find("table"), "tfoot").values()
    assert row == totals


def test_subdistrict_page_lists_kelurahan_apart_and_does_not_count_them(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/kecamatan/{KOTA_MUKOMUKO}/")

    main = page(response)
    rows = coverage_rows(main.find("table"))
    kelurahan = Village.objects.get(pk="17.06.02.1009")
    (apart,) = [p for p in main.find_all("p", cls="muted") if p.text.startswith("Kelurahan ")]
    assert kelurahan.name in apart.text
    assert kelurahan.code not in {village_code(name) for name in rows}
    (totals,) = coverage_rows(main.find("table"), "tfoot").values()
    for total in totals.values():
        assert total.villages_total == len(rows)


def test_dpmd_of_majene_cannot_open_a_mukomuko_subdistrict(dpmd_majene, login):
    assert login(dpmd_majene).get(f"/kecamatan/{LUBUK_PINANG}/").status_code == 404


def test_village_head_cannot_open_even_their_own_subdistrict(head_suka_pindah, login):
    assert login(head_suka_pindah).get(f"/kecamatan/{LUBUK_PINANG}/").status_code == 404


def test_bpjs_kesehatan_officer_of_majene_cannot_open_a_mukomuko_subdistrict(bpjs_kes_majene, login):
    assert login(bpjs_kes_majene).get(f"/kecamatan/{LUBUK_PINANG}/").status_code == 404


def test_bpjs_ketenagakerjaan_officer_sees_only_ketenagakerjaan_on_the_subdistrict_page(demo, bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).get(f"/kecamatan/{LUBUK_PINANG}/")

    assert response.status_code == 200
    (totals,) = coverage_rows(page(response).find("table"), "tfoot").values()
    assert set(totals) == {TK}


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
    lists = {which: client.get(villages_url(MUKOMUKO, TK, which)) for which, _ in VILLAGE_FIGURES}

    expected = {"all": 148, "covered": 9, "fully_covered": 9, "uncovered": 139}
    assert {which: len(village_rows(r)) for which, r in lists.items()} == expected
    assert {which: listed(r) for which, r in lists.items()} == expected  # the heading: "9 desa dengan ..."


def test_ketenagakerjaan_official_lists_have_the_demo_numbers_of_people(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    counts = {which: listed(client.get(officials_url(MUKOMUKO, TK, which))) for which, _ in OFFICIAL_FIGURES}

    assert counts == {"all": 1220, "covered": 97, "uncovered": 1123}
    assert (
        page(client.get(officials_url(MUKOMUKO, TK, "uncovered"))).find("h1").text == "1.123 perangkat belum terdaftar"
    )


@pytest.mark.parametrize("program", [TK, KES])
@pytest.mark.parametrize("regency,actor", [(MUKOMUKO, "dpmd_mukomuko"), (MAJENE, "dpmd_majene")])
def test_each_village_list_has_as_many_rows_as_its_figure_on_the_dashboard(
    demo, login, request, regency, actor, program
):
    client = login(request.getfixturevalue(actor))
    figures = card(client.get(f"/wilayah/{regency}/"), program)

    for which, field in VILLAGE_FIGURES:
        rows = village_rows(client.get(villages_url(regency, program, which)))
        assert len(rows) == getattr(figures, field), (which, field)


@pytest.mark.parametrize("program", [TK, KES])
@pytest.mark.parametrize("regency,actor", [(MUKOMUKO, "dpmd_mukomuko"), (MAJENE, "dpmd_majene")])
def test_each_official_list_has_as_many_people_as_its_figure_on_the_dashboard(
    demo, login, request, regency, actor, program
):
    client = login(request.getfixturevalue(actor))
    figures = card(client.get(f"/wilayah/{regency}/"), program)

    for which, field in OFFICIAL_FIGURES:
        assert listed(client.get(officials_url(regency, program, which))) == getattr(figures, field), (which, field)


def test_covered_village_rows_count_the_97_covered_officials(demo, dpmd_mukomuko, login):
    rows = village_rows(login(dpmd_mukomuko).get(villages_url(MUKOMUKO, TK, "covered")))
    enrolled = [numbers(row["Perangkat terdaftar"]) for row in rows]  # "11 dari 11"

    assert sum(covered for covered, _ in enrolled) == 97
    assert all(covered == officials for covered, officials in enrolled)  # the 9 desa are fully covered
    assert all(village_code(row["Desa"]).startswith(f"{MUKOMUKO}.") for row in rows)


def test_official_list_pages_by_100_and_reaches_every_person(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    first = page(client.get(officials_url(MUKOMUKO, TK, "uncovered")))
    last = page(client.get(officials_url(MUKOMUKO, TK, "uncovered", page=12)))

    assert len(first.find("table").rows()) == 100
    assert first.find("nav", cls="pagination").find("span").text == "halaman 1 dari 12"
    assert len(last.find("table").rows()) == 1123 - 11 * 100
    assert last.find("nav", cls="pagination").find("span").text == "halaman 12 dari 12"


def test_lists_narrowed_to_a_subdistrict_match_the_subdistrict_page(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    (totals,) = coverage_rows(page(client.get(f"/kecamatan/{LUBUK_PINANG}/")).find("table"), "tfoot").values()

    villages = client.get(villages_url(MUKOMUKO, KES, "covered", kecamatan=LUBUK_PINANG))
    officials = client.get(officials_url(MUKOMUKO, KES, "all", kecamatan=LUBUK_PINANG))
    assert f"/kecamatan/{LUBUK_PINANG}/" in str(page(villages).find("p", cls="crumbs").links())
    assert len(village_rows(villages)) == totals[KES].villages_covered
    assert {village_code(row["Desa"]).rsplit(".", 1)[0] for row in village_rows(villages)} == {LUBUK_PINANG}
    assert {row["Kecamatan"] for row in village_rows(villages)} == {"Lubuk Pinang"}
    assert listed(officials) == totals[KES].officials_total


def test_a_subdistrict_of_another_regency_cannot_narrow_a_list(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(villages_url(MUKOMUKO, KES, "all", kecamatan="76.05.02"))

    assert response.status_code == 404


def test_dpmd_of_majene_cannot_open_the_mukomuko_lists(dpmd_majene, login):
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

    assert len(village_rows(client.get(villages_url(MUKOMUKO, TK, "covered")))) == 9
    assert listed(client.get(officials_url(MUKOMUKO, TK, "covered"))) == 97


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
    main = page(response)
    rows = main.find("table").rows()
    assert len(rows) == 139 == card(dashboard, TK).villages_uncovered
    assert main.find("h1").text == "Tindak lanjut: 139 desa tanpa peserta BPJS Ketenagakerjaan"
    assert all(numbers(row["Perangkat terdaftar"])[0] == 0 for row in rows)
    assert all(row["Kepala desa"] for row in rows)  # the demo has a kepala desa in every desa
    assert not main.find("table").find_all(cls="warn")  # "no village head recorded"


def test_followup_for_a_program_in_every_desa_is_empty(tiny, dpmd_tiny, kes, login):
    EnrollmentFactory(person=Post.objects.get(village_id="99.01.01.2002").person, program=kes)

    response = login(dpmd_tiny).get(f"/wilayah/{TINY}/tindak-lanjut/?program={KES}")

    assert response.status_code == 200
    assert village_rows(response) == []
    assert listed(response) == 0


def test_followup_of_majene_kesehatan_lists_the_49_desa_left(demo, bpjs_kes_majene, login):
    response = login(bpjs_kes_majene).get(f"/wilayah/{MAJENE}/tindak-lanjut/?program={KES}")

    assert len(village_rows(response)) == listed(response) == 62 - 13


def test_followup_export_is_a_workbook_with_one_row_per_desa_shown(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    shown = village_rows(client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}"))
    response = client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}&format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    header, *data = table_rows(response.content)
    assert len(header) == 8 and all(header)  # the last: where the desa stands with its submission
    assert len(data) == len(shown) == 139
    assert [row[0] for row in data] == [village_code(v["Desa"]) for v in shown]
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


def test_dpmd_of_majene_cannot_open_or_export_the_mukomuko_followup(dpmd_majene, login):
    client = login(dpmd_majene)

    assert client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}").status_code == 404
    assert client.get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}&format=xlsx").status_code == 404


def test_village_head_cannot_open_the_followup(head_suka_pindah, login):
    assert login(head_suka_pindah).get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={TK}").status_code == 404


def test_bpjs_kesehatan_officer_of_majene_cannot_open_the_mukomuko_followup(bpjs_kes_majene, login):
    assert login(bpjs_kes_majene).get(f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={KES}").status_code == 404


# --- the comparison of regencies ---------------------------------------------------------------------


def comparison(response) -> dict[str, dict[str, Cell]]:
    """The comparison table, {regency code (from its link to the dashboard): {program: Cell}}."""
    table = page(response).find_all("table")
    if not table:  # "No regency has been loaded in your area yet."
        return {}
    codes = [tr.find("a").attrs["href"].split("/")[2] for tr in table[0].find("tbody").find_all("tr")]
    return dict(zip(codes, coverage_rows(table[0]).values(), strict=True))


def test_superuser_compares_mukomuko_and_majene_with_the_dashboard_figures(demo, superuser, login):
    client = login(superuser)
    response = client.get("/wilayah/")

    assert response.status_code == 200
    rows = comparison(response)
    assert {MUKOMUKO, MAJENE} <= set(rows)
    assert rows[MUKOMUKO][TK] == as_cell(card(client.get(f"/wilayah/{MUKOMUKO}/"), TK))
    assert rows[MUKOMUKO][KES].officials_covered == 1220
    assert (rows[MAJENE][KES].villages_covered, rows[MAJENE][KES].villages_total) == (13, 62)


def test_province_observer_compares_only_the_regencies_of_their_province(demo, bengkulu_observer, login):
    rows = comparison(login(bengkulu_observer).get("/wilayah/"))

    assert MUKOMUKO in rows
    assert MAJENE not in rows
    assert all(code.startswith("17.") for code in rows)


def test_dpmd_sees_only_their_own_regency_on_the_comparison_page(demo, dpmd_majene, login):
    assert set(comparison(login(dpmd_majene).get("/wilayah/"))) == {MAJENE}


def test_village_head_sees_no_regency_on_the_comparison_page(head_suka_pindah, login):
    response = login(head_suka_pindah).get("/wilayah/")

    assert response.status_code == 404 or comparison(response) == {}


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
    assert small <= 16  # the dashboard's 15, and one for how many desa have logged in

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
    assert len(village_rows(login(dpmd_tiny).get(f"/wilayah/{TINY}/tindak-lanjut/?program={TK}"))) == 1
