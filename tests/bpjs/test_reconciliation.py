"""Reconciliation with a BPJS list (issue "BPJS review, reconciliation", part 3): a file with each kind of
difference, matching by NIK hash then by participant number, no full NIK kept, the column mapping
remembered per program and regency, one click turning a match into an enrollment update, the export,
who may reconcile what, and the cost in queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bpjs.models import Reconciliation, ReconciliationMapping
from bpjs.reconciliation.applying import reconciliation_apply
from bpjs.reconciliation.reading import FIELDS
from bpjs.reconciliation.services import reconciliation_create
from core.models import Regency, Subdistrict, Village
from core.nik import mask_nik
from core.roles import Role
from enrollment.models import Enrollment
from tests.bpjs.review_support import jkn, request_enrollment, xlsx_bytes
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from tests.html import choice, choices, errors_under, messages, page
from tests.spreadsheets import table_rows

Status = Enrollment.Status
UJI_DESA = "76.99.01.2001"
HEADER = ["No", "NIK", "No Kartu", "Nama Peserta", "Status", "Penghasilan"]
MAPPING = {
    "nik": "NIK",
    "participant_number": "No Kartu",
    "name": "Nama Peserta",
    "status": "Status",
    "wage": "Penghasilan",
}


@pytest.fixture
def uji(majene):
    """A regency of its own, so that the session's demo officials (in Mukomuko and Majene) do not take part
    in the comparisons: a reconciliation compares a whole regency."""
    regency = Regency.objects.create(code="76.99", name="Kabupaten Uji", province=majene.province)
    subdistrict = Subdistrict.objects.create(code="76.99.01", name="Kecamatan Uji", regency=regency)
    Village.objects.create(code=UJI_DESA, name="Desa Uji", subdistrict=subdistrict, kind=Village.Kind.DESA)
    return regency


@pytest.fixture
def uji_desa(uji):
    return Village.objects.get(pk=UJI_DESA)


@pytest.fixture
def bpjs_kes_uji(uji, kes):
    user = UserFactory(username="bpjs-kes-uji", role=Role.BPJS, program=kes)
    user.branch_regencies.set([uji])
    return user


@pytest.fixture
def dpmd_uji(uji):
    return UserFactory(username="dpmd-uji", role=Role.DPMD, regency=uji)


def official(village, n: int, name: str, *, wage: int = 2_850_000):
    return PostFactory(
        village=village, wage_basis=wage, person=PersonFactory(full_name=name, nik=make_nik(n, prefix="760502"))
    ).person


def active(person, kes, number: str) -> Enrollment:
    return EnrollmentFactory(person=person, program=kes, participant_number=number, start_date=dt.date(2024, 1, 1))


@pytest.fixture
def scene(kes, uji_desa):
    """Officials of Desa Uji and the BPJS Kesehatan list that goes with them, one of each kind."""
    people = {
        key: official(uji_desa, n, name)
        for n, (key, name) in enumerate(
            [
                ("same", "Andi"),
                ("inactive", "Bunga"),
                ("wage", "Cahya"),
                ("number", "Dani"),
                ("requested", "Eka"),
                ("by_number", "Fajar"),
                ("only_here", "Gita"),
                ("no_enrollment", "Indah"),
            ],
            start=1,
        )
    }
    enrollments = {
        "same": active(people["same"], kes, jkn(1)),
        "inactive": active(people["inactive"], kes, jkn(2)),
        "wage": active(people["wage"], kes, jkn(3)),
        "number": active(people["number"], kes, jkn(4)),
        "requested": request_enrollment(kes, uji_desa, person=people["requested"]),
        "by_number": active(people["by_number"], kes, jkn(6)),
        "only_here": active(people["only_here"], kes, jkn(7)),
    }
    nik = {key: p.nik for key, p in people.items()}
    stranger = make_nik(99, prefix="760502")
    rows = [
        ["DAFTAR PESERTA PPU PEMERINTAH DESA", None, None, None, None, None],  # a title above the header
        HEADER,
        [1, nik["same"], jkn(1), "ANDI", "Aktif", "2.850.000"],
        [2, nik["inactive"], jkn(2), "BUNGA", "Non Aktif", 2850000],
        [3, nik["wage"], jkn(3), "CAHYA", "AKTIF", "Rp3.000.000"],
        [4, nik["number"], jkn(40), "DANI", "Aktif", 2850000],
        [5, nik["requested"], jkn(5), "EKA", "Aktif", 2850000],
        [6, None, jkn(6), "FAJAR", "Aktif", 2850000],
        [7, stranger, jkn(8), "ORANG LAIN", "Aktif", 2850000],
        [8, nik["no_enrollment"], jkn(9), "INDAH", "Aktif", 2850000],
        [9, None, None, "TANPA NOMOR", "Aktif", 2850000],
    ]
    return {"people": people, "enrollments": enrollments, "file": xlsx_bytes(rows), "stranger": stranger}


def run(actor, regency, program, content: bytes, mapping=MAPPING, name: str = "peserta.xlsx") -> Reconciliation:
    upload = SimpleUploadedFile(name, content)
    return reconciliation_create(actor=actor, regency=regency, program=program, upload=upload, mapping=mapping)


def lines(reconciliation: Reconciliation) -> dict[str, dict]:
    return {
        (line["name_here"] or line["name_bpjs"]): line
        for village in reconciliation.result["villages"]
        for line in village["lines"]
    }


# --- comparing ---------------------------------------------------------------------------------------


def test_each_kind_of_difference_is_found(scene, uji, kes, bpjs_kes_uji):
    result = lines(run(bpjs_kes_uji, uji, kes, scene["file"]))

    assert {name: line["kind"] for name, line in result.items()} == {
        "Andi": "matched",
        "Bunga": "mismatched",
        "Cahya": "mismatched",
        "Dani": "mismatched",
        "Eka": "mismatched",
        "Fajar": "matched",
        "Gita": "only_here",
        "ORANG LAIN": "only_bpjs",
        "Indah": "only_bpjs",
    }
    assert result["Bunga"]["differences"] == [{"field": "status", "here": "active", "bpjs": "inactive"}]
    assert result["Cahya"]["differences"] == [{"field": "wage", "here": 2_850_000, "bpjs": 3_000_000}]
    assert result["Dani"]["differences"] == [{"field": "participant_number", "here": jkn(4), "bpjs": jkn(40)}]
    assert result["Eka"]["differences"] == [{"field": "status", "here": "requested", "bpjs": "active"}]
    assert (result["Bunga"]["actions"], result["Cahya"]["actions"]) == (["inactivate"], [])
    assert (result["Dani"]["actions"], result["Eka"]["actions"]) == (["set_number"], ["activate"])


def test_rows_are_matched_by_nik_hash_first_then_by_participant_number(scene, uji, kes, bpjs_kes_uji):
    result = lines(run(bpjs_kes_uji, uji, kes, scene["file"]))

    assert result["Dani"]["by"] == "nik"  # the NIK wins although the number differs
    assert result["Fajar"]["by"] == "participant_number"
    assert result["Fajar"]["enrollment"] == scene["enrollments"]["by_number"].pk
    assert result["Fajar"]["actions"] == []  # one click only for a match by NIK


def test_a_match_by_number_with_another_nik_is_a_mismatch_without_action(scene, uji, kes, bpjs_kes_uji):
    content = xlsx_bytes([HEADER, [1, scene["stranger"], jkn(6), "FAJAR", "Aktif", 2850000]])

    line = lines(run(bpjs_kes_uji, uji, kes, content))["Fajar"]

    assert (line["kind"], line["by"], line["actions"]) == ("mismatched", "participant_number", [])
    assert [d["field"] for d in line["differences"]] == ["nik"]


def test_a_match_by_number_with_another_nik_listed_inactive_offers_no_deactivation(
    scene, uji, kes, bpjs_kes_uji, login, settings, tmp_path
):
    """Someone else's NIK on Fajar's card number: BPJS's "Non Aktif" may be about another person, so
    nothing here is made inactive by it, on the page or by posting the line."""
    settings.MEDIA_ROOT = tmp_path
    content = xlsx_bytes([HEADER, [1, scene["stranger"], jkn(6), "FAJAR", "Non Aktif", 2850000]])
    client = login(bpjs_kes_uji)
    location = upload_page(client, uji, kes, content)["Location"]
    client.post(location, MAPPING)
    reconciliation = Reconciliation.objects.get(token=location.rstrip("/").rsplit("/", 1)[1])
    key = lines(reconciliation)["Fajar"]["key"]

    shown = client.get(location)
    applied = client.post(f"/bpjs/rekonsiliasi/{reconciliation.token}/terapkan/", {"line": key}, follow=True)

    (fajar,) = [tr for tr in page(shown).find_all("tr") if "Fajar" in tr.text]
    assert fajar.find_all("button") == []
    assert "NIK: daftar BPJS mencatat NIK lain untuk nomor peserta ini" in fajar.text
    assert [level for level, _ in messages(applied)] == ["error"]
    assert Enrollment.objects.get(pk=scene["enrollments"]["by_number"].pk).status == Status.ACTIVE


def test_results_are_grouped_by_village_and_keep_no_full_nik(scene, uji, kes, bpjs_kes_uji):
    reconciliation = run(bpjs_kes_uji, uji, kes, scene["file"])

    villages = reconciliation.result["villages"]
    assert [(v["code"], v["name"]) for v in villages] == [(UJI_DESA, "Desa Uji"), ("", "")]
    assert villages[0]["counts"] == {"mismatched": 4, "only_bpjs": 1, "only_here": 1, "matched": 2}
    assert [line["name_bpjs"] for line in villages[1]["lines"]] == ["ORANG LAIN"]
    stored = json.dumps(reconciliation.result, ensure_ascii=False)
    for nik in [p.nik for p in scene["people"].values()] + [scene["stranger"]]:
        assert nik not in stored
        assert mask_nik(nik) in stored
    assert reconciliation.result["summary"] == {
        "mismatched": 4,
        "only_bpjs": 2,
        "only_here": 1,
        "matched": 2,
        "errors": 1,
    }
    assert reconciliation.result["errors"][0]["row"] == 11


def test_officials_known_here_without_an_enrollment_are_placed_in_their_village(scene, uji, kes, bpjs_kes_uji):
    line = lines(run(bpjs_kes_uji, uji, kes, scene["file"]))["Indah"]

    assert (line["person"], line["village"]) == (scene["people"]["no_enrollment"].pk, UJI_DESA)


def test_a_list_without_status_column_counts_everyone_as_active(scene, uji, kes, bpjs_kes_uji):
    content = xlsx_bytes([["NIK", "Nomor Peserta"], [scene["people"]["requested"].nik, jkn(5)]])

    line = lines(run(bpjs_kes_uji, uji, kes, content, mapping=None))["Eka"]

    assert (line["kind"], line["actions"]) == ("mismatched", ["activate"])


def test_a_person_or_number_listed_twice_is_compared_once_and_the_repeat_reported(scene, uji, kes, bpjs_kes_uji):
    nik = scene["people"]["same"].nik
    content = xlsx_bytes(
        [
            HEADER,
            [1, nik, jkn(1), "ANDI", "Aktif", 2850000],
            [2, nik, jkn(11), "ANDI LAGI", "Aktif", 2850000],
            [3, None, jkn(1), "ANDI TANPA NIK", "Aktif", 2850000],
        ]
    )

    reconciliation = run(bpjs_kes_uji, uji, kes, content)

    assert lines(reconciliation)["Andi"]["kind"] == "matched"
    assert {"ANDI LAGI", "ANDI TANPA NIK"}.isdisjoint(lines(reconciliation))
    assert [(e["row"], e["column"]) for e in reconciliation.result["errors"]] == [(3, "NIK"), (4, "No Kartu")]
    assert reconciliation.result["rows"] == 1


def test_comparison_costs_the_same_queries_for_10_and_100_rows(
    kes, uji, uji_desa, bpjs_kes_uji, django_assert_max_num_queries
):
    people = [official(uji_desa, i + 1, f"P{i}") for i in range(100)]
    for i, person in enumerate(people):
        active(person, kes, jkn(i + 1))

    def content(n):
        return xlsx_bytes(
            [HEADER] + [[i, p.nik, jkn(i + 1), p.full_name, "Aktif", 1] for i, p in enumerate(people[:n])]
        )

    small_file, large_file = content(10), content(100)
    run(bpjs_kes_uji, uji, kes, small_file)  # the first list of the branch saves its mapping
    with django_assert_max_num_queries(20) as small:
        run(bpjs_kes_uji, uji, kes, small_file)
    with django_assert_max_num_queries(len(small)) as large:
        reconciliation = run(bpjs_kes_uji, uji, kes, large_file)

    assert reconciliation.result["summary"]["mismatched"] == 100  # the wage differs everywhere
    assert len(large) == len(small)


# --- the page: upload, column mapping (remembered), result, export -----------------------------------


def upload_page(client, regency, program, content: bytes, name: str = "peserta.xlsx"):
    return client.post(
        "/bpjs/rekonsiliasi/",
        {"regency": regency.code, "program": program.code, "file": SimpleUploadedFile(name, content)},
    )


def chosen_columns(response) -> dict[str, str | None]:
    """The column each field's list shows as chosen on the mapping page."""
    return {name: choice(page(response), name) for name in FIELDS}


