from django.contrib import admin

from accounts.admin import ScopedHistoryAdmin

from core.models import DocumentType, Program, ProgramComponent
from .models import Enrollment
from .selectors import enrollments_visible_to


class ProgramComponentInline(admin.TabularInline):
    model = ProgramComponent
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "participant_number_length"]
    inlines = [ProgramComponentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedHistoryAdmin):
    scope = staticmethod(enrollments_visible_to)
    list_display = ["person", "program", "status", "participant_number", "funding_source", "start_date", "end_date"]
    list_filter = ["program", "status", "funding_source"]
    search_fields = ["person__full_name", "participant_number"]
    list_select_related = ["person", "program", "funding_source"]
    autocomplete_fields = ["person"]
    filter_horizontal = ["components"]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    """Which papers each program needs; uploaded documents themselves stay out of the admin."""

    list_display = ["code", "name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    filter_horizontal = ["programs"]
