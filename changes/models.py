"""Data-change requests: how the identity of an active BPJS participant (NIK, name, birth date, sex)
changes, like BPJS's own "perubahan data". The desa (or DPMD) asks with a reason, and for a NIK the new
KTP; DPMD of the regency checks it; the BPJS officer of each program the person is active in confirms
it. Only when every program has confirmed does the Person take the new values: until then the enrolled
values stay, and every list, export and reconciliation reads them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import nik as nik_lib
from core.models import Program, Village
from core.uploads import data_change_ktp_path

# The fields a request may change, in the order the pages show them.
FIELDS = ("nik", "full_name", "birth_date", "sex")


class DataChangeRequest(models.Model):
    class Status(models.TextChoices):
        WAITING_DPMD = "waiting_dpmd", _("waiting for DPMD")
        WAITING_BPJS = "waiting_bpjs", _("waiting for BPJS")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN_STATUSES = (Status.WAITING_DPMD, Status.WAITING_BPJS)
    CONTENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    person = models.ForeignKey(
        "villages.Person", models.PROTECT, related_name="data_changes", verbose_name=_("official")
    )
    # The desa the request was made for: its DPMD checks it, the BPJS branch of its regency confirms it.
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("village"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING_DPMD)

    # The enrolled values and the requested ones, of the fields asked to change only. NIKs encrypted with
    # a keyed hash beside them, like villages.Person: never in plain text.
    old_nik_encrypted = models.TextField(blank=True, editable=False)
    new_nik_encrypted = models.TextField(blank=True, editable=False)
    new_nik_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    old_full_name = models.CharField(_("enrolled full name"), max_length=150, blank=True)
    new_full_name = models.CharField(_("new full name"), max_length=150, blank=True)
    old_birth_date = models.DateField(_("enrolled birth date"), null=True, blank=True)
    new_birth_date = models.DateField(_("new birth date"), null=True, blank=True)
    old_sex = models.CharField(_("enrolled sex"), max_length=1, blank=True)
    new_sex = models.CharField(_("new sex"), max_length=1, blank=True)
    reason = models.TextField(_("reason"))

    # The new KTP, required for a NIK change: private storage, served by a scoped view only.
    ktp_file = models.FileField(_("new KTP"), upload_to=data_change_ktp_path, blank=True)
    ktp_token = models.CharField(max_length=32, blank=True, editable=False)
    ktp_content_type = models.CharField(max_length=50, blank=True)
    ktp_size = models.PositiveIntegerField(default=0)
    ktp_original_name = models.CharField(max_length=255, blank=True)

    requested_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    checked_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_note = models.TextField(_("DPMD note"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("data-change request")
        verbose_name_plural = _("data-change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["waiting_dpmd", "waiting_bpjs"]),
                name="one_open_data_change_per_person",
                violation_error_message=_("This official already has a data-change request in progress."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="data_change_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"

    @property
    def old_nik(self) -> str:
        return nik_lib.decrypt_nik(self.old_nik_encrypted) if self.old_nik_encrypted else ""

    @property
    def new_nik(self) -> str:
        return nik_lib.decrypt_nik(self.new_nik_encrypted) if self.new_nik_encrypted else ""

    def set_nik(self, *, old: str, new: str) -> None:
        self.old_nik_encrypted = nik_lib.encrypt_nik(old)
        self.new_nik_encrypted = nik_lib.encrypt_nik(new)
        self.new_nik_hash = nik_lib.hash_nik(new)

    @property
    def fields(self) -> list[str]:
        """The fields asked to change."""
        return [name for name in FIELDS if self.new_value(name) not in ("", None)]

    def new_value(self, name: str):
        return self.new_nik if name == "nik" else getattr(self, f"new_{name}")

    def old_value(self, name: str):
        return self.old_nik if name == "nik" else getattr(self, f"old_{name}")

    @property
    def ktp_extension(self) -> str:
        return self.CONTENT_TYPES.get(self.ktp_content_type, "")

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ProgramConfirmation(models.Model):
    """BPJS's part of a request: one per program the person was active in when it was made."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    request = models.ForeignKey(DataChangeRequest, models.CASCADE, related_name="confirmations")
    program = models.ForeignKey(Program, models.PROTECT, related_name="+", verbose_name=_("program"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    decided_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program__order", "program"]
        verbose_name = _("BPJS confirmation")
        verbose_name_plural = _("BPJS confirmations")
        constraints = [
            models.UniqueConstraint(fields=["request", "program"], name="one_confirmation_per_request_and_program")
        ]

    def __str__(self) -> str:
        return f"{self.request} – {self.program.short_name}: {self.get_status_display()}"
