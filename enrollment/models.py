"""BPJS programs and the enrollment of each official in them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Program(models.Model):
    KETENAGAKERJAAN = "bpjs_ketenagakerjaan"
    KESEHATAN = "bpjs_kesehatan"

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30)
    # JKN card numbers are 13 digits; KPJ numbers are usually 11 but not reliably so (rules.md §2).
    participant_number_length = models.PositiveSmallIntegerField(_("participant number length"))
    participant_number_length_strict = models.BooleanField(_("length is strict"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name


class ProgramComponent(models.Model):
    program = models.ForeignKey(Program, models.CASCADE, related_name="components", verbose_name=_("program"))
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    is_required = models.BooleanField(_("always included"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "order"]
        verbose_name = _("program component")
        verbose_name_plural = _("program components")
        constraints = [models.UniqueConstraint(fields=["program", "code"], name="unique_component_per_program")]

    def __str__(self) -> str:
        return self.code


class EnrollmentQuerySet(models.QuerySet):
    def covering_on(self, day: dt.date) -> EnrollmentQuerySet:
        """Enrollments that gave coverage on `day`, read from their dates, so past days can be answered."""
        return self.filter(status__in=Enrollment.COVERING_STATUSES, start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=day)
        )


class Enrollment(models.Model):
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
        "budgets.FundingSource",
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
        if number and self.program_id:
            if not number.isdigit():
                raise ValidationError({"participant_number": _("A participant number has digits only.")})
            length = self.program.participant_number_length
            if self.program.participant_number_length_strict and len(number) != length:
                raise ValidationError(
                    {
                        "participant_number": _("A %(program)s participant number has exactly %(n)d digits.")
                        % {"program": self.program.short_name, "n": length}
                    }
                )
        if self.status == self.Status.ACTIVE and not self.participant_number:
            raise ValidationError({"participant_number": _("An active enrollment needs its participant number.")})

    @property
    def participant_number_warning(self) -> str:
        number = self.participant_number
        program = self.program
        if number and not program.participant_number_length_strict and len(number) != program.participant_number_length:
            return str(
                _("A KPJ number usually has %(n)d digits; this one has %(m)d. Please check it.")
                % {"n": program.participant_number_length, "m": len(number)}
            )
        return ""


class DocumentType(models.Model):
    """A paper BPJS registration needs (KTP, KK, SK pengangkatan); which programs need it is editable."""

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    programs = models.ManyToManyField(Program, related_name="document_types", verbose_name=_("required for"))
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")

    def __str__(self) -> str:
        return self.name


def _document_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.person_id}/{instance.document_type_id}-{instance.token}{instance.extension}"


class Document(models.Model):
    """One uploaded paper of one official, stored outside any public URL and served by a scoped view."""

    CONTENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    person = models.ForeignKey("villages.Person", models.PROTECT, related_name="documents", verbose_name=_("official"))
    document_type = models.ForeignKey(DocumentType, models.PROTECT, related_name="documents", verbose_name=_("type"))
    token = models.CharField(max_length=32, editable=False)
    file = models.FileField(_("file"), upload_to=_document_path)
    content_type = models.CharField(_("content type"), max_length=50, choices=[(k, k) for k in CONTENT_TYPES])
    size = models.PositiveIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "document_type"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["person", "document_type"], name="one_document_per_person_and_type")
        ]

    def __str__(self) -> str:
        return f"{self.document_type} – {self.person}"

    @property
    def extension(self) -> str:
        return self.CONTENT_TYPES.get(self.content_type, "")


class Submission(models.Model):
    """A village's officials, sent for one program: draft → submitted → verified → forwarded to BPJS,
    or back from submitted to returned (for revision) and on to submitted again."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for revision")
        VERIFIED = "verified", _("verified")
        FORWARDED = "forwarded", _("forwarded to BPJS")

    # While DPMD holds the submission the roster cannot change under it.
    LOCKING_STATUSES = (Status.SUBMITTED, Status.VERIFIED)
    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.VERIFIED)

    village = models.ForeignKey(
        "villages.Village", models.PROTECT, related_name="submissions", verbose_name=_("village")
    )
    program = models.ForeignKey(Program, models.PROTECT, related_name="submissions", verbose_name=_("program"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("last note"), blank=True)
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "program"],
                condition=Q(status__in=["draft", "submitted", "returned", "verified"]),
                name="one_open_submission_per_village_and_program",
                violation_error_message=_("This village already has an open submission for this program."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.village} – {self.program.short_name} ({self.get_status_display()})"

    @property
    def locks_roster(self) -> bool:
        return self.status in self.LOCKING_STATUSES


class SubmissionEvent(models.Model):
    """Each step of a submission: who moved it, when, from where to where, and what they wrote."""

    submission = models.ForeignKey(Submission, models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=Submission.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Submission.Status.choices)
    actor = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CoverageSnapshot(models.Model):
    """Coverage of a regency in a program at the end of a month, kept for the trend chart."""

    regency = models.ForeignKey("villages.Regency", models.CASCADE, related_name="coverage_snapshots")
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

    regency = models.ForeignKey("villages.Regency", models.CASCADE, related_name="coverage_targets")
    program = models.ForeignKey(Program, models.CASCADE, related_name="coverage_targets")
    year = models.PositiveSmallIntegerField(_("target year"))

    class Meta:
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        constraints = [models.UniqueConstraint(fields=["regency", "program"], name="one_target_per_regency_program")]

    def __str__(self) -> str:
        return f"{self.regency} {self.program.short_name} {self.year}"


class ReconciliationMapping(models.Model):
    """Which column of a BPJS export holds what, remembered per program and regency (per branch)."""

    program = models.ForeignKey(Program, models.CASCADE, related_name="+")
    regency = models.ForeignKey("villages.Regency", models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "regency"], name="one_mapping_per_branch")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.regency_id}"


def _reconciliation_path(instance: Reconciliation, filename: str) -> str:
    return f"reconciliations/{instance.token}-{filename}"


class Reconciliation(models.Model):
    """A BPJS participant or billing list compared with our enrollments, village by village."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    program = models.ForeignKey(Program, models.PROTECT, related_name="reconciliations")
    regency = models.ForeignKey("villages.Regency", models.PROTECT, related_name="reconciliations")
    file = models.FileField(upload_to=_reconciliation_path, blank=True)
    original_name = models.CharField(max_length=255)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")

    def __str__(self) -> str:
        return f"{self.regency} {self.program.short_name} {self.created_at:%Y-%m-%d}"
