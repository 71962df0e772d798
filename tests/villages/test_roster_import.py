"""Importing an officials file (.xlsx or CSV): upload → preview → confirm or discard.

Every refused file and every row error says, in Indonesian, what is wrong and how to fix it, and leaves
the data exactly as it was. The helpers at the top build files; test_import_api.py and
test_import_worker.py use them too.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook

from core.models import Program, Village
from core.nik import mask_nik
from core.roles import Role
from previews.models import Preview
from previews.services import previews_expire
from submissions.models import Submission
from tests.factories import PersonFactory, PostFactory, UserFactory, make_nik
from villages.models import NikConflict, Person, Position, Post, RosterImport
from villages.roster_import.columns import COLUMNS, VILLAGE_CODE
from villages.roster_template import template_workbook

HEADERS = [c.header for c in COLUMNS]
SUKA_PINDAH, ARAH_TIGA = "17.06.01.2005", "17.06.01.2007"
PASAR_MUKOMUKO = "17.06.02.1009"  # a kelurahan
ADOLANG = "76.05.02.2003"  # Majene
XLSX_NAME = "perangkat.xlsx"


# --- building files ----------------------------------------------------------------------------------


def nik(n: int, **kwargs) -> str:
    # Serials from 9500 up: far above any serial the demo hands out.
    return make_nik(9500 + n, **kwargs)


def official(
    nik_value: str,
    name: str = "Ahmad Saputra",
    *,
    village: str | None = None,
    sex: object = "L",
    birth: object = "17-08-1985",
    phone: object = "081234567890",
    position: object = "Kepala Dusun",
    local_title: object = None,
    status: object = "definitif",
    sk_number: object = None,
    sk_date: object = None,
    inauguration: object = None,
    term_start: object = "01-01-2024",
    term_end: object = None,
    wage: object = "2.850.000",
    ended_on: object = None,
    end_reason: object = None,
) -> list:
    """One row of the file, in the template's column order (with Kode Desa first when `village`)."""
    values = [
        nik_value,
        name,
        sex,
        birth,
        phone,
        position,
        local_title,
        status,
        sk_number,
        sk_date,
        inauguration,
        term_start,
        term_end,
        wage,
        ended_on,
        end_reason,
    ]
    return [village, *values] if village else values


