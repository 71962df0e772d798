"""The BPJS review queue (issue "BPJS review, reconciliation", part 1): who sees which requests, approving
one or many (all or nothing, row by row errors), rejecting with a reason the village reads, the desa's
BPJS page, the registration sheet's columns, and what the pages cost in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from bpjs import selectors, services
from core.models import Village
from core.roles import Role
from enrollment.models import Enrollment
from tests.bpjs import test_reconciliation as reconciliation
from tests.bpjs.review_support import HEADER_ROW, JKN_NUMBER, KPJ_NUMBER, jkn, kpj, request_enrollment, sheet_rows
from tests.factories import PersonFactory, UserFactory, make_nik
from tests.html import messages, numbers, page
from villages.models import FamilyMember

Status = Enrollment.Status
MAJENE_DESA = "76.05.02.2003"


@pytest.fixture
def majene_desa(regions):
    return Village.objects.get(pk=MAJENE_DESA)


# A regency of its own, for the tests that export an officer's whole queue: the session demo leaves
# requests waiting in Majene's.
uji, uji_desa, bpjs_kes_uji = reconciliation.uji, reconciliation.uji_desa, reconciliation.bpjs_kes_uji
UJI_DESA = reconciliation.UJI_DESA


@pytest.fixture
def requests(tk, kes, suka_pindah, arah_tiga, majene_desa):
    """Two Ketenagakerjaan and one JKN request in Mukomuko, one JKN request in Majene."""
    return {
        "tk_suka": request_enrollment(tk, suka_pindah, person=PersonFactory(full_name="Budi Santoso")),
        "tk_arah": request_enrollment(tk, arah_tiga, person=PersonFactory(full_name="Agus Salim")),
        "kes_suka": request_enrollment(kes, suka_pindah, person=PersonFactory(full_name="Citra Dewi")),
        "kes_majene": request_enrollment(
            kes, majene_desa, person=PersonFactory(full_name="Dewi Lestari", nik=make_nik(77, prefix="760502"))
        ),
    }


def queue_groups(response) -> list[tuple[str, str, list[dict[str, str]]]]:
    """The queue as it reads: per village card, its subdistrict, its name and the rows of its table."""
    groups = []
    for card in page(response).find_all("section", cls="review-group"):
        heading = card.find("h2")
        groups.append((heading.find("span", cls="muted").text.rstrip(" ›"), heading.find("a").text, card.rows()))
    return groups


def queued(response) -> dict[str, list[str]]:
    return {village: [row["Nama"] for row in rows] for _, village, rows in queue_groups(response)}


def may_approve(response) -> bool:
    """The page offers the approval form (only to the officers who decide)."""
    return bool(page(response).find_all("form", action="/bpjs/antrean/setujui/"))


def row_errors(response) -> dict[int, list[str]]:
    """Each request's errors as printed under its participant number, by the enrollment its input names."""
    errors = {}
    for tr in page(response).find_all("tr"):
        inputs = [i for i in tr.find_all("input") if i.attrs.get("name", "").startswith("number-")]
        if inputs:
            pk = int(inputs[0].attrs["name"].removeprefix("number-"))
            errors[pk] = [p.text for p in tr.find_all("p", cls="row-error")]
    return errors


def waiting(response) -> int:
    """The count the page states: "100 pengajuan menunggu."."""
    (line,) = [p for p in page(response).find_all("p") if p.text.endswith("pengajuan menunggu.")]
    (count,) = numbers(line.text)
    return count


def approve(client: Client, numbers: dict[int, str], *, follow: bool = False, **extra) -> object:
    data = {f"number-{pk}": number for pk, number in numbers.items()}
    return client.post("/bpjs/antrean/setujui/", {**data, **extra}, follow=follow)


# --- who sees the queue ------------------------------------------------------------------------------


def test_bpjs_officer_sees_the_requests_of_their_program_and_branch_grouped_by_village(
    requests, bpjs_tk_mukomuko, login
):
    response = login(bpjs_tk_mukomuko).get("/bpjs/antrean/")

    assert response.status_code == 200
    assert queued(response) == {"Suka Pindah": ["Budi Santoso"], "Arah Tiga": ["Agus Salim"]}
    assert may_approve(response)
    assert [subdistrict for subdistrict, _, _ in queue_groups(response)] == ["Lubuk Pinang", "Lubuk Pinang"]


