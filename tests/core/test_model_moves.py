"""Regions, programs, funding sources and document types moved to core; submissions and documents to
submissions; reconciliations to bpjs. The moves change only Django's picture of the models: a database
migrated before them migrates forward with every row where it was, on SQLite and PostgreSQL alike.

The test walks the migrations back to just before the moves and forward again over real rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bpjs.models import Reconciliation
from core.models import Program, Village
from enrollment.models import Enrollment
from submissions.models import Submission, SubmissionEvent
from tests.factories import EnrollmentFactory, PostFactory
from villages.models import Post

# The leaves of each app just before the moves, and the moves' own apps unmigrated.
BEFORE_MOVES = [
    ("accounts", "0004_notification"),
    ("villages", "0003_familymember_historicalfamilymember"),
    ("enrollment", "0005_enrollment_primary_clinic_and_more"),
    ("budgets", "0006_history_village_fund_scenario"),
    ("core", None),
    ("submissions", None),
    ("bpjs", None),
]
TABLES = [
    "villages_province",
    "villages_regency",
    "villages_subdistrict",
    "villages_village",
    "villages_post",
    "enrollment_program",
    "enrollment_programcomponent",
    "enrollment_documenttype",
    "enrollment_documenttype_programs",
    "enrollment_enrollment",
    "enrollment_enrollment_components",
    "enrollment_submission",
    "enrollment_submissionevent",
    "enrollment_reconciliation",
    "budgets_fundingsource",
    "accounts_user",
]


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.fixture
def rows(regions, head_suka_pindah, dpmd_mukomuko, suka_pindah, mukomuko):
    post = PostFactory(village=suka_pindah)
    enrollment = EnrollmentFactory(person=post.person, start_date=dt.date(2024, 1, 1))
    enrollment.components.set(enrollment.program.components.filter(is_required=True))
    submission = Submission.objects.create(
        village=suka_pindah, program_id=Program.KESEHATAN, created_by=head_suka_pindah
    )
    SubmissionEvent.objects.create(submission=submission, to_status="draft", actor=head_suka_pindah)
    Reconciliation.objects.create(
        token="m" * 32, program_id=Program.KESEHATAN, regency=mukomuko, original_name="a.xlsx", created_by=dpmd_mukomuko
    )
    return post, enrollment, submission


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_from_before_the_moves_migrates_forward_without_losing_a_row(rows):
    post, enrollment, submission = rows
    counts = _counts()
    assert counts["enrollment_submission"] >= 1 and counts["enrollment_reconciliation"] >= 1

    executor = _migrate(BEFORE_MOVES)
    # Before the moves the regions were the villages app's: its model reads the same rows.
    old_village = executor.loader.project_state([t for t in BEFORE_MOVES if t[1]]).apps.get_model("villages", "Village")
    assert old_village.objects.count() == counts["villages_village"]
    assert _counts() == counts
    assert ContentType.objects.filter(app_label="villages", model="village").exists()

    leaves = executor.loader.graph.leaf_nodes()
    _migrate(leaves)

    assert _counts() == counts
    assert Post.objects.select_related("village__subdistrict__regency").get(pk=post.pk).village.name == "Suka Pindah"
    assert Enrollment.objects.get(pk=enrollment.pk).components.count() >= 1
    assert Submission.objects.get(pk=submission.pk).events.count() == 1
    assert ContentType.objects.get_for_model(Village).app_label == "core"
    assert not ContentType.objects.filter(app_label="villages", model="village").exists()
