"""The request form: the new values (prefilled with the enrolled ones: change only what is wrong), the
reason and, for a NIK, the new KTP. The checks are the service's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from villages.forms import DateInput
from villages.models import Person


class DataChangeForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        required=False,
        help_text=_("16 digits, as on the new KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, required=False, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reason for the change, e.g. a typo on the KTP or a new KTP.")},
    )
    ktp = forms.FileField(
        label=_("New KTP (PDF, JPG or PNG)"),
        required=False,
        allow_empty_file=True,  # the service says "empty" in its own words
        help_text=_("Required when the NIK changes."),
    )

    @classmethod
    def initial_for(cls, person: Person, *, show_nik: bool) -> dict:
        return {
            "nik": person.nik if show_nik else "",
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "sex": person.sex,
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("approve")), ("reject", _("reject"))])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
