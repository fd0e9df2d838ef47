"""Fixes and advice quote every name they take from the input: applied to a real database, none of them can run a second statement.

The schema names its tables, columns, indexes and constraints ``x; DROP TABLE canary; --``;
every fix the review suggests is applied with psql (and SQLite's own engine), and the canary
table must survive them all.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from backend_architect.api import ReviewOptions, review_path

EVIL = "; DROP TABLE canary; --"
SCHEMA = f"""\
CREATE TABLE "p{EVIL}" ("id{EVIL}" integer PRIMARY KEY);
CREATE TABLE "t{EVIL}" (
  "ref{EVIL}" bigint REFERENCES "p{EVIL}" ("id{EVIL}"),
  "at{EVIL}" timestamp,
  "doc{EVIL}" json,
  "Order" text,
  "n{EVIL}" serial
);
CREATE INDEX "ix{EVIL}" ON "t{EVIL}" ("Order");
CREATE INDEX "ix2{EVIL}" ON "t{EVIL}" ("Order", "at{EVIL}");
CREATE TABLE "u{EVIL}" ("k{EVIL}" text NOT NULL, "v{EVIL}" text);
CREATE UNIQUE INDEX "uq{EVIL}" ON "u{EVIL}" ("k{EVIL}");
"""
MIGRATION = f"""\
CREATE INDEX "ix3{EVIL}" ON "t{EVIL}" ("doc{EVIL}");
ALTER TABLE "u{EVIL}" ADD CONSTRAINT "fk{EVIL}" FOREIGN KEY ("v{EVIL}") REFERENCES "u{EVIL}" ("k{EVIL}"); -- a comment the fix must not carry
ALTER TABLE "u{EVIL}" ALTER COLUMN "v{EVIL}" SET NOT NULL;
"""
SCHEMA_RULES = {"SQL001", "SQL002", "SQL003", "SQL004", "SQL005", "SQL007", "SQL009", "SQL010"}
MIGRATION_RULES = {"SQL101", "SQL102", "SQL104", "SQL107"}


def fixes(path: Path, dialect: str | None = None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in review_path(path, ReviewOptions(dialect=dialect)).findings:
        if finding.fix and finding.code.startswith("SQL"):
            found.setdefault(finding.code, []).append(finding.fix)
    return found


@pytest.mark.postgres
def test_fixes_for_hostile_names_leave_the_canary_in_postgres_ok(postgres: Any, tmp_path: Path) -> None:
    """Every schema and migration fix, applied with psql to the schema it was made for, changes only what it names."""
    (tmp_path / "schema.sql").write_text(SCHEMA)
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_init.sql").write_text(SCHEMA)
    (folder / "0002_change.sql").write_text(MIGRATION)
    found = fixes(tmp_path / "schema.sql")
    found.update({code: texts for code, texts in fixes(folder).items() if code in MIGRATION_RULES})
    assert set(found) >= SCHEMA_RULES | MIGRATION_RULES, sorted(found)
    postgres.psql("DROP DATABASE IF EXISTS fixes_hostile; CREATE DATABASE fixes_hostile;")
    postgres.psql("CREATE TABLE canary (id int);\n" + SCHEMA, dbname="fixes_hostile")
    for code, texts in sorted(found.items()):
        for text in texts:
            # each fix on its own; a fix may fail on this schema's data (that is fine), but it may not do anything else
            postgres.psql(text, dbname="fixes_hostile", on_error_stop=False)
            alive = postgres.psql("SELECT 'canaries:' || count(*) FROM pg_class WHERE relname = 'canary';", dbname="fixes_hostile").stdout
            assert "canaries:1" in alive, f"{code}: {text}"
    # the fixes did run: the primary key column SQL001 adds is there
    columns = postgres.psql(
        f"SELECT 'columns:' || string_agg(attname, ',') FROM pg_attribute WHERE attrelid = '\"t{EVIL}\"'::regclass;", dbname="fixes_hostile"
    )
    assert ",id" in columns.stdout


def test_fixes_for_hostile_names_leave_the_canary_in_sqlite_ok(tmp_path: Path) -> None:
    """SQLite schema fixes, run by SQLite itself statement by statement, never reach the canary."""
    sqlite_schema = SCHEMA.replace(" serial", " integer").replace("json", "text")
    (tmp_path / "schema.sql").write_text(sqlite_schema)
    found = fixes(tmp_path / "schema.sql", "sqlite")
    assert {"SQL001", "SQL003", "SQL004"} <= set(found), sorted(found)
    database = sqlite3.connect(tmp_path / "app.db")
    database.executescript("CREATE TABLE canary (id int);\n" + sqlite_schema)
    for texts in found.values():
        for text in texts:
            # SQLite lacks some statements (ALTER COLUMN): refusing is fine, running a second statement is not
            with contextlib.suppress(sqlite3.Error):
                database.executescript(text)
            assert database.execute("SELECT count(*) FROM sqlite_master WHERE name = 'canary'").fetchone() == (1,)


def test_fix_never_repeats_a_comment_of_the_reviewed_file_ok(tmp_path: Path) -> None:
    """A migration statement a fix repeats is printed from its parse tree: its trailing comment cannot swallow NOT VALID."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_init.sql").write_text(SCHEMA)
    (folder / "0002_change.sql").write_text(MIGRATION)
    (fix,) = fixes(folder)["SQL102"]
    assert "--" not in fix.replace(EVIL, "")
    assert f'REFERENCES "u{EVIL}" ("k{EVIL}") NOT VALID; ALTER TABLE' in fix


@pytest.mark.postgres
def test_advised_indexes_for_hostile_names_leave_the_canary_ok(postgres: Any) -> None:
    """The advisor's CREATE INDEX statements (keys, expressions, predicates, INCLUDE) quote every name: applied, they build indexes and nothing else."""
    from backend_architect.advisor.candidates import accesses, candidates_for

    table, column, other = f"t{EVIL}", f"c{EVIL}", "Order"
    query = f"""SELECT "{other}", "at{EVIL}" FROM "{table}" WHERE lower("{column}") = 'x' AND "{column}" = 'y' AND "k{EVIL}" IS NULL ORDER BY "{other}" DESC"""
    columns_of = {f"public.{table}": [column, other, f"at{EVIL}", f"k{EVIL}"]}
    statements = [c.ddl() for access in accesses(query, columns_of) for c in candidates_for(access)]
    assert any(" WHERE " in s for s in statements)
    assert any(" INCLUDE " in s for s in statements)
    assert any("lower(" in s for s in statements)
    postgres.psql("DROP DATABASE IF EXISTS advice_hostile; CREATE DATABASE advice_hostile;")
    postgres.psql(
        f'CREATE TABLE canary (id int); CREATE TABLE "{table}" ("{column}" text, "{other}" int, "at{EVIL}" timestamptz, "k{EVIL}" text);',
        dbname="advice_hostile",
    )
    for statement in statements:
        postgres.psql(statement + ";", dbname="advice_hostile")
    alive = postgres.psql("SELECT 'canaries:' || count(*) FROM pg_class WHERE relname = 'canary';", dbname="advice_hostile").stdout
    assert "canaries:1" in alive
    built = postgres.psql(
        f"SELECT 'indexes:' || count(*) FROM pg_indexes WHERE tablename = '{table.replace(chr(39), chr(39) * 2)}';", dbname="advice_hostile"
    ).stdout
    assert f"indexes:{len(set(statements))}" in built
