"""Submissions: a desa sends its officials for a program, DPMD verifies or returns them, then forwards them
to BPJS, which requests an enrollment for everyone not yet enrolled. Each step records who, when and why;
the roster is locked while DPMD holds the submission; the other side is notified in the app and by email.

Tests make their own officials (NIK serials from 9500 up) and compare with what is in the desa, so they
hold with or without the session demo loaded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Notification
from core.models import DocumentType, FundingSource
from enrollment.models import Enrollment
from submissions.models import Document, Submission, SubmissionEvent
from submissions.services import (
    allowed_steps,
    submission_forward,
    submission_return,
    submission_start,
    submission_submit,
    submission_verify,
    with_officials_incomplete,
)
from tests.factories import (
    EnrollmentFactory,
    PersonFactory,
    PostFactory,
    Role,
    UserFactory,
    make_nik,
    officials_against_the_alphabet,
)
from tests.html import messages, number, page, section
from villages.models import Post
from villages.services import official_create, post_end

S = Submission.Status
VILLAGE_PAGE_QUERIES = 16  # the whole village page, its panels and each official's status per program included
START = "/desa/17.06.01.2005/pengajuan/mulai/"


def panel(response, program: str):
    """A program's card on the village's submissions page."""
    return page(response).find("section", id=f"program-{program}")


def open_submission(card) -> str | None:
    """The link to the submission a program's card shows as open (its history below is not)."""
    opened = [a for p in card.children if getattr(p, "tag", None) == "p" for a in p.find_all("a")]
    return opened[0].attrs["href"] if opened else None


def offers_start(root) -> bool:
    return bool(root.find_all("form", action=START))


def next_steps(response) -> list[str]:
    """The buttons of the "Langkah berikutnya" card of a submission (none when the card is not shown)."""
    root = page(response)
    if not any(h.text == "Langkah berikutnya" for h in root.find_all("h2")):
        return []
    return [b.text for b in section(root, "Langkah berikutnya").find_all("button")]


def level_tags(response) -> list[str]:
    return [level for level, _ in messages(response)]


@pytest.fixture
def dd(db):
    return FundingSource.objects.get(pk="DD")


@pytest.fixture
def budi(suka_pindah):
    """Kepala dusun of Suka Pindah, enrolled nowhere."""
    person = PersonFactory(full_name="Budi Saputra", nik=make_nik(9501))
    PostFactory(person=person, village=suka_pindah)
    return person


@pytest.fixture
def sari(suka_pindah, kes, tk):
    """Kaur keuangan of Suka Pindah, already requested in JKN and active in Ketenagakerjaan."""
    person = PersonFactory(full_name="Sari Lestari", nik=make_nik(9502, female=True), sex="P")
    PostFactory(person=person, village=suka_pindah, position="kaur_keuangan", status="plt")
    EnrollmentFactory(person=person, program=kes, status="requested", participant_number="", start_date=None)
    EnrollmentFactory(person=person, program=tk, participant_number="17060100002", segment="PU")
    return person


@pytest.fixture
def draft(suka_pindah, kes, head_suka_pindah, budi, sari):
    return submission_start(actor=head_suka_pindah, village=suka_pindah, program=kes)


@pytest.fixture
def submitted(draft, head_suka_pindah):
    return submission_submit(actor=head_suka_pindah, submission=draft, note="Mohon diperiksa.")


@pytest.fixture
def verified(submitted, dpmd_mukomuko):
    return submission_verify(actor=dpmd_mukomuko, submission=submitted)


def new_official(village, actor, serial: int):
    return official_create(
        actor=actor,
        village=village,
        nik=make_nik(serial),
        full_name=f"Baru {serial}",
        sex="L",
        birth_date=dt.date(1985, 8, 17),
        position="staf",
        term_start=dt.date(2025, 1, 1),
    )


def steps(submission) -> list[tuple[str, str, str, str]]:
    return [(e.from_status, e.to_status, e.actor.username, e.note) for e in submission.events.order_by("at", "pk")]


def holders(village) -> set[int]:
    return set(Post.objects.current().filter(village=village).values_list("person_id", flat=True))


