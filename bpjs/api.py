"""BPJS review and reconciliation API (under /api/v1/), scoped exactly like the pages: outside the caller's
scope is a 404, a role that may only look writing is a 403, bad input a 400 with the reason in Indonesian,
no credentials a 401.

    GET  review/queue/?regency=&village=&program=   requested enrollments grouped by desa
    POST review/approve/     {items: [{enrollment, participant_number, start_date?}]}
                             200, or 400 with each row's errors and nothing approved
    POST review/reject/      {enrollment, reason}
    POST reconciliations/    multipart {file, regency, program, mapping?}; mapping is a JSON object
                             {nik, participant_number, name, status, wage} → column header; without it the
                             branch's saved mapping (or the usual BPJS header names) is used
    GET  reconciliations/<token>/
"""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from bpjs import selectors, services
from bpjs.models import Reconciliation
from bpjs.reconciliation.selectors import (
    reconciliation_programs,
    reconciliation_regencies,
    reconciliations_visible_to,
)
from bpjs.reconciliation.services import reconciliation_create
from core.api_errors import error_response
from core.permissions import ensure_may_review, may_reconcile, may_view_queue
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to

# --- serializers -------------------------------------------------------------------------------------


def queue_row_json(row: selectors.QueueRow) -> dict:
    e = row.enrollment
    return {
        "id": e.pk,
        "person": {"id": e.person_id, "full_name": e.person.full_name, "nik": row.nik},
        "post": row.post.title,
        "position": row.post.position,
        "wage_basis": int(row.post.wage_basis),
        "program": e.program_id,
        "components": [c.code for c in e.components.all()],
        "funding_source": e.funding_source_id,
        "primary_clinic": e.primary_clinic,
        "requested_at": e.created_at,
        "version": e.version,
    }


class EnrollmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrollment
        fields = [
            "id",
            "person",
            "program",
            "status",
            "participant_number",
            "start_date",
            "rejection_reason",
            "version",
        ]


