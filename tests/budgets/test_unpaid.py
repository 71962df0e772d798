"""JKN left unpaid past the 10th: the enrollments of a payer that recorded no payment for the month become
inactive from the 1st of that month, and the coverage figures drop.

The session demo is made to pay its months first (budgets.demo.payments_for_demo), so the deactivation
acts only on the small regency built here; that the demo keeps all its enrollments is itself checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import tasks
from budgets.models import Payment
from budgets.services import enrollments_deactivate_unpaid, unpaid_jkn_enrollments
from core.models import FundingSource, PaymentRule, Program, Province, Regency, Subdistrict, Village
from core.roles import Role
from demo.budgets import payments_for_demo
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from villages.models import Position

AFTER_DUE = dt.date(2026, 3, 11)
ON_DUE = dt.date(2026, 3, 10)
MARCH = dt.date(2026, 3, 1)
TINY = "99.02"
KES, TK = Program.KESEHATAN, Program.KETENAGAKERJAAN


@pytest.fixture
def paid_demo(demo):
    """The demo with every due month of 2026 up to AFTER_DUE paid, and no other payment of 2026."""
    Payment.objects.filter(fiscal_year=2026).delete()
    payments_for_demo(AFTER_DUE)


@pytest.fixture
def tiny(paid_demo, kes):
    province = Province.objects.get_or_create(code="99", defaults={"name": "Provinsi Uji"})[0]
    regency = Regency.objects.create(code=TINY, name="Kabupaten Uji Dua", province=province)
    subdistrict = Subdistrict.objects.create(code=f"{TINY}.01", name="Uji", regency=regency)
    for v in (1, 2):
        Village.objects.create(code=f"{TINY}.01.200{v}", name=f"Desa {v}", subdistrict=subdistrict, kind="desa")
    return regency


def official(village_code: str, n: int, *, source: str = "DAU", start: dt.date = dt.date(2025, 1, 1), **kwargs):
    """An official of the tiny regency with an active JKN enrollment whose employer share comes from `source`."""
    position = Position.KEPALA_DESA if n % 10 == 1 else Position.KEPALA_DUSUN
    post = PostFactory(village_id=village_code, position=position, person=PersonFactory(nik=make_nik(9400 + n)))
    fields = {"participant_number": f"{9400 + n:013d}", "start_date": start, **kwargs}
    enrollment = EnrollmentFactory(person=post.person, funding_source=FundingSource.objects.get(pk=source), **fields)
    enrollment.components.set(enrollment.program.components.filter(is_required=True))
    return enrollment


def pay(*, regency: str | None = None, village: str | None = None, source: str = "DAU", month: int = 3, **kw):
    return Payment.objects.create(
        fiscal_year=2026,
        month=month,
        regency_id=regency,
        village_id=village,
        program_id=kw.get("program", KES),
        source_id=source,
        amount=1_000,
        paid_on=dt.date(2026, month, 5),
        recorded_by=UserFactory(username="bendahara"),
    )


def status(enrollment: Enrollment) -> tuple[str, dt.date | None]:
    enrollment.refresh_from_db()
    return enrollment.status, enrollment.end_date


def test_unpaid_jkn_becomes_inactive_after_the_10th_from_the_first_of_the_month(tiny):
    enrollment = official(f"{TINY}.01.2001", 1)

    deactivated = enrollments_deactivate_unpaid(today=AFTER_DUE)

    assert deactivated == [enrollment.pk]
    assert status(enrollment) == ("inactive", MARCH)
    change = enrollment.history.latest()
    assert change.history_user is None  # the system, not a person
    assert "03/2026" in change.history_change_reason


def test_nothing_happens_until_the_10th(tiny):
    enrollment = official(f"{TINY}.01.2001", 1)

    assert enrollments_deactivate_unpaid(today=ON_DUE) == []
    assert enrollments_deactivate_unpaid(today=dt.date(2026, 3, 1)) == []
    assert status(enrollment) == ("active", None)


def test_a_regency_payment_of_the_month_keeps_its_dau_enrollments_active(tiny):
    enrollment = official(f"{TINY}.01.2001", 1)
    pay(regency=TINY)

    assert enrollments_deactivate_unpaid(today=AFTER_DUE) == []
    assert status(enrollment) == ("active", None)


def test_a_payment_of_another_month_source_regency_or_program_does_not_count(tiny):
    enrollment = official(f"{TINY}.01.2001", 1)
    pay(regency=TINY, month=2)
    pay(regency=TINY, source="APBD")
    pay(regency="17.06")
    pay(regency=TINY, program=TK)

    assert enrollments_deactivate_unpaid(today=AFTER_DUE) == [enrollment.pk]


def test_a_village_source_is_paid_by_the_desa_not_by_the_regency(tiny):
    from_add = official(f"{TINY}.01.2001", 1, source="ADD")
    from_add_elsewhere = official(f"{TINY}.01.2002", 11, source="ADD")
    pay(regency=TINY, source="ADD")  # wrong payer: ADD is the desa's
    pay(village=f"{TINY}.01.2001", source="ADD")

    assert enrollments_deactivate_unpaid(today=AFTER_DUE) == [from_add_elsewhere.pk]
    assert status(from_add) == ("active", None)


def test_an_enrollment_begun_during_the_month_is_first_due_the_next_month(tiny):
    enrollment = official(f"{TINY}.01.2001", 1, start=dt.date(2026, 3, 4))

    assert enrollments_deactivate_unpaid(today=AFTER_DUE) == []
    payments_for_demo(dt.date(2026, 4, 11))
    assert enrollments_deactivate_unpaid(today=dt.date(2026, 4, 11)) == [enrollment.pk]
    assert status(enrollment) == ("inactive", dt.date(2026, 4, 1))


def test_ketenagakerjaan_is_left_alone(tiny, tk):
    enrollment = official(
        f"{TINY}.01.2001", 1, source="ADD", program=tk, segment="PU", participant_number="99999999901"
    )

    assert enrollments_deactivate_unpaid(today=AFTER_DUE) == []
    assert status(enrollment) == ("active", None)


def test_running_twice_changes_nothing_more(tiny):
    enrollment = official(f"{TINY}.01.2001", 1)
    enrollments_deactivate_unpaid(today=AFTER_DUE)
    changes = enrollment.history.count()

    assert enrollments_deactivate_unpaid(today=AFTER_DUE) == []
    assert enrollments_deactivate_unpaid(today=dt.date(2026, 3, 12)) == []
    assert enrollment.history.count() == changes


def test_the_demo_with_its_payments_keeps_every_enrollment(tiny):
    official(f"{TINY}.01.2001", 1)

    enrollments_deactivate_unpaid(today=AFTER_DUE)

    active = Enrollment.objects.filter(program=KES, status="active")
    assert active.filter(person__posts__village__subdistrict__regency="17.06").distinct().count() == 1_220
    assert active.filter(person__posts__village__subdistrict__regency="76.05").exists()


def test_the_task_runs_in_the_test_process_and_returns_the_count(tiny):
    official(f"{TINY}.01.2001", 1)
    official(f"{TINY}.01.2002", 11)

    assert tasks.enrollments_deactivate_unpaid.delay(AFTER_DUE.isoformat()).get() == 2
    assert tasks.enrollments_deactivate_unpaid.delay(AFTER_DUE.isoformat()).get() == 0


def test_the_dashboard_and_the_api_count_drop(tiny, login):
    official(f"{TINY}.01.2001", 1)
    official(f"{TINY}.01.2002", 11)
    official(f"{TINY}.01.2002", 12)
    pay(village=f"{TINY}.01.2002", source="DAU")  # a desa cannot pay the regency's DAU share
    client = login(UserFactory(username="dpmd-uji-dua", role=Role.DPMD, regency=Regency.objects.get(pk=TINY)))

    def covered() -> tuple[int, int]:
        page = client.get(f"/wilayah/{TINY}/?as_of={AFTER_DUE}")
        card = next(c for p, c, _ in page.context["cards"] if p.code == KES)
        api = client.get(f"/api/v1/coverage/?regency={TINY}&as_of={AFTER_DUE}").json()
        assert api["programs"][KES]["officials_covered"] == card.officials_covered
        return card.officials_covered, card.villages_covered

    assert covered() == (3, 2)
    enrollments_deactivate_unpaid(today=AFTER_DUE)
    assert covered() == (0, 0)


# --- the demo's payments -----------------------------------------------------------------------------


def test_demo_payments_pay_mukomuko_dau_139080000_for_every_due_month(paid_demo):
    mukomuko = Payment.objects.filter(regency="17.06", program=KES, source="DAU", fiscal_year=2026)

    assert sorted(mukomuko.values_list("month", flat=True)) == [1, 2, 3]
    assert set(mukomuko.values_list("amount", flat=True)) == {139_080_000}
    assert Payment.objects.filter(regency="76.05", program=KES, source="DAU", fiscal_year=2026).count() == 3
    add = Payment.objects.filter(village__subdistrict__regency="17.06", program=TK, source="ADD", fiscal_year=2026)
    assert add.values("village").distinct().count() == 9
    assert sum(add.filter(month=1).values_list("amount", flat=True)) == 97 * 15_390


def test_demo_payments_are_recorded_once(paid_demo):
    count = Payment.objects.count()

    assert payments_for_demo(AFTER_DUE) == 0
    assert Payment.objects.count() == count


# --- the set-based selection is the old loop's ---------------------------------------------------------


def test_the_set_based_selection_picks_exactly_what_the_old_loop_picked(tiny, tk):
    """Mixed sources and payments, officials with posts in two desa, officials with no post today and
    enrollments begun during the month: the database's choice is the one the old per-enrollment loop over
    the contribution calculator made (bench/legacy_jobs.py keeps it)."""
    from bench.legacy_jobs import old_unpaid_ids

    one, two = f"{TINY}.01.2001", f"{TINY}.01.2002"
    pay(village=one, source="ADD")
    pay(village=two, source="DD")
    pay(regency=TINY, source="DAU")
    pay(village=two, source="ADD", month=2)  # another month
    expected = {
        "apbd unpaid": official(one, 1, source="APBD"),
        "add of the unpaid desa": official(two, 11, source="ADD"),
        "begun on the 1st": official(two, 12, source="PADES", start=MARCH),
    }
    kept = {
        "dau paid": official(one, 2, source="DAU"),
        "add paid": official(one, 3, source="ADD"),
        "dd paid": official(two, 13, source="DD"),
        "begun during the month": official(two, 14, source="PADES", start=dt.date(2026, 3, 2)),
        "the participant pays": official(two, 15, source="PESERTA"),
    }
    # Posts in two desa: the payer is the desa of the main post (best-paid, then definitif, then latest).
    better_paid_in_two = official(one, 4, source="ADD")
    PostFactory(person=better_paid_in_two.person, village_id=two, status="plt", wage_basis=3_500_000)
    expected["main post in the unpaid desa"] = better_paid_in_two
    definitif_in_one = official(one, 5, source="ADD")
    PostFactory(person=definitif_in_one.person, village_id=two, status="plt")
    kept["main post (definitif) in the paid desa"] = definitif_in_one
    later_in_two = official(one, 6, source="ADD")
    later_in_two.person.posts.update(status="pj")
    PostFactory(person=later_in_two.person, village_id=two, status="pj", term_start=dt.date(2024, 1, 1))
    expected["main post (the latest) in the unpaid desa"] = later_in_two
    ended_in_two = official(one, 7, source="ADD")
    PostFactory(
        person=ended_in_two.person,
        village_id=two,
        wage_basis=4_000_000,
        ended_on=dt.date(2026, 3, 5),
        end_reason="mengundurkan_diri",
    )
    kept["a better post ended before today"] = ended_in_two
    # Officials on no post today have no payer.
    left = official(two, 16, source="APBD")
    left.person.posts.update(ended_on=dt.date(2026, 2, 28), end_reason="mengundurkan_diri")
    kept["no post today (ended)"] = left
    not_yet = official(two, 17, source="APBD")
    not_yet.person.posts.update(term_start=dt.date(2026, 3, 20))
    kept["no post today (begins later)"] = not_yet
    kept["inactive already"] = official(two, 18, source="APBD", status="inactive", end_date=dt.date(2026, 2, 1))
    kept["ketenagakerjaan"] = official(
        two, 19, source="ADD", program=tk, segment="PU", participant_number="99999999919"
    )

    new = set(unpaid_jkn_enrollments(today=AFTER_DUE).values_list("pk", flat=True))
    old = set(old_unpaid_ids(today=AFTER_DUE))

    assert new == old
    assert new == {e.pk for e in expected.values()}
    assert enrollments_deactivate_unpaid(today=AFTER_DUE) == sorted(old)
    assert all(status(e)[0] == "active" for e in kept.values() if e.status == "active")


def test_each_deactivated_enrollment_gets_a_new_version_and_a_history_row_by_the_actor(tiny):
    enrollments = [official(f"{TINY}.01.2001", n) for n in (1, 2, 3)]
    actor = UserFactory(username="operator")

    enrollments_deactivate_unpaid(today=AFTER_DUE, actor=actor)

    for enrollment in enrollments:
        version = enrollment.version
        enrollment.refresh_from_db()
        assert enrollment.version == version + 1
        change = enrollment.history.latest()
        assert (change.status, change.end_date, change.history_user) == ("inactive", MARCH, actor)
        assert change.history_change_reason == "Tidak ada pembayaran iuran 03/2026 yang tercatat sampai tanggal 10."


def test_the_deactivation_costs_the_same_queries_for_2_and_for_20_enrollments(tiny):
    def queries(numbers: list[int]) -> int:
        for n in numbers:
            official(f"{TINY}.01.2001", n)
        with CaptureQueriesContext(connection) as captured:
            assert len(enrollments_deactivate_unpaid(today=AFTER_DUE)) == len(numbers)
        return len(captured)

    assert queries([2, 3]) == queries([n for n in range(42, 64) if n % 10 != 1])


# --- the due day is a dated rule (core.PaymentRule) ---------------------------------------------------


def test_a_later_due_day_applies_from_its_date_and_leaves_earlier_months_alone(tiny):
    """From April 2026 JKN is due by the 20th: on 15 April nobody is late yet, while 11 March (the 10th
    still in force) deactivates as before."""
    PaymentRule.objects.create(effective_from=dt.date(2026, 4, 1), due_day=20, source="uji")
    enrollment = official(f"{TINY}.01.2001", 1)

    assert enrollments_deactivate_unpaid(today=dt.date(2026, 4, 15)) == []
    assert status(enrollment) == ("active", None)
    assert enrollments_deactivate_unpaid(today=AFTER_DUE) == [enrollment.pk]
    assert status(enrollment) == ("inactive", MARCH)