def open_in(program, people) -> set[int]:
    return set(
        Enrollment.objects.filter(program=program, person__in=people, status__in=Enrollment.OPEN_STATUSES).values_list(
            "person_id", flat=True
        )
    )


# --- the workflow ------------------------------------------------------------------------------------


def test_full_workflow_records_who_did_each_step_and_when(verified, head_suka_pindah, dpmd_mukomuko, kes):
    result = submission_forward(actor=dpmd_mukomuko, submission=verified, note="Diteruskan ke BPJS Kesehatan.")

    submission = Submission.objects.get(pk=verified.pk)
    assert submission.status == S.FORWARDED
    assert steps(submission) == [
        ("", "draft", head_suka_pindah.username, ""),
        ("draft", "submitted", head_suka_pindah.username, "Mohon diperiksa."),
        ("submitted", "verified", dpmd_mukomuko.username, ""),
        ("verified", "forwarded", dpmd_mukomuko.username, "Diteruskan ke BPJS Kesehatan."),
    ]
    times = list(submission.events.order_by("pk").values_list("at", flat=True))
    assert times == sorted(times)
    submitted_event = submission.events.get(to_status="submitted")
    assert abs(submission.submitted_at - submitted_event.at) < dt.timedelta(seconds=5)
    assert submission.note == "Diteruskan ke BPJS Kesehatan."
    assert result.submission.pk == submission.pk


def test_submitting_sets_submitted_at_and_keeps_the_last_note(submitted):
    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.note == "Mohon diperiksa."


def test_roster_is_locked_while_submitted_or_verified(submitted, suka_pindah, head_suka_pindah, dpmd_mukomuko, budi):
    with pytest.raises(ValidationError):
        new_official(suka_pindah, head_suka_pindah, 9511)

    submission_verify(actor=dpmd_mukomuko, submission=submitted)
    with pytest.raises(ValidationError):
        new_official(suka_pindah, dpmd_mukomuko, 9512)
    with pytest.raises(ValidationError):
        post_end(actor=dpmd_mukomuko, post=budi.posts.get(), ended_on=dt.date(2026, 1, 1), reason="pensiun")


def test_roster_opens_again_after_return_and_locks_on_resubmit(submitted, suka_pindah, head_suka_pindah, dpmd_mukomuko):
    returned = submission_return(actor=dpmd_mukomuko, submission=submitted, note="KK Budi belum ada.")

    assert returned.status == S.RETURNED
    assert returned.note == "KK Budi belum ada."
    post = new_official(suka_pindah, head_suka_pindah, 9513)
    assert post.pk

    again = submission_submit(actor=head_suka_pindah, submission=returned, note="Sudah dilengkapi.")
    assert again.status == S.SUBMITTED
    assert [(f, t) for f, t, _, _ in steps(again)] == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
    ]
    with pytest.raises(ValidationError):
        new_official(suka_pindah, head_suka_pindah, 9514)


def test_roster_is_open_again_after_forwarding(verified, suka_pindah, head_suka_pindah, dpmd_mukomuko):
    submission_forward(actor=dpmd_mukomuko, submission=verified)

    assert new_official(suka_pindah, head_suka_pindah, 9515).pk


def test_return_without_a_note_is_refused(submitted, dpmd_mukomuko):
    for note in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            submission_return(actor=dpmd_mukomuko, submission=submitted, note=note)
        assert "note" in refused.value.message_dict

    assert Submission.objects.get(pk=submitted.pk).status == S.SUBMITTED
    assert not SubmissionEvent.objects.filter(submission=submitted, to_status="returned").exists()


