"""An edit of the roster racing the submission that locks it (issue 9, "Races"): both take the desa's row
lock, so an edit that found the roster open commits before the submission locks it, or is refused."""

from __future__ import annotations

import threading
import time

from django.core.exceptions import ValidationError

from submissions.models import Submission
from submissions.services import submission_start, submission_submit
from tests.concurrency import pytestmark_concurrent, run_together, skip_unless_postgresql
from tests.factories import PostFactory
from villages import services as village_services
from villages.models import Person
from villages.services import official_update

pytestmark = pytestmark_concurrent


def test_an_edit_that_found_the_roster_open_never_commits_after_the_submission_locked_it(
    suka_pindah, tk, head_suka_pindah, monkeypatch
):
    skip_unless_postgresql()
    post = PostFactory(village=suka_pindah, person__phone="0811000001")
    submission = submission_start(actor=head_suka_pindah, village=suka_pindah, program=tk)
    meet, check, first = threading.Barrier(2, timeout=10), village_services.locked_village_ids, threading.Event()

    def checked_then_meet(ids):
        answer = check(ids)
        if not first.is_set():  # the edit asked first: it found the roster open; now the submission starts
            first.set()
            meet.wait()
            time.sleep(1)  # a slow edit: the submission runs while it still has to write
        return answer

    monkeypatch.setattr(village_services, "locked_village_ids", checked_then_meet)

    def edit():
        return official_update(actor=head_suka_pindah, post=post, phone="0811999999")

    def submit():
        meet.wait()
        return submission_submit(actor=head_suka_pindah, submission=submission)

    edited, submitted = run_together(edit, submit)

    assert isinstance(submitted, Submission) and submitted.status == Submission.Status.SUBMITTED
    person = Person.objects.get(pk=post.person_id)
    if isinstance(edited, ValidationError):  # refused: nothing of it was kept
        assert person.phone == "0811000001"
    else:  # saved: then before the roster locked
        assert person.phone == "0811999999"
        assert person.history.latest().history_date < Submission.objects.get(pk=submission.pk).submitted_at
