from django.contrib import admin

from core.admin import ScopedHistoryAdmin
from enrollment.models import Enrollment
from enrollment.selectors import enrollments_visible_to


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedHistoryAdmin):
    scope = staticmethod(enrollments_visible_to)
    list_display = ["person", "program", "status", "participant_number", "funding_source", "start_date", "end_date"]
    list_filter = ["program", "status", "funding_source"]
    search_fields = ["person__full_name", "participant_number"]
    list_select_related = ["person", "program", "funding_source"]
    autocomplete_fields = ["person"]
    filter_horizontal = ["components"]
