"""Optimistic locking of the rows users edit: officials, posts and enrollments carry a `version` that
every save increments. A form or API client sends back the version it read; the service re-reads the
row under a lock and refuses the write when the row changed meanwhile, naming who changed it and when
(from its history), so a form opened earlier cannot silently undo a newer change."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Versioned(models.Model):
    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Bulk updates bypass save(): their callers bump `version` themselves (bump_versions).
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


def bump_versions(rows) -> list[str]:
    """For a bulk update of `rows`: increment each one's version; the field to add to the update."""
    for row in rows:
        row.version += 1
    return ["version"]


class StaleVersion(ValidationError):
    """The row changed since the user read it: nothing was saved (the API answers 409)."""


def _changed_by(row: models.Model) -> str:
    latest = row.history.order_by("-history_date", "-history_id").select_related("history_user").first()
    user = latest.history_user if latest is not None else None
    when = latest.history_date if latest is not None else timezone.now()
    return _("This record was changed by %(user)s at %(when)s; reload the page.") % {
        "user": (user.get_full_name() or user.get_username()) if user is not None else _("another user"),
        "when": formats.date_format(timezone.localtime(when), "DATETIME_FORMAT"),
    }


def lock_version(row: models.Model, expected: int | None) -> None:
    """Within the service's transaction: lock `row`'s database row and compare its version with the one
    the user read (`expected`; None when the caller is no form, such as a background job). A stale
    version raises StaleVersion; otherwise `row` continues from the locked version."""
    current = type(row)._base_manager.select_for_update(of=("self",)).only("version").get(pk=row.pk)
    ensure_current(current, expected)
    if expected is not None and row.version != expected:  # changed after `row` was read
        raise StaleVersion(_changed_by(current))
    row.version = current.version


def ensure_current(locked: models.Model, expected: int | None) -> None:
    """The one compare: `locked` (read under select_for_update) is still at the version the user read."""
    if expected is not None and locked.version != expected:
        raise StaleVersion(_changed_by(locked))
