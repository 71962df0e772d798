"""Times the officials exports on a national-scale database (bench/national.py), read-only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/desa_jaminan_national .venv/bin/python bench/exports.py
    # options: --regencies 11.08,17.06   --skip-national   --repeat N (default 3, the best is printed)

Prints, per regency, the officials .xlsx through the view (end to end: the request, every byte of the
streamed file) beside the time of its SQL alone (the same rows, fetched and thrown away); then the export
of the whole country as the worker writes it (enrollment.national_export.officials_export_write, what the
task runs before handing the file to the storage), in a child process whose peak memory (VmHWM) is read
before it exits. Nothing is kept: each view call runs in a transaction that is rolled back (its access
record), the national file is a temporary file. The only write kept is the bench's superuser account,
`bench-exports`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desa_jaminan.settings")

BENCH_USER = "bench-exports"


def _setup() -> None:
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/exports.py measures PostgreSQL: set DATABASE_URL to the national database.")


def _bench_user():
    from accounts.models import User

    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = User.objects.create_superuser(username=BENCH_USER, password=None)
    return user


class _Rollback(Exception):
    pass


def _view_seconds(user, code: str) -> tuple[float, int, float]:
    """(seconds to the last byte, bytes, seconds to the first byte) of /wilayah/<code>/perangkat.xlsx."""
    from django.db import transaction
    from django.test import RequestFactory

    from enrollment.views_exports import regency_officials_xlsx

    request = RequestFactory().get(f"/wilayah/{code}/perangkat.xlsx")
    request.user = user
    try:
        with transaction.atomic():
            started = time.perf_counter()
            response = regency_officials_xlsx(request, code)
            chunks = iter(response.streaming_content)
            first = next(chunks)
            first_at = time.perf_counter() - started
            size = len(first) + sum(len(chunk) for chunk in chunks)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, size, first_at


def _sql_seconds(user, code: str) -> tuple[float, int]:
    """The export's queries alone (the posts, the enrollments), every row fetched."""
    from django.db import connection

    from core.models import Village
    from core.selectors import programs_visible_to
    from enrollment.exports import _POST_FIELDS, best_enrollments, officials_posts

    posts = officials_posts(Village.objects.filter(subdistrict__regency_id=code))
    started = time.perf_counter()
    best_enrollments(posts.order_by().values("person_id"), list(programs_visible_to(user)))
    sql, params = posts.values_list(*_POST_FIELDS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = len(cursor.fetchall())
    return time.perf_counter() - started, rows


def _national_child() -> None:
    """In the child: what the export task runs on the whole country (the national database has no
    ExportJob table, and stays as it is: the file goes to a temporary file), printed as JSON."""
    _setup()
    from django.utils import timezone

    from enrollment.national_export import officials_export_write

    user = _bench_user()
    with tempfile.TemporaryFile() as target:
        started = time.perf_counter()
        niks = officials_export_write(target, user=user, province=None, day=timezone.localdate())
        figures = {"seconds": time.perf_counter() - started, "rows": sum(niks.values()), "bytes": target.tell()}
    status = Path("/proc/self/status").read_text()
    figures["vmhwm_mb"] = int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]) / 1024
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regencies", default="11.08,17.06")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--national-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.national_child:
        _national_child()
        return
    _setup()
    user = _bench_user()
    for code in args.regencies.split(","):
        _view_seconds(user, code)  # warm: the first request loads the translations and the templates
        view = min(_view_seconds(user, code) for _ in range(args.repeat))
        sql = min(_sql_seconds(user, code) for _ in range(args.repeat))
        print(
            f"{code}: {sql[1]:>6} rows  view (end to end) {view[0] * 1000:7.0f} ms, first byte "
            f"{view[2] * 1000:5.0f} ms, {view[1] // 1024} KB   its SQL alone {sql[0] * 1000:6.0f} ms"
        )
    if args.skip_national:
        return
    child = subprocess.run([sys.executable, __file__, "--national-child"], capture_output=True, text=True, check=False)
    if child.returncode:
        sys.exit(child.stderr)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"national: {figures['rows']} rows  export task {figures['seconds']:.1f} s, "
        f"{figures['bytes'] // (1024 * 1024)} MB, worker peak memory (VmHWM) {figures['vmhwm_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
