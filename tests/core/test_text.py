"""What a name or a one-line text may hold (core.text): nothing a spreadsheet reads as a formula, no
control character, no Excel escape; and the rule is applied where people type names: the officials
form and API, the officials file, scenarios, accounts and payment references."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.text import name_problem, text_problem, validate_name
from tests.factories import PersonFactory, PostFactory
from villages.models import FamilyMember, Person


def shown(problem: str | None) -> str | None:
    return problem


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', "Nama tidak boleh diawali =: program spreadsheet membacanya sebagai rumus."),
        ("+62 812", "Nama tidak boleh diawali +"),
        ("-Budi", "Nama tidak boleh diawali -"),
        ("@SUM(A1)", "Nama tidak boleh diawali @"),
        ("  =1+1", "Nama tidak boleh diawali ="),
        ("\tBudi", "karakter kontrol (U+0009)"),
        ("\rBudi", "karakter kontrol (U+000D)"),
        ("Budi\nSantoso", "karakter kontrol (U+000A)"),
        ("Budi\x1b[31m", "karakter kontrol (U+001B)"),
        ("Budi\x00", "karakter kontrol (U+0000)"),
        ("Budi\x7f", "karakter kontrol (U+007F)"),
        ("Budi\x85", "karakter kontrol (U+0085)"),
        ("Budi\x9b", "karakter kontrol (U+009B)"),
        ("Budi_x0000_", "kode escape Excel _x0000_"),
        ("_x001B_Budi", "kode escape Excel _x001B_"),
    ],
)
def test_a_name_a_spreadsheet_would_run_or_mangle_is_refused_in_indonesian(value, expected):
    with translation.override("id"):
        problem = name_problem(value)

    assert problem is not None and expected in problem


@pytest.mark.parametrize(
    "value", ["Siti Aminah", "Abdul-Rahman", "Ni Luh Putu Ayu", "Andi M. Arif, S.Pd.", "O'Brien", "Kepala Kampung"]
)
def test_ordinary_names_pass(value):
    assert name_problem(value) is None
    validate_name(value)


def test_a_one_line_text_may_start_with_a_sign_but_holds_no_control_character():
    assert text_problem("-") is None and text_problem("+62 SP2D") is None
    assert text_problem("SP2D\t001") is not None and text_problem("SP2D_x0009_001") is not None


def test_the_models_refuse_such_names_on_full_clean(suka_pindah):
    person = PersonFactory.build(full_name="@SUM(A1)", nik="1706015708850001")
    post = PostFactory.build(person=PersonFactory(), village=suka_pindah, local_title="=1+1", sk_number="-1")
    member = FamilyMember(person=post.person, full_name="+Ani", relation=FamilyMember.Relation.CHILD)

    with pytest.raises(ValidationError) as person_error:
        person.full_clean()
    with pytest.raises(ValidationError) as post_error:
        post.full_clean()
    with pytest.raises(ValidationError) as member_error:
        member.full_clean()

    assert "full_name" in person_error.value.message_dict
    assert {"local_title", "sk_number"} <= post_error.value.message_dict.keys()
    assert "full_name" in member_error.value.message_dict
    assert not Person.objects.filter(full_name="@SUM(A1)").exists()
