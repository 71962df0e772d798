"""Importing the officials sheets people already have: their own header spellings, only the required
columns, office words for the positions, and CSV files as Excel saves them in an Indonesian Windows."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PersonFactory, PostFactory
from tests.villages.test_roster_import import (  # noqa: F401 (media: the autouse fixture of the import tests)
    HEADERS,
    errors_of,
    in_indonesian,
    last_import,
    media,
    nik,
    official,
    upload,
    xlsx,
)
from villages.models import Person, Position, Post, RosterImport

# (template header, header an office sheet uses instead)
HEADER_SYNONYMS = [
    ("NIK", "No. KTP"),
    ("NIK", "No KTP"),
    ("NIK", "NIK KTP"),
    ("Nama Lengkap", "Nama"),
    ("Jenis Kelamin (L/P)", "JK"),
    ("Jenis Kelamin (L/P)", "L/P"),
    ("Jenis Kelamin (L/P)", "Jenis Kelamin"),
    ("Tanggal Lahir", "Tgl Lahir"),
    ("Tanggal Lahir", "Tgl. Lahir"),
    ("No. HP", "No HP"),
    ("No. HP", "HP"),
    ("No. HP", "Telepon"),
    ("No. HP", "No. WA"),
    ("No. HP", "NO.HP"),
    ("Nomor SK", "No SK"),
    ("Nomor SK", "No. SK"),
    ("Dasar Upah (Rp)", "Siltap"),
    ("Dasar Upah (Rp)", "Penghasilan Tetap"),
    ("Dasar Upah (Rp)", "Dasar Upah"),
    ("Tanggal SK", "Tgl SK"),
    ("Tanggal Pelantikan", "Tgl Pelantikan"),
    ("Mulai Menjabat", "TMT Jabatan"),
    ("Status Jabatan", "Status"),
    ("Nama Jabatan Lokal", "Jabatan Lokal"),
]


def stored_post() -> Post:
    return Post.objects.select_related("person").get(person__nik_hash=Person(nik=nik(3)).nik_hash)


def confirm(client) -> RosterImport:
    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]
    client.post(f"/impor/{roster_import.token}/konfirmasi/")
    return roster_import


@pytest.fixture(autouse=True)
def _suka_pindah_without_the_demo(suka_pindah, set_aside_posts):
    """The files here are the desa's first: the demo's Kepala Desa and Sekretaris of Suka Pindah are set aside."""
    set_aside_posts(village=suka_pindah)


@pytest.fixture
def head(head_suka_pindah, login):
    return login(head_suka_pindah)


@pytest.mark.parametrize(("header", "synonym"), HEADER_SYNONYMS, ids=[s for _h, s in HEADER_SYNONYMS])
def test_every_header_synonym_imports_its_column(header, synonym, head):
    headers = [synonym if h == header else h for h in HEADERS]
    row = official(
        nik(3),
        "Dedi Gunawan",
        phone="081234567890",
        sk_number="141/12/2024",
        wage="2.850.000",
        local_title="Kadus",
        status="Plt",
        sk_date="02-01-2024",
        inauguration="05-01-2024",
    )

    upload(head, xlsx([row], headers=headers))
    confirm(head)

    post = stored_post()
    assert (post.person.full_name, post.person.sex, post.person.birth_date) == (
        "Dedi Gunawan",
        "L",
        dt.date(1985, 8, 17),
    )
    assert (post.person.phone, post.sk_number, post.wage_basis) == ("081234567890", "141/12/2024", 2_850_000)
    assert (post.term_start, post.local_title, post.status) == (dt.date(2024, 1, 1), "Kadus", Post.Status.PLT)
    assert (post.sk_date, post.inauguration_date) == (dt.date(2024, 1, 2), dt.date(2024, 1, 5))


OFFICE_HEADERS = ["No", "No. KTP", "Nama", "JK", "Tgl Lahir", "Jabatan", "No SK", "Tgl SK", "Tgl Pelantikan", "Siltap"]


def test_an_office_sheet_without_optional_columns_or_start_of_term_imports_with_a_warning(head):
    rows = [
        [
            1,
            nik(3),
            "Dedi Gunawan",
            "L",
            "17-08-1985",
            "Kaur Keuangan",
            "141/3/2023",
            "02-01-2023",
            "15-01-2023",
            2850000,
        ],
        [2, nik(4), "Eko Prasetyo", "L", "17-08-1985", "Kasi Pemerintahan", "141/4/2023", "03-02-2023", None, 2500000],
    ]

    upload(head, xlsx(rows, headers=OFFICE_HEADERS))
    roster_import = confirm(head)

    warnings = {(w["row"], w["column"], w["message"]) for w in roster_import.result["warnings"]}
    assert (
        2,
        "Mulai Menjabat",
        in_indonesian("Mulai Menjabat is empty: the term starts at Tanggal Pelantikan, %(date)s.", date="15-01-2023"),
    ) in warnings
    assert (
        3,
        "Mulai Menjabat",
        in_indonesian("Mulai Menjabat is empty: the term starts at Tanggal SK, %(date)s.", date="03-02-2023"),
    ) in warnings
    dedi = stored_post()
    assert (dedi.position, dedi.term_start, dedi.sk_number, dedi.wage_basis) == (
        Position.KAUR_KEUANGAN,
        dt.date(2023, 1, 15),
        "141/3/2023",
        2_850_000,
    )
    assert Post.objects.get(person__full_name="Eko Prasetyo").term_start == dt.date(2023, 2, 3)


def test_a_row_without_any_start_date_says_which_columns_would_do(head, suka_pindah):
    headers = ["NIK", "Nama", "JK", "Tgl Lahir", "Jabatan"]

    response = upload(head, xlsx([[nik(3), "Dedi Gunawan", "L", "17-08-1985", "Kadus"]], headers=headers))

    assert last_import().status == RosterImport.Status.INVALID
    assert errors_of(response) == [
        in_indonesian(
            "Fill in Mulai Menjabat, or at least Tanggal Pelantikan or Tanggal SK: the start of the term is needed."
        )
    ]
    assert not Post.objects.filter(person__full_name="Dedi Gunawan", village=suka_pindah).exists()


def test_a_column_the_file_does_not_have_keeps_what_is_stored(head, suka_pindah):
    person = PersonFactory(full_name="Dedi Gunawan", nik=nik(3), birth_date=dt.date(1985, 8, 17), phone="081299990000")
    PostFactory(person=person, village=suka_pindah, position=Position.KAUR_KEUANGAN, sk_number="141/1/2020")
    headers = ["NIK", "Nama", "JK", "Tgl Lahir", "Jabatan", "Mulai Menjabat"]

    upload(head, xlsx([[nik(3), "Dedi Gunawan", "L", "17-08-1985", "Kaur Keuangan", "01-01-2024"]], headers=headers))
    confirm(head)

    post = stored_post()
    assert (post.sk_number, post.person.phone) == ("141/1/2020", "081299990000")


POSITION_SYNONYMS = [
    ("Kades", Position.KEPALA_DESA, ""),
    ("Kepala Desa", Position.KEPALA_DESA, ""),
    ("Sekdes", Position.SEKRETARIS_DESA, ""),
    ("Sekretaris Desa", Position.SEKRETARIS_DESA, ""),
    ("Kaur TU dan Umum", Position.KAUR_TU_UMUM, ""),
    ("Kaur TU & Umum", Position.KAUR_TU_UMUM, ""),
    ("Kaur Keuangan", Position.KAUR_KEUANGAN, ""),
    ("Kepala Urusan Keuangan", Position.KAUR_KEUANGAN, ""),
    ("Kaur Perencanaan", Position.KAUR_PERENCANAAN, ""),
    ("Kaur Umum & Perencanaan", Position.KAUR_UMUM_PERENCANAAN, ""),
    ("Kasi Pemerintahan", Position.KASI_PEMERINTAHAN, ""),
    ("Kepala Seksi Pemerintahan", Position.KASI_PEMERINTAHAN, ""),
    ("Kasi Kesejahteraan", Position.KASI_KESEJAHTERAAN, ""),
    ("Kasi Pelayanan", Position.KASI_PELAYANAN, ""),
    ("Kasi Kesejahteraan & Pelayanan", Position.KASI_KESEJAHTERAAN_PELAYANAN, ""),
    ("Kadus", Position.KEPALA_DUSUN, ""),
    ("Kepala Dusun I", Position.KEPALA_DUSUN, "Dusun I"),
    ("KEPALA DUSUN III", Position.KEPALA_DUSUN, "Dusun III"),
    ("Kadus 2", Position.KEPALA_DUSUN, "Dusun 2"),
]


@pytest.mark.parametrize(("word", "position", "local_title"), POSITION_SYNONYMS, ids=[w for w, *_ in POSITION_SYNONYMS])
def test_every_position_word_maps_to_its_position_and_local_title(word, position, local_title, head):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan", position=word)]))
    confirm(head)

    post = stored_post()
    assert (post.position, post.local_title) == (position, local_title)


def test_a_local_title_written_in_its_own_column_is_kept(head):
    upload(head, xlsx([official(nik(3), "Dedi Gunawan", position="Kepala Dusun II", local_title="Kepala Jorong")]))
    confirm(head)

    assert stored_post().local_title == "Kepala Jorong"


def test_an_unknown_position_word_is_still_refused(head):
    response = upload(head, xlsx([official(nik(3), "Dedi Gunawan", position="Kepala Dusun Raya")]))

    assert last_import().status == RosterImport.Status.INVALID
    [message] = errors_of(response)
    assert message.startswith("Kepala Dusun Raya ")


def office_csv(rows: list[list], *, delimiter: str) -> str:
    lines = [delimiter.join(["NIK", "Nama", "L/P", "Tgl Lahir", "Jabatan", "No HP", "Mulai Menjabat", "Siltap"])]
    lines += [delimiter.join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


CSV_ROWS = [
    [
        nik(3, female=True),
        "Siti Nurhaliza",
        "P",
        "17/08/1985",
        "Kaur Keuangan",
        "081234567890",
        "01/02/2024",
        "2.850.000",
    ],
    [nik(4), "André Sitompul", "L", "17/08/1985", "Kadus", "081234567891", "01/02/2024", "Rp2.500.000"],
]


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("cp1252", ";"), ("utf-8-sig", ";"), ("utf-8-sig", ","), ("utf-8", ",")]
)
def test_a_csv_as_excel_saves_it_imports_with_its_accents(encoding, delimiter, head):
    upload(head, office_csv(CSV_ROWS, delimiter=delimiter).encode(encoding), name="perangkat.csv")
    confirm(head)

    siti = Post.objects.select_related("person").get(person__nik_hash=Person(nik=nik(3, female=True)).nik_hash)
    assert (siti.person.full_name, siti.person.sex, siti.wage_basis) == ("Siti Nurhaliza", "P", 2_850_000)
    assert siti.term_start == dt.date(2024, 2, 1)
    andre = Post.objects.get(person__nik_hash=Person(nik=nik(4)).nik_hash)
    assert (andre.person.full_name, andre.position, andre.wage_basis) == (
        "André Sitompul",
        Position.KEPALA_DUSUN,
        2_500_000,
    )


def test_an_unknown_header_still_names_the_missing_required_column(head):
    headers = [("Nama Panggilan" if h == "Nama Lengkap" else h) for h in HEADERS]

    response = upload(head, xlsx([official(nik(3), "Dedi Gunawan")], headers=headers))

    [message] = errors_of(response)
    assert message.startswith(
        in_indonesian(
            "These columns are missing or were renamed: %(missing)s. Keep the header row of the template "
            "exactly as it is.",
            missing="Nama Lengkap",
        )
    )
    assert in_indonesian("Columns not recognised: %(unknown)s.", unknown="Nama Panggilan") in message
    assert not Person.objects.filter(nik_hash=Person(nik=nik(3)).nik_hash).exists()
