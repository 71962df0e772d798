"""Registration deadlines (rules.md §1: register within one month of inauguration): who is overdue, per
desa and in total, the DPMD page `/wilayah/<code>/tenggat/`, and the daily reminder task."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from core.models import Program, RegistrationRule, Village
from core.roles import Role
from enrollment.models import Enrollment
from submissions.deadlines import (
    deadline_summary,
    overdue_cutoff,
    overdue_posts,
    registration_deadline,
    villages_behind_deadline,
)
from submissions.models import Submission
from submissions.services import submission_start, submission_submit
from submissions.tasks import send_deadline_reminders, send_deadline_soon
from tests.factories import EnrollmentFactory, PersonFactory, PostFactory, UserFactory, make_nik
from tests.html import number, numbers, page, section
from tests.spreadsheets import table_rows
from villages.models import Person, Post

TODAY = timezone.localdate()
LONG_AGO = TODAY - dt.timedelta(days=90)
RECENTLY = TODAY - dt.timedelta(days=10)


def official(village, serial: int, *, inaugurated: dt.date | None, term_start: dt.date = LONG_AGO, **post) -> Person:
    person = PersonFactory(full_name=f"Perangkat {serial}", nik=make_nik(serial))
    PostFactory(person=person, village=village, inauguration_date=inaugurated, term_start=term_start, **post)
    return person


def overdue_people(program, villages, day=TODAY) -> set[int]:
    return set(overdue_posts(program=program, day=day).filter(village__in=villages).values_list("person_id", flat=True))


def deadlines_page(response) -> SimpleNamespace:
    """The deadlines page as it reads: its title, the card of officials past the deadline (in how many of
    how many desa), the desa table, and the list of officials with its count and links."""
    root = page(response)
    overdue = section(root, "Perangkat desa melewati tenggat")
    villages_overdue, villages_total = numbers(overdue.find("p", cls="muted").text)
    listed = next(s for s in root.find_all("section") if s.find("h2").text.endswith("perangkat desa melewati tenggat"))
    return SimpleNamespace(
        title=root.find("h1").text,
        officials_overdue=number(overdue.find("p", cls="big").text),
        villages_overdue=villages_overdue,
        villages_total=villages_total,
        villages=section(root, "Desa").find("table").rows(),
        listed=numbers(listed.find("h2").text)[0],
        official_links=listed.links(),
    )


# --- the deadline ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "deadline"),
    [
        (dt.date(2026, 1, 15), dt.date(2026, 2, 15)),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29)),
        (dt.date(2025, 12, 20), dt.date(2026, 1, 20)),
    ],
)
def test_the_deadline_is_one_calendar_month_after_inauguration(started, deadline):
    assert registration_deadline(started) == deadline


@pytest.mark.parametrize(
    ("day", "cutoff"),
    [
        (dt.date(2026, 3, 15), dt.date(2026, 2, 15)),  # started 15 Feb: deadline 15 Mar, not past yet
        (dt.date(2026, 3, 31), dt.date(2026, 3, 1)),  # started 28 Feb: deadline 28 Mar, past on the 31st
        (dt.date(2026, 1, 10), dt.date(2025, 12, 10)),
    ],
)
def test_overdue_means_started_before_the_cutoff(day, cutoff):
    assert overdue_cutoff(day) == cutoff
    assert registration_deadline(cutoff) >= day
    assert registration_deadline(cutoff - dt.timedelta(days=1)) < day


def test_who_is_overdue(suka_pindah, kes, tk):
    late = official(suka_pindah, 9601, inaugurated=LONG_AGO)
    recent = official(suka_pindah, 9602, inaugurated=RECENTLY)
    no_date = official(suka_pindah, 9603, inaugurated=None, term_start=LONG_AGO)
    requested = official(suka_pindah, 9604, inaugurated=LONG_AGO)
    EnrollmentFactory(person=requested, program=kes, status="requested", participant_number="", start_date=None)
    covered = official(suka_pindah, 9605, inaugurated=LONG_AGO)
    EnrollmentFactory(person=covered, program=kes)
    lapsed = official(suka_pindah, 9606, inaugurated=LONG_AGO)
    EnrollmentFactory(person=lapsed, program=kes, status="ended", end_date=dt.date(2022, 1, 1))
    former = official(suka_pindah, 9607, inaugurated=LONG_AGO, ended_on=RECENTLY, end_reason="pensiun")
    tk_only = official(suka_pindah, 9608, inaugurated=LONG_AGO)
    EnrollmentFactory(person=tk_only, program=tk, segment="PU", participant_number="17060100009")

    found = overdue_people(kes, [suka_pindah])

    assert {late.pk, no_date.pk, lapsed.pk, tk_only.pk} <= found
    assert not {recent.pk, requested.pk, covered.pk, former.pk} & found
    assert tk_only.pk not in overdue_people(tk, [suka_pindah])


def test_inauguration_date_wins_over_term_start(suka_pindah, kes):
    person = official(suka_pindah, 9611, inaugurated=RECENTLY, term_start=LONG_AGO)

    assert person.pk not in overdue_people(kes, [suka_pindah])


def test_villages_behind_deadline_counts_in_sql(suka_pindah, arah_tiga, kes, head_suka_pindah):
    a = official(suka_pindah, 9621, inaugurated=LONG_AGO)
    official(suka_pindah, 9622, inaugurated=LONG_AGO - dt.timedelta(days=30))
    submission_submit(
        actor=head_suka_pindah,
        submission=submission_start(actor=head_suka_pindah, village=suka_pindah, program=kes),
    )
    villages = Village.objects.filter(pk__in=[suka_pindah.pk, arah_tiga.pk])

    rows = {v.pk: v for v in villages_behind_deadline(villages=villages, program=kes, day=TODAY)}

    expected = len(overdue_people(kes, [suka_pindah]))
    assert rows[suka_pindah.pk].overdue_officials == expected >= 2
    assert rows[suka_pindah.pk].ever_submitted is True
    assert rows[suka_pindah.pk].open_status == "submitted"
    assert rows[suka_pindah.pk].oldest_start <= LONG_AGO - dt.timedelta(days=30)
    if arah_tiga.pk in rows:  # without the demo Arah Tiga has nobody, and has never submitted
        assert rows[arah_tiga.pk].ever_submitted is False
    assert a.pk in overdue_people(kes, [suka_pindah])


def test_a_village_that_submitted_once_is_no_longer_never_submitted(arah_tiga, kes, head_arah_tiga):
    villages = Village.objects.filter(pk=arah_tiga.pk)
    assert deadline_summary(villages=villages, program=kes, day=TODAY).villages_never_submitted == 1

    submission_start(actor=head_arah_tiga, village=arah_tiga, program=kes)  # a draft is not a submission
    assert deadline_summary(villages=villages, program=kes, day=TODAY).villages_never_submitted == 1

    submission_submit(actor=head_arah_tiga, submission=Submission.objects.get(village=arah_tiga))
    assert deadline_summary(villages=villages, program=kes, day=TODAY).villages_never_submitted == 0


# --- the page ----------------------------------------------------------------------------------------


def test_dpmd_sees_overdue_officials_per_village(suka_pindah, kes, dpmd_mukomuko, login):
    late = official(suka_pindah, 9631, inaugurated=LONG_AGO)

    response = login(dpmd_mukomuko).get("/wilayah/17.06/tenggat/")

    assert response.status_code == 200
    shown = deadlines_page(response)
    assert shown.title == "Tenggat pendaftaran: BPJS Kesehatan"
    row = next(r for r in shown.villages if (r["Desa"], r["Kecamatan"]) == ("Suka Pindah", "Lubuk Pinang"))
    assert number(row["Perangkat desa melewati tenggat"]) == len(overdue_people(kes, [suka_pindah]))
    assert shown.officials_overdue == shown.listed >= 1
    assert shown.villages_total == Village.objects.filter(subdistrict__regency_id="17.06", kind="desa").count()
    assert reverse("official-detail", args=[late.pk]) in shown.official_links


def test_the_program_is_chosen_with_a_parameter(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/wilayah/17.06/tenggat/?program=bpjs_ketenagakerjaan")

    assert deadlines_page(response).title == "Tenggat pendaftaran: BPJS TK"
    assert login(dpmd_mukomuko).get("/wilayah/17.06/tenggat/?program=bpjs_lain").status_code == 404


def test_bpjs_officer_sees_their_own_program_by_default(bpjs_tk_mukomuko, login):
    response = login(bpjs_tk_mukomuko).get("/wilayah/17.06/tenggat/")

    assert deadlines_page(response).title == "Tenggat pendaftaran: BPJS TK"
    assert login(bpjs_tk_mukomuko).get("/wilayah/17.06/tenggat/?program=bpjs_kesehatan").status_code == 404


def test_deadlines_page_is_404_outside_the_scope(dpmd_majene, head_suka_pindah, bpjs_kes_majene, login):
    for user in (dpmd_majene, head_suka_pindah, bpjs_kes_majene):
        assert login(user).get("/wilayah/17.06/tenggat/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, regions):
    response = client.get("/wilayah/17.06/tenggat/")

    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_deadlines_page_costs_the_same_for_few_and_many_villages(
    demo, dpmd_mukomuko, dpmd_majene, login, django_assert_max_num_queries
):
    # Mukomuko: everyone is in JKN; Majene: 49 of 62 desa are not. Both cost a few queries (the page's
    # own, the session, the user and the notification badge, the filter form's kecamatan and desa); an
    # empty page skips fetching its rows.
    for user, regency in ((dpmd_mukomuko, "17.06"), (dpmd_majene, "76.05")):
        client = login(user)
        with django_assert_max_num_queries(13):
            response = client.get(f"/wilayah/{regency}/tenggat/")
        assert response.status_code == 200
        shown = deadlines_page(response)
        assert shown.listed == shown.officials_overdue


def test_demo_figures_of_majene(demo, dpmd_majene, login):
    response = login(dpmd_majene).get("/wilayah/76.05/tenggat/")

    summary = deadlines_page(response)
    desa = Village.objects.filter(subdistrict__regency_id="76.05", kind="desa")

    def with_jkn(status: str):
        enrollments = Enrollment.objects.filter(program_id=Program.KESEHATAN, status=status)
        return desa.filter(posts__person__enrollments__in=enrollments).distinct()

    in_jkn, requested = with_jkn(Enrollment.Status.ACTIVE), with_jkn(Enrollment.Status.REQUESTED)
    assert desa.count() - in_jkn.count() == 49
    # Of those 49 desa, the demo's DPMD forwarded two to BPJS (enrollment/demo.py, _majene_submissions): their
    # officials' requested enrollments register them, so they are no longer overdue and 47 desa are left.
    assert requested.exclude(pk__in=in_jkn).count() == 2
    waiting = desa.exclude(pk__in=in_jkn).exclude(pk__in=requested)
    assert summary.villages_overdue >= waiting.count() == 47
    uncovered = Post.objects.current().filter(village__in=waiting).values("person").distinct()
    assert summary.officials_overdue >= uncovered.count()


# --- the daily reminder ------------------------------------------------------------------------------


def test_reminder_notifies_the_village_once_a_day(suka_pindah, head_suka_pindah, head_arah_tiga, dpmd_mukomuko):
    official(suka_pindah, 9641, inaugurated=LONG_AGO)

    send_deadline_reminders.delay()
    send_deadline_reminders.delay()

    reminders = Notification.objects.filter(user=head_suka_pindah, kind=Notification.Kind.REMINDER)
    assert reminders.count() == 1
    assert "BPJS Kesehatan" in reminders.get().message
    assert not Notification.objects.filter(user=dpmd_mukomuko).exists()


def test_reminder_is_sent_again_the_next_day(suka_pindah, head_suka_pindah):
    official(suka_pindah, 9642, inaugurated=LONG_AGO)
    send_deadline_reminders()
    Notification.objects.filter(user=head_suka_pindah).update(created_at=timezone.now() - dt.timedelta(days=1))

    send_deadline_reminders()

    assert Notification.objects.filter(user=head_suka_pindah, kind=Notification.Kind.REMINDER).count() == 2


def test_reminder_skips_a_village_whose_submission_dpmd_holds(suka_pindah, kes, head_suka_pindah):
    official(suka_pindah, 9643, inaugurated=LONG_AGO)
    submission_submit(
        actor=head_suka_pindah,
        submission=submission_start(actor=head_suka_pindah, village=suka_pindah, program=kes),
    )

    send_deadline_reminders()

    assert not Notification.objects.filter(user=head_suka_pindah, kind=Notification.Kind.REMINDER).exists()


def test_reminder_skips_villages_that_are_on_time(arah_tiga, head_arah_tiga, kes):
    person = official(arah_tiga, 9644, inaugurated=RECENTLY)
    EnrollmentFactory(person=official(arah_tiga, 9645, inaugurated=LONG_AGO), program=kes)

    send_deadline_reminders()

    if not overdue_people(kes, [arah_tiga]):  # the demo, when loaded, may have overdue people here
        assert not Notification.objects.filter(user=head_arah_tiga).exists()
    assert person.pk not in overdue_people(kes, [arah_tiga])


def test_reminder_can_cover_ketenagakerjaan_too(suka_pindah, head_suka_pindah, kes):
    person = official(suka_pindah, 9646, inaugurated=LONG_AGO)
    EnrollmentFactory(person=person, program=kes)

    send_deadline_reminders(program_codes=[Program.KETENAGAKERJAAN])

    assert "BPJS TK" in Notification.objects.get(user=head_suka_pindah).message


def test_reminder_task_takes_json_arguments(suka_pindah, head_suka_pindah):
    official(suka_pindah, 9647, inaugurated=LONG_AGO)

    sent = send_deadline_reminders.apply(kwargs={"day": TODAY.isoformat(), "program_codes": ["bpjs_kesehatan"]}).get()

    assert sent >= 1


# --- the deadline day itself: not overdue until the day after ---------------------------------------


@pytest.fixture
def lebong_desa(lebong):
    return Village.objects.filter(subdistrict__regency=lebong, kind=Village.Kind.DESA).order_by("code").first()


def test_the_deadlines_page_counts_an_official_overdue_only_after_their_last_day(lebong_desa, dpmd_lebong, login):
    # The earliest inauguration whose last day to register is today or later, and the day before it.
    on_time = next(
        d for d in (TODAY - dt.timedelta(days=k) for k in range(40, 0, -1)) if registration_deadline(d) >= TODAY
    )
    official(lebong_desa, 9701, inaugurated=on_time)
    late = official(lebong_desa, 9702, inaugurated=on_time - dt.timedelta(days=1))

    shown = deadlines_page(login(dpmd_lebong).get("/wilayah/17.07/tenggat/"))

    assert (shown.officials_overdue, shown.listed) == (1, 1)
    assert reverse("official-detail", args=[late.pk]) in shown.official_links


def test_no_reminder_on_the_last_day_to_register_one_the_day_after(lebong_desa):
    head = UserFactory(username="desa-lebong", role=Role.VILLAGE, village=lebong_desa)
    official(lebong_desa, 9703, inaugurated=dt.date(2026, 1, 15))  # last day: 15 February 2026

    send_deadline_reminders(day="2026-02-15")
    on_the_day = Notification.objects.filter(user=head).count()
    send_deadline_reminders(day="2026-02-16")

    assert (on_the_day, Notification.objects.filter(user=head).count()) == (0, 1)


# --- the Excel download ------------------------------------------------------------------------------


def test_deadlines_excel_holds_the_officials_of_the_page_in_its_order(suka_pindah, arah_tiga, dpmd_mukomuko, login):
    late = [official(suka_pindah, 9641, inaugurated=LONG_AGO), official(arah_tiga, 9642, inaugurated=LONG_AGO)]
    recent = official(suka_pindah, 9643, inaugurated=RECENTLY)
    client = login(dpmd_mukomuko)

    shown = deadlines_page(client.get("/wilayah/17.06/tenggat/"))
    response = client.get("/wilayah/17.06/tenggat/?program=bpjs_kesehatan&format=xlsx")

    assert response.status_code == 200
    header, *rows = table_rows(response.content)
    names = [row[header.index("Nama")] for row in rows]
    assert len(names) == shown.listed
    on_page = [link for link in shown.official_links if link.startswith("/perangkat/")]
    assert names[: len(on_page)] == [Person.objects.get(pk=link.split("/")[2]).full_name for link in on_page]
    assert {p.full_name for p in late} <= set(names)
    assert recent.full_name not in names


def test_deadlines_excel_is_404_outside_the_scope(dpmd_majene, head_suka_pindah, login):
    for user in (dpmd_majene, head_suka_pindah):
        assert login(user).get("/wilayah/17.06/tenggat/?format=xlsx").status_code == 404


# --- the deadline length and the reminded programs are rules (core.RegistrationRule, Program) --------


def test_a_longer_deadline_applies_from_its_date_and_leaves_earlier_days_alone(suka_pindah, kes):
    """From tomorrow registration is due within three months: someone inaugurated 50 days ago is overdue
    today (one month) and no longer overdue tomorrow."""
    person = official(suka_pindah, 9651, inaugurated=TODAY - dt.timedelta(days=50))
    tomorrow = TODAY + dt.timedelta(days=1)
    RegistrationRule.objects.create(effective_from=tomorrow, deadline_months=3, source="uji")

    assert person.pk in overdue_people(kes, [suka_pindah], day=TODAY)
    assert person.pk not in overdue_people(kes, [suka_pindah], day=tomorrow)
    assert overdue_cutoff(dt.date(2026, 3, 31)) == dt.date(2026, 3, 1)  # a day before the rule: one month


def test_reminders_go_out_for_the_programs_marked_to_send_them(suka_pindah, head_suka_pindah, kes):
    person = official(suka_pindah, 9652, inaugurated=LONG_AGO)
    EnrollmentFactory(person=person, program=kes)  # nothing owed to JKN, the only program reminded so far
    Program.objects.filter(pk=Program.KETENAGAKERJAAN).update(sends_reminders=True)

    send_deadline_reminders()

    assert "BPJS TK" in Notification.objects.get(user=head_suka_pindah).message


# --- deadlines due in a week -------------------------------------------------------------------------

DAY = dt.date(2026, 3, 10)  # deadline a week later, 17 March: inaugurated on 17 February


def test_a_deadline_a_week_away_tells_the_desa_and_its_dpmd_once(
    suka_pindah, arah_tiga, head_suka_pindah, head_arah_tiga, dpmd_mukomuko, dpmd_majene
):
    official(suka_pindah, 9651, inaugurated=dt.date(2026, 2, 17))
    official(suka_pindah, 9652, inaugurated=dt.date(2026, 2, 17))
    official(arah_tiga, 9653, inaugurated=dt.date(2026, 2, 18))  # due on the 18th: not announced today
    before = list(Notification.objects.values_list("pk", flat=True))

    send_deadline_soon(day=DAY.isoformat())
    send_deadline_soon(day=DAY.isoformat())

    new = Notification.objects.exclude(pk__in=before)
    assert set(new.values_list("user", flat=True)) == {head_suka_pindah.pk, dpmd_mukomuko.pk}
    assert {n.kind for n in new} == {Notification.Kind.DEADLINE_SOON}
    desa = new.get(user=head_suka_pindah)
    assert "Suka Pindah" in desa.message and "BPJS Kesehatan: 2" in desa.message
    dpmd = new.get(user=dpmd_mukomuko).message
    assert dpmd.startswith("2 ") and "Suka Pindah" in dpmd and "Arah Tiga" not in dpmd


def test_no_deadline_notice_for_registered_officials(suka_pindah, kes, head_suka_pindah):
    person = official(suka_pindah, 9654, inaugurated=dt.date(2026, 2, 17))
    EnrollmentFactory(person=person, program=kes, status="requested", participant_number="", start_date=None)

    send_deadline_soon(day=DAY.isoformat())

    assert not Notification.objects.filter(user=head_suka_pindah).exists()
