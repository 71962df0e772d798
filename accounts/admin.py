from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "get_full_name", "role", "regency", "village", "program", "is_active"]
    list_filter = ["role", "is_active", "is_superuser", "program"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["regency", "village", "province"]
    filter_horizontal = ["branch_regencies", "groups", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Scope"), {"fields": ["role", "regency", "village", "province", "program", "branch_regencies", "phone"]}),
    )
