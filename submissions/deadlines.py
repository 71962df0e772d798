"""Registration deadlines (rules.md §1, Permendagri 119/2019 art. 3–4): an official is registered with
BPJS within one month of inauguration (pelantikan). Who is past that deadline, per desa, and the daily
reminder to the desa concerned.

An official is *overdue* in a program on a day when they hold a current post whose inauguration date
(the term start when no inauguration date is recorded) is more than the registration rule's months
(core.RegistrationRule: one) before that day, and they have no open enrollment
(requested, active, inactive) and none covering that day.
Everything is counted in SQL: the same number of queries for 10 desa as for 10,000.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Notification, User
from accounts.notifications import dpmd_users, in_app_language, notified_since, notify, village_users
from core.models import Program, Village
from core.roles import Role
from core.rules import deadline_months_on, reminder_program_codes
from core.selectors import governed_villages
from core.spreadsheets.columns import Column, village_columns
from core.spreadsheets.writer import title_text, xlsx_response
from enrollment.models import Enrollment, covering
from submissions.models import Submission
from villages.models import Post

# Reminders go out for the programs marked `sends_reminders` (JKN, whose deadline is regulated); others
# can be added per call.


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def registration_deadline(started_on: dt.date, *, months: int = 1) -> dt.date:
    """The last day to register someone inaugurated on `started_on`: `months` calendar months later."""
    return _add_months(started_on, months)


def overdue_cutoff(day: dt.date) -> dt.date:
    """The earliest start date whose deadline has not passed on `day`: anyone who started before it
    is overdue. The deadline's length is the rule in force on `day` (core.RegistrationRule), so a
    change applies from its date and leaves the days before it alone. (Month ends make this more than a
    subtraction: on 31 March the deadline of someone inaugurated on 28 February, 28 March, has passed.)"""
    months = deadline_months_on(day)
    cutoff = _add_months(day, -months)
    while registration_deadline(cutoff, months=months) < day:
        cutoff += dt.timedelta(days=1)
    while registration_deadline(cutoff - dt.timedelta(days=1), months=months) >= day:
        cutoff -= dt.timedelta(days=1)
    return cutoff


def _registered(program: Program, day: dt.date, person_ref: str = "person") -> Exists:
    return Exists(
        Enrollment.objects.filter(person=OuterRef(person_ref), program=program).filter(
            Q(status__in=Enrollment.OPEN_STATUSES) | covering(day)
        )
    )


def overdue_posts(*, program: Program, day: dt.date) -> QuerySet[Post]:
    """Current posts past the registration deadline whose holder is not registered in the program,
    each with its `started_on` and `deadline` (a day) annotated. Not yet limited to any villages."""
    return (
        Post.objects.current()
        .filter(village__kind__in=Village.GOVERNED_KINDS)
        .annotate(started_on=Coalesce("inauguration_date", "term_start"))
        .filter(started_on__lt=overdue_cutoff(day))
        .filter(~_registered(program, day))
    )


def _ever_submitted(program: Program) -> Exists:
    return Exists(Submission.objects.filter(village=OuterRef("pk"), program=program, submitted_at__isnull=False))


def villages_behind_deadline(*, villages: QuerySet[Village], program: Program, day: dt.date) -> QuerySet[Village]:
    """The desa among `villages` with overdue officials or that never submitted for the program, each
    with `overdue_officials`, `oldest_start`, `ever_submitted` and `open_status` (of its open
    submission, if any). One query."""
    overdue = overdue_posts(program=program, day=day).filter(village=OuterRef("pk")).order_by().values("village")
    open_submission = Submission.objects.filter(
        village=OuterRef("pk"), program=program, status__in=Submission.OPEN_STATUSES
    )
    return (
        governed_villages(villages)
        .annotate(
            overdue_officials=Coalesce(Subquery(overdue.annotate(n=Count("person", distinct=True)).values("n")), 0),
            oldest_start=Subquery(overdue.annotate(first=Min("started_on")).values("first")),
            ever_submitted=_ever_submitted(program),
            open_status=Subquery(open_submission.values("status")[:1]),
            open_submission_id=Subquery(open_submission.values("pk")[:1]),
        )
        .filter(Q(overdue_officials__gt=0) | Q(ever_submitted=False))
        .select_related("subdistrict")
        .order_by("-overdue_officials", "subdistrict__name", "name")
    )


@dataclass(frozen=True)
class DeadlineSummary:
    officials_overdue: int
    villages_overdue: int
    villages_never_submitted: int
    villages_total: int


def deadline_summary(*, villages: QuerySet[Village], program: Program, day: dt.date) -> DeadlineSummary:
    """The figures at the top of the deadlines page: two queries."""
    desa = governed_villages(villages)
    posts = overdue_posts(program=program, day=day).filter(village__in=desa)
    officials = posts.aggregate(n=Count("person", distinct=True))["n"]
    overdue_here = Exists(posts.filter(village=OuterRef("pk")))
    figures = desa.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(overdue_here)),
        never=Count("pk", filter=~Q(_ever_submitted(program))),
    )
    return DeadlineSummary(officials, figures["overdue"], figures["never"], figures["total"])


def overdue_officials(*, villages: QuerySet[Village], program: Program, day: dt.date) -> QuerySet[Post]:
    """The overdue posts behind the figures, oldest first, with person and village for display."""
    return (
        overdue_posts(program=program, day=day)
        .filter(village__in=governed_villages(villages))
        .select_related("person", "village__subdistrict")
        .order_by("started_on", "village__code", "person__full_name", "pk")
    )


def overdue_officials_xlsx(posts: QuerySet[Post], *, regency, program: Program, day: dt.date) -> HttpResponse:
    """The officials past the deadline, the rows of the page in its order, the NIK masked as there."""
    columns = [
        *village_columns(),
        Column("name", _("Name"), 28),
        Column("nik", _("NIK"), 20, text=True),
        Column("post", _("Post"), 26),
        Column("started", _("Inaugurated"), 14, date=True),
    ]
    rows = (
        [
            p.village.code,
            p.village.name,
            p.village.subdistrict.name,
            p.person.full_name,
            p.person.nik_masked,
            p.title,
            p.started_on,
        ]
        for p in posts.iterator(chunk_size=2000)
    )
    title = title_text(_("Officials past the deadline"), regency=regency, program=program, day=day)
    filename = f"tenggat-{program.code}-{regency.code}-{day.isoformat()}.xlsx"
    return xlsx_response(filename=filename, sheet_title=program.short_name, title=title, columns=columns, rows=rows)


# --- the daily reminder ------------------------------------------------------------------------------


def reminder_link(village: Village) -> str:
    """Where a deadline reminder leads: the desa's submissions."""
    return reverse("village-submissions", args=[village.pk])


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def deadline_reminders_send(*, day: dt.date | None = None, program_codes: Iterable[str] | None = None) -> int:
    """Remind each desa with overdue officials, once a day at most, unless DPMD holds its submission
    (submitted or verified: then the wait is not the village's). Returns how many desa were notified.

    Idempotent within a day: a desa that already received today's reminder is skipped, so a retried or
    twice-scheduled run sends nothing more."""
    day = day or timezone.localdate()
    programs = list(Program.objects.filter(pk__in=list(program_codes or reminder_program_codes())))
    waiting: dict[str, list[tuple[Program, int]]] = defaultdict(list)
    for program in programs:  # one query per program, whatever the number of desa
        rows = (
            overdue_posts(program=program, day=day)
            .exclude(
                Exists(
                    Submission.objects.filter(
                        village=OuterRef("village"), program=program, status__in=Submission.LOCKING_STATUSES
                    )
                )
            )
            .values("village")
            .annotate(n=Count("person", distinct=True))
            .order_by("village")
        )
        for row in rows:
            waiting[row["village"]].append((program, row["n"]))
    users: dict[str, list[User]] = defaultdict(list)
    for user in User.objects.filter(role=Role.VILLAGE, is_active=True, village__in=list(waiting)):
        users[user.village_id].append(user)
    since = _start_of(day)
    sent = 0
    for village in Village.objects.filter(pk__in=[code for code in waiting if users[code]]).order_by("pk"):
        sent += _remind(village, waiting[village.pk], users[village.pk], since)
    return sent


