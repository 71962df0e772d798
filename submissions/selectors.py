"""Reads of submissions and documents: the roster lock and the papers still missing."""

from __future__ import annotations

from core.models import Program, Village


def locked_village_ids(village_ids) -> set[str]:
    """The desa among these whose roster is locked: DPMD holds one of their submissions (submitted or
    verified). One query for any number of desa."""
    from submissions.models import Submission

    return set(
        Submission.objects.filter(village__in=list(village_ids), status__in=Submission.LOCKING_STATUSES)
        .order_by()
        .values_list("village_id", flat=True)
        .distinct()
    )


def roster_locked(village: Village) -> bool:
    return bool(locked_village_ids([village.pk]))


def missing_documents(person_ids: list[int], programs: list[Program]) -> dict[int, list]:
    """For each person, the active document types the given programs require that they have not
    uploaded yet ("berkas belum lengkap"). Two queries, whatever the number of people."""
    from core.models import DocumentType
    from submissions.models import Document

    required = list(DocumentType.objects.filter(is_active=True, programs__in=programs).distinct())
    have = set(
        Document.objects.filter(person_id__in=person_ids, document_type__in=required).values_list(
            "person_id", "document_type_id"
        )
    )
    return {pid: [t for t in required if (pid, t.pk) not in have] for pid in person_ids}
