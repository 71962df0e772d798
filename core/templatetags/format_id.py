"""Indonesian number formatting for templates: 1.220, Rp1.700.000.000, 12,5%. Formatting only."""

from __future__ import annotations

from django import template
from lokal import format_rupiah

register = template.Library()


@register.filter
def angka(value) -> str:
    """1220 → "1.220"."""
    if value is None or value == "":
        return "–"
    return f"{int(value):,}".replace(",", ".")


@register.filter
def rupiah(value) -> str:
    """1700000000 → "Rp1.700.000.000"."""
    if value is None or value == "":
        return "–"
    return format_rupiah(int(value))


@register.filter
def persen(value) -> str:
    """12.5 → "12,5%"; 100.0 → "100%"; no value (nothing to divide by) → "–"."""
    if value is None:
        return "–"
    text = f"{float(value):.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')}%"


@register.filter
def bar_step(value) -> int:
    """A percentage as a whole step 0-100 for the bar classes of app.css (`w-0` … `w-100`): a width
    without an inline style attribute, which the Content-Security-Policy refuses. Above zero, at least 1."""
    if value is None:
        return 0
    pct = max(0.0, min(100.0, float(value)))
    return max(1, round(pct)) if pct > 0 else 0
