"""Roster API for a desa: read, add, correct and end officials, scoped exactly like the pages.

Input is validated by the same form as the pages (villages.forms), and written by the same services,
so the rules and the Indonesian messages are the same on both. Errors have the API's one format
(core.api_errors): a service's ValidationError is a 400 like the form's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_input import valid_form
from core.models import Village
from core.permissions import may_see_nik, village_for_user
from core.selectors import villages_editable_by
from villages.forms import OfficialEditForm, OfficialForm, PostEndForm
from villages.models import Post
from villages.selectors import post_for_user
from villages.services import official_create, official_update, post_end


class RosterPostSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField()
    nik = serializers.SerializerMethodField()
    full_name = serializers.CharField(source="person.full_name")
    sex = serializers.CharField(source="person.sex")
    birth_date = serializers.DateField(source="person.birth_date")
    phone = serializers.CharField(source="person.phone")
    village = serializers.CharField(source="village_id")
    # The versions to send back with a PATCH: a stale one is refused with a 409 (core.versioning).
    person_version = serializers.IntegerField(source="person.version", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "person_id",
            "nik",
            "full_name",
            "sex",
            "birth_date",
            "phone",
            "village",
            "position",
            "local_title",
            "status",
            "sk_number",
            "sk_date",
            "inauguration_date",
            "term_start",
            "term_end",
            "wage_basis",
            "ended_on",
            "end_reason",
            "version",
            "person_version",
        ]

    def get_nik(self, post: Post) -> str:
        return post.person.nik if may_see_nik(self.context["request"].user) else post.person.nik_masked


def _editable(request, village: Village) -> None:
    if not villages_editable_by(request.user).filter(pk=village.pk).exists():
        raise PermissionDenied


class VillageRosterView(APIView):
    """GET the current officials of a desa; POST one new official (form fields of the page)."""

    serializer_class = RosterPostSerializer

    def get(self, request, code):
        village = village_for_user(request.user, code)
        posts = Post.objects.current().filter(village=village).select_related("person").order_by("position", "pk")
        return Response(RosterPostSerializer(posts, many=True, context={"request": request}).data)

    def post(self, request, code):
        village = village_for_user(request.user, code, write=True)
        form = valid_form(OfficialForm, request.data)
        post = official_create(
            actor=request.user, village=village, nik=form.cleaned_data["nik"], **form.person_and_post_fields()
        )
        data = RosterPostSerializer(post, context={"request": request}).data
        return Response({**data, "warnings": form.warnings}, status=status.HTTP_201_CREATED)


class PostView(APIView):
    """GET one post; PATCH corrects it: send the fields to change with `version` and `person_version` as
    read (a 400 without them; a 409 when the post or the person changed since)."""

    serializer_class = RosterPostSerializer

    def get(self, request, pk):
        return Response(RosterPostSerializer(post_for_user(request.user, pk), context={"request": request}).data)

    def patch(self, request, pk):
        post = post_for_user(request.user, pk, write=True)
        # The fields not sent keep their values; the versions must be sent, as read with the post.
        form = valid_form(OfficialEditForm, request.data, defaults=OfficialForm.initial_for(post))
        post = official_update(
            actor=request.user,
            post=post,
            nik=form.cleaned_data["nik"],
            **form.versions(),
            **form.person_and_post_fields(),
        )
        return Response({**RosterPostSerializer(post, context={"request": request}).data, "warnings": form.warnings})


class PostEndView(APIView):
    """POST {ended_on, reason, version?}: ends the post; it stays on record. With `version`, a post changed
    since it was read is refused (409)."""

    serializer_class = RosterPostSerializer

    def post(self, request, pk):
        post = post_for_user(request.user, pk, write=True)
        form = valid_form(PostEndForm, request.data)
        post = post_end(
            actor=request.user,
            post=post,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
        return Response(RosterPostSerializer(post, context={"request": request}).data)


urlpatterns = [
    path("villages/<str:code>/officials/", VillageRosterView.as_view(), name="api-village-roster"),
    path("posts/<int:pk>/", PostView.as_view(), name="api-post"),
    path("posts/<int:pk>/end/", PostEndView.as_view(), name="api-post-end"),
]
