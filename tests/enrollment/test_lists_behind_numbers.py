"""Every list behind a number: the desa behind a village figure, the officials behind a funding-source
figure, the follow-up list, the DPMD list of submissions and the officials past the deadline. Each has
kecamatan and desa columns, filters by kecamatan and desa (and position and status where it lists
officials), sorts, and downloads as Excel the very rows of the filtered page; the number that links to
it counts its rows; nothing outside the user's regency is shown or confirmed.

The figures are read with the demo loaded (Mukomuko, Majene); the filters on officials made here."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from core.models import FundingSource, Program, Village
from submissions.models import Submission
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory
from tests.html import numbers, page
from tests.spreadsheets import table_rows
from villages.models import Position, Post

TK, KES = Program.KETENAGAKERJAAN, Program.KESEHATAN
MUKOMUKO, MAJENE = "17.06", "76.05"
LUBUK_PINANG = "17.06.01"
SUKA_PINDAH, ARAH_TIGA = "17.06.01.2005", "17.06.01.2007"
PAMBOANG, ADOLANG = "76.05.02", "76.05.02.2003"  # a kecamatan and a desa of Majene


def url(path: str, **query: str) -> str:
    return f"{path}?" + "&".join(f"{k}={v}" for k, v in query.items())


def table(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return page(response).find("table").rows()


def xlsx(response) -> tuple[tuple, list[tuple]]:
    assert response.status_code == 200, response.status_code
    header, *rows = table_rows(response.content)
    return header, rows


def column(response, name: str) -> list:
    header, rows = xlsx(response)
    return [row[header.index(name)] for row in rows]


def code_of(cell: str) -> str:
    """A desa's cell reads "Suka Pindah 17.06.01.2005": the code is under the name."""
    return cell.split()[-1]


def listed(response) -> int:
    return numbers(page(response).find("h1").text)[0]


def relative(href: str) -> str:
    return href.replace("&amp;", "&")


# --- the numbers and the lists behind them -----------------------------------------------------------


