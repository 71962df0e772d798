"""Kemendagri regions and the people who govern the desa.

Regions are keyed by their Kemendagri code. An official is a Person (one per NIK) who holds one or more
Posts: an acting second post (Plt) is a second Post, not a second Person, and BPJS enrollments belong to
the Person.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import nik as nik_lib
from core.models import Regency, Village
from core.text import clean_names, fold
from core.versioning import Versioned


class Person(Versioned):
    class Sex(models.TextChoices):
        MALE = "L", _("male")
        FEMALE = "P", _("female")

    nik_encrypted = models.TextField(_("NIK (encrypted)"), editable=False)
    nik_hash = models.CharField(_("NIK hash"), max_length=64, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=150)
    # full_name folded (core.text.fold), so a search matches without regard to case or accents.
    search_name = models.CharField(max_length=150, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        clean_names(self, "full_name")

    def save(self, *args, **kwargs):
        fill_search_names([self])
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def nik(self) -> str:
        return nik_lib.decrypt_nik(self.nik_encrypted)

    @nik.setter
    def nik(self, value: str) -> None:
        value = nik_lib.normalize_nik(value)
        self.nik_encrypted = nik_lib.encrypt_nik(value)
        self.nik_hash = nik_lib.hash_nik(value)

    @property
    def nik_masked(self) -> str:
        return nik_lib.mask_nik(self.nik)


def fill_search_names(persons) -> list[str]:
    """For a bulk write of `persons` (which bypasses save()): fold each one's name into search_name; the
    field to add to a bulk update."""
    for person in persons:
        person.search_name = fold(person.full_name)
    return ["search_name"]


class Position(models.TextChoices):
    """SOTK positions of Permendagri 84/2015; a village uses either the 2- or the 3-urusan model."""

    KEPALA_DESA = "kepala_desa", _("Kepala Desa")
    SEKRETARIS_DESA = "sekretaris_desa", _("Sekretaris Desa")
    KAUR_TU_UMUM = "kaur_tu_umum", _("Kaur Tata Usaha dan Umum")
    KAUR_KEUANGAN = "kaur_keuangan", _("Kaur Keuangan")
    KAUR_PERENCANAAN = "kaur_perencanaan", _("Kaur Perencanaan")
    KAUR_UMUM_PERENCANAAN = "kaur_umum_perencanaan", _("Kaur Umum dan Perencanaan")
    KASI_PEMERINTAHAN = "kasi_pemerintahan", _("Kasi Pemerintahan")
    KASI_KESEJAHTERAAN = "kasi_kesejahteraan", _("Kasi Kesejahteraan")
    KASI_PELAYANAN = "kasi_pelayanan", _("Kasi Pelayanan")
    KASI_KESEJAHTERAAN_PELAYANAN = "kasi_kesejahteraan_pelayanan", _("Kasi Kesejahteraan dan Pelayanan")
    KEPALA_DUSUN = "kepala_dusun", _("Kepala Dusun")
    STAF = "staf", _("Staf")


def position_rank(field: str = "position") -> Case:
    """The SOTK rank of a position as an SQL expression (Kepala Desa 0, Sekretaris 1, the Kaur, the Kasi,
    Kepala Dusun, Staf), the one place officials are ordered from: their job titles do not sort that way."""
    whens = [When(**{field: value}, then=Value(rank)) for rank, value in enumerate(Position.values)]
    return Case(*whens, default=Value(len(Position.values)), output_field=IntegerField())


class PostQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> PostQuerySet:
        """Posts held on `day`: begun by then and not ended before or on it."""
        return self.filter(term_start__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))

    def current(self) -> PostQuerySet:
        return self.filter(ended_on__isnull=True)

    def by_rank(self, *then: str) -> PostQuerySet:
        """Ordered by SOTK rank, then by `then` (e.g. the holder's name)."""
        return self.order_by(position_rank(), *then)

    def main_first(self) -> PostQuerySet:
        """Ordered so that each official's main post comes first (see MAIN_POST_ORDER)."""
        return self.order_by(*MAIN_POST_ORDER)


# An official's main post, the one place it is defined: the post a request is shown under, whose wage
# the BPJS sheet reports and contributions are computed on, and that decides the kepala desa account.
# The best-paid post (contributions are owed on the highest wage an official draws), then the definitif
# one before an acting one (Plt, Pj, Plh: "definitif" sorts first), then the latest.
MAIN_POST_ORDER = ("-wage_basis", "status", "-term_start", "pk")


class Post(Versioned):
    class Status(models.TextChoices):
        DEFINITIF = "definitif", _("definitif")
        PLT = "plt", _("Plt (pelaksana tugas)")
        PJ = "pj", _("Pj (penjabat)")
        PLH = "plh", _("Plh (pelaksana harian)")

    class EndReason(models.TextChoices):
        RETIRED = "pensiun", _("retired (pensiun)")
        DISMISSED = "diberhentikan", _("dismissed (diberhentikan)")
        DIED = "meninggal", _("died (meninggal)")
        RESIGNED = "mengundurkan_diri", _("resigned (mengundurkan diri)")
        TERM_ENDED = "masa_jabatan_habis", _("term ended (masa jabatan habis)")

    # Only one definitif holder at a time for these posts in a village.
    SINGLE_HOLDER_POSITIONS = (Position.KEPALA_DESA, Position.SEKRETARIS_DESA)

    person = models.ForeignKey(Person, models.PROTECT, related_name="posts", verbose_name=_("official"))
    village = models.ForeignKey(Village, models.PROTECT, related_name="posts", verbose_name=_("village"))
    position = models.CharField(_("position"), max_length=40, choices=Position.choices)
    local_title = models.CharField(
        _("local title"), max_length=100, blank=True, help_text=_("e.g. Kepala Kampung, Kadus, Kepala Jorong")
    )
    status = models.CharField(_("position status"), max_length=10, choices=Status.choices, default=Status.DEFINITIF)
    sk_number = models.CharField(_("appointment decree (SK) number"), max_length=100, blank=True)
    sk_date = models.DateField(_("appointment decree (SK) date"), null=True, blank=True)
    inauguration_date = models.DateField(_("inauguration date"), null=True, blank=True)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)
    wage_basis = models.PositiveBigIntegerField(
        _("monthly wage basis (Rp)"), default=0, help_text=_("siltap plus fixed allowances, whole rupiah")
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "position", "term_start"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["village", "ended_on"]), models.Index(fields=["person", "ended_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "position"],
                condition=Q(ended_on__isnull=True, status="definitif", position__in=["kepala_desa", "sekretaris_desa"]),
                name="one_definitif_kades_sekdes_per_village",
                violation_error_message=_("This village already has an active definitif holder of this position."),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True, status="definitif"),
                name="one_definitif_post_per_person",
                violation_error_message=_("This person already holds an active definitif post."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="") | Q(ended_on__isnull=False) & ~Q(end_reason=""),
                name="post_end_has_date_and_reason",
                violation_error_message=_("An ended post needs both an end date and a reason."),
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="post_term_end_after_start",
                violation_error_message=_("The term cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.title} ({self.village})"

    @property
    def title(self) -> str:
        return self.local_title or self.get_position_display()

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def held_on(self, day: dt.date) -> bool:
        """PostQuerySet.active_on for one loaded post: begun by `day`, not ended before or on it. A post
        ending on a later day is still held, and listed and counted as such."""
        return self.term_start <= day and (self.ended_on is None or self.ended_on > day)

    def clean(self) -> None:
        clean_names(self, "local_title", "sk_number")
        if self.village_id and not self.village.has_government:
            raise ValidationError(
                {"village": _("%(village)s is a kelurahan: officials belong to desa only.") % {"village": self.village}}
            )
        if self.ended_on and self.ended_on < self.term_start:
            raise ValidationError({"ended_on": _("A post cannot end before it starts.")})


def _import_path(instance, filename: str) -> str:
    """Where RosterImport.file was kept, before previews held it; migration 0002 still refers to it."""
    return f"imports/{instance.created_at:%Y/%m}/{instance.token}-{filename}"


class RosterImport(models.Model):
    """An uploaded officials file on its way from preview to confirmation.

    What the pages need lives here: the status and progress the browser polls, who uploaded it for which
    desa or regency, and the preview shown (counts, rows with masked NIKs, row errors) in `result`. What
    holds full NIKs (the uploaded file until it is checked, then its parsed rows until they are confirmed)
    lives in the preview storage, in `preview`: the uploader's only, used once, expiring."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        VALIDATING = "validating", _("checking")
        PREVIEW = "preview", _("ready to confirm")
        INVALID = "invalid", _("has errors")
        APPLYING = "applying", _("saving")
        APPLIED = "applied", _("saved")
        DISCARDED = "discarded", _("discarded")
        FAILED = "failed", _("failed")

    token = models.CharField(max_length=32, unique=True, editable=False)
    regency = models.ForeignKey(Regency, models.PROTECT, related_name="roster_imports", verbose_name=_("regency"))
    # Empty for a DPMD file covering many desa (with a village-code column).
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="roster_imports", verbose_name=_("village")
    )
    preview = models.OneToOneField(
        "previews.Preview", models.SET_NULL, null=True, blank=True, related_name="roster_import", editable=False
    )
    original_name = models.CharField(_("file name"), max_length=255)
    # The worksheet the officials were read from ("" for a CSV): the preview says which.
    sheet = models.CharField(_("sheet"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="roster_imports", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The last sign of life of the check or save (its start, each progress step): an import running that
    # shows none for settings.TASK_STALL_MINUTES is marked failed (villages.tasks.fail_stalled_imports).
    heartbeat_at = models.DateTimeField(default=timezone.now, editable=False)
    # Runs of the current step's task: a file whose task keeps dying (the OOM killer) ends failed.
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.APPLIED, self.Status.DISCARDED, self.Status.FAILED)


class NikConflict(models.Model):
    """A NIK submitted for one desa while it holds an active post in another: DPMD decides, the
    import never moves a person silently. When the two desa lie in different regencies the DPMD of each
    sees it, each only its own side (villages.selectors.nik_conflict_rows)."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="nik_conflicts", verbose_name=_("official"))
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("submitting village"))
    other_village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name=_("village of the active post")
    )
    roster_import = models.ForeignKey(RosterImport, models.SET_NULL, null=True, blank=True, related_name="conflicts")
    # The acting post (Plt, Pj, Plh) the submitting desa was allowed to add; empty when it was refused.
    post = models.ForeignKey(
        Post, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("acting post added")
    )
    reported_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("NIK conflict")
        verbose_name_plural = _("NIK conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "village"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_conflict_per_person_village",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.village} / {self.other_village}"