def xlsx(rows: list[list], *, headers: list[str] | None = None, regency: bool = False, setup=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Perangkat"
    sheet.append(headers if headers is not None else ([VILLAGE_CODE.header] if regency else []) + HEADERS)
    for row in rows:
        sheet.append(row)
    if setup:
        setup(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, delimiter: str = ",", regency: bool = False) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(([VILLAGE_CODE.header] if regency else []) + HEADERS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def template_bytes(village=None, *, regency=None, edit=None) -> bytes:
    workbook = template_workbook(village=village, regency=regency)
    if edit:
        edit(workbook["Perangkat"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, *, name: str = XLSX_NAME, village: str = SUKA_PINDAH, regency: str | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/wilayah/{regency}/impor/" if regency else f"/desa/{village}/impor/"
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def last_import() -> RosterImport:
    return RosterImport.objects.order_by("-pk").first()


def in_indonesian(msgid: str, **params) -> str:
    with translation.override("id"):
        text = gettext(msgid)
    return text % params if params else text


def db_state() -> tuple:
    """Everything an import could change, counted, plus every official's details."""
    return (
        Person.objects.count(),
        Post.objects.count(),
        Post.history.count(),
        Person.history.count(),
        sorted(Person.objects.values_list("pk", "full_name", "sex", "birth_date", "phone")),
        sorted(Post.objects.values_list("pk", "position", "status", "term_start", "wage_basis", "ended_on")),
    )


def errors_of(response) -> list[str]:
    """The messages of a refused upload (form errors), or of the import's row errors."""
    if response.status_code == 200 and "form" in (response.context or {}):
        return list(response.context["form"].errors.get("file", []))
    roster_import = last_import()
    return [e["message"] for e in roster_import.result.get("errors", [])]


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.ROSTER_IMPORT_INLINE_ROWS = 500
    return settings.MEDIA_ROOT


@pytest.fixture
def budi(suka_pindah):
    person = PersonFactory(full_name="Budi Saputra", nik=nik(1), phone="081111111111")
    return PostFactory(person=person, village=suka_pindah, position=Position.KEPALA_DUSUN, local_title="Kadus I")


@pytest.fixture
def sari(suka_pindah):
    person = PersonFactory(full_name="Sari Wahyuni", nik=nik(2, female=True), sex="P", birth_date=dt.date(1985, 8, 17))
    return PostFactory(person=person, village=suka_pindah, position=Position.KAUR_KEUANGAN)


@pytest.fixture
def head(head_suka_pindah, login):
    return login(head_suka_pindah)


def lock(village, user):
    program = Program.objects.get(pk=Program.KESEHATAN)
    return Submission.objects.create(
        village=village, program=program, status=Submission.Status.SUBMITTED, created_by=user
    )


# --- the happy path ----------------------------------------------------------------------------------


def test_village_head_sees_a_preview_of_new_changed_and_unchanged_rows(budi, sari, head):
    def edit(sheet):
        for cells in sheet.iter_rows(min_row=2):
            if cells[1].value == "Budi Saputra":
                cells[4].value = "081299998888"
        sheet.append(official(nik(3, female=True), "Citra Lestari", sex="P", position="Staf"))

    before = db_state()

    response = upload(head, template_bytes(budi.village, edit=edit))

    roster_import = last_import()
    assert response.status_code == 302
    assert response["Location"] == f"/impor/{roster_import.token}/"
    assert roster_import.status == RosterImport.Status.PREVIEW
    counts = roster_import.result["counts"]
    assert (counts["new"], counts["changed"], counts["ended"], counts["errors"]) == (1, 1, 0, 0)
    assert counts["unchanged"] == counts["rows"] - 2 >= 1  # Sari, and the demo's officials if it is loaded
    changed = roster_import.result["changed"][0]
    assert changed["name"] == "Budi Saputra"
    assert changed["changes"] == [{"column": "No. HP", "old": "081111111111", "new": "081299998888"}]
    assert roster_import.result["new"][0]["name"] == "Citra Lestari"
    assert db_state() == before  # a preview writes nothing


def test_preview_page_lists_changes_and_buttons(budi, head):
    content = template_bytes(budi.village, edit=lambda s: s.append(official(nik(3), "Dedi Gunawan")))
    upload(head, content)
    roster_import = last_import()

    page = head.get(f"/impor/{roster_import.token}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Dedi Gunawan" in html
    assert nik(3) not in html
    assert mask_nik(nik(3)) in html
    assert f"/impor/{roster_import.token}/konfirmasi/" in html
    assert f"/impor/{roster_import.token}/batal/" in html


def test_confirm_applies_every_row_with_history_by_the_user(budi, sari, head, head_suka_pindah):
    def edit(sheet):
        for cells in sheet.iter_rows(min_row=2):
            if cells[1].value == "Budi Saputra":
                cells[4].value = "081299998888"
                cells[13].value = "Rp3.000.000"
            if cells[1].value == "Sari Wahyuni":
                cells[14].value = "31-12-2025"
                cells[15].value = "mengundurkan diri"
        sheet.append(official(nik(3), "Dedi Gunawan", position="staf", wage="2850000"))

    upload(head, template_bytes(budi.village, edit=edit))
    roster_import = last_import()
    counts = roster_import.result["counts"]
    assert (counts["new"], counts["changed"], counts["ended"], counts["errors"]) == (1, 1, 1, 0)

    response = head.post(f"/impor/{roster_import.token}/konfirmasi/")

    assert response.status_code == 302
    assert response["Location"] == f"/desa/{SUKA_PINDAH}/"
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    assert roster_import.applied_by == head_suka_pindah
    budi.refresh_from_db()
    budi.person.refresh_from_db()
    assert (budi.person.phone, budi.wage_basis) == ("081299998888", 3_000_000)
    sari.refresh_from_db()
    assert (sari.ended_on, sari.end_reason) == (dt.date(2025, 12, 31), Post.EndReason.RESIGNED)
    dedi = Post.objects.get(person__nik_hash=Person(nik=nik(3)).nik_hash)
    assert (dedi.village_id, dedi.position, dedi.wage_basis) == (SUKA_PINDAH, Position.STAF, 2_850_000)
    # Every change is in the history, by the village head.
    assert budi.history.latest().history_user == head_suka_pindah
    assert budi.person.history.latest().history_user == head_suka_pindah
    assert sari.history.latest().history_user == head_suka_pindah
    assert dedi.history.get().history_user == head_suka_pindah
    assert dedi.person.history.get().history_user == head_suka_pindah


def test_uploading_the_same_file_again_after_confirming_changes_nothing(budi, head):
    def edit(sheet):
        for cells in sheet.iter_rows(min_row=2):
            if cells[1].value == "Budi Saputra":
                cells[4].value = "081277776666"
            if cells[1].value == "Eko Susanto":
                cells[14].value, cells[15].value = "01-06-2025", "pensiun"
        sheet.append(official(nik(3), "Dedi Gunawan"))

    content = template_bytes(budi.village, edit=lambda s: s.append(official(nik(4), "Eko Susanto")))
    upload(head, content)
    head.post(f"/impor/{last_import().token}/konfirmasi/")
    content = template_bytes(budi.village, edit=edit)
    upload(head, content)
    head.post(f"/impor/{last_import().token}/konfirmasi/")
    assert last_import().status == RosterImport.Status.APPLIED
    before = db_state()

    upload(head, content)

    counts = last_import().result["counts"]
    assert (counts["new"], counts["changed"], counts["ended"], counts["errors"]) == (0, 0, 0, 0)
    assert counts["unchanged"] == counts["rows"]  # Eko's ended row is recognised as already ended
    assert db_state() == before


def test_officials_missing_from_the_file_are_not_ended_and_the_preview_says_so(budi, sari, head):
    content = xlsx([official(nik(3), "Dedi Gunawan")])

    upload(head, content)
    roster_import = last_import()
    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    active_here = Post.objects.filter(village_id=SUKA_PINDAH, ended_on__isnull=True).count()
    assert roster_import.result["counts"]["absent"] == active_here - 1
    budi.refresh_from_db()
    sari.refresh_from_db()
    assert budi.ended_on is None and sari.ended_on is None


def test_the_preview_says_how_many_officials_are_not_in_the_file(budi, sari, head):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    roster_import = last_import()
    absent = roster_import.result["counts"]["absent"]

    page = head.get(f"/impor/{roster_import.token}/").content.decode()

    assert absent >= 2
    with translation.override("id"):
        assert f"{absent} perangkat tidak ada di berkas dan tidak diubah" in page


def test_a_changed_position_updates_the_same_post(budi, head):
    row = official(nik(1), "Budi Saputra", phone="081111111111", position="Kasi Pelayanan", term_start="01-01-2020")

    upload(head, xlsx([row]))
    roster_import = last_import()
    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    assert [c["column"] for c in roster_import.result["changed"][0]["changes"]] == ["Jabatan", "Nama Jabatan Lokal"]
    budi.refresh_from_db()
    assert budi.position == Position.KASI_PELAYANAN
    assert Post.objects.filter(person=budi.person).count() == 1


def test_a_former_official_coming_back_reuses_the_person(suka_pindah, head):
    former = PostFactory(
        village=suka_pindah,
        person=PersonFactory(full_name="Fajar Hidayat", nik=nik(5)),
        ended_on=dt.date(2022, 1, 1),
        end_reason=Post.EndReason.TERM_ENDED,
    )

    upload(head, xlsx([official(nik(5), "Fajar Hidayat", phone="081234567890")]))
    roster_import = last_import()
    assert roster_import.result["new"][0]["known_person"] is True
    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    assert Person.objects.filter(nik_hash=former.person.nik_hash).count() == 1
    assert former.person.posts.filter(ended_on__isnull=True).count() == 1


def test_the_preview_never_holds_a_full_nik(budi, head):
    upload(head, template_bytes(budi.village, edit=lambda s: s.append(official(nik(3), "Dedi Gunawan"))))
    roster_import = last_import()

    stored = str(roster_import.result)

    assert nik(1) not in stored and nik(3) not in stored
    assert mask_nik(nik(3)) in stored


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_csv_file_imports_like_the_template(delimiter, head):
    rows = [official(nik(3), "Dedi Gunawan", wage="2.850.000", birth="17/08/1985")]

    upload(head, csv_bytes(rows, delimiter=delimiter), name="perangkat.csv")

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result
    assert roster_import.result["counts"]["new"] == 1


@pytest.mark.parametrize(
    "value",
    ["17/08/1985", "17-08-1985", "17.08.1985", "1985-08-17", dt.datetime(1985, 8, 17), 31276, "31276"],
    ids=["slash", "dash", "dot", "iso", "excel-date", "serial", "serial-text"],
)
def test_dates_are_read_in_every_usual_form(value, head):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan", birth=value)]))

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]
    head.post(f"/impor/{roster_import.token}/konfirmasi/")
    assert Person.objects.get(nik_hash=Person(nik=nik(3)).nik_hash).birth_date == dt.date(1985, 8, 17)


@pytest.mark.parametrize(
    "value",
    ["Rp2.850.000", "Rp 2.850.000", "2.850.000", "2850000", 2850000, "Rp2.850.000,-", "2.850.000,00", "2,850,000"],
)
def test_wages_are_read_as_whole_rupiah(value, head):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan", wage=value)]))
    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]

    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    assert Post.objects.get(person__nik_hash=Person(nik=nik(3)).nik_hash).wage_basis == 2_850_000


@pytest.mark.parametrize(
    ("position", "status", "sex"),
    [
        ("KEPALA DUSUN", "DEFINITIF", "l"),
        ("kepala_dusun", "plt", "Laki-laki"),
        ("Kepala Dusun", "Plt (pelaksana tugas)", "L"),
        ("kasi kesejahteraan dan pelayanan", "Pj", "L"),
    ],
)
def test_list_values_are_read_by_label_in_any_case_or_by_code(position, status, sex, head):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan", position=position, status=status, sex=sex)]))

    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]


def test_ending_a_post_through_the_file_records_date_and_reason(budi, head):
    row = official(
        nik(1),
        "Budi Saputra",
        phone="081111111111",
        local_title="Kadus I",
        term_start="01-01-2020",
        ended_on="30-06-2025",
        end_reason="Meninggal",
    )

    upload(head, xlsx([row]))
    roster_import = last_import()
    assert roster_import.result["counts"]["ended"] == 1
    assert roster_import.result["ended"][0]["ended_on"] == "30-06-2025"
    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    budi.refresh_from_db()
    assert (budi.ended_on, budi.end_reason) == (dt.date(2025, 6, 30), Post.EndReason.DIED)


def test_discard_drops_the_import_and_saves_nothing(budi, head):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    roster_import = last_import()
    before = db_state()

    response = head.post(f"/impor/{roster_import.token}/batal/")

    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DISCARDED
    assert db_state() == before
    assert head.post(f"/impor/{roster_import.token}/konfirmasi/").status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DISCARDED


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_checked_rows_are_kept_encrypted_in_the_previews_storage_not_on_the_import(
    head, head_suka_pindah, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    roster_import = last_import()

    # The parsed rows wait for the confirmation in the uploader's preview, encrypted; nothing on disk.
    preview = Preview.objects.get()
    assert roster_import.preview == preview
    assert (preview.kind, preview.created_by, preview.scope) == (Preview.Kind.ROSTER, head_suka_pindah, SUKA_PINDAH)
    assert [row[1] for row in preview.data["rows"]] == [nik(3)]
    assert nik(3) not in preview.data_encrypted
    assert stored_files(media) == []
    # The import row keeps what the page shows: masked NIKs only.
    assert nik(3) not in str(RosterImport.objects.values().get(pk=roster_import.pk))


def test_after_confirming_the_nik_snapshot_is_gone(head, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    preview = last_import().preview

    with django_capture_on_commit_callbacks(execute=True):
        head.post(f"/impor/{last_import().token}/konfirmasi/")

    assert last_import().status == RosterImport.Status.APPLIED
    preview.refresh_from_db()
    assert (preview.status, preview.data_encrypted, preview.data) == (Preview.Status.CONFIRMED, "", {})
    assert stored_files(media) == []
    previews_expire()
    assert not Preview.objects.exists() and last_import().preview is None


def test_after_discarding_the_nik_snapshot_is_gone(head, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    preview = last_import().preview

    with django_capture_on_commit_callbacks(execute=True):
        head.post(f"/impor/{last_import().token}/batal/")

    preview.refresh_from_db()
    assert (preview.status, preview.data_encrypted) == (Preview.Status.DISCARDED, "")
    assert head.post(f"/impor/{last_import().token}/konfirmasi/").status_code == 302
    assert last_import().status == RosterImport.Status.DISCARDED


def test_a_large_file_waits_in_the_previews_storage_and_is_deleted_once_discarded(
    head, media, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_IMPORT_INLINE_ROWS = 0
    with django_capture_on_commit_callbacks():  # the check is not run
        upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    [name] = stored_files(media)
    assert name == last_import().preview.file.name and name.startswith("previews/")
    assert "perangkat" not in name.split("/")[-1]  # the stored name says nothing of the file

    with django_capture_on_commit_callbacks(execute=True):
        head.post(f"/impor/{last_import().token}/batal/")

    assert stored_files(media) == []


def test_a_large_file_is_replaced_by_its_rows_once_checked(head, media, settings, django_capture_on_commit_callbacks):
    settings.ROSTER_IMPORT_INLINE_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))

    preview = last_import().preview
    assert last_import().status == RosterImport.Status.PREVIEW
    assert (preview.file.name, [row[1] for row in preview.data["rows"]]) == ("", [nik(3)])
    assert stored_files(media) == []


def test_a_file_with_errors_is_deleted_once_checked(head, media, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(head, xlsx([official(nik(3), "Dedi", sex="X")]))
    settings.ROSTER_IMPORT_INLINE_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        upload(head, xlsx([official(nik(4), "Eko", sex="X")]))

    assert set(RosterImport.objects.values_list("status", flat=True)) == {RosterImport.Status.INVALID}
    assert stored_files(media) == []
    assert not Preview.objects.filter(status=Preview.Status.OPEN).exists()
    assert not Preview.objects.exclude(data_encrypted="").exists()


def test_an_expired_preview_makes_the_page_say_it_expired(head, budi):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    token = last_import().token
    Preview.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    before = db_state()

    page = head.get(f"/impor/{token}/")

    assert page.status_code == 200
    html = page.content.decode()
    expired = in_indonesian("Discarded: it was not confirmed in time. Upload the file again if it is still needed.")
    assert expired in html and f"/impor/{token}/konfirmasi/" not in html
    assert head.get(f"/impor/{token}/status/").json()["status"] == "discarded"
    response = head.post(f"/impor/{token}/konfirmasi/", follow=True)
    assert expired in response.content.decode()
    assert db_state() == before

    previews_expire()  # the preview row itself is deleted: the page still says the same
    assert last_import().preview is None
    assert expired in head.get(f"/impor/{token}/").content.decode()


def test_confirming_twice_applies_once(head):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    token = last_import().token
    head.post(f"/impor/{token}/konfirmasi/")
    before = db_state()

    response = head.post(f"/impor/{token}/konfirmasi/", follow=True)

    assert db_state() == before
    assert in_indonesian("This file has already been confirmed.") in response.content.decode()


def test_a_change_made_after_the_preview_is_shown_again_before_anything_is_saved(budi, head):
    upload(head, template_bytes(budi.village, edit=lambda s: s.append(official(nik(3), "Dedi Gunawan"))))
    roster_import = last_import()
    budi.person.phone = "089900000000"  # someone corrects Budi on the page meanwhile
    budi.person.save()
    before = db_state()

    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert roster_import.result["counts"]["changed"] == 1  # the file would now put the old phone back
    assert db_state() == before


# --- files that are refused --------------------------------------------------------------------------


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _encrypted() -> bytes:
    # The start of an OLE2 compound file, as Excel writes a password-protected workbook.
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") * 4


def _corrupt() -> bytes:
    whole = xlsx([official(nik(3))])
    return whole[: len(whole) // 2]


NOT_A_SPREADSHEET = (
    "This file is not a spreadsheet. Upload the Excel template (.xlsx) filled in, or a CSV file "
    "(UTF-8, comma- or semicolon-separated) with the same headers."
)
ENCRYPTED = (
    "This file is password-protected or in the old Excel format (.xls). Open it in Excel, remove "
    "the password (File › Info › Protect Workbook › Encrypt with Password, leave it empty) and "
    "save it as Excel Workbook (.xlsx), then upload it again."
)
CORRUPT = (
    "The Excel file is damaged or incomplete. Open it in Excel, save it again as Excel Workbook "
    "(.xlsx) and upload it again."
)


@pytest.mark.parametrize(
    ("make", "name", "msgid", "indonesian"),
    [
        (_pdf, "perangkat.pdf", NOT_A_SPREADSHEET, "bukan lembar kerja"),
        (_pdf, "perangkat.xlsx", NOT_A_SPREADSHEET, "bukan lembar kerja"),
        (_docx, "perangkat.xlsx", NOT_A_SPREADSHEET, "bukan lembar kerja"),
        (_encrypted, "perangkat.xlsx", ENCRYPTED, "kata sandi"),
        (_encrypted, "perangkat.xls", ENCRYPTED, ".xls"),
        (_corrupt, "perangkat.xlsx", CORRUPT, "rusak"),
    ],
    ids=["pdf", "pdf-renamed-xlsx", "docx-renamed-xlsx", "encrypted", "old-xls", "corrupt-zip"],
)
def test_a_file_that_is_not_a_readable_spreadsheet_is_refused(make, name, msgid, indonesian, budi, head):
    before = db_state()

    response = upload(head, make(), name=name)

    assert response.status_code == 200
    assert errors_of(response) == [in_indonesian(msgid)]
    assert indonesian in errors_of(response)[0]
    assert db_state() == before
    assert not RosterImport.objects.exists()


def test_an_empty_sheet_is_refused(head, budi):
    before = db_state()
    response = upload(head, xlsx([], headers=[]))

    assert errors_of(response) == [
        in_indonesian("The sheet is empty. Fill in the template: one row per official below the header row.")
    ]
    assert db_state() == before


def test_a_sheet_with_only_the_header_row_is_refused(head, budi):
    before = db_state()
    response = upload(head, xlsx([]))

    assert errors_of(response) == [
        in_indonesian(
            "The file has no officials: fill in one row per official below the header row, then upload again."
        )
    ]
    assert db_state() == before


def test_missing_and_renamed_headers_are_named(head, budi):
    headers = [h for h in HEADERS if h not in ("Tanggal SK", "Jabatan")]  # Tanggal SK is optional
    headers[headers.index("Nama Lengkap")] = "Nama Panggilan"
    before = db_state()

    response = upload(head, xlsx([], headers=headers))

    [message] = errors_of(response)
    expected = in_indonesian(
        "These columns are missing or were renamed: %(missing)s. Keep the header row of the template exactly as it is.",
        missing="Nama Lengkap, Jabatan",
    )
    assert message.startswith(expected)
    assert "Nama Panggilan" in message.removeprefix(expected)
    assert db_state() == before


def test_headers_are_matched_without_regard_to_case_or_notes(head):
    headers = [h.upper().replace(" (L/P)", "").replace(" (RP)", "") for h in HEADERS]

    upload(head, xlsx([official(nik(3), "Dedi Gunawan")], headers=headers))

    assert last_import().status == RosterImport.Status.PREVIEW


def test_a_hidden_sheet_holding_officials_is_refused(head, budi):
    def hide(workbook):
        hidden = workbook.create_sheet("Rahasia")
        hidden.append(HEADERS)
        hidden.sheet_state = "hidden"

    before = db_state()
    response = upload(head, xlsx([official(nik(3))], setup=hide))

    [message] = errors_of(response)
    assert message == in_indonesian(
        "The sheet %(sheet)s is hidden. Hidden data cannot be checked: unhide it (right-click a sheet "
        "tab › Unhide) or delete it, then upload again.",
        sheet="Rahasia",
    )
    assert db_state() == before


def test_merged_cells_in_the_data_are_refused(head, budi):
    def merge(workbook):
        workbook["Perangkat"].merge_cells("B2:C2")

    before = db_state()
    response = upload(head, xlsx([official(nik(3)), official(nik(4))], setup=merge))

    [message] = errors_of(response)
    assert "B2:C2" in message
    assert message == in_indonesian(
        "The sheet has merged cells (%(cells)s). Every official needs their own row with every "
        "cell filled: select the cells, choose Merge & Center again to unmerge them, and fill them in.",
        cells="B2:C2",
    )
    assert db_state() == before


def test_a_file_with_more_rows_than_the_limit_is_refused(head, budi, settings):
    settings.ROSTER_IMPORT_MAX_ROWS = 3
    before = db_state()

    response = upload(head, xlsx([official(nik(i)) for i in range(10, 14)]))

    assert errors_of(response) == [
        in_indonesian(
            "The file has more than %(limit)s officials; at most %(limit)s rows can be imported at "
            "once. Split it into several files.",
            limit="3",
        )
    ]
    assert db_state() == before


def test_a_file_larger_than_the_limit_is_refused(head, budi, settings):
    from django.template.defaultfilters import filesizeformat

    settings.ROSTER_IMPORT_MAX_BYTES = 2000
    content = xlsx([official(nik(i)) for i in range(10, 40)])
    before = db_state()

    response = upload(head, content)

    with translation.override("id"):
        size, limit = filesizeformat(len(content)), filesizeformat(2000)
    assert errors_of(response) == [
        in_indonesian(
            "The file is too large (%(size)s). The limit is %(limit)s: split it into several files.",
            size=size,
            limit=limit,
        )
    ]
    assert "Batasnya 2,0" in errors_of(response)[0]
    assert db_state() == before


def test_a_csv_file_in_utf16_is_refused(head, budi):
    content = "NIK;Nama Lengkap\n1706011708859501;Mu\xf1oz\n".encode("utf-16")

    response = upload(head, content, name="perangkat.csv")

    assert errors_of(response) == [
        in_indonesian(
            "The CSV file is not in UTF-8. In Excel choose File › Save As › CSV UTF-8 (Comma delimited), "
            "or upload the .xlsx file itself."
        )
    ]


# --- row errors --------------------------------------------------------------------------------------


def row_errors(client, rows, **kwargs) -> list[tuple[int, str, str]]:
    before = db_state()
    upload(client, xlsx(rows, **kwargs))
    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.INVALID
    assert db_state() == before  # nothing is applied while a row has an error
    return [(e["row"], e["column"], e["message"]) for e in roster_import.result["errors"]]


NUMERIC_NIK = (
    "Excel turned this NIK into a number (%(value)s) and lost its last digits. Format the NIK "
    "column as Text and type the NIK again."
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1706011708850000, "1.70601E+15"), ("1,70601E+15", "1,70601E+15"), ("1.70601E+15", "1.70601E+15")],
    ids=["number-cell", "comma-text", "dot-text"],
)
def test_a_nik_typed_as_a_number_is_explained(value, shown, head, budi):
    errors = row_errors(head, [official(value, "Dedi Gunawan")])

    assert errors == [(2, "NIK", in_indonesian(NUMERIC_NIK, value=shown))]
    assert "angka" in errors[0][2].lower()


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("170601170885950", "NIK must be exactly 16 digits."),
        ("1706019908859501", "The birth date in the NIK (digits 7–12) is not a real date."),
        ("1706011708850000", "The serial number in the NIK (digits 13–16) may not be 0000."),
    ],
    ids=["length", "date-block", "zero-serial"],
)
def test_a_wrong_nik_gets_the_nik_check_message(value, msgid, head, budi):
    errors = row_errors(head, [official(value, "Dedi Gunawan")])

    assert (2, "NIK", in_indonesian(msgid)) in errors


def test_the_same_nik_twice_names_both_rows(head, budi):
    errors = row_errors(head, [official(nik(3), "Dedi"), official(nik(4), "Eko"), official(nik(3), "Dedi lagi")])

    masked = mask_nik(nik(3))
    message = in_indonesian(
        "NIK %(nik)s appears more than once in the file: rows %(rows)s. Keep one row per official.",
        nik=masked,
        rows="2, 4",
    )
    assert errors == [(2, "NIK", message), (4, "NIK", message)]


def test_a_nik_active_in_another_desa_is_an_error_and_a_conflict_for_dpmd(arah_tiga, head, head_suka_pindah):
    other = PostFactory(village=arah_tiga, person=PersonFactory(full_name="Gani", nik=nik(6)))

    errors = row_errors(head, [official(nik(6), "Gani")])

    assert errors == [
        (
            2,
            "NIK",
            # The head of Suka Pindah is not told which desa: Arah Tiga is outside their scope.
            in_indonesian(
                "This official already holds an active post in another desa. DPMD has been told and will decide; "
                "the official is not moved by this file."
            ),
        )
    ]
    conflict = NikConflict.objects.get()
    assert (conflict.person, conflict.village_id, conflict.other_village_id) == (other.person, SUKA_PINDAH, ARAH_TIGA)
    assert conflict.reported_by == head_suka_pindah
    assert conflict.roster_import == last_import()
    other.refresh_from_db()
    assert other.village_id == ARAH_TIGA and other.ended_on is None


def test_uploading_a_conflicting_nik_again_records_no_second_conflict(arah_tiga, head):
    PostFactory(village=arah_tiga, person=PersonFactory(full_name="Gani", nik=nik(6)))
    upload(head, xlsx([official(nik(6), "Gani")]))

    upload(head, xlsx([official(nik(6), "Gani")]))

    assert NikConflict.objects.count() == 1
    assert RosterImport.objects.count() == 2


def _errors_of_upload(client, rows, *, village: str) -> list[tuple[int, str, str]]:
    before = db_state()
    upload(client, xlsx(rows), village=village)
    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.INVALID
    assert db_state() == before
    return [(e["row"], e["column"], e["message"]) for e in roster_import.result["errors"]]


@pytest.mark.parametrize("status", ["definitif", "Plt"])
def test_a_nik_serving_in_another_regency_is_refused_by_the_file_without_naming_anything(
    budi, login, status, set_aside_posts
):
    set_aside_posts(village_id=ADOLANG)  # the demo's officials there, listed as not in the file
    head_adolang = UserFactory(username="desa-7605022003", role=Role.VILLAGE, village=Village.objects.get(pk=ADOLANG))

    errors = _errors_of_upload(login(head_adolang), [official(nik(1), "Budi Saputra", status=status)], village=ADOLANG)

    assert errors == [(2, "NIK", in_indonesian("This NIK is registered in another regency; contact DPMD."))]
    text = str(last_import().result)
    assert "Suka Pindah" not in text and SUKA_PINDAH not in text and "Budi" not in text
    conflict = NikConflict.objects.get()
    assert (conflict.person_id, conflict.village_id, conflict.other_village_id) == (
        budi.person_id,
        ADOLANG,
        SUKA_PINDAH,
    )


def test_dpmd_is_told_which_desa_of_its_regency_holds_the_nik(arah_tiga, dpmd_mukomuko, login):
    PostFactory(village=arah_tiga, person=PersonFactory(full_name="Gani", nik=nik(6)))
    client = login(dpmd_mukomuko)

    upload(client, xlsx([official(nik(6), "Gani", village=SUKA_PINDAH)], regency=True), regency="17.06")

    assert [e["message"] for e in last_import().result["errors"]] == [
        in_indonesian(
            "This official already holds an active post in %(village)s (%(code)s). DPMD has been told and "
            "will decide; the official is not moved by this file.",
            village="Arah Tiga",
            code=ARAH_TIGA,
        )
    ]


def test_the_file_of_a_desa_where_the_official_only_acts_cannot_change_their_personal_data(
    budi, arah_tiga, head_arah_tiga, login
):
    plt = PostFactory(person=budi.person, village=arah_tiga, status=Post.Status.PLT, position=Position.KASI_PELAYANAN)
    row = official(nik(1), "Budi Diganti", phone="081111111111", position="Kasi Pelayanan", status="Plt")

    errors = _errors_of_upload(login(head_arah_tiga), [row], village=ARAH_TIGA)

    message = in_indonesian(
        "The personal data of this official is kept by the desa of their home post and by DPMD; "
        "this file may change only the post."
    )
    assert errors == [(2, "Nama Lengkap", message)]
    plt.person.refresh_from_db()
    assert plt.person.full_name == "Budi Saputra"


@pytest.mark.parametrize(
    ("value", "msgid", "shown"),
    [
        ("31-02-1985", "%(value)s is not a real date.", "31-02-1985"),
        ("17/13/1985", "%(value)s is not a real date.", "17/13/1985"),
        ("kemarin", "%(value)s is not a date. Write dates as DD-MM-YYYY, for example 17-08-1985.", "kemarin"),
        ("17-08-85", "%(value)s is not a date. Write dates as DD-MM-YYYY, for example 17-08-1985.", "17-08-85"),
        (0, "%(value)s is not a date. Write dates as DD-MM-YYYY, for example 17-08-1985.", "0"),
    ],
    ids=["31-february", "month-13", "text", "two-digit-year", "zero-serial"],
)
def test_an_impossible_date_is_refused(value, msgid, shown, head, budi):
    errors = row_errors(head, [official(nik(3), "Dedi", term_start=value)])

    assert errors == [(2, "Mulai Menjabat", in_indonesian(msgid, value=shown))]


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("-2.850.000", "The wage cannot be negative."),
        (-2850000, "The wage cannot be negative."),
        ("Rp-2.850.000", "The wage cannot be negative."),
        ("dua juta", "%(value)s is not an amount. Write the wage in whole rupiah, for example 2.850.000."),
        ("2.850.000,50", "%(value)s is not an amount. Write the wage in whole rupiah, for example 2.850.000."),
    ],
)
def test_a_wage_that_is_negative_or_text_is_refused(value, msgid, head, budi):
    errors = row_errors(head, [official(nik(3), "Dedi", wage=value)])

    assert errors == [(2, "Dasar Upah (Rp)", in_indonesian(msgid, value=value))]


