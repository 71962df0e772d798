"""Data versions: a token per regency (and one for the whole install) that changes with every write to
the rows its figures are computed from, so a cached figure is looked up under the tokens it was computed
with and can never be served after a change.

The tokens are kept by database triggers (installed by core migration 0002 for the tables in
`REGENCY_TABLES` and `GLOBAL_TABLES`), not by Python code: every write counts, whatever makes it (a form,
an import's bulk insert, the admin, a QuerySet.update(), the shell, a COPY). The trigger sets the token
in the same transaction as the write, so:
- a reader sees the new token exactly when it sees the new rows (also on a streaming replica: the token
  and the rows are read from the same database);
- a rolled-back write leaves the old token, and a random token is never handed out twice, so what a
  rolled-back transaction cached under its own token is never found again.

PostgreSQL runs one statement-level trigger per statement (transition tables: one update for a bulk
insert of 50,000 rows); SQLite, used in development, one row-level trigger per row. A TRUNCATE (bulk
loads, test flushes) changes the install's token. A regency without a token row (data loaded before the
triggers, or a test database just flushed) is not cached at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache

from core.models import DataVersion

T = TypeVar("T")

GLOBAL = "all"
REGENCY = "regency:"

# The regency of each village, as SQL: for the triggers, which know only the changed rows' keys.
_VILLAGE_REGENCY = (
    "SELECT s.regency_id AS r FROM villages_village v JOIN villages_subdistrict s ON s.code = v.subdistrict_id "
    "WHERE v.code IN ({keys})"
)
_PERSON_REGENCIES = (
    "SELECT s.regency_id AS r FROM villages_post p JOIN villages_village v ON v.code = p.village_id "
    "JOIN villages_subdistrict s ON s.code = v.subdistrict_id WHERE p.person_id IN ({keys})"
)
_ENROLLMENT_REGENCIES = (
    "SELECT s.regency_id AS r FROM enrollment_enrollment e JOIN villages_post p ON p.person_id = e.person_id "
    "JOIN villages_village v ON v.code = p.village_id JOIN villages_subdistrict s ON s.code = v.subdistrict_id "
    "WHERE e.id IN ({keys})"
)

# table: (the column of a changed row that leads to its regencies, SQL of those regencies). A person's
# regencies are those of every post they ever held, so a past day's figures change too.
REGENCY_TABLES: dict[str, tuple[str, str]] = {
    "villages_post": ("village_id", _VILLAGE_REGENCY),
    "villages_person": ("id", _PERSON_REGENCIES),
    "villages_familymember": ("person_id", _PERSON_REGENCIES),
    "enrollment_enrollment": ("person_id", _PERSON_REGENCIES),
    "enrollment_enrollment_components": ("enrollment_id", _ENROLLMENT_REGENCIES),
    "villages_village": ("subdistrict_id", "SELECT regency_id AS r FROM villages_subdistrict WHERE code IN ({keys})"),
    "villages_subdistrict": ("regency_id", "SELECT code AS r FROM villages_regency WHERE code IN ({keys})"),
    "enrollment_submission": ("village_id", _VILLAGE_REGENCY),
    "villages_regency": ("code", "SELECT code AS r FROM villages_regency WHERE code IN ({keys})"),
    "enrollment_coveragesnapshot": ("regency_id", "SELECT code AS r FROM villages_regency WHERE code IN ({keys})"),
    "enrollment_coveragetarget": ("regency_id", "SELECT code AS r FROM villages_regency WHERE code IN ({keys})"),
    "budgets_regencyminimumwage": ("regency_id", "SELECT code AS r FROM villages_regency WHERE code IN ({keys})"),
}
# Reference data every regency's figures read: a change to them changes the install's token.
GLOBAL_TABLES = [
    "villages_province",
    "enrollment_program",
    "enrollment_programcomponent",
    "budgets_fundingsource",
    "budgets_contributionrate",
]


@dataclass(frozen=True)
class Versions:
    """The tokens a figure of some regencies was computed under; None where a regency has none (then
    its figures are not cached)."""

    install: int | None
    regencies: dict[str, int]

    def of(self, regency_code: str) -> str | None:
        """The cache-key part of one regency, or None when it must not be cached."""
        regency = self.regencies.get(regency_code)
        if self.install is None or regency is None:
            return None
        return f"{self.install}.{regency}"


def versions(regency_codes: list[str], *, using: str | None = None) -> Versions:
    """The current tokens of these regencies and of the install, in one query on the database the
    figures are then read from (`using`, the replica for a dashboard read)."""
    scopes = [GLOBAL, *(REGENCY + code for code in regency_codes)]
    rows = dict(DataVersion.objects.using(using).filter(scope__in=scopes).values_list("scope", "version"))
    return Versions(
        install=rows.get(GLOBAL),
        regencies={scope.removeprefix(REGENCY): v for scope, v in rows.items() if scope != GLOBAL},
    )


def cached_for_regency(regency_code: str, name: str, compute: Callable[[], T], *, seconds: int = 24 * 60 * 60) -> T:
    """`compute()`, cached under the regency's token: `name` says what it is and of which arguments
    (with a format number that changes when the value's shape does). The value must pickle."""
    token = versions([regency_code]).of(regency_code)
    if token is None:
        return compute()
    key = f"{name}:{regency_code}:{token}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, seconds)
    return value


_MISSING = object()


# --- the triggers --------------------------------------------------------------------------------------

_PG_TOKEN = "floor(random() * 9000000000000000000)::bigint"
_PG_UPSERT = (
    "INSERT INTO core_dataversion (scope, version) SELECT scope, {token} FROM ({scopes}) AS changed(scope) "
    "ON CONFLICT (scope) DO UPDATE SET version = EXCLUDED.version;"
)


def _pg_regency_function(table: str, column: str, regencies: str) -> str:
    def scopes(*sources: str) -> str:
        keys = " UNION ".join(f"SELECT {column} FROM {source}" for source in sources)
        return f"SELECT DISTINCT '{REGENCY}' || r FROM ({regencies.format(keys=keys)}) AS found"

    def upsert(*sources: str) -> str:
        return _PG_UPSERT.format(token=_PG_TOKEN, scopes=scopes(*sources))

    return f"""
CREATE OR REPLACE FUNCTION dv_bump_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {upsert("new_rows")}
    ELSIF TG_OP = 'UPDATE' THEN
        {upsert("new_rows", "old_rows")}
    ELSE
        {upsert("old_rows")}
    END IF;
    RETURN NULL;
END $$;
"""


_PG_GLOBAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dv_bump_install() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_PG_UPSERT.format(token=_PG_TOKEN, scopes=f"SELECT '{GLOBAL}'")}
    RETURN NULL;