def result_lines(response) -> list[dict]:
    """The lines of the result page, every village's card: the result as labelled, the official's name as
    recorded here (or BPJS's, for someone not found here) and the differences, one text each."""
    found = []
    for tr in page(response).find_all("tr"):
        cells = {c.attrs.get("data-label"): c for c in tr.children if getattr(c, "tag", None) in ("td", "th")}
        if "Hasil" in cells:
            name = cells["Nama"].find_all("a") or [cells["Nama"]]  # the link to the official found here
            found.append(
                {
                    "result": cells["Hasil"].find("span", cls="status").text,
                    "name": name[0].text,
                    "differences": [d.text for d in cells["Perbedaan"].find_all("div", cls="diff")],
                }
            )
    return found


def test_the_column_mapping_is_asked_for_then_remembered_for_the_branch(
    scene, uji, kes, bpjs_kes_uji, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = login(bpjs_kes_uji)

    response = upload_page(client, uji, kes, scene["file"])
    assert response.status_code == 302
    mapping_page = client.get(response["Location"])
    guessed = chosen_columns(mapping_page)
    assert guessed == {**MAPPING, "wage": None}  # "Penghasilan" is not a usual header: asked for
    assert any(tmp_path.rglob("*.xlsx"))  # kept privately while the columns are chosen
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], MAPPING)

    assert done.status_code == 302
    assert ReconciliationMapping.objects.get(program=kes, regency=uji).mapping == MAPPING
    assert not any(tmp_path.rglob("*.xlsx"))  # the file with its NIKs is gone once compared
    second = client.get(upload_page(client, uji, kes, scene["file"])["Location"])
    assert chosen_columns(second) == MAPPING


