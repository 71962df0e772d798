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


def with_submission_stage(villages, program: Program):
    """Each desa with its latest submission's status in the program (`submission_status`, None when it
    has none) and how far that is (`submission_stage`): nothing sent (none, or a draft), returned to the
    desa, waiting at DPMD (submitted or verified), waiting at BPJS (forwarded). Two subqueries."""
    from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When

    from submissions.models import Submission

    latest = Submission.objects.filter(village=OuterRef("pk"), program=program).order_by("-created_at", "-pk")
    Status = Submission.Status
    return villages.annotate(submission_status=Subquery(latest.values("status")[:1])).annotate(
        submission_stage=Case(
            When(submission_status=Status.RETURNED, then=Value(1)),
            When(submission_status__in=[Status.SUBMITTED, Status.VERIFIED], then=Value(2)),
            When(submission_status=Status.FORWARDED, then=Value(3)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def officials_waiting_at_dpmd(person_ids, program_codes, day, villages=None) -> dict:
    """Of these officials, those a submission of a desa where they hold a post on `day` put before DPMD
    (submitted or verified), per program: {(person id, program code): the day it was submitted}. Only the
    submissions of `villages` when given (the viewer's scope). One query."""
    from django.db.models import Q
    from django.utils import timezone

    from submissions.models import Submission

    found = Submission.objects.filter(
        Q(village__posts__ended_on__isnull=True) | Q(village__posts__ended_on__gt=day),
        village__posts__person_id__in=list(person_ids),
        village__posts__term_start__lte=day,
        program_id__in=list(program_codes),
        status__in=Submission.LOCKING_STATUSES,
    )
    if villages is not None:
        found = found.filter(village__in=villages)
    waiting: dict = {}
    for person_id, program_id, submitted_at, created_at in found.values_list(
        "village__posts__person_id", "program_id", "submitted_at", "created_at"
    ):
        since = timezone.localdate(submitted_at or created_at)
        key = (person_id, program_id)
        waiting[key] = min(since, waiting.get(key, since))
    return waiting
