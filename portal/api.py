"""Coverage and search API: the contract that later work and integrations read."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets.contributions import monthly_cost
from core.data_versions import cached_for_regency
from core.models import Village
from core.permissions import regency_for_user
from core.replica import replica_reads
from core.selectors import programs_visible_to
from enrollment.figures import regency_figures
from enrollment.params import as_of_from
from portal.selectors import SEARCH_LIMIT, search_officials


class CoverageQuery(serializers.Serializer):
    regency = serializers.CharField(error_messages={"required": _("Give the regency code, e.g. ?regency=17.06.")})
    as_of = serializers.CharField(required=False, allow_blank=True)

    def validate_as_of(self, value):
        try:
            return as_of_from(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from None


@method_decorator(replica_reads, name="dispatch")
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
        figures = regency_figures(regency=regency, programs=programs, day=day)
        costs = cached_for_regency(
            regency.code,
            f"monthly-cost:1:{day.isoformat()}:{','.join(p.code for p in programs)}",
            lambda: monthly_cost(
                villages=Village.objects.filter(subdistrict__regency=regency), programs=programs, day=day
            ),
        )
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


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        trim_whitespace=True,
        error_messages={"required": _("Give a name or a whole NIK, e.g. ?q=siti.")},
    )


class SearchPostSerializer(serializers.Serializer):
    title = serializers.CharField()
    village = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    subdistrict_name = serializers.CharField(source="village.subdistrict.name")


class SearchStatusSerializer(serializers.Serializer):
    program = serializers.CharField()
    status = serializers.CharField(
        allow_null=True, help_text="requested, active, inactive, rejected, ended; null: none"
    )
    kind = serializers.CharField(help_text="not_registered, submitted, active, rejected, inactive, ended")
    since = serializers.DateField(allow_null=True, help_text="submitted, active, inactive, ended: from when")
    waiting_at = serializers.CharField(allow_blank=True, help_text="submitted: dpmd or bpjs")


class SearchOfficialSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="person.pk")
    full_name = serializers.CharField(source="person.full_name")
    nik = serializers.CharField(help_text="Whole for the roles that register people, masked for observers")
    posts = SearchPostSerializer(many=True)
    programs = serializers.SerializerMethodField()

    @extend_schema_field(SearchStatusSerializer(many=True))
    def get_programs(self, row) -> list[dict]:
        return [
            {
                "program": p.code,
                "status": s.enrollment_status,
                "kind": s.kind,
                "since": s.since.isoformat() if s.since else None,
                "waiting_at": s.where,
            }
            for p, s in row.statuses
        ]


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    more = serializers.BooleanField(help_text=f"More than {SEARCH_LIMIT} matched; only the first are given")
    results = SearchOfficialSerializer(many=True)


class SearchView(APIView):
    """Officials in the caller's scope by a whole NIK (16 digits; spaces and dots allowed) or by name (every
    word must occur; case and accents ignored). At most 50, sorted by name."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="A name (at least 3 characters) or NIK")],
        responses={200: SearchResponseSerializer},
    )
    def get(self, request):
        query = SearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = search_officials(request.user, query.validated_data["q"])
        if result.error:
            raise serializers.ValidationError({"q": [result.error]})
        return Response(
            SearchResponseSerializer({"query": result.query, "more": result.more, "results": result.rows}).data
        )
