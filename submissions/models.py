"""Submissions of a desa's officials to DPMD, their steps, and the documents uploaded for officials."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import DocumentType, Program
from core.uploads import document_path


class Document(models.Model):
    """One uploaded paper of one official, stored outside any public URL and served by a scoped view."""

    CONTENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    person = models.ForeignKey("villages.Person", models.PROTECT, related_name="documents", verbose_name=_("official"))
    # The desa for whose post it was uploaded: only that desa (while the person serves there), its DPMD
    # and its BPJS officers open it; another desa where the person acts keeps its own papers.
    village = models.ForeignKey("core.Village", models.PROTECT, null=True, related_name="+", verbose_name=_("village"))
    document_type = models.ForeignKey(DocumentType, models.PROTECT, related_name="documents", verbose_name=_("type"))
    token = models.CharField(max_length=32, editable=False)
    file = models.FileField(_("file"), upload_to=document_path)
    content_type = models.CharField(_("content type"), max_length=50, choices=[(k, k) for k in CONTENT_TYPES])
    size = models.PositiveIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    history = HistoricalRecords(table_name="enrollment_historicaldocument")

    class Meta:
        db_table = "enrollment_document"  # kept from before the model moved here
        ordering = ["person", "document_type", "village"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "document_type", "village"], name="one_document_per_person_type_and_village"
            )
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

    village = models.ForeignKey("core.Village", models.PROTECT, related_name="submissions", verbose_name=_("village"))
    program = models.ForeignKey(Program, models.PROTECT, related_name="submissions", verbose_name=_("program"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("last note"), blank=True)
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "enrollment_submission"  # kept from before the model moved here
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
        db_table = "enrollment_submissionevent"  # kept from before the model moved here
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
