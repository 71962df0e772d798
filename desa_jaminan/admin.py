"""The Django admin is for superusers only: every other role works in the app's own pages, where the
same services and checks apply. Staff status alone opens nothing here."""

from django.contrib import admin


class SuperuserAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)