def test_a_formula_is_refused_with_how_to_paste_values(head, budi):
    errors = row_errors(head, [official(nik(3), "=CONCAT(A1;B1)")])

    assert errors == [
        (
            2,
            "Nama Lengkap",
            in_indonesian(
                "This cell holds a formula (%(formula)s), not a value. Copy the column and paste it back with "
                "Paste Special › Values, then upload again.",
                formula="=CONCAT(A1;B1)",
            ),
        )
    ]


@pytest.mark.parametrize(
    ("column", "kwargs", "choices"),
    [
        ("Jabatan", {"position": "Bendahara"}, "position"),
        ("Status Jabatan", {"status": "honorer"}, "status"),
        ("Alasan Berhenti", {"end_reason": "pindah", "ended_on": "01-01-2025"}, "end_reason"),
    ],
)
def test_a_value_not_in_the_list_names_the_choices(column, kwargs, choices, head, budi):
    from core.spreadsheets.cells import labels_id

    lists = {"position": Position.choices, "status": Post.Status.choices, "end_reason": Post.EndReason.choices}
    value = next(iter(kwargs.values()))

    errors = row_errors(head, [official(nik(3), "Dedi", **kwargs)])

    message = in_indonesian(
        "%(value)s is not in the list. Choose one of: %(choices)s.",
        value=value,
        choices=", ".join(labels_id(lists[choices])),
    )
    assert (2, column, message) in errors


