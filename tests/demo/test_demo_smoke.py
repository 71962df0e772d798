from tests.factories import EnrollmentFactory, PersonFactory, PostFactory


def test_factories_make_a_covered_official(db, suka_pindah):
    person = PersonFactory()
    PostFactory(person=person, village=suka_pindah)
    EnrollmentFactory(person=person)
    assert person.nik.startswith("170601")
    assert person.nik_masked == person.nik[:4] + "•" * 12
