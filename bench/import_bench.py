"""Benchmark of the officials-file import against a plain django-import-export ModelResource.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/desa_jaminan_bench .venv/bin/python bench/import_bench.py

Builds a regency file for Mukomuko (default 10,000 rows over its 148 desa, valid NIKs), times OUR import
(upload + preview, then confirm: every row written with its history), then imports the same rows through
a default ModelResource for Person (row by row, as django-import-export does by default) and prints both
times and the ratio. Targets: ours ≤ 10 s, and ≥ 5× faster than the plain resource.

It never touches real data: Django's test-database machinery creates test_<NAME> (for the URL above,
test_desa_jaminan_bench), migrates it, and drops it at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desa_jaminan.settings")
# A 10,000-row file is above the everyday limits; the bench raises them for its own process only.
os.environ.setdefault("ROSTER_IMPORT_MAX_ROWS", "100000")
os.environ.setdefault("ROSTER_IMPORT_MAX_BYTES", str(100 * 1024 * 1024))

import django

django.setup()

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import setup_test_environment, teardown_test_environment
from import_export import fields, resources, widgets
from openpyxl import Workbook
from tablib import Dataset

from accounts.models import User
from core.models import Regency, Village
from core.nik import hash_nik
from core.roles import Role
from core.services import regions_import
from villages.models import Person, Position, Post, RosterImport
from villages.roster_import import services
from villages.roster_import.columns import COLUMNS, VILLAGE_CODE

MUKOMUKO = "17.06"
OTHER_POSITIONS = [
    "Kaur Keuangan",
    "Kaur Perencanaan",
    "Kaur Tata Usaha dan Umum",
    "Kasi Pemerintahan",
    "Kasi Kesejahteraan",
    "Kasi Pelayanan",
    "Kepala Dusun",
    "Staf",
]
FIRST = ["Ahmad", "Budi", "Dedi", "Eko", "Siti", "Sri", "Dewi", "Rina", "Hendra", "Yusuf", "Rahmat", "Indah"]
LAST = ["Saputra", "Pratama", "Hidayat", "Gunawan", "Wijaya", "Lestari", "Susanto", "Wahyuni"]


class PersonResource(resources.ModelResource):
    """The plain way: a default ModelResource, the NIK set through the model's `nik` property (which
    encrypts it and computes its hash), one row at a time with django-import-export's defaults."""

    nik = fields.Field(attribute="nik", column_name="nik")

    class Meta:
        model = Person
        fields = ("id", "nik", "full_name", "sex", "birth_date", "phone")


class NikWidget(widgets.ForeignKeyWidget):
    """The official of a NIK, found through its keyed hash: ForeignKeyWidget's own query, once a row."""

    def __init__(self):
        super().__init__(Person, field="nik_hash")

    def clean(self, value, row=None, **kwargs):
        return super().clean(hash_nik(value), row, **kwargs)


class PostResource(resources.ModelResource):
    """The posts of the same rows, the same plain way (village and person as foreign keys)."""

    person = fields.Field(attribute="person", column_name="nik", widget=NikWidget())
    village = fields.Field(attribute="village", column_name="village", widget=widgets.ForeignKeyWidget(Village))

    class Meta:
        model = Post
        fields = ("id", "person", "village", "position", "status", "term_start", "wage_basis")


