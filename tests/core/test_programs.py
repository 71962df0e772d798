"""The rules of a program, written once on core.models.Program: participant numbers (rules.md §2) and
the components an enrollment or a scenario gets."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

JKN_NUMBER = "0011336526592"  # 13 digits, leading zeros kept
KPJ_NUMBER = "23011234567"  # 11 digits


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_jkn_number_of_13_digits_has_no_error_and_no_warning(kes):
    assert (kes.participant_number_error(JKN_NUMBER), kes.participant_number_warning(JKN_NUMBER)) == ("", "")


@pytest.mark.parametrize("number", ["001133652659", "00113365265920"], ids=["12", "14"])
def test_a_jkn_number_of_another_length_is_an_error(kes, number):
    assert kes.participant_number_error(number) == "A BPJS Kesehatan participant number has exactly 13 digits."


def test_a_kpj_number_of_10_digits_is_a_warning_not_an_error(tk):
    assert tk.participant_number_error("2301123456") == ""
    assert tk.participant_number_warning("2301123456") == (
        "A KPJ number usually has 11 digits; this one has 10. Please check it."
    )


def test_a_kpj_number_of_11_digits_has_no_warning(tk):
    assert tk.participant_number_warning(KPJ_NUMBER) == ""


@pytest.mark.parametrize("program", ["kes", "tk"])
def test_a_number_with_letters_or_none_at_all_is_an_error(request, program):
    program = request.getfixturevalue(program)

    assert program.participant_number_error("2301123456A") == "A participant number has digits only."
    assert program.participant_number_error("") == "Write the participant number."


def test_the_required_components_are_always_included_in_the_program_order(tk):
    required = [c.code for c in tk.components.filter(is_required=True).order_by("order")]
    optional = tk.components.filter(is_required=False).order_by("-order").first()

    assert [c.code for c in tk.components_for()] == required
    chosen = [c.code for c in tk.components_for([optional.code, *required])]
    assert chosen == [c.code for c in tk.components.order_by("order") if c.is_required or c == optional]


def test_an_unknown_component_is_refused_unless_not_strict(tk):
    with pytest.raises(ValidationError) as exc_info:
        tk.components_for(["XYZ"])

    assert exc_info.value.message_dict == {"components": ["Unknown components for BPJS TK: XYZ"]}
    assert tk.components_for(["XYZ"], strict=False) == tk.components_for()
