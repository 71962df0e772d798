"""Officials workbooks as offices have them: the data on another sheet than the first, hidden list sheets,
macro-enabled workbooks, and their own headers mapped once per regency on the mapping page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.models import Village
from core.roles import Role
from previews.models import Preview
from tests.factories import UserFactory
from tests.villages.test_roster_import import (  # noqa: F401 (media: the autouse fixture of the import tests)
    ADOLANG,
    ARAH_TIGA,
    HEADERS,
    db_state,
    errors_of,
    in_indonesian,
    last_import,
    media,
    nik,
    official,
    upload,
    xlsx,
)
from villages.models import ImportHeaderMapping, Person, Post, RosterImport

# An office sheet's own headers for the template's required columns (none of them an alias).
OFFICE_HEADERS = [
    "No",
    "Nama Pegawai",
    "Nomor Induk Kependudukan",
    "Jabatan Perangkat",
    "Lahir Tanggal",
    "Kelamin L/P",
    "TMT Jabatan",
]
OFFICE_MAPPING = {
    "full_name": "Nama Pegawai",
    "nik": "Nomor Induk Kependudukan",
    "position": "Jabatan Perangkat",
    "birth_date": "Lahir Tanggal",
    "sex": "Kelamin L/P",
}
MISSING = (
    "These columns are missing or were renamed: %(missing)s. Keep the header row of the template exactly as it is."
)


def office_row(n: int, name: str, *, village: str | None = None) -> list:
    row = [n, name, nik(n), "Kaur Keuangan", "17-08-1985", "L", "01-01-2024"]
    return [village, *row] if village else row


def workbook_bytes(*sheets: tuple[str, list[list], str]) -> bytes:
    """A workbook of (title, rows, state) sheets, in that order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows, state in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def office_file(*names: str, village: str | None = None) -> bytes:
    headers = (["Kode Desa"] if village else []) + OFFICE_HEADERS
    rows = [office_row(i, name, village=village) for i, name in enumerate(names, start=3)]
    return workbook_bytes(("Pegawai", [headers, *rows], "visible"))


def cover_sheet() -> tuple[str, list[list], str]:
    return ("Sampul", [["DAFTAR PERANGKAT DESA"], ["Tahun 2025"]], "visible")


def kept_file() -> Preview:
    return Preview.objects.filter(scope__startswith="file:").order_by("-pk").first()


def map_columns(client, token: str, mapping: dict[str, str] = OFFICE_MAPPING):
    return client.post(f"/impor/berkas/{token}/", {"term_start": "TMT Jabatan", **mapping})


@pytest.fixture(autouse=True)
def _villages_without_the_demo(suka_pindah, arah_tiga):
    """The session's demo, when loaded, has officials in these desa: the files here are their first."""
    Post.objects.filter(village__in=[suka_pindah, arah_tiga]).delete()


@pytest.fixture
def head(head_suka_pindah, login):
    return login(head_suka_pindah)


@pytest.fixture
def head_adolang(majene, login):
    """A village head of Majene, another regency."""
    return login(UserFactory(username="desa-7605022003", role=Role.VILLAGE, village=Village.objects.get(pk=ADOLANG)))


# --- which sheet -------------------------------------------------------------------------------------


def test_the_officials_are_read_from_the_sheet_with_the_template_header_and_the_preview_says_which(head):
    content = workbook_bytes(cover_sheet(), ("Data 2025", [HEADERS, official(nik(3), "Dedi Gunawan")], "visible"))

    upload(head, content)

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert (roster_import.sheet, roster_import.result["counts"]["new"]) == ("Data 2025", 1)
    page = head.get(f"/impor/{roster_import.token}/").content.decode()
    assert in_indonesian("Read from the sheet %(sheet)s.", sheet="Data 2025") in page


def test_the_sheet_perangkat_is_read_even_when_another_sheet_comes_first(head):
    content = workbook_bytes(
        ("Lama", [HEADERS, official(nik(4), "Eko Lama")], "visible"),
        ("Perangkat", [HEADERS, official(nik(3), "Dedi Gunawan")], "visible"),
    )

    upload(head, content)

    roster_import = last_import()
    assert roster_import.sheet == "Perangkat"
    assert [r["name"] for r in roster_import.result["new"]] == ["Dedi Gunawan"]


