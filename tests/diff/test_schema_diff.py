"""Two versions of a database schema: every change judged by what it does to the code using it, located in both files.

The same diff compares a schema file with a live database (drift): a database built from
the file shows no change, and a column dropped by hand shows as exactly that.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_architect.api import diff_paths
from backend_architect.diff.model import Impact
from backend_architect.errors import InputError

V1 = """\
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email varchar(200) NOT NULL, name text, phone text);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  total numeric(12,2) NOT NULL DEFAULT 0,
  quantity integer NOT NULL DEFAULT 1,
  note text,
  status text NOT NULL DEFAULT 'open'
);
CREATE INDEX ix_orders_customer ON orders (customer_id);
CREATE TABLE legacy (id int PRIMARY KEY);
CREATE TABLE tags (name text NOT NULL, PRIMARY KEY (name));
"""

V2 = """\
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email varchar(100) NOT NULL, name text NOT NULL, mobile text);
CREATE UNIQUE INDEX uq_customers_email ON customers (email);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  total numeric(14,2) NOT NULL,
  quantity bigint NOT NULL DEFAULT 1,
  note varchar(500),
  status text,
  currency char(3) NOT NULL,
  placed_at timestamptz
);
CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint NOT NULL);
CREATE TABLE tags (id bigint PRIMARY KEY, name text NOT NULL);
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_every_change_is_judged_and_located_ok(tmp_path: Path) -> None:
    """Drops, narrowing and new required columns break; new constraints and nullability may break; additions are safe."""
    result = diff_paths(_write(tmp_path, "v1.sql", V1), _write(tmp_path, "v2.sql", V2))
    found = {(c.where, c.code, c.impact) for c in result.changes}
    assert found == {
        ("public.customers.email", "column-length-narrowed", Impact.BREAKING),
        ("public.customers.name", "column-made-required", Impact.BREAKING),
        ("public.customers.phone", "column-removed", Impact.BREAKING),
        ("public.customers.mobile", "column-added", Impact.SAFE),
        ("public.customers.uq_customers_email", "unique-index-added", Impact.POSSIBLY_BREAKING),
        ("public.legacy", "table-removed", Impact.BREAKING),
        ("public.orders.currency", "required-column-added", Impact.BREAKING),
        ("public.orders.total", "column-default-removed", Impact.BREAKING),
        ("public.orders.total", "column-type-widened", Impact.POSSIBLY_BREAKING),
        ("public.orders.quantity", "column-type-widened", Impact.POSSIBLY_BREAKING),
        ("public.orders.note", "column-type-changed", Impact.BREAKING),
        ("public.orders.status", "column-default-removed", Impact.POSSIBLY_BREAKING),
        ("public.orders.status", "column-made-nullable", Impact.POSSIBLY_BREAKING),
        ("public.orders.placed_at", "column-added", Impact.SAFE),
        ("public.orders.ix_orders_customer", "index-removed", Impact.SAFE),
        ("public.shipments", "table-added", Impact.SAFE),
        ("public.tags", "primary-key-changed", Impact.BREAKING),
        ("public.tags.id", "required-column-added", Impact.BREAKING),
    }
    assert result.needs_major_version
    phone = next(c for c in result.changes if c.code == "column-removed")
    assert "possibly renamed to mobile" in phone.message
    at_column = V1.splitlines()[0].index("phone") + 1  # a column is located at its own definition
    assert (str(phone.old_location), str(phone.new_location)) == (f"{tmp_path}/v1.sql:1:{at_column}", f"{tmp_path}/v2.sql:1:1")
    index = next(c for c in result.changes if c.code == "unique-index-added")
    assert (index.old_location, str(index.new_location)) == (None, f"{tmp_path}/v2.sql:2:1")
    widened = next(c for c in result.changes if c.where == "public.orders.quantity")
    assert "integer to bigint" in widened.message
    assert "rewrites the table" in widened.message


def test_same_schema_has_no_changes_ok(tmp_path: Path) -> None:
    """A file diffed with itself, or with the same DDL reformatted, changes nothing."""
    reformatted = V1.replace("DEFAULT 'open'", "DEFAULT 'open'::text").replace("\n  ", " ").upper().replace("'OPEN'", "'open'")
    result = diff_paths(_write(tmp_path, "a.sql", V1), _write(tmp_path, "b.sql", reformatted))
    assert result.changes == []


def test_migration_folders_are_applied_before_comparing_ok(tmp_path: Path) -> None:
    """Two migration folders compare as the schemas they build: only the new migration's change shows."""
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        folder.mkdir()
        _write(folder, "0001_init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, a text);\n")
    _write(new, "0002_drop_a.sql", "ALTER TABLE t DROP COLUMN a;\n")
    result = diff_paths(old, new)
    assert [(c.where, c.code) for c in result.changes] == [("public.t.a", "column-removed")]
    assert str(result.changes[0].new_location) == f"{new}/0002_drop_a.sql:1:1"


