"""Writes of regions and officials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from accounts.models import User
from core import nik as nik_lib
from core.models import Village
from core.permissions import ensure, may_edit_identity, may_edit_village
from core.versioning import lock_version
from villages.identity import changed_fields, ensure_identity_open
from villages.locks import locked_village_ids
from villages.models import NikConflict, Person, Post
from villages.selectors import home_post, may_settle_nik_conflict, village_in_scope


def roster_rows_lock(village_ids: Iterable[str]) -> None:
    """Take the row lock of each desa's roster, its Village row, until the caller's transaction ends; in
    code order, so two writers of many desa never deadlock. A submission takes it before it locks the
    roster (submissions.services) and every roster write before it asks whether the roster is locked, so
    no edit that found the roster open commits after the submission locked it."""
    with transaction.atomic(savepoint=False):  # a savepoint would not free the lock sooner; it costs 2 queries
        list(Village.objects.select_for_update().filter(pk__in=sorted(set(village_ids))).values_list("pk", flat=True))


def rosters_locked(village_ids: Iterable[str]) -> set[str]:
    """Which of these desa's rosters a submission locks, asked under their row lock (roster_rows_lock)."""
    ids = set(village_ids)
    with transaction.atomic(savepoint=False):
        roster_rows_lock(ids)
        return locked_village_ids(ids)


def ensure_roster_open(village: Village) -> None:
    """Refuse a change while DPMD is checking the desa's submission; it unlocks when returned."""
    if rosters_locked([village.pk]):
        raise ValidationError(
            _(
                "The officials of %(village)s are locked while DPMD checks their submission. "
                "They can be changed again once the submission is returned for revision."
            )
            % {"village": village}
        )


def _ensure_may_edit(actor: User | None, village: Village) -> None:
    """A user changes only the rosters their role may edit; the system and the demo (no actor) all. A
    kelurahan has no roster at all: Post.clean refuses it in its own words."""
    if actor is not None and village.has_government:
        ensure(may_edit_village(actor, village), _("You may not change the officials of this village."))


def official_create(
    *,
    actor: User | None,
    village: Village,
    nik: str,
    full_name: str,
    sex: str,
    birth_date: dt.date,
    position: str,
    term_start: dt.date,
    phone: str = "",
    **post_fields,
) -> Post:
    """Record a post in a desa, creating the person on first sight of their NIK.

    A NIK already known is the same person: their details are kept and a second post is added, so an
    acting post (Plt, Pj, Plh) never duplicates the person. A NIK with a current post in another regency
    is refused whatever the status (a person's identity belongs to one regency); in another desa of the
    same regency only an acting post is allowed. Either way DPMD gets a NikConflict: a refusal's is
    recorded before the write's transaction, so that it stays."""
    _ensure_may_edit(actor, village)
    ensure_roster_open(village)
    check = nik_lib.check_nik(nik)
    if not check.valid:
        raise ValidationError({"nik": check.errors})
    elsewhere = active_post_elsewhere(nik=check.nik, village=village)
    acting = post_fields.get("status", Post.Status.DEFINITIF) != Post.Status.DEFINITIF
    if elsewhere is not None and not (acting and _same_regency(elsewhere.village, village)):
        nik_conflict_record(actor=actor, person=elsewhere.person, village=village, other_village=elsewhere.village)
        raise ValidationError({"nik": nik_elsewhere_message(actor=actor, village=village, elsewhere=elsewhere)})
    with transaction.atomic():
        ensure_roster_open(village)  # again, now under the roster's row lock until the post is committed
        person = Person.objects.filter(nik_hash=nik_lib.hash_nik(check.nik)).first()
        if person is None:
            person = Person(full_name=full_name, sex=sex, birth_date=birth_date, phone=phone)
            person.nik = check.nik
            person._history_user = actor
            person.full_clean()
            person.save()
        post = Post(person=person, village=village, position=position, term_start=term_start, **post_fields)
        post._history_user = actor
        post.full_clean()
        post.save()
        if elsewhere is not None:
            nik_conflict_record(actor=actor, person=person, village=village, other_village=elsewhere.village, post=post)
    return post


PERSON_FIELDS = ("full_name", "sex", "birth_date", "phone")
POST_FIELDS = (
    "position",
    "local_title",
    "status",
    "sk_number",
    "sk_date",
    "inauguration_date",
    "term_start",
    "term_end",
    "wage_basis",
)


def _lock_versions(post: Post, *, version: int | None, person_version: int | None) -> None:
    """Refuse a correction over a change made since the user read the post or its person (a form opened
    earlier): both rows are locked and their versions compared (core.versioning)."""
    lock_version(post.person, person_version)
    lock_version(post, version)


