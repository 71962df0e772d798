"""A participant number belongs to one official (enrollment.selectors.participant_numbers_taken): the
review's approval and reconciliation's "take the BPJS number" ask the same selector."""

from enrollment.models import Enrollment
from enrollment.selectors import participant_numbers_taken
from tests.factories import EnrollmentFactory, PersonFactory

NUMBER = "0011336526592"


def test_a_number_of_another_official_in_the_program_is_taken(kes):
    EnrollmentFactory(program=kes, participant_number=NUMBER)
    request = EnrollmentFactory(program=kes, status=Enrollment.Status.REQUESTED, participant_number="", start_date=None)

    assert participant_numbers_taken([(request, NUMBER)]) == {(kes.pk, NUMBER)}


def test_the_officials_own_number_is_not_taken(kes):
    budi = PersonFactory()
    EnrollmentFactory(person=budi, program=kes, status=Enrollment.Status.ENDED, participant_number=NUMBER)
    again = EnrollmentFactory(person=budi, program=kes, status=Enrollment.Status.REQUESTED, participant_number="")

    assert participant_numbers_taken([(again, NUMBER)]) == set()


def test_the_same_number_in_another_program_is_not_taken(kes, tk):
    EnrollmentFactory(program=tk, participant_number=NUMBER)
    request = EnrollmentFactory(program=kes, status=Enrollment.Status.REQUESTED, participant_number="", start_date=None)

    assert participant_numbers_taken([(request, NUMBER)]) == set()
