"""Relation and key shapes the property test found the engine getting wrong, as a table of specs for the real consumers.

Tables that reference each other (a ``has_many`` beside a reference back), unique keys over
optional fields, and the tables and columns patterns add to entities with long names: each
design reviews clean (nothing above info), applies to SQLite and PostgreSQL, takes a row per
table, and its initial migrations go up, down and up again.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.rules.model import Severity
from backend_architect.spec.load import load_spec_bytes
from ddl_checks import apply_postgres, apply_sqlite, design_names, migration_sections, postgres_names, postgres_rows_insert, run_postgres

LONG = "L" + "o" * 60  # table 'loo...os': 62 bytes, the names patterns derive from it are longer

SHAPES = {
    "two tables referencing each other": """
        system: cycle
        entities:
          Team: {fields: {name: string(40), captain: ref(Player)?}, has_many: [Player]}
          Player: {fields: {name: string(40)}}
        use_cases:
          - {name: list players, reads: [Player], filter: [team], rate: 5/s}
        """,
    "three tables in a ring": """
        system: ring
        entities:
          A: {fields: {b: ref(B)?}}
          B: {fields: {c: ref(C)?}}
          C: {fields: {a: ref(A)?}}
        use_cases:
          - {name: list a, reads: [A], rate: 5/s}
        """,
    "unique keys over optional fields": """
        system: optional
        entities:
          Account:
            fields: {email: {type: email?, unique: true}, phone: string(20)?, region: string(8), handle: string(20)?}
            unique: [[region, phone]]
          Device:
            soft_delete: true
            fields: {serial: {type: string(40)?, unique: true}, name: string(40)}
        use_cases:
          - {name: list accounts, reads: [Account], rate: 5/s}
        """,
    "patterns on a long-named entity": f"""
        system: derived
        entities:
          {LONG}:
            key: short_code
            append_only: true
            fields:
              picture: {{type: blob?, media: {{renditions: [thumb, large], thumbnails: true}}}}
              kind: enum[a,b]
              value: int
        use_cases:
          - {{name: add item, writes: [{LONG}], rate: 200/s}}
          - {{name: list trending items, reads: [{LONG}], top: {{by: count, field: kind, k: 10, window: 1h}}, rate: 5/s}}
          - {{name: chart items, reads: [{LONG}], series: {{field: value, aggregate: avg, every: 1m, over: 24h}}, rate: 5/s}}
          - {{name: resolve item, reads: [{LONG}], rate: 50k/s}}
        """,
}


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec)


@pytest.mark.parametrize("text", [pytest.param(t, id=n) for n, t in SHAPES.items()])
def test_shapes_review_clean_and_apply_to_sqlite_ok(text: str) -> None:
    """The self-review finds nothing above info, every name fits 63 bytes, and SQLite runs the schema and takes a row per table."""
    result = _design(text)
    assert [f"{f.code} {f.message}" for f in result.findings if f.severity > Severity.INFO] == []
    assert all(len(n.encode()) <= 63 for n in design_names(result.architecture.datastores))
    apply_sqlite(result)


@pytest.mark.postgres
@pytest.mark.parametrize("name", list(SHAPES))
def test_shapes_apply_to_postgresql_and_migrate_up_down_up_ok(name: str, postgres: Any) -> None:
    """PostgreSQL runs the schema, keeps every name, takes a row per table; the initial migrations go up, down and up."""
    result = _design(SHAPES[name])
    stores = result.architecture.datastores
    database = "shapes_" + "".join(c if c.isalnum() else "_" for c in name)
    apply_postgres(postgres, database, [result.files[f"schema/{s.service}.postgresql.sql"] for s in stores])
    assert design_names(stores) <= postgres_names(postgres, database)
    postgres_rows_insert(postgres, database, stores)
    migrations = sorted(p for p in result.files if "/migrations/" in p)
    ups = [migration_sections(result.files[p])[0] for p in migrations]
    apply_postgres(postgres, database, [*ups, *(migration_sections(result.files[p])[1] for p in reversed(migrations)), *ups])


def test_references_closing_a_cycle_are_added_after_both_tables_ok() -> None:
    """Of two tables naming each other, one foreign key is inline and the other added by ALTER TABLE once both exist."""
    text = _design(SHAPES["two tables referencing each other"]).files
    ddl = next(t for p, t in text.items() if p.endswith(".postgresql.sql") and "CREATE TABLE" in t and "ADD CONSTRAINT" in t)
    assert ddl.index("-- foreign keys between tables that reference each other") > ddl.rindex("CREATE TABLE")
    assert "FOREIGN KEY" in ddl.split("-- foreign keys between tables that reference each other")[1]


@pytest.mark.postgres
def test_unique_over_an_optional_field_holds_where_it_is_set_ok(postgres: Any) -> None:
    """Rows without the optional value are many; two rows with the same value are one too many (live rows only, with soft delete)."""
    result = _design(SHAPES["unique keys over optional fields"])
    stores = result.architecture.datastores
    apply_postgres(postgres, "shapes_unique", [result.files[f"schema/{s.service}.postgresql.sql"] for s in stores])
    accounts = next(f"{s.schema_name}.accounts" if s.schema_name else "accounts" for s in stores if any(t.name == "accounts" for t in s.tables))
    run_postgres(postgres, "shapes_unique", f"INSERT INTO {accounts} (region) VALUES ('eu'), ('eu');")  # no email, no phone: both fine
    run_postgres(postgres, "shapes_unique", f"INSERT INTO {accounts} (region, email, phone) VALUES ('eu', 'a@b.c', '1');")
    for duplicate in ("('us', 'a@b.c', '2')", "('eu', 'x@b.c', '1')"):
        with pytest.raises(AssertionError, match="duplicate key"):
            run_postgres(postgres, "shapes_unique", f"INSERT INTO {accounts} (region, email, phone) VALUES {duplicate};")
    indexes = run_postgres(postgres, "shapes_unique", "SELECT indexdef FROM pg_indexes WHERE indexdef LIKE 'CREATE UNIQUE%WHERE%';")
    assert "(email IS NOT NULL)" in indexes
    assert "((deleted_at IS NULL) AND (serial IS NOT NULL))" in indexes
