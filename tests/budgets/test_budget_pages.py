"""Budget pages of a regency and of a desa: pagu, realisasi, komitmen, sisa, biaya setahun; allocations
added, edited and deleted on the pages; scope; and a query count that does not grow with the regency.

Figures come from the session `demo` (enrollment/demo.py): in Mukomuko 1.220 officials in JKN from DAU at a
wage basis of Rp2.850.000, so Rp114.000 each a month, Rp139.080.000 a month in all and Rp1.668.960.000 a
year against a DAU pagu of Rp1.700.000.000 (98,2%); 97 officials of 9 desa in BPJS Ketenagakerjaan
(JKK + JKM, Rp15.390 each a month) from those desa's ADD. The figures are read from the pages' tables
(tests/html.py); tests about allocations and scope hold with or without the demo.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import Allocation, Payment
from core.models import AccountCode, FundingSource, Program, Province, Regency, Subdistrict, Village
from core.roles import Role
from core.templatetags.format_id import persen
from demo.budgets import payments_for_demo
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from tests.html import Element, messages, number, numbers, page
from villages.models import Position

MUKOMUKO, MAJENE = "17.06", "76.05"
KES, TK = Program.KESEHATAN, Program.KETENAGAKERJAAN
MONTHLY_DAU = 139_080_000  # 1.220 × Rp114.000
YEARLY_DAU = 1_668_960_000
TODAY = timezone.localdate()
YEAR = TODAY.year


def money(text: str) -> int | None:
    """ "Rp1.700.000.000 ubah" → 1700000000; "belum ada pagu" or "–" → None."""
    word = text.split()[0]
    return number(word) if word.startswith(("Rp", "-")) else None


def budget_row(table: Element, program: str, source: str) -> SimpleNamespace:
    """A line of a budget table read back from its cells: program "BPJS TK", source "ADD" (the start
    of "ADD (Alokasi Dana Desa)"); `notes` is the row under it (participant share, unpaid months)."""
    trs = table.find("tbody").find_all("tr")
    cells = [{c.attrs.get("data-label"): c.text for c in tr.children if isinstance(c, Element)} for tr in trs]
    matching = [
        i for i, text in enumerate(cells) if text.get("Program") == program and text["Sumber dana"].startswith(source)
    ]
    assert matching, f"no line {program} · {source} in {table.rows()}"
    i = matching[0]
    tr, text = trs[i], cells[i]
    notes = trs[i + 1] if i + 1 < len(trs) and "budget-notes" in trs[i + 1].attrs.get("class", "") else None
    return SimpleNamespace(
        allocation=money(text["Pagu"]),
        realization=money(text["Realisasi"]),
        commitment=money(text["Komitmen sisa tahun"]),
        remaining=money(text["Sisa"]),
        used_pct=text["% terpakai"],
        whole_year=money(text["Biaya setahun"]),
        whole_year_pct=text["Biaya setahun"].split(" ", 1)[1] if " " in text["Biaya setahun"] else None,
        monthly=money(text["Biaya per bulan"]),
        officials=numbers(text["Biaya per bulan"].split(" ", 1)[1])[0],
        villages=number(text["Desa"]) if "Desa" in text else None,
        state=tr.attrs.get("class", ""),  # "is-over", "is-warn" or ""
        notes=notes.text if notes else "",
    )


def regency_table(response, heading: str = "Dibayar kabupaten (APBD)") -> Element:
    return next(s for s in page(response).find_all("section") if s.find("h2").text.startswith(heading)).find("table")


def village_table(response) -> Element:
    return regency_table(response, "Dibayar desa (APBDes), seluruh desa")


def dau_line(response) -> SimpleNamespace:
    return budget_row(regency_table(response), "BPJS Kesehatan", "DAU")


def add_line(response) -> SimpleNamespace:
    return budget_row(village_table(response), "BPJS TK", "ADD")


def accounts(response) -> dict[str, dict[str, str]]:
    """The APBDes accounts table of a desa page, {account code: {column: text}}."""
    return {row["Rekening"]: row for row in regency_table(response, "Rekening APBDes").rows()}


def alert(response) -> str:
    """The "check the budget" box above the tables ("" when there is nothing to check)."""
    found = page(response).find_all("div", cls="budget-alert")
    return found[0].text if found else ""


def paid_months(regency: str = MUKOMUKO) -> set[int]:
    return set(
        Payment.objects.filter(regency=regency, program=KES, source="DAU", fiscal_year=YEAR).values_list(
            "month", flat=True
        )
    )


def tk_village() -> Village:
    """One of the 9 Mukomuko desa whose officials are in BPJS Ketenagakerjaan from ADD."""
    enrollment = Enrollment.objects.filter(program=TK, status="active", funding_source="ADD").order_by("pk").first()
    return enrollment.person.posts.get().village


# --- the regency page: the Mukomuko demo -------------------------------------------------------------


def test_mukomuko_budget_shows_the_dau_pagu_and_the_whole_year_cost_at_982_percent(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    assert response.status_code == 200
    dau = dau_line(response)
    assert dau.allocation == 1_700_000_000
    assert dau.whole_year == YEARLY_DAU
    assert dau.whole_year_pct == "98,2% dari pagu"
    assert dau.monthly == MONTHLY_DAU
    assert dau.officials == 1_220
    text = regency_table(response).text
    for shown in ("Rp1.700.000.000", "Rp1.668.960.000", "Rp139.080.000", "1.220 perangkat"):
        assert shown in text, shown


def test_commitment_is_the_unpaid_months_left_in_the_year_times_139080000(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    unpaid_left = [m for m in range(TODAY.month, 13) if m not in paid_months()]
    dau = dau_line(response)
    assert dau.commitment == len(unpaid_left) * MONTHLY_DAU
    assert dau.remaining == 1_700_000_000 - dau.realization - dau.commitment
    assert dau.used_pct == persen(round(100 * (dau.realization + dau.commitment) / 1_700_000_000, 1))


def test_the_participant_share_is_shown_apart_from_the_figures(demo, dpmd_mukomuko, login):
    dau = dau_line(login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/"))

    # "Iuran peserta (...): Rp34.770.000 per bulan, Rp417.240.000 per tahun."
    assert numbers(dau.notes)[:2] == (1_220 * 28_500, 12 * 1_220 * 28_500)
    assert dau.whole_year == YEARLY_DAU  # the employer share only


def test_a_payment_moves_its_month_from_commitment_to_realization(demo, dpmd_mukomuko, login):
    Payment.objects.filter(regency=MUKOMUKO, fiscal_year=YEAR, month__gte=TODAY.month).delete()
    client = login(dpmd_mukomuko)
    before = dau_line(client.get(f"/wilayah/{MUKOMUKO}/anggaran/"))
    month = TODAY.month
    Payment.objects.create(
        fiscal_year=YEAR,
        month=month,
        regency_id=MUKOMUKO,
        program_id=KES,
        source_id="DAU",
        amount=MONTHLY_DAU,
        paid_on=TODAY,
        recorded_by=dpmd_mukomuko,
    )

    after = dau_line(client.get(f"/wilayah/{MUKOMUKO}/anggaran/"))

    assert after.realization == before.realization + MONTHLY_DAU
    assert after.commitment == before.commitment - MONTHLY_DAU
    assert after.remaining == before.remaining


def test_with_the_demo_payments_realization_and_commitment_make_the_whole_year(demo, dpmd_mukomuko, login):
    payments_for_demo(TODAY)

    dau = dau_line(login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/"))

    due = [m for m in range(1, 13) if dt.date(YEAR, m, 10) < TODAY]
    assert dau.realization == len(due) * MONTHLY_DAU
    assert dau.realization + dau.commitment == YEARLY_DAU
    assert dau.remaining == 1_700_000_000 - YEARLY_DAU
    assert dau.used_pct == "98,2%"
    assert "Belum ada pembayaran tercatat" not in dau.notes  # no month unpaid
    assert dau.state == ""  # no warning


def test_past_months_without_a_payment_are_named(demo, dpmd_mukomuko, login):
    Payment.objects.filter(regency=MUKOMUKO, fiscal_year=YEAR, month=1).delete()

    dau = dau_line(login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/?tahun={YEAR}"))

    if TODAY.month > 1:
        assert "Belum ada pembayaran tercatat untuk: Januari" in dau.notes


def test_a_warning_when_realization_and_commitment_exceed_the_allocation(demo, dpmd_mukomuko, login):
    payments_for_demo(TODAY)
    Allocation.objects.filter(regency=MUKOMUKO, fiscal_year=YEAR, program=KES, source="DAU").update(
        amount=1_000_000_000
    )

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    assert dau_line(response).state == "is-over"
    warning = alert(response)
    assert warning.count("BPJS Kesehatan dari DAU") == 1
    assert "Rp668.960.000" in warning  # by how much
    assert 'class="budget-alert" role="alert"' in response.content.decode()


def test_no_warning_while_within_the_allocation(demo, dpmd_mukomuko, login):
    payments_for_demo(TODAY)

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    assert dau_line(response).state == ""
    # The demo also gives the 9 Ketenagakerjaan desa an ADD pagu above their cost: nothing to warn about.
    assert add_line(response).state == ""
    assert alert(response) == ""


def test_the_desa_sources_are_summed_over_the_desa(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    add = add_line(response)
    assert (add.officials, add.villages) == (97, 9)
    assert add.monthly == 97 * 15_390
    assert add.whole_year == 12 * 97 * 15_390
    assert add.state == ""
    assert "ADD" not in alert(response)  # no desa without an allocation


def test_desa_that_pay_without_an_allocation_are_counted_and_warned_about(demo, dpmd_mukomuko, login):
    Allocation.objects.filter(fiscal_year=YEAR, village__isnull=False, program_id=TK, source_id="ADD").delete()

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    assert add_line(response).state == "is-warn"
    assert "BPJS TK dari ADD: 9 desa" in alert(response)


def test_a_desa_over_its_allocation_is_named_on_the_regency_page(demo, dpmd_mukomuko, login):
    village = tk_village()
    Allocation.objects.update_or_create(
        fiscal_year=YEAR, village=village, program_id=TK, source_id="ADD", defaults={"amount": 1_000}
    )

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    box = page(response).find("div", cls="budget-alert")
    (warning,) = box.find_all("li")
    assert [a.text for a in warning.find_all("a")] == [village.name]
    assert warning.links() == [f"/desa/{village.code}/anggaran/?tahun={YEAR}"]
    assert "BPJS TK dari ADD: 1 desa" in warning.text  # one desa over, none without an allocation


def test_the_fiscal_year_is_chosen_with_tahun(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/?tahun={YEAR + 1}")

    dau = dau_line(response)
    assert page(response).find("input", name="tahun").attrs["value"] == str(YEAR + 1)
    assert page(response).find("h1").text.endswith(f", {YEAR + 1}")
    assert dau.allocation is None  # the demo has a pagu for this year only
    assert "belum ada pagu" in regency_table(response).text
    assert dau.whole_year == YEARLY_DAU
    assert dau.commitment == YEARLY_DAU  # all of a future year is still to pay
    assert dau.state == "is-warn"


def test_a_past_year_has_no_commitment(demo, dpmd_mukomuko, login):
    dau = dau_line(login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/?tahun={YEAR - 1}"))

    assert dau.commitment == 0


def test_a_year_that_is_not_a_year_falls_back_to_this_year_with_a_message(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/?tahun=dua-ribu")

    assert response.status_code == 200
    assert page(response).find("input", name="tahun").attrs["value"] == str(YEAR)
    assert [level for level, _ in messages(response)] == ["error"]


# --- the desa page -----------------------------------------------------------------------------------


def test_desa_page_puts_its_add_costs_on_the_apbdes_accounts_of_kades_and_perangkat(demo, login):
    village = tk_village()
    officials = Enrollment.objects.filter(
        program=TK, status="active", person__posts__village=village, person__posts__ended_on=None
    ).count()
    head = UserFactory(username="desa-tk", role=Role.VILLAGE, village=village)

    response = login(head).get(f"/desa/{village.code}/anggaran/")

    assert response.status_code == 200
    table = accounts(response)
    assert number(table["5.1.3.03"]["Perangkat desa"]) == 1
    assert number(table["5.1.3.03"]["Biaya per bulan"]) == 15_390
    assert number(table["5.1.3.04"]["Perangkat desa"]) == officials - 1
    assert number(table["5.1.3.04"]["Biaya per bulan"]) == (officials - 1) * 15_390
    assert number(table["5.1.3"]["Biaya setahun"]) == 12 * officials * 15_390
    assert table["5.1.3.01"]["Perangkat desa"] == table["5.1.3.02"]["Perangkat desa"] == "0"  # JKN: the regency's
    assert budget_row(regency_table(response, "Dibayar desa (APBDes)"), "BPJS TK", "ADD").monthly == officials * 15_390
    (jkn,) = regency_table(response, "Dibayar kabupaten untuk perangkat desa ini").rows()
    assert (jkn["Program"], jkn["Sumber dana"]) == ("BPJS Kesehatan", "DAU (APBD)")
    assert number(jkn["Biaya per bulan"]) == officials * 114_000
    content = response.content.decode()
    for code in ("5.1.3.01", "5.1.3.02", "5.1.3.03", "5.1.3.04", "Jaminan Ketenagakerjaan Kepala Desa"):
        assert code in content


def test_desa_page_commitment_leaves_out_the_months_the_desa_paid(demo, login):
    village = tk_village()
    Payment.objects.filter(village=village, fiscal_year=YEAR).delete()
    head = UserFactory(username="desa-tk", role=Role.VILLAGE, village=village)
    client = login(head)
    desa_table = "Dibayar desa (APBDes)"
    before = budget_row(regency_table(client.get(f"/desa/{village.code}/anggaran/"), desa_table), "BPJS TK", "ADD")
    Payment.objects.create(
        fiscal_year=YEAR,
        month=TODAY.month,
        village=village,
        program_id=TK,
        source_id="ADD",
        amount=before.monthly,
        paid_on=TODAY,
        recorded_by=head,
    )

    response = client.get(f"/desa/{village.code}/anggaran/")

    after = budget_row(regency_table(response, desa_table), "BPJS TK", "ADD")
    assert after.realization == before.realization + before.monthly
    assert after.commitment == before.commitment - before.monthly
    assert number(accounts(response)["5.1.3"]["Komitmen sisa tahun"]) == after.commitment


def test_a_kelurahan_has_no_budget_page(dpmd_mukomuko, login):
    kelurahan = Village.objects.filter(subdistrict__regency=MUKOMUKO, kind="kelurahan").first()

    assert login(dpmd_mukomuko).get(f"/desa/{kelurahan.code}/anggaran/").status_code == 404


# --- allocations on the pages ------------------------------------------------------------------------


def test_dpmd_adds_a_regency_allocation_and_it_is_recorded_with_who_did_it(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post(
        f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": KES, "source": "APBD", "amount": "Rp250.000.000", "note": "cadangan"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/wilayah/{MUKOMUKO}/anggaran/?tahun={YEAR}"
    allocation = Allocation.objects.get(regency=MUKOMUKO, fiscal_year=YEAR, source="APBD")
    assert allocation.amount == 250_000_000
    assert allocation.history.get().history_user == dpmd_mukomuko


def dau_allocation() -> Allocation:
    """Mukomuko's DAU pagu for JKN this year: the demo's when it is loaded, else one made here."""
    return Allocation.objects.get_or_create(
        regency_id=MUKOMUKO, fiscal_year=YEAR, program_id=KES, source_id="DAU", defaults={"amount": 1_700_000_000}
    )[0]


def test_a_second_allocation_for_the_same_year_program_and_source_is_refused(dpmd_mukomuko, login):
    dau_allocation()

    response = login(dpmd_mukomuko).post(
        f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": KES, "source": "DAU", "amount": "1000"},
    )

    assert response.status_code == 200
    assert page(response).find_all(role="alert")  # the form comes back with its error
    assert Allocation.objects.filter(regency=MUKOMUKO, fiscal_year=YEAR, source="DAU").count() == 1


def test_the_regency_form_offers_regency_sources_only(dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    select = page(client.get(f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/")).find("select", name="source")
    assert {o.attrs["value"] for o in select.find_all("option")} - {""} == {"DAU", "APBD"}

    response = client.post(
        f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": TK, "source": "ADD", "amount": "1000"},
    )
    (source,) = [f for f in page(response).find_all("div", cls="field") if f.find_all("select", name="source")]
    assert "has-error" in source.attrs["class"].split()


def test_dpmd_adds_a_village_allocation_for_a_desa_of_its_regency(dpmd_mukomuko, suka_pindah, login):
    response = login(dpmd_mukomuko).post(
        f"/desa/{suka_pindah.code}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": TK, "source": "ADD", "amount": "2.000.000"},
    )

    assert response.status_code == 302
    assert Allocation.objects.get(village=suka_pindah, fiscal_year=YEAR).amount == 2_000_000


def test_village_head_adds_edits_and_deletes_their_desa_allocation(head_suka_pindah, suka_pindah, login):
    client = login(head_suka_pindah)
    client.post(
        f"/desa/{suka_pindah.code}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": TK, "source": "ADD", "amount": "2000000"},
    )
    allocation = Allocation.objects.get(village=suka_pindah, fiscal_year=YEAR)

    response = client.post(
        f"/pagu/{allocation.pk}/ubah/",
        {"fiscal_year": YEAR, "program": TK, "source": "ADD", "amount": "3.000.000", "note": "perubahan APBDes"},
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert (allocation.amount, allocation.note) == (3_000_000, "perubahan APBDes")

    assert client.get(f"/pagu/{allocation.pk}/hapus/").status_code == 200
    response = client.post(f"/pagu/{allocation.pk}/hapus/")
    assert response.status_code == 302
    assert not Allocation.objects.filter(pk=allocation.pk).exists()
    assert Allocation.history.filter(id=allocation.pk, history_type="-").get().history_user == head_suka_pindah


# --- scope -------------------------------------------------------------------------------------------


def test_dpmd_of_another_regency_gets_404_on_every_budget_page(dpmd_majene, suka_pindah, login):
    client = login(dpmd_majene)
    allocation = dau_allocation()
    for url in (
        f"/wilayah/{MUKOMUKO}/anggaran/",
        f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/",
        f"/desa/{suka_pindah.code}/anggaran/",
        f"/desa/{suka_pindah.code}/anggaran/pagu/tambah/",
        f"/pagu/{allocation.pk}/ubah/",
        f"/pagu/{allocation.pk}/hapus/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/pagu/{allocation.pk}/hapus/").status_code == 404
    assert Allocation.objects.filter(pk=allocation.pk).exists()


def test_village_head_of_another_desa_gets_404(head_arah_tiga, suka_pindah, login):
    client = login(head_arah_tiga)
    allocation = Allocation.objects.create(
        fiscal_year=YEAR, village=suka_pindah, program_id=TK, source_id="ADD", amount=1_000
    )
    for url in (
        f"/desa/{suka_pindah.code}/anggaran/",
        f"/desa/{suka_pindah.code}/anggaran/pagu/tambah/",
        f"/pagu/{allocation.pk}/ubah/",
        f"/wilayah/{MUKOMUKO}/anggaran/",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("actor", ["bpjs_tk_mukomuko", "bengkulu_observer"])
def test_read_only_roles_see_the_budget_but_writing_is_403(actor, suka_pindah, login, request):
    client = login(request.getfixturevalue(actor))
    allocation = Allocation.objects.create(
        fiscal_year=YEAR, village=suka_pindah, program_id=TK, source_id="ADD", amount=1_000
    )

    assert client.get(f"/wilayah/{MUKOMUKO}/anggaran/").status_code == 200
    assert client.get(f"/desa/{suka_pindah.code}/anggaran/").status_code == 200
    data = {"fiscal_year": YEAR, "program": TK, "source": "APBD", "amount": "1000"}
    assert client.post(f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/", data).status_code == 403
    assert client.post(f"/desa/{suka_pindah.code}/anggaran/pagu/tambah/", data).status_code == 403
    assert client.post(f"/pagu/{allocation.pk}/hapus/").status_code == 403
    assert Allocation.objects.filter(pk=allocation.pk).exists()


def test_a_bpjs_officer_sees_the_lines_of_their_program_only(demo, bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    shown = [row["Program"] for table in page(response).find_all("table") for row in table.rows()]
    assert shown and set(shown) == {"BPJS TK"}
    assert "Tambah pagu" not in page(response).text  # no writing for a read-only role
    assert not [link for link in page(response).links() if "/pagu/" in link]


def test_anonymous_users_are_sent_to_log_in(regions, client):
    response = client.get(f"/wilayah/{MUKOMUKO}/anggaran/")

    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


# --- query counts: a regency of 10 desa costs what Mukomuko costs ------------------------------------

TINY = "99.01"


@pytest.fixture
def tiny(db, tk, kes):
    """A regency built by hand: two kecamatan, 10 desa with a kepala desa and a kepala dusun each, all in
    JKN from DAU and the first three in BPJS Ketenagakerjaan from ADD; a pagu and one payment."""
    province = Province.objects.get_or_create(code="99", defaults={"name": "Provinsi Uji"})[0]
    regency = Regency.objects.create(code=TINY, name="Kabupaten Uji", province=province)
    n = 9300
    for s in (1, 2):
        subdistrict = Subdistrict.objects.create(code=f"{TINY}.0{s}", name=f"Kecamatan Uji {s}", regency=regency)
        for v in range(1, 6):
            village = Village.objects.create(
                code=f"{TINY}.0{s}.200{v}", name=f"Desa Uji {s}{v}", subdistrict=subdistrict, kind="desa"
            )
            for position in (Position.KEPALA_DESA, Position.KEPALA_DUSUN):
                n += 1
                post = PostFactory(village=village, position=position, person=PersonFactory(nik=make_nik(n)))
                EnrollmentFactory(person=post.person, program=kes, participant_number=f"99{n:011d}")
                if s == 1 and v <= 3:
                    enrollment = EnrollmentFactory(
                        person=post.person,
                        program=tk,
                        participant_number=f"{n:011d}",
                        funding_source=FundingSource.objects.get(pk="ADD"),
                    )
                    enrollment.components.set(tk.components.filter(is_required=True))
            Village.objects.create(
                code=f"{TINY}.0{s}.100{v}", name=f"Kelurahan {s}{v}", subdistrict=subdistrict, kind="kelurahan"
            )
    for enrollment in Enrollment.objects.filter(person__posts__village__subdistrict__regency=regency, program=kes):
        enrollment.components.set(kes.components.all())
    Allocation.objects.create(fiscal_year=YEAR, regency=regency, program=kes, source_id="DAU", amount=30_000_000)
    return regency


@pytest.fixture
def dpmd_tiny(tiny):
    return UserFactory(username="dpmd-uji", role=Role.DPMD, regency=tiny)


def count_queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, translations) out of the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_tiny_regency_figures_are_right(tiny, dpmd_tiny, login):
    response = login(dpmd_tiny).get(f"/wilayah/{TINY}/anggaran/")

    dau = dau_line(response)
    assert (dau.officials, dau.monthly, dau.allocation) == (20, 20 * 114_000, 30_000_000)
    add = add_line(response)
    assert (add.officials, add.villages, add.monthly) == (6, 3, 6 * 15_390)


@pytest.mark.parametrize(
    "page",
    [
        "/wilayah/{regency}/anggaran/",
        "/desa/{village}/anggaran/",
        "/wilayah/{regency}/anggaran/pembayaran/",
        "/desa/{village}/anggaran/pembayaran/",
        "/wilayah/{regency}/anggaran/add/",
        "/wilayah/{regency}/anggaran/pagu/tambah/",
    ],
)
def test_page_costs_as_many_queries_for_mukomuko_as_for_a_regency_of_ten_desa(
    demo, tiny, dpmd_tiny, dpmd_mukomuko, login, django_assert_max_num_queries, page
):
    small = count_queries(login(dpmd_tiny), page.format(regency=TINY, village=f"{TINY}.01.2001"))
    assert small <= 16

    client = login(dpmd_mukomuko)
    url = page.format(regency=MUKOMUKO, village=tk_village().code)
    client.get(url)
    with django_assert_max_num_queries(small) as large:
        assert client.get(url).status_code == 200
    assert len(large) == small


def test_a_new_apbdes_code_from_next_year_leaves_this_years_desa_budget_alone(demo, login):
    """APBDes codes are dated rows (core.AccountCode): one renumbered from 1 January next year shows on next
    year's budget and not on this year's."""
    village = tk_village()
    AccountCode.objects.create(
        effective_from=dt.date(YEAR + 1, 1, 1),
        program_id=TK,
        for_kepala_desa=False,
        code="5.1.3.14",
        name="Jaminan Ketenagakerjaan Perangkat Desa (baru)",
    )
    client = login(UserFactory(username="desa-tk", role=Role.VILLAGE, village=village))

    this_year = accounts(client.get(f"/desa/{village.code}/anggaran/"))
    next_year = accounts(client.get(f"/desa/{village.code}/anggaran/?tahun={YEAR + 1}"))

    assert "5.1.3.04" in this_year and "5.1.3.14" not in this_year
    assert "5.1.3.14" in next_year and "5.1.3.04" not in next_year
    assert next_year["5.1.3.03"]["Rekening"] == "5.1.3.03"  # the kepala desa's code did not change
