"""The demo reproduces the two news reports (rules.md §7). Uses the session fixture `demo`: loaded once."""

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from budgets.models import Allocation
from core.models import Program, Village
from core.nik import check_nik
from core.roles import Role
from demo.demo import demo_load
from enrollment.models import Enrollment
from enrollment.selectors import coverage
from villages.models import Person, Post

MUKOMUKO, MAJENE = "17.06", "76.05"

pytestmark = pytest.mark.usefixtures("demo")


def regency_coverage(regency_code: str, program_code: str):
    program = Program.objects.get(pk=program_code)
    villages = Village.objects.filter(subdistrict__regency_id=regency_code)
    return coverage(villages=villages, programs=[program], day=timezone.localdate())[None][program.code]


def enrollments_in(regency_code: str, program_code: str):
    return Enrollment.objects.filter(
        program_id=program_code, person__posts__village__subdistrict__regency_id=regency_code
    ).distinct()


def test_mukomuko_ketenagakerjaan_is_9_of_148_desa_and_97_of_1220_officials(db):
    result = regency_coverage(MUKOMUKO, Program.KETENAGAKERJAAN)

    assert (result.villages_covered, result.villages_total) == (9, 148)
    assert (result.officials_covered, result.officials_total) == (97, 1220)


def test_mukomuko_kesehatan_covers_every_desa_and_every_official(db):
    result = regency_coverage(MUKOMUKO, Program.KESEHATAN)

    assert (result.villages_covered, result.villages_total) == (148, 148)
    assert (result.villages_fully_covered, result.villages_total) == (148, 148)
    assert (result.officials_covered, result.officials_total) == (1220, 1220)


def test_majene_kesehatan_is_13_of_62_desa(db):
    result = regency_coverage(MAJENE, Program.KESEHATAN)

    assert (result.villages_covered, result.villages_total) == (13, 62)


def test_every_mukomuko_ketenagakerjaan_enrollment_is_jkk_jkm_paid_from_add(db):
    enrollments = enrollments_in(MUKOMUKO, Program.KETENAGAKERJAAN).annotate(
        n_components=Count("components", distinct=True),
        n_jkk_jkm=Count("components", filter=Q(components__code__in=["JKK", "JKM"]), distinct=True),
    )

    assert enrollments.count() == 97
    assert set(enrollments.values_list("funding_source_id", flat=True)) == {"ADD"}
    assert set(enrollments.values_list("n_components", "n_jkk_jkm")) == {(2, 2)}


def test_every_mukomuko_kesehatan_enrollment_is_paid_from_dau(db):
    enrollments = enrollments_in(MUKOMUKO, Program.KESEHATAN)

    assert enrollments.count() == 1220
    assert set(enrollments.values_list("funding_source_id", flat=True)) == {"DAU"}


def test_every_mukomuko_post_has_a_wage_basis_of_2850000(db):
    posts = Post.objects.filter(village__subdistrict__regency_id=MUKOMUKO)

    assert posts.count() == 1220
    assert set(posts.values_list("wage_basis", flat=True)) == {2_850_000}


def test_dau_allocation_of_1_7_billion_exists_for_this_year(db):
    allocation = Allocation.objects.get(
        fiscal_year=timezone.localdate().year, regency_id=MUKOMUKO, program_id=Program.KESEHATAN, source_id="DAU"
    )

    assert allocation.amount == 1_700_000_000


def test_named_logins_exist_with_their_scope(db):
    users = User.objects.in_bulk(
        ["dpmd-mukomuko", "dpmd-majene", "bpjs-tk-mukomuko", "bpjs-kes-majene", "desa-1706012005"],
        field_name="username",
    )

    assert (users["dpmd-mukomuko"].role, users["dpmd-mukomuko"].regency_id) == (Role.DPMD, MUKOMUKO)
    assert (users["dpmd-majene"].role, users["dpmd-majene"].regency_id) == (Role.DPMD, MAJENE)
    tk_officer = users["bpjs-tk-mukomuko"]
    assert (tk_officer.role, tk_officer.program_id) == (Role.BPJS, Program.KETENAGAKERJAAN)
    assert list(tk_officer.branch_regencies.values_list("pk", flat=True)) == [MUKOMUKO]
    kes_officer = users["bpjs-kes-majene"]
    assert (kes_officer.role, kes_officer.program_id) == (Role.BPJS, Program.KESEHATAN)
    assert list(kes_officer.branch_regencies.values_list("pk", flat=True)) == [MAJENE]
    assert (users["desa-1706012005"].role, users["desa-1706012005"].village_id) == (Role.VILLAGE, "17.06.01.2005")
    assert all(user.is_active and user.has_usable_password() for user in users.values())


@pytest.mark.parametrize(("regency_code", "desa"), [(MUKOMUKO, 148), (MAJENE, 62)], ids=["Mukomuko", "Majene"])
def test_every_desa_has_exactly_one_desa_login(db, regency_code, desa):
    villages = Village.objects.filter(subdistrict__regency_id=regency_code, kind=Village.Kind.DESA)
    logins = User.objects.filter(role=Role.VILLAGE, village__in=villages)

    assert villages.count() == desa
    assert sorted(logins.values_list("username", flat=True)) == sorted(f"desa-{v.code_digits}" for v in villages)
    assert not User.objects.filter(village__subdistrict__regency_id=regency_code, village__kind="kelurahan").exists()


def test_every_nik_is_structurally_valid_and_unique(db):
    persons = Person.objects.filter(posts__village__subdistrict__regency_id__in=[MUKOMUKO, MAJENE]).distinct()
    niks = [(p.nik, p) for p in persons]

    assert len(niks) == persons.count()
    assert len(niks) > 1220  # Mukomuko's 1,220 and Majene's officials
    assert len({nik for nik, _ in niks}) == len(niks)
    for nik, person in niks:
        result = check_nik(nik, sex=person.sex, birth_date=person.birth_date)
        assert result.errors == [], nik
        assert result.warnings == [], nik


def test_loading_the_demo_again_adds_nothing(db):
    models = (Person, Post, Enrollment, Enrollment.components.through, User, Allocation, Village)
    before = {model: model.objects.count() for model in models}

    result = demo_load()

    assert result.persons_created == 0
    assert result.users_created == 0
    assert {model: model.objects.count() for model in models} == before
