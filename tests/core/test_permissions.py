"""core.permissions: who may do what to which object, and the getters that fetch an object for a user
(outside the scope a 404, a read-only role writing a 403, inside the object itself).

Actors (tests/conftest.py): DPMD staff of Mukomuko and of Majene, the heads of Suka Pindah and Arah Tiga
(two desa of Mukomuko), a BPJS Ketenagakerjaan officer for Mukomuko, a BPJS Kesehatan officer for Majene,
the Bengkulu province observer and a superuser."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from budgets import selectors as budget_selectors
from budgets import services as budget_services
from budgets.models import Allocation, Payment, Scenario
from budgets.services import Payer
from core import permissions
from core.models import FundingSource, Program, Regency, Village
from core.selectors import regencies_editable_by, villages_editable_by
from tests.conftest import ARAH_TIGA, MAJENE_DESA, SUKA_PINDAH
from tests.factories import PostFactory, UserFactory
from villages import services as village_services
from villages.models import NikConflict, Post
from villages.selectors import nik_conflict_for_user, post_for_user

ACTORS = [
    "dpmd_mukomuko",
    "dpmd_majene",
    "head_suka_pindah",
    "head_arah_tiga",
    "bpjs_tk_mukomuko",
    "bpjs_kes_majene",
    "bengkulu_observer",
    "superuser",
]
READ_ONLY = ["bpjs_tk_mukomuko", "bengkulu_observer"]


@pytest.fixture
def actor(request):
    return lambda name: request.getfixturevalue(name)


@pytest.fixture
def majene_desa(regions):
    return Village.objects.get(pk=MAJENE_DESA)


@pytest.fixture
def kelurahan(regions):
    return Village.objects.filter(kind=Village.Kind.KELURAHAN, subdistrict__regency_id="17.06").first()


# --- predicates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "editable"),
    [
        ("dpmd_mukomuko", {SUKA_PINDAH, ARAH_TIGA}),
        ("dpmd_majene", {MAJENE_DESA}),
        ("head_suka_pindah", {SUKA_PINDAH}),
        ("head_arah_tiga", {ARAH_TIGA}),
        ("bpjs_tk_mukomuko", set()),
        ("bpjs_kes_majene", set()),
        ("bengkulu_observer", set()),
        ("superuser", {SUKA_PINDAH, ARAH_TIGA, MAJENE_DESA}),
    ],
)
def test_who_may_edit_which_desa(actor, name, editable, kelurahan):
    user = actor(name)
    villages = Village.objects.select_related("subdistrict").filter(pk__in=[SUKA_PINDAH, ARAH_TIGA, MAJENE_DESA])

    assert {v.pk for v in villages if permissions.may_edit_village(user, v)} == editable
    assert not permissions.may_edit_village(user, kelurahan)  # a kelurahan has no roster


@pytest.mark.parametrize("name", ACTORS)
def test_the_predicates_agree_with_the_scoping_selectors(actor, name):
    """A predicate answers "this row?" without a query; the selector "which rows": never two answers."""
    user = actor(name)
    villages = list(Village.objects.select_related("subdistrict").filter(subdistrict__code="17.06.01"))
    villages += list(Village.objects.select_related("subdistrict").filter(pk=MAJENE_DESA))

    editable = set(villages_editable_by(user).filter(pk__in=[v.pk for v in villages]).values_list("pk", flat=True))
    assert {v.pk for v in villages if permissions.may_edit_village(user, v)} == editable
    regencies = set(regencies_editable_by(user).values_list("pk", flat=True))
    assert {r.pk for r in Regency.objects.all() if permissions.may_edit_regency(user, r)} == regencies


def test_nobody_anonymous_or_inactive_may_edit_anything(suka_pindah, mukomuko):
    inactive = UserFactory(username="dpmd-retired", role="dpmd", regency=mukomuko, is_active=False)
    for user in (AnonymousUser(), inactive):
        assert not permissions.may_edit_village(user, suka_pindah)
        assert not permissions.may_edit_regency(user, mukomuko)
        assert not permissions.may_view_queue(user)
        assert not permissions.may_reconcile(user)
        assert not permissions.may_see_nik(user)


def test_dpmd_decides_for_their_own_regency_only(dpmd_mukomuko, dpmd_majene, mukomuko, majene):
    assert permissions.may_edit_regency(dpmd_mukomuko, mukomuko)
    assert permissions.may_edit_regency(dpmd_mukomuko, "17.06")  # a code will do
    assert not permissions.may_edit_regency(dpmd_mukomuko, majene)
    assert not permissions.may_edit_regency(dpmd_majene, mukomuko)


@pytest.mark.parametrize(("name", "sees"), [(a, a != "bengkulu_observer") for a in ACTORS])
def test_only_the_province_observer_sees_niks_masked(actor, name, sees):
    assert permissions.may_see_nik(actor(name)) is sees


@pytest.mark.parametrize(
    ("name", "queue", "review", "reconcile"),
    [
        ("dpmd_mukomuko", True, False, True),
        ("head_suka_pindah", False, False, False),
        ("bpjs_tk_mukomuko", True, True, True),
        ("bengkulu_observer", False, False, False),
        ("superuser", True, True, True),
    ],
)
def test_who_opens_the_review_queue_reviews_and_reconciles(actor, name, queue, review, reconcile):
    user = actor(name)
    assert permissions.may_view_queue(user) is queue
    assert permissions.may_review(user) is review
    assert permissions.may_reconcile(user) is reconcile


def test_a_bpjs_officer_reviews_the_requests_of_their_own_program_only(bpjs_tk_mukomuko, dpmd_mukomuko):
    permissions.ensure_may_review(bpjs_tk_mukomuko, [SimpleNamespace(program_id=Program.KETENAGAKERJAAN)])
    with pytest.raises(PermissionDenied):
        permissions.ensure_may_review(bpjs_tk_mukomuko, [SimpleNamespace(program_id=Program.KESEHATAN)])
    with pytest.raises(PermissionDenied):
        permissions.ensure_may_review(dpmd_mukomuko)  # DPMD sees the queue, BPJS decides


def test_reconciling_is_in_the_own_regency_and_program(bpjs_tk_mukomuko, dpmd_majene, mukomuko, majene, tk, kes):
    assert permissions.may_reconcile_in(bpjs_tk_mukomuko, mukomuko, tk)
    assert not permissions.may_reconcile_in(bpjs_tk_mukomuko, mukomuko, kes)
    assert not permissions.may_reconcile_in(bpjs_tk_mukomuko, majene, tk)
    assert permissions.may_reconcile_in(dpmd_majene, majene, kes)
    with pytest.raises(PermissionDenied):
        permissions.ensure_may_reconcile(dpmd_majene, mukomuko, kes)


def test_bpjs_officers_work_in_their_own_program(bpjs_tk_mukomuko, dpmd_mukomuko, tk, kes):
    assert permissions.may_use_program(bpjs_tk_mukomuko, tk)
    assert not permissions.may_use_program(bpjs_tk_mukomuko, kes)
    assert permissions.may_use_program(dpmd_mukomuko, kes)


@pytest.mark.parametrize(
    ("name", "submit", "verify"),
    [
        ("head_suka_pindah", True, False),
        ("head_arah_tiga", False, False),
        ("dpmd_mukomuko", False, True),
        ("dpmd_majene", False, False),
        ("bpjs_tk_mukomuko", False, False),
        ("superuser", True, True),
    ],
)
def test_the_desa_submits_and_its_dpmd_verifies(actor, name, submit, verify, suka_pindah):
    submission = SimpleNamespace(village_id=suka_pindah.pk, village=suka_pindah)
    user = actor(name)

    assert permissions.may_take_step(user, submission, "submit") is submit
    for step in ("verify", "return", "forward"):
        assert permissions.may_take_step(user, submission, step) is verify
    assert permissions.may_start_submission(user, suka_pindah) is (
        name in ("head_suka_pindah", "dpmd_mukomuko", "superuser")
    )


def test_documents_follow_the_desa_where_the_official_holds_a_post(head_suka_pindah, head_arah_tiga, suka_pindah):
    assert permissions.may_edit_documents(head_suka_pindah, [suka_pindah])
    assert not permissions.may_edit_documents(head_arah_tiga, [suka_pindah])
    assert not permissions.may_edit_documents(head_suka_pindah, [])  # no current post: nobody


def test_a_budget_belongs_to_its_payer(dpmd_mukomuko, dpmd_majene, head_suka_pindah, mukomuko, suka_pindah):
    assert permissions.may_edit_budget(dpmd_mukomuko, Payer(regency=mukomuko))
    assert permissions.may_edit_budget(dpmd_mukomuko, Payer(village=suka_pindah))
    assert permissions.may_edit_budget(head_suka_pindah, Payer(village=suka_pindah))
    assert not permissions.may_edit_budget(head_suka_pindah, Payer(regency=mukomuko))
    assert not permissions.may_edit_budget(dpmd_majene, Payer(village=suka_pindah))


def test_an_officials_file_belongs_to_its_desa_or_regency(dpmd_mukomuko, head_suka_pindah, mukomuko, suka_pindah):
    desa_file = SimpleNamespace(village_id=suka_pindah.pk, village=suka_pindah, regency=mukomuko)
    regency_file = SimpleNamespace(village_id=None, village=None, regency=mukomuko)

    assert permissions.may_edit_roster_file(head_suka_pindah, desa_file)
    assert not permissions.may_edit_roster_file(head_suka_pindah, regency_file)
    assert permissions.may_edit_roster_file(dpmd_mukomuko, regency_file)


def test_the_menu_follows_the_scope(dpmd_mukomuko, head_suka_pindah, bengkulu_observer, superuser):
    assert permissions.own_regency(dpmd_mukomuko) == "17.06" and permissions.own_village(dpmd_mukomuko) is None
    assert permissions.own_village(head_suka_pindah) == SUKA_PINDAH
    assert not permissions.has_regency_scope(head_suka_pindah)
    assert permissions.has_regency_scope(bengkulu_observer) and permissions.compares_regencies(bengkulu_observer)
    assert not permissions.compares_regencies(dpmd_mukomuko)
    assert permissions.may_administer(superuser) and not permissions.may_administer(dpmd_mukomuko)


# --- getters of regions ------------------------------------------------------------------------------


def test_village_head_cannot_fetch_another_village(head_suka_pindah):
    with pytest.raises(Http404):
        permissions.village_for_user(head_suka_pindah, ARAH_TIGA)
    assert permissions.village_for_user(head_suka_pindah, SUKA_PINDAH, write=True).pk == SUKA_PINDAH


@pytest.mark.parametrize("name", READ_ONLY)
def test_read_only_roles_fetch_a_desa_to_read_but_writing_is_403(actor, name):
    user = actor(name)
    assert permissions.village_for_user(user, SUKA_PINDAH).pk == SUKA_PINDAH
    with pytest.raises(PermissionDenied):
        permissions.village_for_user(user, SUKA_PINDAH, write=True)


def test_writing_to_a_kelurahan_is_403_and_it_is_no_desa(dpmd_mukomuko, kelurahan):
    assert permissions.village_for_user(dpmd_mukomuko, kelurahan.pk) == kelurahan
    with pytest.raises(PermissionDenied):
        permissions.village_for_user(dpmd_mukomuko, kelurahan.pk, write=True)
    with pytest.raises(Http404):
        permissions.village_for_user(dpmd_mukomuko, kelurahan.pk, governed=True)


def test_dpmd_of_majene_cannot_fetch_mukomuko(dpmd_majene):
    with pytest.raises(Http404):
        permissions.regency_for_user(dpmd_majene, "17.06")
    with pytest.raises(Http404):
        permissions.subdistrict_for_user(dpmd_majene, "17.06.01")
    assert permissions.regency_for_user(dpmd_majene, "76.05", write=True).pk == "76.05"


@pytest.mark.parametrize("name", READ_ONLY)
def test_read_only_roles_read_a_regency_but_writing_is_403(actor, name):
    user = actor(name)
    assert permissions.regency_for_user(user, "17.06").pk == "17.06"
    assert permissions.subdistrict_for_user(user, "17.06.01").pk == "17.06.01"
    with pytest.raises(PermissionDenied):
        permissions.regency_for_user(user, "17.06", write=True)
    with pytest.raises(PermissionDenied):
        permissions.subdistrict_for_user(user, "17.06.01", write=True)


def test_a_village_head_has_no_regency(head_suka_pindah):
    with pytest.raises(Http404):
        permissions.regency_for_user(head_suka_pindah, "17.06")


def test_object_for_user_says_why_a_write_is_refused(bpjs_tk_mukomuko):
    villages = Village.objects.all()
    with pytest.raises(PermissionDenied, match="not yours"):
        permissions.object_for_user(villages, write=True, may_write=lambda v: False, denied="not yours", pk=SUKA_PINDAH)
    with pytest.raises(PermissionDenied):
        permissions.object_for_user(villages, write=True, pk=SUKA_PINDAH)  # no predicate: nobody writes


# --- getters of the apps above -----------------------------------------------------------------------


@pytest.fixture
def post(suka_pindah):
    return PostFactory(village=suka_pindah)


def test_posts_are_fetched_within_the_scope(post, head_suka_pindah, head_arah_tiga, bpjs_tk_mukomuko):
    assert post_for_user(head_suka_pindah, post.pk, write=True) == post
    with pytest.raises(Http404):
        post_for_user(head_arah_tiga, post.pk)
    with pytest.raises(PermissionDenied):
        post_for_user(bpjs_tk_mukomuko, post.pk, write=True)
    Post.objects.filter(pk=post.pk).update(ended_on=dt.date(2024, 1, 1), end_reason=Post.EndReason.RESIGNED)
    with pytest.raises(Http404):
        post_for_user(head_suka_pindah, post.pk, current=True)


def test_nik_conflicts_are_settled_by_dpmd_of_the_regency(
    post, arah_tiga, head_suka_pindah, dpmd_mukomuko, dpmd_majene
):
    conflict = NikConflict.objects.create(
        person=post.person, village=post.village, other_village=arah_tiga, reported_by=head_suka_pindah
    )
    assert nik_conflict_for_user(dpmd_mukomuko, conflict.pk, write=True) == conflict
    with pytest.raises(Http404):
        nik_conflict_for_user(dpmd_majene, conflict.pk)


@pytest.fixture
def allocation(suka_pindah, tk):
    return Allocation.objects.create(fiscal_year=2031, village=suka_pindah, program=tk, source_id="ADD", amount=1_000)


def test_budget_rows_are_fetched_within_the_scope(allocation, head_suka_pindah, head_arah_tiga, bpjs_tk_mukomuko):
    assert budget_selectors.allocation_for_user(head_suka_pindah, allocation.pk, write=True) == allocation
    with pytest.raises(Http404):
        budget_selectors.allocation_for_user(head_arah_tiga, allocation.pk)
    with pytest.raises(PermissionDenied):
        budget_selectors.allocation_for_user(bpjs_tk_mukomuko, allocation.pk, write=True)

    payment = Payment.objects.create(
        fiscal_year=2031,
        month=1,
        village=allocation.village,
        program=allocation.program,
        source_id="ADD",
        amount=1_000,
        paid_on=dt.date(2024, 1, 10),
        recorded_by=head_suka_pindah,
    )
    assert budget_selectors.payment_for_user(head_suka_pindah, payment.pk, write=True) == payment
    with pytest.raises(Http404):
        budget_selectors.payment_for_user(head_arah_tiga, payment.pk)


def test_scenarios_are_deleted_by_dpmd_only(dpmd_mukomuko, bpjs_tk_mukomuko, dpmd_majene, mukomuko, tk):
    scenario = Scenario.objects.create(
        regency=mukomuko,
        name="Uji",
        program=tk,
        components=["JKK", "JKM"],
        source_id="ADD",
        start_month=dt.date(2031, 1, 1),
        created_by=dpmd_mukomuko,
    )
    assert budget_selectors.scenario_for_user(dpmd_mukomuko, scenario.pk, write=True) == scenario
    with pytest.raises(PermissionDenied):
        budget_selectors.scenario_for_user(bpjs_tk_mukomuko, scenario.pk, write=True)
    with pytest.raises(Http404):
        budget_selectors.scenario_for_user(dpmd_majene, scenario.pk)


# --- services refuse what the pages refuse -----------------------------------------------------------


def test_village_head_cannot_update_an_official_of_another_desa(post, head_arah_tiga):
    with pytest.raises(PermissionDenied):
        village_services.official_update(actor=head_arah_tiga, post=post, full_name="Diganti")
    post.person.refresh_from_db()
    assert post.person.full_name != "Diganti"


def test_village_head_cannot_add_or_end_officials_of_another_desa(post, head_arah_tiga, suka_pindah):
    with pytest.raises(PermissionDenied):
        village_services.official_create(
            actor=head_arah_tiga,
            village=suka_pindah,
            nik="1706015708850001",
            full_name="Siti",
            sex="P",
            birth_date=dt.date(1985, 8, 17),
            position="staf",
            term_start=dt.date(2025, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        village_services.post_end(actor=head_arah_tiga, post=post, ended_on=dt.date(2025, 1, 1), reason="resigned")
    assert Post.objects.get(pk=post.pk).ended_on is None


def test_read_only_roles_cannot_change_officials_through_the_services(post, bpjs_tk_mukomuko, bengkulu_observer):
    for user in (bpjs_tk_mukomuko, bengkulu_observer):
        with pytest.raises(PermissionDenied):
            village_services.official_update(actor=user, post=post, full_name="Diganti")


def test_the_system_still_changes_officials_without_an_actor(post):
    assert village_services.official_update(actor=None, post=post, full_name="Oleh Sistem").person.full_name


def test_dpmd_of_another_regency_cannot_settle_a_nik_conflict(post, arah_tiga, head_suka_pindah, dpmd_majene):
    conflict = NikConflict.objects.create(
        person=post.person, village=post.village, other_village=arah_tiga, reported_by=head_suka_pindah
    )
    with pytest.raises(PermissionDenied):
        village_services.nik_conflict_resolve(actor=dpmd_majene, conflict=conflict, note="dipindah")
    conflict.refresh_from_db()
    assert conflict.resolved_at is None


def test_village_head_cannot_write_the_budget_of_another_desa(allocation, head_arah_tiga, suka_pindah, tk):
    add = FundingSource.objects.get(pk="ADD")
    with pytest.raises(PermissionDenied):
        budget_services.allocation_create(
            actor=head_arah_tiga, payer=Payer(village=suka_pindah), fiscal_year=2032, program=tk, source=add, amount=5
        )
    with pytest.raises(PermissionDenied):
        budget_services.allocation_update(
            actor=head_arah_tiga, allocation=allocation, fiscal_year=2031, program=tk, source=add, amount=9
        )
    with pytest.raises(PermissionDenied):
        budget_services.allocation_delete(actor=head_arah_tiga, allocation=allocation)
    with pytest.raises(PermissionDenied):
        budget_services.payment_record(
            actor=head_arah_tiga,
            payer=Payer(village=suka_pindah),
            fiscal_year=2031,
            month=1,
            program=tk,
            source=add,
            amount=1_000,
            paid_on=dt.date(2024, 1, 10),
        )
    assert Allocation.objects.get(pk=allocation.pk).amount == 1_000
    assert not Payment.objects.filter(village=suka_pindah, fiscal_year=2031).exists()


def test_only_dpmd_of_the_regency_sets_village_add_and_scenarios(
    head_suka_pindah, dpmd_majene, suka_pindah, mukomuko, tk
):
    for user in (head_suka_pindah, dpmd_majene):
        with pytest.raises(PermissionDenied):
            budget_services.village_fund_set(actor=user, village=suka_pindah, fiscal_year=2031, add_amount=1_000)
        with pytest.raises(PermissionDenied):
            budget_services.scenario_create(
                actor=user,
                regency=mukomuko,
                name="Uji",
                program=tk,
                components=[],
                source=FundingSource.objects.get(pk="ADD"),
                start_month=dt.date(2031, 1, 1),
                add_share_threshold=5,
            )
