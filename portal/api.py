"""Coverage API: the contract that later work and integrations read."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets.contributions import monthly_cost
from core.models import Village
from core.permissions import regency_for_user
from core.selectors import programs_visible_to
from enrollment.params import as_of_from
from enrollment.selectors import regency_coverage


class CoverageQuery(serializers.Serializer):
    regency = serializers.CharField(error_messages={"required": _("Give the regency code, e.g. ?regency=17.06.")})
    as_of = serializers.CharField(required=False, allow_blank=True)

    def validate_as_of(self, value):
        try:
            return as_of_from(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from None


class CoverageView(APIView):
    """Coverage of one regency per program, in total and per kecamatan, on a day (today by default)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("regency", str, required=True, description="Kemendagri regency code, e.g. 17.06"),
            OpenApiParameter("as_of", str, description="YYYY-MM-DD; today when absent"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        query = CoverageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        regency = regency_for_user(request.user, query.validated_data["regency"])
        day = query.validated_data.get("as_of") or as_of_from(None)
        programs = list(programs_visible_to(request.user))
        figures = regency_coverage(regency=regency, programs=programs, day=day)
        costs = monthly_cost(villages=Village.objects.filter(subdistrict__regency=regency), programs=programs, day=day)
        return Response(
            {
                "regency": {"code": regency.code, "name": regency.name},
                "as_of": day.isoformat(),
                "programs": {
                    p.code: {
                        **figures.totals[p.code].as_dict(),
                        "monthly_cost": {
                            "month": day.strftime("%Y-%m"),
                            "employer": costs[p.code].employer,
                            "participant": costs[p.code].participant,
                        },
                        "funding": [
                            {
                                "source": s.source.code,
                                "name": s.source.name,
                                "officials": s.officials,
                                "villages": s.villages,
                                "monthly_employer": costs[p.code].employer_by_source.get(s.source.code, 0),
                            }
                            for s in figures.sources[p.code]
                        ],
                        "subdistricts": [
                            {"code": s.code, "name": s.name, **figures.per_subdistrict[s.code][p.code].as_dict()}
                            for s in figures.subdistricts
                            if s.code in figures.per_subdistrict
                        ],
                    }
                    for p in programs
                },
            }
        )