def test_result_page_shows_differences_per_village_and_exports_them(
    scene, uji, kes, bpjs_kes_uji, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login(bpjs_kes_uji)
    location = upload_page(client, uji, kes, scene["file"])["Location"]
    client.post(location, MAPPING)

    shown = client.get(location)
    everything = client.get(location + "?show=all")
    export = client.get(location.rstrip("/") + ".xlsx")

    assert shown.status_code == 200
    assert {line["result"] for line in result_lines(shown)} == {
        "berbeda",
        "ada di BPJS, tidak ada di sini",
        "ada di sini, tidak ada di BPJS",
    }
    (cahya,) = [line for line in result_lines(shown) if line["name"] == "Cahya"]
    assert "Rp2.850.000" in cahya["differences"][0]
    assert "Rp3.000.000" in cahya["differences"][0]
    assert len(result_lines(everything)) == 9
    assert export.status_code == 200
    rows = table_rows(export.content)
    assert len(rows) == 10
    assert all(p.nik not in str(rows) for p in scene["people"].values())


# --- applying ----------------------------------------------------------------------------------------


def test_apply_turns_a_confirmed_match_into_an_active_enrollment(scene, uji, kes, bpjs_kes_uji, login):
    reconciliation = run(bpjs_kes_uji, uji, kes, scene["file"])
    key = lines(reconciliation)["Eka"]["key"]

    response = login(bpjs_kes_uji).post(
        f"/bpjs/rekonsiliasi/{reconciliation.token}/terapkan/", {"line": key, "on": "2026-01-15"}
    )

    assert response.status_code == 302
    enrollment = Enrollment.objects.get(pk=scene["enrollments"]["requested"].pk)
    assert (enrollment.status, enrollment.participant_number, enrollment.start_date) == (
        Status.ACTIVE,
        jkn(5),
        dt.date(2026, 1, 15),
    )
    assert enrollment.history.first().history_user == bpjs_kes_uji
    reconciliation.refresh_from_db()
    assert lines(reconciliation)["Eka"]["applied"]["by"] == bpjs_kes_uji.username


def test_apply_replaces_a_participant_number_with_a_history_record(scene, uji, kes, dpmd_uji):
    reconciliation = run(dpmd_uji, uji, kes, scene["file"])

    reconciliation_apply(actor=dpmd_uji, reconciliation=reconciliation, keys=[lines(reconciliation)["Dani"]["key"]])

    enrollment = Enrollment.objects.get(pk=scene["enrollments"]["number"].pk)
    assert (enrollment.status, enrollment.participant_number) == (Status.ACTIVE, jkn(40))
    last, before = enrollment.history.all()[:2]
    assert (last.participant_number, before.participant_number) == (jkn(40), jkn(4))
    assert last.history_user == dpmd_uji
    assert last.history_change_reason.startswith("Rekonsiliasi")


def test_apply_makes_an_enrollment_inactive_when_bpjs_says_so(scene, uji, kes, bpjs_kes_uji):
    reconciliation = run(bpjs_kes_uji, uji, kes, scene["file"])

    reconciliation_apply(
        actor=bpjs_kes_uji, reconciliation=reconciliation, keys=[lines(reconciliation)["Bunga"]["key"]]
    )

    enrollment = Enrollment.objects.get(pk=scene["enrollments"]["inactive"].pk)
    assert (enrollment.status, enrollment.end_date) == (Status.INACTIVE, timezone.localdate())


def test_a_line_is_applied_once_and_only_when_it_has_an_action(scene, uji, kes, bpjs_kes_uji, login):
    reconciliation = run(bpjs_kes_uji, uji, kes, scene["file"])
    found = lines(reconciliation)
    client = login(bpjs_kes_uji)
    url = f"/bpjs/rekonsiliasi/{reconciliation.token}/terapkan/"

    client.post(url, {"line": found["Bunga"]["key"]}, follow=True)
    again = client.post(url, {"line": found["Bunga"]["key"]}, follow=True)
    wage = client.post(url, {"line": found["Cahya"]["key"]}, follow=True)

    assert [level for level, _ in messages(again)] == ["error"]
    assert [level for level, _ in messages(wage)] == ["error"]
    assert Enrollment.objects.get(pk=scene["enrollments"]["wage"].pk).status == Status.ACTIVE


def test_apply_refuses_an_enrollment_changed_since_the_comparison(scene, uji, kes, bpjs_kes_uji):
    reconciliation = run(bpjs_kes_uji, uji, kes, scene["file"])
    Enrollment.objects.filter(pk=scene["enrollments"]["inactive"].pk).update(participant_number=jkn(77))

    with pytest.raises(ValidationError):
        reconciliation_apply(
            actor=bpjs_kes_uji, reconciliation=reconciliation, keys=[lines(reconciliation)["Bunga"]["key"]]
        )


# --- who may reconcile what --------------------------------------------------------------------------


def test_dpmd_reconciles_either_program_of_their_regency(scene, uji, tk, kes, dpmd_uji, login):
    assert run(dpmd_uji, uji, tk, scene["file"]).result["stage"] == "done"
    form = page(login(dpmd_uji).get("/bpjs/rekonsiliasi/"))
    assert set(choices(form, "program")) == {tk.code, kes.code}
    assert choices(form, "regency") == [uji.code]


def test_bpjs_officer_reconciles_only_their_program_and_branch(scene, uji, mukomuko, tk, kes, bpjs_kes_uji, login):
    with pytest.raises(PermissionDenied):
        run(bpjs_kes_uji, uji, tk, scene["file"])
    with pytest.raises(PermissionDenied):
        run(bpjs_kes_uji, mukomuko, kes, scene["file"])
    response = upload_page(login(bpjs_kes_uji), uji, tk, scene["file"])
    assert response.status_code == 200
    form = page(response)
    assert form.find("select", name="program").attrs.get("aria-invalid") == "true"
    assert "aria-invalid" not in form.find("select", name="regency").attrs


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "dpmd_mukomuko", "head_suka_pindah", "bengkulu_observer"])
def test_a_reconciliation_outside_the_scope_is_a_404(scene, uji, kes, bpjs_kes_uji, request, login, actor):
    reconciliation = run(bpjs_kes_uji, uji, kes, scene["file"])
    client = login(request.getfixturevalue(actor))
    base = f"/bpjs/rekonsiliasi/{reconciliation.token}"
    key = lines(reconciliation)["Eka"]["key"]

    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}.xlsx").status_code == 404
    assert client.post(f"{base}/terapkan/", {"line": key}).status_code == 404
    assert Enrollment.objects.get(pk=scene["enrollments"]["requested"].pk).status == Status.REQUESTED


@pytest.mark.parametrize("actor", ["head_suka_pindah", "bengkulu_observer"])
def test_village_heads_and_observers_may_not_reconcile(request, login, actor):
    assert login(request.getfixturevalue(actor)).get("/bpjs/rekonsiliasi/").status_code == 403


def test_anonymous_is_sent_to_log_in(client, regions):
    response = client.get("/bpjs/rekonsiliasi/")

    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_an_unreadable_file_is_refused_on_the_page(uji, kes, bpjs_kes_uji, login):
    response = upload_page(login(bpjs_kes_uji), uji, kes, b"%PDF-1.4 not a list", "daftar.pdf")

    assert response.status_code == 200
    assert errors_under(page(response), "file")
    assert not Reconciliation.objects.exists()