def test_a_workbook_whose_sheets_have_no_template_header_asks_which_sheet_then_its_columns(head):
    content = workbook_bytes(cover_sheet(), ("Pegawai", [OFFICE_HEADERS, office_row(3, "Dedi Gunawan")], "visible"))

    response = upload(head, content)

    preview = kept_file()
    assert response.status_code == 302 and response.url == f"/impor/berkas/{preview.token}/"
    page = head.get(response.url)
    assert list(page.context["form"].fields["sheet"].choices) == [("Sampul", "Sampul"), ("Pegawai", "Pegawai")]
    assert (
        in_indonesian(
            "None of the sheets of this workbook (%(sheets)s) has the header row of the template. "
            "Choose the sheet that holds the officials.",
            sheets="Sampul, Pegawai",
        )
        in page.content.decode()
    )
    assert not RosterImport.objects.exists()

    response = head.post(f"/impor/berkas/{preview.token}/", {"sheet": "Pegawai"})
    assert response.url == f"/impor/berkas/{preview.token}/"  # the same file: now its columns
    page = head.get(response.url)
    assert set(page.context["form"].fields) >= set(OFFICE_MAPPING)
    assert in_indonesian("Read from the sheet %(sheet)s.", sheet="Pegawai") in page.content.decode()

    response = map_columns(head, preview.token)

    roster_import = last_import()
    assert response.url == f"/impor/{roster_import.token}/"
    assert (roster_import.status, roster_import.sheet) == (RosterImport.Status.PREVIEW, "Pegawai")
    assert [r["name"] for r in roster_import.result["new"]] == ["Dedi Gunawan"]
    assert not Preview.objects.get(pk=preview.pk).is_open  # the kept file is used up


def test_a_single_sheet_workbook_is_read_whatever_the_sheet_is_called(head):
    upload(head, workbook_bytes(("Sheet1", [HEADERS, official(nik(3))], "visible")))

    assert (last_import().status, last_import().sheet) == (RosterImport.Status.PREVIEW, "Sheet1")


# --- hidden sheets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_of_lists_is_ignored(state, head):
    lists = ("Daftar", [["Jabatan", "Status"], ["Kepala Desa", "definitif"], ["Kepala Dusun", "Plt"]], state)
    content = workbook_bytes(("Perangkat", [HEADERS, official(nik(3), "Dedi Gunawan")], "visible"), lists)

    upload(head, content)

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert roster_import.result["counts"]["new"] == 1


def test_a_hidden_sheet_is_never_read_as_data_even_when_it_comes_first(head):
    content = workbook_bytes(
        ("Daftar", [["Kepala Desa"], ["Kepala Dusun"]], "hidden"),
        ("Sheet1", [HEADERS, official(nik(3), "Dedi Gunawan")], "visible"),
    )

    upload(head, content)

    assert last_import().sheet == "Sheet1"


@pytest.mark.parametrize("hidden", ["Perangkat", "Salinan"])
def test_a_hidden_data_sheet_refuses_the_file(hidden, head):
    """A hidden Perangkat sheet (the data sheet) and a hidden sheet with the officials' header (its
    rows would be left out unnoticed) refuse the file; nothing is kept."""
    content = workbook_bytes(
        ("Sheet1", [HEADERS, official(nik(3), "Dedi Gunawan")], "visible"),
        (hidden, [HEADERS, official(nik(4), "Eko Prasetyo")], "hidden"),
    )
    before = db_state()

    response = upload(head, content)

    assert errors_of(response) == [
        in_indonesian(
            "The sheet %(sheet)s is hidden. Hidden data cannot be checked: unhide it (right-click a sheet "
            "tab › Unhide) or delete it, then upload again.",
            sheet=hidden,
        )
    ]
    assert db_state() == before
    assert not Preview.objects.exists()


# --- macros ------------------------------------------------------------------------------------------