def test_a_sex_other_than_l_or_p_is_refused(head, budi):
    errors = row_errors(head, [official(nik(3), "Dedi", sex="X")])

    assert errors == [(2, "Jenis Kelamin (L/P)", in_indonesian("Write L (male) or P (female)."))]


def test_ending_a_post_needs_both_date_and_reason(head, budi):
    errors = row_errors(head, [official(nik(1), "Budi Saputra", ended_on="01-01-2025")])

    assert errors == [
        (2, "Alasan Berhenti", in_indonesian("To end a post, fill in both Tanggal Berhenti and Alasan Berhenti."))
    ]


def test_a_required_cell_left_empty_is_reported(head, budi):
    errors = row_errors(head, [official(nik(3), None, term_start=None)])

    fill = in_indonesian("Fill in this column.")
    no_start = in_indonesian(
        "Fill in Mulai Menjabat, or at least Tanggal Pelantikan or Tanggal SK: the start of the term is needed."
    )
    assert errors == [(2, "Nama Lengkap", fill), (2, "Mulai Menjabat", no_start)]


def test_a_second_definitif_kepala_desa_is_refused_before_anything_is_saved(suka_pindah, head):
    kades = Post.objects.filter(
        village=suka_pindah, position=Position.KEPALA_DESA, status="definitif", ended_on__isnull=True
    ).first() or PostFactory(village=suka_pindah, position=Position.KEPALA_DESA, person=PersonFactory(nik=nik(7)))

    errors = row_errors(head, [official(nik(3), "Dedi", position="Kepala Desa")])

    [(row, column, message)] = errors
    assert (row, column) == (2, "Jabatan")
    assert kades.person.full_name in message and "Dedi" in message


