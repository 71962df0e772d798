"""What BPJS branch officers keep: reconciliations with BPJS's own files and their column mappings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Program
from core.uploads import reconciliation_path


class ReconciliationMapping(models.Model):
    """Which column of a BPJS export holds what, remembered per program and regency (per branch)."""

    program = models.ForeignKey(Program, models.CASCADE, related_name="+")
    regency = models.ForeignKey("core.Regency", models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "enrollment_reconciliationmapping"  # kept from before the model moved here
        constraints = [models.UniqueConstraint(fields=["program", "regency"], name="one_mapping_per_branch")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.regency_id}"


class Reconciliation(models.Model):
    """A BPJS participant or billing list compared with our enrollments, village by village."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    program = models.ForeignKey(Program, models.PROTECT, related_name="reconciliations")
    regency = models.ForeignKey("core.Regency", models.PROTECT, related_name="reconciliations")
    file = models.FileField(upload_to=reconciliation_path, blank=True)
    original_name = models.CharField(max_length=255)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "enrollment_reconciliation"  # kept from before the model moved here
        ordering = ["-created_at"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")

    def __str__(self) -> str:
        return f"{self.regency} {self.program.short_name} {self.created_at:%Y-%m-%d}"
