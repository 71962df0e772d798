"""Where the money for contributions comes from, and how much of it there is (pagu)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import FundingSource
from core.text import clean_names


class Allocation(models.Model):
    """A pagu: an amount set aside for one fiscal year, program and source, by a regency or a village."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    regency = models.ForeignKey(
        "core.Regency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("regency"),
    )
    village = models.ForeignKey(
        "core.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("village"),
    )
    program = models.ForeignKey("core.Program", models.PROTECT, related_name="allocations", verbose_name=_("program"))
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


class ContributionRate(models.Model):
    """The rate of one program component from a date on: rules change, so rates are dated data.

    Rates are fractions of the wage basis (0.04 = 4%). The basis is the official's wage, raised to the
    floor (a fixed amount, or the regency's minimum wage when `floor_is_regency_minimum_wage`) and cut
    at the ceiling, each where set."""

    component = models.ForeignKey(
        "core.ProgramComponent", models.PROTECT, related_name="rates", verbose_name=_("component")
    )
    effective_from = models.DateField(_("effective from"))
    employer_rate = models.DecimalField(_("employer rate"), max_digits=7, decimal_places=6)
    participant_rate = models.DecimalField(_("participant rate"), max_digits=7, decimal_places=6, default=0)
    wage_floor = models.PositiveBigIntegerField(_("wage floor (Rp)"), null=True, blank=True)
    floor_is_regency_minimum_wage = models.BooleanField(_("floor is the regency's minimum wage (UMK)"), default=False)
    wage_ceiling = models.PositiveBigIntegerField(_("wage ceiling (Rp)"), null=True, blank=True)
    source = models.CharField(_("legal source"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["component", "-effective_from"]
        verbose_name = _("contribution rate")
        verbose_name_plural = _("contribution rates")
        constraints = [
            models.UniqueConstraint(fields=["component", "effective_from"], name="one_rate_per_component_and_day"),
            models.CheckConstraint(
                condition=Q(
                    employer_rate__gte=0, participant_rate__gte=0, employer_rate__lte=1, participant_rate__lte=1
                ),
                name="rates_are_fractions",
                violation_error_message=_("A rate is a fraction between 0 and 1 (0.04 for 4%)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.effective_from}"


class RegencyMinimumWage(models.Model):
    """The UMK (or the UMP where a regency has none) of a year, used as a wage floor where a rate says so."""

    regency = models.ForeignKey("core.Regency", models.PROTECT, related_name="minimum_wages")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))

    class Meta:
        ordering = ["regency", "-year"]
        verbose_name = _("regency minimum wage (UMK)")
        verbose_name_plural = _("regency minimum wages (UMK)")
        constraints = [models.UniqueConstraint(fields=["regency", "year"], name="one_minimum_wage_per_regency_year")]

    def __str__(self) -> str:
        return f"{self.regency} {self.year}"


class Payment(models.Model):
    """A contribution paid to BPJS for one month by one payer (a regency or a village) from one source."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    month = models.PositiveSmallIntegerField(_("month"))
    regency = models.ForeignKey(
        "core.Regency", models.PROTECT, null=True, blank=True, related_name="payments", verbose_name=_("regency")
    )
    village = models.ForeignKey(
        "core.Village", models.PROTECT, null=True, blank=True, related_name="payments", verbose_name=_("village")
    )
    program = models.ForeignKey("core.Program", models.PROTECT, related_name="payments")
    source = models.ForeignKey(FundingSource, models.PROTECT, related_name="payments", verbose_name=_("source"))
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year", "-month"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(regency__isnull=False, village__isnull=True)
                | Q(regency__isnull=True, village__isnull=False),
                name="payment_by_regency_or_village",
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="payment_month_1_to_12"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}-{self.month:02d} {self.regency or self.village} {self.amount}"


class VillageFund(models.Model):
    """A desa's ADD for a year, when known: scenarios show a cost as a share of it."""

    village = models.ForeignKey("core.Village", models.PROTECT, related_name="funds")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    add_amount = models.PositiveBigIntegerField(_("ADD (Rp)"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "-fiscal_year"]
        verbose_name = _("village ADD")
        verbose_name_plural = _("village ADD")
        constraints = [models.UniqueConstraint(fields=["village", "fiscal_year"], name="one_add_per_village_year")]

    def __str__(self) -> str:
        return f"{self.village} {self.fiscal_year}"


class Scenario(models.Model):
    """A saved "what would covering everyone cost" question; its figures are computed when shown."""

    regency = models.ForeignKey("core.Regency", models.PROTECT, related_name="scenarios")
    name = models.CharField(_("name"), max_length=150)
    program = models.ForeignKey("core.Program", models.PROTECT, related_name="scenarios")
    components = models.JSONField(_("components"), default=list)
    source = models.ForeignKey(FundingSource, models.PROTECT, related_name="scenarios", verbose_name=_("source"))
    start_month = models.DateField(_("starting month"))
    add_share_threshold = models.DecimalField(_("ADD share threshold (%)"), max_digits=5, decimal_places=2, default=5)
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        clean_names(self, "name")