def test_queue_rows_show_full_nik_post_wage_components_and_funding_source_to_the_officer(
    requests, bpjs_tk_mukomuko, login
):
    response = login(bpjs_tk_mukomuko).get("/bpjs/antrean/")

    row = queue_groups(response)[0][2][0]
    assert row["Nama"] == "Budi Santoso"
    assert row["NIK"] == requests["tk_suka"].person.nik
    assert row["Jabatan"] == "Kepala Dusun"
    assert row["Upah"] == "Rp2.850.000"
    assert row["Sumber dana"] == requests["tk_suka"].funding_source.name
    # What every request of the desa has alike is said once, above its table, not on every row.
    assert shared(response, "desa-17.06.01.2005") == {"program": "BPJS TK", "components": "JKK, JKM"}
    assert "Komponen" not in row and "Program" not in row


def shared(response, card_id: str) -> dict[str, str]:
    card = page(response).find("section", id=card_id)
    return {dd.attrs["data-shared"]: dd.text for dd in card.find_all("dd")}


def test_values_that_differ_between_requests_of_a_desa_stay_in_their_column(
    requests, tk, suka_pindah, bpjs_tk_mukomuko, login
):
    request_enrollment(tk, suka_pindah, person=PersonFactory(full_name="Eka Putri"), components=["JKK", "JKM", "JHT"])

    response = login(bpjs_tk_mukomuko).get("/bpjs/antrean/")

    assert shared(response, "desa-17.06.01.2005") == {"program": "BPJS TK"}
    rows = next(rows for _, village, rows in queue_groups(response) if village == "Suka Pindah")
    assert {row["Nama"]: row["Komponen"] for row in rows} == {"Budi Santoso": "JKK, JKM", "Eka Putri": "JKK, JKM, JHT"}


def test_nik_is_masked_for_a_role_that_may_not_see_it(requests, bengkulu_observer):
    assert selectors.nik_for(bengkulu_observer, requests["tk_suka"].person) == requests["tk_suka"].person.nik_masked


def test_dpmd_sees_every_program_of_their_regency_read_only(requests, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/bpjs/antrean/")

    assert response.status_code == 200
    assert queued(response) == {"Suka Pindah": ["Budi Santoso", "Citra Dewi"], "Arah Tiga": ["Agus Salim"]}
    assert not may_approve(response)
    assert 'action="/bpjs/antrean/setujui/"' not in response.content.decode()


def test_queue_filters_by_village_and_program(requests, dpmd_mukomuko, login, suka_pindah, kes):
    response = login(dpmd_mukomuko).get(f"/bpjs/antrean/?village={suka_pindah.code}&program={kes.code}")

    assert queued(response) == {"Suka Pindah": ["Citra Dewi"]}


def test_superuser_sees_every_request(requests, superuser, login):
    response = login(superuser).get("/bpjs/antrean/")

    # Every request of every program and regency: this test's four and any the session demo left waiting.
    shown = set(row_errors(response))  # the superuser decides too: every row has its number field
    assert shown == set(Enrollment.objects.filter(status=Status.REQUESTED).values_list("pk", flat=True))
    assert {e.pk for e in requests.values()} <= shown
    assert {"Suka Pindah", "Arah Tiga", "Adolang"} <= set(queued(response))


@pytest.mark.parametrize("actor", ["head_suka_pindah", "bengkulu_observer"])
def test_village_heads_and_observers_have_no_queue(requests, request, login, actor):
    client = login(request.getfixturevalue(actor))

    assert client.get("/bpjs/antrean/").status_code == 403
    assert client.get("/bpjs/antrean.xlsx").status_code == 403
    assert approve(client, {requests["tk_suka"].pk: KPJ_NUMBER}).status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/bpjs/antrean/?regency=17.06", "/bpjs/antrean.xlsx?regency=17.06", "/bpjs/antrean/?program=bpjs_ketenagakerjaan"],
)
def test_officer_of_the_other_regency_and_program_gets_404(requests, bpjs_kes_majene, login, url):
    assert login(bpjs_kes_majene).get(url).status_code == 404


