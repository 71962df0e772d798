"""Submissions and documents API (under /api/v1/), scoped exactly like the pages: outside the caller's
scope is a 404, a read-only role writing is a 403, bad input is a 400 with the reason in Indonesian.

    GET  submissions/                      list (filters: village, program, status)
    POST submissions/                      start a draft {village, program, note?}
    GET  submissions/<id>/                 one submission with its timeline and missing documents
    POST submissions/<id>/submit/          {note?}            the village
    POST submissions/<id>/verify/          {note?}            DPMD
    POST submissions/<id>/return/          {note}             DPMD, the note is required
    POST submissions/<id>/forward/         {funding_source?, components?, note?}   DPMD
    GET  officials/<id>/documents/         the official's documents and what is missing
    POST officials/<id>/documents/         multipart {document_type, file}
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_steps import StepView
from core.masks import participant_number_for
from core.models import DocumentType, FundingSource
from core.permissions import village_for_user
from core.selectors import programs_visible_to
from submissions import documents as document_services
from submissions import services
from submissions.models import Document, Submission, SubmissionEvent
from submissions.selectors import missing_documents
from villages.selectors import posts_visible_to

# --- serializers -------------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")
    # Plain strings: the status values are documented once, on the submission.
    from_status = serializers.CharField()
    to_status = serializers.CharField()

    class Meta:
        model = SubmissionEvent
        fields = ["from_status", "to_status", "actor", "note", "at"]


class SubmissionSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id")
    village_name = serializers.CharField(source="village.name")
    program = serializers.CharField(source="program_id")
    status_label = serializers.CharField(source="get_status_display")
    created_by = serializers.CharField(source="created_by.username")

    class Meta:
        model = Submission
        fields = [
            "id",
            "village",
            "village_name",
            "program",
            "status",
            "status_label",
            "note",
            "created_by",
            "created_at",
            "submitted_at",
            "updated_at",
        ]


class SubmissionDetailSerializer(SubmissionSerializer):
    events = EventSerializer(many=True, read_only=True)
    officials = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "events", "officials", "steps"]

    def get_officials(self, submission: Submission) -> list[dict]:
        posts = list(services.officials_in_submission(submission))
        user = self.context["request"].user
        missing = missing_documents([p.person_id for p in posts], [submission.program])
        return [
            {
                "id": post.person_id,
                "full_name": post.person.full_name,
                "post": post.title,
                "enrollment_status": post.enrollment_status,
                "participant_number": participant_number_for(user, submission.program_id, post.participant_number),
                "missing_documents": [t.code for t in missing[post.person_id]],
            }
            for post in posts
        ]

    def get_steps(self, submission: Submission) -> list[str]:
        return services.allowed_steps(self.context["request"].user, submission)


class StartInput(serializers.Serializer):
    village = serializers.CharField(error_messages={"required": _("Give the village code, e.g. 17.06.01.2005.")})
    program = serializers.CharField(
        error_messages={"required": _("Give the program: bpjs_kesehatan or bpjs_ketenagakerjaan.")}
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnInput(serializers.Serializer):
    note = serializers.CharField(
        error_messages={
            "required": _("Write what the village must fix before returning the submission."),
            "blank": _("Write what the village must fix before returning the submission."),
        }
    )


class ForwardInput(NoteInput):
    funding_source = serializers.SlugRelatedField(
        slug_field="code",
        queryset=FundingSource.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("Unknown funding source {value}.")},
    )
    components = serializers.ListField(child=serializers.CharField(), required=False)


class DocumentSerializer(serializers.ModelSerializer):
    document_type_name = serializers.CharField(source="document_type.name")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "document_type",
            "document_type_name",
            "village",
            "content_type",
            "size",
            "original_name",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, document: Document) -> str:
        return self.context["request"].build_absolute_uri(reverse("document-download", args=[document.pk]))


class UploadInput(serializers.Serializer):
    document_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DocumentType.objects.filter(is_active=True),
        error_messages={
            "required": _("Give the document type, e.g. ktp."),
            "does_not_exist": _("Unknown document type {value}."),
        },
    )
    file = serializers.FileField(
        allow_empty_file=True,  # the service says "empty" in its own words
        error_messages={
            "required": _("Choose a file to upload."),
            "invalid": _("Send the file as multipart form data."),
        },
    )


# --- views -------------------------------------------------------------------------------------------


class SubmissionListView(generics.ListAPIView):
    serializer_class = SubmissionSerializer
    filterset_fields = ["village", "program", "status"]

    def get_queryset(self):
        return services.submissions_visible_to(self.request.user).order_by("-updated_at", "-pk")

    @extend_schema(request=StartInput, responses={201: SubmissionSerializer})
    def post(self, request):
        data = StartInput(data=request.data)
        data.is_valid(raise_exception=True)
        village = village_for_user(request.user, data.validated_data["village"])
        program = programs_visible_to(request.user).filter(pk=data.validated_data["program"]).first()
        if program is None:
            raise serializers.ValidationError({"program": [_("Unknown program.")]})
        submission = services.submission_start(
            actor=request.user, village=village, program=program, note=data.validated_data["note"]
        )
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class SubmissionDetailView(generics.RetrieveAPIView):
    serializer_class = SubmissionDetailSerializer

    def get_queryset(self):
        return services.submissions_visible_to(self.request.user).prefetch_related("events__actor")


@extend_schema_view(post=extend_schema(request=NoteInput, responses={200: SubmissionSerializer}))
class SubmissionStepView(StepView):
    """One step of a submission; the URL names the step."""

    inputs = {"submit": NoteInput, "verify": NoteInput, "return": ReturnInput, "forward": ForwardInput}
    actions = {
        "submit": services.submission_submit,
        "verify": services.submission_verify,
        "return": services.submission_return,
        "forward": services.submission_forward,
    }

    def get_object(self, request, pk):
        return services.submission_for_user(request.user, pk, step=self.step)

    def perform(self, request, submission, **values):
        result = self.actions[self.step](actor=request.user, submission=submission, **values)
        if isinstance(result, services.ForwardResult):
            body = SubmissionSerializer(result.submission).data
            return {**body, "created": result.created, "skipped": result.skipped}
        return SubmissionSerializer(result).data


class OfficialDocumentsView(APIView):
    @extend_schema(responses={200: DocumentSerializer(many=True)})
    def get(self, request, pk):
        person = document_services.official_for_user(request.user, pk)
        documents = document_services.documents_visible_to(request.user).filter(person=person)
        missing = missing_documents([person.pk], list(programs_visible_to(request.user)))[person.pk]
        return Response(
            {
                "official": person.pk,
                "documents": DocumentSerializer(documents, many=True, context={"request": request}).data,
                "missing": [t.code for t in missing],
                "villages": list(
                    posts_visible_to(request.user)
                    .current()
                    .filter(person=person)
                    .values_list("village_id", flat=True)
                    .distinct()
                ),
            }
        )

    @extend_schema(request={"multipart/form-data": UploadInput}, responses={201: DocumentSerializer})
    def post(self, request, pk):
        person = document_services.official_for_user(request.user, pk, write=True)
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_services.document_upload(
            actor=request.user,
            person=person,
            document_type=data.validated_data["document_type"],
            uploaded_file=data.validated_data["file"],
        )
        return Response(DocumentSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("submissions/", SubmissionListView.as_view(), name="api-submissions"),
    path("submissions/<int:pk>/", SubmissionDetailView.as_view(), name="api-submission-detail"),
    *(
        path(f"submissions/<int:pk>/{step}/", SubmissionStepView.as_view(step=step), name=f"api-submission-{step}")
        for step in ("submit", "verify", "return", "forward")
    ),
    path("officials/<int:pk>/documents/", OfficialDocumentsView.as_view(), name="api-official-documents"),
]
