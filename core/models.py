"""The reference data every app builds on: Kemendagri regions, BPJS programs and their components,
funding sources and the document types BPJS asks for."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        db_table = "villages_province"  # kept from before the model moved here
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    code = models.CharField(_("code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    province = models.ForeignKey(Province, models.PROTECT, related_name="regencies", verbose_name=_("province"))

    class Meta:
        db_table = "villages_regency"  # kept from before the model moved here
        ordering = ["code"]
        verbose_name = _("regency")
        verbose_name_plural = _("regencies")

    def __str__(self) -> str:
        return self.name


class Subdistrict(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    regency = models.ForeignKey(Regency, models.PROTECT, related_name="subdistricts", verbose_name=_("regency"))

    class Meta:
        db_table = "villages_subdistrict"  # kept from before the model moved here
        ordering = ["code"]
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    class Kind(models.TextChoices):
        DESA = "desa", _("desa")
        KELURAHAN = "kelurahan", _("kelurahan")
        DESA_ADAT = "desa_adat", _("desa adat")

    # Kelurahan are urban wards run by civil servants: no kepala desa, no perangkat desa, no ADD.
    GOVERNED_KINDS = (Kind.DESA, Kind.DESA_ADAT)

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="villages", verbose_name=_("subdistrict"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    # A code that disappears from a newer Kepmendagri is retired, never deleted: records keep pointing at it.
    is_active = models.BooleanField(_("in current Kemendagri data"), default=True)

    class Meta:
        db_table = "villages_village"  # kept from before the model moved here
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        indexes = [models.Index(fields=["subdistrict", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def has_government(self) -> bool:
        return self.kind in self.GOVERNED_KINDS

    @property
    def code_digits(self) -> str:
        return self.code.replace(".", "")


class Program(models.Model):
    KETENAGAKERJAAN = "bpjs_ketenagakerjaan"
    KESEHATAN = "bpjs_kesehatan"

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30)
    # JKN card numbers are 13 digits; KPJ numbers are usually 11 but not reliably so (rules.md §2).
    participant_number_length = models.PositiveSmallIntegerField(_("participant number length"))
    participant_number_length_strict = models.BooleanField(_("length is strict"), default=True)
    # Whether desa get the daily reminder of officials past the registration deadline (rules.md §1: the
    # deadline is regulated for JKN); a superuser may switch it on for another program.
    sends_reminders = models.BooleanField(_("sends deadline reminders"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        db_table = "enrollment_program"  # kept from before the model moved here
        ordering = ["order", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name

    # --- participant numbers (rules.md §2): the one place their rules are written ------------------

    def participant_number_error(self, number: str) -> str:
        """Why `number` cannot be a participant number of this program, or "": digits only, and for a
        strict length (a JKN card) exactly that many digits."""
        if not number:
            return gettext("Write the participant number.")
        if not number.isdigit():
            return gettext("A participant number has digits only.")
        if self.participant_number_length_strict and len(number) != self.participant_number_length:
            return gettext("A %(program)s participant number has exactly %(n)d digits.") % {
                "program": self.short_name,
                "n": self.participant_number_length,
            }
        return ""

    def participant_number_warning(self, number: str) -> str:
        """What to check about an acceptable number, or "": a KPJ number usually, not always, has 11 digits."""
        if number and not self.participant_number_length_strict and len(number) != self.participant_number_length:
            return gettext("A KPJ number usually has %(n)d digits; this one has %(m)d. Please check it.") % {
                "n": self.participant_number_length,
                "m": len(number),
            }
        return ""

    # --- components --------------------------------------------------------------------------------

    def components_for(self, codes: Iterable[str] | None = (), *, strict: bool = True) -> list[ProgramComponent]:
        """The components of an enrollment (or scenario) asking for `codes`: those and, always, the required
        ones (JKK and JKM), in the program's order. An unknown code is a ValidationError on "components";
        with `strict=False` it is left out (a scenario saved before a component was removed)."""
        available = {c.code: c for c in self.components.all()}
        chosen = set(codes or ())
        unknown = chosen - set(available)
        if unknown and strict:
            raise ValidationError(
                {
                    "components": gettext("Unknown components for %(program)s: %(codes)s")
                    % {"program": self.short_name, "codes": ", ".join(sorted(unknown))}
                }
            )
        return [c for c in sorted(available.values(), key=lambda c: c.order) if c.is_required or c.code in chosen]


class ProgramComponent(models.Model):
    program = models.ForeignKey(Program, models.CASCADE, related_name="components", verbose_name=_("program"))
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    is_required = models.BooleanField(_("always included"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "enrollment_programcomponent"  # kept from before the model moved here
        ordering = ["program", "order"]
        verbose_name = _("program component")
        verbose_name_plural = _("program components")
        constraints = [models.UniqueConstraint(fields=["program", "code"], name="unique_component_per_program")]

    def __str__(self) -> str:
        return self.code


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
        db_table = "budgets_fundingsource"  # kept from before the model moved here
        ordering = ["order", "code"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")

    def __str__(self) -> str:
        return self.name


class DocumentType(models.Model):
    """A paper BPJS registration needs (KTP, KK, SK pengangkatan); which programs need it is editable."""

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    programs = models.ManyToManyField(Program, related_name="document_types", verbose_name=_("required for"))
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        db_table = "enrollment_documenttype"  # kept from before the model moved here
        ordering = ["order", "code"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")

    def __str__(self) -> str:
        return self.name


class DataVersion(models.Model):
    """A token that changes with every write to the rows a regency's figures (or, scope "all", every
    regency's) are computed from: kept by database triggers (core.data_versions), read to key caches."""

    scope = models.CharField(max_length=20, primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.scope}: {self.version}"