def test_every_row_error_is_reported_with_its_row_number(head, budi):
    rows = [
        official(nik(3), "Dedi", birth="31-02-1985"),  # row 2
        official(nik(4), "Eko"),  # row 3: fine
        official("123", "Fajar", wage="banyak", sex="Q"),  # row 4: three errors
    ]

    errors = row_errors(head, rows)

    assert [(row, column) for row, column, _ in errors] == [
        (2, "Tanggal Lahir"),
        (4, "NIK"),
        (4, "Jenis Kelamin (L/P)"),
        (4, "Dasar Upah (Rp)"),
    ]


def test_row_numbers_count_blank_rows_as_excel_does(head, budi):
    errors = row_errors(head, [official(nik(3), "Dedi"), [None] * 16, official(nik(4), "Eko", sex="X")])

    assert [(row, column) for row, column, _ in errors] == [(4, "Jenis Kelamin (L/P)")]


def test_the_errors_page_shows_row_column_and_message(head, budi):
    upload(head, xlsx([official(nik(3), "Dedi", sex="X")]))

    page = head.get(f"/impor/{last_import().token}/").content.decode()

    assert "Baris" in page and "Kolom" in page and "Pesan" in page
    assert in_indonesian("Write L (male) or P (female).") in page
    assert "/konfirmasi/" not in page


