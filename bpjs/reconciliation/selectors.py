"""Reads of reconciliation: who reconciles which regency and program, the reconciliations a user sees,
and the uploaded list still waiting for its columns (its uploader's only)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from bpjs.models import Reconciliation
from core.models import Program, Regency
from core.permissions import may_reconcile
from core.roles import Role
from previews.models import Preview
from previews.selectors import preview_for

UPLOAD = Preview.Kind.RECONCILIATION


def reconciliation_regencies(user: User) -> QuerySet[Regency]:
    qs = Regency.objects.all()
    if not may_reconcile(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.DPMD:
        return qs.filter(pk=user.regency_id)
    return qs.filter(pk__in=user.branch_regencies.values("pk"))


def reconciliation_programs(user: User) -> QuerySet[Program]:
    qs = Program.objects.all()
    if not may_reconcile(user):
        return qs.none()
    if user.is_superuser or user.role == Role.DPMD:
        return qs
    return qs.filter(pk=user.program_id)


def reconciliations_visible_to(user: User) -> QuerySet[Reconciliation]:
    return Reconciliation.objects.filter(
        regency__in=reconciliation_regencies(user), program__in=reconciliation_programs(user)
    ).select_related("program", "regency", "created_by")


def reconciliations_listed_for(user: User) -> QuerySet[Reconciliation]:
    """The reconciliations the user sees, less the lists others uploaded whose columns are not chosen yet:
    those are their uploader's alone (a link to one would be a 404)."""
    return reconciliations_visible_to(user).filter(Q(created_by=user) | Q(result__stage__in=("done", "expired")))


def upload_scope(reconciliation: Reconciliation) -> str:
    """The page a list's upload belongs to: its regency and program."""
    return f"reconciliation:{reconciliation.regency_id}:{reconciliation.program_id}"


def waiting_upload(user: User, reconciliation: Reconciliation) -> Preview | None:
    """The uploaded list (its file, header row and headers) waiting for its columns under the
    reconciliation's token; None once it expired or was compared. Another user's upload is a 404."""
    return preview_for(user, reconciliation.token, kind=UPLOAD, scope=upload_scope(reconciliation))
