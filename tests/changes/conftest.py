"""An active BPJS participant of Suka Pindah (Mukomuko) whose identity is frozen, and the helpers to ask
for a change of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import Role
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from tests.images import image_bytes

OLD_NIK = make_nik(9601)
NEW_NIK = make_nik(9602, birth=dt.date(1986, 3, 4))
JPEG = image_bytes("JPEG")


def ktp(content: bytes = JPEG, name: str = "ktp-baru.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def post(suka_pindah, tk):
    """Budi, Kadus of Suka Pindah, active in BPJS Ketenagakerjaan."""
    person = PersonFactory(full_name="Budi Saputra", nik=OLD_NIK, birth_date=dt.date(1985, 8, 17))
    EnrollmentFactory(person=person, program=tk, participant_number="17060100001")
    return PostFactory(person=person, village=suka_pindah)


@pytest.fixture
def person(post):
    return post.person


@pytest.fixture
def also_kes(person, kes):
    """Budi is active in BPJS Kesehatan too."""
    return EnrollmentFactory(person=person, program=kes, participant_number="0001706010001")


@pytest.fixture
def bpjs_kes_mukomuko(mukomuko, kes):
    user = UserFactory(username="bpjs-kes-mukomuko", role=Role.BPJS, program=kes)
    user.branch_regencies.set([mukomuko])
    return user


@pytest.fixture
def not_enrolled(suka_pindah):
    """Sari, Kaur Keuangan of Suka Pindah, whose enrollment is only requested: her data is still hers."""
    person = PersonFactory(full_name="Sari Wahyuni", nik=make_nik(9603))
    EnrollmentFactory(person=person, status=Enrollment.Status.REQUESTED, participant_number="", start_date=None)
    return PostFactory(person=person, village=suka_pindah, position="kaur_keuangan")
