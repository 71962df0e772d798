"""The scenario planner: covering Mukomuko's 1.123 officials not yet in BPJS Ketenagakerjaan, per kecamatan
and desa, as a share of each desa's ADD; saved, compared, exported; and the ADD per desa it reads.

The figures are the session `demo`'s, read from the pages (tests/html.py) where a page shows them; the
form, scope and ADD tests build what they need and hold with or without the demo.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from budgets.contributions import RateBook, contribution
from budgets.models import Scenario, VillageFund
from budgets.scenarios import scenario_result, uncovered_officials
from budgets.services import scenario_create
from core.models import FundingSource, Program, ProgramComponent, Regency, Village
from tests.budgets import test_budget_pages as pages
from tests.budgets.test_budget_pages import TINY, count_queries
from tests.html import Element, number, page, section
from tests.spreadsheets import table_rows, title_of

# The regency of 10 desa that the query counts compare Mukomuko with.
tiny, dpmd_tiny = pages.tiny, pages.dpmd_tiny


MUKOMUKO = "17.06"
TODAY = timezone.localdate()
JULY = dt.date(TODAY.year, 7, 1)
PER_OFFICIAL = 15_390  # 0,54% of Rp2.850.000
MONTHLY = 17_282_970  # 1.123 × Rp15.390


def make(user, *, name="JKK+JKM dari ADD", components=(), source="ADD", start=JULY, threshold="5", regency=MUKOMUKO):
    return scenario_create(
        actor=user,
        regency=Regency.objects.get(pk=regency),
        name=name,
        program=Program.objects.get(pk=Program.KETENAGAKERJAAN),
        components=list(components),
        source=FundingSource.objects.get(pk=source),
        start_month=start,
        add_share_threshold=Decimal(threshold),
    )


def funds() -> dict[tuple[str, int], int]:
    """Every ADD entered, (desa, year) → amount: the demo's as well as a test's own."""
    rows = VillageFund.objects.values_list("village", "fiscal_year", "add_amount")
    return {(village, year): amount for village, year, amount in rows}


def by_row_heading(table: Element) -> dict[str, list[str]]:
    """A table whose rows are headed on the left ("Perangkat desa", ...): {row heading: [cell per column]}."""
    return {cells[0]: cells[1:] for cells in (list(row.values()) for row in table.rows())}


def field(response, name: str) -> Element:
    """The form field (label, input, errors) of the input or select called `name`."""
    fields = page(response).find_all("div", cls="field")
    (found,) = [f for f in fields if f.find_all("input", name=name) or f.find_all("select", name=name)]
    return found


# --- the figures -------------------------------------------------------------------------------------


def test_mukomuko_has_1123_officials_not_yet_in_ketenagakerjaan(demo, tk, django_assert_max_num_queries):
    mukomuko = Regency.objects.get(pk=MUKOMUKO)
    with django_assert_max_num_queries(1):
        officials = uncovered_officials(regency=mukomuko, program=tk, day=TODAY)

    assert len(officials) == 1_123
    assert {o.wage for o in officials} == {2_850_000}


def test_jkk_and_jkm_from_add_cost_15390_each_and_17282970_a_month(demo, dpmd_mukomuko):
    ids = list(ProgramComponent.objects.filter(code__in=["JKK", "JKM"]).values_list("pk", flat=True))
    each = contribution(book=RateBook(), wage=2_850_000, component_ids=ids, month=JULY, funding_source_id="ADD")
    assert (each.employer, each.participant) == (PER_OFFICIAL, 0)

    result = scenario_result(make(dpmd_mukomuko), day=TODAY)

    assert result.total.officials == 1_123
    assert result.employer_rate == Decimal("0.54")
    assert result.total.employer_month == 1_123 * each.employer == MONTHLY
    assert result.total.participant_month == 0


def test_yearly_is_given_to_december_and_for_12_months(demo, dpmd_mukomuko):
    result = scenario_result(make(dpmd_mukomuko), day=TODAY)

    assert result.months_to_december == 6
    assert result.total.employer_to_december == 6 * MONTHLY
    assert result.total.employer_12 == 12 * MONTHLY


def test_per_kecamatan_and_per_desa_sums_equal_the_total(demo, dpmd_mukomuko):
    result = scenario_result(make(dpmd_mukomuko, components=["JHT"]), day=TODAY)

    assert len(result.subdistricts) == 15
    assert len(result.villages) == 139  # the 9 Ketenagakerjaan desa are fully covered
    for name in ("officials", "employer_month", "participant_month", "employer_to_december", "employer_12"):
        total = getattr(result.total, name)
        assert sum(getattr(s, name) for s in result.subdistricts) == total, name
        assert sum(getattr(v, name) for v in result.villages) == total, name


def test_jht_adds_the_employer_and_the_participant_share(demo, dpmd_mukomuko):
    result = scenario_result(make(dpmd_mukomuko, components=["JHT"]), day=TODAY)

    assert result.scenario.components == ["JKK", "JKM", "JHT"]
    assert result.total.employer_month == 1_123 * (PER_OFFICIAL + 105_450)  # + 3,7%
    assert result.total.participant_month == 1_123 * 57_000  # 2%


def test_desa_above_the_add_threshold_are_listed_and_the_others_lack_their_add(demo, dpmd_mukomuko):
    # The demo enters every Mukomuko desa's ADD; here only the two desa below have theirs.
    VillageFund.objects.filter(village__subdistrict__regency=MUKOMUKO, fiscal_year=JULY.year).delete()
    scenario = make(dpmd_mukomuko)
    villages = scenario_result(scenario, day=TODAY).villages
    small, large = villages[0], villages[1]
    VillageFund.objects.create(village_id=small.code, fiscal_year=JULY.year, add_amount=10_000_000)
    VillageFund.objects.create(village_id=large.code, fiscal_year=JULY.year, add_amount=1_000_000_000)

    result = scenario_result(scenario, day=TODAY)

    over = result.villages_over
    assert [v.code for v in over] == [small.code]
    assert over[0].employer_12 == small.officials * PER_OFFICIAL * 12
    assert over[0].add_share == (Decimal(over[0].employer_12) * 100 / 10_000_000).quantize(Decimal("0.01"))
    assert len(result.villages_without_add) == 137


def test_a_scenario_paid_from_dau_has_no_add_share(demo, dpmd_mukomuko):
    result = scenario_result(make(dpmd_mukomuko, source="DAU"), day=TODAY)

    assert not result.is_add
    assert result.villages_over == [] and result.villages_without_add == []
    assert result.total.employer_month == MONTHLY


# --- the pages ---------------------------------------------------------------------------------------


def test_dpmd_saves_a_scenario_and_sees_its_figures(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    response = client.post(
        f"/wilayah/{MUKOMUKO}/skenario/baru/",
        {
            "name": "Semua perangkat JKK+JKM",
            "program": Program.KETENAGAKERJAAN,
            "source": "ADD",
            "start_month": f"{JULY:%Y-%m}",
            "add_share_threshold": "5",
        },
    )
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/skenario/{scenario.pk}/"
    assert scenario.created_by == dpmd_mukomuko

    shown = page(client.get(f"/skenario/{scenario.pk}/"))

    summary = f"Mendaftarkan semua perangkat yang belum ikut BPJS TK dengan JKK + JKM dari ADD, mulai Juli {JULY.year}."
    assert summary in shown.find("div", cls="heading").text
    officials = section(shown, "Perangkat yang akan didaftarkan")
    assert number(officials.find("p", cls="big").text) == 1_123
    assert "Iuran pemberi kerja 0,54%" in officials.text
    assert number(section(shown, "Biaya per bulan").find("p", cls="big").text) == MONTHLY
    yearly = [number(dd.text) for dd in section(shown, "Biaya per tahun").find_all("dd")]
    assert yearly == [6 * MONTHLY, 12 * MONTHLY, 0]  # to December, 12 months, participant share


def test_a_bad_month_or_component_is_refused_on_the_form(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post(
        f"/wilayah/{MUKOMUKO}/skenario/baru/",
        {"name": "x", "program": Program.KESEHATAN, "source": "ADD", "start_month": "Juli", "components": ["JHT"]},
    )

    assert response.status_code == 200
    start = field(response, "start_month")
    assert "has-error" in start.attrs["class"].split()
    assert start.find("p", cls="error").text == "Tulis bulan sebagai TTTT-BB, misalnya 2026-07."
    assert not Scenario.objects.exists()


def test_the_list_compares_two_to_four_scenarios_side_by_side(demo, dpmd_mukomuko, login):
    first = make(dpmd_mukomuko, name="JKK+JKM")
    second = make(dpmd_mukomuko, name="Dengan JHT", components=["JHT"])
    client = login(dpmd_mukomuko)

    listed = page(client.get(f"/wilayah/{MUKOMUKO}/skenario/")).find_all("input", name="ids")
    assert {int(box.attrs["value"]) for box in listed} == {first.pk, second.pk}
    response = client.get(f"/wilayah/{MUKOMUKO}/skenario/banding/?ids={first.pk}&ids={second.pk}")

    assert response.status_code == 200
    totals = by_row_heading(page(response).find("table"))["Iuran pemberi kerja per bulan"]
    assert [number(cell) for cell in totals] == [MONTHLY, 1_123 * (PER_OFFICIAL + 105_450)]
    rows = section(page(response), "Iuran pemberi kerja per bulan, per kecamatan").find("table").rows()
    assert len(rows) == 15
    assert sum(number(row["JKK+JKM"].split()[0]) for row in rows) == MONTHLY  # "Rp1.231.200 80 perangkat desa"


def test_comparing_one_or_five_scenarios_sends_back_to_the_list(dpmd_mukomuko, login):
    ids = [make(dpmd_mukomuko, name=f"S{i}").pk for i in range(5)]
    client = login(dpmd_mukomuko)

    one = client.get(f"/wilayah/{MUKOMUKO}/skenario/banding/?ids={ids[0]}")
    five = client.get(f"/wilayah/{MUKOMUKO}/skenario/banding/?" + "&".join(f"ids={i}" for i in ids))

    assert one.status_code == five.status_code == 302
    assert one["Location"] == f"/wilayah/{MUKOMUKO}/skenario/"


def test_the_export_has_numbers_as_numbers_and_a_total_row(demo, dpmd_mukomuko, login):
    scenario = make(dpmd_mukomuko)

    response = login(dpmd_mukomuko).get(f"/skenario/{scenario.pk}.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = table_rows(response.content)
    assert len(rows) == 1 + 139 + 1
    village, total = rows[1], rows[-1]
    assert isinstance(village[3], int) and isinstance(village[4], int)
    assert village[4] == village[3] * PER_OFFICIAL
    assert total[3:5] == (1_123, MONTHLY)


def test_a_scenario_named_with_a_slash_exports_under_a_safe_file_name(dpmd_mukomuko, login):
    """Excel refuses "/" in a sheet's name and a browser in a file's: "TK 2026/2027" must still download."""
    scenario = make(dpmd_mukomuko, name="TK 2026/2027")

    response = login(dpmd_mukomuko).get(f"/skenario/{scenario.pk}.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename=\"skenario-TK 2026-2027-17.06.xlsx\"; filename*=UTF-8''skenario-TK%202026-2027-17.06.xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["TK 2026-2027"]
    assert title_of(response.content).startswith("TK 2026/2027 · ")


def test_a_scenario_named_beyond_ascii_keeps_its_name_in_the_download(dpmd_mukomuko, login):
    scenario = make(dpmd_mukomuko, name="Pagu “ADD” Ñ: 50%?")

    response = login(dpmd_mukomuko).get(f"/skenario/{scenario.pk}.xlsx")

    plain, exact = response["Content-Disposition"].removeprefix("attachment; ").split("; ")
    assert plain == 'filename="skenario-Pagu ADD N- 50-17.06.xlsx"'
    assert unquote(exact.removeprefix("filename*=UTF-8''")) == "skenario-Pagu “ADD” Ñ- 50%-17.06.xlsx"
    assert title_of(response.content).startswith("Pagu “ADD” Ñ: 50%? · ")


def test_dpmd_deletes_a_scenario(dpmd_mukomuko, login):
    scenario = make(dpmd_mukomuko)

    response = login(dpmd_mukomuko).post(f"/skenario/{scenario.pk}/hapus/")

    assert response.status_code == 302
    assert not Scenario.objects.exists()


def test_dpmd_of_another_regency_gets_404_on_every_scenario_page(dpmd_mukomuko, dpmd_majene, login):
    scenario = make(dpmd_mukomuko)
    other = make(dpmd_mukomuko, name="lain")
    client = login(dpmd_majene)

    for url in (
        f"/wilayah/{MUKOMUKO}/skenario/",
        f"/wilayah/{MUKOMUKO}/skenario/baru/",
        f"/wilayah/{MUKOMUKO}/skenario/banding/?ids={scenario.pk}&ids={other.pk}",
        f"/skenario/{scenario.pk}/",
        f"/skenario/{scenario.pk}.xlsx",
        f"/skenario/{scenario.pk}/hapus/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/skenario/{scenario.pk}/hapus/").status_code == 404
    # Majene's own comparison page does not open Mukomuko's scenarios either.
    response = client.get(f"/wilayah/76.05/skenario/banding/?ids={scenario.pk}&ids={other.pk}")
    assert response.status_code == 404


def test_village_heads_have_no_scenarios(dpmd_mukomuko, head_suka_pindah, login):
    scenario = make(dpmd_mukomuko)
    client = login(head_suka_pindah)

    assert client.get(f"/wilayah/{MUKOMUKO}/skenario/").status_code == 404
    assert client.get(f"/skenario/{scenario.pk}/").status_code == 404


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_see_scenarios_but_saving_or_deleting_is_403(dpmd_mukomuko, actor, login, request):
    scenario = make(dpmd_mukomuko)
    client = login(request.getfixturevalue(actor))

    assert client.get(f"/skenario/{scenario.pk}/").status_code == 200
    assert client.get(f"/skenario/{scenario.pk}.xlsx").status_code == 200
    data = {"name": "x", "program": Program.KETENAGAKERJAAN, "source": "ADD", "start_month": "2026-07"}
    assert client.post(f"/wilayah/{MUKOMUKO}/skenario/baru/", data).status_code == 403
    assert client.post(f"/skenario/{scenario.pk}/hapus/").status_code == 403
    assert Scenario.objects.count() == 1


def test_a_bpjs_kesehatan_officer_does_not_see_ketenagakerjaan_scenarios(dpmd_mukomuko, bpjs_kes_majene, login):
    scenario = make(dpmd_mukomuko)

    assert login(bpjs_kes_majene).get(f"/skenario/{scenario.pk}/").status_code == 404


# --- ADD per desa ------------------------------------------------------------------------------------


def test_dpmd_enters_a_desa_add_and_the_list_shows_it(dpmd_mukomuko, suka_pindah, login):
    client = login(dpmd_mukomuko)
    response = client.post(
        f"/wilayah/{MUKOMUKO}/anggaran/add/",
        {"village": suka_pindah.code, "fiscal_year": TODAY.year, "add_amount": "Rp650.000.000"},
    )

    assert response.status_code == 302
    assert VillageFund.objects.get(village=suka_pindah).add_amount == 650_000_000
    rows = page(client.get(f"/wilayah/{MUKOMUKO}/anggaran/add/")).find("table").rows()
    assert next(row for row in rows if row["Kode desa"] == suka_pindah.code)["ADD"] == "Rp650.000.000"


def test_the_add_file_is_previewed_with_its_row_errors_and_saves_nothing_until_right(
    dpmd_mukomuko, suka_pindah, arah_tiga, login
):
    # The demo, when loaded, enters both desa's ADD: Suka Pindah starts without one, Arah Tiga with Rp500.000.000.
    VillageFund.objects.filter(village=suka_pindah, fiscal_year=TODAY.year).delete()
    VillageFund.objects.update_or_create(
        village=arah_tiga, fiscal_year=TODAY.year, defaults={"add_amount": 500_000_000}
    )
    before = funds()
    client = login(dpmd_mukomuko)
    url = f"/wilayah/{MUKOMUKO}/anggaran/add/impor/"
    kelurahan = Village.objects.filter(subdistrict__regency=MUKOMUKO, kind="kelurahan").first()
    bad = "\n".join(
        [
            "Kode Desa,Tahun,ADD",
            f"{suka_pindah.code},{TODAY.year},650.000.000",
            f"76.05.02.2003,{TODAY.year},1000",
            f"{kelurahan.code},{TODAY.year},1000",
            f"17.06.99.9999,{TODAY.year},1000",
            f"{suka_pindah.code},{TODAY.year},1",
            f"{arah_tiga.code},tahun,1",
        ]
    )

    response = client.post(url, {"file": SimpleUploadedFile("add.csv", bad.encode())})

    errors = page(response).find("div", cls="budget-alert").find("table").rows()
    assert [number(error["Baris"]) for error in errors] == [3, 4, 5, 6, 7]
    assert not page(response).find_all("input", name="token")
    assert funds() == before

    good = "\n".join(
        [
            "Kode Desa,Tahun,ADD",
            f"{suka_pindah.code.replace('.', '')},{TODAY.year},650000000",
            f"{arah_tiga.code},{TODAY.year},Rp600.000.000",
        ]
    )
    preview = client.post(url, {"file": SimpleUploadedFile("add.csv", good.encode())})
    rows = section(page(preview), "Pratinjau").find("table").rows()
    assert [(row[""], row["ADD"]) for row in rows] == [
        ("baru", "Rp650.000.000"),
        ("berubah", "Rp600.000.000 sebelumnya Rp500.000.000"),
    ]
    token = page(preview).find("input", name="token").attrs["value"]
    assert client.post(url, {"token": token}).status_code == 302
    assert funds() == before | {
        (suka_pindah.code, TODAY.year): 650_000_000,
        (arah_tiga.code, TODAY.year): 600_000_000,
    }


def test_only_dpmd_writes_the_add(bengkulu_observer, head_suka_pindah, dpmd_majene, suka_pindah, login):
    data = {"village": suka_pindah.code, "fiscal_year": TODAY.year, "add_amount": "1000"}
    before = funds()

    assert login(bengkulu_observer).get(f"/wilayah/{MUKOMUKO}/anggaran/add/").status_code == 200
    assert login(bengkulu_observer).post(f"/wilayah/{MUKOMUKO}/anggaran/add/", data).status_code == 403
    assert login(bengkulu_observer).get(f"/wilayah/{MUKOMUKO}/anggaran/add/impor/").status_code == 403
    assert login(head_suka_pindah).get(f"/wilayah/{MUKOMUKO}/anggaran/add/").status_code == 404
    assert login(dpmd_majene).post(f"/wilayah/{MUKOMUKO}/anggaran/add/", data).status_code == 404
    assert funds() == before


# --- query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["/skenario/{pk}/", "/skenario/{pk}.xlsx", "/wilayah/{regency}/skenario/"])
def test_scenario_pages_cost_as_many_queries_for_mukomuko_as_for_ten_desa(
    demo, tiny, dpmd_tiny, dpmd_mukomuko, login, django_assert_max_num_queries, pattern
):
    small_scenario = make(dpmd_tiny, regency=TINY)
    small = count_queries(login(dpmd_tiny), pattern.format(pk=small_scenario.pk, regency=TINY))
    assert small <= 12

    large_scenario = make(dpmd_mukomuko)
    client = login(dpmd_mukomuko)
    url = pattern.format(pk=large_scenario.pk, regency=MUKOMUKO)
    client.get(url)
    with django_assert_max_num_queries(small) as large:
        assert client.get(url).status_code == 200
    assert len(large) == small


def test_comparing_costs_the_same_for_mukomuko_as_for_ten_desa(demo, tiny, dpmd_tiny, dpmd_mukomuko, login):
    small_ids = [make(dpmd_tiny, regency=TINY, name=n).pk for n in "ab"]
    large_ids = [make(dpmd_mukomuko, name=n).pk for n in "ab"]

    small = count_queries(login(dpmd_tiny), f"/wilayah/{TINY}/skenario/banding/?ids={small_ids[0]}&ids={small_ids[1]}")
    large = count_queries(
        login(dpmd_mukomuko), f"/wilayah/{MUKOMUKO}/skenario/banding/?ids={large_ids[0]}&ids={large_ids[1]}"
    )
    assert large == small <= 14


# --- what the ADD check does not know ----------------------------------------------------------------


def add_caveat(year: int, n: int) -> str:
    """The caveat as a user reads it: "ADD 2027 belum diisi untuk 139 desa" once the catalogue has it."""
    return gettext("ADD %(year)s not entered yet for %(n)s desa") % {"year": year, "n": n}


def test_a_scenario_of_a_year_without_add_says_so_instead_of_no_desa_above(demo, dpmd_mukomuko, login):
    next_july = JULY.replace(year=JULY.year + 1)
    assert not VillageFund.objects.filter(fiscal_year=next_july.year).exists()
    scenario = make(dpmd_mukomuko, start=next_july)
    desa = len(scenario_result(scenario, day=TODAY).villages)

    shown = page(login(dpmd_mukomuko).get(f"/skenario/{scenario.pk}/"))

    add_share = shown.find("section", cls="add-share")
    assert add_caveat(next_july.year, desa) in add_share.text
    assert gettext("None of the desa whose ADD is known.") not in add_share.text
    assert gettext("A scenario costs the cover; it enrols nobody.") in shown.find("div", cls="heading").text


def test_the_comparison_shows_the_same_caveat(demo, dpmd_mukomuko, login):
    known = make(dpmd_mukomuko, name="Tahun ini")
    unknown = make(dpmd_mukomuko, name="Tahun depan", start=JULY.replace(year=JULY.year + 1))
    desa = len(scenario_result(unknown, day=TODAY).villages)

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/skenario/banding/?ids={known.pk}&ids={unknown.pk}")

    this_year, next_year = by_row_heading(page(response).find("table"))["Desa di atas batas ADD"]
    assert add_caveat(JULY.year + 1, desa) in next_year
    assert not next_year.startswith("0")  # no "0 desa above" where nothing was checked
    assert "belum diisi" not in this_year and "not entered" not in this_year  # the demo entered this year's ADD


def test_the_caveat_counts_only_the_desa_without_add(demo, dpmd_mukomuko):
    scenario = make(dpmd_mukomuko)
    villages = scenario_result(scenario, day=TODAY).villages
    VillageFund.objects.filter(village_id__in=[v.code for v in villages[:3]], fiscal_year=JULY.year).delete()

    assert scenario_result(scenario, day=TODAY).add_caveat == add_caveat(JULY.year, 3)
