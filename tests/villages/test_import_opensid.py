"""Importing the officials list downloaded from OpenSID (Buku Data Aparat Pemerintahan Desa, Model A.4): an
HTML table named .xls, with no NIK. Its rows are matched to the desa's current officials by name and birth
date; the preview asks for the NIK of the others before anything is saved."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from core.nik import mask_nik
from tests.factories import PersonFactory, PostFactory, UserFactory
from tests.villages.test_roster_import import (  # noqa: F401 (media: the autouse fixture of the import tests)
    ARAH_TIGA,
    SUKA_PINDAH,
    db_state,
    errors_of,
    in_indonesian,
    last_import,
    media,
    nik,
    upload,
)
from villages.models import NikConflict, Person, Position, Post, RosterImport
from villages.roster_import.opensid import _date_of, _term_end, name_keys

OPENSID_NAME = "pamong_2024-10-01.xls"
# The header row of the v2410 download (cetak.blade.php), column 3 under its default label NIPD.
OPENSID_HEADERS = [
    "NO",
    "NAMA",
    "NIPD",
    "NIP",
    "JENIS KELAMIN",
    "TEMPAT TANGGAL LAHIR",
    "AGAMA",
    "PANGKAT/ GOLONGAN",
    "JABATAN",
    "PENDIDIKAN TERAKHIR",
    "NOMOR DAN TANGGAL KEPUTUSAN PENGANGKATAN",
    "NOMOR DAN TANGGAL KEPUTUSAN PEMBERHENTIAN",
    "KETERANGAN (Periode/Masa Jabatan)",
]


def aparat(
    name: str,
    *,
    sex: str = "Laki-laki",
    born: str = "Mukomuko, 17-08-1985",
    position: str = "Kepala Dusun",
    sk: str = "141/05/SK/2020, 02-01-2020",
    dismissal: str = "-, -",
    term: str = "2020-2026",
) -> list[str]:
    """One official's 13 cells, as OpenSID prints them (NO is filled in by opensid_export)."""
    return ["", name, "0", "", sex, born, "ISLAM", "", position, "SLTA / SEDERAJAT", sk, dismissal, term]


