from django.contrib import admin

from core.admin import ReadOnlyAdmin
from villages.models import FamilyMember, Person, Post


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Identity is changed on the roster pages (and, once enrolled, by a data-change request)."""

    list_display = ["full_name", "nik_masked", "sex", "birth_date"]
    search_fields = ["full_name"]
    fields = ["full_name", "nik_masked", "sex", "birth_date", "phone"]
    readonly_fields = fields


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["person", "position", "status", "village", "term_start", "ended_on"]
    list_filter = ["position", "status"]
    search_fields = ["person__full_name", "village__name", "village__code"]
    list_select_related = ["person", "village"]


@admin.register(FamilyMember)
class FamilyMemberAdmin(admin.ModelAdmin):
    """Family covered by the official's JKN; they appear on the BPJS collective-registration sheet."""

    list_display = ["full_name", "relation", "birth_date", "person"]
    search_fields = ["full_name", "person__full_name"]
    autocomplete_fields = ["person"]
