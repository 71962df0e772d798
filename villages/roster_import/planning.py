"""From the rows of an officials file to a plan, in a fixed number of queries whatever the number of rows:
the villages of the file, their locks, the persons of its NIKs with their posts, and the active posts of
its villages, each in one query. The same plan serves the preview (shown) and the confirmation
(re-planned from the parsed rows against the data as it is then, and written)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from accounts.models import User
from core.models import Regency, Village
from core.selectors import villages_editable_by, villages_visible_to
from core.spreadsheets.reader import Table
from villages.models import Post
from villages.roster_import.checks import (
    check_duplicates,
    check_locks,
    check_one_definitif_per_person,
    check_single_holders,
    resolve_villages,
)
from villages.roster_import.decisions import decide_row, keep_frozen_identities, lookup_persons
from villages.roster_import.opensid import OpenSidTable, match_officials
from villages.roster_import.parsing import parse_row
from villages.roster_import.plan import Plan, Row


def build_plan(
    table: Table,
    *,
    regency: Regency,
    village: Village | None,
    actor: User,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Parse every row of a file, then decide each row's outcome (see replan)."""
    today = timezone.localdate()
    notes = []
    if isinstance(table, OpenSidTable):  # no NIK: each row takes that of the desa's official it names
        notes = match_officials(table, village=village)
    plan = Plan(rows=len(table.rows), warnings=notes)
    for index, (number, raw) in enumerate(table.rows, start=1):
        plan.parsed.append(parse_row(plan, number, raw, today))
        if progress and index % 500 == 0:
            progress(int(70 * index / len(table.rows)))
    if progress:
        progress(70)
    return _decide_all(plan, regency=regency, village=village, actor=actor)


def replan(rows: list[Row], *, regency: Regency, village: Village | None, actor: User) -> Plan:
    """The plan of rows parsed before (a checked import's snapshot), against the data as it is now."""
    plan = Plan(rows=len(rows), parsed=rows)
    return _decide_all(plan, regency=regency, village=village, actor=actor)


def _decide_all(plan: Plan, *, regency: Regency, village: Village | None, actor: User) -> Plan:
    """Look everything up in bulk, then decide each row: a fixed number of queries."""
    rows = plan.parsed
    resolve_villages(plan, rows, regency=regency, village=village, actor=actor)
    check_locks(plan, rows)
    check_duplicates(plan, rows)
    # Rows without a NIK (an OpenSID list's unmatched officials): kept, and the preview asks for it.
    plan.missing_nik = [row for row in rows if row.nik_hash is None and not row.has_errors]

    keyed = [row for row in rows if row.nik_hash and row.village]
    persons, posts_by_person = lookup_persons({row.nik_hash for row in keyed}, {row.village.pk for row in keyed})
    post_villages = {post.village_id for posts in posts_by_person.values() for post in posts}
    plan.visible_villages = set(villages_visible_to(actor).filter(pk__in=post_villages).values_list("pk", flat=True))
    plan.editable_villages = set(villages_editable_by(actor).filter(pk__in=post_villages).values_list("pk", flat=True))
    file_villages = {row.village.pk for row in rows if row.village}
    active_in_villages = list(
        Post.objects.filter(village__in=list(file_villages), ended_on__isnull=True).values_list(
            "pk", "person_id", "village_id", "position", "status", "person__full_name"
        )
    )
    for row in keyed:
        entry = decide_row(plan, row, persons.get(row.nik_hash), posts_by_person)
        if entry is not None:
            plan.entries.append(entry)

    check_single_holders(plan, active_in_villages)
    check_one_definitif_per_person(plan, posts_by_person)
    plan.entries = [e for e in plan.entries if not e.row.has_errors]
    keep_frozen_identities(plan)
    in_file = {e.post.pk for e in plan.entries if e.post and e.post.pk}
    absent = [post[0] for post in active_in_villages if post[0] not in in_file]
    plan.absent = len(absent)
    if village is not None and absent:
        plan.absent_posts = list(
            Post.objects.filter(pk__in=absent).select_related("person").by_rank("person__full_name")
        )
    return plan
