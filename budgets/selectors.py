"""Reads of budgets, scoped like everything else."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from enrollment.selectors import programs_visible_to
from villages.selectors import regencies_visible_to, villages_visible_to

from .models import Allocation


def allocations_visible_to(user: User) -> QuerySet[Allocation]:
    """Allocations of the regencies and villages in the user's scope, for the programs they can see."""
    qs = Allocation.objects.select_related("regency", "village", "program", "source")
    if user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(
        Q(regency__in=regencies_visible_to(user)) | Q(village__in=villages_visible_to(user)),
        program__in=programs_visible_to(user),
    )
