"""Writes of enrollments. Every change is saved through simple-history with the acting user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import FundingSource, Program
from core.versioning import bump_versions
from enrollment.models import Enrollment
from enrollment.selectors import participant_number_taken_message, participant_numbers_taken
from villages.models import Person

# Which status may follow which; anything else is refused.
TRANSITIONS: dict[str, set[str]] = {
    Enrollment.Status.REQUESTED: {Enrollment.Status.ACTIVE, Enrollment.Status.REJECTED},
    Enrollment.Status.ACTIVE: {Enrollment.Status.INACTIVE, Enrollment.Status.ENDED},
    Enrollment.Status.INACTIVE: {Enrollment.Status.ACTIVE, Enrollment.Status.ENDED},
    Enrollment.Status.REJECTED: set(),
    Enrollment.Status.ENDED: set(),
}


NUMBER_CONSTRAINT = "one_participant_number_per_program"


class ParticipantNumberTaken(ValidationError):
    """A participant number the database refused: a concurrent write gave it to another open enrollment of
    the program first. `enrollment_ids` are the enrollments whose number was taken."""

    def __init__(self, taken: list[Enrollment]):
        super().__init__(
            {"participant_number": [participant_number_taken_message(e.program, e.participant_number) for e in taken]}
        )
        self.enrollment_ids = {e.pk for e in taken}


def _clashes_on_number(exc: IntegrityError) -> bool:
    text = str(exc)  # PostgreSQL names the constraint, SQLite its columns
    return NUMBER_CONSTRAINT in text or "enrollment_enrollment.participant_number" in text


@contextmanager
def participant_numbers_written(enrollments: Iterable[Enrollment]) -> Iterator[None]:
    """Write participant numbers in a savepoint. The checks before the write cannot see a concurrent
    approval of the same number; the database's constraint can, and its refusal becomes the usual
    message about a number already taken, not a failed request."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if not _clashes_on_number(exc):
            raise
        wanted = [e for e in enrollments if e.participant_number]
        taken_pairs = participant_numbers_taken((e, e.participant_number) for e in wanted)
        taken = [e for e in wanted if (e.program_id, e.participant_number) in taken_pairs] or wanted
        raise ParticipantNumberTaken(taken) from exc


def default_segment(program: Program) -> str:
    return Enrollment.Segment.PPU if program.code == Program.KESEHATAN else Enrollment.Segment.PU


@transaction.atomic
def enrollment_create(
    *,
    actor: User | None,
    person: Person,
    program: Program,
    funding_source: FundingSource,
    components: Iterable[str] | None = None,
    status: str = Enrollment.Status.REQUESTED,
    participant_number: str = "",
    start_date: dt.date | None = None,
    note: str = "",
) -> Enrollment:
    enrollment = Enrollment(
        person=person,
        program=program,
        funding_source=funding_source,
        status=status,
        segment=default_segment(program),
        participant_number=participant_number,
        start_date=start_date,
        note=note,
    )
    enrollment._history_user = actor
    enrollment.full_clean()
    with participant_numbers_written([enrollment]):
        enrollment.save()
    enrollment.components.set(program.components_for(components))
    return enrollment


@transaction.atomic
def enrollment_change_status(
    *,
    actor: User | None,
    enrollment: Enrollment,
    status: str,
    on: dt.date,
    participant_number: str | None = None,
    note: str = "",
) -> Enrollment:
    """Move an enrollment along its life: requested → active/rejected, active ⇄ inactive, → ended.

    Activation sets the start date; inactivation and ending set the end date, so coverage on any past
    day can be read from the dates alone. Reactivating an inactive enrollment therefore closes it and
    opens a new one from `on` with the same participant number: the gap stays uncovered in the record."""
    if status not in Enrollment.Status.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    if status not in TRANSITIONS[enrollment.status]:
        raise ValidationError(
            _("An enrollment that is %(old)s cannot become %(new)s.")
            % {"old": enrollment.get_status_display(), "new": Enrollment.Status(status).label}
        )
    if enrollment.status == Enrollment.Status.INACTIVE and status == Enrollment.Status.ACTIVE:
        return _reactivate(actor=actor, enrollment=enrollment, on=on, participant_number=participant_number, note=note)
    if participant_number is not None:
        enrollment.participant_number = participant_number
    if status == Enrollment.Status.ACTIVE:
        enrollment.start_date = on
    elif status in (Enrollment.Status.INACTIVE, Enrollment.Status.ENDED) and enrollment.end_date is None:
        enrollment.end_date = on
    enrollment.status = status
    if note:
        enrollment.note = note
    enrollment._history_user = actor
    enrollment.full_clean()
    with participant_numbers_written([enrollment]):
        enrollment.save()
    return enrollment


