from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessRecord, User
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


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """The access log, as the app wrote it: read only, for superusers (the admin opens for them only)."""

    list_display = ["at", "user", "kind", "target", "niks", "niks_masked", "regency", "ip_address"]
    list_filter = ["kind", "regency"]
    search_fields = ["user__username", "target"]
    date_hierarchy = "at"
    list_select_related = ["user", "regency"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
