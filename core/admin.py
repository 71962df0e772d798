"""Admin of reference data, and the read-only base of the admin of rows the app's services own."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import (
    AccountCode,
    DocumentType,
    FundingSource,
    PaymentRule,
    Program,
    ProgramComponent,
    Province,
    Regency,
    RegistrationRule,
    Subdistrict,
    Village,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Rows whose every change goes through the app's services, with their checks, history and
    notifications (officials, posts, enrollments, accounts): the admin shows them and their history and
    changes nothing. The admin itself opens for superusers only (desa_jaminan.admin)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "subdistrict", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["subdistrict"]
    readonly_fields = ["code"]


class ProgramComponentInline(admin.TabularInline):
    model = ProgramComponent
    extra = 0


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "participant_number_length", "sends_reminders"]
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


@admin.register(PaymentRule, RegistrationRule)
class DatedRuleAdmin(SimpleHistoryAdmin):
    """Rules as dated rows (core.rules): a change of rule is a new row from its date, so the days before
    it keep the old rule; editing a row rewrites the past and is kept in its history."""

    list_display = ["__str__", "effective_from", "source"]
    date_hierarchy = "effective_from"


@admin.register(AccountCode)
class AccountCodeAdmin(SimpleHistoryAdmin):
    """APBDes account codes: a new code from a date is a new row, which leaves earlier years' budgets alone."""

    list_display = ["code", "name", "program", "for_kepala_desa", "effective_from"]
    list_filter = ["program", "effective_from"]