def test_an_import_with_errors_cannot_be_confirmed(head, budi):
    upload(head, xlsx([official(nik(3), "Dedi", sex="X")]))
    roster_import = last_import()
    before = db_state()

    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    assert db_state() == before
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.INVALID


# --- the lock ----------------------------------------------------------------------------------------


def test_a_locked_roster_refuses_the_upload(suka_pindah, head, head_suka_pindah, budi):
    lock(suka_pindah, head_suka_pindah)
    before = db_state()

    response = upload(head, xlsx([official(nik(3), "Dedi")]))

    [message] = errors_of(response)
    assert "DPMD" in message
    assert db_state() == before
    assert not RosterImport.objects.exists()


def test_a_roster_locked_after_the_preview_refuses_the_confirmation(suka_pindah, head, head_suka_pindah):
    upload(head, xlsx([official(nik(3), "Dedi")]))
    roster_import = last_import()
    lock(suka_pindah, head_suka_pindah)
    before = db_state()

    response = head.post(f"/impor/{roster_import.token}/konfirmasi/", follow=True)

    assert db_state() == before
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert "DPMD" in response.content.decode()


# --- DPMD: a whole regency ---------------------------------------------------------------------------


def test_dpmd_imports_a_regency_file_with_many_desa(dpmd_mukomuko, login, budi, arah_tiga):
    client = login(dpmd_mukomuko)
    rows = [
        official(nik(3), "Dedi", village=SUKA_PINDAH),
        official(nik(4), "Eko", village="1706012007"),  # the code without dots is read too
        official(
            nik(1),
            "Budi Saputra",
            village=SUKA_PINDAH,
            phone="081111111111",
            local_title="Kadus I",
            term_start="01-01-2020",
            position="Kepala Dusun",
            wage=2850000,
        ),
    ]

    upload(client, xlsx(rows, regency=True), regency="17.06")
    roster_import = last_import()
    assert (roster_import.village, roster_import.regency_id) == (None, "17.06")
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]
    assert roster_import.result["counts"]["new"] == 2
    assert roster_import.result["counts"]["unchanged"] == 1
    assert {r["village"] for r in roster_import.result["new"]} == {SUKA_PINDAH, ARAH_TIGA}
    page = client.get(f"/impor/{roster_import.token}/").content.decode()
    assert "Arah Tiga" in page and ARAH_TIGA in page  # each row says which desa it is for

    response = client.post(f"/impor/{roster_import.token}/konfirmasi/")
    assert response["Location"] == f"/impor/{roster_import.token}/"

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    assert Post.objects.get(person__nik_hash=Person(nik=nik(4)).nik_hash).village_id == ARAH_TIGA