def test_officer_of_the_other_program_cannot_approve_or_reject_a_request(requests, bpjs_kes_majene, login):
    """bpjs_kes_majene sees neither Ketenagakerjaan nor Mukomuko: both are a 404, and nothing changes."""
    client = login(bpjs_kes_majene)

    assert approve(client, {requests["tk_suka"].pk: KPJ_NUMBER}).status_code == 404
    assert approve(client, {requests["kes_suka"].pk: JKN_NUMBER}).status_code == 404
    assert (
        client.post("/bpjs/antrean/tolak/", {"enrollment": requests["kes_suka"].pk, "reason": "x"}).status_code == 404
    )
    assert Enrollment.objects.filter(pk__in=[e.pk for e in requests.values()], status=Status.REQUESTED).count() == 4


def test_officer_of_the_other_program_in_the_same_regency_gets_404(requests, kes, mukomuko, login):
    kes_mukomuko = UserFactory(username="bpjs-kes-mukomuko", role=Role.BPJS, program=kes)
    kes_mukomuko.branch_regencies.set([mukomuko])

    assert approve(login(kes_mukomuko), {requests["tk_suka"].pk: KPJ_NUMBER}).status_code == 404


def test_the_services_refuse_an_officer_of_the_other_program_called_directly(
    requests, bpjs_tk_mukomuko, head_suka_pindah
):
    """Beyond the pages' scope, the services themselves hold: the Ketenagakerjaan officer of Mukomuko
    neither rejects nor approves Citra Dewi's JKN request, and the village hears nothing."""
    jkn_request = requests["kes_suka"]

    with pytest.raises(PermissionDenied):
        services.enrollment_reject(actor=bpjs_tk_mukomuko, enrollment=jkn_request, reason="Bukan program saya.")
    with pytest.raises(PermissionDenied):
        services.enrollments_approve(actor=bpjs_tk_mukomuko, items=[(jkn_request, JKN_NUMBER, None)])

    jkn_request.refresh_from_db()
    assert (jkn_request.status, jkn_request.rejection_reason, jkn_request.participant_number) == (
        Status.REQUESTED,
        "",
        "",
    )
    assert not Notification.objects.filter(user=head_suka_pindah).exists()