@transaction.atomic
def _remind(village: Village, waiting: list[tuple[Program, int]], users: list[User], since: dt.datetime) -> int:
    Village.objects.select_for_update().filter(pk=village.pk).first()  # one reminder even if two runs overlap
    if notified_since(kind=Notification.Kind.REMINDER, since=since).filter(user__village=village).exists():
        return 0
    with in_app_language():
        counts = ", ".join(f"{program.short_name}: {n}" for program, n in waiting)
        message = _(
            "Officials of %(village)s are waiting more than one month after their inauguration to be "
            "registered with BPJS (%(counts)s). Submit them to DPMD."
        ) % {"village": village.name, "counts": counts}
    notify(users=users, kind=Notification.Kind.REMINDER, message=message, link=reminder_link(village))
    return 1


# --- deadlines due in a week -------------------------------------------------------------------------

DEADLINE_NOTICE_DAYS = 7


def deadline_soon_send(*, day: dt.date | None = None, program_codes: Iterable[str] | None = None) -> int:
    """Tell each desa whose unregistered officials reach their registration deadline in exactly
    DEADLINE_NOTICE_DAYS days, and its regency's DPMD (one message per regency). Each official is
    announced on one day only; a desa or DPMD already told today is skipped. Returns how many messages."""
    day = day or timezone.localdate()
    due = day + dt.timedelta(days=DEADLINE_NOTICE_DAYS)
    since = _start_of(day)
    programs = list(Program.objects.filter(pk__in=list(program_codes or reminder_program_codes())))
    per_village: dict[str, list[tuple[Program, int]]] = defaultdict(list)
    for program in programs:  # one query per program, whatever the number of desa
        rows = (
            Post.objects.current()
            .filter(village__kind__in=Village.GOVERNED_KINDS)
            .annotate(started_on=Coalesce("inauguration_date", "term_start"))
            .filter(started_on__gte=overdue_cutoff(due), started_on__lt=overdue_cutoff(due + dt.timedelta(days=1)))
            .filter(~_registered(program, day))
            .values("village")
            .annotate(n=Count("person", distinct=True))
            .order_by("village")
        )
        for row in rows:
            per_village[row["village"]].append((program, row["n"]))
    if not per_village:
        return 0
    villages = Village.objects.filter(pk__in=list(per_village)).select_related("subdistrict").order_by("pk")
    told = set(notified_since(kind=Notification.Kind.DEADLINE_SOON, since=since).values_list("user_id", flat=True))
    sent = 0
    regencies: dict[str, list[Village]] = defaultdict(list)
    with in_app_language():
        for village in villages:
            regencies[village.subdistrict.regency_id].append(village)
            users = [u for u in village_users(village) if u.pk not in told]
            if users:
                notify(
                    users=users,
                    kind=Notification.Kind.DEADLINE_SOON,
                    message=_soon_message(village.name, per_village[village.pk], due),
                    link=reminder_link(village),
                )
                sent += 1
        for regency_id, listed in regencies.items():
            users = [u for u in dpmd_users(regency_id) if u.pk not in told]
            if users:
                n = sum(count for v in listed for _p, count in per_village[v.pk])
                message = ngettext(
                    "%(n)s official of %(villages)s desa reaches the BPJS registration deadline on %(date)s: "
                    "%(names)s.",
                    "%(n)s officials of %(villages)s desa reach the BPJS registration deadline on %(date)s: %(names)s.",
                    n,
                ) % {
                    "n": n,
                    "villages": len(listed),
                    "date": date_format(due),
                    "names": ", ".join(v.name for v in listed),
                }
                notify(users=users, kind=Notification.Kind.DEADLINE_SOON, message=message)
                sent += 1
    return sent


def _soon_message(village: str, waiting: list[tuple[Program, int]], due: dt.date) -> str:
    counts = ", ".join(f"{program.short_name}: {n}" for program, n in waiting)
    return _(
        "Officials of %(village)s reach their BPJS registration deadline on %(date)s (%(counts)s). "
        "Submit them to DPMD before then."
    ) % {"village": village, "date": date_format(due), "counts": counts}
