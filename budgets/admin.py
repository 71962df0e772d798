from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budgets.models import Allocation, ContributionRate, Payment, RegencyMinimumWage, VillageFund
from core.permissions import may_change_reference_data


@admin.register(Allocation)
class AllocationAdmin(SimpleHistoryAdmin):
    list_display = ["fiscal_year", "regency", "village", "program", "source", "amount"]
    list_filter = ["fiscal_year", "program", "source"]
    autocomplete_fields = ["regency", "village"]


@admin.register(ContributionRate)
class ContributionRateAdmin(SimpleHistoryAdmin):
    """Rates are dated data: a change of regulation is a new row from its date, never an edit of the
    old one, so earlier months keep their cost."""

    list_display = [
        "component",
        "effective_from",
        "employer_rate",
        "participant_rate",
        "wage_floor",
        "floor_is_regency_minimum_wage",
        "wage_ceiling",
        "source",
    ]
    list_filter = ["component__program", "component"]
    list_select_related = ["component__program"]

    def has_change_permission(self, request, obj=None):
        return may_change_reference_data(request.user)

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(RegencyMinimumWage)
class RegencyMinimumWageAdmin(admin.ModelAdmin):
    list_display = ["regency", "year", "amount"]
    autocomplete_fields = ["regency"]


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ["fiscal_year", "month", "regency", "village", "program", "source", "amount", "paid_on"]
    list_filter = ["fiscal_year", "program", "source"]
    autocomplete_fields = ["regency", "village"]


@admin.register(VillageFund)
class VillageFundAdmin(admin.ModelAdmin):
    list_display = ["village", "fiscal_year", "add_amount"]
    autocomplete_fields = ["village"]
