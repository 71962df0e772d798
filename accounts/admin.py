from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin, BaseUserAdmin):
    """Accounts are created and looked after on the /akun/ pages, with their checks and their audit."""

    list_display = ["username", "get_full_name", "role", "regency", "village", "program", "is_active"]
    list_filter = ["role", "is_active", "is_superuser", "program"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["regency", "village", "province"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Scope"), {"fields": ["role", "regency", "village", "province", "program", "branch_regencies", "phone"]}),
    )
