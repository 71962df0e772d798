"""BPJS programs and the enrollment of each official in them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Program, ProgramComponent

# Migration 0003 and 0005 name these upload paths here, from before documents and reconciliations moved.
from core.uploads import document_path as _document_path  # noqa: F401
from core.uploads import reconciliation_path as _reconciliation_path  # noqa: F401
from core.versioning import Versioned


def covering(day: dt.date) -> Q:
    """The one "covering" predicate: an enrollment gave coverage on `day` when it is (or was) active and
    `day` falls in [start date, end date): its end date is not covered. Read from the dates, so past
    days can be answered."""
    # An inactive or ended enrollment covered only up to its end date: one without an end date says
    # nothing about which days it covered, and counts as covering none (coverage counts active only).
    return (
        Q(status__in=Enrollment.COVERING_STATUSES, start_date__lte=day)
        & (Q(end_date__isnull=True) | Q(end_date__gt=day))
        & (Q(status=Enrollment.Status.ACTIVE) | Q(end_date__isnull=False))
    )


class EnrollmentQuerySet(models.QuerySet):
    def covering_on(self, day: dt.date) -> EnrollmentQuerySet:
        """Enrollments that gave coverage on `day` (see `covering`)."""
        return self.filter(covering(day))


class Enrollment(Versioned):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")
        REJECTED = "rejected", _("rejected")
        ENDED = "ended", _("ended")

    class Segment(models.TextChoices):
        PPU = "PPU", _("PPU (wage earner)")
        PU = "PU", _("PU (wage earner)")
        BPU = "BPU", _("BPU (non-wage earner)")

    # An inactive or ended enrollment still covered the days between its start and end dates.
    COVERING_STATUSES = (Status.ACTIVE, Status.INACTIVE, Status.ENDED)
    OPEN_STATUSES = (Status.REQUESTED, Status.ACTIVE, Status.INACTIVE)

    person = models.ForeignKey(
        "villages.Person", models.PROTECT, related_name="enrollments", verbose_name=_("official")
    )
    program = models.ForeignKey(Program, models.PROTECT, related_name="enrollments", verbose_name=_("program"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    segment = models.CharField(_("segment"), max_length=4, choices=Segment.choices)
    participant_number = models.CharField(_("participant number"), max_length=20, blank=True)
    components = models.ManyToManyField(ProgramComponent, blank=True, verbose_name=_("components"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    funding_source = models.ForeignKey(
        "core.FundingSource",
        models.PROTECT,
        related_name="enrollments",
        verbose_name=_("funding source of the employer share"),
    )
    note = models.TextField(_("note"), blank=True)
    # For JKN: the first-level health facility (faskes tingkat 1) the participant chose.
    primary_clinic = models.CharField(_("primary clinic (faskes tingkat 1)"), max_length=150, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrollmentQuerySet.as_manager()
    # Every status change is kept with who made it and when.
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "person"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        indexes = [models.Index(fields=["person", "program", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "program"],
                condition=Q(status__in=["requested", "active", "inactive"]),
                name="one_open_enrollment_per_person_and_program",
                violation_error_message=_("This official already has an open enrollment in this program."),
            ),
            # Two approvals at the same moment both pass the check in the services; this one refuses the
            # second (bpjs.services turns the refusal into the row's message).
            models.UniqueConstraint(
                fields=["program", "participant_number"],
                condition=Q(status__in=["requested", "active", "inactive"]) & ~Q(participant_number=""),
                name="one_participant_number_per_program",
                violation_error_message=_("This participant number is already used in this program."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "inactive", "ended"]) | Q(start_date__isnull=False),
                name="covering_enrollment_has_start_date",
                violation_error_message=_("An active, inactive or ended enrollment needs a start date."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=False) & Q(end_date__gte=models.F("start_date")),
                name="enrollment_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.program.short_name}"

    def clean(self) -> None:
        number = self.participant_number
        if number and self.program_id and (error := self.program.participant_number_error(number)):
            raise ValidationError({"participant_number": error})
        if self.status == self.Status.ACTIVE and not self.participant_number:
            raise ValidationError({"participant_number": _("An active enrollment needs its participant number.")})

    @property
    def participant_number_warning(self) -> str:
        return self.program.participant_number_warning(self.participant_number)


class CoverageSnapshot(models.Model):
    """Coverage of a regency in a program at the end of a month, kept for the trend chart."""

    regency = models.ForeignKey("core.Regency", models.CASCADE, related_name="coverage_snapshots")
    program = models.ForeignKey(Program, models.CASCADE, related_name="coverage_snapshots")
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    villages_total = models.PositiveIntegerField(default=0)
    villages_covered = models.PositiveIntegerField(default=0)
    villages_fully_covered = models.PositiveIntegerField(default=0)
    officials_total = models.PositiveIntegerField(default=0)
    officials_covered = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["regency", "program", "month"]
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        constraints = [
            models.UniqueConstraint(fields=["regency", "program", "month"], name="one_snapshot_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="snapshot_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.regency} {self.program.short_name} {self.month:%Y-%m}"


class CoverageTarget(models.Model):
    """The year by which DPMD wants every official of the regency covered in a program."""

    regency = models.ForeignKey("core.Regency", models.CASCADE, related_name="coverage_targets")
    program = models.ForeignKey(Program, models.CASCADE, related_name="coverage_targets")
    year = models.PositiveSmallIntegerField(_("target year"))

    class Meta:
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        constraints = [models.UniqueConstraint(fields=["regency", "program"], name="one_target_per_regency_program")]

    def __str__(self) -> str:
        return f"{self.regency} {self.program.short_name} {self.year}"


def export_path(instance, filename: str) -> str:
    return f"exports/{instance.token}/{filename}"


class ExportJob(models.Model):
    """A file too large for a request (every official of the country, or of a province), written by a
    worker into the default storage: its progress for the status page, the file once done. Only the user
    who started it (or a superuser) sees it; the file holds NIKs and is deleted after
    settings.EXPORT_KEEP_DAYS (enrollment.tasks.export_jobs_expire)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("writing")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    token = models.CharField(max_length=32, unique=True, editable=False)
    # Empty for the whole country; else the province of the province observer who started it.
    province = models.ForeignKey(
        "core.Province", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, blank=True, max_length=200)
    # NIKs in the file per regency code: the access log records them when the file is downloaded.
    niks = models.JSONField(default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey("accounts.User", models.CASCADE, related_name="+", verbose_name=_("started by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.token} ({self.status})"

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
