"""Where the money for contributions comes from, and how much of it there is (pagu)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class FundingSource(models.Model):
    class Level(models.TextChoices):
        VILLAGE = "village", _("village budget (APBDes)")
        REGENCY = "regency", _("regency budget (APBD)")
        PARTICIPANT = "participant", _("the official")

    code = models.SlugField(_("code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")

    def __str__(self) -> str:
        return self.name


class Allocation(models.Model):
    """A pagu: an amount set aside for one fiscal year, program and source, by a regency or a village."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    regency = models.ForeignKey(
        "villages.Regency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("regency"),
    )
    village = models.ForeignKey(
        "villages.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("village"),
    )
    program = models.ForeignKey(
        "enrollment.Program", models.PROTECT, related_name="allocations", verbose_name=_("program")
    )
    source = models.ForeignKey(FundingSource, models.PROTECT, related_name="allocations", verbose_name=_("source"))
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year", "program", "source"]
        verbose_name = _("allocation (pagu)")
        verbose_name_plural = _("allocations (pagu)")
        constraints = [
            models.CheckConstraint(
                condition=Q(regency__isnull=False, village__isnull=True)
                | Q(regency__isnull=True, village__isnull=False),
                name="allocation_belongs_to_regency_or_village",
                violation_error_message=_("An allocation belongs either to a regency or to a village."),
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "regency", "program", "source"],
                condition=Q(regency__isnull=False),
                name="one_regency_allocation_per_year_program_source",
                violation_error_message=_("This regency already has an allocation for that year, program and source."),
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "village", "program", "source"],
                condition=Q(village__isnull=False),
                name="one_village_allocation_per_year_program_source",
                violation_error_message=_("This village already has an allocation for that year, program and source."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.regency or self.village} {self.program} {self.source}"

    def clean(self) -> None:
        if self.source_id and self.source.level == FundingSource.Level.VILLAGE and self.regency_id:
            raise ValidationError({"source": _("A village source (such as ADD) is allocated by a village.")})
        if self.source_id and self.source.level == FundingSource.Level.REGENCY and self.village_id:
            raise ValidationError({"source": _("A regency source (such as DAU) is allocated by a regency.")})
