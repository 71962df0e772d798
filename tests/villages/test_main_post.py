"""An official's main post, defined once (villages.models.MAIN_POST_ORDER): the best-paid post, then the
definitif one before an acting one, then the latest term start. The review queue, the BPJS sheet,
reconciliation and the contribution calculator all read it."""

import datetime as dt

from budgets.contributions import enrollment_costs
from enrollment.models import Enrollment
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