@transaction.atomic
def official_update(
    *,
    actor: User | None,
    post: Post,
    nik: str | None = None,
    version: int | None = None,
    person_version: int | None = None,
    **fields,
) -> Post:
    """Correct an official's details and their post. A corrected NIK must not belong to someone else.
    `version` and `person_version` are those the user read (refused as stale when either row changed)."""
    _ensure_may_edit(actor, post.village)
    ensure_post_current(post)
    ensure_roster_open(post.village)
    _lock_versions(post, version=version, person_version=person_version)
    unknown = set(fields) - set(PERSON_FIELDS) - set(POST_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    person = post.person
    ensure_may_change_identity(actor, person, nik=nik, fields=fields)
    ensure_identity_open(person, nik=nik, **fields)
    if nik is not None and nik_lib.normalize_nik(nik) != person.nik:
        check = nik_lib.check_nik(nik)
        if not check.valid:
            raise ValidationError({"nik": check.errors})
        if Person.objects.filter(nik_hash=nik_lib.hash_nik(check.nik)).exclude(pk=person.pk).exists():
            raise ValidationError({"nik": _("This NIK already belongs to another official.")})
        person.nik = check.nik
    for name in PERSON_FIELDS:
        if name in fields:
            setattr(person, name, fields[name])
    for name in POST_FIELDS:
        if name in fields:
            setattr(post, name, fields[name])
    person._history_user = actor
    post._history_user = actor
    person.full_clean()
    post.full_clean()
    person.save()
    post.save()
    return post


def ensure_post_current(post: Post) -> None:
    """An ended post is history: it is read, never changed (its person may serve elsewhere now)."""
    if post.ended_on is not None:
        raise ValidationError(_("This post has ended and can no longer be changed."))


def ensure_may_change_identity(actor: User | None, person: Person, *, nik: str | None, fields: dict) -> None:
    """Refuse a change of the person's NIK, name, sex, birth date or phone by anyone but whoever may edit
    the desa of their home post (villages.selectors.home_post): a desa where they only act edits its post."""
    changed = changed_fields(person, PERSON_FIELDS, nik=nik, fields=fields)
    if not changed or actor is None:
        return
    home = home_post(person)
    if not may_edit_identity(actor, home.village if home else None):
        message = _(
            "The personal data of this official (NIK, name, sex, birth date, phone) is kept by the desa of "
            "their home post and by DPMD; here you change only this post."
        )
        raise ValidationError({name: message for name in changed})


def _same_regency(one: Village, other: Village) -> bool:
    return one.subdistrict.regency_id == other.subdistrict.regency_id


def active_post_elsewhere(*, nik: str, village: Village) -> Post | None:
    """An active post of this NIK in another desa, one in another regency first: DPMD decides, a village
    never moves a person silently."""
    regency = village.subdistrict.regency_id
    other_regency_first = Case(
        When(village__subdistrict__regency_id=regency, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return (
        Post.objects.current()
        .filter(person__nik_hash=nik_lib.hash_nik(nik))
        .exclude(village=village)
        .select_related("person", "village__subdistrict")
        .order_by(other_regency_first, "pk")
        .first()
    )


def nik_elsewhere_message(*, actor: User | None, village: Village, elsewhere: Post) -> str:
    """Why a NIK active in another desa is refused, naming that desa only to a user who can see it: of
    another regency nothing is told, not even which."""
    if not _same_regency(elsewhere.village, village):
        return _("This NIK is registered in another regency; contact DPMD.")
    if village_in_scope(actor, elsewhere.village):
        return _(
            "This NIK holds an active post in %(village)s. Ask DPMD to move the official, or record this post as Plt."
        ) % {"village": elsewhere.village}
    return _(
        "This NIK holds an active post in another desa. Ask DPMD to move the official, or record this post as Plt."
    )


@transaction.atomic
def nik_conflict_record(
    *, actor: User | None, person: Person, village: Village, other_village: Village, post: Post | None = None
) -> NikConflict | None:
    """Tell DPMD that a desa sent the NIK of someone active in another desa: one open conflict per person
    and submitting desa (sending it again adds none, an acting post added later is noted on it). The
    system and the demo (no actor) report nothing."""
    if actor is None:
        return None
    conflict = NikConflict.objects.filter(person=person, village=village, resolved_at__isnull=True).first()
    if conflict is None:
        conflict = NikConflict(person=person, village=village, other_village=other_village, reported_by=actor)
    conflict.post = post or conflict.post
    conflict.save()
    return conflict


@transaction.atomic
def post_end(*, actor: User | None, post: Post, ended_on: dt.date, reason: str, version: int | None = None) -> Post:
    """End a post with a date and reason. Posts are never deleted: the history of who served stays.
    `version` is the post's as the user read it (refused as stale when it changed)."""
    _ensure_may_edit(actor, post.village)
    if post.ended_on:
        raise ValidationError(_("This post has already ended."))
    ensure_roster_open(post.village)
    lock_version(post, version)
    post.ended_on = ended_on
    post.end_reason = reason
    post._history_user = actor
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def nik_conflict_resolve(*, actor: User, conflict, note: str):
    """DPMD records how a NIK claimed by two desa was settled (moved, corrected, or a Plt post)."""
    from django.utils import timezone

    ensure(may_settle_nik_conflict(actor, conflict), _("Only DPMD staff of the regency settle its NIK conflicts."))
    if conflict.resolved_at:
        raise ValidationError(_("This conflict has already been resolved."))
    if not note.strip():
        raise ValidationError({"resolution_note": _("Write how the conflict was resolved.")})
    conflict.resolved_at = timezone.now()
    conflict.resolution_note = note.strip()
    conflict.full_clean()
    conflict.save()
    return conflict