class DatedRule(models.Model):
    """A rule that changes by regulation: each row holds from `effective_from` until the next row's date.
    The row in force on a day is the latest that began by it (core.selectors.rule_in_force)."""

    effective_from = models.DateField(_("in force from"), unique=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"


class PaymentRule(DatedRule):
    """When JKN contributions are due: by this day of the month they cover (rules.md §1)."""

    due_day = models.PositiveSmallIntegerField(_("due day of the month"))
    history = HistoricalRecords()

    class Meta(DatedRule.Meta):
        verbose_name = _("payment rule")
        verbose_name_plural = _("payment rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(due_day__gte=1, due_day__lte=28), name="due_day_in_every_month")
        ]

    def __str__(self) -> str:
        return gettext("Due by day %(day)d, from %(date)s") % {"day": self.due_day, "date": self.effective_from}


class RegistrationRule(DatedRule):
    """How long after inauguration an official must be registered with BPJS (rules.md §1)."""

    deadline_months = models.PositiveSmallIntegerField(_("registration deadline in months"))
    history = HistoricalRecords()

    class Meta(DatedRule.Meta):
        verbose_name = _("registration rule")
        verbose_name_plural = _("registration rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(deadline_months__gte=1), name="deadline_at_least_a_month")
        ]

    def __str__(self) -> str:
        return gettext("Register within %(n)d month(s), from %(date)s") % {
            "n": self.deadline_months,
            "date": self.effective_from,
        }


class AccountCode(models.Model):
    """An APBDes account the village-paid contributions are booked on (Permendagri 20/2018, rules.md §2):
    per program and whether the official is the kepala desa, or, with no program, the group they add up
    to. A new code from a date is a new row from that date; the older row keeps the days before it."""

    effective_from = models.DateField(_("in force from"))
    program = models.ForeignKey(
        Program, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("program")
    )
    for_kepala_desa = models.BooleanField(_("for the kepala desa"), default=False)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)  # the official name, Indonesian in every language
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_from", "code"]
        verbose_name = _("APBDes account code")
        verbose_name_plural = _("APBDes account codes")
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from", "program", "for_kepala_desa"],
                condition=models.Q(program__isnull=False),
                name="one_account_per_program_and_post_a_day",
            ),
            models.UniqueConstraint(
                fields=["effective_from"], condition=models.Q(program__isnull=True), name="one_group_account_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
