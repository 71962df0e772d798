"""Numbers shown to roles that need only to know they exist: a participant number masked to its last
four digits (the NIK's mask is core.nik.mask_nik). The decision is core.permissions'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.models import Program
from core.permissions import may_see_participant_number

if TYPE_CHECKING:
    from accounts.models import User

SHOWN_DIGITS = 4


def mask_participant_number(number: str) -> str:
    """0001234567890 → •••••••••7890: enough to match a BPJS card, not enough to open the account."""
    if not number:
        return ""
    if len(number) <= SHOWN_DIGITS:
        return "•" * len(number)
    return "•" * (len(number) - SHOWN_DIGITS) + number[-SHOWN_DIGITS:]


def participant_number_for(user: User, program: Program | str, number: str | None) -> str:
    """The number as this user may see it: whole, or masked for a role that needs only the status."""
    number = number or ""
    return number if may_see_participant_number(user, program) else mask_participant_number(number)
