"""Where an official stands in a program, the one place it is decided: every page that shows an
official's status per program (the village page, the official's page, the search) reads it from here.

Exactly one of six kinds, on a day:
- not_registered: nothing sent for them yet;
- submitted: sent and waiting, at DPMD (their desa's submission is submitted or verified) or at BPJS
  (their enrollment is requested), since a date;
- active: an enrollment covers the day (the `covering` predicate the figures count), with its number;
- rejected: BPJS refused the enrollment, with its reason;
- inactive: made inactive, mostly for an unpaid month of JKN (menunggak);
- ended: coverage ended.

A list whose people come with their enrollments in one program already loaded (`program_enrollments`,
as the dashboard's officials list prefetches them) gets theirs with `attach_program_status`.

Submissions are an app above this one, so "waiting at DPMD" is asked through a hook the submissions app
registers when it is ready (submissions/apps.py), as the roster lock does (villages/locks.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Program
from enrollment.models import Enrollment

Kind = Literal["not_registered", "submitted", "active", "rejected", "inactive", "ended"]
Where = Literal["", "dpmd", "bpjs"]

LABELS = {
    "not_registered": _("not registered"),
    "submitted": _("submitted"),
    "active": _("active"),
    "rejected": _("rejected by BPJS"),
    "inactive": _("inactive — unpaid"),
    "ended": _("ended"),
}


@dataclass(frozen=True)
class ProgramStatus:
    kind: Kind
    program_id: str
    since: dt.date | None = None  # submitted, active, inactive, ended: from when
    where: Where = ""  # submitted: at DPMD or at BPJS
    number: str = ""  # active (and inactive): the participant number, unmasked; templates mask it
    reason: str = ""  # rejected: BPJS's reason
    enrollment_status: str | None = None  # the status of the enrollment this was read from, if any

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])


# (person ids, program codes, day, villages in scope or None for all) → {(person id, program code): since}
WaitingCheck = Callable[[list[int], list[str], dt.date, QuerySet | None], dict[tuple[int, str], dt.date]]
_waiting_checks: list[WaitingCheck] = []


def register_waiting(check: WaitingCheck) -> None:
    """Add a check answering which of the officials wait at DPMD in which program, since when (one query)."""
    if check not in _waiting_checks:
        _waiting_checks.append(check)


def _waiting_at_dpmd(person_ids, program_codes, day, villages) -> dict[tuple[int, str], dt.date]:
    waiting: dict[tuple[int, str], dt.date] = {}
    for check in _waiting_checks:
        for key, since in check(person_ids, program_codes, day, villages).items():
            waiting[key] = min(since, waiting.get(key, since))
    return waiting


def _covers(enrollment: Enrollment, day: dt.date) -> bool:
    """`enrollment.models.covering` for one loaded row: the figures and the statuses agree."""
    return (
        enrollment.status in Enrollment.COVERING_STATUSES
        and enrollment.start_date is not None
        and enrollment.start_date <= day
        and (enrollment.end_date is None or enrollment.end_date > day)
        and (enrollment.status == Enrollment.Status.ACTIVE or enrollment.end_date is not None)
    )


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _pick(enrollments: list[Enrollment], day: dt.date) -> Enrollment | None:
    """The enrollment that says where the official stands: one covering the day, else the open one, else
    the latest closed one."""
    covering = [e for e in enrollments if _covers(e, day)]
    if covering:
        return max(covering, key=lambda e: (e.start_date, e.pk))
    open_ = [e for e in enrollments if e.status in Enrollment.OPEN_STATUSES]
    return max(open_ or enrollments, key=lambda e: e.pk, default=None)


def program_status(
    enrollments: Iterable[Enrollment], *, program_id: str, day: dt.date, waiting_since: dt.date | None = None
) -> ProgramStatus:
    """The status of one official in one program from their enrollments in it and, when their desa's
    submission waits at DPMD, since when."""
    enrollment = _pick(list(enrollments), day)
    status = _status_of(enrollment, program_id=program_id, day=day, waiting_since=waiting_since)
    if enrollment is None:
        return status
    return replace(status, enrollment_status=enrollment.status)


def _status_of(
    enrollment: Enrollment | None, *, program_id: str, day: dt.date, waiting_since: dt.date | None
) -> ProgramStatus:
    S = Enrollment.Status
    if enrollment is not None and _covers(enrollment, day):
        return ProgramStatus("active", program_id, since=enrollment.start_date, number=enrollment.participant_number)
    if enrollment is not None and enrollment.status == S.REQUESTED:
        return ProgramStatus("submitted", program_id, since=_local_date(enrollment.created_at), where="bpjs")
    if enrollment is not None and enrollment.status == S.INACTIVE:
        return ProgramStatus("inactive", program_id, since=enrollment.end_date, number=enrollment.participant_number)
    if (
        enrollment is not None
        and enrollment.status == S.ACTIVE
        and enrollment.start_date
        and enrollment.start_date > day
    ):
        # Activated from a day still to come: BPJS has it, coverage has not begun.
        return ProgramStatus("submitted", program_id, since=_local_date(enrollment.created_at), where="bpjs")
    # Nothing open: a new submission of the desa waiting at DPMD says more than an old refusal or end.
    if waiting_since is not None:
        return ProgramStatus("submitted", program_id, since=waiting_since, where="dpmd")
    if enrollment is None:
        return ProgramStatus("not_registered", program_id)
    if enrollment.status == S.REJECTED:
        return ProgramStatus("rejected", program_id, reason=enrollment.rejection_reason)
    return ProgramStatus("ended", program_id, since=enrollment.end_date)


def program_statuses(
    *,
    person_ids: Iterable[int],
    programs: Iterable[Program],
    day: dt.date,
    enrollments: QuerySet[Enrollment],
    villages: QuerySet | None = None,
) -> dict[tuple[int, str], ProgramStatus]:
    """The status of each of the officials in each program, keyed (person id, program code). `enrollments`
    are those the viewer may see (enrollments_visible_to); `villages` the desa whose submissions may tell
    that one waits at DPMD (None: all). Two queries for any number of officials."""
    person_ids = list(dict.fromkeys(person_ids))
    codes = [p.code for p in programs]
    if not person_ids or not codes:
        return {}
    rows = enrollments.filter(person_id__in=person_ids, program_id__in=codes).order_by()
    by_key: dict[tuple[int, str], list[Enrollment]] = {}
    for enrollment in rows:
        by_key.setdefault((enrollment.person_id, enrollment.program_id), []).append(enrollment)
    waiting = _waiting_at_dpmd(person_ids, codes, day, villages)
    return {
        (pid, code): program_status(
            by_key.get((pid, code), []), program_id=code, day=day, waiting_since=waiting.get((pid, code))
        )
        for pid in person_ids
        for code in codes
    }


def attach_program_status(people: list, *, program: Program, day: dt.date, villages: QuerySet | None = None) -> list:
    """Each person's status in `program` as `person.program_status`, from their prefetched
    `program_enrollments` and one query for those whose desa's submission waits at DPMD."""
    waiting = _waiting_at_dpmd([p.pk for p in people], [program.code], day, villages) if people else {}
    for person in people:
        person.program_status = program_status(
            person.program_enrollments,
            program_id=program.code,
            day=day,
            waiting_since=waiting.get((person.pk, program.code)),
        )
    return people
