"""Time and peak memory of the two scheduled jobs at national scale, each in a subprocess of its own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/desa_jaminan_national .venv/bin/python bench/jobs.py
    options: --old (the old code's figures too: minutes; run it on a copy)   --day 2026-12-11

- deactivation: budgets.services.enrollments_deactivate_unpaid for the whole country on --day (default the
  11th of this month), after a realistic month of payments: the regency pays its DAU in all but one
  regency in forty; in one regency in ten the JKN enrollments are moved onto ADD (the desa pays) and all
  but one desa in thirty of those pay it. Target: ≤ 30 s and ≤ 250 MB.
- snapshot: enrollment.trend.coverage_snapshots_take of every regency with officials, this month up to
  --day, as the daily task does. Target: ≤ 60 s.

Everything a job writes, and the payments and source changes it runs after, happen inside one
transaction that is rolled back: the database is left as it was (but its tables are share-locked
meanwhile: run --old, minutes long, on a copy; see bench/README.md). Each job runs in a fresh Python process
(`--child JOB`), so its peak memory (VmHWM, the resident high-water mark, and ru_maxrss) is that of
Django plus that job alone; the process's resident size before the job is printed too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desa_jaminan.settings")

TARGETS = {"deactivate": (30, 250), "snapshot": (60, None)}
JOBS = ["deactivate", "snapshot"]
UNPAID_REGENCY_EVERY, ADD_REGENCY_EVERY, UNPAID_DESA_EVERY = 40, 10, 30
OLD_WRITE_SAMPLE = 100


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _payments(day: dt.date) -> dict[str, int]:
    """A month of payments as a country records them, and some JKN moved onto ADD (see the docstring)."""
    from accounts.models import User
    from budgets.models import Payment
    from core.models import Program, Regency, Village
    from enrollment.models import Enrollment

    month = day.replace(day=1)
    actor = User.objects.create(username=f"bench-jobs-{os.getpid()}")
    regencies = list(
        Regency.objects.filter(subdistricts__villages__posts__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    on_add = regencies[ADD_REGENCY_EVERY // 2 :: ADD_REGENCY_EVERY]
    moved = Enrollment.objects.filter(
        program_id=Program.KESEHATAN,
        status=Enrollment.Status.ACTIVE,
        person__posts__village__subdistrict__regency__in=on_add,
    ).update(funding_source_id="ADD")
    common = {"program_id": Program.KESEHATAN, "fiscal_year": month.year, "month": month.month, "amount": 1}
    common |= {"paid_on": month + dt.timedelta(days=4), "recorded_by": actor}
    payments = [
        Payment(regency_id=code, source_id="DAU", **common)
        for i, code in enumerate(regencies)
        if i % UNPAID_REGENCY_EVERY != UNPAID_REGENCY_EVERY - 1
    ]
    desa = Village.objects.filter(subdistrict__regency__in=on_add, kind__in=Village.GOVERNED_KINDS).order_by("pk")
    payments += [
        Payment(village_id=code, source_id="ADD", **common)
        for i, code in enumerate(desa.values_list("pk", flat=True))
        if i % UNPAID_DESA_EVERY != UNPAID_DESA_EVERY - 1
    ]
    Payment.objects.bulk_create(payments, batch_size=2000)
    active = Enrollment.objects.filter(program_id=Program.KESEHATAN, status=Enrollment.Status.ACTIVE).count()
    return {"payments": len(payments), "moved_to_add": moved, "jkn_active": active}


def _figures(snapshots) -> list[str]:
    """What a snapshot says, to compare the old job's with the new one's through the digest."""
    fields = ["villages_total", "villages_covered", "villages_fully_covered", "officials_total", "officials_covered"]
    return [":".join(str(getattr(s, f)) for f in ["regency_id", "program_id", *fields]) for s in snapshots]


def _child(job: str, day: dt.date) -> dict:
    """Run one job inside a transaction that is rolled back; its time, memory and result."""
    import django

    django.setup()
    from django.db import transaction

    from core.models import Regency

    result: dict = {"job": job}
    with transaction.atomic():
        if job.startswith("deactivate"):
            result.update(_payments(day))
        rss_before = _status_mb("VmRSS")
        start = time.perf_counter()
        if job == "deactivate":
            from budgets.services import enrollments_deactivate_unpaid

            ids = enrollments_deactivate_unpaid(today=day)
        elif job == "deactivate-old":
            # The old per-row writes run at about a row a second nationally (full_clean's constraint
            # checks): all of them would take hours, so a sample is written and the rest estimated.
            from bench.legacy_jobs import old_make_inactive, old_unpaid_ids

            ids = old_unpaid_ids(today=day)
            result["select_seconds"] = round(time.perf_counter() - start, 1)
            result["select_vmhwm_mb"] = round(_status_mb("VmHWM"))
            written = time.perf_counter()
            sample = old_make_inactive(ids[:OLD_WRITE_SAMPLE], month=day.replace(day=1))
            per_row = (time.perf_counter() - written) / max(len(sample), 1)
            result |= {"sample": len(sample), "per_row_seconds": round(per_row, 3)}
            result["estimated_seconds"] = round(result["select_seconds"] + per_row * len(ids))
        elif job == "snapshot":
            from enrollment.trend import coverage_snapshots_take

            regencies = list(Regency.objects.filter(subdistricts__villages__posts__isnull=False).distinct())
            ids = _figures(coverage_snapshots_take(regencies=regencies, month=day.replace(day=1), today=day))
        elif job == "snapshot-old":
            from bench.legacy_jobs import old_coverage_snapshot_take

            ids = []
            for regency in Regency.objects.filter(subdistricts__villages__posts__isnull=False).distinct():
                ids += _figures(old_coverage_snapshot_take(regency=regency, month=day.replace(day=1), today=day))
        else:
            raise SystemExit(f"unknown job {job}")
        result["seconds"] = round(time.perf_counter() - start, 1)
        result["rows"] = len(ids)
        result["digest"] = hashlib.sha1(",".join(map(str, sorted(ids))).encode()).hexdigest()[:12]  # old = new?
        transaction.set_rollback(True)
    result["rss_before_mb"] = round(rss_before)
    result["vmhwm_mb"] = round(_status_mb("VmHWM"))
    result["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def _run(job: str, day: dt.date) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", job, "--day", day.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", action="store_true", help="also time the old code (minutes)")
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date.today().replace(day=11))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.day)))
        return 0

    missed = 0
    print(f"day {args.day}; load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for job in JOBS:
        for variant in [job, f"{job}-old"] if args.old else [job]:
            r = _run(variant, args.day)
            extra = ""
            if "payments" in r:
                share = 100 * r["rows"] / r["jkn_active"] if r["jkn_active"] else 0
                extra = (
                    f"  ({r['payments']:,} payments, {r['moved_to_add']:,} JKN moved onto ADD; "
                    f"{share:.1f} % of {r['jkn_active']:,} active JKN made inactive)"
                )
            if "sample" in r:
                extra += (
                    f"\n  of which selecting {r['select_seconds']} s (peak {r['select_vmhwm_mb']} MB); then "
                    f"{r['per_row_seconds']} s an enrollment over {r['sample']} written: all {r['rows']:,} would "
                    f"take about {r['estimated_seconds']:,} s"
                )
            print(
                f"{variant:15} {r['seconds']:7.1f} s  peak {r['vmhwm_mb']:5} MB (ru_maxrss {r['maxrss_mb']} MB, "
                f"{r['rss_before_mb']} MB before the job)  {r['rows']:,} rows, digest {r['digest']}{extra}"
            )
            seconds, megabytes = TARGETS[job]
            if variant == job and (r["seconds"] > seconds or (megabytes and r["vmhwm_mb"] > megabytes)):
                missed += 1
                print(f"  target missed: ≤ {seconds} s" + (f" and ≤ {megabytes} MB" if megabytes else ""))
    print(f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
