"""Measure pages of the running app on a national database, each beside its own raw SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/desa_jaminan_national .venv/bin/python bench/pages.py
    options: --requests N (default 20)  --only ROW[,ROW]  --skip-load  --budget S (default 60)
             --redis-url URL (default redis://127.0.0.1:6379/11)

In one run it: starts gunicorn as production does (gunicorn.conf.py, DEBUG off, static files collected
for whitenoise, Redis as the cache) on a free local port; creates or refreshes its users (`bench-...`:
DPMD staff of two regencies, a superuser, a province observer) with a new password; logs each in
through the login form; then, per row, times the page "cold" (the Redis cache db emptied before each
request) and "warm" (after one request to fill it), and the hand-written SQL of bench/pages_sql.py that
computes the page's figures from the base tables; prints medians, ratios and whether each page meets
app <= 2 x max(SQL, the trivial logged-in page). Then a short wrk load run. Sessions live in the
database (Django's default engine), so emptying the cache db logs nobody out.

A series stops early, with at least 3 samples, once it has taken --budget seconds: `n` says how many.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import pages_sql as sql

PROGRAM = "bpjs_kesehatan"  # the lists are per program; JKN is the one every regency has
WRK_LUA = ROOT / "bench" / "wrk_report.lua"
BENCH_PREFIX = "bench-"
SUBDISTRICT = "17.06.01"
MUKOMUKO = "17.06"


class BenchError(Exception):
    pass


@dataclass
class Row:
    key: str
    page: str
    user: str  # a key of the users made by `users_ensure`
    path: str
    queries: list[str] = field(default_factory=list)  # run one after the other, timed together
    params: dict = field(default_factory=dict)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    error: str = ""


@dataclass
class Places:
    """The regencies the rows measure: the largest by desa and by officials, and the province with the
    most regencies (its observer's comparison)."""

    largest: str
    most_officials: str
    province: str


def rows_for(places: Places) -> list[Row]:
    big, most, p = places.largest, places.most_officials, f"program={PROGRAM}"
    on = {"regency": big}
    return [
        Row("trivial", "profile /akun/profil/", "dpmd_mukomuko", "/akun/profil/"),
        Row("dashboard", f"dashboard {MUKOMUKO}", "dpmd_mukomuko", f"/wilayah/{MUKOMUKO}/", [sql.DASHBOARD],
            {"regency": MUKOMUKO}),
        Row("dashboard_big", f"dashboard {big}", "dpmd_big", f"/wilayah/{big}/", [sql.DASHBOARD], on),
        Row("api", f"coverage API {big}", "dpmd_big", f"/api/v1/coverage/?regency={big}",
            [sql.DASHBOARD, sql.COST], on),
        Row("kecamatan", f"kecamatan {SUBDISTRICT}", "dpmd_mukomuko", f"/kecamatan/{SUBDISTRICT}/",
            [sql.SUBDISTRICT_PAGE], {"subdistrict": SUBDISTRICT}),
        Row("villages", f"villages list {big}", "dpmd_big", f"/wilayah/{big}/desa/?{p}", [sql.VILLAGES], on),
        Row("officials", f"officials list {big}", "dpmd_big", f"/wilayah/{big}/perangkat/?{p}", [sql.OFFICIALS], on),
        Row("followup", f"follow-up list {big}", "dpmd_big", f"/wilayah/{big}/tindak-lanjut/?{p}", [sql.FOLLOWUP], on),
        Row("followup_xlsx", f"follow-up .xlsx {most}", "dpmd_most", f"/wilayah/{most}/tindak-lanjut/?{p}&format=xlsx",
            [sql.FOLLOWUP], {"regency": most}),
        Row("regencies", "regencies, superuser", "superuser", "/wilayah/", [sql.REGENCIES_ALL]),
        Row("regencies_province", f"regencies, province {places.province}", "province", "/wilayah/",
            [sql.REGENCIES_PROVINCE], {"province": places.province}),
        Row("officials_xlsx", f"officials .xlsx {most}", "dpmd_most", f"/wilayah/{most}/perangkat.xlsx",
            [sql.OFFICIALS_XLSX], {"regency": most}),
        Row("officials_xlsx_small", f"officials .xlsx {MUKOMUKO}", "dpmd_mukomuko",
            f"/wilayah/{MUKOMUKO}/perangkat.xlsx", [sql.OFFICIALS_XLSX], {"regency": MUKOMUKO}),
    ]  # fmt: skip


# --- the users ---------------------------------------------------------------------------------------


def places_find(cursor) -> Places:
    def top(query: str) -> str:
        cursor.execute(query)
        return cursor.fetchone()[0]

    desa = (
        "FROM villages_village v JOIN villages_subdistrict s ON s.code = v.subdistrict_id"
        " WHERE v.kind IN ('desa', 'desa_adat')"
    )
    return Places(
        largest=top(f"SELECT s.regency_id {desa} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        most_officials=top(
            f"SELECT s.regency_id {desa.replace('WHERE', 'JOIN villages_post p ON p.village_id = v.code WHERE')}"
            " AND p.ended_on IS NULL GROUP BY 1 ORDER BY count(DISTINCT p.person_id) DESC, 1 LIMIT 1"
        ),
        province=top("SELECT province_id FROM villages_regency GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
    )  # fmt: skip


def users_ensure(places: Places) -> dict[str, tuple[str, str]]:
    """The bench's users, made or refreshed with the app's model and roles, each with a new password and
    its lockouts lifted: {key: (username, password)}."""
    from axes.utils import reset

    from accounts.models import User
    from core.roles import Role

    wanted = {
        "dpmd_mukomuko": {"role": Role.DPMD, "regency_id": MUKOMUKO},
        "dpmd_big": {"role": Role.DPMD, "regency_id": places.largest},
        "dpmd_most": {"role": Role.DPMD, "regency_id": places.most_officials},
        "superuser": {"role": "", "is_superuser": True, "is_staff": True},
        "province": {"role": Role.PROVINCE, "province_id": places.province},
    }
    accounts = {}
    for key, scope in wanted.items():
        code = scope.get("regency_id") or scope.get("province_id") or ""
        username = f"{BENCH_PREFIX}{key.split('_')[0]}-{code.replace('.', '')}".rstrip("-")
        if made := next((a for a in accounts.values() if a[0] == username), None):
            accounts[key] = made  # the same account under two keys: one password
            continue
        user = User.objects.filter(username=username).first() or User(username=username)
        for name, value in {"is_superuser": False, "is_staff": False, **scope}.items():
            setattr(user, name, value)
        user.must_change_password, user.is_active = False, True
        password = secrets.token_urlsafe(18)
        user.set_password(password)
        user.full_clean()
        user.save()
        reset(username=username)
        accounts[key] = (username, password)
    return accounts


# --- the server and its clients ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(*, port: int, redis_url: str, static_root: str) -> dict[str, str]:
    """Production settings (DEBUG off, the secrets set) with the NIK keys the data was written with:
    those this environment gives (the development keys when it gives none)."""
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "NIK_ENCRYPTION_KEYS": ",".join(settings.NIK_ENCRYPTION_KEYS),
        "NIK_HASH_KEY": settings.NIK_HASH_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": static_root,
        "REDIS_URL": redis_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
    }


def server_start(env: dict[str, str], log: Path) -> subprocess.Popen:
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    gunicorn = [python, "-m", "gunicorn", "--config", "gunicorn.conf.py", "desa_jaminan.wsgi:application"]
    with log.open("w") as out:
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return server


class Client:
    """One logged-in browser behind the TLS proxy production has (X-Forwarded-Proto: https): the
    cookies are Secure, so they are kept here and sent by hand."""

    def __init__(self, base: str) -> None:
        import requests

        self.base, self.http, self.cookies = base, requests.Session(), {}
        self.headers = {"X-Forwarded-Proto": "https"}

    def get(self, path: str, timeout: float = 300):
        response = self.http.get(self.base + path, headers=self._headers(), allow_redirects=False, timeout=timeout)
        self.cookies.update(response.cookies.get_dict())
        return response

    def _headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**self.headers, **({"Cookie": cookie} if cookie else {})}

    def login(self, username: str, password: str) -> None:
        form = self.get("/masuk/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if form.status_code != 200 or not token:
            raise BenchError(f"the login page answered {form.status_code} without a CSRF token")
        headers = {**self._headers(), "Origin": self.base.replace("http://", "https://")}
        data = {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        response = self.http.post(self.base + "/masuk/", data=data, headers=headers, allow_redirects=False)
        self.cookies.update(response.cookies.get_dict())
        if response.status_code != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"{username} could not log in (HTTP {response.status_code})")


def server_wait(base: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    import requests

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(base + "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise BenchError(f"gunicorn did not answer /healthz within {seconds:.0f} s")


# --- measuring ---------------------------------------------------------------------------------------


def series(run: Callable[[], None], *, n: int, budget: float, before: Callable[[], None] | None = None) -> list[float]:
    """Milliseconds of up to `n` runs, one after the other; stops after `budget` seconds (3 runs at least)."""
    times: list[float] = []
    started = time.monotonic()
    while len(times) < n and (len(times) < 3 or time.monotonic() - started < budget):
        if before:
            before()
        t = time.perf_counter()
        run()
        times.append((time.perf_counter() - t) * 1000)
    return times


def page_fetch(client: Client, row: Row) -> Callable[[], None]:
    def run() -> None:
        response = client.get(row.path)
        if response.status_code != 200:
            raise BenchError(f"HTTP {response.status_code}")
        spreadsheet = "spreadsheetml" in response.headers.get("Content-Type", "")
        if (row.path.endswith(".xlsx") or "format=xlsx" in row.path) and not spreadsheet:
            raise BenchError("not a spreadsheet")

    return run


def measure(
    row: Row, client: Client, cursor, flush: Callable[[], None], params: dict, *, n: int, budget: float
) -> None:
    fetch = page_fetch(client, row)
    try:
        row.cold = series(fetch, n=n, budget=budget, before=flush)
        fetch()  # fills the cache
        row.warm = series(fetch, n=n, budget=budget)
    except Exception as exc:  # a timeout or an error page: reported in the row, the others still run
        row.error = str(exc)[:60] or type(exc).__name__

    def query() -> None:
        for statement in row.queries:
            cursor.execute(statement, {**params, **row.params})
            cursor.fetchall()

    if row.queries:
        row.sql = series(query, n=n, budget=budget)


def api_check(client: Client, cursor, row: Row, params: dict) -> str:
    """Whether the coverage API's totals are the SQL's: the two compute the same figures, or the
    comparison means nothing."""
    answer = client.get(row.path).json()["programs"]
    sql_says: dict[str, dict[str, int]] = {}
    cursor.execute(sql.DASHBOARD, {**params, **row.params})
    for kind, program, key, *counts in cursor.fetchall():
        names = {
            "villages": ("villages_total", "villages_covered", "villages_fully_covered"),
            "officials": ("officials_total", "officials_covered", "officials_inactive"),
        }.get(kind)
        if names and key is None:
            sql_says.setdefault(program, {}).update(zip(names, counts, strict=True))
    cursor.execute(sql.COST, {**params, **row.params})
    for program, source, employer, participant in cursor.fetchall():
        if source is None:
            sql_says.setdefault(program, {}).update(employer=int(employer), participant=int(participant))
    differ, compared = [], 0
    for program, figures in answer.items():
        app = {**figures, **figures["monthly_cost"]}
        for name, value in sql_says.get(program, {}).items():
            compared += 1
            if app.get(name, 0) != value:
                differ.append(f"{program} {name}: app {app.get(name)}, SQL {value}")
    if differ or not compared:
        return "API and SQL differ: " + ("; ".join(differ) or "no figure to compare")
    return f"the API's totals are the SQL's ({compared} figures)"


def median(times: list[float]) -> float | None:
    return statistics.median(times) if times else None


def target_ms(sql_ms: float | None, trivial_ms: float | None) -> float | None:
    """The target of a page: twice the larger of its SQL and the trivial logged-in page."""
    known = [t for t in (sql_ms, trivial_ms) if t is not None]
    return 2 * max(known) if known else None


def verdict(app_ms: float | None, target: float | None) -> str:
    if app_ms is None or target is None:
        return "-"
    return "yes" if app_ms <= target else "no"


def fmt(ms: float | None, digits: int = 0) -> str:
    return "-" if ms is None else f"{ms:,.{digits}f}"


COLUMNS = (
    ("page", "<30"), ("cold ms", ">9"), ("warm ms", ">9"), ("SQL ms", ">8"), ("cold/SQL", ">8"),
    ("warm/SQL", ">8"), ("target", ">8"), ("meets c/w", ">10"), ("n", ">9"),
)  # fmt: skip


def table(rows: list[Row], trivial_ms: float | None) -> str:
    def line(cells) -> str:
        return " ".join(f"{cell:{spec}}" for cell, (_, spec) in zip(cells, COLUMNS, strict=True))

    def ratio(app: float | None, q: float | None) -> str:
        return f"{app / q:.1f}" if app is not None and q else "-"

    head = line(name for name, _ in COLUMNS)
    lines = [head, "-" * len(head)]
    for row in rows:
        cold, warm, q = median(row.cold), median(row.warm), median(row.sql)
        target = None if row.key == "trivial" else target_ms(q, trivial_ms)
        meets = "-" if row.key == "trivial" else f"{verdict(cold, target)}/{verdict(warm, target)}"
        n = f"{len(row.cold)}/{len(row.warm)}/{len(row.sql)}"
        cells = [row.page, fmt(cold), fmt(warm), fmt(q), ratio(cold, q), ratio(warm, q), fmt(target), meets, n]
        lines.append(line(cells) + (f"  ERROR: {row.error}" if row.error else ""))
    return "\n".join(lines)


def parse_wrk(output: str) -> dict[str, float]:
    """The figures bench/wrk_report.lua prints at the end of a wrk run ("BENCH name=value" lines)."""
    found = dict(re.findall(r"^BENCH (\w+)=([\d.]+)$", output, re.MULTILINE))
    if "requests" not in found:
        raise BenchError("wrk printed no BENCH lines (was bench/wrk_report.lua loaded?)")
    figures = {k: float(v) for k, v in found.items()}
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6) if figures["duration_us"] else 0.0
    return figures


def load_run(base: str, client: Client, paths: list[tuple[str, str]]) -> list[str]:
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    lines = [f"{'wrk -t2 -c16 -d15s':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"]
    for label, path in paths:
        # What the previous run left queued is served first: wait for it, or it counts against this one.
        client.get("/healthz")
        # The steady state is measured: the page once first, so its figures are counted and cached (in
        # production the beat task enrollment.figures_warm does this before anybody asks).
        client.get(path)
        command = ["wrk", "-t2", "-c16", "-d15s", "--latency", "--timeout", "60s", "-s", str(WRK_LUA)]
        command += ["-H", f"Cookie: {cookie}", "-H", "X-Forwarded-Proto: https", base + path]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        try:
            f = parse_wrk(done.stdout)
        except BenchError as exc:
            lines.append(f"{label:<30} {exc} {done.stderr.strip()[:80]}")
            continue
        ms = [fmt(f[f"p{p}_us"] / 1000, 1) for p in (50, 95, 99)]
        lines.append(f"{label:<30} {f['rps']:>8.1f} {ms[0]:>8} {ms[1]:>8} {ms[2]:>8} {int(f['errors']):>7}")
    return lines


def unanalyzed_tables(cursor) -> list[str]:
    """Tables with rows that PostgreSQL never analyzed: the planner then guesses their size."""
    cursor.execute(
        "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0 AND last_analyze IS NULL"
        " AND last_autoanalyze IS NULL AND relname ~ '^(villages|enrollment)_' ORDER BY 1"
    )
    return [r[0] for r in cursor.fetchall()]


def shell(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # gunicorn is stopped on the way out
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="requests (and SQL runs) per series")
    parser.add_argument("--only", default="", help="rows to run, by key, comma-separated (and the trivial page)")
    parser.add_argument("--skip-load", action="store_true", help="no wrk load run")
    parser.add_argument("--budget", type=float, default=60, help="seconds after which a series stops (3 runs at least)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11", help="the server's cache")
    args = parser.parse_args()  # fmt: skip

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise BenchError("Set DATABASE_URL to a PostgreSQL database (the national one): SQLite is not measured.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desa_jaminan.settings")
    import django
    import psycopg2
    import redis

    django.setup()
    connection = psycopg2.connect(url)
    connection.set_session(readonly=True, autocommit=True)
    cursor = connection.cursor()
    places = places_find(cursor)
    accounts = users_ensure(places)
    rows = rows_for(places)
    if args.only:
        keys = {"trivial", *args.only.split(",")}
        unknown = keys - {r.key for r in rows}
        if unknown:
            raise BenchError(f"No such row: {', '.join(sorted(unknown))}. Rows: {', '.join(r.key for r in rows)}")
        rows = [r for r in rows if r.key in keys]

    from villages.models import Position

    day = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()  # the app's today (TIME_ZONE)
    params = {"day": day, "month": day.replace(day=1), "program": PROGRAM, "positions": list(Position.values)}
    cache = redis.Redis.from_url(args.redis_url)
    port, static_root = free_port(), tempfile.mkdtemp(prefix="bench-static-")
    log = Path(static_root) / "gunicorn.log"
    env = server_env(port=port, redis_url=args.redis_url, static_root=static_root)
    base = f"http://127.0.0.1:{port}"
    commit = shell("git", "rev-parse", "--short", "HEAD")
    commit += " (with changes)" if shell("git", "status", "--porcelain", "-uno") else ""
    now = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    print(f"bench/pages.py  {now}  commit {commit}  database {connection.info.dbname}")
    print(f"uptime at start: {shell('uptime')}")
    print(f"workers {env['WEB_CONCURRENCY']}  requests {args.requests}  day {day}  program {PROGRAM}  {places}")
    if stale := unanalyzed_tables(cursor):
        print(f"warning: never analyzed (the planner guesses their size): {', '.join(stale)}")
    server = server_start(env, log)
    try:
        server_wait(base, server, log)
        clients = {}
        for key in {r.user for r in rows}:
            clients[key] = Client(base)
            clients[key].login(*accounts[key])
        for row in rows:
            print(f"  {row.page} ...", file=sys.stderr, flush=True)
            measure(row, clients[row.user], cursor, cache.flushdb, params, n=args.requests, budget=args.budget)
        api = next((r for r in rows if r.key == "api" and not r.error), None)
        trivial_ms = median(rows[0].warm)
        print(f"\ntrivial logged-in page: {rows[0].page} (warm median {fmt(trivial_ms, 1)} ms)")
        print("target = 2 x max(SQL ms, trivial ms); meets c/w = cold/warm within it; n = cold/warm/SQL runs\n")
        print(table(rows, trivial_ms))
        if api:
            print(f"\ncheck: {api_check(clients[api.user], cursor, api, params)}")
        if not args.skip_load:
            big = clients.get("dpmd_big") or next(iter(clients.values()))
            if "dpmd_big" not in clients:
                big.login(*accounts["dpmd_big"])
            targets = [
                (f"dashboard {places.largest}", f"/wilayah/{places.largest}/"),
                (f"coverage API {places.largest}", f"/api/v1/coverage/?regency={places.largest}"),
                ("profile /akun/profil/", "/akun/profil/"),
            ]
            print("\n" + "\n".join(load_run(base, big, targets)))
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(static_root, ignore_errors=True)
    print(f"\nuptime at end: {shell('uptime')}")
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        sys.exit(f"bench/pages.py: {exc}")
