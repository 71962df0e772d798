"""The caller's own notifications through the API: the list (newest first, `?unread=1` for the unread
ones) and marking one or all read. Another user's notification is a 404, like one that does not exist."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Notification
from accounts.notifications import notifications_mark_read, unread_count


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "link", "created_at", "read_at"]


MARKED = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


class NotificationListView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="only the unread notifications")],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request):
        notifications = request.user.notifications.order_by("-created_at", "-pk")
        if request.query_params.get("unread") in {"1", "true"}:
            notifications = notifications.filter(read_at__isnull=True)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        response = paginator.get_paginated_response(NotificationSerializer(page, many=True).data)
        response.data["unread"] = unread_count(request.user)
        return response


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        notification = get_object_or_404(request.user.notifications, pk=pk)
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses=MARKED)
    def post(self, request):
        return Response({"marked": notifications_mark_read(user=request.user)})


urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/<int:pk>/read/", NotificationReadView.as_view(), name="api-notification-read"),
    path("notifications/read-all/", NotificationReadAllView.as_view(), name="api-notifications-read-all"),
]
