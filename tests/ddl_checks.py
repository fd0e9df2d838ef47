"""Generated DDL meets its real consumers: it applies to PostgreSQL and SQLite, and means what it says there.

Shared by the DDL safety tests and the property test. "Means what it says": a row of
valid values inserts into every table (so every default satisfies its column's type and
CHECKs), and no CHECK or index predicate reads a session value (``user``,
``current_date`` ...) where the design meant a column of that name.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from typing import Any

from backend_architect.api import DesignResult
from backend_architect.ir.model import Column, Datastore, Table, enforced
from backend_architect.render.ddl_keys import UUID_GENERATORS

#: Session values PostgreSQL deparses in capitals: in a CHECK or an index predicate they mean an unquoted keyword took a column's place.
SESSION_VALUES = re.compile(
    r"\b(CURRENT_USER|SESSION_USER|CURRENT_ROLE|USER|CURRENT_DATE|CURRENT_TIME|CURRENT_TIMESTAMP|LOCALTIME|LOCALTIMESTAMP|CURRENT_CATALOG|CURRENT_SCHEMA)\b"
)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(store: Datastore, table: str, dialect: str) -> str:
    return f"{quoted(store.schema_name)}.{quoted(table)}" if store.schema_name and dialect == "postgresql" else quoted(table)


def sample(column: Column, dialect: str) -> str:
    """A literal every constraint the design puts on ``column`` accepts."""
    kind = column.type
    if column.enum_values:
        return "'" + column.enum_values[0].replace("'", "''") + "'"
    if kind == "uuid":
        return "'0190d5a8-7b8e-7c1d-9f00-0123456789ab'"
    if kind in {"bigint", "integer", "smallint", "numeric", "float"}:
        return "1"
    if kind == "boolean":
        return "true" if dialect == "postgresql" else "1"
    if kind == "char":
        return "'" + "x" * (column.length or 1) + "'"
    if kind in {"varchar", "text"}:
        return "'x'"
    if kind == "date":
        return "'2024-01-31'"
    if kind == "timestamptz":
        return "'2024-01-31 09:00:00+00'"
    if kind == "jsonb":
        return "'{}'"
    if kind == "vector" and dialect == "postgresql":
        return f"ARRAY[{', '.join(['0'] * (column.dims or 1))}]::real[]"
    if kind in {"bytea", "vector"}:
        return "decode('00', 'hex')" if dialect == "postgresql" else "X'00'"
    raise AssertionError(f"no sample value for {kind}")


def filled(column: Column, dialect: str) -> bool:
    """Whether the database fills the column: an identity, or a default the dialect has (SQLite has no UUID function)."""
    return column.identity or (column.default is not None and not (dialect == "sqlite" and column.default in UUID_GENERATORS))


def insert_row(store: Datastore, table: Table, dialect: str) -> str:
    """An INSERT giving only the columns nothing else fills: defaults and identities fill the rest."""
    columns = [c for c in table.columns if not c.nullable and not filled(c, dialect)]
    if not columns:
        return f"INSERT INTO {qualified(store, table.name, dialect)} DEFAULT VALUES;"
    names = ", ".join(quoted(c.name) for c in columns)
    return f"INSERT INTO {qualified(store, table.name, dialect)} ({names}) VALUES ({', '.join(sample(c, dialect) for c in columns)});"


#: PostgreSQL 18's uuidv7(), stood in on an older server (here, 15) so DDL written for 18 meets the real server:
#: the same layout as the uuid_generate_v7() generated schemas define before 18.
UUIDV7_STAND_IN = """
DO $do$ BEGIN
  IF current_setting('server_version_num')::int < 180000 THEN
    CREATE OR REPLACE FUNCTION uuidv7() RETURNS uuid LANGUAGE sql VOLATILE AS $fn$
      SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
    $fn$;
  END IF;
