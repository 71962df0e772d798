from django.contrib import admin

from accounts.admin import ScopedHistoryAdmin

from .models import Allocation, FundingSource
from .selectors import allocations_visible_to


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level"]


@admin.register(Allocation)
class AllocationAdmin(ScopedHistoryAdmin):
    scope = staticmethod(allocations_visible_to)
    list_display = ["fiscal_year", "regency", "village", "program", "source", "amount"]
    list_filter = ["fiscal_year", "program", "source"]
    autocomplete_fields = ["regency", "village"]
