"""`manage.py import_regions` against the published region data of Mukomuko and Majene
(../shared/data/regions_mukomuko_majene.csv and its README)."""

import csv
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from core.models import Province, Regency, Subdistrict, Village

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REGIONS_CSV = PROJECT_ROOT.parent / "shared" / "data" / "regions_mukomuko_majene.csv"

MODELS = {"province": Province, "regency": Regency, "district": Subdistrict, "village": Village}
PARENT_FIELD = {"regency": "province_id", "district": "regency_id", "village": "subdistrict_id"}

# Per kecamatan (desa, kelurahan), from the data README.
MUKOMUKO_SUBDISTRICTS = {
    "Lubuk Pinang": (7, 0),
    "Kota Mukomuko": (6, 3),
    "Teras Terunjam": (8, 0),
    "Pondok Suguh": (11, 0),
    "Ipuh": (16, 0),
    "Malin Deman": (7, 0),
    "Air Rami": (12, 0),
    "Teramang Jaya": (13, 0),
    "Selagan Raya": (12, 0),
    "Penarik": (14, 0),
    "XIV Koto": (8, 0),
    "V Koto": (10, 0),
    "Air Manjunto": (8, 0),
    "Air Dikit": (7, 0),
    "Sungai Rumbai": (9, 0),
}
MAJENE_SUBDISTRICTS = {
    "Banggae": (2, 6),
    "Pamboang": (13, 2),
    "Sendana": (14, 2),
    "Malunda": (10, 2),
    "Ulumanda": (8, 0),
    "Tammerodo Sendana": (7, 0),
    "Tubo Sendana": (7, 0),
    "Banggae Timur": (1, 8),
}

SUKA_PINDAH = "17.06.01.2005"


