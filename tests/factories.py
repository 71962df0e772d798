"""factory_boy factories. Regions come from the real Kemendagri data (see conftest), not from factories."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from core.models import FundingSource, Program, Village
from core.roles import Role
from enrollment.models import Enrollment
from villages.models import Person, Position, Post


def make_nik(n: int, *, prefix: str = "170601", birth: dt.date = dt.date(1985, 8, 17), female: bool = False) -> str:
    day = birth.day + (40 if female else 0)
    return f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}{n:04d}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("rahasia-123")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Perangkat {n}")
    sex = "L"
    birth_date = dt.date(1985, 8, 17)
    phone = "081234567890"

    # Model.__init__ accepts the `nik` property: it encrypts and hashes the value.
    nik = factory.Sequence(lambda n: make_nik(n + 1))


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    person = factory.SubFactory(PersonFactory)
    village = factory.LazyFunction(lambda: Village.objects.get(pk="17.06.01.2005"))
    position = Position.KEPALA_DUSUN
    status = Post.Status.DEFINITIF
    term_start = dt.date(2020, 1, 1)
    wage_basis = 2_850_000


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    person = factory.SubFactory(PersonFactory)
    program = factory.LazyFunction(lambda: Program.objects.get(pk=Program.KESEHATAN))
    status = Enrollment.Status.ACTIVE
    segment = factory.LazyAttribute(lambda o: "PPU" if o.program.code == Program.KESEHATAN else "PU")
    participant_number = factory.Sequence(lambda n: f"{n:013d}")
    start_date = dt.date(2021, 1, 1)
    funding_source = factory.LazyFunction(lambda: FundingSource.objects.get(pk="DAU"))


__all__ = ["EnrollmentFactory", "PersonFactory", "PostFactory", "Role", "UserFactory", "make_nik"]


def officials_against_the_alphabet(village: Village) -> list[str]:
    """The only current officials of `village`, one per SOTK rank, whose names and local titles sort the
    other way round (a kadus "Aan" titled "Ajudan Dusun", a kepala desa "Zul" titled "Wali Desa"): their
    names in SOTK order, Kepala Desa first."""
    Post.objects.filter(village=village).delete()
    held = [
        (Position.KEPALA_DESA, "Zul Kades", "Wali Desa"),
        (Position.SEKRETARIS_DESA, "Dedi Sekdes", ""),
        (Position.KAUR_KEUANGAN, "Cici Kaur", ""),
        (Position.KASI_PEMERINTAHAN, "Bambang Kasi", ""),
        (Position.KEPALA_DUSUN, "Aan Kadus", "Ajudan Dusun"),
    ]
    for position, name, title in held:
        PostFactory(person=PersonFactory(full_name=name), village=village, position=position, local_title=title)
    return [name for _, name, _ in held]
