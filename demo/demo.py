"""The demo: Mukomuko and Majene as the news reported them, with synthetic but valid people.

Everything is derived from a fixed seed, so loading twice finds every person already there and adds
nothing. Figures reproduced (rules.md §7):
- Mukomuko (17.06): 1,220 officials in 148 desa; 9 desa with all 97 of their officials in BPJS
  Ketenagakerjaan (JKK + JKM) paid from their ADD; all 1,220 in BPJS Kesehatan paid from DAU at a
  wage basis of Rp2,850,000 (4% = Rp114,000); a DAU allocation of Rp1,700,000,000 this year.
- Majene (76.05): officials in all 62 desa; 13 desa with their officials in BPJS Kesehatan.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from budgets.models import Allocation, VillageFund
from core import nik as nik_lib
from core.models import FundingSource, Program, Regency, Village
from core.roles import Role
from core.services import regions_import
from demo.budgets import payments_for_demo
from enrollment.models import Enrollment
from enrollment.trend import coverage_snapshots_fill
from submissions.models import Submission
from submissions.services import (
    submission_forward,
    submission_return,
    submission_start,
    submission_submit,
    submission_verify,
)
from villages.models import Person, Position, Post, fill_search_names

DEMO_PASSWORD = "jaminan-desa-2026"
MUKOMUKO, MAJENE = "17.06", "76.05"

_FIRST_M = [
    "Ahmad",
    "Budi",
    "Dedi",
    "Eko",
    "Firman",
    "Hendra",
    "Irwan",
    "Joko",
    "Kurniawan",
    "Mulyadi",
    "Nasrul",
    "Rahmat",
    "Syamsul",
    "Taufik",
    "Wagimin",
    "Yusuf",
    "Zulkifli",
    "Andi",
    "Muhammad",
    "Arif",
]
_FIRST_F = [
    "Ani",
    "Dewi",
    "Fitri",
    "Hasnah",
    "Indah",
    "Kartini",
    "Lestari",
    "Marlina",
    "Nurhayati",
    "Rina",
    "Siti",
    "Sri",
    "Wahyuni",
    "Yanti",
    "Rosmini",
    "Hasmawati",
]
_LAST = [
    "Saputra",
    "Pratama",
    "Hidayat",
    "Syahputra",
    "Gunawan",
    "Susanto",
    "Wijaya",
    "Nasution",
    "Harahap",
    "Siregar",
    "Rahman",
    "Halim",
    "Basri",
    "Darwis",
    "Mansyur",
    "Sulaiman",
    "Kadir",
    "Tahir",
    "Latif",
    "Hamzah",
]

# SOTK layouts by head count: the 2-urusan model for smaller desa, the 3-urusan model for larger ones.
_SMALL = [
    Position.KEPALA_DESA,
    Position.SEKRETARIS_DESA,
    Position.KAUR_KEUANGAN,
    Position.KAUR_UMUM_PERENCANAAN,
    Position.KASI_PEMERINTAHAN,
    Position.KASI_KESEJAHTERAAN_PELAYANAN,
]
_LARGE = [
    Position.KEPALA_DESA,
    Position.SEKRETARIS_DESA,
    Position.KAUR_TU_UMUM,
    Position.KAUR_KEUANGAN,
    Position.KAUR_PERENCANAAN,
    Position.KASI_PEMERINTAHAN,
    Position.KASI_KESEJAHTERAAN,
    Position.KASI_PELAYANAN,
]

# PP 11/2019 minimum siltap, used for Majene's wage basis.
_SILTAP = {Position.KEPALA_DESA: 2_426_640, Position.SEKRETARIS_DESA: 2_224_420}
_SILTAP_OTHER = 2_022_200


def positions_for(n: int) -> list[str]:
    base = _SMALL if n < 10 else _LARGE
    return base + [Position.KEPALA_DUSUN] * (n - len(base))


@dataclass
class DemoPerson:
    village: Village
    position: str
    nik: str
    full_name: str
    sex: str
    birth_date: dt.date
    phone: str
    term_start: dt.date
    wage_basis: int
    enroll: dict[str, tuple[str, dt.date]] = field(default_factory=dict)  # program → (source, start)


@dataclass
class DemoResult:
    persons_created: int = 0
    users_created: int = 0
    logins: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serials: dict[str, int] = {}

    def person(self, village: Village, position: str, wage: int) -> DemoPerson:
        rng = self.rng
        sex = "P" if rng.random() < 0.25 and position != Position.KEPALA_DESA else "L"
        first = rng.choice(_FIRST_F if sex == "P" else _FIRST_M)
        name = f"{first} {rng.choice(_LAST)}"
        birth = dt.date(rng.randint(1966, 2000), rng.randint(1, 12), rng.randint(1, 28))
        prefix = village.code.replace(".", "")[:6]
        self.serials[prefix] = self.serials.get(prefix, 0) + 1
        day = birth.day + (40 if sex == "P" else 0)
        nik = f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}{self.serials[prefix]:04d}"
        term = dt.date(rng.choice([2019, 2020, 2021, 2022]), rng.randint(1, 12), 1)
        phone = f"08{rng.randint(11, 13)}{rng.randint(10_000_000, 99_999_999)}"
        return DemoPerson(village, position, nik, name, sex, birth, phone, term, wage)


def _mukomuko(builder: _Builder, villages: list[Village]) -> list[DemoPerson]:
    """148 desa: 9 Ketenagakerjaan desa (7 × 11 + 2 × 10 = 97 officials), the other 139 with
    11 × 9 + 128 × 8 = 1,123 officials; 1,220 in all."""
    tk_villages = set(villages[8::16][:9])
    people: list[DemoPerson] = []
    tk_seen = other_seen = 0
    for village in villages:
        if village in tk_villages:
            n = 11 if tk_seen < 7 else 10
            tk_seen += 1
        else:
            n = 9 if other_seen < 11 else 8
            other_seen += 1
        for position in positions_for(n):
            p = builder.person(village, position, 2_850_000)
            p.enroll[Program.KESEHATAN] = ("DAU", max(p.term_start, dt.date(2020, 1, 1)))
            if village in tk_villages:
                start = dt.date(builder.rng.choice([2023, 2024, 2025]), builder.rng.choice([1, 4, 7]), 1)
                p.enroll[Program.KETENAGAKERJAAN] = ("ADD", start)
            people.append(p)
    return people


def _majene(builder: _Builder, villages: list[Village]) -> list[DemoPerson]:
    """62 desa with 8 to 10 officials; 13 of them (every fifth) registered in JKN from DAU."""
    jkn_villages = set(villages[::5][:13])
    people: list[DemoPerson] = []
    for i, village in enumerate(villages):
        for position in positions_for(8 + i % 3):
            p = builder.person(village, position, _SILTAP.get(position, _SILTAP_OTHER))
            if village in jkn_villages:
                p.enroll[Program.KESEHATAN] = ("DAU", dt.date(2024, builder.rng.choice([2, 3, 5, 8]), 1))
            people.append(p)
    return people


def _participant_number(program: Program, n: int) -> str:
    return f"{n:013d}" if program.code == Program.KESEHATAN else f"{n:011d}"


def _save_people(people: list[DemoPerson]) -> int:
    """Persons, their posts and their enrollments, in bulk with a history row each. Re-runnable: people
    already saved (by NIK hash) are left alone."""
    by_hash = {nik_lib.hash_nik(p.nik): p for p in people}
    known = set(Person.objects.filter(nik_hash__in=list(by_hash)).values_list("nik_hash", flat=True))
    new = [(h, p) for h, p in by_hash.items() if h not in known]
    if not new:
        return 0
    persons = []
    for h, p in new:
        person = Person(full_name=p.full_name, sex=p.sex, birth_date=p.birth_date, phone=p.phone)
        person.nik_encrypted, person.nik_hash = nik_lib.encrypt_nik(p.nik), h
        persons.append(person)
    fill_search_names(persons)
    bulk_create_with_history(persons, Person, batch_size=500)
    ids = dict(Person.objects.filter(nik_hash__in=[h for h, _ in new]).values_list("nik_hash", "pk"))
    bulk_create_with_history([_post(ids[h], p) for h, p in new], Post, batch_size=500)
    _save_enrollments([(ids[h], p) for h, p in new])
    return len(new)


def _post(person_id: int, p: DemoPerson) -> Post:
    is_head = p.position == Position.KEPALA_DESA
    return Post(
        person_id=person_id,
        village=p.village,
        position=p.position,
        status=Post.Status.DEFINITIF,
        sk_number=f"141/{person_id % 997:03d}/SK/{p.term_start.year}",
        sk_date=p.term_start - dt.timedelta(days=7),
        inauguration_date=p.term_start,
        term_start=p.term_start,
        term_end=p.term_start.replace(year=p.term_start.year + 8) if is_head else None,
        wage_basis=p.wage_basis,
    )


def _save_enrollments(people: list[tuple[int, DemoPerson]]) -> None:
    programs = {p.code: p for p in Program.objects.prefetch_related("components")}
    sources = {s.code: s for s in FundingSource.objects.all()}
    counter = Enrollment.objects.count()
    enrollments, component_sets = [], []
    for person_id, p in people:
        for code, (source, start) in p.enroll.items():
            counter += 1
            program = programs[code]
            enrollments.append(
                Enrollment(
                    person_id=person_id,
                    program=program,
                    status=Enrollment.Status.ACTIVE,
                    segment=Enrollment.Segment.PPU if code == Program.KESEHATAN else Enrollment.Segment.PU,
                    participant_number=_participant_number(program, 1_000_000_000 + counter),
                    start_date=start,
                    funding_source=sources[source],
                )
            )
            component_sets.append(program.components_for())
    created = bulk_create_with_history(enrollments, Enrollment, batch_size=500)
    numbers = [e.participant_number for e in created]
    by_number = dict(Enrollment.objects.filter(participant_number__in=numbers).values_list("participant_number", "pk"))
    through = Enrollment.components.through
    through.objects.bulk_create(
        [
            through(enrollment_id=by_number[e.participant_number], programcomponent_id=c.pk)
            for e, comps in zip(created, component_sets, strict=True)
            for c in comps
        ],
        batch_size=1000,
    )


def _users(result: DemoResult) -> None:
    password = make_password(DEMO_PASSWORD)  # hashed once: 200 logins share it
    mukomuko, majene = Regency.objects.get(pk=MUKOMUKO), Regency.objects.get(pk=MAJENE)
    tk, kes = Program.objects.get(pk=Program.KETENAGAKERJAAN), Program.objects.get(pk=Program.KESEHATAN)
    specs = [
        ("admin", {"is_superuser": True, "is_staff": True, "first_name": "Admin"}, []),
        ("dpmd-mukomuko", {"role": Role.DPMD, "regency": mukomuko, "first_name": "Wagimin"}, []),
        ("dpmd-majene", {"role": Role.DPMD, "regency": majene, "first_name": "DPMD Majene"}, []),
        ("bpjs-tk-mukomuko", {"role": Role.BPJS, "program": tk, "first_name": "BPJS TK Mukomuko"}, [mukomuko]),
        ("bpjs-kes-majene", {"role": Role.BPJS, "program": kes, "first_name": "BPJS Kesehatan Polewali"}, [majene]),
    ]
    for village in Village.objects.filter(
        subdistrict__regency__in=[mukomuko, majene], kind__in=Village.GOVERNED_KINDS
    ).order_by("code"):
        specs.append(
            (
                f"desa-{village.code_digits}",
                {"role": Role.VILLAGE, "village": village, "first_name": f"Desa {village.name}"},
                [],
            )
        )
    existing = set(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True))
    new_users = [User(username=name, password=password, **fields) for name, fields, _ in specs if name not in existing]
    User.objects.bulk_create(new_users)
    for name, _, regencies in specs:
        if regencies and name not in existing:
            User.objects.get(username=name).branch_regencies.set(regencies)
    result.users_created = len(new_users)
    result.logins = [name for name, _, _ in specs]
    _first_logins(mukomuko)


# How many Mukomuko village heads have already logged in, so the DPMD's "sudah masuk" figure and the list
# of desa still to call both have something to show.
LOGGED_IN_VILLAGES = 12


def _first_logins(regency: Regency) -> None:
    heads = User.objects.filter(role=Role.VILLAGE, village__subdistrict__regency=regency).order_by("village_id")
    if heads.filter(last_login__isnull=False).exists():
        return
    since = timezone.now() - dt.timedelta(days=3)
    every_twelfth = list(heads.values_list("pk", flat=True))[::12][:LOGGED_IN_VILLAGES]
    User.objects.filter(pk__in=every_twelfth).update(last_login=since)


def _village_budgets(builder: _Builder, villages: list[Village]) -> None:
    """Each Mukomuko desa's ADD for the year, and an ADD allocation for BPJS Ketenagakerjaan in the nine
    desa that pay for it, so the budget pages and the ADD-share scenarios have figures to show."""
    year = timezone.localdate().year
    known = set(VillageFund.objects.filter(village__in=villages, fiscal_year=year).values_list("village", flat=True))
    VillageFund.objects.bulk_create(
        [
            VillageFund(village=v, fiscal_year=year, add_amount=builder.rng.randrange(300, 520) * 1_000_000)
            for v in villages
            if v.pk not in known
        ]
    )
    tk_villages = Village.objects.filter(
        pk__in=[v.pk for v in villages], posts__person__enrollments__program_id=Program.KETENAGAKERJAAN
    ).distinct()
    for village in tk_villages:
        Allocation.objects.get_or_create(
            fiscal_year=year,
            village=village,
            regency=None,
            program_id=Program.KETENAGAKERJAAN,
            source_id="ADD",
            defaults={"amount": 2_500_000, "note": "APBDes 5.1.3.03/5.1.3.04 Jaminan Ketenagakerjaan"},
        )


def _majene_submissions(villages: list[Village]) -> None:
    """Majene chases the 49 desa without JKN: some have sent their officials, one was sent back for a
    missing KK, two went on to BPJS Polewali and wait in its review queue."""
    kes = Program.objects.get(pk=Program.KESEHATAN)
    if Submission.objects.filter(village__in=villages, program=kes).exists():
        return
    dpmd = User.objects.get(username="dpmd-majene")
    waiting = [v for v in villages if not Enrollment.objects.filter(program=kes, person__posts__village=v).exists()][:6]
    for i, village in enumerate(waiting):
        head = User.objects.get(username=f"desa-{village.code_digits}")
        submission = submission_start(actor=head, village=village, program=kes)
        if i == 5:
            continue  # still a draft
        submission = submission_submit(actor=head, submission=submission)
        if i == 4:
            submission_return(
                actor=dpmd,
                submission=submission,
                note="KK Kepala Dusun belum diunggah. Mohon lengkapi lalu ajukan kembali.",
            )
        elif i < 2:
            submission = submission_verify(actor=dpmd, submission=submission)
            submission_forward(actor=dpmd, submission=submission)


@transaction.atomic
def demo_load(*, seed: int = 1706) -> DemoResult:
    result = DemoResult()
    regions_import(regency_codes=[MUKOMUKO, MAJENE])
    builder = _Builder(seed)

    def desa_of(regency: str) -> list[Village]:
        return list(
            Village.objects.filter(subdistrict__regency_id=regency, kind__in=Village.GOVERNED_KINDS).order_by("code")
        )

    people = _mukomuko(builder, desa_of(MUKOMUKO)) + _majene(builder, desa_of(MAJENE))
    result.persons_created = _save_people(people)
    Allocation.objects.get_or_create(
        fiscal_year=timezone.localdate().year,
        regency_id=MUKOMUKO,
        village=None,
        program_id=Program.KESEHATAN,
        source_id="DAU",
        defaults={"amount": 1_700_000_000, "note": "Iuran JKN 4% perangkat desa (DAU)"},
    )
    _users(result)
    _village_budgets(builder, desa_of(MUKOMUKO))
    payments_for_demo(timezone.localdate())
    _majene_submissions(desa_of(MAJENE))
    regencies = list(Regency.objects.filter(pk__in=[MUKOMUKO, MAJENE]))
    coverage_snapshots_fill(regencies=regencies, since=dt.date(timezone.localdate().year - 2, 1, 1))
    return result