@pytest.mark.parametrize(
    ("fixture", "step"),
    [
        ("draft", "verify"),
        ("draft", "return"),
        ("draft", "forward"),
        ("submitted", "submit"),
        ("submitted", "forward"),
        ("verified", "submit"),
        ("verified", "verify"),
        ("verified", "return"),
    ],
)
def test_illegal_transitions_are_refused(request, fixture, step, head_suka_pindah, dpmd_mukomuko):
    submission = request.getfixturevalue(fixture)
    status, events = submission.status, submission.events.count()
    actor = head_suka_pindah if step == "submit" else dpmd_mukomuko
    call = {
        "submit": lambda: submission_submit(actor=actor, submission=submission),
        "verify": lambda: submission_verify(actor=actor, submission=submission),
        "return": lambda: submission_return(actor=actor, submission=submission, note="x"),
        "forward": lambda: submission_forward(actor=actor, submission=submission),
    }[step]

    with pytest.raises(ValidationError):
        call()
    assert Submission.objects.get(pk=submission.pk).status == status
    assert submission.events.count() == events


def test_a_forwarded_submission_cannot_move_any_more(verified, dpmd_mukomuko, head_suka_pindah):
    forwarded = submission_forward(actor=dpmd_mukomuko, submission=verified).submission

    assert allowed_steps(dpmd_mukomuko, forwarded) == []
    assert allowed_steps(head_suka_pindah, forwarded) == []
    with pytest.raises(ValidationError):
        submission_forward(actor=dpmd_mukomuko, submission=forwarded)


def test_only_one_open_submission_per_village_and_program(draft, suka_pindah, kes, tk, head_suka_pindah):
    with pytest.raises(ValidationError):
        submission_start(actor=head_suka_pindah, village=suka_pindah, program=kes)

    assert submission_start(actor=head_suka_pindah, village=suka_pindah, program=tk).status == S.DRAFT
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(village=suka_pindah, program=kes, created_by=head_suka_pindah)


def test_a_new_submission_can_start_after_forwarding(verified, suka_pindah, kes, dpmd_mukomuko, head_suka_pindah):
    submission_forward(actor=dpmd_mukomuko, submission=verified)

    assert submission_start(actor=head_suka_pindah, village=suka_pindah, program=kes).status == S.DRAFT


# --- roles -------------------------------------------------------------------------------------------


def test_submitting_is_the_village_act_not_dpmd(draft, dpmd_mukomuko, head_arah_tiga, bpjs_tk_mukomuko):
    for actor in (dpmd_mukomuko, head_arah_tiga, bpjs_tk_mukomuko):
        with pytest.raises(PermissionDenied):
            submission_submit(actor=actor, submission=draft)
    assert Submission.objects.get(pk=draft.pk).status == S.DRAFT


def test_verifying_returning_forwarding_are_dpmd_of_the_regency_only(
    submitted, head_suka_pindah, dpmd_majene, bpjs_tk_mukomuko, bengkulu_observer
):
    for actor in (head_suka_pindah, dpmd_majene, bpjs_tk_mukomuko, bengkulu_observer):
        with pytest.raises(PermissionDenied):
            submission_verify(actor=actor, submission=submitted)
        with pytest.raises(PermissionDenied):
            submission_return(actor=actor, submission=submitted, note="x")
    assert Submission.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_forwarding_is_refused_to_the_village(verified, head_suka_pindah):
    with pytest.raises(PermissionDenied):
        submission_forward(actor=head_suka_pindah, submission=verified)


def test_read_only_roles_and_other_villages_cannot_start(suka_pindah, kes, tk, bpjs_tk_mukomuko, head_arah_tiga):
    with pytest.raises(PermissionDenied):
        submission_start(actor=bpjs_tk_mukomuko, village=suka_pindah, program=tk)
    with pytest.raises(PermissionDenied):
        submission_start(actor=head_arah_tiga, village=suka_pindah, program=kes)
    assert not Submission.objects.filter(village=suka_pindah).exists()


def test_dpmd_may_start_a_draft_for_a_village_of_its_regency(suka_pindah, kes, dpmd_mukomuko, dpmd_majene):
    assert submission_start(actor=dpmd_mukomuko, village=suka_pindah, program=kes).status == S.DRAFT
    with pytest.raises(PermissionDenied):
        submission_start(actor=dpmd_majene, village=suka_pindah, program=kes)


# --- forwarding --------------------------------------------------------------------------------------


