"""Forms of the budget pages and API: they turn text into values; the rules are the services'."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from budgets.imports import parse_amount
from core.models import FundingSource, Program, ProgramComponent, Village
from core.spreadsheets.cells import CellError
from core.text import validate_name, validate_text
from villages.forms import DateInput

MIN_YEAR, MAX_YEAR = 2000, 2100


def year_from(value: str | None, *, default: int) -> int | None:
    """`?tahun=2026`: the year, `default` when absent, None when it is not a year."""
    if not value:
        return default
    if re.fullmatch(r"\d{4}", value.strip()) and MIN_YEAR <= int(value) <= MAX_YEAR:
        return int(value)
    return None


def month_from(value: str | None) -> dt.date | None:
    """`2026-07` (an <input type="month">) → 1 July 2026; None when it is not a month."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


class AmountField(forms.CharField):
    """Whole rupiah: 1700000000, 1.700.000.000 or Rp1.700.000.000."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(max_length=30, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_amount(value)
        except CellError as exc:
            raise forms.ValidationError(exc.message) from None


class MonthInput(forms.TextInput):
    input_type = "month"


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Fiscal year"))
        kwargs.setdefault("initial", lambda: timezone.localdate().year)
        super().__init__(min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


def _sources(level: str):
    return FundingSource.objects.filter(level=level)


class AllocationForm(forms.Form):
    fiscal_year = YearField()
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"), empty_label=None)
    source = forms.ModelChoiceField(queryset=FundingSource.objects.none(), label=_("Funding source"), empty_label=None)
    amount = AmountField(label=_("Allocation (Rp)"), help_text=_("Whole rupiah, for example 1.700.000.000."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, programs, level: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["source"].queryset = _sources(level)


class PaymentForm(forms.Form):
    fiscal_year = YearField()
    month = forms.TypedChoiceField(
        label=_("Month"), choices=list(MONTHS.items()), coerce=int, initial=lambda: timezone.localdate().month
    )
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"), empty_label=None)
    source = forms.ModelChoiceField(queryset=FundingSource.objects.none(), label=_("Funding source"), empty_label=None)
    amount = AmountField(label=_("Amount paid (Rp)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput(), initial=timezone.localdate)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("SP2D or transfer number, if any."),
        validators=[validate_text],
    )

    def __init__(self, *args, programs, level: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["source"].queryset = _sources(level)


class VillageFundForm(forms.Form):
    village = forms.ModelChoiceField(queryset=Village.objects.none(), label=_("Village"))
    fiscal_year = YearField()
    add_amount = AmountField(label=_("ADD (Rp)"))

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        # Desa names repeat across kecamatan: name the kecamatan too.
        self.fields["village"].label_from_instance = lambda v: f"{v.name} ({v.subdistrict.name})"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, validators=[validate_name])
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"), empty_label=None)
    components = forms.MultipleChoiceField(
        label=_("Optional components"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The required components (JKK and JKM, or JKN) are always included."),
    )
    source = forms.ModelChoiceField(
        queryset=FundingSource.objects.exclude(level=FundingSource.Level.PARTICIPANT),
        label=_("Funding source"),
        empty_label=None,
    )
    start_month = forms.CharField(label=_("Starting month"), widget=MonthInput(), help_text=_("For example 2026-07."))
    add_share_threshold = forms.DecimalField(
        label=_("ADD share threshold (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=100,
        initial=5,
        help_text=_("Desa whose yearly cost is above this share of their ADD are listed."),
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        optional = ProgramComponent.objects.filter(program__in=programs, is_required=False)
        self.fields["components"].choices = [(c.code, f"{c.code} – {c.name}") for c in optional]

    def clean_start_month(self) -> dt.date:
        month = month_from(self.cleaned_data["start_month"])
        if month is None:
            raise forms.ValidationError(_("Write the month as YYYY-MM, for example 2026-07."))
        return month
