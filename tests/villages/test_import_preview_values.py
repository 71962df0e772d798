"""The preview of an officials file a person can check before saving: every value each new or changed row
will store, each value the file wrote in another form as a warning on its row, and the officials missing
from the file listed by name, each left alone unless the uploader chooses to end their post."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from core.nik import mask_nik
from tests.factories import PersonFactory, PostFactory
from tests.villages.test_roster_import import (  # noqa: F401 (media: the autouse fixture of the import tests)
    SUKA_PINDAH,
    csv_bytes,
    db_state,
    in_indonesian,
    last_import,
    media,
    nik,
    official,
    upload,
    xlsx,
)
from villages.models import Position, Post, RosterImport


@pytest.fixture
def head(head_suka_pindah, login):
    return login(head_suka_pindah)


@pytest.fixture
def budi(suka_pindah):
    person = PersonFactory(full_name="Budi Saputra", nik=nik(1), phone="081111111111")
    return PostFactory(
        person=person,
        village=suka_pindah,
        position=Position.KEPALA_DUSUN,
        local_title="Dusun I",
        term_start=dt.date(2019, 3, 1),
    )


@pytest.fixture
def sari(suka_pindah):
    person = PersonFactory(full_name="Sari Wahyuni", nik=nik(2, female=True), sex="P", birth_date=dt.date(1985, 8, 17))
    return PostFactory(
        person=person, village=suka_pindah, position=Position.KAUR_KEUANGAN, term_start=dt.date(2020, 1, 6)
    )


@pytest.fixture
def gani(arah_tiga):
    return PostFactory(village=arah_tiga, person=PersonFactory(full_name="Gani Pratama", nik=nik(6)))


def values_of(entry: dict) -> dict[str, str]:
    return {v["column"]: v["value"] for v in entry["values"]}


def warnings_of(entry: dict) -> list[str]:
    return [w["message"] for w in entry["warnings"]]


def preview(client, rows: list[list]) -> RosterImport:
    upload(client, xlsx(rows))
    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result.get("errors")
    return roster_import


def absent_names(roster_import: RosterImport) -> list[str]:
    return [a["name"] for a in roster_import.result["absent"]]


# --- every value a row stores --------------------------------------------------------------------------


def test_a_new_row_shows_every_value_it_will_store(suka_pindah, head):
    row = official(
        nik(3, female=True),
        "Citra Lestari",
        sex="P",
        birth="05-03-1990",
        phone="081298765432",
        position="Kaur Keuangan",
        local_title="Bendahara",
        status="Plt",
        sk_number="141/12/SK/2024",
        sk_date="02-01-2024",
        inauguration="03-01-2024",
        term_start="04-01-2024",
        term_end="03-01-2030",
        wage="2850000",
    )

    roster_import = preview(head, [row])

    values = values_of(roster_import.result["new"][0])
    assert values == {
        "Nama Lengkap": "Citra Lestari",
        "NIK": mask_nik(nik(3, female=True)),
        "Jenis Kelamin (L/P)": in_indonesian("female"),
        "Tanggal Lahir": "05-03-1990",
        "No. HP": "081298765432",
        "Jabatan": in_indonesian("Kaur Keuangan"),
        "Nama Jabatan Lokal": "Bendahara",
        "Status Jabatan": in_indonesian("Plt (pelaksana tugas)"),
        "Nomor SK": "141/12/SK/2024",
        "Tanggal SK": "02-01-2024",
        "Tanggal Pelantikan": "03-01-2024",
        "Mulai Menjabat": "04-01-2024",
        "Akhir Masa Jabatan": "03-01-2030",
        "Dasar Upah (Rp)": "Rp2.850.000",
    }
    page = head.get(f"/impor/{roster_import.token}/").content.decode()
    for shown in ("Citra Lestari", "081298765432", "141/12/SK/2024", "04-01-2024", "03-01-2030", "Rp2.850.000"):
        assert shown in page
    assert nik(3, female=True) not in page


def test_a_changed_row_shows_every_value_and_old_to_new_for_what_changes(budi, head):
    row = official(nik(1), "Budi Saputra", phone="081111111111", local_title="Dusun I", term_start="01-03-2019")
    row[13] = "3.100.000"  # Dasar Upah

    roster_import = preview(head, [row])

    entry = roster_import.result["changed"][0]
    changed = [v for v in entry["values"] if "old" in v]
    assert [(v["column"], v["old"], v["value"]) for v in changed] == [
        ("Dasar Upah (Rp)", f"Rp{budi.wage_basis:,}".replace(",", "."), "Rp3.100.000")
    ]
    assert values_of(entry)["Mulai Menjabat"] == "01-03-2019"
    assert values_of(entry)["Nama Jabatan Lokal"] == "Dusun I"
    page = head.get(f"/impor/{roster_import.token}/").content.decode()
    assert "<ins>Rp3.100.000</ins>" in page


def test_the_stored_preview_holds_no_full_nik_even_in_warnings(head):
    spaced = " ".join([nik(3)[:4], nik(3)[4:8], nik(3)[8:12], nik(3)[12:]])

    roster_import = preview(head, [official(spaced, "Dedi Gunawan")])

    assert nik(3) not in json.dumps(roster_import.result)
    assert mask_nik(nik(3)) in json.dumps(roster_import.result["new"][0]["warnings"], ensure_ascii=False)


# --- each normalisation, a warning on its row ------------------------------------------------------------

N = nik(3)
SERIAL_17_08_1985 = (dt.date(1985, 8, 17) - dt.date(1899, 12, 30)).days


@pytest.mark.parametrize(
    "kwargs, msgid, params",
    [
        (
            {"nik_value": f"{N[:6]} {N[6:12]} {N[12:]}"},
            "NIK written with spaces, dots, dashes or an apostrophe: read as the 16 digits %(nik)s.",
            {"nik": mask_nik(N)},
        ),
        (
            {"nik_value": f"{N[:4]}.{N[4:8]}.{N[8:12]}.{N[12:]}"},
            "NIK written with spaces, dots, dashes or an apostrophe: read as the 16 digits %(nik)s.",
            {"nik": mask_nik(N)},
        ),
        (
            {"nik_value": f"{N[:6]}-{N[6:]}"},
            "NIK written with spaces, dots, dashes or an apostrophe: read as the 16 digits %(nik)s.",
            {"nik": mask_nik(N)},
        ),
        (
            {"nik_value": f"'{N}"},
            "NIK written with spaces, dots, dashes or an apostrophe: read as the 16 digits %(nik)s.",
            {"nik": mask_nik(N)},
        ),
        (
            {"birth": SERIAL_17_08_1985},
            "Excel date number %(value)s: read as %(date)s.",
            {"value": str(SERIAL_17_08_1985), "date": "17-08-1985"},
        ),
        (
            {"birth": "17/08/1985"},
            "Date written as %(value)s: read as %(date)s.",
            {"value": "17/08/1985", "date": "17-08-1985"},
        ),
        (
            {"birth": "1985-08-17"},
            "Date written as %(value)s: read as %(date)s.",
            {"value": "1985-08-17", "date": "17-08-1985"},
        ),
        (
            {"wage": "2,850,000"},
            "Amount written as %(value)s: read as Rp%(amount)s.",
            {"value": "2,850,000", "amount": "2.850.000"},
        ),
        (
            {"wage": "Rp 2.850.000"},
            "Amount written as %(value)s: read as Rp%(amount)s.",
            {"value": "Rp 2.850.000", "amount": "2.850.000"},
        ),
        (
            {"wage": "2.850.000,00"},
            "Amount written as %(value)s: read as Rp%(amount)s.",
            {"value": "2.850.000,00", "amount": "2.850.000"},
        ),
        (
            {"phone": "0812-3456-7890"},
            "Phone written as %(value)s: read as %(phone)s.",
            {"value": "0812-3456-7890", "phone": "081234567890"},
        ),
        (
            {"phone": 81234567890},
            "Phone written as %(value)s: read as %(phone)s.",
            {"value": "81234567890", "phone": "081234567890"},
        ),
        (
            {"name": "  Dedi   Gunawan "},
            "Extra spaces removed: read as “%(text)s”.",
            {"text": "Dedi Gunawan"},
        ),
        (
            {"position": "Kades", "status": "Plt"},
            "Jabatan “%(value)s” read as %(position)s.",
            {"value": "Kades", "position": "Kepala Desa"},
        ),
        (
            {"position": "Kepala Dusun I"},
            "Jabatan “%(value)s” read as %(position)s, with the local title %(title)s.",
            {"value": "Kepala Dusun I", "position": "Kepala Dusun", "title": "Dusun I"},
        ),
    ],
)
def test_each_value_read_in_another_form_is_a_warning_on_its_row(kwargs, msgid, params, head):
    kwargs = {"nik_value": N, "name": "Dedi Gunawan", **kwargs}
    row = official(kwargs.pop("nik_value"), kwargs.pop("name"), **kwargs)

    roster_import = preview(head, [row])

    entry = roster_import.result["new"][0]
    if "position" in params:
        params = {**params, "position": in_indonesian(params["position"])}
    expected = in_indonesian(msgid, **params)
    assert warnings_of(entry) == [expected]
    page = head.get(f"/impor/{roster_import.token}/").content.decode()
    assert f'data-row="{entry["row"]}"' in page
    assert expected.replace("“", "&ldquo;") in page or expected in page


def test_values_written_as_the_template_asks_give_no_warning(head):
    roster_import = preview(head, [official(N, "Dedi Gunawan", birth="17-08-1985", wage="2850000")])

    assert roster_import.result["new"][0]["warnings"] == []
    assert roster_import.result["warnings"] == []


def test_an_apostrophe_nik_in_a_csv_file_is_read_and_warned(head):
    upload(head, csv_bytes([official(f"'{N}", "Dedi Gunawan")]), name="perangkat.csv")

    entry = last_import().result["new"][0]
    assert entry["nik"] == mask_nik(N)
    assert len(entry["warnings"]) == 1


# --- the start of an existing post ---------------------------------------------------------------------


def test_an_empty_mulai_menjabat_keeps_the_stored_start_of_an_existing_post(budi, head):
    row = official(nik(1), "Budi Saputra", phone="081111111111", local_title="Dusun I", term_start=None)
    row[10] = "05-05-2024"  # Tanggal Pelantikan: would be the start of a new post
    before = budi.term_start

    roster_import = preview(head, [row])
    entry = (roster_import.result["changed"] or roster_import.result["unchanged"])[0]
    assert "Mulai Menjabat" not in [c["column"] for c in entry.get("changes", [])]
    assert not any("Mulai Menjabat" in w["message"] for w in roster_import.result["warnings"])
    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    budi.refresh_from_db()
    assert budi.term_start == before
    assert budi.inauguration_date == dt.date(2024, 5, 5)


def test_a_file_without_the_mulai_menjabat_column_keeps_the_stored_start(budi, head):
    from tests.villages.test_roster_import import HEADERS

    headers = [h for h in HEADERS if h != "Mulai Menjabat"]
    row = official(nik(1), "Budi Saputra", phone="081111111111", local_title="Dusun I", sk_date="02-02-2023")
    del row[HEADERS.index("Mulai Menjabat")]
    upload(head, xlsx([row], headers=headers))
    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]

    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    budi.refresh_from_db()
    assert (budi.term_start, budi.sk_date) == (dt.date(2019, 3, 1), dt.date(2023, 2, 2))


def test_a_new_post_without_mulai_menjabat_still_starts_at_the_inauguration(head):
    row = official(N, "Dedi Gunawan", term_start=None, inauguration="05-05-2024")

    roster_import = preview(head, [row])

    assert values_of(roster_import.result["new"][0])["Mulai Menjabat"] == "05-05-2024"
    assert warnings_of(roster_import.result["new"][0]) == [
        in_indonesian("Mulai Menjabat is empty: the term starts at Tanggal Pelantikan, %(date)s.", date="05-05-2024")
    ]


# --- officials missing from the file ---------------------------------------------------------------------


def test_officials_missing_from_the_file_are_listed_by_name_post_and_masked_nik(budi, sari, gani, head):
    roster_import = preview(head, [official(N, "Dedi Gunawan")])

    absent = {a["name"]: a for a in roster_import.result["absent"]}
    assert {"Budi Saputra", "Sari Wahyuni"} <= set(absent)
    assert absent["Sari Wahyuni"]["nik"] == mask_nik(nik(2, female=True))
    assert absent["Budi Saputra"]["position"] == "Dusun I"
    assert len(absent) == roster_import.result["counts"]["absent"]
    # Another desa's officials are never listed.
    assert "Gani Pratama" not in absent
    page = head.get(f"/impor/{roster_import.token}/").content.decode()
    assert "Sari Wahyuni" in page and f'name="end-{sari.pk}-reason"' in page
    assert "Gani Pratama" not in page and f"end-{gani.pk}-" not in page
    assert nik(2, female=True) not in page


def test_a_missing_official_is_ended_only_when_chosen(budi, sari, head, head_suka_pindah):
    roster_import = preview(head, [official(N, "Dedi Gunawan")])

    response = head.post(
        f"/impor/{roster_import.token}/konfirmasi/",
        {f"end-{sari.pk}-reason": "pensiun", f"end-{sari.pk}-date": "2025-06-30", f"end-{budi.pk}-reason": ""},
    )

    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    sari.refresh_from_db()
    budi.refresh_from_db()
    assert (sari.ended_on, sari.end_reason) == (dt.date(2025, 6, 30), Post.EndReason.RETIRED)
    assert sari.history.latest().history_user == head_suka_pindah
    assert budi.ended_on is None
    assert Post.objects.filter(person__full_name="Dedi Gunawan", ended_on__isnull=True).exists()


def test_missing_officials_are_left_alone_when_nothing_is_chosen(budi, sari, head):
    roster_import = preview(head, [official(N, "Dedi Gunawan")])

    head.post(f"/impor/{roster_import.token}/konfirmasi/")

    assert last_import().status == RosterImport.Status.APPLIED
    assert Post.objects.filter(pk__in=[budi.pk, sari.pk], ended_on__isnull=True).count() == 2


TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "reason, date, msgid, params",
    [
        ("pensiun", TOMORROW, "%(name)s: the end date is in the future: end the post once it has ended.", {}),
        ("pensiun", "2019-12-31", "%(name)s: a post cannot end before it starts (%(start)s).", {"start": "06-01-2020"}),
        ("pensiun", "", "%(name)s: write the date the post ended, for example 31-12-2025.", {}),
        ("pensiun", "31-02-2025", "%(name)s: write the date the post ended, for example 31-12-2025.", {}),
        ("", "2025-06-30", "%(name)s: choose the reason the post ends.", {}),
        ("dipecat", "2025-06-30", "%(name)s: choose the reason the post ends.", {}),
    ],
)
def test_a_bad_end_choice_is_refused_and_nothing_is_written(reason, date, msgid, params, budi, sari, head):
    roster_import = preview(head, [official(N, "Dedi Gunawan")])
    before = db_state()

    response = head.post(
        f"/impor/{roster_import.token}/konfirmasi/",
        {
            f"end-{budi.pk}-reason": "pensiun",
            f"end-{budi.pk}-date": "2025-06-30",
            f"end-{sari.pk}-reason": reason,
            f"end-{sari.pk}-date": date,
        },
        follow=True,
    )

    assert db_state() == before
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEW
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [in_indonesian(msgid, name="Sari Wahyuni", **params)]


def test_an_official_added_after_the_preview_makes_it_shown_again_before_any_end(budi, sari, head, suka_pindah):
    roster_import = preview(head, [official(N, "Dedi Gunawan")])
    PostFactory(village=suka_pindah, person=PersonFactory(full_name="Eko Baru", nik=nik(7)), position=Position.STAF)

    head.post(
        f"/impor/{roster_import.token}/konfirmasi/",
        {f"end-{sari.pk}-reason": "pensiun", f"end-{sari.pk}-date": "2025-06-30"},
    )

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert "Eko Baru" in absent_names(roster_import)
    sari.refresh_from_db()
    assert sari.ended_on is None


def test_a_regency_file_lists_no_missing_officials_and_ends_none(budi, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    upload(client, xlsx([official(N, "Dedi Gunawan", village=SUKA_PINDAH)], regency=True), regency="17.06")
    roster_import = last_import()
    assert roster_import.status == RosterImport.Status.PREVIEW, roster_import.result["errors"]
    assert roster_import.result["absent"] == []
    assert roster_import.result["counts"]["absent"] >= 1

    client.post(
        f"/impor/{roster_import.token}/konfirmasi/",
        {f"end-{budi.pk}-reason": "pensiun", f"end-{budi.pk}-date": "2025-06-30"},
    )

    budi.refresh_from_db()
    assert budi.ended_on is None


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_preview_has_the_values_warnings_and_missing_officials(sari, head_suka_pindah, api):
    client = api(head_suka_pindah)
    from tests.villages.test_import_api import post_file

    token = post_file(client, xlsx([official(N, "Dedi Gunawan", wage="Rp 2.850.000")])).json()["token"]

    data = client.get(f"/api/v1/imports/{token}/").json()["preview"]
    assert values_of(data["new"][0])["Dasar Upah (Rp)"] == "Rp2.850.000"
    assert len(data["new"][0]["warnings"]) == 1
    assert "Sari Wahyuni" in [a["name"] for a in data["absent"]]


def test_the_api_confirm_ends_the_chosen_posts(budi, sari, head_suka_pindah, api):
    from tests.villages.test_import_api import post_file

    client = api(head_suka_pindah)
    token = post_file(client, xlsx([official(N, "Dedi Gunawan")])).json()["token"]

    response = client.post(
        f"/api/v1/imports/{token}/confirm/",
        {"end": [{"post": sari.pk, "ended_on": "2025-06-30", "end_reason": "meninggal"}]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "applied"
    sari.refresh_from_db()
    budi.refresh_from_db()
    assert (sari.ended_on, sari.end_reason, budi.ended_on) == (dt.date(2025, 6, 30), Post.EndReason.DIED, None)


def test_the_api_refuses_a_bad_end_choice_with_a_400_and_writes_nothing(sari, gani, head_suka_pindah, api):
    from tests.villages.test_import_api import post_file

    client = api(head_suka_pindah)
    token = post_file(client, xlsx([official(N, "Dedi Gunawan")])).json()["token"]
    before = db_state()

    future = client.post(
        f"/api/v1/imports/{token}/confirm/",
        {"end": [{"post": sari.pk, "ended_on": TOMORROW, "end_reason": "pensiun"}]},
        format="json",
    )
    elsewhere = client.post(
        f"/api/v1/imports/{token}/confirm/",
        {"end": [{"post": gani.pk, "ended_on": "2025-06-30", "end_reason": "pensiun"}]},
        format="json",
    )

    assert future.status_code == 400
    assert future.json()["detail"] == in_indonesian(
        "%(name)s: the end date is in the future: end the post once it has ended.", name="Sari Wahyuni"
    )
    # Another desa's post is refused without a word about it.
    assert elsewhere.status_code == 400
    assert elsewhere.json()["detail"] == in_indonesian(
        "Only the officials listed as not in the file can be ended here, each once."
    )
    assert "Gani" not in json.dumps(elsewhere.json())
    assert db_state() == before
    assert RosterImport.objects.get(token=token).status == RosterImport.Status.PREVIEW


def test_another_users_import_preview_is_a_404(head, dpmd_mukomuko, login, sari):
    roster_import = preview(head, [official(N, "Dedi Gunawan")])
    other = login(dpmd_mukomuko)

    assert other.get(f"/impor/{roster_import.token}/").status_code == 404
    response = other.post(
        f"/impor/{roster_import.token}/konfirmasi/",
        {f"end-{sari.pk}-reason": "pensiun", f"end-{sari.pk}-date": "2025-06-30"},
    )
    assert response.status_code == 404
    sari.refresh_from_db()
    assert sari.ended_on is None