def test_forward_requests_enrollments_only_for_officials_without_an_open_one(
    verified, suka_pindah, kes, dpmd_mukomuko, budi, sari
):
    people = holders(suka_pindah)
    without = people - open_in(kes, people)
    before = Enrollment.objects.count()

    result = submission_forward(actor=dpmd_mukomuko, submission=verified)

    assert (result.created, result.skipped) == (len(without), len(people) - len(without))
    assert budi.pk in without and sari.pk not in without
    assert Enrollment.objects.count() == before + len(without)
    created = Enrollment.objects.filter(person__in=without, program=kes)
    assert set(created.values_list("person_id", flat=True)) == without
    assert set(created.values_list("status", "funding_source", "segment").distinct()) == {("requested", "DAU", "PPU")}
    assert Enrollment.objects.filter(person=sari, program=kes).count() == 1
    assert open_in(kes, people) == people
    history = Enrollment.objects.get(person=budi, program=kes).history.get()
    assert history.history_user == dpmd_mukomuko


def test_forward_for_ketenagakerjaan_defaults_to_add_and_jkk_jkm(
    suka_pindah, tk, head_suka_pindah, dpmd_mukomuko, budi
):
    submission = submission_start(actor=head_suka_pindah, village=suka_pindah, program=tk)
    submission = submission_submit(actor=head_suka_pindah, submission=submission)
    submission = submission_verify(actor=dpmd_mukomuko, submission=submission)

    submission_forward(actor=dpmd_mukomuko, submission=submission)

    enrollment = Enrollment.objects.get(person=budi, program=tk)
    assert (enrollment.status, enrollment.funding_source_id, enrollment.segment) == ("requested", "ADD", "PU")
    assert sorted(enrollment.components.values_list("code", flat=True)) == ["JKK", "JKM"]


def test_forward_uses_the_funding_source_and_components_chosen(
    suka_pindah, tk, head_suka_pindah, dpmd_mukomuko, budi, dd
):
    submission = submission_start(actor=head_suka_pindah, village=suka_pindah, program=tk)
    submission_submit(actor=head_suka_pindah, submission=submission)
    submission_verify(actor=dpmd_mukomuko, submission=submission)

    submission_forward(
        actor=dpmd_mukomuko,
        submission=submission,
        funding_source=dd,
        components=["JHT"],
    )

    enrollment = Enrollment.objects.get(person=budi, program=tk)
    assert enrollment.funding_source_id == "DD"
    assert sorted(enrollment.components.values_list("code", flat=True)) == ["JHT", "JKK", "JKM"]


def test_forward_with_an_unknown_component_changes_nothing(verified, dpmd_mukomuko, budi, kes):
    with pytest.raises(ValidationError):
        submission_forward(actor=dpmd_mukomuko, submission=verified, components=["JHT"])

    assert Submission.objects.get(pk=verified.pk).status == S.VERIFIED
    assert not Enrollment.objects.filter(person=budi, program=kes).exists()


def test_forward_skips_former_officials(verified, suka_pindah, kes, dpmd_mukomuko):
    former = PersonFactory(nik=make_nik(9521))
    PostFactory(person=former, village=suka_pindah, ended_on=dt.date(2024, 1, 1), end_reason="pensiun")

    submission_forward(actor=dpmd_mukomuko, submission=verified)

    assert not Enrollment.objects.filter(person=former).exists()


# --- missing documents -------------------------------------------------------------------------------


def test_submitting_with_missing_documents_is_allowed_and_counted(draft, head_suka_pindah, budi, sari):
    for code in ("ktp", "kk", "sk_pengangkatan"):
        Document.objects.create(
            person=sari,
            document_type=DocumentType.objects.get(pk=code),
            token=code,
            file=f"documents/{sari.pk}/{code}.pdf",
            content_type="application/pdf",
            size=10,
            original_name=f"{code}.pdf",
            uploaded_by=head_suka_pindah,
        )

    submitted = submission_submit(actor=head_suka_pindah, submission=draft)

    assert submitted.status == S.SUBMITTED
    counted = with_officials_incomplete(Submission.objects.filter(pk=draft.pk)).get()
    people = holders(draft.village)
    assert counted.officials == len(people)
    assert counted.officials_incomplete == len(people) - 1  # everyone but Sari


