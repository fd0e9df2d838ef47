"""The generated DDL applies to a real SQLite and a real PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
from typing import Any

import pytest

from backend_architect.api import DesignResult
from backend_architect.ir.model import enforced


def test_sqlite_ddl_applies_ok(example: DesignResult) -> None:
    """Every SQLite schema file runs in sqlite3, with foreign keys on, and creates its tables and indexes."""
    for store in example.architecture.datastores:
        connection = sqlite3.connect(":memory:")
        try:
            connection.executescript(example.files[f"schema/{store.service}.sqlite.sql"])
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
            assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            connection.close()
        assert tables == {t.name for t in store.tables}
        expected = {i.name for t in store.tables for i in t.indexes if i.method == "btree"}
        assert expected <= indexes


@pytest.mark.postgres
def test_postgresql_ddl_applies_ok(example: DesignResult, postgres: Any) -> None:
    """Every PostgreSQL schema file applies to a fresh database; tables, indexes and keys exist (partitions aside)."""
    database = f"ex_{example.architecture.system.replace('-', '_')}"
    postgres.psql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database};")
    for store in example.architecture.datastores:
        try:
            postgres.psql(example.files[f"schema/{store.service}.postgresql.sql"], database)
        except subprocess.CalledProcessError as exc:
            pytest.fail(f"{store.service}.postgresql.sql: {exc.stderr}")
    counts = postgres.psql(
        "\\pset format unaligned\n\\pset tuples_only on\n"
        "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "   WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')),"
        " (SELECT count(*) FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND indexname LIKE 'ix\\_%'),"
        " (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conparentid = 0);",
        database,
    ).stdout.strip()
    tables = sum(len(s.tables) for s in example.architecture.datastores)
    indexes = sum(1 for s in example.architecture.datastores for t in s.tables for i in t.indexes if i.name.startswith("ix_"))
    # references between rows on different servers are checked by the application, not declared (ForeignKey.checked_by)
    fks = sum(len(enforced(t.foreign_keys)) for s in example.architecture.datastores for t in s.tables)
    assert counts == f"{tables}|{indexes}|{fks}"


@pytest.mark.postgres
def test_row_level_security_isolates_tenants_ok(postgres: Any) -> None:
    """In the helpdesk schema, an application role sees only the rows of the tenant its session is set to."""
    from conftest import designed

    result = designed("helpdesk")
    database = "rls_helpdesk"
    postgres.psql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database};")
    for store in result.architecture.datastores:
        postgres.psql(result.files[f"schema/{store.service}.postgresql.sql"], database)
    tenant_a, tenant_b = "11111111-1111-7111-8111-111111111111", "22222222-2222-7222-8222-222222222222"
    postgres.psql(
        "DROP ROLE IF EXISTS app; CREATE ROLE app LOGIN;"
        " GRANT SELECT, INSERT ON tags TO app;"
        f" INSERT INTO tags (tenant_id, name) VALUES ('{tenant_a}', 'billing'), ('{tenant_a}', 'bug'), ('{tenant_b}', 'vip');",
        database,
    )
    visible = postgres.psql(
        "\\pset tuples_only on\n\\pset format unaligned\n"
        f"SET ROLE app; SET app.tenant_id = '{tenant_a}'; SELECT string_agg(name, ',' ORDER BY name) FROM tags;",
        database,
    ).stdout.strip()
    assert visible == "billing,bug"
    sneaky = f"SET ROLE app; SET app.tenant_id = '{tenant_a}'; INSERT INTO tags (tenant_id, name) VALUES ('{tenant_b}', 'sneaky');"
    with pytest.raises(subprocess.CalledProcessError) as refused:
        postgres.psql(sneaky, database)
    assert "violates row-level security policy" in refused.value.stderr
