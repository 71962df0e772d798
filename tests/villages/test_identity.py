"""A person's identity belongs to one place: a NIK serving in another regency is refused and reported to
the DPMD of both regencies, each seeing only its own side; within a regency a second desa may add an
acting post (recorded as a conflict) but changes only that post, never the person's NIK, name, sex,
birth date or phone; an ended post is read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.models import Village
from core.roles import Role
from tests.conftest import MAJENE_DESA, SUKA_PINDAH
from tests.factories import PersonFactory, PostFactory, UserFactory, make_nik
from tests.html import field_errors, page
from villages.models import NikConflict, Person, Position, Post

RINA_NIK = make_nik(7001, birth=dt.date(1985, 8, 17), female=True)
OTHER_REGENCY = "NIK ini terdaftar di kabupaten lain; hubungi DPMD."
PERSONAL_DATA_KEPT = (
    "Data diri perangkat ini (NIK, nama, jenis kelamin, tanggal lahir, telepon) dikelola oleh desa jabatan "
    "asalnya dan oleh DPMD; di sini Anda hanya dapat mengubah data jabatan ini."
)


@pytest.fixture
def rina(suka_pindah):
    """Kaur Keuangan (definitif) of Suka Pindah, Lubuk Pinang, Mukomuko."""
    person = PersonFactory(full_name="Rina Marlina", nik=RINA_NIK, sex="P", phone="081200001111")
    return PostFactory(person=person, village=suka_pindah, position=Position.KAUR_KEUANGAN)


@pytest.fixture
def head_adolang(regions):
    """The village head of Adolang, Pamboang, Majene."""
    return UserFactory(username="desa-7605022003", role=Role.VILLAGE, village=Village.objects.get(pk=MAJENE_DESA))


def _form(**overrides) -> dict:
    data = {
        "nik": RINA_NIK,
        "full_name": "Nama Lain",
        "sex": "P",
        "birth_date": "1985-08-17",
        "phone": "081299990000",
        "position": "kasi_pelayanan",
        "status": "plt",
        "term_start": "2025-03-01",
        "wage_basis": "2850000",
    }
    data.update(overrides)
    return data


def _patch(client, post: Post, data: dict):
    """PATCH a post with the versions the caller read (as the API requires)."""
    post = Post.objects.select_related("person").get(pk=post.pk)
    versions = {"version": post.version, "person_version": post.person.version}
    return client.patch(f"/api/v1/posts/{post.pk}/", {**data, **versions}, format="json")


def _unchanged(post: Post) -> None:
    person = Person.objects.get(pk=post.person_id)
    assert (person.full_name, person.nik, person.sex, person.birth_date, person.phone) == (
        "Rina Marlina",
        RINA_NIK,
        "P",
        dt.date(1985, 8, 17),
        "081200001111",
    )
    assert list(Post.objects.filter(person=person)) == [post]


# --- another regency: refused, whatever the status -----------------------------------------------------


@pytest.mark.parametrize("status", ["definitif", "plt", "pj", "plh"])
def test_majene_head_cannot_take_a_mukomuko_nik_on_the_page(rina, head_adolang, login, status):
    response = login(head_adolang).post(reverse("official-add", args=[MAJENE_DESA]), _form(status=status))

    assert response.status_code == 200
    assert field_errors(page(response), "nik") == [OTHER_REGENCY]
    text = response.content.decode()
    assert "Rina" not in text and "Suka Pindah" not in text and "Lubuk Pinang" not in text
    _unchanged(rina)
    conflict = NikConflict.objects.get()
    assert (conflict.person_id, conflict.village_id, conflict.other_village_id, conflict.post) == (
        rina.person_id,
        MAJENE_DESA,
        SUKA_PINDAH,
        None,
    )
    assert conflict.reported_by == head_adolang


def test_majene_head_cannot_take_a_mukomuko_nik_through_the_api(rina, head_adolang, api):
    client = api(head_adolang)

    response = client.post(f"/api/v1/villages/{MAJENE_DESA}/officials/", _form(status="plt"), format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == OTHER_REGENCY
    assert response.json()["errors"] == {"nik": [OTHER_REGENCY]}
    _unchanged(rina)
    assert NikConflict.objects.filter(person=rina.person, village_id=MAJENE_DESA).count() == 1
    # Nothing of the person opens to Majene: their page, their post, their documents.
    assert client.get(f"/api/v1/posts/{rina.pk}/").status_code == 404
    assert client.get(f"/api/v1/officials/{rina.person_id}/documents/").status_code == 404
    assert _patch(client, rina, {"full_name": "Diganti"}).status_code == 404
    _unchanged(rina)


def test_sending_the_nik_again_keeps_one_open_conflict(rina, head_adolang, api):
    for _attempt in range(2):
        api(head_adolang).post(f"/api/v1/villages/{MAJENE_DESA}/officials/", _form(), format="json")

    assert NikConflict.objects.count() == 1


def _conflict_row(response) -> dict[str, str]:
    rows = page(response).find("table").rows()
    assert len(rows) == 1
    return rows[0]


def test_both_dpmd_see_the_cross_regency_conflict_each_its_own_side(
    rina, head_adolang, dpmd_majene, dpmd_mukomuko, login
):
    login(head_adolang).post(reverse("official-add", args=[MAJENE_DESA]), _form())

    majene = login(dpmd_majene).get(reverse("nik-conflicts", args=["76.05"]))
    row = _conflict_row(majene)
    assert (row["Perangkat desa"], row["Desa pengirim"], row["Desa tempat jabatan aktif"]) == (
        "Terdaftar di kabupaten lain",
        "Adolang (Pamboang)",
        "desa di kabupaten lain",
    )
    text = majene.content.decode()
    assert "Rina" not in text and "Suka Pindah" not in text and "Mukomuko" not in text

    mukomuko = login(dpmd_mukomuko).get(reverse("nik-conflicts", args=["17.06"]))
    row = _conflict_row(mukomuko)
    assert (row["Perangkat desa"], row["Desa pengirim"], row["Desa tempat jabatan aktif"]) == (
        f"Rina Marlina {rina.person.nik_masked}",
        "desa di kabupaten lain",
        "Suka Pindah (Lubuk Pinang)",
    )
    assert "Adolang" not in mukomuko.content.decode() and "Majene" not in mukomuko.content.decode()


def test_dpmd_of_either_regency_settles_the_conflict(rina, head_adolang, dpmd_mukomuko, bengkulu_observer, login):
    login(head_adolang).post(reverse("official-add", args=[MAJENE_DESA]), _form())
    conflict = NikConflict.objects.get()
    url = reverse("nik-conflict-resolve", args=[conflict.pk])

    assert login(bengkulu_observer).post(url, {"note": "x"}).status_code == 403
    response = login(dpmd_mukomuko).post(url, {"note": "Masih menjabat di Suka Pindah"})

    assert response["Location"] == reverse("nik-conflicts", args=["17.06"])
    conflict.refresh_from_db()
    assert conflict.resolved_at is not None


# --- the same regency: an acting post, recorded, that changes its own post only ------------------------


@pytest.fixture
def rina_plt(rina, head_arah_tiga, login):
    """Rina, Kaur Keuangan of Suka Pindah, added by the head of Arah Tiga as its Plt Kasi Pelayanan."""
    response = login(head_arah_tiga).post(reverse("official-add", args=["17.06.01.2007"]), _form())
    assert response.status_code == 302
    return Post.objects.get(person=rina.person, village_id="17.06.01.2007")


def test_an_acting_post_in_the_same_regency_is_allowed_and_recorded(rina, rina_plt, head_arah_tiga, dpmd_mukomuko):
    assert rina_plt.status == "plt" and rina_plt.person.full_name == "Rina Marlina"
    conflict = NikConflict.objects.get()
    assert (conflict.village_id, conflict.other_village_id, conflict.post, conflict.reported_by) == (
        "17.06.01.2007",
        SUKA_PINDAH,
        rina_plt,
        head_arah_tiga,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Rina Diganti"),
        ("nik", make_nik(7002, birth=dt.date(1985, 8, 17), female=True)),
        ("birth_date", "1986-01-02"),
        ("sex", "L"),
        ("phone", "081377778888"),
    ],
)
def test_the_second_desa_cannot_change_the_persons_identity_through_the_api(
    rina, rina_plt, head_arah_tiga, api, field, value
):
    response = _patch(api(head_arah_tiga), rina_plt, {field: value})

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [PERSONAL_DATA_KEPT]}
    person = Person.objects.get(pk=rina.person_id)
    assert (person.full_name, person.nik, person.birth_date, person.sex) == (
        "Rina Marlina",
        RINA_NIK,
        dt.date(1985, 8, 17),
        "P",
    )


def test_the_second_desa_changes_its_own_post(rina_plt, head_arah_tiga, api):
    response = _patch(api(head_arah_tiga), rina_plt, {"sk_number": "141/07/2025"})

    assert response.status_code == 200
    rina_plt.refresh_from_db()
    assert rina_plt.sk_number == "141/07/2025"


def test_the_second_desa_sees_the_identity_locked_on_the_page(rina, rina_plt, head_arah_tiga, login):
    client = login(head_arah_tiga)
    url = reverse("post-edit", args=[rina_plt.pk])

    form = page(client.get(url))
    assert form.find("p", id="identity-locked").text.strip() == PERSONAL_DATA_KEPT
    assert "disabled" in form.find("input", name="full_name").attrs
    changed = _form(full_name="Rina Diganti", birth_date="1986-01-02", sex="L", sk_number="141/07/2025")
    client.post(url, {**changed, "version": rina_plt.version, "person_version": rina.person.version})

    person = Person.objects.get(pk=rina.person_id)
    assert (person.full_name, person.birth_date, person.sex) == ("Rina Marlina", dt.date(1985, 8, 17), "P")
    rina_plt.refresh_from_db()
    assert rina_plt.sk_number == "141/07/2025"


def test_the_home_desa_and_dpmd_still_correct_the_identity(rina, rina_plt, head_suka_pindah, dpmd_mukomuko, api):
    home = _patch(api(head_suka_pindah), rina, {"full_name": "Rina M."})
    dpmd = _patch(api(dpmd_mukomuko), rina_plt, {"phone": "0813"})

    assert (home.status_code, dpmd.status_code) == (200, 200)

    person = Person.objects.get(pk=rina.person_id)
    assert (person.full_name, person.phone) == ("Rina M.", "0813")


def test_a_plt_alone_is_the_home_post_once_the_definitif_one_ended(
    rina, rina_plt, head_suka_pindah, head_arah_tiga, api
):
    api(head_suka_pindah).post(
        f"/api/v1/posts/{rina.pk}/end/", {"ended_on": "2025-06-30", "reason": "mengundurkan_diri"}, format="json"
    )

    response = _patch(api(head_arah_tiga), rina_plt, {"phone": "0813"})

    assert response.status_code == 200
    assert Person.objects.get(pk=rina.person_id).phone == "0813"


def test_a_nik_of_another_desa_names_that_desa_only_to_dpmd(rina, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).post(reverse("official-add", args=["17.06.01.2007"]), _form(status="definitif"))

    assert field_errors(page(response), "nik") == [
        "NIK ini masih menjabat aktif di Suka Pindah. Minta DPMD memindahkan perangkat desa tersebut, "
        "atau catat jabatan ini sebagai Plt."
    ]


# --- ended posts are read-only ---------------------------------------------------------------------------


def test_an_ended_post_cannot_be_changed_through_the_api(rina, head_suka_pindah, arah_tiga, api):
    client = api(head_suka_pindah)
    client.post(
        f"/api/v1/posts/{rina.pk}/end/", {"ended_on": "2025-06-30", "reason": "mengundurkan_diri"}, format="json"
    )
    PostFactory(person=rina.person, village=arah_tiga, position=Position.KAUR_KEUANGAN, term_start=dt.date(2025, 7, 1))

    response = _patch(client, rina, {"full_name": "Diganti", "sk_number": "1"})

    assert response.status_code == 400
    assert response.json()["detail"] == "Jabatan ini sudah berakhir dan tidak dapat diubah lagi."
    rina.refresh_from_db()
    assert (rina.person.full_name, rina.sk_number, rina.ended_on) == ("Rina Marlina", "", dt.date(2025, 6, 30))


def test_an_ended_post_is_read_only_on_the_page_and_in_the_admin(rina, head_suka_pindah, superuser, login):
    rina.ended_on, rina.end_reason = dt.date(2025, 6, 30), "pensiun"
    rina.save()

    assert login(head_suka_pindah).get(reverse("post-edit", args=[rina.pk])).status_code == 404
    admin = login(superuser)
    assert 'name="_save"' not in admin.get(f"/admin/villages/post/{rina.pk}/change/").content.decode()
    assert admin.post(f"/admin/villages/post/{rina.pk}/change/", {"position": "staf"}).status_code == 403
    rina.refresh_from_db()
    assert rina.position == Position.KAUR_KEUANGAN


def test_the_second_desa_saves_its_post_when_the_name_is_sent_back_as_shown(rina, rina_plt, head_arah_tiga, api):
    Person.objects.filter(pk=rina.person_id).update(full_name="Rina  Marlina ")

    response = _patch(api(head_arah_tiga), rina_plt, {"full_name": "Rina Marlina", "sk_number": "7"})

    assert response.status_code == 200
    rina_plt.refresh_from_db()
    assert rina_plt.sk_number == "7"