def build_rows(rows: int) -> list[dict]:
    villages = list(
        Village.objects.filter(subdistrict__regency_id=MUKOMUKO, kind__in=Village.GOVERNED_KINDS).order_by("code")
    )
    people, seen, per_village = [], set(), {}
    for i in range(rows):
        village = villages[i % len(villages)]
        index = per_village.get(village.code, 0)
        per_village[village.code] = index + 1
        female = i % 3 == 0
        birth = dt.date(1965 + (i // 336) % 35, 1 + (i // 28) % 12, 1 + i % 28)
        day = birth.day + (40 if female else 0)
        prefix = village.code_digits[:6]
        nik = f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}{i % 9999 + 1:04d}"
        assert nik not in seen
        seen.add(nik)
        position = "Kepala Desa" if index == 0 else "Sekretaris Desa" if index == 1 else OTHER_POSITIONS[i % 8]
        people.append(
            {
                "village": village.code,
                "nik": nik,
                "full_name": f"{(FIRST[i % 6 + 6] if female else FIRST[i % 6])} {LAST[i % 8]} {i}",
                "sex": "P" if female else "L",
                "birth_date": birth,
                "phone": f"08{1200000000 + i}",
                "position": position,
                "term_start": dt.date(2019 + i % 6, 1 + i % 12, 1),
                "wage": "Rp2.850.000" if i % 2 else 2_850_000,
            }
        )
    return people


def regency_xlsx(people: list[dict]) -> bytes:
    # Not write-only: like Excel, the normal mode writes the sheet's dimension, which readers rely on.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Perangkat"
    sheet.append([VILLAGE_CODE.header, *(c.header for c in COLUMNS)])
    for p in people:
        birth = p["birth_date"].strftime("%d-%m-%Y") if p["sex"] == "L" else p["birth_date"]  # text and real dates
        start = p["term_start"].strftime("%d-%m-%Y")
        person = [p["village"], p["nik"], p["full_name"], p["sex"], birth, p["phone"]]
        sheet.append([*person, p["position"], None, "definitif", None, None, None, start, None, p["wage"], None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


POSITION_CODES = {label: code for code, label in Position.choices}


def plain_datasets(people: list[dict]) -> tuple[Dataset, Dataset]:
    persons = Dataset(headers=["id", "nik", "full_name", "sex", "birth_date", "phone"])
    posts = Dataset(headers=["id", "nik", "village", "position", "status", "term_start", "wage_basis"])
    for p in people:
        persons.append(["", p["nik"], p["full_name"], p["sex"], p["birth_date"].isoformat(), p["phone"]])
        position = POSITION_CODES[p["position"]]
        posts.append(["", p["nik"], p["village"], position, "definitif", p["term_start"].isoformat(), 2850000])
    return persons, posts


def run(rows: int) -> int:
    regions_import(regency_codes=[MUKOMUKO])
    regency = Regency.objects.get(pk=MUKOMUKO)
    actor = User.objects.create(username="bench-dpmd", role=Role.DPMD, regency=regency)
    people = build_rows(rows)
    content = regency_xlsx(people)
    settings.ROSTER_IMPORT_INLINE_ROWS = rows  # time the services themselves, not a Celery round trip
    print(f"{rows:,} rows over {len({p['village'] for p in people})} desa of Mukomuko; file {len(content):,} bytes")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")

    # The plain resources first, in a transaction rolled back afterwards: the same NIKs then go through ours.
    persons, posts = plain_datasets(people)
    with transaction.atomic():
        start = time.perf_counter()
        result = PersonResource().import_data(persons, dry_run=False, raise_errors=True)
        plain_persons = time.perf_counter() - start
        assert not result.has_errors() and Person.objects.count() == rows, "the plain import failed"
        start = time.perf_counter()
        result = PostResource().import_data(posts, dry_run=False, raise_errors=True)
        plain_posts = time.perf_counter() - start
        assert not result.has_errors() and Post.objects.count() == rows, "the plain import failed"
        transaction.set_rollback(True)
    assert Person.objects.count() == 0
    plain = plain_persons + plain_posts

    start = time.perf_counter()
    roster_import = services.roster_import_upload(
        actor=actor, upload=SimpleUploadedFile("mukomuko.xlsx", content), regency=regency
    )
    preview = time.perf_counter() - start
    counts = roster_import.result.get("counts", {})
    assert roster_import.status == RosterImport.Status.PREVIEW, (
        roster_import.result.get("errors", [])[:5] or roster_import.message
    )
    start = time.perf_counter()
    roster_import = services.roster_import_confirm(actor=actor, roster_import=roster_import)
    confirm = time.perf_counter() - start
    assert roster_import.status == RosterImport.Status.APPLIED, roster_import.message
    assert Post.objects.count() == rows and Person.objects.count() == rows
    assert Post.history.filter(history_user=actor).count() == rows
    assert Post.objects.filter(position=Position.KEPALA_DESA).count() == len({p["village"] for p in people})

    ours = preview + confirm
    print(f"ours:  preview {preview:6.2f} s  (new {counts.get('new', 0):,}, errors {counts.get('errors', 0)})")
    print(f"       confirm {confirm:6.2f} s  (persons, posts and a history row for each)")
    print(f"       total   {ours:6.2f} s   target ≤ 10 s: {'ok' if ours <= 10 else 'MISSED'}")
    print(f"plain ModelResource, row by row: persons {plain_persons:.2f} s + posts {plain_posts:.2f} s = {plain:.2f} s")
    print(
        f"ratio: ours is {plain / ours:.1f}× faster than the plain persons + posts   target ≥ 5×: "
        f"{'ok' if plain / ours >= 5 else 'MISSED'}"
    )
    print(f"       ({plain_persons / ours:.1f}× against the plain persons alone, which write half of what ours writes)")
    return 0 if ours <= 10 and plain / ours >= 5 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    media = tempfile.TemporaryDirectory(prefix="import-bench-")
    settings.MEDIA_ROOT = media.name
    try:
        return run(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        media.cleanup()


if __name__ == "__main__":
    sys.exit(main())
