"""Query parameters shared by the pages and the API."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import Program
from core.selectors import programs_visible_to


def as_of_from(value: str | None) -> dt.date:
    """`as_of=YYYY-MM-DD`, today when absent."""
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("The date “%(value)s” is not valid. Use the form YYYY-MM-DD, for example 2026-01-31.") % {"value": value}
        ) from None


def program_for(user: User, code: str | None) -> Program:
    """The program named in the request, among those the user may see (404 otherwise)."""
    return get_object_or_404(programs_visible_to(user), pk=code or "")
