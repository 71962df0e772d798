"""Budgets API: a regency's and a desa's budget, payments, scenarios and one enrollment's contribution.

Scoped exactly like the pages (a 404 outside the caller's scope, a 403 when a read-only role writes), the
same forms validate input and the same services write, so rules and Indonesian messages are shared."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets import figures, selectors, services
from budgets.contributions import RateBook, enrollment_costs, whole_rupiah
from budgets.figures import AccountLine
from budgets.forms import MAX_YEAR, MIN_YEAR, PaymentForm, ScenarioForm, month_from
from budgets.lines import BudgetLine
from budgets.models import Payment, Scenario
from budgets.scenarios import Figures, ScenarioResult, scenario_result
from budgets.services import Payer
from core.api_input import valid_form
from core.models import ProgramComponent
from core.permissions import regency_for_user, village_for_user
from core.selectors import programs_visible_to
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to

ROUNDING_RULE = gettext_lazy(
    "Each component's share is computed exactly on the wage basis (after the floor and the ceiling). The "
    "employer share and the participant share are each the exact sum over the components, rounded once to "
    "whole rupiah, half up (Rp97.065,60 becomes Rp97.066). Component lines are rounded the same way for "
    "reading only: the shares never add rounded lines."
)
WARNINGS = {
    "over_allocation": gettext_lazy("Realization and commitment exceed the allocation."),
    "no_allocation": gettext_lazy("Money is due or was paid, but no allocation is recorded for the year."),
}


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)


def _year(request) -> int:
    query = YearQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("year") or timezone.localdate().year


# --- budgets -----------------------------------------------------------------------------------------


def _line(line: BudgetLine) -> dict:
    data = {
        "program": line.program.code,
        "source": line.source.code,
        "allocation": line.allocation,
        "realization": line.realization,
        "commitment": line.commitment,
        "whole_year_cost": line.whole_year,
        "remaining": line.remaining if line.allocation is not None else None,
        "used_pct": line.used_pct,
        "whole_year_pct": line.whole_year_pct,
        "monthly_cost": line.monthly,
        "participant_monthly": line.participant_monthly,
        "participant_year": line.participant_year,
        "officials": line.officials,
        "unpaid_months": line.unpaid_months,
        "warning": line.warning,
        "warning_message": str(WARNINGS[line.warning]) if line.warning else None,
    }
    if line.villages:
        data.update(
            villages=line.villages,
            villages_over=[v.code for v in line.villages_over],
            villages_without_allocation=line.villages_without_allocation,
        )
    return data


def _account(account: AccountLine) -> dict:
    return {
        "code": account.code,
        "name": account.name,
        "officials": account.officials,
        "monthly_cost": account.monthly,
        "whole_year_cost": account.whole_year,
        "commitment": account.commitment,
        "participant_year": account.participant_year,
    }


class RegencyQuery(YearQuery):
    regency = serializers.CharField(
        error_messages={"required": gettext_lazy("Give the regency code, e.g. ?regency=17.06.")}
    )


class RegencyInput(serializers.Serializer):
    regency = serializers.CharField(
        error_messages={
            name: gettext_lazy("Give the regency code, e.g. 17.06.") for name in ("required", "blank", "null")
        }
    )


class PayerInput(serializers.Serializer):
    """Who pays: a regency (e.g. 17.06) or a desa (its village code); text, like every code."""

    regency = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    village = serializers.CharField(required=False, allow_blank=True, allow_null=True)


def _input(serializer_class: type[serializers.Serializer], data) -> dict:
    given = serializer_class(data=data)
    given.is_valid(raise_exception=True)
    return given.validated_data


class BudgetView(APIView):
    """A regency's budget per program × source: allocation, realization, commitment for the rest of the
    year, whole-year cost, remaining and a warning; and the sum of its desa's budgets."""

    @extend_schema(
        parameters=[
            OpenApiParameter("regency", str, required=True, description="Kemendagri regency code, e.g. 17.06"),
            OpenApiParameter("year", int, description="fiscal year; this year when absent"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        query = RegencyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        regency = regency_for_user(request.user, query.validated_data["regency"])
        year = query.validated_data.get("year") or timezone.localdate().year
        budget = figures.regency_budget(
            regency=regency, programs=list(programs_visible_to(request.user)), year=year, today=timezone.localdate()
        )
        return Response(
            {
                "regency": {"code": regency.code, "name": regency.name},
                "year": year,
                "remaining_months": budget.remaining_months,
                "lines": [_line(line) for line in budget.lines],
                "village_lines": [_line(line) for line in budget.village_lines],
            }
        )


class VillageBudgetView(APIView):
    """A desa's budget per program × source, its APBDes accounts (5.1.3.01–04), and what the regency pays
    for its officials."""

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses={200: dict})
    def get(self, request, code):
        village = village_for_user(request.user, code, governed=True)
        year = _year(request)
        budget = figures.village_budget(
            village=village, programs=list(programs_visible_to(request.user)), year=year, today=timezone.localdate()
        )
        return Response(
            {
                "village": {"code": village.code, "name": village.name},
                "year": year,
                "remaining_months": budget.remaining_months,
                "lines": [_line(line) for line in budget.lines],
                "accounts": [_account(a) for a in budget.accounts],
                "regency_lines": [_line(line) for line in budget.regency_lines],
            }
        )


# --- payments ----------------------------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    regency = serializers.CharField(source="regency_id", allow_null=True)
    village = serializers.CharField(source="village_id", allow_null=True)
    program = serializers.CharField(source="program_id")
    source = serializers.CharField(source="source_id")
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = Payment
        fields = [
            "id",
            "fiscal_year",
            "month",
            "regency",
            "village",
            "program",
            "source",
            "amount",
            "paid_on",
            "reference",
            "recorded_by",
            "created_at",
        ]


def _payer_for_writing(request) -> Payer:
    """The payer named by `regency` or `village`: 404 outside the scope, 403 for a role that only reads."""
    data = _input(PayerInput, request.data)
    if data.get("village"):
        return Payer(village=village_for_user(request.user, data["village"], write=True, governed=True))
    if data.get("regency"):
        return Payer(regency=regency_for_user(request.user, data["regency"], write=True))
    raise serializers.ValidationError({"regency": [_("Give the payer: regency (e.g. 17.06) or village code.")]})


class PaymentsView(APIView):
    """GET payments in scope (?regency=, ?village=, ?year=); POST one payment (the page's form fields plus
    `regency` or `village`, the payer)."""

    @extend_schema(
        parameters=[OpenApiParameter("regency", str), OpenApiParameter("village", str), OpenApiParameter("year", int)],
        responses={200: PaymentSerializer(many=True)},
    )
    def get(self, request):
        payments = selectors.payments_visible_to(request.user).order_by("-fiscal_year", "-month", "-pk")
        params = request.query_params
        if params.get("regency"):
            payments = payments.filter(regency=regency_for_user(request.user, params["regency"]))
        if params.get("village"):
            payments = payments.filter(village=village_for_user(request.user, params["village"]))
        if params.get("year"):
            payments = payments.filter(fiscal_year=_year(request))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(payments, request, view=self)
        return paginator.get_paginated_response(PaymentSerializer(page, many=True).data)

    @extend_schema(request=dict, responses={201: PaymentSerializer})
    def post(self, request):
        payer = _payer_for_writing(request)
        form = valid_form(PaymentForm, request.data, programs=programs_visible_to(request.user), level=payer.level)
        payment = services.payment_record(actor=request.user, payer=payer, **form.cleaned_data)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


# --- scenarios ---------------------------------------------------------------------------------------


def _scenario(scenario: Scenario, request) -> dict:
    return {
        "id": scenario.pk,
        "regency": scenario.regency_id,
        "name": scenario.name,
        "program": scenario.program_id,
        "components": scenario.components,
        "source": scenario.source_id,
        "start_month": f"{scenario.start_month:%Y-%m}",
        "add_share_threshold": str(scenario.add_share_threshold),
        "created_by": scenario.created_by.username,
        "created_at": scenario.created_at,
        "url": request.build_absolute_uri(reverse("api-scenario", args=[scenario.pk])),
    }


def _figures(f: Figures) -> dict:
    data = {"code": f.code, "name": f.name, "officials": f.officials, **{a: getattr(f, a) for a in Figures.AMOUNTS}}
    if f.add_amount is not None or f.add_share is not None:
        data.update(add_amount=f.add_amount, add_share_pct=str(f.add_share), over_threshold=f.over_threshold)
    return data


def _result(result: ScenarioResult) -> dict:
    data = {
        "computed_on": result.day.isoformat(),
        "components": [c.code for c in result.components],
        "employer_rate_pct": str(result.employer_rate.normalize()),
        "participant_rate_pct": str(result.participant_rate.normalize()),
        "months_to_december": result.months_to_december,
        "yearly": str(
            _(
                "to_december: from the start month to December of its year; 12_months: the twelve months from "
                "the start month. Amounts are employer shares unless named participant."
            )
        ),
        "total": _figures(result.total),
        "subdistricts": [_figures(s) for s in result.subdistricts],
        "villages": [_figures(v) for v in result.villages],
    }
    if result.is_add:
        data["add"] = {
            "year": result.add_year,
            "threshold_pct": str(result.threshold),
            "villages_over_threshold": [v.code for v in result.villages_over],
            "villages_without_add": [v.code for v in result.villages_without_add],
        }
    return data


class ScenariosView(APIView):
    """GET the scenarios in scope (?regency=); POST a new one (the page's form fields plus `regency`;
    `start_month` as YYYY-MM, `components` the optional ones such as ["JHT"])."""

    @extend_schema(operation_id="scenarios_list", parameters=[OpenApiParameter("regency", str)], responses={200: dict})
    def get(self, request):
        scenarios = selectors.scenarios_visible_to(request.user)
        if request.query_params.get("regency"):
            code = request.query_params["regency"]
            scenarios = scenarios.filter(regency=regency_for_user(request.user, code))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(scenarios, request, view=self)
        return paginator.get_paginated_response([_scenario(s, request) for s in page])

    @extend_schema(request=dict, responses={201: dict})
    def post(self, request):
        code = _input(RegencyInput, request.data)["regency"]
        regency = regency_for_user(request.user, code, write=True)
        form = valid_form(ScenarioForm, request.data, programs=programs_visible_to(request.user))
        scenario = services.scenario_create(actor=request.user, regency=regency, **form.cleaned_data)
        data = {**_scenario(scenario, request), "figures": _result(scenario_result(scenario, day=timezone.localdate()))}
        return Response(data, status=status.HTTP_201_CREATED)


class ScenarioView(APIView):
    """One scenario with its figures, computed now."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        scenario = selectors.scenario_for_user(request.user, pk)
        result = scenario_result(scenario, day=timezone.localdate())
        return Response({**_scenario(scenario, request), "figures": _result(result)})


# --- one enrollment's contribution -------------------------------------------------------------------


class ContributionQuery(serializers.Serializer):
    enrollment = serializers.IntegerField()
    month = serializers.CharField(required=False, allow_blank=True)

    def validate_month(self, value: str) -> dt.date:
        if not value:
            return timezone.localdate().replace(day=1)
        month = month_from(value)
        if month is None:
            raise serializers.ValidationError(_("Write the month as YYYY-MM, for example 2026-07."))
        return month


class ContributionView(APIView):
    """What one enrollment costs in a month (YYYY-MM, this month by default): employer and participant
    shares, who pays the employer share, each component's line, and the rounding rule."""

    @extend_schema(
        parameters=[OpenApiParameter("enrollment", int, required=True), OpenApiParameter("month", str)],
        responses={200: dict},
    )
    def get(self, request):
        query = ContributionQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        enrollment = get_object_or_404(enrollments_visible_to(request.user), pk=query.validated_data["enrollment"])
        month = query.validated_data.get("month") or timezone.localdate().replace(day=1)
        (cost,) = enrollment_costs(Enrollment.objects.filter(pk=enrollment.pk), day=month)
        book = RateBook()
        result = cost.cost(book, month)
        components = ProgramComponent.objects.in_bulk([line.component_id for line in result.lines])
        source = enrollment.funding_source
        return Response(
            {
                "enrollment": enrollment.pk,
                "program": enrollment.program_id,
                "month": f"{month:%Y-%m}",
                "wage": cost.wage,
                "employer": result.employer,
                "participant": result.participant,
                "total": result.total,
                "funding_source": {"code": source.code, "name": source.name, "level": source.level},
                "lines": [
                    {
                        "component": components[line.component_id].code,
                        "name": components[line.component_id].name,
                        "wage_basis": line.wage_basis,
                        "employer_rate": str(book.rate(line.component_id, month).employer_rate),
                        "participant_rate": str(book.rate(line.component_id, month).participant_rate),
                        "employer_exact": str(line.employer),
                        "participant_exact": str(line.participant),
                        "employer": whole_rupiah(line.employer),
                        "participant": whole_rupiah(line.participant),
                    }
                    for line in result.lines
                ],
                "rounding": str(ROUNDING_RULE),
            }
        )


urlpatterns = [
    path("budgets/", BudgetView.as_view(), name="api-budgets"),
    path("budgets/village/<str:code>/", VillageBudgetView.as_view(), name="api-village-budget"),
    path("payments/", PaymentsView.as_view(), name="api-payments"),
    path("scenarios/", ScenariosView.as_view(), name="api-scenarios"),
    path("scenarios/<int:pk>/", ScenarioView.as_view(), name="api-scenario"),
    path("contributions/", ContributionView.as_view(), name="api-contributions"),
]
