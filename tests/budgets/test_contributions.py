"""The worked examples of rules.md §1–2 to the rupiah, and dated rates."""

import datetime as dt
from decimal import Decimal

import pytest

from budgets.contributions import RateBook, contribution, enrollment_contribution, enrollment_costs
from budgets.models import ContributionRate, RegencyMinimumWage
from core.models import ProgramComponent
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PostFactory

JAN_2026 = dt.date(2026, 1, 1)


def _component(code: str) -> ProgramComponent:
    return ProgramComponent.objects.get(code=code)


@pytest.mark.parametrize(
    ("position", "siltap", "employer", "participant", "total"),
    [
        ("kepala desa", 2_426_640, 97_066, 24_266, 121_332),
        ("sekretaris desa", 2_224_420, 88_977, 22_244, 111_221),
        ("other perangkat", 2_022_200, 80_888, 20_222, 101_110),
    ],
)
def test_jkn_at_the_siltap_minimums(db, position, siltap, employer, participant, total):
    result = contribution(
        book=RateBook(), wage=siltap, component_ids=[_component("JKN").pk], month=JAN_2026, funding_source_id="DAU"
    )
    assert (result.employer, result.participant, result.total) == (employer, participant, total)


@pytest.mark.parametrize(
    ("code", "employer", "worker"),
    [("JKK", 4_853, 0), ("JKM", 6_067, 0), ("JHT", 74_821, 40_444), ("JP", 40_444, 20_222)],
)
def test_jamsostek_at_2022200(db, code, employer, worker):
    result = contribution(
        book=RateBook(), wage=2_022_200, component_ids=[_component(code).pk], month=JAN_2026, funding_source_id="ADD"
    )
    assert (result.employer, result.participant) == (employer, worker)


def test_jkk_and_jkm_on_one_million_match_the_reported_5400(db):
    ids = [_component("JKK").pk, _component("JKM").pk]
    result = contribution(book=RateBook(), wage=1_000_000, component_ids=ids, month=JAN_2026, funding_source_id="ADD")
    assert result.employer == 5_400


def test_shares_are_rounded_once_not_line_by_line(db):
    # 0,24% and 0,30% of 1.000.250: 2.400,60 + 3.000,75 = 5.401,35 → 5.401 (rounding each line gives 5.402).
    ids = [_component("JKK").pk, _component("JKM").pk]
    result = contribution(book=RateBook(), wage=1_000_250, component_ids=ids, month=JAN_2026, funding_source_id="ADD")
    assert result.employer == 5_401


def test_jkn_wage_is_capped_at_twelve_million(db):
    result = contribution(
        book=RateBook(), wage=20_000_000, component_ids=[_component("JKN").pk], month=JAN_2026, funding_source_id="DAU"
    )
    assert (result.employer, result.participant) == (480_000, 120_000)


def test_jp_cap_follows_its_date(db):
    jp = [_component("JP").pk]
    before = contribution(
        book=RateBook(), wage=12_000_000, component_ids=jp, month=dt.date(2024, 2, 1), funding_source_id="ADD"
    )
    after = contribution(
        book=RateBook(), wage=12_000_000, component_ids=jp, month=dt.date(2024, 3, 1), funding_source_id="ADD"
    )
    assert before.employer == 140_000  # 2% of Rp7.000.000
    assert after.employer == 200_846  # 2% of Rp10.042.300


def test_a_rate_change_on_a_date_changes_only_later_months(db):
    jkn = _component("JKN")
    ContributionRate.objects.create(
        component=jkn,
        effective_from=dt.date(2026, 7, 1),
        employer_rate=Decimal("0.05"),
        participant_rate=Decimal("0.01"),
        wage_ceiling=12_000_000,
    )
    book = RateBook()

    june = contribution(
        book=book, wage=2_850_000, component_ids=[jkn.pk], month=dt.date(2026, 6, 1), funding_source_id="DAU"
    )
    july = contribution(
        book=book, wage=2_850_000, component_ids=[jkn.pk], month=dt.date(2026, 7, 1), funding_source_id="DAU"
    )
    assert (june.employer, july.employer) == (114_000, 142_500)


def test_a_regency_minimum_wage_floor_raises_a_low_wage(db, mukomuko):
    jkn = _component("JKN")
    rate = jkn.rates.get()
    rate.floor_is_regency_minimum_wage = True
    rate.save()
    RegencyMinimumWage.objects.create(regency=mukomuko, year=2026, amount=3_000_000)

    result = contribution(
        book=RateBook(),
        wage=2_850_000,
        component_ids=[jkn.pk],
        month=JAN_2026,
        funding_source_id="DAU",
        regency_id=mukomuko.pk,
    )
    assert result.employer == 120_000


def test_enrollment_contribution_reads_the_wage_of_the_officials_post(db, suka_pindah):
    post = PostFactory(village=suka_pindah, wage_basis=2_850_000)
    enrollment = EnrollmentFactory(person=post.person)
    enrollment.components.set([_component("JKN")])

    result = enrollment_contribution(enrollment=enrollment, month=JAN_2026)

    assert (result.employer, result.participant, result.funding_source_id) == (114_000, 28_500, "DAU")


def test_mukomuko_jkn_costs_114000_each_and_1668960000_a_year(demo, django_assert_max_num_queries):
    book = RateBook()
    with django_assert_max_num_queries(2):
        costs = enrollment_costs(
            Enrollment.objects.filter(
                program="bpjs_kesehatan",
                status="active",
                funding_source="DAU",
                person__posts__village__subdistrict__regency="17.06",
            ).distinct(),
            day=JAN_2026,
        )
    monthly = {c.cost(book, JAN_2026).employer for c in costs}
    yearly = sum(c.cost(book, dt.date(2026, m, 1)).employer for c in costs for m in range(1, 13))

    assert len(costs) == 1_220
    assert monthly == {114_000}
    assert yearly == 1_668_960_000
    assert round(100 * yearly / 1_700_000_000, 1) == 98.2


# --- the participant's share, as the contribution API gives it ----------------------------------------


def _participant_share(login, dpmd_mukomuko, suka_pindah, program, codes: list[str], wage: int) -> dict:
    post = PostFactory(village=suka_pindah, wage_basis=wage)
    enrollment = EnrollmentFactory(person=post.person, program=program)
    enrollment.components.set(ProgramComponent.objects.filter(code__in=codes))
    url = f"/api/v1/contributions/?enrollment={enrollment.pk}&month=2026-01"
    return login(dpmd_mukomuko).get(url).json()


def test_the_participant_share_is_rounded_once_on_its_total(login, dpmd_mukomuko, suka_pindah, tk):
    # JHT 2% + JP 1% of Rp2.850.017: 57.000,34 + 28.500,17 = 85.500,51 → Rp85.501 (line by line: 85.500).
    data = _participant_share(login, dpmd_mukomuko, suka_pindah, tk, ["JHT", "JP"], 2_850_017)

    assert data["participant"] == 85_501


def test_an_exact_half_rupiah_of_the_participant_share_rounds_up(login, dpmd_mukomuko, suka_pindah, kes):
    # JKN 1% of Rp2.850.050 = Rp28.500,50 → Rp28.501 (half-even would give Rp28.500).
    data = _participant_share(login, dpmd_mukomuko, suka_pindah, kes, ["JKN"], 2_850_050)

    assert (data["participant"], data["employer"]) == (28_501, 114_002)
