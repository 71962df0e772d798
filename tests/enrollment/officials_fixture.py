"""A small regency roster for the officials exports (no tests of its own): an acting (Plt) second post in
another kecamatan, an ended post, several enrollments per program, a kelurahan left out; and a desa of
Majene, so the national file has two regencies. `expected_rows` is what the regency export shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from core.models import Village
from enrollment.models import Enrollment
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, make_nik
from villages.models import Position, Post

SARI_NIK, ANTON_NIK, WATI_NIK = make_nik(9711), make_nik(9712), make_nik(9713)


@dataclass
class Roster:
    suka_pindah: Village
    far_desa: Village  # a desa of Mukomuko in another kecamatan
    majene_desa: Village


def _enroll(person, program, *, status, number, created, source="DAU", start=dt.date(2022, 1, 1), end=None):
    enrollment = EnrollmentFactory(
        person=person,
        program=program,
        status=status,
        participant_number=number,
        funding_source_id=source,
        start_date=start if status != Enrollment.Status.REQUESTED else None,
        end_date=end,
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(created_at=timezone.make_aware(created))
    return enrollment


def build_roster(tk, kes) -> Roster:
    """Call after setting every post aside (the session's demo may hold some)."""
    suka_pindah = Village.objects.get(pk="17.06.01.2005")
    far_desa = (
        Village.objects.filter(subdistrict__regency_id="17.06", kind=Village.Kind.DESA)
        .exclude(subdistrict_id="17.06.01")
        .order_by("code")
        .first()
    )
    majene = Village.objects.filter(subdistrict__regency_id="76.05", kind=Village.Kind.DESA)
    majene_desa = majene.order_by("code").first()

    # Sari: kepala desa of Suka Pindah, Plt kasi in the far desa; in TK an ended enrollment then an active
    # one (the open one is shown), in Kesehatan two ended ones (the latest is shown).
    sari = PersonFactory(full_name="Sari Lestari", nik=SARI_NIK, sex="P", birth_date=dt.date(1980, 4, 2))
    PostFactory(
        person=sari,
        village=suka_pindah,
        position=Position.KEPALA_DESA,
        wage_basis=4_000_000,
        term_start=dt.date(2019, 6, 1),
    )
    PostFactory(
        person=sari,
        village=far_desa,
        position=Position.KASI_PEMERINTAHAN,
        status=Post.Status.PLT,
        wage_basis=0,
        term_start=dt.date(2025, 2, 3),
    )
    _enroll(sari, tk, status="ended", number="17060100011", created=dt.datetime(2021, 1, 1), end=dt.date(2023, 1, 1))
    _enroll(sari, tk, status="active", number="17060100012", created=dt.datetime(2023, 2, 1), source="ADD")
    _enroll(
        sari,
        kes,
        status="ended",
        number="0001700000001",
        created=dt.datetime(2020, 1, 1),
        start=dt.date(2020, 1, 1),
        end=dt.date(2021, 1, 1),
    )
    _enroll(
        sari,
        kes,
        status="ended",
        number="0001700000002",
        created=dt.datetime(2022, 5, 1),
        start=dt.date(2022, 5, 1),
        end=dt.date(2024, 1, 1),
    )

    # Anton: an ended post (left out) and a current one with a local title; a rejected Kesehatan request.
    anton = PersonFactory(full_name="Anton", nik=ANTON_NIK, birth_date=dt.date(1990, 12, 31))
    PostFactory(
        person=anton,
        village=suka_pindah,
        position=Position.SEKRETARIS_DESA,
        ended_on=dt.date(2024, 1, 1),
        end_reason=Post.EndReason.RESIGNED,
    )
    PostFactory(person=anton, village=suka_pindah, position=Position.KEPALA_DUSUN, local_title="Kadus Dua")
    _enroll(anton, kes, status="rejected", number="", created=dt.datetime(2024, 3, 1), start=None)

    # Wati, in Majene: a requested TK enrollment (no start yet).
    wati = PersonFactory(full_name="Wati", nik=WATI_NIK, sex="P", birth_date=dt.date(1988, 1, 5))
    PostFactory(person=wati, village=majene_desa, position=Position.SEKRETARIS_DESA, wage_basis=2_100_000)
    _enroll(wati, tk, status="requested", number="", created=dt.datetime(2025, 1, 1))
    return Roster(suka_pindah=suka_pindah, far_desa=far_desa, majene_desa=majene_desa)


def _at(day: dt.date | None):
    return dt.datetime(day.year, day.month, day.day) if day else None


def expected_rows(roster: Roster) -> list[tuple]:
    """The rows of Mukomuko's export as read back (dates as datetimes, empty cells as None)."""
    suka, far = roster.suka_pindah, roster.far_desa
    return [
        (suka.code, suka.name, suka.subdistrict.name, SARI_NIK, "Sari Lestari", "perempuan", _at(dt.date(1980, 4, 2)),
         "Kepala Desa", "definitif", _at(dt.date(2019, 6, 1)), 4_000_000,
         "aktif", "17060100012", "ADD", _at(dt.date(2022, 1, 1)),
         "berakhir", "0001700000002", "DAU", _at(dt.date(2022, 5, 1))),
        (suka.code, suka.name, suka.subdistrict.name, ANTON_NIK, "Anton", "laki-laki", _at(dt.date(1990, 12, 31)),
         "Kadus Dua", "definitif", _at(dt.date(2020, 1, 1)), 2_850_000,
         "belum terdaftar", None, None, None,
         "ditolak", None, "DAU", None),
        (far.code, far.name, far.subdistrict.name, SARI_NIK, "Sari Lestari", "perempuan", _at(dt.date(1980, 4, 2)),
         "Kasi Pemerintahan", "Plt (pelaksana tugas)", _at(dt.date(2025, 2, 3)), 0,
         "aktif", "17060100012", "ADD", _at(dt.date(2022, 1, 1)),
         "berakhir", "0001700000002", "DAU", _at(dt.date(2022, 5, 1))),
    ]  # fmt: skip
