"""The access log page ("Log akses"): exports and document downloads of the DPMD's regency, or of every
regency for a superuser; filtered by who, what and date. Other roles get a 403."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import access_records_filtered, access_records_visible_to
from accounts.models import AccessRecord
from core.models import Regency
from core.permissions import may_read_access_log


class AccessLogFilter(forms.Form):
    who = forms.CharField(label=gettext_lazy("Who (username)"), required=False, max_length=150)
    kind = forms.ChoiceField(
        label=gettext_lazy("What"), required=False, choices=[("", gettext_lazy("all")), *AccessRecord.Kind.choices]
    )
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def access_log(request):
    if not may_read_access_log(request.user):
        raise PermissionDenied(_("The access log is read by DPMD staff and superusers."))
    form = AccessLogFilter(request.GET or None)
    records = access_records_visible_to(request.user)
    if form.is_valid():
        records = access_records_filtered(records, **form.cleaned_data)
    elif form.is_bound:
        records = records.none()
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "regency": Regency.objects.filter(pk=request.user.regency_id).first(),
        "all_regencies": request.user.is_superuser,
    }
    return render(request, "accounts/access_log.html", context)