def test_a_regency_file_reports_kelurahan_unknown_and_foreign_codes(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    rows = [
        official(nik(3), "Dedi", village=PASAR_MUKOMUKO),
        official(nik(4), "Eko", village="17.06.01.2999"),
        official(nik(5), "Fajar", village=ADOLANG),
        official(nik(8), "Hadi", village="desa saya"),
    ]
    before = db_state()

    upload(client, xlsx(rows, regency=True), regency="17.06")

    errors = [(e["row"], e["column"], e["message"]) for e in last_import().result["errors"]]
    assert errors == [
        (
            2,
            "Kode Desa",
            in_indonesian(
                "%(code)s (%(village)s) is a kelurahan: it has no village officials.",
                code=PASAR_MUKOMUKO,
                village="Pasar Mukomuko",
            ),
        ),
        (3, "Kode Desa", in_indonesian("%(code)s is not a village in the Kemendagri data.", code="17.06.01.2999")),
        (
            4,
            "Kode Desa",
            in_indonesian(
                "%(code)s (%(village)s) is not in %(regency)s: this file can only hold the desa of %(regency)s.",
                code=ADOLANG,
                village="Adolang",
                regency="Kabupaten Mukomuko",
            ),
        ),
        (
            5,
            "Kode Desa",
            in_indonesian("%(value)s is not a Kemendagri village code (such as 17.06.01.2005).", value="desa saya"),
        ),
    ]
    assert db_state() == before


def test_a_regency_file_reports_the_rows_of_locked_desa(dpmd_mukomuko, login, suka_pindah):
    lock(suka_pindah, dpmd_mukomuko)
    client = login(dpmd_mukomuko)
    rows = [official(nik(3), "Dedi", village=SUKA_PINDAH), official(nik(4), "Eko", village=ARAH_TIGA)]

    upload(client, xlsx(rows, regency=True), regency="17.06")

    errors = [(e["row"], e["column"], e["message"]) for e in last_import().result["errors"]]
    assert errors == [
        (
            2,
            "Kode Desa",
            in_indonesian(
                "The officials of %(village)s are locked while DPMD checks their submission.", village="Suka Pindah"
            ),
        )
    ]


def test_a_regency_file_without_the_village_code_column_is_refused(dpmd_mukomuko, login):
    response = upload(login(dpmd_mukomuko), xlsx([official(nik(3))]), regency="17.06")

    [message] = errors_of(response)
    assert "Kode Desa" in message


# --- scope -------------------------------------------------------------------------------------------


def test_a_village_head_cannot_upload_for_another_desa(head_arah_tiga, login):
    client = login(head_arah_tiga)

    assert client.get(f"/desa/{SUKA_PINDAH}/impor/").status_code == 404
    assert upload(client, xlsx([official(nik(3))])).status_code == 404
    assert not RosterImport.objects.exists()


def test_a_village_head_cannot_see_or_act_on_an_import_of_another_desa(head, head_arah_tiga, login):
    upload(head, xlsx([official(nik(3))]))
    token = last_import().token
    other = login(head_arah_tiga)

    for url in (f"/impor/{token}/", f"/impor/{token}/status/"):
        assert other.get(url).status_code == 404
    for url in (f"/impor/{token}/konfirmasi/", f"/impor/{token}/batal/"):
        assert other.post(url).status_code == 404
    assert last_import().status == RosterImport.Status.PREVIEW


def test_another_users_import_token_is_a_404_and_changes_nothing(head, dpmd_mukomuko, login):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan")]))
    roster_import = last_import()
    token, kept = roster_import.token, roster_import.preview.data_encrypted
    before = db_state()
    # DPMD of the regency may edit the desa, but the file and its preview are its uploader's.
    other = login(dpmd_mukomuko)

    for url in (f"/impor/{token}/", f"/impor/{token}/status/"):
        assert other.get(url).status_code == 404
    for url in (f"/impor/{token}/konfirmasi/", f"/impor/{token}/batal/"):
        assert other.post(url).status_code == 404
    assert db_state() == before
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert roster_import.preview.is_open and roster_import.preview.data_encrypted == kept
    # The village page lists the upload, without a link to it.
    page = other.get(f"/desa/{SUKA_PINDAH}/").content.decode()
    assert "perangkat.xlsx" in page and f"/impor/{token}/" not in page


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_cannot_upload_or_confirm(actor, request, head, login):
    upload(head, xlsx([official(nik(3))]))
    token = last_import().token
    client = login(request.getfixturevalue(actor))

    assert client.get(f"/desa/{SUKA_PINDAH}/impor/").status_code == 403
    assert upload(client, xlsx([official(nik(4))])).status_code == 403
    assert client.post(f"/impor/{token}/konfirmasi/").status_code == 403
    assert client.post(f"/impor/{token}/batal/").status_code == 403
    assert client.get(f"/impor/{token}/").status_code == 404  # an import is only found by its editors
    assert last_import().status == RosterImport.Status.PREVIEW


def test_dpmd_of_another_regency_gets_404(dpmd_majene, head, login):
    upload(head, xlsx([official(nik(3))]))
    token = last_import().token
    client = login(dpmd_majene)

    assert client.get(f"/desa/{SUKA_PINDAH}/impor/").status_code == 404
    assert client.get("/wilayah/17.06/impor/").status_code == 404
    assert client.get(f"/impor/{token}/").status_code == 404
    assert client.post(f"/impor/{token}/konfirmasi/").status_code == 404


def test_a_village_head_cannot_open_the_regency_import(head):
    assert head.get("/wilayah/17.06/impor/").status_code == 404


def test_dpmd_can_import_for_a_desa_of_their_regency(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    upload(client, xlsx([official(nik(3), "Dedi")]))
    client.post(f"/impor/{last_import().token}/konfirmasi/")

    assert last_import().status == RosterImport.Status.APPLIED


def test_anonymous_users_are_sent_to_log_in(client, head):
    upload(head, xlsx([official(nik(3))]))
    token = last_import().token

    for url in (f"/desa/{SUKA_PINDAH}/impor/", f"/impor/{token}/", f"/impor/{token}/status/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert client.post(f"/impor/{token}/konfirmasi/").status_code == 302
    assert last_import().status == RosterImport.Status.PREVIEW


def test_the_upload_page_offers_the_template(head):
    page = head.get(f"/desa/{SUKA_PINDAH}/impor/")

    assert page.status_code == 200
    assert f"/desa/{SUKA_PINDAH}/template.xlsx" in page.content.decode()


# --- large files: checked and saved by Celery tasks --------------------------------------------------


def test_a_large_file_is_checked_in_a_task_with_progress(head, settings, django_capture_on_commit_callbacks):
    settings.ROSTER_IMPORT_INLINE_ROWS = 2
    content = xlsx([official(nik(i), f"Perangkat {i}", position="Staf") for i in range(10, 15)])

    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(head, content)
    roster_import = last_import()
    token = roster_import.token

    # Not checked yet: the page shows a progress bar that works with and without JavaScript.
    assert roster_import.status == RosterImport.Status.UPLOADED
    assert len(callbacks) == 1
    page = head.get(response["Location"]).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page and "import-progress.js" in page
    assert head.get(f"/impor/{token}/status/").json() == {
        "status": "uploaded",
        "progress": 0,
        "message": in_indonesian("Checking the file…"),
        "preview_url": f"/impor/{token}/",
    }

    callbacks[0]()  # the task runs (eagerly in tests)

    status = head.get(f"/impor/{token}/status/").json()
    assert (status["status"], status["progress"]) == ("preview", 100)
    assert last_import().result["counts"]["new"] == 5

    with django_capture_on_commit_callbacks(execute=True):
        head.post(f"/impor/{token}/konfirmasi/")
    assert head.get(f"/impor/{token}/status/").json()["status"] == "applied"
    assert (
        Post.objects.filter(
            village_id=SUKA_PINDAH, position=Position.STAF, person__full_name__startswith="Perangkat 1"
        ).count()
        == 5
    )


def test_a_retried_task_does_no_harm(head, head_suka_pindah, settings, django_capture_on_commit_callbacks):
    from villages import tasks

    settings.ROSTER_IMPORT_INLINE_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        upload(head, xlsx([official(nik(i), f"Perangkat {i}") for i in range(10, 14)]))
    roster_import = last_import()
    with django_capture_on_commit_callbacks(execute=True):
        head.post(f"/impor/{roster_import.token}/konfirmasi/")
    before = db_state()

    tasks.roster_import_validate(roster_import.pk)
    tasks.roster_import_apply(roster_import.pk, head_suka_pindah.pk)

    assert db_state() == before
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED


def test_a_task_for_a_discarded_import_does_nothing(
    head, head_suka_pindah, settings, django_capture_on_commit_callbacks
):
    from villages import tasks

    settings.ROSTER_IMPORT_INLINE_ROWS = 2
    upload(head, xlsx([official(nik(i), f"Perangkat {i}") for i in range(10, 14)]))
    roster_import = last_import()
    head.post(f"/impor/{roster_import.token}/batal/")

    tasks.roster_import_validate(roster_import.pk)

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DISCARDED
    assert "counts" not in roster_import.result


# --- cost --------------------------------------------------------------------------------------------


def extra_insert_batches(rows: int) -> int:
    """Insert statements beyond one per table that the database itself needs: none on PostgreSQL; on
    SQLite, whose statements hold at most 999 parameters, one more per few dozen rows."""
    from django.db import connection

    extra = 0
    for model in (Person, Person.history.model, Post, Post.history.model):
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        batch = min(1000, connection.ops.bulk_batch_size(fields, [None] * rows))
        extra += -(-rows // batch) - 1
    return extra


@pytest.mark.parametrize("rows", [10, 200])
def test_preview_and_confirm_cost_the_same_queries_for_10_and_200_rows(
    rows, head_suka_pindah, suka_pindah, django_assert_max_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from villages.roster_import import services

    content = xlsx([official(nik(i), f"Perangkat {i}", position="Staf") for i in range(10, 10 + rows)])

    with django_assert_max_num_queries(PREVIEW_QUERIES):
        roster_import = services.roster_import_upload(
            actor=head_suka_pindah, upload=SimpleUploadedFile(XLSX_NAME, content), village=suka_pindah
        )
    assert roster_import.result["counts"]["new"] == rows

    with django_assert_max_num_queries(CONFIRM_QUERIES + extra_insert_batches(rows)):
        roster_import = services.roster_import_confirm(actor=head_suka_pindah, roster_import=roster_import)
    assert roster_import.status == RosterImport.Status.APPLIED


# +1 since the checked rows are kept in the previews storage: the INSERT of their Preview row.
# +3: the roster's row lock (SELECT ... FOR UPDATE of the desa) before each of the three lock checks.
PREVIEW_QUERIES = 19  # +1: the officials of the desa that the file leaves out, listed by name
CONFIRM_QUERIES = 22  # +1: the preview used up (its rows deleted) in the same transaction; +3: the row locks;
# +1: the officials the file leaves out, re-read to check the plan shown is the plan applied


def test_the_upload_page_works_for_dpmd_with_the_regency_template_link(dpmd_mukomuko, login):
    page = login(dpmd_mukomuko).get("/wilayah/17.06/impor/")

    assert page.status_code == 200
    assert "/wilayah/17.06/template.xlsx" in page.content.decode()


def test_the_import_panel_on_the_village_page_lists_the_last_imports(head, bpjs_tk_mukomuko, login):
    for i in range(4):
        upload(
            head,
            xlsx(
                [official(nik(10 + i), "Dedi")],
            ),
            name=f"berkas-{i}.xlsx",
        )

    page = head.get(f"/desa/{SUKA_PINDAH}/").content.decode()

    assert f"/desa/{SUKA_PINDAH}/template.xlsx" in page
    assert f"/desa/{SUKA_PINDAH}/impor/" in page
    assert "berkas-3.xlsx" in page and "berkas-1.xlsx" in page and "berkas-0.xlsx" not in page
    readonly = login(bpjs_tk_mukomuko).get(f"/desa/{SUKA_PINDAH}/").content.decode()
    assert "template.xlsx" not in readonly and "berkas-3.xlsx" not in readonly


def test_a_locked_roster_hides_the_upload_button(suka_pindah, head, head_suka_pindah):
    lock(suka_pindah, head_suka_pindah)

    page = head.get(f"/desa/{SUKA_PINDAH}/").content.decode()

    assert f"/desa/{SUKA_PINDAH}/template.xlsx" in page
    assert f'href="/desa/{SUKA_PINDAH}/impor/"' not in page


# --- the reader --------------------------------------------------------------------------------------


def test_the_sheet_reader_gives_the_values_openpyxl_gives():
    from openpyxl import load_workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from core.spreadsheets.reader import SheetParser

    def fill(workbook):
        sheet = workbook["Perangkat"]
        sheet["A2"] = "1706011708859501"
        sheet["B2"] = CellRichText([TextBlock(InlineFont(b=True), "Budi"), " Saputra"])
        sheet["D2"] = dt.datetime(1985, 8, 17)
        sheet["N2"] = 2850000
        sheet["O2"] = 2.5
        sheet["P2"] = True
        sheet["C4"] = "=A1&B1"
        sheet["E4"] = "Tom & Jerry <3>"
        sheet["AB5"] = "far right"

    content = xlsx([], setup=fill)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook["Perangkat"]
    with sheet._get_source() as source:
        ours = SheetParser(sheet._shared_strings, workbook._date_formats, workbook.epoch).parse(source).rows
    sheet.reset_dimensions()
    theirs = [row for row in enumerate(sheet.iter_rows(values_only=True), start=1) if row[1]]

    assert [(n, tuple(v for v in values)) for n, values in ours] == [
        (n, tuple(str(v) if isinstance(v, CellRichText) else v for v in values)) for n, values in theirs
    ]
    assert ours[1][1][1] == "Budi Saputra"
    assert ours[2][1][2] == "=A1&B1"


def test_a_phone_or_name_stored_with_other_spacing_is_not_a_change(suka_pindah, head):
    PostFactory(
        village=suka_pindah,
        person=PersonFactory(full_name="Hadi  Susanto", nik=nik(9), phone="0812-3456-7890"),
        position=Position.STAF,
    )

    upload(head, template_bytes(suka_pindah))

    counts = last_import().result["counts"]
    assert (counts["changed"], counts["errors"]) == (0, 0)


@pytest.mark.parametrize("rows", [10, 200])
def test_a_regency_preview_costs_the_same_queries_for_10_and_200_rows_over_many_desa(
    rows, dpmd_mukomuko, mukomuko, django_assert_max_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import Village
    from villages.roster_import import services

    desa = list(
        Village.objects.filter(subdistrict__regency=mukomuko, kind="desa").order_by("code").values_list("pk", flat=True)
    )
    content = xlsx(
        [official(nik(i), f"Perangkat {i}", village=desa[i % len(desa)], position="Staf") for i in range(rows)],
        regency=True,
    )

    with django_assert_max_num_queries(REGENCY_PREVIEW_QUERIES):
        roster_import = services.roster_import_upload(
            actor=dpmd_mukomuko, upload=SimpleUploadedFile(XLSX_NAME, content), regency=mukomuko
        )
    assert roster_import.result["counts"]["new"] == rows


# +1: the Preview row that keeps the checked rows; +1: the row lock of the file's desa before their lock check.
REGENCY_PREVIEW_QUERIES = 14
