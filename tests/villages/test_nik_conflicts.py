"""A NIK sent by a second desa is flagged for DPMD, who records how it was settled."""

from django.urls import reverse

from tests.factories import PostFactory
from tests.html import messages, page
from villages.models import NikConflict


def _conflict(suka_pindah, arah_tiga, head_suka_pindah):
    post = PostFactory(village=arah_tiga)
    return NikConflict.objects.create(
        person=post.person, village=suka_pindah, other_village=arah_tiga, reported_by=head_suka_pindah
    )


def test_dpmd_sees_the_open_conflicts_of_their_regency(dpmd_mukomuko, suka_pindah, arah_tiga, head_suka_pindah, login):
    conflict = _conflict(suka_pindah, arah_tiga, head_suka_pindah)

    response = login(dpmd_mukomuko).get(reverse("nik-conflicts", args=["17.06"]))

    main = page(response)
    assert main.find("h2").text == "1 konflik terbuka"
    table = main.find("table")
    rows = [(r["Perangkat desa"], r["Desa pengirim"], r["Desa tempat jabatan aktif"]) for r in table.rows()]
    official = f"{conflict.person.full_name} {conflict.person.nik_masked}"
    assert rows == [(official, "Suka Pindah (Lubuk Pinang)", "Arah Tiga (Lubuk Pinang)")]
    assert table.find("tbody").find("a").attrs["href"] == f"/perangkat/{conflict.person_id}/"
    assert conflict.person.nik not in response.content.decode()


def test_dpmd_resolves_a_conflict_with_a_note(dpmd_mukomuko, suka_pindah, arah_tiga, head_suka_pindah, login):
    conflict = _conflict(suka_pindah, arah_tiga, head_suka_pindah)

    login(dpmd_mukomuko).post(reverse("nik-conflict-resolve", args=[conflict.pk]), {"note": "Dicatat sebagai Plt"})

    conflict.refresh_from_db()
    assert conflict.resolved_at is not None and conflict.resolution_note == "Dicatat sebagai Plt"


def test_a_resolution_without_a_note_is_refused(dpmd_mukomuko, suka_pindah, arah_tiga, head_suka_pindah, login):
    conflict = _conflict(suka_pindah, arah_tiga, head_suka_pindah)

    response = login(dpmd_mukomuko).post(
        reverse("nik-conflict-resolve", args=[conflict.pk]), {"note": " "}, follow=True
    )

    conflict.refresh_from_db()
    assert conflict.resolved_at is None
    assert [level for level, _ in messages(response)] == ["error"]


def test_other_regency_and_read_only_roles_cannot_resolve(
    dpmd_majene, bpjs_tk_mukomuko, head_suka_pindah, suka_pindah, arah_tiga, login
):
    conflict = _conflict(suka_pindah, arah_tiga, head_suka_pindah)
    url = reverse("nik-conflict-resolve", args=[conflict.pk])

    assert login(dpmd_majene).get(reverse("nik-conflicts", args=["17.06"])).status_code == 404
    assert login(dpmd_majene).post(url, {"note": "x"}).status_code == 404
    assert login(bpjs_tk_mukomuko).post(url, {"note": "x"}).status_code == 403
    assert login(head_suka_pindah).post(url, {"note": "x"}).status_code == 404
    conflict.refresh_from_db()
    assert conflict.resolved_at is None