def test_dpmd_may_not_approve_or_reject(requests, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    assert approve(client, {requests["tk_suka"].pk: KPJ_NUMBER}).status_code == 403
    assert client.post("/bpjs/antrean/tolak/", {"enrollment": requests["tk_suka"].pk, "reason": "x"}).status_code == 403
    assert Enrollment.objects.get(pk=requests["tk_suka"].pk).status == Status.REQUESTED


def test_dpmd_of_another_regency_gets_404_on_a_request(requests, dpmd_majene, login):
    assert approve(login(dpmd_majene), {requests["tk_suka"].pk: KPJ_NUMBER}).status_code == 404


@pytest.mark.parametrize(
    "url", ["/bpjs/antrean/", "/bpjs/antrean.xlsx", "/bpjs/antrean/impor/", f"/desa/{MAJENE_DESA}/bpjs/"]
)
def test_anonymous_is_sent_to_log_in(client, regions, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_anonymous_post_is_sent_to_log_in(client, requests):
    response = client.post("/bpjs/antrean/setujui/", {f"number-{requests['tk_suka'].pk}": KPJ_NUMBER})

    assert response.status_code == 302
    assert Enrollment.objects.get(pk=requests["tk_suka"].pk).status == Status.REQUESTED


# --- approving ---------------------------------------------------------------------------------------


def test_officer_approves_one_request_with_number_and_start_date(requests, bpjs_tk_mukomuko, login):
    enrollment = requests["tk_suka"]

    response = login(bpjs_tk_mukomuko).post(
        "/bpjs/antrean/setujui/",
        {
            "only": enrollment.pk,
            f"number-{enrollment.pk}": "2301 1234 567",
            f"start-{enrollment.pk}": "2026-02-01",
            f"number-{requests['tk_arah'].pk}": "not this one",
        },
    )

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.participant_number, enrollment.start_date) == (
        Status.ACTIVE,
        KPJ_NUMBER,
        dt.date(2026, 2, 1),
    )
    assert enrollment.history.first().history_user == bpjs_tk_mukomuko
    assert Enrollment.objects.get(pk=requests["tk_arah"].pk).status == Status.REQUESTED


def test_officer_approves_every_row_with_a_number_at_once_start_date_today_by_default(
    requests, bpjs_tk_mukomuko, login
):
    response = approve(login(bpjs_tk_mukomuko), {requests["tk_suka"].pk: kpj(1), requests["tk_arah"].pk: kpj(2)})

    assert response.status_code == 302
    approved = Enrollment.objects.filter(pk__in=[requests["tk_suka"].pk, requests["tk_arah"].pk])
    assert {(e.status, e.start_date) for e in approved} == {(Status.ACTIVE, timezone.localdate())}


def test_bulk_approval_with_bad_numbers_is_refused_row_by_row_and_nothing_is_applied(
    kes, suka_pindah, bpjs_kes_majene, majene_desa, login
):
    good, short, letters = (request_enrollment(kes, majene_desa) for _ in range(3))

    response = approve(login(bpjs_kes_majene), {good.pk: jkn(1), short.pk: "001133652659", letters.pk: "00113365265AB"})

    assert response.status_code == 400
    errors = row_errors(response)
    assert errors[good.pk] == []
    assert errors[short.pk] == ["Nomor peserta BPJS Kesehatan harus tepat 13 digit angka."]
    assert errors[letters.pk] == ["Nomor peserta hanya boleh berisi angka."]
    assert "001133652659" in response.content.decode()  # what was typed is shown again
    assert Enrollment.objects.filter(pk__in=[good.pk, short.pk, letters.pk], status=Status.REQUESTED).count() == 3


def test_kpj_number_of_other_than_11_digits_is_a_warning_not_an_error(requests, bpjs_tk_mukomuko, login):
    client = login(bpjs_tk_mukomuko)

    response = approve(client, {requests["tk_suka"].pk: "1234567890"}, follow=True)

    assert Enrollment.objects.get(pk=requests["tk_suka"].pk).status == Status.ACTIVE
    warnings = [text for level, text in messages(response) if level == "warning"]
    assert warnings and "10" in warnings[0]


def test_a_number_given_twice_or_already_used_in_the_program_is_refused(
    requests, tk, suka_pindah, bpjs_tk_mukomuko, login
):
    taken = request_enrollment(tk, suka_pindah)
    services.enrollments_approve(actor=bpjs_tk_mukomuko, items=[(taken, kpj(9), dt.date(2025, 1, 1))])
    suka, arah = requests["tk_suka"], requests["tk_arah"]

    twice = approve(login(bpjs_tk_mukomuko), {suka.pk: kpj(1), arah.pk: kpj(1)})
    used = approve(login(bpjs_tk_mukomuko), {suka.pk: kpj(9)})

    errors = row_errors(twice)
    assert errors[arah.pk] == [f"Nomor peserta {kpj(1)} diberikan dua kali dalam daftar ini: juga untuk Budi Santoso."]
    assert used.status_code == 400
    assert "sudah dimiliki perangkat lain" in used.content.decode()
    assert Enrollment.objects.filter(pk__in=[suka.pk, arah.pk], status=Status.REQUESTED).count() == 2


def test_an_unreadable_start_date_is_that_rows_error(requests, bpjs_tk_mukomuko, login):
    enrollment = requests["tk_suka"]

    response = login(bpjs_tk_mukomuko).post(
        "/bpjs/antrean/setujui/", {f"number-{enrollment.pk}": KPJ_NUMBER, f"start-{enrollment.pk}": "31-02-2026"}
    )

    assert response.status_code == 400
    assert Enrollment.objects.get(pk=enrollment.pk).status == Status.REQUESTED


def test_approving_without_any_number_says_so(requests, bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).post("/bpjs/antrean/setujui/", {}, follow=True)

    assert [level for level, _ in messages(response)] == ["error"]


def test_service_refuses_dpmd_and_an_enrollment_no_longer_requested(requests, dpmd_mukomuko, bpjs_tk_mukomuko):
    enrollment = requests["tk_suka"]
    with pytest.raises(PermissionDenied):
        services.enrollments_approve(actor=dpmd_mukomuko, items=[(enrollment, KPJ_NUMBER, dt.date(2026, 1, 1))])

    services.enrollments_approve(actor=bpjs_tk_mukomuko, items=[(enrollment, KPJ_NUMBER, dt.date(2026, 1, 1))])
    with pytest.raises(services.ApprovalError) as refused:
        services.enrollments_approve(actor=bpjs_tk_mukomuko, items=[(enrollment, kpj(5), dt.date(2026, 1, 1))])

    assert refused.value.issues[0].field == "enrollment"
    enrollment.refresh_from_db()
    assert enrollment.participant_number == KPJ_NUMBER


# --- rejecting ---------------------------------------------------------------------------------------


def test_officer_rejects_with_a_reason_the_village_reads_on_its_bpjs_page(
    requests, bpjs_tk_mukomuko, head_suka_pindah, suka_pindah, login
):
    enrollment = requests["tk_suka"]

    response = login(bpjs_tk_mukomuko).post(
        "/bpjs/antrean/tolak/", {"enrollment": enrollment.pk, "reason": "KTP tidak terbaca, unggah ulang."}
    )

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.rejection_reason) == (Status.REJECTED, "KTP tidak terbaca, unggah ulang.")
    assert enrollment.history.first().history_user == bpjs_tk_mukomuko
    page = login(head_suka_pindah).get(f"/desa/{suka_pindah.code}/bpjs/")
    assert page.status_code == 200
    assert "KTP tidak terbaca, unggah ulang." in page.content.decode()
    notice = Notification.objects.get(user=head_suka_pindah)
    assert "KTP tidak terbaca" in notice.message
    assert notice.link == f"/desa/{suka_pindah.code}/bpjs/"


