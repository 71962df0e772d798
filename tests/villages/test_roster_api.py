"""The roster API: same scope, same rules and same messages as the pages."""

import datetime as dt

from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import Submission
from tests.factories import PostFactory, make_nik
from villages.models import Person, Post

NIK = make_nik(5555, prefix="170601", birth=dt.date(1988, 3, 9))


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _payload(**overrides):
    data = {
        "nik": NIK,
        "full_name": "Hendra Saputra",
        "sex": "L",
        "birth_date": "1988-03-09",
        "position": "kasi_pemerintahan",
        "status": "definitif",
        "term_start": "2023-02-01",
        "wage_basis": "2850000",
    }
    data.update(overrides)
    return data


def test_village_head_lists_their_officials_with_full_nik(head_suka_pindah, suka_pindah):
    post = PostFactory(village=suka_pindah)

    response = _api(head_suka_pindah).get(reverse("api-village-roster", args=[suka_pindah.code]))

    assert response.status_code == 200
    row = next(r for r in response.json() if r["id"] == post.pk)
    assert row["nik"] == post.person.nik


def test_province_observer_sees_masked_niks(bengkulu_observer, suka_pindah):
    PostFactory(village=suka_pindah)

    rows = _api(bengkulu_observer).get(reverse("api-village-roster", args=[suka_pindah.code])).json()

    assert rows and all("••••" in r["nik"] for r in rows)


def test_village_head_adds_an_official_through_the_api(head_suka_pindah, suka_pindah):
    response = _api(head_suka_pindah).post(
        reverse("api-village-roster", args=[suka_pindah.code]), _payload(), format="json"
    )

    assert response.status_code == 201
    assert Post.objects.filter(pk=response.json()["id"], village=suka_pindah).exists()


def test_a_bad_nik_is_a_400_with_the_message_and_nothing_is_saved(head_suka_pindah, suka_pindah):
    before = Person.objects.count()

    response = _api(head_suka_pindah).post(
        reverse("api-village-roster", args=[suka_pindah.code]), _payload(nik="1706"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["nik"] == ["NIK harus 16 digit angka."]
    assert Person.objects.count() == before


def test_patch_corrects_only_the_fields_sent(head_suka_pindah, suka_pindah):
    post = PostFactory(village=suka_pindah)

    response = _api(head_suka_pindah).patch(
        reverse("api-post", args=[post.pk]),
        {"phone": "081399990000", "version": post.version, "person_version": post.person.version},
        format="json",
    )

    assert response.status_code == 200
    post.refresh_from_db()
    assert post.person.phone == "081399990000"
    assert post.wage_basis == 2_850_000


def test_end_a_post_through_the_api(head_suka_pindah, suka_pindah):
    post = PostFactory(village=suka_pindah)

    response = _api(head_suka_pindah).post(
        reverse("api-post-end", args=[post.pk]), {"ended_on": "2026-02-01", "reason": "meninggal"}, format="json"
    )

    assert response.status_code == 200
    post.refresh_from_db()
    assert post.end_reason == "meninggal"


def test_other_village_head_gets_404_and_bpjs_officer_403(head_arah_tiga, bpjs_tk_mukomuko, suka_pindah):
    post = PostFactory(village=suka_pindah)

    assert _api(head_arah_tiga).get(reverse("api-village-roster", args=[suka_pindah.code])).status_code == 404
    assert _api(head_arah_tiga).patch(reverse("api-post", args=[post.pk]), {"phone": "1"}).status_code == 404
    assert (
        _api(bpjs_tk_mukomuko)
        .post(reverse("api-village-roster", args=[suka_pindah.code]), _payload(), format="json")
        .status_code
        == 403
    )
    assert (
        _api(bpjs_tk_mukomuko)
        .post(reverse("api-post-end", args=[post.pk]), {"ended_on": "2026-02-01", "reason": "pensiun"})
        .status_code
        == 403
    )


def test_a_locked_roster_refuses_writes(head_suka_pindah, suka_pindah, kes):
    post = PostFactory(village=suka_pindah)
    Submission.objects.create(village=suka_pindah, program=kes, status="verified", created_by=head_suka_pindah)

    response = _api(head_suka_pindah).post(
        reverse("api-post-end", args=[post.pk]), {"ended_on": "2026-02-01", "reason": "pensiun"}, format="json"
    )

    assert response.status_code == 400
    post.refresh_from_db()
    assert post.ended_on is None


def test_anonymous_is_refused(suka_pindah):
    assert APIClient().get(reverse("api-village-roster", args=[suka_pindah.code])).status_code in (401, 403)