def opensid_export(rows: list[list[str]]) -> bytes:
    """A download as OpenSID renders it: title, Model A.4 box, header block, the table of 13 columns with
    its row of column numbers, and the signature block."""
    lines = []
    for number, row in enumerate(rows, start=1):
        cells = [str(number), *row[1:]]
        lines.append(
            "<tr>"
            + "".join(
                f'<td class="textx">{html.escape(v)}</td>' if i in (2, 3) else f"<td>{html.escape(v)}</td>"
                for i, v in enumerate(cells)
            )
            + "</tr>"
        )
    body = "\n".join(lines)
    header_block = (
        "\n".join(
            f'<tr><td colspan="2" class="bold">{label}</td><td colspan="1"> : {value}</td>'
            '<td colspan="10">&nbsp;</td></tr>'
            for label, value in (
                ("Desa", "SUKA PINDAH"),
                ("Kecamatan", "LUBUK PINANG"),
                ("Kabupaten", "MUKOMUKO"),
                ("Bulan / Tahun", "Oktober / 2024"),
            )
        )
        + '\n<tr><td colspan="13">&nbsp;</td></tr>'
    )
    signature_block = "\n".join(
        f'<tr><td colspan="3">&nbsp;</td><td colspan="3">{left}</td><td colspan="3">&nbsp;</td>'
        f'<td colspan="4">{right}</td></tr>'
        for left, right in (
            ("Mengetahui", "Suka Pindah, 01 Oktober 2024"),
            ("KEPALA DESA", "SEKRETARIS DESA"),
            ("<b>BUDI SAPUTRA</b>", "<b>SARI WAHYUNI</b>"),
            ("NIPD 0", "NIPD 0"),
        )
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>BUKU DATA APARAT PEMERINTAHAN DESA</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<style>.textx {{ mso-number-format:"\\@"; }}</style></head>
<body><div id="container"><div id="body">
<div align="center"><h3> BUKU DATA APARAT PEMERINTAHAN DESA </h3></div>
<table><col span="12"><col><tr><td colspan="12">&nbsp;</td><td>Model A.4</td></tr></table>
<table>
{header_block}
</table>
<table class="border thick"><thead>
<tr class="border thick">{"".join(f"<th>{h}</th>" for h in OPENSID_HEADERS)}</tr>
<tr>{"".join(f"<th>{n}</th>" for n in range(1, 14))}</tr>
</thead><tbody>
{body}</tbody></table>
<table>
{signature_block}
</table></div></div></body></html>""".encode()


@pytest.fixture
def budi(suka_pindah):
    person = PersonFactory(full_name="Budi Saputra", nik=nik(1), birth_date=dt.date(1985, 8, 17))
    return PostFactory(person=person, village=suka_pindah, position=Position.KEPALA_DUSUN, local_title="Kadus I")


@pytest.fixture
def sari(suka_pindah):
    person = PersonFactory(full_name="Sari Wahyuni", nik=nik(2, female=True), sex="P", birth_date=dt.date(1985, 8, 17))
    return PostFactory(person=person, village=suka_pindah, position=Position.KAUR_KEUANGAN, status=Post.Status.PLT)


@pytest.fixture
def rina_of_arah_tiga(arah_tiga):
    """An official of another desa, whom a Suka Pindah file must never reach by name and birth date."""
    born = dt.date(1990, 3, 5)
    person = PersonFactory(full_name="Rina Marlina", nik=nik(7, birth=born, female=True), sex="P", birth_date=born)
    return PostFactory(person=person, village=arah_tiga, position=Position.STAF)


@pytest.fixture
def head(head_suka_pindah, login):
    return login(head_suka_pindah)


def post_niks(client, roster_import: RosterImport, data: dict):
    return client.post(f"/impor/{roster_import.token}/nik/", data)


def needs_nik(roster_import: RosterImport) -> dict[str, dict]:
    roster_import.refresh_from_db()
    return {entry["name"]: entry for entry in roster_import.result.get("needs_nik", [])}


DEDI_NIK = nik(3, birth=dt.date(1990, 1, 2))


# --- matched rows ------------------------------------------------------------------------------------


def test_opensid_rows_of_current_officials_import_without_typing_a_nik(budi, sari, head):
    content = opensid_export(
        [
            aparat("BUDI SAPUTRA", position="Kepala Dusun", sk="141/07/SK/2024, 02-01-2024"),
            aparat(
                "Drs. Sari Wahyuni, S.Pd.",
                sex="Perempuan",
                born="Arah Tiga, Sumatera, 17 Agustus 1985",
                position="Kaur Keuangan",
                sk=", -",
            ),
        ]
    )
    before = db_state()

    response = upload(head, content, name=OPENSID_NAME)

    roster_import = last_import()
    assert response.status_code == 302, errors_of(response)
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]
    assert "needs_nik" not in roster_import.result
    changed = {e["name"]: e for e in roster_import.result["changed"]}
    assert [c["column"] for c in changed["Budi Saputra"]["changes"]] == ["Nomor SK", "Tanggal SK"]
    assert changed["Budi Saputra"]["nik"] == mask_nik(nik(1))
    # Sari: matched through her titles; an empty SK cell and her Plt status leave her post as it is.
    assert [e["name"] for e in roster_import.result["unchanged"]] == ["Sari Wahyuni"]
    assert db_state() == before

    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    budi.refresh_from_db()
    budi.person.refresh_from_db()
    assert (budi.sk_number, budi.sk_date) == ("141/07/SK/2024", dt.date(2024, 1, 2))
    assert (budi.person.full_name, budi.term_start, budi.status) == ("Budi Saputra", dt.date(2020, 1, 1), "definitif")
    sari.refresh_from_db()
    assert sari.status == Post.Status.PLT


def test_a_dismissal_in_opensid_ends_the_matched_post_and_leaves_out_a_former_official(budi, head):
    content = opensid_export(
        [
            aparat("Budi Saputra", dismissal="141/09/SK/2025, 30-06-2025"),
            aparat("Joko Lama", born="Mukomuko, 01-01-1960", dismissal="141/02/SK/2019, 01-02-2019"),
        ]
    )

    upload(head, content, name=OPENSID_NAME)

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]
    assert [e["name"] for e in roster_import.result["ended"]] == ["Budi Saputra"]
    assert "needs_nik" not in roster_import.result  # a former official is not asked for: not imported
    warnings = {w["row"]: w["message"] for w in roster_import.result["warnings"]}
    assert any("141/02/SK/2019" in message for message in warnings.values())
    head.post(f"/impor/{roster_import.token}/konfirmasi/")
    budi.refresh_from_db()
    assert (budi.ended_on, budi.end_reason) == (dt.date(2025, 6, 30), Post.EndReason.DISMISSED)


# --- rows no official matches ------------------------------------------------------------------------


def test_an_unmatched_row_asks_for_the_nik_and_confirming_after_typing_it_creates_the_official(budi, head):
    content = opensid_export(
        [aparat("Budi Saputra"), aparat("Dedi Gunawan", born="Mukomuko, 02 Januari 1990", position="Staf")]
    )
    before = db_state()

    upload(head, content, name=OPENSID_NAME)

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert needs_nik(roster_import)["Dedi Gunawan"]["birth_date"] == "02-01-1990"
    page = head.get(f"/impor/{roster_import.token}/").content.decode()
    row = needs_nik(roster_import)["Dedi Gunawan"]["row"]
    assert f'name="nik-{row}"' in page
    assert f"/impor/{roster_import.token}/konfirmasi/" not in page  # no confirming while a NIK is missing
    head.post(f"/impor/{roster_import.token}/konfirmasi/")
    assert last_import().status == RosterImport.Status.PREVIEW
    assert db_state() == before

    post_niks(head, roster_import, {f"nik-{row}": DEDI_NIK})

    roster_import.refresh_from_db()
    assert needs_nik(roster_import) == {}
    assert [e["name"] for e in roster_import.result["new"]] == ["Dedi Gunawan"]
    assert roster_import.result["new"][0]["nik"] == mask_nik(DEDI_NIK)
    assert DEDI_NIK not in str(roster_import.result)
    assert db_state() == before  # nothing written before the confirmation

    response = head.post(f"/impor/{roster_import.token}/konfirmasi/")

    assert response.status_code == 302
    assert last_import().status == RosterImport.Status.APPLIED
    dedi = Post.objects.select_related("person").get(person__nik_hash=Person(nik=DEDI_NIK).nik_hash)
    assert (dedi.village_id, dedi.position, dedi.person.full_name) == (SUKA_PINDAH, Position.STAF, "Dedi Gunawan")
    assert (dedi.person.birth_date, dedi.sk_date, dedi.term_start) == (
        dt.date(1990, 1, 2),
        dt.date(2020, 1, 2),
        dt.date(2020, 1, 2),
    )


def test_a_wrong_nik_is_refused_on_its_row_and_the_others_typed_are_kept(budi, head):
    content = opensid_export(
        [
            aparat("Dedi Gunawan", born="Mukomuko, 02-01-1990", position="Staf"),
            aparat("Eko Susanto", born="Mukomuko, 17-08-1985", position="Kasi Pelayanan"),
        ]
    )
    upload(head, content, name=OPENSID_NAME)
    roster_import = last_import()
    rows = {name: entry["row"] for name, entry in needs_nik(roster_import).items()}
    before = db_state()

    post_niks(head, roster_import, {f"nik-{rows['Dedi Gunawan']}": DEDI_NIK, f"nik-{rows['Eko Susanto']}": "1706"})

    waiting = needs_nik(roster_import)
    assert list(waiting) == ["Eko Susanto"]
    assert waiting["Eko Susanto"]["errors"] == [in_indonesian("NIK must be exactly 16 digits.")]
    assert [e["name"] for e in roster_import.result["new"]] == ["Dedi Gunawan"]  # kept
    page = head.get(f"/impor/{roster_import.token}/").content.decode()
    assert in_indonesian("NIK must be exactly 16 digits.") in page
    head.post(f"/impor/{roster_import.token}/konfirmasi/")
    assert last_import().status == RosterImport.Status.PREVIEW
    assert db_state() == before


def test_a_typed_nik_of_an_official_of_the_file_is_refused_as_a_duplicate(budi, head):
    content = opensid_export([aparat("Budi Saputra"), aparat("Dedi Gunawan", born="Mukomuko, 02-01-1990")])
    upload(head, content, name=OPENSID_NAME)
    roster_import = last_import()
    row = needs_nik(roster_import)["Dedi Gunawan"]["row"]

    post_niks(head, roster_import, {f"nik-{row}": nik(1)})

    waiting = needs_nik(roster_import)
    assert "Dedi Gunawan" in waiting and waiting["Dedi Gunawan"]["errors"]
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert [e["name"] for e in roster_import.result["changed"] + roster_import.result["unchanged"]] == ["Budi Saputra"]


def test_a_row_left_out_is_dropped_and_the_file_can_be_confirmed(budi, head):
    content = opensid_export([aparat("Budi Saputra", sk="141/07/SK/2024, 02-01-2024"), aparat("Orang Lain")])
    upload(head, content, name=OPENSID_NAME)
    roster_import = last_import()
    row = needs_nik(roster_import)["Orang Lain"]["row"]

    post_niks(head, roster_import, {f"skip-{row}": "1"})

    assert needs_nik(roster_import) == {}
    head.post(f"/impor/{roster_import.token}/konfirmasi/")
    assert last_import().status == RosterImport.Status.APPLIED
    assert not Person.objects.filter(full_name="Orang Lain").exists()


def test_a_large_opensid_list_checked_by_the_task_is_matched_the_same_way(
    budi, head, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_IMPORT_INLINE_ROWS = 1
    content = opensid_export([aparat("Budi Saputra"), aparat("Dedi Gunawan", born="Mukomuko, 02-01-1990")])

    with django_capture_on_commit_callbacks(execute=True):
        upload(head, content, name=OPENSID_NAME)

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result.get("errors")
    assert list(needs_nik(roster_import)) == ["Dedi Gunawan"]
    assert [e["name"] for e in roster_import.result["changed"]] == ["Budi Saputra"]  # its SK, from the file


# --- scope -------------------------------------------------------------------------------------------


def test_an_official_of_another_desa_with_the_same_name_and_birth_date_is_not_matched(
    rina_of_arah_tiga, head, suka_pindah, set_aside_posts
):
    set_aside_posts(village=suka_pindah)  # the demo's officials, listed (masked) as not in the file
    content = opensid_export([aparat("Rina Marlina", sex="Perempuan", born="Arah Tiga, 05-03-1990", position="Staf")])

    upload(head, content, name=OPENSID_NAME)

    roster_import = last_import()
    assert list(needs_nik(roster_import)) == ["Rina Marlina"]
    assert roster_import.result["counts"]["new"] == roster_import.result["counts"]["changed"] == 0
    page = head.get(f"/impor/{roster_import.token}/").content.decode()
    assert mask_nik(nik(7, birth=dt.date(1990, 3, 5), female=True)) not in page
    assert "Arah Tiga" not in page.replace("Arah Tiga, 05-03-1990", "")
    assert not NikConflict.objects.exists()


def test_another_user_cannot_post_niks_to_ones_import(budi, head, head_arah_tiga, login, suka_pindah):
    upload(head, opensid_export([aparat("Dedi Gunawan", born="Mukomuko, 02-01-1990")]), name=OPENSID_NAME)
    roster_import = last_import()
    row = needs_nik(roster_import)["Dedi Gunawan"]["row"]
    colleague = UserFactory(username="desa-1706012005-b", role=head_arah_tiga.role, village=suka_pindah)

    for other in (head_arah_tiga, colleague):
        response = post_niks(login(other), roster_import, {f"nik-{row}": DEDI_NIK})
        assert response.status_code == 404

    assert "Dedi Gunawan" in needs_nik(roster_import)


def test_a_regency_wide_upload_of_an_opensid_list_is_refused(dpmd_mukomuko, login, budi):
    response = upload(
        login(dpmd_mukomuko), opensid_export([aparat("Budi Saputra")]), name=OPENSID_NAME, regency="17.06"
    )

    assert response.status_code == 200
    assert errors_of(response) == [
        in_indonesian(
            "An OpenSID officials list has no desa code and no NIK: it can only be matched to the officials of "
            "one desa. Upload it on that desa's page (Perangkat › Impor)."
        )
    ]
    assert not RosterImport.objects.exists()


# --- files that are not an OpenSID list --------------------------------------------------------------


def test_a_web_page_without_a_table_is_refused(head, suka_pindah):
    content = b"<!DOCTYPE html><html><body><h1>Daftar Perangkat</h1><p>Lihat lampiran.</p></body></html>"

    response = upload(head, content, name="perangkat.xls")

    assert errors_of(response) == [
        in_indonesian(
            "This file is a web page (HTML) without a table, not a spreadsheet. Upload the Excel template "
            "(.xlsx) filled in, a CSV file, or the officials list downloaded from OpenSID unchanged."
        )
    ]
    assert not RosterImport.objects.exists()


def test_an_html_table_that_is_not_the_buku_aparat_is_refused(head, suka_pindah):
    content = b"<table><tr><th>Nama</th><th>Alamat</th></tr><tr><td>Budi</td><td>Jl. Raya</td></tr></table>"

    response = upload(head, content, name="perangkat.xls")

    assert len(errors_of(response)) == 1
    assert "OpenSID" in errors_of(response)[0]
    assert not RosterImport.objects.exists()


def test_an_old_excel_xls_is_still_refused_with_the_same_message(head, suka_pindah):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024

    response = upload(head, content, name="pamong.xls")

    assert errors_of(response) == [
        in_indonesian(
            "This file is password-protected or in the old Excel format (.xls). Open it in Excel, remove "
            "the password (File › Info › Protect Workbook › Encrypt with Password, leave it empty) and "
            "save it as Excel Workbook (.xlsx), then upload it again."
        )
    ]


# --- cells -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17-08-1984", dt.date(1984, 8, 17)),
        ("17/08/1984", dt.date(1984, 8, 17)),
        ("17 Agustus 1984", dt.date(1984, 8, 17)),
        ("17 Agt 1984", dt.date(1984, 8, 17)),
        ("1 Nopember 1990", dt.date(1990, 11, 1)),
        ("05 Mei 1979", dt.date(1979, 5, 5)),
        ("-", None),
        ("", None),
    ],
)
def test_indonesian_dates_are_read(text, expected):
    assert _date_of(text) == expected


def test_a_term_of_office_gives_its_end_only_when_it_holds_a_date():
    assert _term_end("01-01-2020 s/d 31-12-2025") == dt.date(2025, 12, 31)
    assert _term_end("s/d 31 Desember 2025") == dt.date(2025, 12, 31)
    assert _term_end("2019-2025") is None
    assert _term_end("Periode 2") is None


def test_names_fold_with_their_titles_aside():
    assert "ahmad saputra" in name_keys("Drs. H. Ahmad Saputra, S.Pd.")
    assert "siti aisyah" in name_keys("SITÏ  Aisyah")


def test_an_html_file_with_too_many_cells_is_refused(head, suka_pindah, monkeypatch):
    monkeypatch.setattr("core.spreadsheets.html_table.MAX_CELLS", 100)
    row = "<tr>" + '<td colspan="60">x</td>' * 3 + "</tr>"
    content = f"<html><body><table>{row}</table></body></html>".encode()

    response = upload(head, content, name="perangkat.xls")

    assert errors_of(response) == [
        in_indonesian("The file has too many cells to be an officials list: split it into several files.")
    ]
    assert not RosterImport.objects.exists()