def test_renamed_column_is_one_breaking_change_at_its_rename_ok(tmp_path: Path) -> None:
    """A migration's RENAME COLUMN (followed through a chain) is reported as a rename, not as a removal and an addition."""
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        folder.mkdir()
        _write(folder, "0001_init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, a boolean, b boolean);\n")
    _write(new, "0002_rename.sql", "ALTER TABLE t RENAME COLUMN a TO a_enabled;\nALTER TABLE t RENAME COLUMN b TO b_enabled;\n")
    _write(new, "0003_rename_again.sql", "\nALTER TABLE t RENAME COLUMN a_enabled TO a_on;\n")
    result = diff_paths(old, new)
    assert [(c.where, c.code, c.impact) for c in result.changes] == [
        ("public.t.a", "column-renamed", Impact.BREAKING),
        ("public.t.b", "column-renamed", Impact.BREAKING),
    ]
    assert result.changes[0].message == "column a renamed to a_on: code that uses the old name fails"
    assert str(result.changes[0].new_location) == f"{new}/0003_rename_again.sql:2:1"


def test_unparsable_side_stops_the_diff_err(tmp_path: Path) -> None:
    """What a broken statement defines would show as removed: the diff refuses, at the statement."""
    broken = _write(tmp_path, "broken.sql", "CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE u (id int,,);\n")
    with pytest.raises(InputError) as caught:
        diff_paths(_write(tmp_path, "v1.sql", V1), broken)
    assert str(caught.value.location) == f"{broken}:2:24"
    assert "would report what it defines as removed" in caught.value.message


def test_schema_and_api_document_do_not_compare_err(tmp_path: Path) -> None:
    """A SQL schema against an OpenAPI document is a usage error, named at the odd one."""
    api = _write(tmp_path, "api.yaml", "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n")
    with pytest.raises(InputError) as caught:
        diff_paths(_write(tmp_path, "v1.sql", V1), api)
    assert caught.value.location.file == str(api)


def test_cli_fails_on_breaking_and_reports_json_ok(tmp_path: Path) -> None:
    """`diff --fail-on breaking` exits 1 on a breaking schema change; the JSON report carries both locations."""
    old, new = _write(tmp_path, "v1.sql", V1), _write(tmp_path, "v2.sql", V2)
    command = [sys.executable, "-m", "backend_architect.cli", "diff", str(old), str(new), "--format", "json", "--fail-on", "breaking"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["subject"] == "schema"
    removed = next(c for c in report["changes"] if c["code"] == "table-removed")
    assert removed["old"] == {"file": str(old), "line": 11, "col": 1}
    assert "new" not in removed
    same = [sys.executable, "-m", "backend_architect.cli", "diff", str(old), str(old), "--fail-on", "breaking"]
    safe = subprocess.run(same, capture_output=True, text=True, timeout=120)
    assert safe.returncode == 0
    assert safe.stdout.rstrip().endswith("compatible: code written for the old schema keeps working")


@pytest.mark.postgres
def test_live_database_built_from_the_file_shows_no_drift_ok(postgres: Any, tmp_path: Path) -> None:
    """A PostgreSQL database built from the file diffs clean against it; a column dropped by hand shows as removed."""
    database = "schema_drift"
    postgres.psql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database};")
    ddl = V1 + "CREATE TABLE events (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload jsonb DEFAULT '{}'::jsonb, n int DEFAULT -1);\n"
    postgres.psql(ddl, database)
    url = f"postgresql://postgres@127.0.0.1:{postgres.port}/{database}"
    schema = _write(tmp_path, "schema.sql", ddl)
    assert diff_paths(schema, url).changes == []
    postgres.psql("ALTER TABLE orders DROP COLUMN note;", database)
    drift = diff_paths(schema, url)
    assert [(c.where, c.code, c.impact) for c in drift.changes] == [("public.orders.note", "column-removed", Impact.BREAKING)]
    assert drift.new == url


def test_sqlite_database_built_from_the_file_shows_no_drift_ok(tmp_path: Path) -> None:
    """The same holds for SQLite: its catalog's defaults and types read back as the file declares them."""
    ddl = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL DEFAULT 'x', n INTEGER DEFAULT 0, at TEXT DEFAULT CURRENT_TIMESTAMP);\n"
    connection = sqlite3.connect(tmp_path / "app.db")
    connection.executescript(ddl)
    connection.close()
    result = diff_paths(_write(tmp_path, "schema.sql", ddl), f"sqlite:///{tmp_path / 'app.db'}")
    assert result.changes == []
