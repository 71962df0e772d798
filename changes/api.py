"""Data-change requests API (under /api/v1/), scoped exactly like the pages: outside the caller's scope
is a 404, a role that may only look acting is a 403, bad input a 400 with the reason in Indonesian.

    GET  data-changes/                list (filter: status)
    POST data-changes/                multipart {post, reason, nik?, full_name?, birth_date?, sex?, ktp?}
    GET  data-changes/<id>/           one request with its confirmations and history
    POST data-changes/<id>/check/     {decision: approve|reject, note?}   DPMD of the regency
    POST data-changes/<id>/confirm/   {decision: approve|reject, note?, program?}   BPJS of the program
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from changes import selectors, services
from changes.models import DataChangeRequest, ProgramConfirmation
from core import nik as nik_lib
from core.api_steps import StepView
from core.permissions import may_see_nik
from villages.models import Person
from villages.selectors import post_for_user


class ConfirmationSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program_id")
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = ProgramConfirmation
        fields = ["program", "status", "decided_by", "decided_at", "note"]


class DataChangeSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    village = serializers.CharField(source="village_id")
    status_label = serializers.CharField(source="get_status_display")
    changes = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username")
    checked_by = serializers.CharField(source="checked_by.username", default=None)
    confirmations = ConfirmationSerializer(many=True, read_only=True)
    ktp_url = serializers.SerializerMethodField()

    class Meta:
        model = DataChangeRequest
        fields = [
            "id",
            "person",
            "village",
            "status",
            "status_label",
            "changes",
            "reason",
            "requested_by",
            "requested_at",
            "checked_by",
            "checked_at",
            "check_note",
            "confirmations",
            "ktp_url",
        ]

    def get_changes(self, change: DataChangeRequest) -> dict[str, dict[str, str]]:
        """{field: {"old": ..., "new": ...}} of the fields asked to change (NIKs masked for observers)."""
        show = may_see_nik(self.context["request"].user)
        result = {}
        for name in change.fields:
            old, new = change.old_value(name), change.new_value(name)
            if name == "nik" and not show:
                old, new = nik_lib.mask_nik(old), nik_lib.mask_nik(new)
            result[name] = {"old": str(old), "new": str(new)}
        return result

    def get_ktp_url(self, change: DataChangeRequest) -> str | None:
        if not change.ktp_file:
            return None
        return self.context["request"].build_absolute_uri(reverse("data-change-ktp", args=[change.pk]))


class CreateInput(serializers.Serializer):
    post = serializers.IntegerField(error_messages={"required": _("Give the id of the official's post.")})
    reason = serializers.CharField(
        error_messages={
            "required": _("Write the reason for the change, e.g. a typo on the KTP or a new KTP."),
            "blank": _("Write the reason for the change, e.g. a typo on the KTP or a new KTP."),
        }
    )
    nik = serializers.CharField(required=False, allow_blank=True, default="")
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default=None)
    birth_date = serializers.DateField(required=False, default=None)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False, allow_blank=True, default="")
    ktp = serializers.FileField(required=False, allow_empty_file=True, default=None)


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=["approve", "reject"], error_messages={"required": _("Choose approve or reject.")}
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    program = serializers.CharField(required=False, allow_blank=True, default="")


class DataChangeListView(generics.ListAPIView):
    serializer_class = DataChangeSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.data_changes_visible_to(self.request.user).prefetch_related("confirmations")

    @extend_schema(request={"multipart/form-data": CreateInput}, responses={201: DataChangeSerializer})
    def post(self, request):
        data = CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        post = post_for_user(request.user, values.pop("post"), write=True, current=True)
        change = services.data_change_request(actor=request.user, post=post, **values)
        body = DataChangeSerializer(change, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class DataChangeDetailView(generics.RetrieveAPIView):
    serializer_class = DataChangeSerializer

    def get_queryset(self):
        return selectors.data_changes_visible_to(self.request.user).prefetch_related("confirmations")


@extend_schema_view(post=extend_schema(request=DecisionInput, responses={200: DataChangeSerializer}))
class DataChangeStepView(StepView):
    """DPMD's check or BPJS's confirmation; the URL names the step."""

    serializer_class = DataChangeSerializer
    inputs = {"check": DecisionInput, "confirm": DecisionInput}

    def get_object(self, request, pk):
        return selectors.data_change_for_user(request.user, pk)

    def perform(self, request, change, *, decision, note, program):
        approve = decision == "approve"
        if self.step == "check":
            change = services.data_change_check(actor=request.user, request=change, approve=approve, note=note)
        else:
            change = services.data_change_confirm(
                actor=request.user, request=change, confirm=approve, note=note, program_id=program or None
            )
        return DataChangeSerializer(change, context={"request": request}).data


urlpatterns = [
    path("data-changes/", DataChangeListView.as_view(), name="api-data-changes"),
    path("data-changes/<int:pk>/", DataChangeDetailView.as_view(), name="api-data-change-detail"),
    *(
        path(f"data-changes/<int:pk>/{step}/", DataChangeStepView.as_view(step=step), name=f"api-data-change-{step}")
        for step in ("check", "confirm")
    ),
]
