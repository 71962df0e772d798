from django.contrib import admin

from core.admin import ReadOnlyAdmin
from enrollment.models import Enrollment


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    """Enrollments change through submissions, the BPJS review and reconciliation, never here."""

    list_display = ["person", "program", "status", "participant_number", "funding_source", "start_date", "end_date"]
    list_filter = ["program", "status", "funding_source"]
    search_fields = ["person__full_name", "participant_number"]
    list_select_related = ["person", "program", "funding_source"]
