"""The village head keeps the roster: add, correct and end officials, from a phone."""

import datetime as dt

import pytest
from django.urls import reverse

from submissions.models import Submission
from tests.factories import PersonFactory, PostFactory, make_nik
from tests.html import field_errors, form_errors, messages, page
from villages.models import Person, Post

NEW_NIK = make_nik(4321, prefix="170601", birth=dt.date(1990, 5, 15), female=True)


def _form(**overrides):
    data = {
        "nik": NEW_NIK,
        "full_name": "Siti Aminah",
        "sex": "P",
        "birth_date": "1990-05-15",
        "phone": "081234567890",
        "position": "kaur_keuangan",
        "status": "definitif",
        "term_start": "2024-01-02",
        "wage_basis": "Rp2.850.000",
    }
    data.update(overrides)
    return data


def test_village_head_adds_an_official_with_wage_written_in_rupiah(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).post(reverse("official-add", args=[suka_pindah.code]), _form())

    assert response.status_code == 302
    post = Post.objects.get(village=suka_pindah, person__full_name="Siti Aminah")
    assert post.wage_basis == 2_850_000
    assert post.person.nik == NEW_NIK
    assert post.history.first().history_user == head_suka_pindah


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("17060155059", "NIK harus 16 digit angka."),
        ("1706013505900001", "Tanggal lahir pada NIK"),
        ("1706015505900000", "0000"),
    ],
)
def test_a_wrong_nik_is_shown_beside_the_field_and_nothing_is_saved(head_suka_pindah, suka_pindah, login, nik, message):
    before = Person.objects.count()
    response = login(head_suka_pindah).post(reverse("official-add", args=[suka_pindah.code]), _form(nik=nik))

    assert response.status_code == 200
    assert any(message in error for error in field_errors(page(response), "nik"))
    assert Person.objects.count() == before


def test_a_sex_that_disagrees_with_the_nik_is_a_warning_not_an_error(head_suka_pindah, suka_pindah, login):
    response = login(head_suka_pindah).post(
        reverse("official-add", args=[suka_pindah.code]), _form(sex="L"), follow=True
    )

    assert Post.objects.filter(village=suka_pindah, person__full_name="Siti Aminah").exists()
    warnings = [text for level, text in messages(response) if level == "warning"]
    assert warnings and "NIK" in warnings[0]


def test_a_nik_active_in_another_village_is_refused_as_definitif(head_suka_pindah, suka_pindah, arah_tiga, login):
    person = PersonFactory(nik=NEW_NIK)
    PostFactory(person=person, village=arah_tiga)

    response = login(head_suka_pindah).post(reverse("official-add", args=[suka_pindah.code]), _form())

    assert response.status_code == 200
    # Arah Tiga is outside the head's scope: the message does not name it.
    assert field_errors(page(response), "nik") == [
        "NIK ini masih menjabat aktif di desa lain. Minta DPMD memindahkan perangkat desa tersebut, "
        "atau catat jabatan ini sebagai Plt."
    ]
    assert not Post.objects.filter(village=suka_pindah, person=person).exists()


def test_a_nik_active_in_another_village_may_take_an_acting_post(head_suka_pindah, suka_pindah, arah_tiga, login):
    person = PersonFactory(nik=NEW_NIK)
    PostFactory(person=person, village=arah_tiga)

    login(head_suka_pindah).post(reverse("official-add", args=[suka_pindah.code]), _form(status="plt"))

    assert Person.objects.filter(nik_hash=person.nik_hash).count() == 1
    assert Post.objects.filter(person=person, village=suka_pindah, status="plt").exists()


def test_village_head_corrects_an_official(head_suka_pindah, suka_pindah, login):
    post = PostFactory(village=suka_pindah, person=PersonFactory(full_name="Budi"))
    form = _form(
        nik=post.person.nik, full_name="Budi Santoso", sex="L", birth_date="1985-08-17", position=post.position
    )
    form.update(version=post.version, person_version=post.person.version)  # the form's hidden fields

    response = login(head_suka_pindah).post(reverse("post-edit", args=[post.pk]), form)

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.person.full_name == "Budi Santoso"
    assert post.wage_basis == 2_850_000


def test_village_head_ends_a_post_and_it_stays_on_record(head_suka_pindah, suka_pindah, login):
    post = PostFactory(village=suka_pindah)

    response = login(head_suka_pindah).post(
        reverse("post-end", args=[post.pk]), {"ended_on": "2026-01-31", "reason": "pensiun"}
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.ended_on, post.end_reason) == (dt.date(2026, 1, 31), "pensiun")


def test_village_head_cannot_touch_another_village(head_arah_tiga, suka_pindah, login):
    post = PostFactory(village=suka_pindah)
    client = login(head_arah_tiga)

    assert client.get(reverse("official-add", args=[suka_pindah.code])).status_code == 404
    assert client.post(reverse("post-edit", args=[post.pk]), _form()).status_code == 404
    assert (
        client.post(reverse("post-end", args=[post.pk]), {"ended_on": "2026-01-31", "reason": "pensiun"}).status_code
        == 404
    )
    post.refresh_from_db()
    assert post.ended_on is None


def test_bpjs_officer_reads_but_cannot_write_the_roster(bpjs_tk_mukomuko, suka_pindah, login):
    post = PostFactory(village=suka_pindah)
    client = login(bpjs_tk_mukomuko)

    assert client.get(reverse("village-detail", args=[suka_pindah.code])).status_code == 200
    assert client.post(reverse("official-add", args=[suka_pindah.code]), _form()).status_code == 403
    assert (
        client.post(reverse("post-end", args=[post.pk]), {"ended_on": "2026-01-31", "reason": "pensiun"}).status_code
        == 403
    )


def test_dpmd_staff_may_correct_the_roster_of_their_regency_only(dpmd_mukomuko, dpmd_majene, suka_pindah, login):
    assert login(dpmd_mukomuko).get(reverse("official-add", args=[suka_pindah.code])).status_code == 200
    assert login(dpmd_majene).get(reverse("official-add", args=[suka_pindah.code])).status_code == 404


def test_a_submitted_roster_is_locked(head_suka_pindah, suka_pindah, kes, login):
    Submission.objects.create(village=suka_pindah, program=kes, status="submitted", created_by=head_suka_pindah)
    before = Person.objects.count()

    response = login(head_suka_pindah).post(reverse("official-add", args=[suka_pindah.code]), _form())

    assert response.status_code == 200
    assert "DPMD" in " ".join(form_errors(page(response)))
    assert Person.objects.count() == before


def test_anonymous_is_sent_to_log_in(client, suka_pindah):
    response = client.get(reverse("official-add", args=[suka_pindah.code]))
    assert response.status_code == 302 and "/masuk/" in response["Location"]