END $do$;
"""


def apply_postgres(postgres: Any, database: str, scripts: list[str]) -> None:
    """Run ``scripts`` in order in a fresh ``database``; raise AssertionError with PostgreSQL's message and the script.

    Scripts written for PostgreSQL 18 (keys defaulting to uuidv7()) get the stand-in first where the server is older.
    """
    postgres.psql(f'DROP DATABASE IF EXISTS "{database}"; CREATE DATABASE "{database}";')
    if any("uuidv7()" in s for s in scripts):
        run_postgres(postgres, database, UUIDV7_STAND_IN)
    for script in scripts:
        run_postgres(postgres, database, script)


def run_postgres(postgres: Any, database: str, script: str) -> str:
    try:
        return str(postgres.psql("\\pset tuples_only on\n\\pset format unaligned\n" + script, database).stdout)
    except subprocess.CalledProcessError as exc:
        raise AssertionError(f"PostgreSQL refused it: {exc.stderr}\n{script}") from None


def postgres_rows_insert(postgres: Any, database: str, stores: list[Datastore]) -> None:
    """One row per table, foreign keys aside (replica role): every default and CHECK holds for valid values."""
    inserts = [insert_row(store, table, "postgresql") for store in stores for table in store.tables]
    run_postgres(postgres, database, "SET session_replication_role = replica;\n" + "\n".join(inserts))


def postgres_misreadings(postgres: Any, database: str) -> list[str]:
    """CHECKs that name no column and CHECKs or index predicates that read a session value."""
    checks = run_postgres(
        postgres,
        database,
        "SELECT conrelid::regclass || ' ' || conname || ' ' || coalesce(cardinality(conkey), 0) || ' ' || pg_get_constraintdef(oid)"
        " FROM pg_constraint WHERE contype = 'c' AND connamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema');"
        "SELECT indexrelid::regclass || ' 1 ' || pg_get_expr(indpred, indrelid) FROM pg_index WHERE indpred IS NOT NULL;",
    )
    found = []
    for line in checks.splitlines():
        _, _, columns, definition = line.split(" ", 3) if line.count(" ") >= 3 else (line, "", "1", line)
        if columns == "0" or SESSION_VALUES.search(definition):
            found.append(line)
    return found


def postgres_names(postgres: Any, database: str) -> set[str]:
    """Every table, index and constraint name in the database's own schemas."""
    return set(
        run_postgres(
            postgres,
            database,
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'i', 'I')"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');"
            "SELECT conname FROM pg_constraint WHERE connamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema');",
        ).split()
    )


def design_names(stores: list[Datastore]) -> set[str]:
    """The names the design gave its tables, indexes, unique keys, enforced foreign keys and enum checks (all that PostgreSQL here builds)."""
    names: set[str] = set()
    for store in stores:
        for table in store.tables:
            names.add(table.name)
            names |= (
                {i.name for i in table.indexes if i.method != "hnsw"}
                | {u.name for u in table.uniques}
                | {f.name for f in enforced(table.foreign_keys)}
                | {c.name for c in table.checks}
            )
    return names


def apply_sqlite(result: DesignResult) -> None:
    """Every SQLite file applies to an empty database, then takes one row per table (foreign keys aside)."""
    for store in result.architecture.datastores:
        text = result.files[f"schema/{store.service}.sqlite.sql"]
        connection = sqlite3.connect(":memory:")
        try:
            connection.executescript(text)
            connection.execute("PRAGMA foreign_keys = OFF")
            for table in store.tables:
                connection.execute(insert_row(store, table, "sqlite"))
        except sqlite3.Error as exc:
            raise AssertionError(f"SQLite refused it: {exc}\n{text}") from None
        finally:
            connection.close()


def migration_sections(text: str) -> tuple[str, str]:
    """The up and down parts of a dbmate migration."""
    up, _, down = text.partition("-- migrate:down")
    return up, down.split("\n", 1)[1]


def postgres_catalog(postgres: Any, database: str) -> dict[str, list[str]]:
    """Columns (types, nullability, defaults), indexes and constraints of the database's own schemas, sorted.

    Two databases built differently (the DDL, or migrations) compare equal when they hold the same schema.
    """
    queries = {
        "columns": "SELECT table_schema, table_name, column_name, data_type, is_nullable, coalesce(column_default, '')"
        " FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3",
        "indexes": "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3",
        "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
    }
    out = {}
    for name, query in queries.items():
        result = postgres.psql(f"\\pset tuples_only on\n\\pset format unaligned\n{query};", database)
        out[name] = result.stdout.strip().splitlines()
    return out
