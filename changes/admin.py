from django.contrib import admin

from changes.models import DataChangeRequest
from core.admin import ReadOnlyAdmin


@admin.register(DataChangeRequest)
class DataChangeRequestAdmin(ReadOnlyAdmin):
    """Requests move only through their steps (changes.services): asked, checked, confirmed."""

    list_display = ["person", "village", "status", "requested_by", "requested_at", "checked_by"]
    list_filter = ["status"]
    search_fields = ["person__full_name", "village__name", "village__code"]
    list_select_related = ["person", "village", "requested_by", "checked_by"]
    fields = ["person", "village", "status", "reason", "requested_by", "requested_at", "checked_by", "checked_at"]
    readonly_fields = fields
