"""Services `enrollment_create` and `enrollment_change_status`: the life of an enrollment, participant
numbers (rules.md §2), components, one open enrollment per person and program, history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from core.models import FundingSource
from enrollment.models import Enrollment
from enrollment.services import enrollment_change_status, enrollment_create
from tests.factories import PersonFactory

Status = Enrollment.Status
JKN_NUMBER = "0011336526592"  # 13 digits, leading zeros kept
KPJ_NUMBER = "23011234567"  # 11 digits


@pytest.fixture
def person(db):
    return PersonFactory()


@pytest.fixture
def dau(db):
    return FundingSource.objects.get(pk="DAU")


@pytest.fixture
def add(db):
    return FundingSource.objects.get(pk="ADD")


def request_kes(actor, person, kes, dau, **fields) -> Enrollment:
    return enrollment_create(actor=actor, person=person, program=kes, funding_source=dau, **fields)


def active_kes(actor, person, kes, dau, start=dt.date(2024, 1, 1)) -> Enrollment:
    return request_kes(actor, person, kes, dau, status=Status.ACTIVE, participant_number=JKN_NUMBER, start_date=start)


def change(actor, enrollment, status, on, **fields) -> Enrollment:
    return enrollment_change_status(actor=actor, enrollment=enrollment, status=status, on=on, **fields)


# --- transitions -------------------------------------------------------------------------------------


def test_new_enrollment_is_requested_without_dates(dpmd_mukomuko, person, kes, dau):
    enrollment = request_kes(dpmd_mukomuko, person, kes, dau)

    enrollment.refresh_from_db()
    assert enrollment.status == Status.REQUESTED
    assert enrollment.start_date is None
    assert enrollment.end_date is None
    assert enrollment.segment == Enrollment.Segment.PPU


def test_activation_sets_the_start_date(dpmd_mukomuko, person, kes, dau):
    enrollment = request_kes(dpmd_mukomuko, person, kes, dau)

    change(dpmd_mukomuko, enrollment, Status.ACTIVE, dt.date(2025, 2, 1), participant_number=JKN_NUMBER)

    enrollment.refresh_from_db()
    assert enrollment.status == Status.ACTIVE
    assert enrollment.start_date == dt.date(2025, 2, 1)
    assert enrollment.end_date is None
    assert enrollment.participant_number == JKN_NUMBER


@pytest.mark.parametrize("status", [Status.INACTIVE, Status.ENDED])
def test_inactivation_and_ending_set_the_end_date(dpmd_mukomuko, person, kes, dau, status):
    enrollment = active_kes(dpmd_mukomuko, person, kes, dau, start=dt.date(2024, 1, 1))

    change(dpmd_mukomuko, enrollment, status, dt.date(2025, 3, 31))

    enrollment.refresh_from_db()
    assert enrollment.status == status
    assert enrollment.start_date == dt.date(2024, 1, 1)
    assert enrollment.end_date == dt.date(2025, 3, 31)


def test_ending_an_inactive_enrollment_keeps_the_date_it_stopped_covering(dpmd_mukomuko, person, kes, dau):
    enrollment = active_kes(dpmd_mukomuko, person, kes, dau)
    change(dpmd_mukomuko, enrollment, Status.INACTIVE, dt.date(2025, 3, 31))

    change(dpmd_mukomuko, enrollment, Status.ENDED, dt.date(2025, 9, 30))

    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENDED
    assert enrollment.end_date == dt.date(2025, 3, 31)


def test_rejection_of_a_request_is_allowed(dpmd_mukomuko, person, kes, dau):
    enrollment = request_kes(dpmd_mukomuko, person, kes, dau)

    change(dpmd_mukomuko, enrollment, Status.REJECTED, dt.date(2025, 2, 1))

    assert Enrollment.objects.get(pk=enrollment.pk).status == Status.REJECTED


@pytest.mark.parametrize("final", [Status.REJECTED, Status.ENDED])
def test_rejected_or_ended_enrollment_cannot_become_active(dpmd_mukomuko, person, kes, dau, final):
    enrollment = request_kes(dpmd_mukomuko, person, kes, dau)
    if final == Status.ENDED:
        change(dpmd_mukomuko, enrollment, Status.ACTIVE, dt.date(2024, 1, 1), participant_number=JKN_NUMBER)
    change(dpmd_mukomuko, enrollment, final, dt.date(2025, 1, 1))

    with pytest.raises(ValidationError):
        change(
            dpmd_mukomuko,
            Enrollment.objects.get(pk=enrollment.pk),
            Status.ACTIVE,
            dt.date(2025, 6, 1),
            participant_number=JKN_NUMBER,
        )

    assert Enrollment.objects.get(pk=enrollment.pk).status == final


def test_requested_enrollment_cannot_be_ended_directly(dpmd_mukomuko, person, kes, dau):
    enrollment = request_kes(dpmd_mukomuko, person, kes, dau)

    with pytest.raises(ValidationError):
        change(dpmd_mukomuko, enrollment, Status.ENDED, dt.date(2025, 1, 1))


def test_unknown_status_is_refused_with_a_validation_error(dpmd_mukomuko, person, kes, dau):
    enrollment = request_kes(dpmd_mukomuko, person, kes, dau)

    with pytest.raises(ValidationError):
        change(dpmd_mukomuko, enrollment, "aktif", dt.date(2025, 1, 1))


def test_ending_before_the_start_is_refused(dpmd_mukomuko, person, kes, dau):
    enrollment = active_kes(dpmd_mukomuko, person, kes, dau, start=dt.date(2024, 1, 1))

    with pytest.raises((ValidationError, IntegrityError)):
        change(dpmd_mukomuko, enrollment, Status.ENDED, dt.date(2023, 12, 31))

    assert Enrollment.objects.get(pk=enrollment.pk).status == Status.ACTIVE


# --- participant numbers -----------------------------------------------------------------------------


def test_jkn_number_of_13_digits_is_accepted(dpmd_mukomuko, person, kes, dau):
    enrollment = active_kes(dpmd_mukomuko, person, kes, dau)

    assert Enrollment.objects.get(pk=enrollment.pk).participant_number == JKN_NUMBER
    assert enrollment.participant_number_warning == ""


@pytest.mark.parametrize("number", ["001133652659", "00113365265920", "00113365265AB"], ids=["12", "14", "letters"])
def test_jkn_number_not_13_digits_is_refused(dpmd_mukomuko, person, kes, dau, number):
    with pytest.raises(ValidationError) as exc_info:
        request_kes(dpmd_mukomuko, person, kes, dau, participant_number=number)

    assert "participant_number" in exc_info.value.message_dict
    assert not Enrollment.objects.filter(person=person).exists()


def test_kpj_number_of_10_digits_is_accepted_with_a_warning(dpmd_mukomuko, person, tk, add):
    enrollment = enrollment_create(
        actor=dpmd_mukomuko, person=person, program=tk, funding_source=add, participant_number="2301123456"
    )

    assert Enrollment.objects.filter(pk=enrollment.pk).exists()
    assert enrollment.participant_number_warning != ""


def test_kpj_number_of_11_digits_has_no_warning(dpmd_mukomuko, person, tk, add):
    enrollment = enrollment_create(
        actor=dpmd_mukomuko, person=person, program=tk, funding_source=add, participant_number=KPJ_NUMBER
    )

    assert enrollment.participant_number_warning == ""


def test_kpj_number_with_letters_is_refused(dpmd_mukomuko, person, tk, add):
    with pytest.raises(ValidationError) as exc_info:
        enrollment_create(
            actor=dpmd_mukomuko, person=person, program=tk, funding_source=add, participant_number="2301123456X"
        )

    assert "participant_number" in exc_info.value.message_dict


def test_active_enrollment_without_number_is_refused_at_creation(dpmd_mukomuko, person, kes, dau):
    with pytest.raises(ValidationError) as exc_info:
        request_kes(dpmd_mukomuko, person, kes, dau, status=Status.ACTIVE, start_date=dt.date(2024, 1, 1))

    assert "participant_number" in exc_info.value.message_dict
    assert not Enrollment.objects.filter(person=person).exists()


def test_activation_without_number_is_refused(dpmd_mukomuko, person, kes, dau):
    enrollment = request_kes(dpmd_mukomuko, person, kes, dau)

    with pytest.raises(ValidationError) as exc_info:
        change(dpmd_mukomuko, enrollment, Status.ACTIVE, dt.date(2025, 2, 1))

    assert "participant_number" in exc_info.value.message_dict
    assert Enrollment.objects.get(pk=enrollment.pk).status == Status.REQUESTED


# --- components --------------------------------------------------------------------------------------


def component_codes(enrollment: Enrollment) -> set[str]:
    return set(enrollment.components.values_list("code", flat=True))


def test_ketenagakerjaan_always_includes_jkk_and_jkm(dpmd_mukomuko, person, tk, add):
    enrollment = enrollment_create(actor=dpmd_mukomuko, person=person, program=tk, funding_source=add)

    assert component_codes(enrollment) == {"JKK", "JKM"}


def test_optional_components_come_on_top_of_the_required_ones(dpmd_mukomuko, person, tk, add):
    enrollment = enrollment_create(
        actor=dpmd_mukomuko, person=person, program=tk, funding_source=add, components=["JHT", "JP"]
    )

    assert component_codes(enrollment) == {"JKK", "JKM", "JHT", "JP"}


def test_kesehatan_includes_jkn(dpmd_mukomuko, person, kes, dau):
    enrollment = request_kes(dpmd_mukomuko, person, kes, dau)

    assert component_codes(enrollment) == {"JKN"}


@pytest.mark.parametrize("code", ["XYZ", "JKN"], ids=["unknown", "of another program"])
def test_unknown_component_is_refused_and_saves_nothing(dpmd_mukomuko, person, tk, add, code):
    with pytest.raises(ValidationError):
        enrollment_create(actor=dpmd_mukomuko, person=person, program=tk, funding_source=add, components=[code])

    assert not Enrollment.objects.filter(person=person).exists()


# --- one open enrollment per person and program ------------------------------------------------------


def test_second_open_enrollment_in_the_same_program_is_refused(dpmd_mukomuko, person, kes, dau):
    request_kes(dpmd_mukomuko, person, kes, dau)

    with pytest.raises((ValidationError, IntegrityError)):
        request_kes(dpmd_mukomuko, person, kes, dau)

    assert Enrollment.objects.filter(person=person, program=kes).count() == 1


def test_second_enrollment_while_the_first_is_inactive_is_refused(dpmd_mukomuko, person, kes, dau):
    first = active_kes(dpmd_mukomuko, person, kes, dau)
    change(dpmd_mukomuko, first, Status.INACTIVE, dt.date(2025, 1, 1))

    with pytest.raises((ValidationError, IntegrityError)):
        request_kes(dpmd_mukomuko, person, kes, dau)


def test_same_person_may_be_enrolled_in_both_programs(dpmd_mukomuko, person, kes, tk, dau, add):
    request_kes(dpmd_mukomuko, person, kes, dau)
    enrollment_create(actor=dpmd_mukomuko, person=person, program=tk, funding_source=add)

    assert Enrollment.objects.filter(person=person).count() == 2


def test_new_enrollment_after_the_old_one_ended_is_allowed(dpmd_mukomuko, person, kes, dau):
    first = active_kes(dpmd_mukomuko, person, kes, dau, start=dt.date(2021, 1, 1))
    change(dpmd_mukomuko, first, Status.ENDED, dt.date(2023, 12, 31))

    request_kes(dpmd_mukomuko, person, kes, dau)

    assert Enrollment.objects.filter(person=person, program=kes).count() == 2


# --- history -----------------------------------------------------------------------------------------


def test_each_status_change_is_in_history_with_user_and_time(
    dpmd_mukomuko, head_suka_pindah, bpjs_kes_majene, person, kes, dau
):
    enrollment = request_kes(head_suka_pindah, person, kes, dau)
    change(bpjs_kes_majene, enrollment, Status.ACTIVE, dt.date(2024, 1, 1), participant_number=JKN_NUMBER)
    change(dpmd_mukomuko, enrollment, Status.ENDED, dt.date(2025, 6, 30))

    records = list(enrollment.history.order_by("history_date", "history_id"))

    assert [(r.status, r.history_user) for r in records] == [
        (Status.REQUESTED, head_suka_pindah),
        (Status.ACTIVE, bpjs_kes_majene),
        (Status.ENDED, dpmd_mukomuko),
    ]
    assert all(r.history_date is not None for r in records)
    assert [r.history_date for r in records] == sorted(r.history_date for r in records)
    assert (records[1].start_date, records[2].end_date) == (dt.date(2024, 1, 1), dt.date(2025, 6, 30))
