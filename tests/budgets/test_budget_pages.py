"""Budget pages of a regency and of a desa: pagu, realisasi, komitmen, sisa, biaya setahun; allocations
added, edited and deleted on the pages; scope; and a query count that does not grow with the regency.

Figures come from the session `demo` (enrollment/demo.py): in Mukomuko 1.220 officials in JKN from DAU at a
wage basis of Rp2.850.000, so Rp114.000 each a month, Rp139.080.000 a month in all and Rp1.668.960.000 a
year against a DAU pagu of Rp1.700.000.000 (98,2%); 97 officials of 9 desa in BPJS Ketenagakerjaan
(JKK + JKM, Rp15.390 each a month) from those desa's ADD.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import Allocation, Payment
from core.models import FundingSource, Program, Province, Regency, Subdistrict, Village
from core.roles import Role
from demo.budgets import payments_for_demo
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from villages.models import Position

MUKOMUKO, MAJENE = "17.06", "76.05"
KES, TK = Program.KESEHATAN, Program.KETENAGAKERJAAN
MONTHLY_DAU = 139_080_000  # 1.220 × Rp114.000
YEARLY_DAU = 1_668_960_000
TODAY = timezone.localdate()
YEAR = TODAY.year


def line(lines, program: str, source: str):
    return next(x for x in lines if x.program.code == program and x.source.code == source)


def dau_line(response):
    return line(response.context["budget"].lines, KES, "DAU")


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
    assert dau.whole_year_pct == 98.2
    assert dau.monthly == MONTHLY_DAU
    assert dau.officials == 1_220
    content = response.content.decode()
    assert "Rp1.700.000.000" in content
    assert "Rp1.668.960.000" in content
    assert "98,2%" in content


def test_commitment_is_the_unpaid_months_left_in_the_year_times_139080000(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    unpaid_left = [m for m in range(TODAY.month, 13) if m not in paid_months()]
    dau = dau_line(response)
    assert dau.commitment == len(unpaid_left) * MONTHLY_DAU
    assert dau.remaining == 1_700_000_000 - dau.realization - dau.commitment
    assert dau.used_pct == round(100 * (dau.realization + dau.commitment) / 1_700_000_000, 1)


def test_the_participant_share_is_shown_apart_from_the_figures(demo, dpmd_mukomuko, login):
    dau = dau_line(login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/"))

    assert dau.participant_monthly == 1_220 * 28_500
    assert dau.participant_year == 12 * 1_220 * 28_500
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
    assert dau.used_pct == 98.2
    assert dau.unpaid_months == []
    assert dau.warning is None


def test_past_months_without_a_payment_are_named(demo, dpmd_mukomuko, login):
    Payment.objects.filter(regency=MUKOMUKO, fiscal_year=YEAR, month=1).delete()

    dau = dau_line(login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/?tahun={YEAR}"))

    if TODAY.month > 1:
        assert 1 in dau.unpaid_months


def test_a_warning_when_realization_and_commitment_exceed_the_allocation(demo, dpmd_mukomuko, login):
    payments_for_demo(TODAY)
    Allocation.objects.filter(regency=MUKOMUKO, fiscal_year=YEAR, program=KES, source="DAU").update(
        amount=1_000_000_000
    )

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    dau = dau_line(response)
    assert dau.over and dau.warning == "over_allocation"
    assert dau.over_by == YEARLY_DAU - 1_000_000_000
    assert dau in response.context["budget"].warnings
    content = response.content.decode()
    assert 'class="budget-alert" role="alert"' in content
    assert "Rp668.960.000" in content  # by how much


def test_no_warning_while_within_the_allocation(demo, dpmd_mukomuko, login):
    payments_for_demo(TODAY)

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    dau = dau_line(response)
    assert dau.warning is None
    assert dau not in response.context["budget"].warnings
    # The demo also gives the 9 Ketenagakerjaan desa an ADD pagu above their cost: nothing to warn about.
    assert response.context["budget"].warnings == []


def test_the_desa_sources_are_summed_over_the_desa(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    add = line(response.context["budget"].village_lines, TK, "ADD")
    assert (add.officials, add.villages) == (97, 9)
    assert add.monthly == 97 * 15_390
    assert add.whole_year == 12 * 97 * 15_390
    assert add.villages_without_allocation == 0
    assert add.warning is None


def test_desa_that_pay_without_an_allocation_are_counted_and_warned_about(demo, dpmd_mukomuko, login):
    Allocation.objects.filter(fiscal_year=YEAR, village__isnull=False, program_id=TK, source_id="ADD").delete()

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    add = line(response.context["budget"].village_lines, TK, "ADD")
    assert add.villages_without_allocation == 9
    assert add.warning == "no_allocation"


def test_a_desa_over_its_allocation_is_named_on_the_regency_page(demo, dpmd_mukomuko, login):
    village = tk_village()
    Allocation.objects.update_or_create(
        fiscal_year=YEAR, village=village, program_id=TK, source_id="ADD", defaults={"amount": 1_000}
    )

    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/")

    add = line(response.context["budget"].village_lines, TK, "ADD")
    assert add.villages_over == [village]
    assert add.villages_without_allocation == 0
    assert f"/desa/{village.code}/anggaran/" in response.content.decode()


def test_the_fiscal_year_is_chosen_with_tahun(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/?tahun={YEAR + 1}")

    dau = dau_line(response)
    assert response.context["year"] == YEAR + 1
    assert dau.allocation is None  # the demo has a pagu for this year only
    assert dau.whole_year == YEARLY_DAU
    assert dau.commitment == YEARLY_DAU  # all of a future year is still to pay
    assert dau.warning == "no_allocation"


def test_a_past_year_has_no_commitment(demo, dpmd_mukomuko, login):
    dau = dau_line(login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/?tahun={YEAR - 1}"))

    assert dau.commitment == 0


def test_a_year_that_is_not_a_year_falls_back_to_this_year_with_a_message(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get(f"/wilayah/{MUKOMUKO}/anggaran/?tahun=dua-ribu")

    assert response.status_code == 200
    assert response.context["year"] == YEAR
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# --- the desa page -----------------------------------------------------------------------------------


def test_desa_page_puts_its_add_costs_on_the_apbdes_accounts_of_kades_and_perangkat(demo, login):
    village = tk_village()
    officials = Enrollment.objects.filter(
        program=TK, status="active", person__posts__village=village, person__posts__ended_on=None
    ).count()
    head = UserFactory(username="desa-tk", role=Role.VILLAGE, village=village)

    response = login(head).get(f"/desa/{village.code}/anggaran/")

    assert response.status_code == 200
    budget = response.context["budget"]
    accounts = {a.code: a for a in budget.accounts}
    assert accounts["5.1.3.03"].officials == 1
    assert accounts["5.1.3.03"].monthly == 15_390
    assert accounts["5.1.3.04"].officials == officials - 1
    assert accounts["5.1.3.04"].monthly == (officials - 1) * 15_390
    assert accounts["5.1.3"].whole_year == 12 * officials * 15_390
    assert accounts["5.1.3.01"].officials == accounts["5.1.3.02"].officials == 0  # JKN is the regency's (DAU)
    assert line(budget.lines, TK, "ADD").monthly == officials * 15_390
    assert line(budget.regency_lines, KES, "DAU").monthly == officials * 114_000
    content = response.content.decode()
    for code in ("5.1.3.01", "5.1.3.02", "5.1.3.03", "5.1.3.04", "Jaminan Ketenagakerjaan Kepala Desa"):
        assert code in content


def test_desa_page_commitment_leaves_out_the_months_the_desa_paid(demo, login):
    village = tk_village()
    Payment.objects.filter(village=village, fiscal_year=YEAR).delete()
    head = UserFactory(username="desa-tk", role=Role.VILLAGE, village=village)
    client = login(head)
    before = line(client.get(f"/desa/{village.code}/anggaran/").context["budget"].lines, TK, "ADD")
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

    after = line(response.context["budget"].lines, TK, "ADD")
    assert after.realization == before.realization + before.monthly
    assert after.commitment == before.commitment - before.monthly
    assert {a.code: a for a in response.context["budget"].accounts}["5.1.3"].commitment == after.commitment


def test_a_kelurahan_has_no_budget_page(demo, dpmd_mukomuko, login):
    kelurahan = Village.objects.filter(subdistrict__regency=MUKOMUKO, kind="kelurahan").first()

    assert login(dpmd_mukomuko).get(f"/desa/{kelurahan.code}/anggaran/").status_code == 404


# --- allocations on the pages ------------------------------------------------------------------------


def test_dpmd_adds_a_regency_allocation_and_it_is_recorded_with_who_did_it(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post(
        f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": KES, "source": "APBD", "amount": "Rp250.000.000", "note": "cadangan"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/wilayah/{MUKOMUKO}/anggaran/?tahun={YEAR}"
    allocation = Allocation.objects.get(regency=MUKOMUKO, fiscal_year=YEAR, source="APBD")
    assert allocation.amount == 250_000_000
    assert allocation.history.get().history_user == dpmd_mukomuko


def test_a_second_allocation_for_the_same_year_program_and_source_is_refused(demo, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post(
        f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": KES, "source": "DAU", "amount": "1000"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Allocation.objects.filter(regency=MUKOMUKO, fiscal_year=YEAR, source="DAU").count() == 1


def test_the_regency_form_offers_regency_sources_only(demo, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)
    form = client.get(f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/").context["form"]
    assert {s.code for s in form.fields["source"].queryset} == {"DAU", "APBD"}

    response = client.post(
        f"/wilayah/{MUKOMUKO}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": TK, "source": "ADD", "amount": "1000"},
    )
    assert "source" in response.context["form"].errors


def test_dpmd_adds_a_village_allocation_for_a_desa_of_its_regency(demo, dpmd_mukomuko, suka_pindah, login):
    response = login(dpmd_mukomuko).post(
        f"/desa/{suka_pindah.code}/anggaran/pagu/tambah/",
        {"fiscal_year": YEAR, "program": TK, "source": "ADD", "amount": "2.000.000"},
    )

    assert response.status_code == 302
    assert Allocation.objects.get(village=suka_pindah, fiscal_year=YEAR).amount == 2_000_000


def test_village_head_adds_edits_and_deletes_their_desa_allocation(demo, head_suka_pindah, suka_pindah, login):
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


def test_dpmd_of_another_regency_gets_404_on_every_budget_page(demo, dpmd_majene, suka_pindah, login):
    client = login(dpmd_majene)
    allocation = Allocation.objects.get(regency=MUKOMUKO, fiscal_year=YEAR, source="DAU")
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


def test_village_head_of_another_desa_gets_404(demo, head_arah_tiga, suka_pindah, login):
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
def test_read_only_roles_see_the_budget_but_writing_is_403(demo, actor, suka_pindah, login, request):
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

    budget = response.context["budget"]
    assert {x.program.code for x in [*budget.lines, *budget.village_lines]} == {TK}
    assert not response.context["can_edit"]


def test_anonymous_users_are_sent_to_log_in(demo, client):
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
    add = line(response.context["budget"].village_lines, TK, "ADD")
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
