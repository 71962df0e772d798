"""The roles a user can have; each decides a scope (see core.selectors)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DPMD = "dpmd", _("DPMD staff")
    VILLAGE = "village", _("Village head / operator")
    BPJS = "bpjs", _("BPJS branch officer")
    PROVINCE = "province", _("Province observer")