def test_rejecting_without_a_reason_is_refused(requests, bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).post(
        "/bpjs/antrean/tolak/", {"enrollment": requests["tk_suka"].pk, "reason": "  "}, follow=True
    )

    assert [level for level, _ in messages(response)] == ["error"]
    assert Enrollment.objects.get(pk=requests["tk_suka"].pk).status == Status.REQUESTED


# --- the desa's BPJS page ----------------------------------------------------------------------------


def test_village_bpjs_page_lists_the_enrollments_of_the_desa_with_their_status(
    requests, head_suka_pindah, suka_pindah, login
):
    response = login(head_suka_pindah).get(f"/desa/{suka_pindah.code}/bpjs/")

    assert response.status_code == 200
    listed = {(row["Nama"], row["Program"], row["Status"]) for row in page(response).rows()}
    assert {
        ("Budi Santoso", "BPJS TK", "diajukan"),
        ("Citra Dewi", "BPJS Kesehatan", "diajukan"),
    } <= listed  # with the demo's officials of the desa, when the session loaded it
    assert not {name for name, _, _ in listed} & {"Agus Salim", "Dewi Lestari"}


@pytest.mark.parametrize("actor", ["head_arah_tiga", "bpjs_kes_majene", "dpmd_majene"])
def test_village_bpjs_page_of_another_village_is_404(requests, suka_pindah, request, login, actor):
    assert login(request.getfixturevalue(actor)).get(f"/desa/{suka_pindah.code}/bpjs/").status_code == 404


def test_bpjs_officer_sees_only_their_program_on_the_village_page(requests, bpjs_tk_mukomuko, suka_pindah, login):
    response = login(bpjs_tk_mukomuko).get(f"/desa/{suka_pindah.code}/bpjs/")

    assert {row["Program"] for row in page(response).rows()} == {"BPJS TK"}


# --- the registration sheet --------------------------------------------------------------------------


