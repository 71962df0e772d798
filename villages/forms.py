"""Forms of the village roster: add or correct an official, end a post. The checks are the services';
the forms only turn text into values and show the messages beside the field."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import nik as nik_lib
from core.text import validate_name
from villages.identity import IDENTITY_FIELDS
from villages.models import Person, Position, Post
from villages.services import PERSON_FIELDS, POST_FIELDS

_WAGE = re.compile(r"^(rp\.?)?\s*\d{1,3}(\.\d{3})*(,00)?$|^(rp\.?)?\s*\d+$", re.IGNORECASE)


def parse_wage(value: str) -> int:
    """`2850000`, `2.850.000` or `Rp2.850.000` → 2850000. Whole rupiah only."""
    text = str(value or "").strip().replace(" ", "")
    if not text:
        return 0
    if not _WAGE.match(text):
        raise forms.ValidationError(_("Write the wage in whole rupiah, for example 2850000 or Rp2.850.000."))
    digits = re.sub(r"(,00)$", "", text)
    return int(re.sub(r"\D", "", digits))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OfficialForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        help_text=_("16 digits, as on the KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "data-nik": "1"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150, validators=[validate_name])
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    # No position is chosen for the user: a new official left as "Kepala Desa" by mistake would be a
    # second village head.
    position = forms.ChoiceField(label=_("Position"), choices=[("", _("— choose position —")), *Position.choices])
    local_title = forms.CharField(label=_("Local title"), max_length=100, required=False, validators=[validate_name])
    status = forms.ChoiceField(label=_("Position status"), choices=Post.Status.choices, initial=Post.Status.DEFINITIF)
    sk_number = forms.CharField(
        label=_("Appointment decree (SK) number"), max_length=100, required=False, validators=[validate_name]
    )
    sk_date = forms.DateField(label=_("Appointment decree (SK) date"), required=False, widget=DateInput())
    inauguration_date = forms.DateField(label=_("Inauguration date"), required=False, widget=DateInput())
    term_start = forms.DateField(label=_("Term start"), widget=DateInput())
    term_end = forms.DateField(label=_("Term end"), required=False, widget=DateInput())
    wage_basis = forms.CharField(
        label=_("Monthly wage basis (Rp)"),
        required=False,
        help_text=_("Siltap plus fixed allowances, whole rupiah."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, frozen_identity: bool = False, identity_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        # An active BPJS participant's identity changes by a data-change request (villages.identity):
        # shown read-only, and whatever is posted for it is ignored.
        self.frozen_identity = frozen_identity
        # A desa where the official only acts sees their personal data but keeps it as it is.
        self.identity_locked = identity_locked
        locked = (*IDENTITY_FIELDS, "phone") if identity_locked else IDENTITY_FIELDS if frozen_identity else ()
        for name in locked:
            self.fields[name].disabled = True

    def clean_nik(self) -> str:
        check = nik_lib.check_nik(self.cleaned_data["nik"])
        if not check.valid:
            raise forms.ValidationError(check.errors)
        return check.nik

    def clean_wage_basis(self) -> int:
        return parse_wage(self.cleaned_data.get("wage_basis"))

    def clean(self):
        data = super().clean()
        if data.get("nik"):
            check = nik_lib.check_nik(data["nik"], sex=data.get("sex"), birth_date=data.get("birth_date"))
            self.warnings = check.warnings
        return data

    @classmethod
    def initial_for(cls, post: Post) -> dict:
        person = post.person
        initial = {name: getattr(person, name) for name in PERSON_FIELDS}
        initial["nik"] = person.nik
        initial.update({name: getattr(post, name) for name in POST_FIELDS})
        return initial

    def subject(self, post: Post | None) -> str:
        """What the form's errors are about: the post being corrected, else the position chosen."""
        if post is not None:
            return post.title
        return dict(Position.choices).get(self.data.get("position", ""), _("new official"))

    def person_and_post_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("nik", *VERSION_FIELDS)}


def version_field() -> forms.IntegerField:
    """The version of the row as the form was opened: a stale form is refused (core.versioning)."""
    return forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": _("Send the version of the record you read: it is needed to save a change.")},
    )


VERSION_FIELDS = ("version", "person_version")


class OfficialEditForm(OfficialForm):
    """The correction of an official: the form of a new one with the versions of the post and the person."""

    version = version_field()
    person_version = version_field()

    @classmethod
    def initial_for(cls, post: Post) -> dict:
        return {**super().initial_for(post), "version": post.version, "person_version": post.person.version}

    def versions(self) -> dict:
        return {name: self.cleaned_data[name] for name in VERSION_FIELDS}


class PostEndForm(forms.Form):
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    ended_on = forms.DateField(label=_("End date"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.ChoiceField(label=_("Reason"), choices=Post.EndReason.choices, widget=forms.RadioSelect)
