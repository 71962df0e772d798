"""Officials-file API, scoped exactly like the pages (villages/views_import.py): upload a file for a desa
(or, for DPMD, a regency), read its status and preview, confirm or discard it.

Outside the caller's scope is a 404, a read-only role writing is a 403; an import is found by its token
only by users who may edit its desa or regency."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import Conflict, Unavailable
from core.permissions import regency_for_user, village_for_user
from core.queue import QueueUnavailable
from villages.models import RosterImport
from villages.roster_import import services
from villages.roster_import.selectors import roster_import_as_shown, roster_import_for_user


class RosterImportSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id", allow_null=True)
    regency = serializers.CharField(source="regency_id")
    preview = serializers.SerializerMethodField()
    can_retry = serializers.SerializerMethodField()

    class Meta:
        model = RosterImport
        fields = [
            "token",
            "status",
            "progress",
            "message",
            "village",
            "regency",
            "original_name",
            "sheet",
            "rows_total",
            "created_at",
            "applied_at",
            "preview",
            "can_retry",
        ]

    def get_can_retry(self, roster_import: RosterImport) -> bool:
        """Failed, with its file or rows still kept: POST /imports/<token>/retry/ runs the step again."""
        return services.roster_import_retryable(roster_import)

    def get_preview(self, roster_import: RosterImport) -> dict | None:
        """Counts, rows and errors once the file is checked (NIKs masked); None while it is checked."""
        result = roster_import.result or {}
        if "counts" not in result and "file_errors" not in result:
            return None
        return {k: v for k, v in result.items() if k not in ("language", "digest")}


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    # The worksheet holding the officials, when the workbook's sheets leave it unclear (a 400 says so).
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=64)


def _upload(request, **target) -> Response:
    upload = UploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    try:
        roster_import = services.roster_import_upload(
            actor=request.user,
            upload=upload.validated_data["file"],
            sheet=upload.validated_data.get("sheet") or None,
            **target,
        )
    except ValidationError as exc:
        raise serializers.ValidationError({"file": exc.messages}) from None
    except QueueUnavailable as exc:  # nothing was kept
        raise Unavailable(str(exc)) from None
    return Response(RosterImportSerializer(roster_import).data, status=status.HTTP_201_CREATED)


class VillageImportView(APIView):
    """POST multipart `file` (and `sheet`, the worksheet to read, when asked): the officials file of a
    desa. Headers that do not match the template are a 400 saying which columns are missing; the columns
    mapped on the upload page for the regency are used here too. 201 with the import (its preview when the
    file is small; poll GET /imports/<token>/ while `status` is uploaded or validating); 503 when the task
    queue does not answer (nothing is kept: send it again later)."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = UploadSerializer

    def post(self, request, code):
        return _upload(request, village=village_for_user(request.user, code, write=True))


class RegencyImportView(APIView):
    """POST multipart `file`: a DPMD file for the whole regency, with the column Kode Desa."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = UploadSerializer

    def post(self, request, code):
        return _upload(request, regency=regency_for_user(request.user, code, write=True))


class ImportView(APIView):
    """GET an import: status, progress and preview."""

    serializer_class = RosterImportSerializer

    def get(self, request, token):
        roster_import = roster_import_as_shown(roster_import_for_user(request.user, token))
        return Response(RosterImportSerializer(roster_import).data)


def _run_step(request, token, service) -> Response:
    roster_import = roster_import_for_user(request.user, token, write=True)
    try:
        roster_import = service(actor=request.user, roster_import=roster_import)
    except ValidationError as exc:
        raise Conflict(" ".join(exc.messages)) from None
    except QueueUnavailable as exc:  # the import is as it was before the request
        raise Unavailable(str(exc)) from None
    running = roster_import.status in (RosterImport.Status.UPLOADED, RosterImport.Status.APPLYING)
    code = status.HTTP_202_ACCEPTED if running else status.HTTP_200_OK
    return Response(RosterImportSerializer(roster_import).data, status=code)


class EndChoiceSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    ended_on = serializers.CharField()
    end_reason = serializers.CharField(allow_blank=True)


class ConfirmSerializer(serializers.Serializer):
    end = EndChoiceSerializer(many=True, required=False, default=list)


class ImportConfirmView(APIView):
    """POST: apply a checked import, optionally ending the posts of officials the preview lists as not in
    the file: {"end": [{"post": <id from preview.absent>, "ended_on": "2025-12-31", "end_reason": "pensiun"}]}
    (a post not chosen is left as it is). 200 once applied; 202 while a large file is being saved (poll
    GET /imports/<token>/); 400 for a bad end choice (nothing is saved); 409 when it cannot be confirmed
    (errors, already confirmed, roster locked); 503 when the task queue does not answer (the import is
    still waiting for its confirmation)."""

    serializer_class = ConfirmSerializer

    def post(self, request, token):
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ends = [dict(choice) for choice in body.validated_data["end"]]

        def confirm(*, actor, roster_import):
            try:
                return services.roster_import_confirm(actor=actor, roster_import=roster_import, ends=ends)
            except services.EndChoiceError as exc:
                raise serializers.ValidationError({"end": exc.messages}) from None

        return _run_step(request, token, confirm)


class ImportRetryView(APIView):
    """POST: run a failed import's step again from the file or rows it still keeps. 202 while it runs
    (poll GET /imports/<token>/); 409 when nothing is kept (upload the file again); 503 when the task
    queue does not answer (the import stays failed)."""

    serializer_class = RosterImportSerializer

    def post(self, request, token):
        return _run_step(request, token, services.roster_import_retry)


class ImportDiscardView(APIView):
    """POST: drop an import that has not been applied; its file is deleted."""

    serializer_class = RosterImportSerializer

    def post(self, request, token):
        roster_import = roster_import_for_user(request.user, token, write=True)
        try:
            roster_import = services.roster_import_discard(actor=request.user, roster_import=roster_import)
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from None
        return Response(RosterImportSerializer(roster_import).data)


urlpatterns = [
    path("villages/<str:code>/imports/", VillageImportView.as_view(), name="api-village-imports"),
    path("regencies/<str:code>/imports/", RegencyImportView.as_view(), name="api-regency-imports"),
    path("imports/<str:token>/", ImportView.as_view(), name="api-import"),
    path("imports/<str:token>/confirm/", ImportConfirmView.as_view(), name="api-import-confirm"),
    path("imports/<str:token>/discard/", ImportDiscardView.as_view(), name="api-import-discard"),
    path("imports/<str:token>/retry/", ImportRetryView.as_view(), name="api-import-retry"),
]
