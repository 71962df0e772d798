"""Where uploaded files are stored. The names are referenced by migrations: keep them importable."""

from __future__ import annotations


def document_path(instance, filename: str) -> str:
    return f"documents/{instance.person_id}/{instance.document_type_id}-{instance.token}{instance.extension}"


def reconciliation_path(instance, filename: str) -> str:
    return f"reconciliations/{instance.token}-{filename}"