END $$;
"""


def _postgresql_sql() -> list[str]:
    statements = [_PG_GLOBAL_FUNCTION]
    for table, (column, regencies) in REGENCY_TABLES.items():
        statements.append(_pg_regency_function(table, column, regencies))
        for event, referencing in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            statements.append(
                f"CREATE TRIGGER dv_{table}_{event.lower()} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION dv_bump_{table}();"
            )
        statements.append(
            f"CREATE TRIGGER dv_{table}_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION dv_bump_install();"
        )
    for table in GLOBAL_TABLES:
        statements.append(
            f"CREATE TRIGGER dv_{table}_any AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION dv_bump_install();"
        )
    return statements


_SQLITE_UPSERT = (
    "INSERT INTO core_dataversion (scope, version) SELECT scope, abs(random()) FROM ({scopes}) WHERE true "
    "ON CONFLICT (scope) DO UPDATE SET version = excluded.version;"
)


def _sqlite_sql() -> list[str]:
    statements = []
    for table, (column, regencies) in REGENCY_TABLES.items():
        for event, keys in (
            ("INSERT", f"NEW.{column}"),
            ("UPDATE", f"NEW.{column}, OLD.{column}"),
            ("DELETE", f"OLD.{column}"),
        ):
            scopes = f"SELECT DISTINCT '{REGENCY}' || r AS scope FROM ({regencies.format(keys=keys)}) AS found"
            statements.append(
                f"CREATE TRIGGER dv_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "
                f"{_SQLITE_UPSERT.format(scopes=scopes)} END;"
            )
    install = _SQLITE_UPSERT.format(scopes=f"SELECT '{GLOBAL}' AS scope")
    for table in GLOBAL_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER dv_{table}_{event.lower()} AFTER {event} ON {table} BEGIN {install} END;"
            )
    return statements


def install_triggers(schema_editor) -> None:
    """Create the triggers (migration core 0002) and give every regency and the install a first token."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql_sql()
        token = _PG_TOKEN
    elif vendor == "sqlite":
        statements = _sqlite_sql()
        token = "abs(random())"
    else:  # pragma: no cover - the app runs on PostgreSQL and SQLite only
        raise NotImplementedError(vendor)
    for sql in statements:
        schema_editor.execute(sql)
    schema_editor.execute(
        f"INSERT INTO core_dataversion (scope, version) SELECT '{REGENCY}' || code, {token} FROM villages_regency"
    )
    schema_editor.execute(f"INSERT INTO core_dataversion (scope, version) VALUES ('{GLOBAL}', {token})")


def remove_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    tables = list(REGENCY_TABLES)
    for table in tables:
        for event in ("insert", "update", "delete", "truncate"):
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS dv_{table}_{event} ON {table};")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS dv_{table}_{event};")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS dv_bump_{table}();")
    for table in GLOBAL_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dv_{table}_any ON {table};")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS dv_{table}_{event};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS dv_bump_install();")
