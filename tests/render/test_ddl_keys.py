"""UUIDv7 keys in the DDL and migrations: made by the database as the key decision says, on real PostgreSQL and SQLite.

The PostgreSQL here may be older than 18; where a test applies DDL written for 18 it first
stands in the function 18 has built in (``uuidv7()``), with the body the schema itself
defines for older versions, so the rest of that DDL still meets the real server.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Architecture, Table
from backend_architect.render.files import Previous
from backend_architect.spec.load import load_spec_bytes
from ddl_checks import apply_postgres, run_postgres

SPEC = """
system: shop
{constraints}
entities:
  Customer: {{fields: {{email: email}}}}
  Audit: {{fields: {{note: text}}}}
  Order:
    fields: {{customer: ref(Customer), total: money}}
  Reading: {{append_only: true, growth: 50M/day, retention: 30d, fields: {{value: int}}}}
use_cases:
  - {{name: place order, writes: [Order], rate: 5/s}}
  - {{name: view customer, reads: [Customer], rate: 5/s}}
  - {{name: record reading, writes: [Reading], rate: 600/s}}
"""
KEY_DEFAULTS = "SELECT DISTINCT column_default FROM information_schema.columns WHERE column_name = 'id' AND data_type = 'uuid';"
#: Version nibble, variant and the embedded Unix milliseconds' distance from now, per row.
UUIDV7_LAYOUT = """
SELECT substr(id::text, 15, 1) || ' ' || substr(id::text, 20, 1) || ' '
    || abs(('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint - floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) / 60000
FROM {table} ORDER BY id;
"""


def _design(version: int | None, previous: DesignResult | None = None, old: Architecture | None = None) -> DesignResult:
    constraints = f"constraints: {{postgres_version: {version}}}" if version else ""
    spec = load_spec_bytes(SPEC.format(constraints=constraints).encode(), "keys.yaml").spec
    if previous is None:
        return design_spec(spec)
    migrations = {p: t for p, t in previous.files.items() if "/migrations/" in p}
    return design_spec(spec, Previous(old or previous.architecture, migrations))


def _fresh(postgres: Any, name: str) -> str:
    postgres.psql(f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};")
    return name


def _schema_files(result: DesignResult, dialect: str = "postgresql") -> list[str]:
    return [text for path, text in sorted(result.files.items()) if path.endswith(f".{dialect}.sql")]


@pytest.mark.postgres
@pytest.mark.parametrize("source", ["ddl", "initial migration"])
def test_uuid_keys_are_made_by_the_database_ok(source: str, postgres: Any) -> None:
    """Before 18 the schema defines uuid_generate_v7(); rows inserted without ids get version-7 ids of now, in insertion order."""
    result = _design(None)
    database = _fresh(postgres, f"keys_{source.replace(' ', '_')}")
    if source == "ddl":
        scripts = _schema_files(result)
    else:
        scripts = [result.files[p].partition("-- migrate:down")[0] for p in sorted(result.files) if "/migrations/" in p]
    assert all("DEFAULT gen_random_uuid()" not in s for s in scripts)
    apply_postgres(postgres, database, scripts)
    run_postgres(postgres, database, "INSERT INTO customers.customers (email) SELECT 'a@b.c' FROM generate_series(1, 50);")
    run_postgres(postgres, database, "INSERT INTO readings.readings (value) VALUES (1);")
    rows = run_postgres(postgres, database, "SELECT email FROM customers.customers ORDER BY id;").splitlines()
    assert len(rows) == 50
    for table in ("customers.customers", "readings.readings"):
        for row in run_postgres(postgres, database, UUIDV7_LAYOUT.format(table=table)).splitlines():
            version, variant, minutes_off = row.split()
            assert (version, variant in "89ab", minutes_off) == ("7", True, "0"), row
    # ids of rows inserted a few milliseconds apart sort as the rows were inserted (within one millisecond they are random)
    run_postgres(postgres, database, "".join(f"SELECT pg_sleep(0.003); INSERT INTO customers.customers (email) VALUES ('{n}@b.c');" for n in range(5)))
    ordered = run_postgres(postgres, database, "SELECT string_agg(email, ' ' ORDER BY id) FROM customers.customers WHERE email <> 'a@b.c';")
    assert ordered.strip() == "0@b.c 1@b.c 2@b.c 3@b.c 4@b.c"


@pytest.mark.postgres
def test_installed_uuid_generate_v7_is_kept_ok(postgres: Any) -> None:
    """A uuid_generate_v7() already in the database (the pg_uuidv7 extension's) is used, not replaced."""
    installed = "CREATE FUNCTION uuid_generate_v7() RETURNS uuid LANGUAGE sql AS $$ SELECT '0190d5a8-7b8e-7c1d-9f00-0123456789ab'::uuid $$;"
    apply_postgres(postgres, "keys_installed", [installed, *_schema_files(_design(None))])
    inserted = run_postgres(postgres, "keys_installed", "INSERT INTO customers.customers (email) VALUES ('a@b.c') RETURNING id;")
    assert inserted.splitlines()[0] == "0190d5a8-7b8e-7c1d-9f00-0123456789ab"


@pytest.mark.postgres
def test_postgres_18_schema_calls_the_builtin_ok(postgres: Any) -> None:
    """Written for 18, the DDL defines no function and its keys default to uuidv7(); it applies where uuidv7() exists."""
    result = _design(18)
    scripts = _schema_files(result)
    assert all("uuid_generate_v7" not in s for s in scripts)
    assert any("DEFAULT uuidv7()" in s for s in scripts)
    assert all(s.startswith("-- ") and "for PostgreSQL 18+." in s.split("\n")[0] for s in scripts if "DEFAULT uuidv7()" in s)
    database = "keys_18"
    apply_postgres(postgres, database, scripts)
    defaults = run_postgres(postgres, database, KEY_DEFAULTS)
    assert defaults.strip() == "uuidv7()"


def test_sqlite_leaves_uuid_keys_to_the_application_ok() -> None:
    """SQLite has no UUID function: uuid keys carry no default, the file says who sets them, and a row without an id is refused."""
    for text in _schema_files(_design(None), "sqlite"):
        assert "uuid_generate_v7" not in text
        assert "uuidv7" not in text
        connection = sqlite3.connect(":memory:")
        try:
            connection.executescript(text)
            if "CREATE TABLE customers" in text:
                assert "the application sets them, as UUIDv7" in text
                with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
                    connection.execute("INSERT INTO customers (email) VALUES ('a@b.c')")
                connection.execute("INSERT INTO customers (id, email) VALUES ('0190d5a87b8e7c1d9f000123456789ab', 'a@b.c')")
            if "CREATE TABLE readings" in text:
                # one table on SQLite, keyed by its id alone: the partition column is no part of the key there
                assert [row[1] for row in connection.execute("PRAGMA table_info(readings)") if row[5]] == ["id"]
        finally:
            connection.close()


def _without_key_defaults(arch: Architecture) -> Architecture:
    """The architecture as designs made before the schema generated UUIDv7 keys recorded it: uuid keys without a default."""

    def bare(table: Table) -> Table:
        return table.model_copy(update={"columns": [c.model_copy(update={"default": None}) if c.name == "id" else c for c in table.columns]})

    stores = [s.model_copy(update={"tables": [bare(t) for t in s.tables]}) for s in arch.datastores]
    return arch.model_copy(update={"datastores": stores})


@pytest.mark.postgres
def test_migration_moves_older_designs_to_uuidv7_ok(postgres: Any) -> None:
    """From a design whose uuid keys had no default, the next migration defines uuid_generate_v7() before it sets the defaults."""
    current = _design(None)
    old = _without_key_defaults(current.architecture)
    older = design_spec(current.spec, Previous(old, {}))  # its 0001_initial, rendered from the old architecture
    new = _design(None, older, old)
    expand = [new.files[p] for p in sorted(new.files) if "/migrations/0002_" in p]
    assert expand
    for text in expand:
        up = text.partition("-- migrate:down")[0]
        assert up.index("CREATE FUNCTION uuid_generate_v7()") < up.index("SET DEFAULT uuid_generate_v7()")
    database = "keys_moved"
    initial = [older.files[p].partition("-- migrate:down")[0] for p in sorted(older.files) if "/migrations/0001_" in p]
    assert all("uuid_generate_v7" not in s for s in initial)
    apply_postgres(postgres, database, [*initial, *(t.partition("-- migrate:down")[0] for t in expand)])
    row = run_postgres(postgres, database, "INSERT INTO customers.customers (email) VALUES ('a@b.c') RETURNING substr(id::text, 15, 1);")
    assert row.splitlines()[0] == "7"


@pytest.mark.postgres
def test_migration_to_postgres_18_switches_to_the_builtin_ok(postgres: Any) -> None:
    """Moving the target from 16 to 18, the next migration sets every UUIDv7 key default to the built-in uuidv7()."""
    old = _design(None)
    new = _design(18, old)
    expand = {p: new.files[p] for p in sorted(new.files) if "/migrations/0002_" in p}
    assert expand
    ups = [t.partition("-- migrate:down")[0] for t in expand.values()]
    assert all("SET DEFAULT uuidv7()" in up and "CREATE FUNCTION" not in up for up in ups)
    database = "keys_to_18"
    initial = [old.files[p].partition("-- migrate:down")[0] for p in sorted(old.files) if "/migrations/0001_" in p]
    apply_postgres(postgres, database, [*initial, *ups])
    defaults = run_postgres(postgres, database, KEY_DEFAULTS)
    assert defaults.strip() == "uuidv7()"