@pytest.fixture
def published_rows() -> list[dict[str, str]]:
    if not REGIONS_CSV.exists():
        pytest.skip(f"region data not found at {REGIONS_CSV}")
    with REGIONS_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def import_regions(*codes: str) -> str:
    out = StringIO()
    call_command("import_regions", *codes, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    """Every region row, field by field, to tell whether an import changed anything."""
    return {
        "province": list(Province.objects.values_list("code", "name")),
        "regency": list(Regency.objects.values_list("code", "name", "province_id")),
        "subdistrict": list(Subdistrict.objects.values_list("code", "name", "regency_id")),
        "village": list(
            Village.objects.values_list("code", "name", "subdistrict_id", "kind", "postal_code", "is_active")
        ),
    }


def subdistrict_counts(regency_code: str) -> dict[str, tuple[int, int]]:
    rows = Subdistrict.objects.filter(regency_id=regency_code).annotate(
        desa=Count("villages", filter=Q(villages__kind=Village.Kind.DESA)),
        kelurahan=Count("villages", filter=Q(villages__kind=Village.Kind.KELURAHAN)),
    )
    return {s.name: (s.desa, s.kelurahan) for s in rows}


def test_every_published_code_and_name_is_imported(db, published_rows):
    import_regions("17.06", "76.05")

    for level, model in MODELS.items():
        rows = [r for r in published_rows if r["level"] == level]
        in_db = model.objects.in_bulk([r["code"] for r in rows])
        for row in rows:
            region = in_db.get(row["code"])
            assert region is not None, f"{level} {row['code']} {row['name']} missing"
            assert region.name == row["name"], row["code"]
            if level in PARENT_FIELD:
                assert getattr(region, PARENT_FIELD[level]) == row["parent_code"], row["code"]
            if level == "village":
                assert region.kind == row["village_type"], row["code"]
                assert region.is_active, row["code"]


def test_no_region_outside_the_published_data_in_the_two_regencies(db, published_rows):
    import_regions("17.06", "76.05")

    published = {r["code"] for r in published_rows if r["level"] == "village"}
    imported = set(
        Village.objects.filter(subdistrict__regency__in=["17.06", "76.05"], is_active=True).values_list(
            "code", flat=True
        )
    )
    assert imported == published


@pytest.mark.parametrize(
    ("regency", "subdistricts", "desa", "kelurahan"),
    [("17.06", 15, 148, 3), ("76.05", 8, 62, 20)],
    ids=["Mukomuko", "Majene"],
)
def test_regency_has_its_published_numbers_of_kecamatan_desa_and_kelurahan(db, regency, subdistricts, desa, kelurahan):
    import_regions(regency)

    villages = Village.objects.filter(subdistrict__regency_id=regency)
    assert Subdistrict.objects.filter(regency_id=regency).count() == subdistricts
    assert villages.filter(kind=Village.Kind.DESA).count() == desa
    assert villages.filter(kind=Village.Kind.KELURAHAN).count() == kelurahan
    assert villages.count() == desa + kelurahan


@pytest.mark.parametrize(
    ("regency", "expected"),
    [("17.06", MUKOMUKO_SUBDISTRICTS), ("76.05", MAJENE_SUBDISTRICTS)],
    ids=["Mukomuko", "Majene"],
)
def test_each_kecamatan_has_its_published_desa_and_kelurahan(db, regency, expected):
    import_regions(regency)

    assert subdistrict_counts(regency) == expected


def test_second_import_changes_nothing(db):
    import_regions("17.06", "76.05")
    before = snapshot()

    summary = import_regions("17.06", "76.05")

    assert snapshot() == before
    counts = re.findall(r"\d+", summary)
    assert counts, summary
    assert set(counts) == {"0"}, summary
    assert import_regions("17.06", "76.05") == summary


def test_renamed_village_is_renamed_back_not_duplicated(db):
    import_regions("17.06")
    village_count = Village.objects.count()
    Village.objects.filter(pk=SUKA_PINDAH).update(name="Suka Pindah Lama")

    import_regions("17.06")

    assert Village.objects.get(pk=SUKA_PINDAH).name == "Suka Pindah"
    assert Village.objects.count() == village_count
    assert not Village.objects.filter(name="Suka Pindah Lama").exists()
    assert Village.objects.filter(name="Suka Pindah").count() == 1


def test_renamed_kecamatan_is_renamed_back(db):
    import_regions("17.06")
    Subdistrict.objects.filter(pk="17.06.01").update(name="Lubuk Pinang Lama")

    import_regions("17.06")

    assert Subdistrict.objects.get(pk="17.06.01").name == "Lubuk Pinang"
    assert Subdistrict.objects.filter(regency_id="17.06").count() == 15


def test_village_missing_from_the_data_is_retired_not_deleted(db):
    import_regions("17.06")
    Village.objects.create(
        code="17.06.01.2999", name="Desa Lama", subdistrict_id="17.06.01", kind=Village.Kind.DESA, is_active=True
    )

    import_regions("17.06")

    retired = Village.objects.get(pk="17.06.01.2999")
    assert retired.is_active is False
    assert retired.name == "Desa Lama"
    assert Village.objects.filter(subdistrict__regency_id="17.06", is_active=True).count() == 151


def test_retiring_leaves_villages_of_other_regencies_alone(db):
    import_regions("17.06", "76.05")
    before = snapshot()

    import_regions("76.05")

    assert snapshot() == before


def test_village_back_in_the_data_is_active_again(db):
    import_regions("17.06")
    Village.objects.filter(pk=SUKA_PINDAH).update(is_active=False)

    import_regions("17.06")

    assert Village.objects.get(pk=SUKA_PINDAH).is_active


@pytest.mark.parametrize("bad_code", ["99.99", "17.06.01"], ids=["unknown regency", "kecamatan code"])
def test_bad_regency_code_is_refused_and_changes_nothing(db, bad_code):
    import_regions("17.06")
    Village.objects.filter(pk=SUKA_PINDAH).update(name="Suka Pindah Lama")
    before = snapshot()

    with pytest.raises(CommandError) as exc_info:
        import_regions("17.06", bad_code)

    assert bad_code in str(exc_info.value)
    assert "regency" in str(exc_info.value).lower() or "kabupaten" in str(exc_info.value).lower()
    # Nothing imported, not even the good code given beside the bad one.
    assert snapshot() == before


def test_import_without_codes_is_refused(db):
    with pytest.raises(CommandError):
        import_regions()
