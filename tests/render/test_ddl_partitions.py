"""A time-partitioned table's DDL creates the range partitions its text describes, and its maintenance function keeps them (real PostgreSQL)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from typing import Any

import pytest

from backend_architect.ir.model import COLD_TABLESPACE, Column, Datastore, Partitioning, Table
from backend_architect.render.ddl import render_ddl
from backend_architect.render.ddl_partitions import maintenance_summary
from backend_architect.spec.identifiers import partition_maintenance_name

_STEP = {"day": "1 day", "week": "7 days", "month": "1 month"}


def _store(name: str, plan: Partitioning, schema: str | None = None, column: str = "created_at") -> Datastore:
    table = Table(
        name=name,
        columns=[
            Column(name="id", type="bigint", identity=True),
            Column(name="body", type="text", nullable=True),
            Column(name=column, type="timestamptz", default="CURRENT_TIMESTAMP"),
        ],
        primary_key=["id", column],
        partitioning=plan,
    )
    return Datastore(name=f"{name}-db", service=name, schema_name=schema, tables=[table])


def _plan(interval: str, column: str = "created_at", **kwargs: Any) -> Partitioning:
    return Partitioning(column=column, interval=interval, reason="test", **kwargs)  # type: ignore[arg-type]


def _value(postgres: Any, database: str, sql: str) -> str:
    return str(postgres.psql(f"\\pset format unaligned\n\\pset tuples_only on\n{sql}", database).stdout.strip())


def _fresh(postgres: Any, database: str) -> None:
    postgres.psql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database};")


def _partitions(postgres: Any, database: str, parent: str) -> list[str]:
    query = f"SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{parent}'::regclass ORDER BY 1;"
    rows = _value(postgres, database, query)
    return rows.splitlines()


SHAPES = [
    pytest.param("events", _plan("day"), None, "created_at", id="daily"),
    pytest.param("trips", _plan("week", cold_after_days=116), None, "created_at", id="weekly-tiers"),
    pytest.param("rollups", _plan("month", column="bucket_start", expire_after_days=400), "metrics", "bucket_start", id="monthly-schema-expiry"),
    pytest.param("order", _plan("week", expire_after_days=30, archive_to="BigQuery"), None, "created_at", id="keyword-name-export"),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("name", "plan", "schema", "column"), SHAPES)
def test_rows_of_today_land_in_a_range_partition_ok(postgres: Any, name: str, plan: Partitioning, schema: str | None, column: str) -> None:
    """Applied, the DDL holds the current period's partition and the next ones the text counts; today's row lands in a range partition."""
    store = _store(name, plan, schema, column)
    database = f"parts_{name}"
    _fresh(postgres, database)
    postgres.psql(render_ddl(store, "postgresql"), database)
    parent = f'"{schema}"."{name}"' if schema else f'"{name}"'
    text = maintenance_summary(store.tables[0])
    ahead = int(re.search(r"the next (\d+)", text).group(1))  # type: ignore[union-attr]
    ranges = [p for p in _partitions(postgres, database, parent) if not p.endswith("_default")]
    assert len(ranges) == ahead + 1 == plan.ahead + 1
    landed = _value(postgres, database, f"INSERT INTO {parent} (body) VALUES ('today') RETURNING tableoid::regclass::text;")
    assert not landed.endswith("_default")
    assert landed.split(".")[-1].strip('"') in ranges
    last = f"now() + {ahead} * interval '{_STEP[plan.interval]}'"
    furthest = _value(postgres, database, f"INSERT INTO {parent} (body, {column}) VALUES ('ahead', {last}) RETURNING tableoid::regclass::text;")
    assert not furthest.endswith("_default")


@pytest.mark.postgres
def test_rows_in_the_default_partition_move_into_their_new_partition_ok(postgres: Any) -> None:
    """A period whose partition went missing fills the default partition; the next run creates the partition and moves the rows into it."""
    store = _store("readings", _plan("day"))
    database = "parts_missed"
    _fresh(postgres, database)
    postgres.psql(render_ddl(store, "postgresql"), database)
    current = _value(postgres, database, "INSERT INTO readings (body) VALUES ('probe') RETURNING tableoid::regclass::text;")
    postgres.psql(f"DELETE FROM readings; DROP TABLE {current}; INSERT INTO readings (body) VALUES ('late'), ('late');", database)
    assert _value(postgres, database, "SELECT count(*) FROM readings_default;") == "2"
    postgres.psql(f"SELECT {partition_maintenance_name('readings')}();", database)
    assert _value(postgres, database, "SELECT count(*) FROM readings_default;") == "0"
    assert _value(postgres, database, "SELECT string_agg(DISTINCT tableoid::regclass::text, ',') FROM readings;") == current


@pytest.mark.postgres
def test_old_partitions_move_to_the_cold_tablespace_expire_or_detach_ok(postgres: Any) -> None:
    """Past the hot window a partition moves to tablespace cold with its indexes; past expiry it is dropped, or detached for the export."""
    location = postgres.root / "cold"
    location.mkdir()
    if postgres.user:
        shutil.chown(location, postgres.user)
    os.chmod(location, 0o700)
    postgres.psql(f"DROP TABLESPACE IF EXISTS {COLD_TABLESPACE}; CREATE TABLESPACE {COLD_TABLESPACE} LOCATION '{location}';")
    try:
        cases = {
            "tiered": _plan("week", cold_after_days=100),
            "dropped": _plan("week", expire_after_days=100),
            "exported": _plan("week", expire_after_days=100, archive_to="BigQuery"),
        }
        for name, plan in cases.items():
            database = f"parts_{name}"
            _fresh(postgres, database)
            postgres.psql(render_ddl(_store(name, plan), "postgresql"), database)
            postgres.psql(
                f"CREATE TABLE {name}_old PARTITION OF {name} FOR VALUES FROM (now() - interval '200 days') TO (now() - interval '193 days');"
                f" CREATE TABLE {name}_recent PARTITION OF {name} FOR VALUES FROM (now() - interval '60 days') TO (now() - interval '53 days');"
                f" CREATE INDEX ix_{name}_body ON {name} (body);"
                f" SELECT {partition_maintenance_name(name)}();",
                database,
            )
            spaces = _value(
                postgres,
                database,
                f"SELECT c.relname || ':' || coalesce(t.spcname, 'default') FROM pg_class c LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace"
                f" WHERE c.relname LIKE '%{name}_old%' OR c.relname LIKE '{name}_recent%' ORDER BY 1;",
            ).splitlines()
            remaining = _partitions(postgres, database, name)
            if name == "tiered":
                assert f"{name}_old:{COLD_TABLESPACE}" in spaces
                assert f"{name}_recent:default" in spaces
                assert any(s.startswith(f"{name}_old_") and s.endswith(f":{COLD_TABLESPACE}") for s in spaces)  # its indexes went with it
            elif name == "dropped":
                assert f"{name}_old" not in remaining
                assert not any(s.startswith(f"{name}_old") for s in spaces)
            else:
                assert f"{name}_old" not in remaining
                assert f"{name}_old:default" in spaces
            assert f"{name}_recent" in remaining
    finally:
        for name in ("tiered", "dropped", "exported"):
            postgres.psql(f"DROP DATABASE IF EXISTS parts_{name};")
        postgres.psql(f"DROP TABLESPACE IF EXISTS {COLD_TABLESPACE};")


def test_sqlite_keeps_one_table_ok() -> None:
    """SQLite has no partitioning: the same table is one table, with no function or partition statements."""
    text = render_ddl(_store("trips", _plan("week", cold_after_days=116)), "sqlite")
    connection = sqlite3.connect(":memory:")
    connection.executescript(text)
    assert [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["trips"]
    assert "PARTITION OF" not in text
    assert "FUNCTION" not in text


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["chat", "iot-telemetry", "helpdesk"])
def test_designed_partitions_hold_todays_rows_as_the_text_counts_ok(postgres: Any, name: str) -> None:
    """A bundled design's DDL, applied: each partitioned table has the partitions its design.md counts, and today's rows none in the default."""
    from conftest import designed
    from ddl_checks import apply_postgres, postgres_rows_insert, qualified

    result = designed(name)
    stores = result.architecture.datastores
    database = f"parts_design_{name.replace('-', '_')}"
    apply_postgres(postgres, database, [result.files[f"schema/{s.service}.postgresql.sql"] for s in stores])
    postgres_rows_insert(postgres, database, stores)
    parted = [(s, t) for s in stores for t in s.tables if t.partitioning is not None]
    assert parted
    for store, table in parted:
        function = f"{partition_maintenance_name(table.name)}()"
        line = next(x for x in result.files["design.md"].splitlines() if x.startswith("- partitioned by") and function in x)
        ahead = int(re.search(r"and the next (\d+)", line).group(1))  # type: ignore[union-attr]
        parent = qualified(store, table.name, "postgresql")
        ranges = [p for p in _partitions(postgres, database, parent) if not p.endswith("_default")]
        assert len(ranges) == ahead + 1
        column = table.partitioning.column  # type: ignore[union-attr]
        today = f'SET session_replication_role = replica; UPDATE {parent} SET "{column}" = now();'  # a sample row dated today
        placed = _value(postgres, database, f"{today} SELECT string_agg(DISTINCT tableoid::regclass::text, ',') FROM {parent};")
        assert placed
        assert "_default" not in placed
