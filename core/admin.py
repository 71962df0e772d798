"""Admin of reference data, and the scoped admin base classes every app's admin uses."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from core.models import DocumentType, FundingSource, Program, ProgramComponent, Province, Regency, Subdistrict, Village
from core.selectors import villages_visible_to


class ScopedAdmin(admin.ModelAdmin):
    """Admin lists start from the same scoping selector as the pages, so a staff user who is not a
    superuser sees only their own area here too."""

    scope = None  # a `*_visible_to(user)` selector

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or self.scope is None:
            return qs
        return qs.filter(pk__in=self.scope(request.user).values("pk"))

    def _in_scope_or_404(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404


class ScopedHistoryAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """A scoped admin whose history pages (which simple-history serves outside get_queryset) are
    scoped too: another area's history, and reverting to one of its versions, is a 404."""

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regency"]
    search_fields = ["code", "name"]
    list_select_related = ["regency"]


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    scope = staticmethod(villages_visible_to)
    list_display = ["code", "name", "kind", "subdistrict", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["subdistrict"]
    readonly_fields = ["code"]


class ProgramComponentInline(admin.TabularInline):
    model = ProgramComponent
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "participant_number_length"]
    inlines = [ProgramComponentInline]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    """Which papers each program needs; uploaded documents themselves stay out of the admin."""

    list_display = ["code", "name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    filter_horizontal = ["programs"]


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level"]