class FamilyMember(models.Model):
    """A family member covered by an official's JKN (spouse and up to three children, rules.md §1)."""

    class Relation(models.TextChoices):
        SPOUSE = "pasangan", _("spouse")
        CHILD = "anak", _("child")
        PARENT = "orang_tua", _("parent")

    person = models.ForeignKey(Person, models.CASCADE, related_name="family", verbose_name=_("official"))
    full_name = models.CharField(_("full name"), max_length=150)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    nik_encrypted = models.TextField(blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "relation", "birth_date"]
        verbose_name = _("family member")
        verbose_name_plural = _("family members")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relation_display()})"

    def clean(self) -> None:
        clean_names(self, "full_name")

    @property
    def nik(self) -> str:
        return nik_lib.decrypt_nik(self.nik_encrypted) if self.nik_encrypted else ""

    @nik.setter
    def nik(self, value: str) -> None:
        value = nik_lib.normalize_nik(value)
        self.nik_encrypted = nik_lib.encrypt_nik(value) if value else ""


class ImportHeaderMapping(models.Model):
    """The headers of a regency's own officials sheets, mapped once to the template's columns on the
    import's mapping page: the next file of any user of the regency with the same headers imports
    directly. `mapping` is {loose_key of the file's header: column key}; another regency never uses it."""

    regency = models.OneToOneField(
        Regency, models.CASCADE, related_name="import_header_mapping", verbose_name=_("regency")
    )
    mapping = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("import header mapping")
        verbose_name_plural = _("import header mappings")

    def __str__(self) -> str:
        return str(self.regency_id)
