"""What every form page shows of its errors: a summary at the top that names each field and what it is
about ("Birth date (Sekretaris Desa): ..."), each linked to its field (templates/_error_summary.html)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms


@dataclass(frozen=True)
class ErrorItem:
    target: str  # the id of the field's element, for the summary's link
    text: str


def error_summary(form: forms.Form, subject: str) -> list[ErrorItem]:
    """One line per error of a visible field, in the order of the form; errors of no field (or of a
    hidden one, like a version) stay in the form's own message above the fields."""
    items = []
    for field in form.visible_fields():
        for message in field.errors:
            items.append(ErrorItem(target=field.auto_id or "", text=f"{field.label} ({subject}): {message}"))
    return items
