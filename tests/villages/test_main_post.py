"""An official's main post, defined once (villages.models.MAIN_POST_ORDER): the best-paid post, then the
definitif one before an acting one, then the latest term start. The review queue, the BPJS sheet,
reconciliation and the contribution calculator all read it."""

import datetime as dt

from budgets.contributions import enrollment_costs
from enrollment.models import Enrollment
from tests.bpjs.review_support import request_enrollment, sheet_rows
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory
from villages.models import Position, Post

OLDER = dt.date(2019, 1, 1)


def _main(person) -> Post:
    return Post.objects.filter(person=person).main_first().first()


def test_the_better_paid_post_is_main_even_when_it_is_acting(suka_pindah, arah_tiga):
    budi = PersonFactory()
    PostFactory(person=budi, village=suka_pindah, wage_basis=2_500_000)
    acting = PostFactory(
        person=budi, village=arah_tiga, position=Position.KEPALA_DESA, status="plt", wage_basis=4_000_000
    )

    assert _main(budi) == acting


def test_with_equal_wages_the_definitif_post_is_main(suka_pindah, arah_tiga):
    budi = PersonFactory()
    PostFactory(person=budi, village=arah_tiga, status="plt", term_start=dt.date(2023, 1, 1))
    definitif = PostFactory(person=budi, village=suka_pindah, term_start=OLDER)

    assert _main(budi) == definitif


def test_between_two_acting_posts_the_better_paid_is_main(suka_pindah, arah_tiga):
    budi = PersonFactory()
    PostFactory(person=budi, village=suka_pindah, status="plt", wage_basis=2_500_000, term_start=dt.date(2023, 1, 1))
    better = PostFactory(person=budi, village=arah_tiga, status="plt", wage_basis=3_000_000, term_start=OLDER)

    assert _main(budi) == better


def test_with_equal_wages_the_latest_post_is_main(suka_pindah, arah_tiga):
    budi = PersonFactory()
    PostFactory(person=budi, village=suka_pindah, status="plt", term_start=dt.date(2019, 1, 1))
    latest = PostFactory(person=budi, village=arah_tiga, status="plt", term_start=dt.date(2023, 1, 1))

    assert _main(budi) == latest


def test_contributions_are_computed_on_the_wage_of_the_main_post(suka_pindah, arah_tiga, kes):
    budi = PersonFactory()
    PostFactory(person=budi, village=suka_pindah, wage_basis=2_500_000)
    PostFactory(person=budi, village=arah_tiga, position=Position.KEPALA_DESA, status="plt", wage_basis=4_000_000)
    EnrollmentFactory(person=budi, program=kes)

    [cost] = enrollment_costs(Enrollment.objects.filter(person=budi), day=dt.date(2024, 6, 1))

    assert (cost.wage, cost.village_id) == (4_000_000, arah_tiga.pk)  # never the lower-paid post


# --- what users read: the contribution and the BPJS sheet take the better-paid post's wage --------------


def _kadus_and_acting_kades(suka_pindah, arah_tiga, name: str):
    """Kepala dusun of Suka Pindah at Rp2.500.000 and Plt kepala desa of Arah Tiga at Rp4.000.000."""
    person = PersonFactory(full_name=name)
    PostFactory(person=person, village=suka_pindah, wage_basis=2_500_000)
    PostFactory(person=person, village=arah_tiga, position=Position.KEPALA_DESA, status="plt", wage_basis=4_000_000)
    return person


def test_the_contribution_api_charges_the_wage_of_the_better_paid_post(
    suka_pindah, arah_tiga, kes, dpmd_mukomuko, login
):
    person = _kadus_and_acting_kades(suka_pindah, arah_tiga, "Budi Dua Jabatan")
    enrollment = EnrollmentFactory(person=person, program=kes)
    enrollment.components.set(kes.components.all())

    data = login(dpmd_mukomuko).get(f"/api/v1/contributions/?enrollment={enrollment.pk}&month=2026-01").json()

    # JKN: 4% + 1% of Rp4.000.000, not of Rp2.500.000 (Rp100.000 + Rp25.000).
    assert (data["wage"], data["employer"], data["participant"]) == (4_000_000, 160_000, 40_000)


def test_the_bpjs_sheet_reports_the_wage_and_desa_of_the_better_paid_post(
    suka_pindah, arah_tiga, tk, bpjs_tk_mukomuko, login
):
    person = _kadus_and_acting_kades(suka_pindah, arah_tiga, "Budi Dua Jabatan")
    request_enrollment(tk, arah_tiga, person=person)

    header, *rows = sheet_rows(login(bpjs_tk_mukomuko).get("/bpjs/antrean.xlsx").content)

    (row,) = [dict(zip(header, r, strict=True)) for r in rows if r[header.index("Nama")] == person.full_name]
    assert (row["Upah"], row["Kode Desa"], row["Jabatan"]) == (4_000_000, arah_tiga.code, "Kepala Desa")
