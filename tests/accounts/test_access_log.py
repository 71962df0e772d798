"""The access log (issue 9): every export of officials' data and every document download is recorded
with who, what, how many NIKs, which regency, when and from where; DPMD staff read their regency's
records on `/log-akses/`, superusers all of them, every other role none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AccessRecord
from enrollment.models import Enrollment
from submissions.documents import document_upload
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from tests.html import page
from villages.models import Post

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
K = AccessRecord.Kind


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def majene_desa(regions):
    from core.models import Village

    return Village.objects.get(pk="76.05.02.2003")  # Adolang, Majene


@pytest.fixture
def officials(suka_pindah, arah_tiga, kes):
    """Three officials of Suka Pindah (one with a request waiting for BPJS) and one of Arah Tiga."""
    people = [PersonFactory(full_name=f"Perangkat {i}", nik=make_nik(9601 + i)) for i in range(4)]
    for person in people[:3]:
        PostFactory(person=person, village=suka_pindah)
    PostFactory(person=people[3], village=arah_tiga)
    EnrollmentFactory(person=people[0], program=kes, status="requested", participant_number="")
    return people


def records() -> list[tuple]:
    fields = ("user__username", "kind", "target", "niks", "niks_masked", "regency")
    return list(AccessRecord.objects.order_by("pk").values_list(*fields))


def test_a_village_export_records_its_nik_count(officials, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/desa/17.06.01.2005/perangkat.xlsx", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    expected = Post.objects.current().filter(village_id="17.06.01.2005").count()
    assert expected >= 3
    assert records() == [("dpmd-mukomuko", K.OFFICIALS, "17.06.01.2005", expected, False, "17.06")]
    assert AccessRecord.objects.get().ip_address == "10.1.2.3"


def test_a_regency_export_counts_every_current_post_of_the_regency(officials, dpmd_mukomuko, login):
    login(dpmd_mukomuko).get("/wilayah/17.06/perangkat.xlsx")

    expected = Post.objects.current().filter(village__subdistrict__regency_id="17.06").count()
    assert expected >= 4
    assert records() == [("dpmd-mukomuko", K.OFFICIALS, "17.06", expected, False, "17.06")]


def test_the_observers_export_is_recorded_with_its_niks_masked(officials, bengkulu_observer, login):
    login(bengkulu_observer).get("/kecamatan/17.06.01/perangkat.xlsx")

    [(who, kind, target, niks, masked, regency)] = records()
    assert (who, kind, target, masked, regency) == ("pemprov-bengkulu", K.OFFICIALS, "17.06.01", True, "17.06")
    assert niks == Post.objects.current().filter(village__subdistrict_id="17.06.01").count()


def test_the_template_with_full_niks_is_recorded_once_per_person(officials, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/template.xlsx")

    assert response.status_code == 200
    people = Post.objects.current().filter(village_id="17.06.01.2005").values("person").distinct().count()
    assert records() == [("desa-1706012005", K.TEMPLATE, "17.06.01.2005", people, False, "17.06")]


def requested(program, regency: str) -> int:
    """Requests waiting for BPJS in the program, of officials holding a current post in the regency."""
    holders = Post.objects.current().filter(village__subdistrict__regency_id=regency).values("person")
    return Enrollment.objects.filter(program=program, status="requested", person__in=holders).count()


def test_the_bpjs_registration_sheet_is_recorded(officials, kes, dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/bpjs/antrean.xlsx?program=bpjs_kesehatan")

    assert response.status_code == 200
    assert records() == [("dpmd-mukomuko", K.REVIEW_SHEET, "bpjs_kesehatan *", requested(kes, "17.06"), False, "17.06")]


def test_a_sheet_over_a_branch_of_two_regencies_gives_each_regency_its_record(
    officials, majene_desa, tk, bpjs_tk_mukomuko, login
):
    bpjs_tk_mukomuko.branch_regencies.add(majene_desa.subdistrict.regency)
    for i, village in enumerate([officials[1].posts.get().village, majene_desa, majene_desa]):
        person = PersonFactory(nik=make_nik(9701 + i, prefix="760502" if village == majene_desa else "170601"))
        PostFactory(person=person, village=village)
        EnrollmentFactory(person=person, program=tk, status="requested", participant_number="")

    response = login(bpjs_tk_mukomuko).get("/bpjs/antrean.xlsx?program=bpjs_ketenagakerjaan")

    assert response.status_code == 200
    assert sorted((r[3], r[5]) for r in records()) == [
        (requested(tk, "17.06"), "17.06"),
        (requested(tk, "76.05"), "76.05"),
    ]
    assert requested(tk, "76.05") >= 2


def test_a_village_list_with_village_heads_is_recorded(officials, dpmd_mukomuko, login):
    url = "/wilayah/17.06/tindak-lanjut/?program=bpjs_ketenagakerjaan&format=xlsx"
    assert login(dpmd_mukomuko).get(url).status_code == 200

    [(who, kind, target, niks, masked, regency)] = records()
    assert (who, kind, niks, masked, regency) == ("dpmd-mukomuko", K.VILLAGES, 0, False, "17.06")
    assert target.startswith("17.06 bpjs_ketenagakerjaan uncovered")


def test_a_refused_export_records_nothing(officials, dpmd_majene, login):
    assert login(dpmd_majene).get("/desa/17.06.01.2005/perangkat.xlsx").status_code == 404

    assert records() == []


def test_a_document_download_is_recorded_for_the_officials_regency(officials, head_suka_pindah, dpmd_mukomuko, login):
    from core.models import DocumentType

    document = document_upload(
        actor=head_suka_pindah,
        person=officials[0],
        document_type=DocumentType.objects.get(pk="ktp"),
        uploaded_file=SimpleUploadedFile("ktp.pdf", PDF, content_type="application/pdf"),
    )
    response = login(dpmd_mukomuko).get(f"/berkas/{document.pk}/")

    assert response.status_code == 200
    [(who, kind, target, niks, masked, regency)] = records()
    assert (who, kind, niks, masked, regency) == ("dpmd-mukomuko", K.DOCUMENT, 1, False, "17.06")
    assert f"#{document.pk}" in target and f"#{officials[0].pk}" in target


# --- the page ----------------------------------------------------------------------------------------


def shown(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return [r for r in page(response).find("table").rows() if len(r) > 1]


def record(user, regency: str, kind=K.OFFICIALS, *, at: dt.datetime | None = None, target: str = "x") -> AccessRecord:
    entry = AccessRecord.objects.create(user=user, kind=kind, target=target, niks=5, regency_id=regency)
    if at is not None:
        AccessRecord.objects.filter(pk=entry.pk).update(at=at)
    return entry


@pytest.fixture
def logged(dpmd_mukomuko, dpmd_majene, bpjs_tk_mukomuko):
    record(dpmd_mukomuko, "17.06", target="17.06.01.2005")
    record(bpjs_tk_mukomuko, "17.06", K.REVIEW_SHEET, target="bpjs_ketenagakerjaan 17.06")
    record(dpmd_majene, "76.05", target="76.05.02.2003")


def test_dpmd_reads_the_records_of_its_own_regency_only(logged, dpmd_mukomuko, login):
    rows = shown(login(dpmd_mukomuko).get("/log-akses/"))

    assert sorted(r["Objek atau filter"] for r in rows) == ["17.06.01.2005", "bpjs_ketenagakerjaan 17.06"]


def test_dpmd_of_another_regency_sees_nothing_of_it(logged, dpmd_majene, login):
    response = login(dpmd_majene).get("/log-akses/?who=bpjs")

    assert shown(response) == []
    assert "17.06" not in page(response).find("table").text


def test_the_superuser_reads_every_regency(logged, superuser, login):
    rows = shown(login(superuser).get("/log-akses/"))

    assert len(rows) == 3
    assert {r["Kabupaten"] for r in rows} == {"Kabupaten Mukomuko", "Kabupaten Majene"}


def test_filters_by_who_kind_and_date(logged, dpmd_mukomuko, login):
    record(dpmd_mukomuko, "17.06", K.TEMPLATE, at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), target="lama")
    client = login(dpmd_mukomuko)

    assert [r["Siapa"] for r in shown(client.get("/log-akses/?who=bpjs-tk"))] == ["bpjs-tk-mukomuko"]
    assert [r["Objek atau filter"] for r in shown(client.get("/log-akses/?kind=template"))] == ["lama"]
    assert [r["Objek atau filter"] for r in shown(client.get("/log-akses/?until=2026-01-31"))] == ["lama"]
    assert "lama" not in [r["Objek atau filter"] for r in shown(client.get("/log-akses/?since=2026-02-01"))]


@pytest.mark.parametrize("actor", ["head_suka_pindah", "bpjs_tk_mukomuko", "bengkulu_observer"])
def test_other_roles_have_no_access_log(logged, actor, request, login):
    response = login(request.getfixturevalue(actor)).get("/log-akses/")

    assert response.status_code == 403
    assert "bpjs_ketenagakerjaan 17.06" not in response.content.decode()


def test_the_admin_shows_the_log_read_only(logged, superuser, login):
    client = login(superuser)
    entry = AccessRecord.objects.first()

    assert client.get("/admin/accounts/accessrecord/").status_code == 200
    assert client.get("/admin/accounts/accessrecord/add/").status_code == 403
    assert client.post(f"/admin/accounts/accessrecord/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessRecord.objects.filter(pk=entry.pk).exists()
