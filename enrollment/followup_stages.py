"""Where each desa of the follow-up list stands with its submission, for the list to put first those
that have sent nothing.

Submissions are an app above this one, so the list asks through this hook instead of importing them;
the submissions app registers its annotation when it is ready (submissions/apps.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import CharField, IntegerField, QuerySet, Value

from core.models import Program, Village

# Annotates each village with `submission_status` (its latest submission's status in the program, or
# None) and `submission_stage`: 0 nothing sent, 1 returned, 2 waiting at DPMD, 3 waiting at BPJS.
StageAnnotation = Callable[[QuerySet[Village], Program], QuerySet[Village]]
_annotations: list[StageAnnotation] = []


def register(annotation: StageAnnotation) -> None:
    if annotation not in _annotations:
        _annotations.append(annotation)


def with_submission_stage(villages: QuerySet[Village], program: Program) -> QuerySet[Village]:
    for annotation in _annotations:
        villages = annotation(villages, program)
    if not _annotations:
        villages = villages.annotate(
            submission_status=Value(None, output_field=CharField()),
            submission_stage=Value(0, output_field=IntegerField()),
        )
    return villages
