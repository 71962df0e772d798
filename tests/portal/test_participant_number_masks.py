"""Participant numbers (issue 9, the OpenSID #9745 concern: a KPJ number opens the person's JMO balance):
the province observer, who needs only the status, sees the status and the last four digits on every
page, API answer and export it reaches; DPMD, the village head and the BPJS officer of the program see
the whole number."""

from __future__ import annotations

import pytest

from core.masks import mask_participant_number
from core.permissions import may_see_participant_number
from submissions.services import submission_start
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from tests.spreadsheets import download_bytes, table_rows

NUMBER = "17060104321"  # a KPJ number of BPJS Ketenagakerjaan: 11 digits
MASKED = "•••••••4321"
WHOLE = ("dpmd_mukomuko", "head_suka_pindah", "bpjs_tk_mukomuko", "superuser")


@pytest.fixture
def budi(suka_pindah, tk):
    person = PersonFactory(full_name="Budiman Uji Masking", nik=make_nik(9821))
    PostFactory(person=person, village=suka_pindah)
    EnrollmentFactory(person=person, program=tk, participant_number=NUMBER)
    return person


@pytest.fixture
def submission(budi, suka_pindah, tk, head_suka_pindah):
    return submission_start(actor=head_suka_pindah, village=suka_pindah, program=tk)


def pages(budi, submission) -> list[str]:
    village = budi.posts.get().village_id
    return [f"/perangkat/{budi.pk}/", f"/desa/{village}/", f"/desa/{village}/bpjs/", f"/pengajuan/{submission.pk}/"]


def test_the_mask_keeps_the_last_four_digits():
    assert mask_participant_number(NUMBER) == MASKED
    assert mask_participant_number("") == ""


@pytest.mark.parametrize(
    ("actor", "program", "whole"),
    [
        ("bengkulu_observer", "bpjs_ketenagakerjaan", False),
        ("dpmd_mukomuko", "bpjs_ketenagakerjaan", True),
        ("head_suka_pindah", "bpjs_kesehatan", True),
        ("bpjs_tk_mukomuko", "bpjs_ketenagakerjaan", True),
        ("bpjs_tk_mukomuko", "bpjs_kesehatan", False),
        ("superuser", "bpjs_kesehatan", True),
    ],
)
def test_who_sees_a_participant_number_whole(actor, program, whole, request):
    assert may_see_participant_number(request.getfixturevalue(actor), program) is whole


def test_the_observer_sees_the_status_and_a_masked_number_on_every_page(budi, submission, bengkulu_observer, login):
    client = login(bengkulu_observer)
    for url in pages(budi, submission):
        content = client.get(url).content.decode()
        assert MASKED in content, url
        assert NUMBER not in content, url
        assert "aktif" in content, url


@pytest.mark.parametrize("actor", WHOLE)
def test_the_roles_that_register_people_see_the_whole_number(budi, submission, actor, request, login):
    client = login(request.getfixturevalue(actor))
    for url in pages(budi, submission):
        response = client.get(url)
        assert response.status_code == 200, url
        assert NUMBER in response.content.decode(), url


def test_the_submission_api_masks_the_number_for_the_observer(budi, submission, bengkulu_observer, api):
    body = api(bengkulu_observer).get(f"/api/v1/submissions/{submission.pk}/").json()

    (row,) = (o for o in body["officials"] if o["id"] == budi.pk)
    assert (row["enrollment_status"], row["participant_number"]) == ("active", MASKED)
    assert NUMBER not in str(body)


@pytest.mark.parametrize("actor", WHOLE)
def test_the_submission_api_gives_the_whole_number_to_the_roles_that_register(budi, submission, actor, request, api):
    body = api(request.getfixturevalue(actor)).get(f"/api/v1/submissions/{submission.pk}/").json()

    (row,) = (o for o in body["officials"] if o["id"] == budi.pk)
    assert row["participant_number"] == NUMBER


def number_cells(response) -> list:
    header, *rows = table_rows(download_bytes(response))
    column = header.index("Nomor peserta BPJS TK")
    return [row[column] for row in rows if "Budiman Uji Masking" in row]


@pytest.mark.parametrize("scope", ["desa/17.06.01.2005", "kecamatan/17.06.01", "wilayah/17.06"])
def test_the_observers_export_masks_the_number(budi, scope, bengkulu_observer, login):
    response = login(bengkulu_observer).get(f"/{scope}/perangkat.xlsx")

    assert number_cells(response) == [MASKED]


def test_dpmds_export_has_the_whole_number(budi, dpmd_mukomuko, login):
    assert number_cells(login(dpmd_mukomuko).get("/wilayah/17.06/perangkat.xlsx")) == [NUMBER]