def with_macros(content: bytes, *, how: str) -> bytes:
    """The workbook as Excel saves an .xlsm: its content type says macroEnabled, or it holds a VBA project."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if how == "content_type" and info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            target.writestr(info, data)
        if how == "vba_project":
            target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    return buffer.getvalue()


@pytest.mark.parametrize("how", ["content_type", "vba_project"])
@pytest.mark.parametrize("name", ["perangkat.xlsm", "perangkat.xlsx"])
def test_a_macro_enabled_workbook_is_refused_whatever_its_name(how, name, head):
    content = with_macros(xlsx([official(nik(3))]), how=how)
    before = db_state()

    response = upload(head, content, name=name)

    assert errors_of(response) == [
        in_indonesian(
            "This workbook contains macros (.xlsm), which cannot be checked. Open it in Excel, choose File › "
            "Save As › Excel Workbook (.xlsx), then upload the .xlsx file."
        )
    ]
    assert db_state() == before


# --- the mapping page --------------------------------------------------------------------------------


def test_an_office_sheet_is_imported_through_the_mapping_page_and_the_mapping_is_kept_for_the_regency(
    head, head_suka_pindah
):
    response = upload(head, office_file("Dedi Gunawan", "Sari Wahyuni"))

    [message] = errors_of(response)
    assert message.startswith(
        in_indonesian(MISSING, missing="NIK, Nama Lengkap, Jenis Kelamin (L/P), Tanggal Lahir, Jabatan")
    )
    preview = kept_file()
    mapping_url = f"/impor/berkas/{preview.token}/"
    assert response.context["choose_url"] == mapping_url
    assert mapping_url in response.content.decode()
    assert not RosterImport.objects.exists()

    form = head.get(mapping_url).context["form"]
    assert [c for c, _label in form.fields["nik"].choices][1:] == [
        "No",
        "Nama Pegawai",
        "Nomor Induk Kependudukan",
        "Jabatan Perangkat",
        "Lahir Tanggal",
        "Kelamin L/P",
        "TMT Jabatan",
    ]
    assert form.initial["term_start"] == "TMT Jabatan"  # found under its alias: already chosen

    response = map_columns(head, preview.token)

    roster_import = last_import()
    assert response.url == f"/impor/{roster_import.token}/"
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result.get("errors")
    head.post(f"/impor/{roster_import.token}/konfirmasi/")
    dedi = Person.objects.get(nik_hash=Person(nik=nik(3)).nik_hash)
    assert (dedi.full_name, dedi.sex, str(dedi.birth_date)) == ("Dedi Gunawan", "L", "1985-08-17")
    assert Post.objects.filter(person__full_name="Sari Wahyuni", village_id="17.06.01.2005").exists()
    saved = ImportHeaderMapping.objects.get(regency_id="17.06")
    assert saved.mapping == {
        "nama pegawai": "full_name",
        "nomor induk kependudukan": "nik",
        "jabatan perangkat": "position",
        "lahir tanggal": "birth_date",
        "kelamin l p": "sex",
        "tmt jabatan": "term_start",
    }
    assert saved.history.get().history_user == head_suka_pindah


def test_the_next_file_with_the_same_headers_in_the_regency_needs_no_mapping(head, head_arah_tiga, login):
    upload(head, office_file("Dedi Gunawan"))
    map_columns(head, kept_file().token)

    # Another desa of the same regency, another user.
    response = upload(login(head_arah_tiga), office_file("Eko Prasetyo"), village=ARAH_TIGA)

    roster_import = last_import()
    assert response.url == f"/impor/{roster_import.token}/"
    assert (roster_import.village_id, roster_import.status) == (ARAH_TIGA, RosterImport.Status.PREVIEW)
    assert [r["name"] for r in roster_import.result["new"]] == ["Eko Prasetyo"]


def test_a_dpmd_mapping_is_kept_for_its_regency_and_serves_its_desa(dpmd_mukomuko, head, login):
    dpmd = login(dpmd_mukomuko)
    upload(dpmd, office_file("Dedi Gunawan", village="17.06.01.2005"), regency="17.06")
    response = map_columns(dpmd, kept_file().token, {**OFFICE_MAPPING, "village_code": "Kode Desa"})

    assert last_import().status == RosterImport.Status.PREVIEW
    assert response.url == f"/impor/{last_import().token}/"
    assert ImportHeaderMapping.objects.get(regency_id="17.06").updated_by == dpmd_mukomuko

    upload(head, office_file("Eko Prasetyo"))
    assert last_import().status == RosterImport.Status.PREVIEW


def test_a_large_file_is_checked_by_the_task_from_the_sheet_chosen_with_the_columns_mapped(
    head, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_IMPORT_INLINE_ROWS = 0  # every file checked by the task, from the file kept
    rows = [OFFICE_HEADERS, office_row(3, "Dedi Gunawan"), office_row(4, "Eko Prasetyo")]
    content = workbook_bytes(cover_sheet(), ("Pegawai", rows, "visible"))

    upload(head, content)
    head.post(f"/impor/berkas/{kept_file().token}/", {"sheet": "Pegawai"})
    with django_capture_on_commit_callbacks(execute=True):
        map_columns(head, kept_file().token)

    roster_import = last_import()
    assert (roster_import.status, roster_import.sheet) == (RosterImport.Status.PREVIEW, "Pegawai")
    assert [r["name"] for r in roster_import.result["new"]] == ["Dedi Gunawan", "Eko Prasetyo"]


def test_another_regency_does_not_use_the_mapping(head, head_adolang):
    upload(head, office_file("Dedi Gunawan"))
    map_columns(head, kept_file().token)
    imports = RosterImport.objects.count()

    response = upload(head_adolang, office_file("Eko Prasetyo"), village=ADOLANG)

    [message] = errors_of(response)
    assert message.startswith(
        in_indonesian(MISSING, missing="NIK, Nama Lengkap, Jenis Kelamin (L/P), Tanggal Lahir, Jabatan")
    )
    assert RosterImport.objects.count() == imports
    assert not ImportHeaderMapping.objects.filter(regency_id="76.05").exists()


def test_another_user_cannot_open_or_use_ones_kept_file(head, head_arah_tiga, login, dpmd_mukomuko):
    upload(head, office_file("Dedi Gunawan"))
    url = f"/impor/berkas/{kept_file().token}/"

    for other in (head_arah_tiga, dpmd_mukomuko):
        client = login(other)
        assert client.get(url).status_code == 404
        assert map_columns(client, kept_file().token).status_code == 404
    assert not ImportHeaderMapping.objects.exists()
    assert not RosterImport.objects.exists()


def test_a_header_chosen_for_two_columns_is_refused_and_nothing_is_saved(head):
    upload(head, office_file("Dedi Gunawan"))
    preview = kept_file()

    response = map_columns(head, preview.token, {**OFFICE_MAPPING, "local_title": "Nama Pegawai"})

    assert response.status_code == 200
    assert response.context["form"].errors["local_title"] == [
        in_indonesian("The column “%(header)s” is chosen for two fields.", header="Nama Pegawai")
    ]
    assert not ImportHeaderMapping.objects.exists()
    assert not RosterImport.objects.exists()
    assert Preview.objects.get(pk=preview.pk).is_open  # the file is still kept, to choose again


# --- the API -----------------------------------------------------------------------------------------


def post_file(client, content: bytes, **fields):
    url = f"/api/v1/villages/{fields.pop('code', '17.06.01.2005')}/imports/"
    return client.post(url, {"file": SimpleUploadedFile("perangkat.xlsx", content), **fields}, format="multipart")


def test_the_api_refuses_unmatched_headers_with_the_message_then_uses_the_regencys_mapping(head, head_suka_pindah, api):
    response = post_file(api(head_suka_pindah), office_file("Dedi Gunawan"))

    assert response.status_code == 400
    [message] = response.json()["errors"]["file"]
    assert message.startswith(
        in_indonesian(MISSING, missing="NIK, Nama Lengkap, Jenis Kelamin (L/P), Tanggal Lahir, Jabatan")
    )
    assert not Preview.objects.exists()  # the API keeps nothing

    upload(head, office_file("Dedi Gunawan"))
    map_columns(head, kept_file().token)
    head.post(f"/impor/{last_import().token}/batal/")

    response = post_file(api(head_suka_pindah), office_file("Eko Prasetyo"))
    assert response.status_code == 201
    assert response.json()["status"] == "preview"


def test_the_api_says_which_sheets_there_are_and_reads_the_sheet_it_is_told(head_suka_pindah, api):
    client = api(head_suka_pindah)
    unclear = workbook_bytes(cover_sheet(), ("Data", [["Daftar perangkat"], HEADERS, official(nik(3))], "visible"))

    response = client.post(
        "/api/v1/villages/17.06.01.2005/imports/", {"file": SimpleUploadedFile("p.xlsx", unclear)}, format="multipart"
    )
    assert response.status_code == 400
    assert "(Sampul, Data)" in response.json()["errors"]["file"][0]

    two = workbook_bytes(
        ("Lama", [HEADERS, official(nik(4), "Eko Lama")], "visible"),
        ("Baru", [HEADERS, official(nik(3), "Dedi Gunawan")], "visible"),
    )
    response = post_file(client, two, sheet="Baru")
    assert response.status_code == 201
    assert (response.json()["sheet"], response.json()["preview"]["new"][0]["name"]) == ("Baru", "Dedi Gunawan")
