"""Services `official_create` and `post_end`: one Person per NIK, posts only in desa, one definitif kepala
desa (and sekretaris desa) per desa, posts ended and never deleted, every change with its author."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import F

from core.models import Village
from core.nik import hash_nik
from tests.factories import make_nik
from villages.models import Person, Position, Post
from villages.services import official_create, post_end

PASAR_MUKOMUKO = "17.06.02.1009"  # a kelurahan in Kecamatan Kota Mukomuko

# Serials from 9001 up: far above any serial the demo hands out, so these NIKs are new even when the demo
# has been loaded in this test session.
BUDI_NIK = make_nik(9001)
SITI_NIK = make_nik(9002, birth=dt.date(1990, 5, 15), female=True)
JOKO_NIK = make_nik(9003, birth=dt.date(1979, 2, 3))


@pytest.fixture(autouse=True)
def _vacant(suka_pindah, arah_tiga):
    """The session `demo` fixture, once loaded, leaves a definitif kepala desa in every desa; these tests
    appoint their own, so the posts already there end on the day they began (never held on any day)."""
    Post.objects.filter(village__in=[suka_pindah, arah_tiga]).current().update(
        ended_on=F("term_start"), end_reason=Post.EndReason.TERM_ENDED
    )


def appoint(actor, village, nik=BUDI_NIK, position=Position.KEPALA_DESA, **fields) -> Post:
    defaults = {
        "full_name": "Budi Saputra",
        "sex": Person.Sex.MALE,
        "birth_date": dt.date(1985, 8, 17),
        "term_start": dt.date(2022, 3, 1),
    }
    return official_create(actor=actor, village=village, nik=nik, position=position, **(defaults | fields))


def test_official_create_records_the_person_and_the_post(dpmd_mukomuko, suka_pindah):
    post = appoint(dpmd_mukomuko, suka_pindah, sk_number="141/12/SK/2022")

    post.refresh_from_db()
    assert post.village == suka_pindah
    assert post.position == Position.KEPALA_DESA
    assert post.status == Post.Status.DEFINITIF
    assert post.sk_number == "141/12/SK/2022"
    assert post.is_active
    assert post.person.full_name == "Budi Saputra"
    assert post.person.nik == BUDI_NIK


def test_person_is_created_once_per_nik(dpmd_mukomuko, suka_pindah):
    first = appoint(dpmd_mukomuko, suka_pindah, position=Position.KASI_PEMERINTAHAN)
    second = appoint(dpmd_mukomuko, suka_pindah, position=Position.KEPALA_DUSUN, status=Post.Status.PLT)

    assert second.person_id == first.person_id
    assert Person.objects.filter(nik_hash=hash_nik(BUDI_NIK)).count() == 1


def test_plt_post_in_another_desa_reuses_the_same_person(dpmd_mukomuko, suka_pindah, arah_tiga):
    definitif = appoint(dpmd_mukomuko, suka_pindah, position=Position.SEKRETARIS_DESA)

    plt = appoint(
        dpmd_mukomuko,
        arah_tiga,
        nik="1706 0117 0885 9001",  # the same NIK, typed with spaces
        full_name="BUDI SAPUTRA, S.Pd.",
        position=Position.KEPALA_DESA,
        status=Post.Status.PLT,
    )

    assert plt.person_id == definitif.person_id
    assert Person.objects.filter(nik_hash=hash_nik(BUDI_NIK)).count() == 1
    assert set(plt.person.posts.values_list("village", flat=True)) == {suka_pindah.pk, arah_tiga.pk}
    # The person on record keeps the details first given.
    assert Person.objects.get(pk=plt.person_id).full_name == "Budi Saputra"


def test_malformed_nik_is_refused_and_creates_nobody(dpmd_mukomuko, suka_pindah):
    persons = Person.objects.count()

    with pytest.raises(ValidationError) as exc_info:
        appoint(dpmd_mukomuko, suka_pindah, nik="1706013208859001")

    assert "nik" in exc_info.value.message_dict
    assert Person.objects.count() == persons


def test_kelurahan_refuses_officials(dpmd_mukomuko, regions):
    kelurahan = Village.objects.get(pk=PASAR_MUKOMUKO)
    assert kelurahan.kind == Village.Kind.KELURAHAN
    posts, persons = Post.objects.count(), Person.objects.count()

    with pytest.raises(ValidationError) as exc_info:
        appoint(dpmd_mukomuko, kelurahan)

    assert "village" in exc_info.value.message_dict
    assert Post.objects.count() == posts
    assert Person.objects.count() == persons  # the person is not left behind without a post


@pytest.mark.parametrize("position", [Position.KEPALA_DESA, Position.SEKRETARIS_DESA])
def test_second_definitif_kepala_desa_or_sekdes_is_refused(dpmd_mukomuko, suka_pindah, position):
    appoint(dpmd_mukomuko, suka_pindah, position=position)

    with pytest.raises((ValidationError, IntegrityError)):
        appoint(dpmd_mukomuko, suka_pindah, nik=JOKO_NIK, full_name="Joko Susanto", position=position)

    assert suka_pindah.posts.current().filter(position=position).count() == 1


def test_plt_kepala_desa_beside_the_definitif_is_allowed(dpmd_mukomuko, suka_pindah):
    appoint(dpmd_mukomuko, suka_pindah)

    plt = appoint(dpmd_mukomuko, suka_pindah, nik=JOKO_NIK, full_name="Joko Susanto", status=Post.Status.PLT)

    assert suka_pindah.posts.current().filter(position=Position.KEPALA_DESA).count() == 2
    assert plt.status == Post.Status.PLT


def test_a_desa_has_several_kepala_dusun(dpmd_mukomuko, suka_pindah):
    appoint(dpmd_mukomuko, suka_pindah, position=Position.KEPALA_DUSUN)
    appoint(dpmd_mukomuko, suka_pindah, nik=JOKO_NIK, full_name="Joko Susanto", position=Position.KEPALA_DUSUN)

    assert suka_pindah.posts.current().filter(position=Position.KEPALA_DUSUN).count() == 2


def test_ended_kepala_desa_can_be_succeeded(dpmd_mukomuko, suka_pindah):
    old = appoint(dpmd_mukomuko, suka_pindah)
    post_end(actor=dpmd_mukomuko, post=old, ended_on=dt.date(2025, 6, 30), reason=Post.EndReason.TERM_ENDED)

    new = appoint(dpmd_mukomuko, suka_pindah, nik=JOKO_NIK, full_name="Joko Susanto", term_start=dt.date(2025, 7, 1))

    assert new.is_active


def test_same_person_cannot_hold_two_definitif_posts(dpmd_mukomuko, suka_pindah, arah_tiga):
    appoint(dpmd_mukomuko, suka_pindah, position=Position.KAUR_KEUANGAN)

    with pytest.raises((ValidationError, IntegrityError)):
        appoint(dpmd_mukomuko, arah_tiga, position=Position.KAUR_KEUANGAN)

    assert not arah_tiga.posts.current().exists()


def test_ending_a_post_sets_date_and_reason_and_keeps_the_row(dpmd_mukomuko, suka_pindah):
    post = appoint(dpmd_mukomuko, suka_pindah)

    post_end(actor=dpmd_mukomuko, post=post, ended_on=dt.date(2025, 6, 30), reason=Post.EndReason.RESIGNED)

    post = Post.objects.get(pk=post.pk)
    assert post.ended_on == dt.date(2025, 6, 30)
    assert post.end_reason == Post.EndReason.RESIGNED
    assert not post.is_active
    assert not suka_pindah.posts.current().filter(position=Position.KEPALA_DESA).exists()


def test_ending_a_post_twice_is_refused(dpmd_mukomuko, suka_pindah):
    post = appoint(dpmd_mukomuko, suka_pindah)
    post_end(actor=dpmd_mukomuko, post=post, ended_on=dt.date(2025, 6, 30), reason=Post.EndReason.RESIGNED)

    with pytest.raises(ValidationError):
        post_end(
            actor=dpmd_mukomuko,
            post=Post.objects.get(pk=post.pk),
            ended_on=dt.date(2025, 8, 1),
            reason=Post.EndReason.DIED,
        )

    post.refresh_from_db()
    assert post.ended_on == dt.date(2025, 6, 30)
    assert post.end_reason == Post.EndReason.RESIGNED


def test_ending_a_post_before_it_started_is_refused(dpmd_mukomuko, suka_pindah):
    post = appoint(dpmd_mukomuko, suka_pindah, term_start=dt.date(2022, 3, 1))

    with pytest.raises(ValidationError) as exc_info:
        post_end(actor=dpmd_mukomuko, post=post, ended_on=dt.date(2022, 2, 28), reason=Post.EndReason.DISMISSED)

    assert "ended_on" in exc_info.value.message_dict
    assert Post.objects.get(pk=post.pk).ended_on is None


def test_ending_a_post_without_a_reason_is_refused(dpmd_mukomuko, suka_pindah):
    post = appoint(dpmd_mukomuko, suka_pindah)

    with pytest.raises((ValidationError, IntegrityError)):
        post_end(actor=dpmd_mukomuko, post=post, ended_on=dt.date(2025, 6, 30), reason="")

    assert Post.objects.get(pk=post.pk).ended_on is None


def test_every_change_is_in_history_with_the_acting_user(dpmd_mukomuko, head_suka_pindah, suka_pindah):
    post = appoint(head_suka_pindah, suka_pindah)
    assert post.history.first().history_user == head_suka_pindah
    assert post.person.history.first().history_user == head_suka_pindah

    post_end(actor=dpmd_mukomuko, post=post, ended_on=dt.date(2025, 6, 30), reason=Post.EndReason.DIED)

    records = list(post.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.history_user, r.ended_on) for r in records] == [
        ("+", head_suka_pindah, None),
        ("~", dpmd_mukomuko, dt.date(2025, 6, 30)),
    ]
    assert post.history.first().history_user == dpmd_mukomuko
