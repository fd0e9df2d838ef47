"""The generated DDL applies to a real SQLite and a real PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
from typing import Any

import pytest

from backend_architect.api import DesignResult


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
    fks = sum(len(t.foreign_keys) for s in example.architecture.datastores for t in s.tables)
    assert counts == f"{tables}|{indexes}|{fks}"