def test_jkn_sheet_has_the_collective_registration_columns(requests, kes, uji_desa, bpjs_kes_uji, login):
    # The officer's branch holds this one request, beside the fixture's elsewhere and the session demo's.
    person = PersonFactory(full_name="Dewi Lestari", nik=make_nik(78, prefix="760502"))
    enrollment = request_enrollment(kes, uji_desa, person=person)
    enrollment.primary_clinic = "Puskesmas Pamboang"
    enrollment.save()
    FamilyMember.objects.create(
        person=enrollment.person, full_name="Rahmat", relation="pasangan", birth_date=dt.date(1984, 3, 2)
    )
    FamilyMember.objects.create(person=enrollment.person, full_name="Nur", relation="anak")

    response = login(bpjs_kes_uji).get("/bpjs/antrean.xlsx")

    assert response.status_code == 200
    header, row = sheet_rows(response.content)
    assert header == (
        "NIK",
        "Nama",
        "Tanggal Lahir",
        "Jenis Kelamin",
        "Jabatan",
        "Upah",
        "Kode Desa",
        "Desa",
        "Kecamatan",
        "Program",
        "Komponen",
        "Faskes Tingkat 1",
        "Anggota Keluarga",
        "Nomor Peserta",
        "Tanggal Mulai",
        "ID",
    )
    values = dict(zip(header, row, strict=True))
    assert values["NIK"] == enrollment.person.nik
    assert values["Tanggal Lahir"].date() == dt.date(1985, 8, 17)
    assert values["Upah"] == 2_850_000
    assert values["Kode Desa"] == UJI_DESA
    assert values["Komponen"] == "JKN"
    assert values["Faskes Tingkat 1"] == "Puskesmas Pamboang"
    assert values["Anggota Keluarga"] == "Nur (anak); Rahmat (pasangan, 02-03-1984)"
    assert (values["Nomor Peserta"], values["Tanggal Mulai"], values["ID"]) == (None, None, enrollment.pk)


def test_sheet_keeps_nik_and_participant_number_cells_as_text(requests, bpjs_tk_mukomuko, login):
    import io

    from openpyxl import load_workbook

    response = login(bpjs_tk_mukomuko).get("/bpjs/antrean.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[HEADER_ROW]]
    first = HEADER_ROW + 1
    assert sheet.cell(first, header.index("NIK") + 1).number_format == "@"
    assert sheet.cell(first, header.index("Nomor Peserta") + 1).number_format == "@"
    assert sheet.cell(first, header.index("Tanggal Mulai") + 1).number_format == "DD-MM-YYYY"
    assert "Faskes Tingkat 1" not in header  # JKN only


def test_dpmd_chooses_a_program_to_download_a_sheet(requests, dpmd_mukomuko, login):
    assert login(dpmd_mukomuko).get("/bpjs/antrean.xlsx").status_code == 302
    response = login(dpmd_mukomuko).get("/bpjs/antrean.xlsx?program=bpjs_kesehatan")
    assert [r[1] for r in sheet_rows(response.content)[1:]] == ["Citra Dewi"]


# --- query counts ------------------------------------------------------------------------------------


def _fill_queue(tk, villages, n: int) -> None:
    for i in range(n):
        request_enrollment(tk, villages[i % len(villages)])


def test_queue_page_costs_the_same_queries_for_10_and_100_requests(
    tk, suka_pindah, arah_tiga, bpjs_tk_mukomuko, login, django_assert_max_num_queries
):
    client = login(bpjs_tk_mukomuko)
    _fill_queue(tk, [suka_pindah, arah_tiga], 10)
    with django_assert_max_num_queries(20) as small:
        assert client.get("/bpjs/antrean/").status_code == 200
    _fill_queue(tk, [suka_pindah, arah_tiga], 90)
    with django_assert_max_num_queries(len(small)) as large:
        response = client.get("/bpjs/antrean/")

    assert waiting(response) == 100
    assert len(large) == len(small)


def test_sheet_export_costs_the_same_queries_for_10_and_100_requests(
    kes, uji_desa, bpjs_kes_uji, login, django_assert_max_num_queries
):
    client = login(bpjs_kes_uji)
    _fill_queue(kes, [uji_desa], 10)
    with django_assert_max_num_queries(20) as small:
        client.get("/bpjs/antrean.xlsx")
    _fill_queue(kes, [uji_desa], 90)
    with django_assert_max_num_queries(len(small)) as large:
        response = client.get("/bpjs/antrean.xlsx")

    assert len(sheet_rows(response.content)) == 101
    assert len(large) == len(small)