def _reactivate(
    *, actor: User | None, enrollment: Enrollment, on: dt.date, participant_number: str | None, note: str
) -> Enrollment:
    enrollment.status = Enrollment.Status.ENDED
    enrollment._history_user = actor
    enrollment.save(update_fields=["status", "updated_at"])
    return enrollment_create(
        actor=actor,
        person=enrollment.person,
        program=enrollment.program,
        funding_source=enrollment.funding_source,
        components=[c.code for c in enrollment.components.all()],
        status=Enrollment.Status.ACTIVE,
        participant_number=participant_number or enrollment.participant_number,
        start_date=on,
        note=note or enrollment.note,
    )


@transaction.atomic
def enrollments_activate(*, actor: User | None, items: list[tuple[Enrollment, str, dt.date]]) -> list[Enrollment]:
    """Activate many requested enrollments at once, each with its participant number and start date,
    in a constant number of queries (one bulk update, one bulk history insert). All or none: the
    first row that cannot be activated raises, and the transaction keeps nothing."""
    from django.utils import timezone
    from simple_history.utils import bulk_update_with_history

    changed, now = [], timezone.now()
    for enrollment, number, start in items:
        if Enrollment.Status.ACTIVE not in TRANSITIONS[enrollment.status]:
            raise ValidationError(
                _("An enrollment that is %(old)s cannot become %(new)s.")
                % {"old": enrollment.get_status_display(), "new": Enrollment.Status.ACTIVE.label}
            )
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.participant_number = number
        enrollment.start_date = start
        enrollment.updated_at = now  # bulk_update leaves auto_now fields alone
        # Related rows were loaded with the enrollments and uniqueness was checked for the batch:
        # skip the per-row queries full_clean would make for them.
        enrollment.full_clean(exclude=["person", "program", "funding_source"], validate_constraints=False)
        changed.append(enrollment)
    with participant_numbers_written(changed):
        bulk_update_with_history(
            changed,
            Enrollment,
            ["status", "participant_number", "start_date", "updated_at", *bump_versions(changed)],
            batch_size=500,
            default_user=actor,
            default_change_reason="activated",
        )
    return changed


# Enrollments changed per statement and per history insert when many change at once: bounded memory.
CHUNK = 2000


@transaction.atomic
def enrollments_make_inactive(*, actor: User | None, enrollment_ids: list[int], on: dt.date, reason: str) -> list[int]:
    """Make many active enrollments inactive from `on` (the end date, unless one is set already), as
    enrollment_change_status does one at a time: the version bumped and a history row each, with
    `actor` and `reason`. In chunks of CHUNK: each chunk is locked and re-read first, so an enrollment
    changed meanwhile (no longer active) is left alone; then one UPDATE (every row gets the same values,
    so no per-row CASE as bulk_update would write) and one insert of the history rows. Returns the ids
    made inactive."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    changed_ids, now = [], timezone.now()
    for i in range(0, len(enrollment_ids), CHUNK):
        chunk = enrollment_ids[i : i + CHUNK]
        active = Enrollment.objects.filter(pk__in=chunk, status=Enrollment.Status.ACTIVE)
        rows = list(active.select_for_update(of=("self",)).order_by("pk"))
        if not rows:
            continue
        # active → inactive is always allowed and keeps a row valid (the database checks the end date
        # against the start date): no per-row full_clean.
        Enrollment.objects.filter(pk__in=[e.pk for e in rows]).update(
            status=Enrollment.Status.INACTIVE,
            end_date=Coalesce("end_date", Value(on)),
            updated_at=now,
            version=F("version") + 1,
        )
        for enrollment in rows:  # the rows as the UPDATE left them, for their history
            enrollment.status = Enrollment.Status.INACTIVE
            enrollment.end_date = enrollment.end_date or on
            enrollment.updated_at = now
        bump_versions(rows)
        Enrollment.history.bulk_history_create(
            rows, batch_size=CHUNK, update=True, default_user=actor, default_change_reason=reason, default_date=now
        )
        changed_ids.extend(e.pk for e in rows)
    return changed_ids
