"""Budget pages: a regency's and a desa's budget, allocations (pagu), payments and their import, village
ADD, and the scenario planner.

Objects come from the scoping selectors (a 404 outside the user's scope); writing needs a role that may
change that budget (a 403 for BPJS officers and province observers). Forms post, then redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import access_record
from accounts.models import AccessRecord
from budgets import figures, imports, selectors, services
from budgets.exports import scenario_xlsx
from budgets.forms import (
    AllocationForm,
    ImportForm,
    PaymentForm,
    ScenarioForm,
    VillageFundForm,
    year_from,
)
from budgets.imports import PAYMENTS, VILLAGE_FUNDS
from budgets.models import Allocation
from budgets.scenarios import scenario_result, scenarios_compare
from budgets.services import Payer
from core.models import FundingSource
from core.permissions import may_edit_budget, regency_for_user, village_for_user
from core.selectors import (
    programs_visible_to,
)
from core.spreadsheets.reader import ImportFileError

# --- scope -------------------------------------------------------------------------------------------


def _writable_or_403(request, payer: Payer) -> None:
    if request.method == "POST" and not may_edit_budget(request.user, payer):
        raise PermissionDenied


def _year(request) -> int:
    today = timezone.localdate()
    year = year_from(request.GET.get("tahun"), default=today.year)
    if year is None:
        messages.error(
            request,
            _("“%(value)s” is not a year; showing %(year)s.") % {"value": request.GET["tahun"], "year": today.year},
        )
        return today.year
    return year


def _budget_url(payer: Payer, year: int | None = None) -> str:
    name, code = ("regency-budget", payer.regency.pk) if payer.regency else ("village-budget", payer.village.pk)
    return reverse(name, args=[code]) + (f"?tahun={year}" if year else "")


def _payments_url(payer: Payer, year: int | None = None) -> str:
    name, code = ("regency-payments", payer.regency.pk) if payer.regency else ("village-payments", payer.village.pk)
    return reverse(name, args=[code]) + (f"?tahun={year}" if year else "")


def _form_errors_from(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- budget pages ------------------------------------------------------------------------------------


@login_required
def regency_budget(request, code):
    regency = regency_for_user(request.user, code)
    year = _year(request)
    programs = list(programs_visible_to(request.user))
    budget = figures.regency_budget(regency=regency, programs=programs, year=year, today=timezone.localdate())
    context = {
        "regency": regency,
        "budget": budget,
        "year": year,
        "can_edit": may_edit_budget(request.user, Payer(regency)),
    }
    return render(request, "budgets/regency_budget.html", context)


@login_required
def village_budget(request, code):
    village = village_for_user(request.user, code, governed=True)
    year = _year(request)
    programs = list(programs_visible_to(request.user))
    budget = figures.village_budget(village=village, programs=programs, year=year, today=timezone.localdate())
    context = {
        "village": village,
        "regency": village.subdistrict.regency,
        "budget": budget,
        "year": year,
        "can_edit": may_edit_budget(request.user, Payer(village=village)),
    }
    return render(request, "budgets/village_budget.html", context)


# --- allocations -------------------------------------------------------------------------------------


def _allocation_form(request, payer: Payer, allocation: Allocation | None = None):
    initial = {"fiscal_year": _year(request)}
    if allocation:
        initial = {f: getattr(allocation, f) for f in ("fiscal_year", "program", "source", "amount", "note")}
    return AllocationForm(
        request.POST or None, initial=initial, programs=programs_visible_to(request.user), level=payer.level
    )


def _allocation_page(request, payer: Payer, allocation: Allocation | None = None):
    form = _allocation_form(request, payer, allocation)
    if request.method == "POST" and form.is_valid():
        try:
            if allocation:
                allocation = services.allocation_update(actor=request.user, allocation=allocation, **form.cleaned_data)
            else:
                allocation = services.allocation_create(actor=request.user, payer=payer, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The allocation was saved."))
            return redirect(_budget_url(payer, allocation.fiscal_year))
    context = {"form": form, "payer": payer, "allocation": allocation, "back": _budget_url(payer)}
    return render(request, "budgets/allocation_form.html", context)


@login_required
def regency_allocation_new(request, code):
    return _allocation_page(request, Payer(regency=regency_for_user(request.user, code, write=True)))


@login_required
def village_allocation_new(request, code):
    return _allocation_page(request, Payer(village=village_for_user(request.user, code, write=True, governed=True)))


@login_required
def allocation_edit(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk, write=True)
    return _allocation_page(request, Payer(allocation.regency, allocation.village), allocation)


@login_required
@require_http_methods(["GET", "POST"])
def allocation_delete(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk, write=True)
    payer = Payer(allocation.regency, allocation.village)
    if request.method == "POST":
        services.allocation_delete(actor=request.user, allocation=allocation)
        messages.success(request, _("The allocation was deleted."))
        return redirect(_budget_url(payer, allocation.fiscal_year))
    context = {"object": allocation, "payer": payer, "back": _budget_url(payer, allocation.fiscal_year)}
    return render(request, "budgets/confirm_delete.html", context)


# --- payments ----------------------------------------------------------------------------------------


def _with_month_dates(payments) -> list:
    payments = list(payments)
    for p in payments:
        p.month_date = dt.date(p.fiscal_year, p.month, 1)  # shown as the month's name
    return payments


def _payments_page(request, payer: Payer, payments):
    _writable_or_403(request, payer)
    year = _year(request)
    programs = programs_visible_to(request.user)
    form = PaymentForm(request.POST or None, initial={"fiscal_year": year}, programs=programs, level=payer.level)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_record(actor=request.user, payer=payer, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect(_payments_url(payer, payment.fiscal_year))
    context = {
        "payer": payer,
        "year": year,
        "payments": _with_month_dates(payments(programs=list(programs), year=year)),
        "form": form,
        "can_edit": may_edit_budget(request.user, payer),
        "back": _budget_url(payer, year),
    }
    return render(request, "budgets/payments.html", context)


@login_required
def regency_payments(request, code):
    regency = regency_for_user(request.user, code)
    return _payments_page(
        request, Payer(regency=regency), lambda **kw: selectors.regency_payments(regency=regency, **kw)
    )


@login_required
def village_payments(request, code):
    village = village_for_user(request.user, code, governed=True)
    return _payments_page(
        request, Payer(village=village), lambda **kw: selectors.village_payments(village=village, **kw)
    )


def _import_page(request, *, columns, build, confirm, kind: str, scope: str, done, template: str, context: dict):
    """Upload a file → preview with every row error → confirm (the previewed rows wait as a preview) → redirect.
    `build(rows)` and `confirm(token)` return the plan; `done(plan)` the message and where to go."""
    form, plan = ImportForm(), None
    if request.method == "POST" and "token" in request.POST:
        try:
            plan = confirm(request.POST["token"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            if plan.valid:
                message, url = done(plan)
                messages.success(request, message)
                return redirect(url)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                plan = build(imports.read_import_file(upload, name=upload.name, columns=columns))
            except ImportFileError as exc:
                form.add_error("file", exc.messages)
    token = plan.keep(kind=kind, scope=scope, actor=request.user) if plan and plan.valid else ""
    return render(request, template, {**context, "form": form, "plan": plan, "token": token})


def _payments_import(request, payer: Payer):
    programs, today = list(programs_visible_to(request.user)), timezone.localdate()
    return _import_page(
        request,
        columns=imports.PAYMENT_COLUMNS,
        build=lambda rows: imports.payments_import_plan(rows=rows, payer=payer, programs=programs, today=today),
        confirm=lambda token: imports.payments_import_confirm(
            actor=request.user, payer=payer, token=token, programs=programs, today=today
        ),
        kind=PAYMENTS,
        scope=payer.key,
        done=lambda plan: (
            _("%(n)s payments were recorded.") % {"n": len(plan.of_kind("new"))},
            _payments_url(payer),
        ),
        template="budgets/payments_import.html",
        context={"payer": payer, "back": _payments_url(payer)},
    )


@login_required
def regency_payments_import(request, code):
    return _payments_import(request, Payer(regency=regency_for_user(request.user, code, write=True)))


@login_required
def village_payments_import(request, code):
    return _payments_import(request, Payer(village=village_for_user(request.user, code, write=True, governed=True)))


@login_required
@require_http_methods(["GET", "POST"])
def payment_delete(request, pk):
    payment = selectors.payment_for_user(request.user, pk, write=True)
    payer = Payer(payment.regency, payment.village)
    if request.method == "POST":
        services.payment_delete(actor=request.user, payment=payment)
        messages.success(request, _("The payment was deleted."))
        return redirect(_payments_url(payer, payment.fiscal_year))
    context = {"object": payment, "payer": payer, "back": _payments_url(payer, payment.fiscal_year)}
    return render(request, "budgets/confirm_delete.html", context)


# --- village ADD -------------------------------------------------------------------------------------


@login_required
def village_funds(request, code):
    regency = regency_for_user(request.user, code, write=request.method == "POST")
    year = _year(request)
    villages = selectors.villages_with_funds(regency=regency, year=year)
    form = VillageFundForm(request.POST or None, initial={"fiscal_year": year}, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.village_fund_set(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The ADD of %(village)s was saved.") % {"village": fund.village})
            return redirect(reverse("village-funds", args=[regency.pk]) + f"?tahun={fund.fiscal_year}")
    context = {
        "regency": regency,
        "year": year,
        "villages": villages,
        "form": form,
        "can_edit": may_edit_budget(request.user, Payer(regency)),
    }
    return render(request, "budgets/village_funds.html", context)


@login_required
def village_funds_import(request, code):
    regency = regency_for_user(request.user, code, write=True)
    return _import_page(
        request,
        columns=imports.FUND_COLUMNS,
        build=lambda rows: imports.village_funds_import_plan(rows=rows, regency=regency),
        confirm=lambda token: imports.village_funds_import_confirm(actor=request.user, regency=regency, token=token),
        kind=VILLAGE_FUNDS,
        scope=Payer(regency=regency).key,
        done=lambda plan: (
            _("The ADD of %(n)s desa was saved.") % {"n": len(plan.of_kind("new")) + len(plan.of_kind("changed"))},
            reverse("village-funds", args=[regency.pk]),
        ),
        template="budgets/village_funds_import.html",
        context={"regency": regency},
    )


# --- scenarios ---------------------------------------------------------------------------------------


@login_required
def scenario_list(request, code):
    regency = regency_for_user(request.user, code)
    scenarios = selectors.scenarios_visible_to(request.user).filter(regency=regency)
    context = {"regency": regency, "scenarios": scenarios, "can_edit": may_edit_budget(request.user, Payer(regency))}
    return render(request, "budgets/scenario_list.html", context)


@login_required
def scenario_new(request, code):
    regency = regency_for_user(request.user, code, write=True)
    initial = {"start_month": f"{timezone.localdate():%Y-%m}", "source": FundingSource.objects.filter(pk="ADD").first()}
    form = ScenarioForm(request.POST or None, initial=initial, programs=programs_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_create(actor=request.user, regency=regency, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The scenario was saved."))
            return redirect("scenario-detail", pk=scenario.pk)
    return render(request, "budgets/scenario_form.html", {"regency": regency, "form": form})


@login_required
def scenario_detail(request, pk):
    scenario = selectors.scenario_for_user(request.user, pk)
    result = scenario_result(scenario, day=timezone.localdate())
    context = {
        "scenario": scenario,
        "regency": scenario.regency,
        "result": result,
        "can_edit": may_edit_budget(request.user, Payer(scenario.regency)),
    }
    return render(request, "budgets/scenario_detail.html", context)


@login_required
def scenario_compare(request, code):
    regency = regency_for_user(request.user, code)
    ids = list(dict.fromkeys(request.GET.getlist("ids")))
    if not 2 <= len(ids) <= 4 or not all(i.isdigit() for i in ids):
        messages.error(request, _("Choose two to four scenarios to compare."))
        return redirect("scenario-list", code=regency.pk)
    found = {s.pk: s for s in selectors.scenarios_visible_to(request.user).filter(regency=regency, pk__in=ids)}
    if len(found) != len(ids):
        raise Http404
    results = scenarios_compare([found[int(i)] for i in ids], day=timezone.localdate())
    subdistricts = {s.code: s.name for r in results for s in r.subdistricts}
    rows = [(name, [r.subdistrict(code) for r in results]) for code, name in sorted(subdistricts.items())]
    return render(request, "budgets/scenario_compare.html", {"regency": regency, "results": results, "rows": rows})


@login_required
def scenario_export(request, pk) -> HttpResponse:
    scenario = selectors.scenario_for_user(request.user, pk)
    day = timezone.localdate()
    # Figures per desa, no person named: logged as an export of the regency's data all the same.
    access_record(request, AccessRecord.Kind.SCENARIO, target=str(scenario.pk), niks={scenario.regency_id: 0})
    return scenario_xlsx(scenario, scenario_result(scenario, day=day), day=day)


@login_required
@require_http_methods(["GET", "POST"])
def scenario_delete(request, pk):
    scenario = selectors.scenario_for_user(request.user, pk, write=True)
    if request.method == "POST":
        services.scenario_delete(actor=request.user, scenario=scenario)
        messages.success(request, _("The scenario was deleted."))
        return redirect("scenario-list", code=scenario.regency_id)
    back = reverse("scenario-detail", args=[scenario.pk])
    return render(request, "budgets/confirm_delete.html", {"object": scenario, "back": back})
