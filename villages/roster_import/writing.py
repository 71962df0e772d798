"""Writing a valid plan: in bulk, with a history record per change."""

from __future__ import annotations

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from core import nik as nik_lib
from core.versioning import bump_versions
from villages.models import Person, Post, fill_search_names
from villages.roster_import.columns import PERSON_FIELDS, POST_FIELDS
from villages.roster_import.plan import KINDS, Plan

BATCH = 1000


def write_plan(plan: Plan, *, actor: User) -> dict[str, int]:
    """Write a valid plan in bulk, with a history record per change (history_user = actor). The caller
    holds the transaction."""
    now = timezone.now()
    new_persons, changed_persons, new_posts, changed_posts = [], [], [], []
    for entry in plan.entries:
        if entry.person.pk is None:
            # The hash is already known from the check; only the encryption is left to do.
            entry.person.nik_encrypted = nik_lib.encrypt_nik(entry.row.nik)
            entry.person.nik_hash = entry.row.nik_hash
            new_persons.append(entry.person)
        elif entry.person_changed:
            entry.person.updated_at = now
            changed_persons.append(entry.person)
        if entry.kind == "new":
            new_posts.append(entry.post)
        elif entry.post_changed:
            entry.post.updated_at = now
            changed_posts.append(entry.post)
    # The officials not in the file whose end the uploader chose on the preview (checked by services).
    absent = {post.pk: post for post in plan.absent_posts}
    for choice in plan.end_choices:
        post = absent[choice.post]
        post.ended_on, post.end_reason, post.updated_at = choice.ended_on, choice.end_reason, now
        changed_posts.append(post)

    history = {"batch_size": BATCH, "default_user": actor, "default_date": now}
    if new_persons:
        fill_search_names(new_persons)
        bulk_create_with_history(new_persons, Person, **history)
    if changed_persons:
        fields = [*PERSON_FIELDS, "updated_at", *bump_versions(changed_persons), *fill_search_names(changed_persons)]
        bulk_update_with_history(changed_persons, Person, fields, **history)
    for post in new_posts:
        post.person = post.person  # the person now has its primary key: copy it onto person_id
    if new_posts:
        bulk_create_with_history(new_posts, Post, **history)
    if changed_posts:
        fields = [*POST_FIELDS, "updated_at", *bump_versions(changed_posts)]
        bulk_update_with_history(changed_posts, Post, fields, **history)
    counts = {kind: len(plan.of_kind(kind)) for kind in KINDS}
    counts["ended"] += len(plan.end_choices)
    return counts
