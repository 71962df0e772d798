"""A file's preview waiting for its confirmation: one storage for every upload → preview → confirm.

A row in the database, so a preview made by one gunicorn worker is confirmed by any other; owned by the
user who uploaded (nobody else can open or confirm it); used once (confirmed or discarded, its data and
file are gone); expiring (the daily clean-up deletes the rows past `expires_at` and every finished one).
What a preview holds (`data`, JSON) is encrypted like the NIK column, since it may hold NIKs; an upload
kept until it is checked or mapped lives in `file`, under a name that says nothing of its content.
"""

from __future__ import annotations

import json

from django.db import models
from django.utils import timezone

from core import nik as nik_lib


def preview_path(instance, filename: str) -> str:
    return f"previews/{instance.token}-{filename}"


class Preview(models.Model):
    class Kind(models.TextChoices):
        ROSTER = "roster", "officials file"
        REVIEW_SHEET = "review_sheet", "collective-registration sheet"
        RECONCILIATION = "reconciliation", "BPJS list"
        PAYMENTS = "payments", "payments file"
        VILLAGE_FUNDS = "village_funds", "village ADD file"

    class Status(models.TextChoices):
        OPEN = "open", "waiting for confirmation"
        CONFIRMED = "confirmed", "confirmed"
        DISCARDED = "discarded", "discarded"

    token = models.CharField(max_length=32, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The page the preview belongs to (a payer, a regency...): confirming it elsewhere is refused.
    scope = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey("accounts.User", models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    data_encrypted = models.TextField(blank=True, editable=False)
    file = models.FileField(upload_to=preview_path, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"], name="preview_expires_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name} ({self.status})"

    @property
    def data(self) -> dict:
        return json.loads(nik_lib.decrypt_nik(self.data_encrypted)) if self.data_encrypted else {}

    @data.setter
    def data(self, value: dict) -> None:
        self.data_encrypted = nik_lib.encrypt_nik(json.dumps(value, separators=(",", ":"), default=str))

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_at > timezone.now()
