"""Small arithmetic every figure uses the same way."""

from __future__ import annotations


def percent(part: int, whole: int | None) -> float | None:
    """A share in percent, one decimal (12,5%); None where there is nothing to share."""
    return round(100 * part / whole, 1) if whole else None
