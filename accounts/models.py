"""Users and the one scope each of them works in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.roles import Role


class User(AbstractUser):
    """A person who logs in. Its role decides its scope:

    - DPMD staff: one regency, every program;
    - village head or operator: one desa;
    - BPJS officer: one program, the regencies of the branch;
    - province observer: the regencies of one province, read only, NIK masked.
    Superusers see everything.
    """

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, blank=True)
    regency = models.ForeignKey(
        "core.Regency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dpmd_staff",
        verbose_name=_("regency (DPMD)"),
    )
    village = models.ForeignKey(
        "core.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="operators",
        verbose_name=_("village"),
    )
    province = models.ForeignKey(
        "core.Province",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="observers",
        verbose_name=_("province"),
    )
    program = models.ForeignKey(
        "core.Program",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("BPJS program"),
    )
    branch_regencies = models.ManyToManyField(
        "core.Regency", blank=True, related_name="bpjs_officers", verbose_name=_("regencies of the branch")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set with a one-time password (a new account, a reset): every page leads to the password change
    # until the user has chosen their own.
    must_change_password = models.BooleanField(_("must change the password"), default=False)
    # A one-time password opens one session: once it has logged in, it logs in no more.
    one_time_password_used = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords(m2m_fields=[branch_regencies])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="dpmd") | Q(regency__isnull=False),
                name="dpmd_user_has_regency",
                violation_error_message=_("DPMD staff need a regency."),
            ),
            models.CheckConstraint(
                condition=~Q(role="village") | Q(village__isnull=False),
                name="village_user_has_village",
                violation_error_message=_("A village head or operator needs a village."),
            ),
            models.CheckConstraint(
                condition=~Q(role="bpjs") | Q(program__isnull=False),
                name="bpjs_user_has_program",
                violation_error_message=_("A BPJS officer needs a program."),
            ),
            models.CheckConstraint(
                condition=~Q(role="province") | Q(province__isnull=False),
                name="province_user_has_province",
                violation_error_message=_("A province observer needs a province."),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.VILLAGE and self.village_id and not self.village.has_government:
            raise ValidationError({"village": _("A kelurahan has no village government.")})


class Notification(models.Model):
    """A message in the app (and by email where the user has an address)."""

    class Kind(models.TextChoices):
        """What the notification is about: how a daily job recognises what it already sent."""

        SUBMITTED = "submitted", _("submission received")
        RETURNED = "returned", _("submission returned")
        VERIFIED = "verified", _("submission verified")
        FORWARDED = "forwarded", _("requests forwarded to BPJS")
        APPROVED = "approved", _("requests approved by BPJS")
        REJECTED = "rejected", _("request rejected by BPJS")
        CHANGE_REQUESTED = "change_requested", _("data-change request")
        CHANGE_DECIDED = "change_decided", _("data-change request decided")
        DEADLINE_SOON = "deadline_soon", _("deadline soon")
        REMINDER = "reminder", _("deadline reminder")
        DIGEST = "digest", _("daily digest")
        OTHER = "other", _("other")

    user = models.ForeignKey(User, models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    message = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return self.message[:60]


class AccountEvent(models.Model):
    """What happened to an account, by whom and when: kept for the DPMD's account activity page."""

    class Kind(models.TextChoices):
        CREATED = "created", _("account created")
        CHANGED = "changed", _("role or scope changed")
        PASSWORD_RESET = "password_reset", _("password reset")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        UNLOCKED = "unlocked", _("unlocked")
        DEACTIVATED = "deactivated", _("deactivated")
        REACTIVATED = "reactivated", _("reactivated")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed login")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by"))
    user = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="account_events", verbose_name=_("account")
    )
    # As typed at a failed login, which may name no account at all.
    username = models.CharField(_("username"), max_length=150)
    # The regency whose DPMD looks after the account (its own, or its desa's): who may read the event.
    regency = models.ForeignKey(
        "core.Regency", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("regency")
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        indexes = [models.Index(fields=["regency", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"


class RegencyOnboarding(models.Model):
    """A regency set up from the Kemendagri list by a superuser: its regions imported by a worker, then
    its first DPMD account."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("importing regions")
        DONE = "done", _("regions imported")
        FAILED = "failed", _("failed")

    regency_code = models.CharField(_("regency code"), max_length=5)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("regency set-up")
        verbose_name_plural = _("regency set-ups")

    def __str__(self) -> str:
        return f"{self.regency_code} ({self.status})"


class AccessRecord(models.Model):
    """An export or a document download: who took which officials' data out of the app, how many NIKs
    it carried, for which regency, when and from where. Written once, never changed; read by the DPMD
    of the regency and by superusers (the "Log akses" page)."""

    class Kind(models.TextChoices):
        OFFICIALS = "officials", _("officials export")
        TEMPLATE = "template", _("officials file template")
        VILLAGES = "villages", _("village list with village heads")
        REVIEW_SHEET = "review_sheet", _("BPJS registration sheet")
        RECONCILIATION = "reconciliation", _("reconciliation export")
        SCENARIO = "scenario", _("scenario export")
        DOCUMENT = "document", _("document download")

    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    # The object or the filter: a region code, a queue filter, a document and its official.
    target = models.CharField(_("object or filter"), max_length=300, blank=True)
    niks = models.PositiveIntegerField(_("NIKs"), default=0)
    # The NIKs were masked (a role that may not see them): the count says how many people it named.
    niks_masked = models.BooleanField(_("NIKs masked"), default=False)
    user = models.ForeignKey(User, models.PROTECT, related_name="access_records", verbose_name=_("who"))
    regency = models.ForeignKey(
        "core.Regency", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("regency")
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [models.Index(fields=["regency", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target}"