def test_each_kecamatan_figure_of_the_dashboard_links_to_a_list_with_as_many_rows(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    dashboard = page(client.get(f"/wilayah/{MUKOMUKO}/"))
    links = [a for a in dashboard.find_all("a") if "kecamatan=" in a.attrs.get("href", "")]
    villages = [a for a in links if "/desa/" in a.attrs["href"]]
    officials = [a for a in links if "/perangkat/" in a.attrs["href"]]
    assert len(villages) == len(officials) == 2 * 15  # two programs, fifteen kecamatan

    for a in villages[:6]:
        response = client.get(relative(a.attrs["href"]))
        rows = table(response)
        assert len(rows) == listed(response) == numbers(a.text)[0]
        kecamatan = parse_qs(urlsplit(relative(a.attrs["href"])).query)["kecamatan"][0]
        assert {code_of(r["Desa"])[:8] for r in rows} <= {kecamatan}
    for a in officials[:6]:
        response = client.get(relative(a.attrs["href"]))
        assert listed(response) == numbers(a.text)[0]
        assert len(xlsx(client.get(relative(a.attrs["href"]) + "&format=xlsx"))[1]) == numbers(a.text)[0]


def test_each_desa_figure_of_the_kecamatan_page_links_to_its_officials(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    detail = page(client.get(f"/kecamatan/{LUBUK_PINANG}/"))
    links = [a for a in detail.find_all("a") if "/perangkat/" in a.attrs.get("href", "")]
    by_desa = [a for a in links if "desa=" in a.attrs["href"]]
    total = [a for a in links if "desa=" not in a.attrs["href"]]
    assert by_desa and len(total) == 2  # the total row, per program

    for a in [*by_desa[:4], *total]:
        response = client.get(relative(a.attrs["href"]) + "&format=xlsx")
        assert len(xlsx(response)[1]) == numbers(a.text)[0]


def test_funding_source_figures_link_to_the_officials_and_desa_paid_from_it(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    card = page(client.get(f"/wilayah/{MUKOMUKO}/")).find("article", cls="program", data_program=KES)
    (item,) = card.find("ul", cls="sources").find_all("li")
    officials_link, villages_link = item.find_all("a")
    assert numbers(item.text) == (1220, 148)

    officials = client.get(relative(officials_link.attrs["href"]))
    assert listed(officials) == 1220
    sources = column(client.get(relative(officials_link.attrs["href"]) + "&format=xlsx"), "Sumber dana BPJS Kesehatan")
    assert len(sources) == 1220 and set(sources) == {"DAU"}
    villages = client.get(relative(villages_link.attrs["href"]))
    assert len(table(villages)) == listed(villages) == 148


def test_officials_of_another_funding_source_are_not_in_its_list(demo, dpmd_mukomuko, login):
    add = FundingSource.objects.get(pk="ADD")
    response = login(dpmd_mukomuko).get(
        url(f"/wilayah/{MUKOMUKO}/perangkat/", program=KES, which="covered", source=add.code, format="xlsx")
    )

    assert xlsx(response)[1] == []


def test_unknown_funding_source_is_not_found(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(url(f"/wilayah/{MUKOMUKO}/perangkat/", program=KES, source="XYZ"))

    assert response.status_code == 404


# --- the desa behind a village figure ---------------------------------------------------------------


def villages(**query: str) -> str:
    return url(f"/wilayah/{MUKOMUKO}/desa/", **{"program": KES, "which": "all", **query})


def test_village_list_by_kecamatan_and_desa_narrows_page_and_excel(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    everything = table(client.get(villages()))
    in_lubuk_pinang = table(client.get(villages(kecamatan=LUBUK_PINANG)))
    one = table(client.get(villages(kecamatan=LUBUK_PINANG, desa=SUKA_PINDAH)))

    assert len(everything) > len(in_lubuk_pinang) > len(one) == 1
    assert {code_of(r["Desa"])[:8] for r in in_lubuk_pinang} == {LUBUK_PINANG}
    assert {r["Kecamatan"] for r in in_lubuk_pinang} == {Village.objects.get(pk=SUKA_PINDAH).subdistrict.name}
    assert column(client.get(villages(kecamatan=LUBUK_PINANG, format="xlsx")), "Kode desa") == [
        code_of(r["Desa"]) for r in in_lubuk_pinang
    ]


@pytest.mark.parametrize("sort", ["desa", "kecamatan", "officials", "covered"])
def test_village_list_sorts_and_its_excel_keeps_the_order(demo, dpmd_mukomuko, login, sort):
    client = login(dpmd_mukomuko)
    rows = table(client.get(villages(sort=sort)))
    header, data = xlsx(client.get(villages(sort=sort, format="xlsx")))

    assert [code_of(r["Desa"]) for r in rows] == [row[0] for row in data]
    names = [row[header.index("Desa")] for row in data]
    if sort == "desa":
        assert names == sorted(names)
    elif sort == "kecamatan":
        kecamatan = [row[header.index("Kecamatan")] for row in data]
        assert kecamatan == sorted(kecamatan)
    elif sort == "officials":
        counts = [row[header.index("Perangkat desa")] for row in data]
        assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    else:
        covered = [row[header.index("Perangkat desa tercakup")] for row in data]
        assert covered == sorted(covered)


# --- the follow-up list ------------------------------------------------------------------------------


def followup(**query: str) -> str:
    return url(f"/wilayah/{MAJENE}/tindak-lanjut/", **{"program": KES, **query})


def test_followup_by_kecamatan_narrows_page_and_excel_to_the_same_desa(demo, dpmd_majene, login):
    client = login(dpmd_majene)
    everything = table(client.get(followup()))
    rows = table(client.get(followup(kecamatan=PAMBOANG)))

    assert 0 < len(rows) < len(everything)
    assert {code_of(r["Desa"])[:8] for r in rows} == {PAMBOANG}
    header, data = xlsx(client.get(followup(kecamatan=PAMBOANG, format="xlsx")))
    assert [row[0] for row in data] == [code_of(r["Desa"]) for r in rows]
    assert header[-1] == "Pengajuan"  # where each desa stands, as on the page


def test_followup_sorted_by_desa_in_page_and_excel(demo, dpmd_majene, login):
    client = login(dpmd_majene)
    rows = table(client.get(followup(sort="desa")))
    names = column(client.get(followup(sort="desa", format="xlsx")), "Desa")

    assert names == sorted(names)
    assert [code_of(r["Desa"]) for r in rows] == column(client.get(followup(sort="desa", format="xlsx")), "Kode desa")


# --- the DPMD list of submissions --------------------------------------------------------------------


@pytest.fixture
def submissions(suka_pindah, arah_tiga, kes, tk, head_suka_pindah):
    """Lubuk Pinang's submissions: Suka Pindah sent both programs, Arah Tiga BPJS Kesehatan."""
    Submission.objects.filter(village__subdistrict_id=LUBUK_PINANG).update(status=Submission.Status.FORWARDED)
    at = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    for village, program, day in ((suka_pindah, kes, 2), (suka_pindah, tk, 5), (arah_tiga, kes, 1)):
        Submission.objects.create(
            village=village,
            program=program,
            status=Submission.Status.SUBMITTED,
            created_by=head_suka_pindah,
            submitted_at=at + dt.timedelta(days=day),
        )


def regency_submissions(**query: str) -> str:
    return url(f"/wilayah/{MUKOMUKO}/pengajuan/", **query)


KES_NAME, TK_NAME = "BPJS Kesehatan", "BPJS TK"


def test_submissions_by_kecamatan_and_desa_narrow_page_counts_and_excel(submissions, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    response = client.get(regency_submissions(kecamatan=LUBUK_PINANG, sort="desa"))
    rows = table(response)

    assert [(r["Desa"], r["Program"]) for r in rows] == [  # programs in their usual order: BPJS TK first
        ("Arah Tiga", KES_NAME),
        ("Suka Pindah", TK_NAME),
        ("Suka Pindah", KES_NAME),
    ]
    # the count beside "To handle" is of the kecamatan too
    (to_handle,) = [a for a in page(response).find_all("a") if "status=queue" in a.attrs.get("href", "")]
    assert numbers(to_handle.text)[-1] == 3
    header, data = xlsx(client.get(regency_submissions(kecamatan=LUBUK_PINANG, sort="desa", format="xlsx")))
    assert [(row[header.index("Desa")], row[header.index("Program")]) for row in data] == [
        (r["Desa"], r["Program"]) for r in rows
    ]
    assert [r["Desa"] for r in table(client.get(regency_submissions(desa=SUKA_PINDAH)))] == ["Suka Pindah"] * 2


def test_submissions_sorted_oldest_submitted_first(submissions, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    rows = table(client.get(regency_submissions(kecamatan=LUBUK_PINANG, sort="submitted")))

    assert [(r["Desa"], r["Program"]) for r in rows] == [
        ("Arah Tiga", KES_NAME),
        ("Suka Pindah", KES_NAME),
        ("Suka Pindah", TK_NAME),
    ]


def test_submissions_excel_keeps_the_program_and_status_filter(submissions, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    query = {"kecamatan": LUBUK_PINANG, "program": TK, "status": "submitted"}

    assert [r["Desa"] for r in table(client.get(regency_submissions(**query)))] == ["Suka Pindah"]
    assert column(client.get(regency_submissions(**query, format="xlsx")), "Desa") == ["Suka Pindah"]


# --- the officials past the deadline -----------------------------------------------------------------


@pytest.fixture
def overdue(suka_pindah, arah_tiga):
    """In Lubuk Pinang only these, none in JKN, inaugurated long ago."""
    Post.objects.filter(village__subdistrict_id=LUBUK_PINANG).delete()
    long_ago = dt.date(2020, 1, 1)
    for name, village, position, status in (
        ("Cahya Kadus", arah_tiga, Position.KEPALA_DUSUN, Post.Status.DEFINITIF),
        ("Zaki Kasi", suka_pindah, Position.KASI_PEMERINTAHAN, Post.Status.PLT),
        ("Bayu Kadus", suka_pindah, Position.KEPALA_DUSUN, Post.Status.DEFINITIF),
    ):
        PostFactory(
            person=PersonFactory(full_name=name),
            village=village,
            position=position,
            status=status,
            term_start=long_ago,
            inauguration_date=long_ago,
        )


def deadlines(**query: str) -> str:
    return url(f"/wilayah/{MUKOMUKO}/tenggat/", **{"program": KES, "kecamatan": LUBUK_PINANG, **query})


def overdue_names(response) -> list[str]:
    assert response.status_code == 200
    return [r["Nama"] for r in page(response).find_all("table")[-1].rows()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Bayu Kadus", "Cahya Kadus", "Zaki Kasi"]),
        ({"desa": SUKA_PINDAH}, ["Bayu Kadus", "Zaki Kasi"]),
        ({"position": "kepala_dusun"}, ["Bayu Kadus", "Cahya Kadus"]),
        ({"status": "plt"}, ["Zaki Kasi"]),
    ],
)
def test_deadline_filters_narrow_the_officials_and_their_excel(overdue, dpmd_mukomuko, login, query, expected):
    client = login(dpmd_mukomuko)

    assert overdue_names(client.get(deadlines(sort="name", **query))) == expected
    assert column(client.get(deadlines(sort="name", format="xlsx", **query)), "Nama") == expected


def test_deadline_list_sorts_by_position_in_page_and_excel(overdue, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    expected = ["Zaki Kasi", "Bayu Kadus", "Cahya Kadus"]  # a Kasi before the Kadus

    assert overdue_names(client.get(deadlines(sort="position"))) == expected
    assert column(client.get(deadlines(sort="position", format="xlsx")), "Nama") == expected


def test_deadline_list_shows_kecamatan_and_desa_of_each_official(overdue, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(deadlines(desa=ARAH_TIGA, format="xlsx"))

    header, (row,) = xlsx(response)
    assert row[header.index("Desa")] == "Arah Tiga"
    assert row[header.index("Kecamatan")] == Village.objects.get(pk=ARAH_TIGA).subdistrict.name


# --- out of scope ------------------------------------------------------------------------------------

LISTS = [
    f"/wilayah/{MUKOMUKO}/desa/?program={KES}&which=all",
    f"/wilayah/{MUKOMUKO}/perangkat/?program={KES}&which=all",
    f"/wilayah/{MUKOMUKO}/tindak-lanjut/?program={KES}",
    f"/wilayah/{MUKOMUKO}/pengajuan/?program={KES}",
    f"/wilayah/{MUKOMUKO}/tenggat/?program={KES}",
]


@pytest.mark.parametrize("path", LISTS)
def test_dpmd_of_another_regency_gets_neither_list_nor_excel(dpmd_majene, login, path):
    client = login(dpmd_majene)

    assert client.get(path).status_code == 404
    assert client.get(path + "&format=xlsx").status_code == 404


@pytest.mark.parametrize("path", LISTS)
def test_village_head_gets_no_regency_list(head_suka_pindah, login, path):
    client = login(head_suka_pindah)

    assert client.get(path).status_code == 404
    assert client.get(path + f"&desa={SUKA_PINDAH}&format=xlsx").status_code == 404


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "narrowing", [f"kecamatan={PAMBOANG}", f"desa={ADOLANG}", f"kecamatan={LUBUK_PINANG}&desa={ADOLANG}"]
)
def test_kecamatan_or_desa_of_another_regency_is_not_found(dpmd_mukomuko, login, path, narrowing):
    client = login(dpmd_mukomuko)

    assert client.get(f"{path}&{narrowing}").status_code == 404
    assert client.get(f"{path}&{narrowing}&format=xlsx").status_code == 404


def test_desa_of_another_kecamatan_of_the_regency_is_not_found(dpmd_mukomuko, login):
    other = Village.objects.filter(subdistrict__regency_id=MUKOMUKO).exclude(subdistrict_id=LUBUK_PINANG).first()

    for path in LISTS:
        assert login(dpmd_mukomuko).get(f"{path}&kecamatan={LUBUK_PINANG}&desa={other.code}").status_code == 404


# --- cost --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/wilayah/{regency}/desa/?program=bpjs_kesehatan&which=covered&sort=covered",
        "/wilayah/{regency}/perangkat/?program=bpjs_kesehatan&which=covered&source=DAU",
        "/wilayah/{regency}/tindak-lanjut/?program=bpjs_kesehatan&sort=kecamatan",
        "/wilayah/{regency}/pengajuan/?status=all&sort=missing",
    ],
)
def test_lists_cost_the_same_for_a_small_and_a_big_regency(demo, superuser, login, django_assert_max_num_queries, path):
    client = login(superuser)
    for regency in (MAJENE, MUKOMUKO):  # 62 desa, 148 desa
        with django_assert_max_num_queries(14):
            assert client.get(path.format(regency=regency)).status_code == 200


def test_officials_excel_of_a_big_regency_costs_the_same_as_a_small_one(
    demo, superuser, login, django_assert_max_num_queries
):
    client = login(superuser)
    for regency in (MAJENE, MUKOMUKO):
        with django_assert_max_num_queries(12):
            response = client.get(f"/wilayah/{regency}/perangkat/?program={KES}&which=all&format=xlsx")
        assert response.status_code == 200


# An official made here shows in the list by position of the demo's desa too: the filters narrow it.
def test_position_filter_of_the_officials_list_counts_like_its_excel(demo, dpmd_mukomuko, login, tk):
    person = PersonFactory(full_name="Wati Staf")
    PostFactory(person=person, village=Village.objects.get(pk=ARAH_TIGA), position=Position.STAF)
    EnrollmentFactory(person=person, program=tk, start_date=dt.date(2021, 1, 1))
    client = login(dpmd_mukomuko)
    query = {"program": TK, "which": "covered", "desa": ARAH_TIGA, "position": "staf"}

    response = client.get(url(f"/wilayah/{MUKOMUKO}/perangkat/", **query))
    names = column(client.get(url(f"/wilayah/{MUKOMUKO}/perangkat/", **query, format="xlsx")), "Nama")
    assert "Wati Staf" in names and len(names) == listed(response)
