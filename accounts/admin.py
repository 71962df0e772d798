from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import User


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


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "get_full_name", "role", "regency", "village", "program", "is_active"]
    list_filter = ["role", "is_active", "is_superuser", "program"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["regency", "village", "province"]
    filter_horizontal = ["branch_regencies", "groups", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Scope"), {"fields": ["role", "regency", "village", "province", "program", "branch_regencies", "phone"]}),
    )