# --- notifications -----------------------------------------------------------------------------------


@pytest.fixture
def with_emails(head_suka_pindah, dpmd_mukomuko, dpmd_majene, head_arah_tiga):
    for user, email in (
        (head_suka_pindah, "kades@sukapindah.desa.id"),
        (dpmd_mukomuko, "dpmd@mukomukokab.go.id"),
        (dpmd_majene, "dpmd@majenekab.go.id"),
        (head_arah_tiga, "kades@arahtiga.desa.id"),
    ):
        user.email = email
        user.save()


def test_submitting_notifies_dpmd_of_the_regency_only(
    draft, head_suka_pindah, dpmd_mukomuko, dpmd_majene, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    # Only the notifications of this submission: the session demo's Majene submissions notified dpmd_majene.
    earlier = list(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(actor=head_suka_pindah, submission=draft)

    new = Notification.objects.exclude(pk__in=earlier)
    note = new.get(user=dpmd_mukomuko)
    assert "Suka Pindah" in note.message and "BPJS Kesehatan" in note.message
    assert note.link == f"/pengajuan/{draft.pk}/"
    assert not new.filter(user__in=[dpmd_majene, head_suka_pindah]).exists()
    assert [m.to for m in mailoutbox] == [["dpmd@mukomukokab.go.id"]]
    assert f"/pengajuan/{draft.pk}/" in mailoutbox[0].body


def test_returning_notifies_the_village_with_the_note(
    submitted,
    dpmd_mukomuko,
    head_suka_pindah,
    head_arah_tiga,
    with_emails,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(actor=dpmd_mukomuko, submission=submitted, note="KK Budi belum diunggah.")

    note = Notification.objects.get(user=head_suka_pindah)
    assert "KK Budi belum diunggah." in note.message
    assert not Notification.objects.filter(user=head_arah_tiga).exists()
    assert [m.to for m in mailoutbox] == [["kades@sukapindah.desa.id"]]


def test_verifying_and_forwarding_notify_the_village(
    submitted, dpmd_mukomuko, head_suka_pindah, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    dpmd_before = Notification.objects.filter(user=dpmd_mukomuko).count()  # the submission's, when DPMD existed

    with django_capture_on_commit_callbacks(execute=True):
        verified = submission_verify(actor=dpmd_mukomuko, submission=submitted)
        submission_forward(actor=dpmd_mukomuko, submission=verified)

    assert Notification.objects.filter(user=head_suka_pindah).count() == 2
    assert Notification.objects.filter(user=dpmd_mukomuko).count() == dpmd_before
    assert len(mailoutbox) == 2
    assert all(m.to == ["kades@sukapindah.desa.id"] for m in mailoutbox)


@pytest.fixture
def bpjs_kes_mukomuko(mukomuko, kes):
    user = UserFactory(username="bpjs-kes-mukomuko", role=Role.BPJS, program=kes, email="kes@bpjs.go.id")
    user.branch_regencies.set([mukomuko])
    return user


def test_forwarding_tells_the_bpjs_officers_of_the_program_and_regency_only(
    verified,
    dpmd_mukomuko,
    bpjs_kes_mukomuko,
    bpjs_tk_mukomuko,
    bpjs_kes_majene,
    head_suka_pindah,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    before = list(Notification.objects.values_list("pk", flat=True))  # the session demo's, if loaded
    with django_capture_on_commit_callbacks(execute=True):
        submission_forward(actor=dpmd_mukomuko, submission=verified)

    new = Notification.objects.exclude(pk__in=before)
    note = new.get(user=bpjs_kes_mukomuko)
    assert note.kind == Notification.Kind.FORWARDED
    assert "Suka Pindah" in note.message and "BPJS Kesehatan" in note.message
    assert note.link == f"/bpjs/antrean/?village={verified.village_id}&program={verified.program_id}"
    assert not new.filter(user__in=[bpjs_tk_mukomuko, bpjs_kes_majene]).exists()
    assert [m.to for m in mailoutbox] == [["kes@bpjs.go.id"]]


def test_the_forward_message_says_the_officials_were_requested_not_registered(
    verified, dpmd_mukomuko, head_suka_pindah
):
    submission_forward(actor=dpmd_mukomuko, submission=verified)

    note = Notification.objects.get(user=head_suka_pindah, kind=Notification.Kind.FORWARDED)
    assert "didaftarkan" not in note.message
    assert "1" in note.message  # Budi: Sari's JKN request was already open


def test_users_without_email_get_only_the_in_app_notification(
    draft, head_suka_pindah, dpmd_mukomuko, mailoutbox, django_capture_on_commit_callbacks
):
    dpmd_mukomuko.email = ""
    dpmd_mukomuko.save()

    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(actor=head_suka_pindah, submission=draft)

    assert Notification.objects.filter(user=dpmd_mukomuko).count() == 1
    assert mailoutbox == []


def test_a_refused_step_notifies_nobody(submitted, head_suka_pindah, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        submission_verify(actor=head_suka_pindah, submission=submitted)

    assert not Notification.objects.filter(user=head_suka_pindah).exists()
    assert mailoutbox == []


# --- pages: the village side -------------------------------------------------------------------------


def test_village_head_sees_their_submissions_with_timeline(submitted, head_suka_pindah, login):
    response = login(head_suka_pindah).get("/desa/17.06.01.2005/pengajuan/")

    assert response.status_code == 200
    assert open_submission(panel(response, "bpjs_kesehatan")) == f"/pengajuan/{submitted.pk}/"
    assert open_submission(panel(response, "bpjs_ketenagakerjaan")) is None
    assert offers_start(panel(response, "bpjs_ketenagakerjaan"))
    assert not offers_start(panel(response, "bpjs_kesehatan"))
    assert "Mohon diperiksa." in response.content.decode()


def test_other_village_head_gets_404_on_the_submission_pages(submitted, head_arah_tiga, login):
    client = login(head_arah_tiga)

    assert client.get("/desa/17.06.01.2005/pengajuan/").status_code == 404
    assert client.get(f"/pengajuan/{submitted.pk}/").status_code == 404
    assert client.post(f"/pengajuan/{submitted.pk}/ajukan/").status_code == 404
    assert client.post("/desa/17.06.01.2005/pengajuan/mulai/", {"program": "bpjs_ketenagakerjaan"}).status_code == 404


def test_village_head_starts_and_submits_through_the_pages(suka_pindah, head_suka_pindah, login, budi):
    client = login(head_suka_pindah)

    response = client.post("/desa/17.06.01.2005/pengajuan/mulai/", {"program": "bpjs_ketenagakerjaan"})
    submission = Submission.objects.get(village=suka_pindah, program="bpjs_ketenagakerjaan")
    assert response.status_code == 302 and response["Location"] == f"/pengajuan/{submission.pk}/"

    response = client.post(f"/pengajuan/{submission.pk}/ajukan/", {"note": "Lengkap."})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.note) == (S.SUBMITTED, "Lengkap.")


def test_starting_twice_through_the_page_shows_an_error(draft, head_suka_pindah, login):
    client = login(head_suka_pindah)

    response = client.post("/desa/17.06.01.2005/pengajuan/mulai/", {"program": "bpjs_kesehatan"}, follow=True)

    assert level_tags(response) == ["error"]
    assert Submission.objects.filter(village=draft.village, program=draft.program).count() == 1


def test_steps_need_post(submitted, dpmd_mukomuko, login):
    client = login(dpmd_mukomuko)

    for url in ("ajukan", "verifikasi", "kembalikan", "teruskan"):
        assert client.get(f"/pengajuan/{submitted.pk}/{url}/").status_code == 405


def test_dpmd_cannot_submit_for_the_village_403(draft, dpmd_mukomuko, login):
    assert login(dpmd_mukomuko).post(f"/pengajuan/{draft.pk}/ajukan/").status_code == 403
    assert Submission.objects.get(pk=draft.pk).status == S.DRAFT


def test_submission_detail_warns_who_misses_what(submitted, budi, dpmd_mukomuko, head_suka_pindah, login):
    for user in (head_suka_pindah, dpmd_mukomuko):
        response = login(user).get(f"/pengajuan/{submitted.pk}/")

        assert response.status_code == 200
        notice = page(response).find("div", id="berkas-belum-lengkap")
        incomplete = {
            li.find("a").attrs["href"]: set(li.text.split(": ", 1)[1].split(", ")) for li in notice.find_all("li")
        }
        assert incomplete[f"/perangkat/{budi.pk}/berkas/"] == {
            "KTP (Kartu Tanda Penduduk)",
            "KK (Kartu Keluarga)",
            "SK Pengangkatan",
        }


def test_detail_offers_each_role_only_its_steps(submitted, head_suka_pindah, dpmd_mukomuko, bpjs_kes_majene, login):
    assert next_steps(login(head_suka_pindah).get(f"/pengajuan/{submitted.pk}/")) == []
    assert next_steps(login(dpmd_mukomuko).get(f"/pengajuan/{submitted.pk}/")) == [
        "Verifikasi",
        "Kembalikan untuk perbaikan",
    ]


# --- pages: the DPMD side ----------------------------------------------------------------------------


def test_dpmd_verifies_returns_and_forwards_through_the_pages(submitted, dpmd_mukomuko, login, budi, kes):
    client = login(dpmd_mukomuko)

    response = client.post(f"/pengajuan/{submitted.pk}/kembalikan/", {"note": ""}, follow=True)
    assert level_tags(response) == ["error"]
    assert Submission.objects.get(pk=submitted.pk).status == S.SUBMITTED

    assert client.post(f"/pengajuan/{submitted.pk}/verifikasi/", {"note": "OK"}).status_code == 302
    response = client.post(
        f"/pengajuan/{submitted.pk}/teruskan/", {"funding_source": "APBD", "note": "", "components": []}, follow=True
    )
    assert Submission.objects.get(pk=submitted.pk).status == S.FORWARDED
    assert Enrollment.objects.get(person=budi, program=kes).funding_source_id == "APBD"
    assert set(level_tags(response)) == {"success"}


def test_village_head_cannot_verify_or_forward_403(submitted, head_suka_pindah, login):
    client = login(head_suka_pindah)

    assert client.post(f"/pengajuan/{submitted.pk}/verifikasi/").status_code == 403
    assert client.post(f"/pengajuan/{submitted.pk}/kembalikan/", {"note": "x"}).status_code == 403
    assert Submission.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_regency_queue_lists_submitted_and_verified(submitted, suka_pindah, tk, head_suka_pindah, dpmd_mukomuko, login):
    draft_tk = submission_start(actor=head_suka_pindah, village=suka_pindah, program=tk)

    response = login(dpmd_mukomuko).get("/wilayah/17.06/pengajuan/")

    assert response.status_code == 200
    root = page(response)
    (row,) = root.rows()
    assert root.find("tbody").find("a").attrs["href"] == f"/pengajuan/{submitted.pk}/"
    assert number(row["Perangkat desa"]) == len(holders(suka_pindah))
    filters = root.find("nav", aria_label="Status").find_all("a")
    counts = {a.attrs["href"].removeprefix("?status="): number(a.text.rsplit("(", 1)[1].rstrip(")")) for a in filters}
    assert (counts["queue"], counts["draft"], counts["all"]) == (1, 1, 2)

    response = login(dpmd_mukomuko).get("/wilayah/17.06/pengajuan/?status=draft&program=bpjs_ketenagakerjaan")
    assert page(response).find("tbody").links() == [f"/pengajuan/{draft_tk.pk}/"]


def test_bpjs_officer_sees_only_their_program_read_only(
    submitted, suka_pindah, tk, head_suka_pindah, bpjs_tk_mukomuko, login
):
    client = login(bpjs_tk_mukomuko)
    # Before the village opens one, its Ketenagakerjaan card offers a village head a start button: not to BPJS.
    before = panel(client.get("/desa/17.06.01.2005/pengajuan/"), "bpjs_ketenagakerjaan")
    assert open_submission(before) is None and not offers_start(before)
    assert "Belum ada pengajuan terbuka." in before.text
    tk_submission = submission_submit(
        actor=head_suka_pindah, submission=submission_start(actor=head_suka_pindah, village=suka_pindah, program=tk)
    )

    assert page(client.get("/wilayah/17.06/pengajuan/")).find("tbody").links() == [f"/pengajuan/{tk_submission.pk}/"]
    assert client.get(f"/pengajuan/{submitted.pk}/").status_code == 404
    response = client.get(f"/pengajuan/{tk_submission.pk}/")
    assert response.status_code == 200 and next_steps(response) == []
    assert client.post(f"/pengajuan/{tk_submission.pk}/verifikasi/").status_code == 403


def test_regency_queue_is_404_outside_the_scope(submitted, dpmd_majene, head_suka_pindah, bpjs_kes_majene, login):
    for user in (dpmd_majene, head_suka_pindah, bpjs_kes_majene):
        assert login(user).get("/wilayah/17.06/pengajuan/").status_code == 404
    assert login(dpmd_majene).get(f"/pengajuan/{submitted.pk}/").status_code == 404
    assert login(dpmd_majene).post(f"/pengajuan/{submitted.pk}/verifikasi/").status_code == 404


def test_anonymous_is_sent_to_log_in(submitted, client):
    for url in (f"/pengajuan/{submitted.pk}/", "/wilayah/17.06/pengajuan/", "/desa/17.06.01.2005/pengajuan/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")


# --- query counts ------------------------------------------------------------------------------------


def _regency_queue_queries(client, django_assert_max_num_queries, limit: int):
    with django_assert_max_num_queries(limit):
        assert client.get("/wilayah/17.06/pengajuan/?status=all").status_code == 200


def test_regency_queue_costs_the_same_for_one_and_many_submissions(
    submitted, dpmd_mukomuko, login, django_assert_max_num_queries
):
    client = login(dpmd_mukomuko)
    _regency_queue_queries(client, django_assert_max_num_queries, 12)
    for village in submitted.village.subdistrict.villages.filter(kind="desa").exclude(pk=submitted.village_id)[:20]:
        submission_start(actor=dpmd_mukomuko, village=village, program=submitted.program)
    _regency_queue_queries(client, django_assert_max_num_queries, 12)


def test_village_page_shows_the_open_submission_and_a_start_button_in_fixed_queries(
    draft, suka_pindah, head_suka_pindah, login, django_assert_max_num_queries
):
    client = login(head_suka_pindah)

    with django_assert_max_num_queries(VILLAGE_PAGE_QUERIES):
        html = client.get("/desa/17.06.01.2005/").content.decode()

    assert f"/pengajuan/{draft.pk}/" in html
    assert "/desa/17.06.01.2005/pengajuan/mulai/" in html  # Ketenagakerjaan has none open yet


def test_village_page_hides_the_start_button_from_read_only_roles(suka_pindah, bpjs_tk_mukomuko, login):
    html = login(bpjs_tk_mukomuko).get("/desa/17.06.01.2005/").content.decode()

    assert "pengajuan/mulai/" not in html
    assert "/desa/17.06.01.2005/pengajuan/" in html


def test_village_page_of_a_kelurahan_has_no_submissions_panel(regions, dpmd_mukomuko, login):
    from core.models import Village

    kelurahan = Village.objects.filter(kind="kelurahan", subdistrict__regency_id="17.06").first()

    html = login(dpmd_mukomuko).get(f"/desa/{kelurahan.code}/").content.decode()

    assert 'id="pengajuan"' not in html
    assert "pengajuan/mulai/" not in html


def test_submission_page_lists_officials_by_sotk_rank(suka_pindah, kes, head_suka_pindah, login):
    in_rank_order = officials_against_the_alphabet(suka_pindah)
    submission = submission_start(actor=head_suka_pindah, village=suka_pindah, program=kes)

    response = login(head_suka_pindah).get(f"/pengajuan/{submission.pk}/")

    table = section(page(response), "Perangkat desa").find("table")
    assert [th.text for th in table.find("tbody").find_all("th")] == in_rank_order