class ApproveItem(serializers.Serializer):
    enrollment = serializers.IntegerField()
    participant_number = serializers.CharField(allow_blank=True, trim_whitespace=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    # The version as read from the queue: a request changed since is refused with a 409.
    version = serializers.IntegerField(required=False, min_value=1)


class ApproveInput(serializers.Serializer):
    items = ApproveItem(many=True, allow_empty=False)


class RejectInput(serializers.Serializer):
    enrollment = serializers.IntegerField()
    version = serializers.IntegerField(required=False, min_value=1)
    reason = serializers.CharField(
        error_messages={
            "required": _("Write why the request is rejected: the village will read it."),
            "blank": _("Write why the request is rejected: the village will read it."),
        }
    )


class ReconciliationInput(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the reader says "empty" in its own words
        error_messages={"required": _("Choose the BPJS list to upload.")},
    )
    regency = serializers.CharField(error_messages={"required": _("Give the regency code, e.g. 17.06.")})
    program = serializers.CharField(
        error_messages={"required": _("Give the program: bpjs_kesehatan or bpjs_ketenagakerjaan.")}
    )
    mapping = serializers.JSONField(required=False)

    def validate_mapping(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise serializers.ValidationError(_("Give the mapping as a JSON object.")) from None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise serializers.ValidationError(_("Give the mapping as a JSON object."))
        return value


class ReconciliationSerializer(serializers.ModelSerializer):
    regency = serializers.CharField(source="regency_id")
    program = serializers.CharField(source="program_id")
    created_by = serializers.CharField(source="created_by.username")

    class Meta:
        model = Reconciliation
        fields = ["token", "regency", "program", "original_name", "created_by", "created_at", "result"]


def _item_errors(count: int, issues: list[services.RowIssue]) -> dict:
    """An approval's row issues in the shape of the input's own errors: {"items": [{field: [...]}, ...]}."""
    items: list[dict[str, list[str]]] = [{} for _ in range(count)]
    for issue in issues:
        items[issue.index].setdefault(issue.field, []).append(issue.message)
    return {"items": items}


# --- review ------------------------------------------------------------------------------------------


def _ensure_may_view_queue(request) -> None:
    if not may_view_queue(request.user):
        raise PermissionDenied(_("The review queue is for BPJS officers and DPMD staff."))


class QueueView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("regency", str, description="Kemendagri regency code, e.g. 17.06"),
            OpenApiParameter("village", str, description="Kemendagri village code, e.g. 17.06.01.2005"),
            OpenApiParameter("program", str, description="bpjs_kesehatan or bpjs_ketenagakerjaan"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        _ensure_may_view_queue(request)
        user = request.user
        filters = selectors.queue_filters(user, request.query_params)
        groups = selectors.group_by_village(user, selectors.review_queue(user, **filters))
        return Response(
            {
                "count": sum(len(g.rows) for g in groups),
                "villages": [
                    {
                        "code": g.village.code,
                        "name": g.village.name,
                        "subdistrict": {"code": g.village.subdistrict_id, "name": g.village.subdistrict.name},
                        "enrollments": [queue_row_json(row) for row in g.rows],
                    }
                    for g in groups
                ],
            }
        )


def _versions(data: ApproveInput) -> dict[int, int]:
    return {row["enrollment"]: row["version"] for row in data.validated_data["items"] if "version" in row}


class ApproveView(APIView):
    @extend_schema(request=ApproveInput, responses={200: dict, 400: dict})
    def post(self, request):
        _ensure_may_view_queue(request)
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        today = timezone.localdate()
        rows = [
            (row["enrollment"], row["participant_number"], row.get("start_date") or today)
            for row in data.validated_data["items"]
        ]
        items = services.approval_items(request.user, rows)
        ensure_may_review(request.user, (e for e, _, _ in items))  # Django's 403 is DRF's too
        try:
            result = services.enrollments_approve(actor=request.user, items=items, versions=_versions(data))
        except services.ApprovalError as exc:
            return error_response(
                exc.messages[0],
                _item_errors(len(items), exc.issues),
                rows=[issue.as_dict() for issue in exc.issues],
            )
        return Response(
            {
                "approved": EnrollmentSerializer(result.approved, many=True).data,
                "warnings": [issue.as_dict() for issue in result.warnings],
            }
        )


class RejectView(APIView):
    @extend_schema(request=RejectInput, responses={200: EnrollmentSerializer})
    def post(self, request):
        _ensure_may_view_queue(request)
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        enrollment = get_object_or_404(enrollments_visible_to(request.user), pk=data.validated_data["enrollment"])
        ensure_may_review(request.user, [enrollment])
        enrollment = services.enrollment_reject(
            actor=request.user,
            enrollment=enrollment,
            reason=data.validated_data["reason"],
            version=data.validated_data.get("version"),
        )
        return Response(EnrollmentSerializer(enrollment).data)


# --- reconciliation ----------------------------------------------------------------------------------


class ReconciliationCreateView(APIView):
    @extend_schema(request={"multipart/form-data": ReconciliationInput}, responses={201: ReconciliationSerializer})
    def post(self, request):
        if not may_reconcile(request.user):
            raise PermissionDenied(_("Only DPMD staff and BPJS officers reconcile with BPJS lists."))
        data = ReconciliationInput(data=request.data)
        data.is_valid(raise_exception=True)
        regency = get_object_or_404(reconciliation_regencies(request.user), pk=data.validated_data["regency"])
        program = get_object_or_404(reconciliation_programs(request.user), pk=data.validated_data["program"])
        reconciliation = reconciliation_create(
            actor=request.user,
            regency=regency,
            program=program,
            upload=data.validated_data["file"],
            mapping=data.validated_data.get("mapping"),
        )
        return Response(ReconciliationSerializer(reconciliation).data, status=status.HTTP_201_CREATED)


class ReconciliationDetailView(APIView):
    @extend_schema(responses={200: ReconciliationSerializer})
    def get(self, request, token):
        reconciliation = get_object_or_404(reconciliations_visible_to(request.user), token=token)
        return Response(ReconciliationSerializer(reconciliation).data)


urlpatterns = [
    path("review/queue/", QueueView.as_view(), name="api-review-queue"),
    path("review/approve/", ApproveView.as_view(), name="api-review-approve"),
    path("review/reject/", RejectView.as_view(), name="api-review-reject"),
    path("reconciliations/", ReconciliationCreateView.as_view(), name="api-reconciliations"),
    path("reconciliations/<slug:token>/", ReconciliationDetailView.as_view(), name="api-reconciliation-detail"),
]
