"""Migrations: they apply up and down on PostgreSQL, reach the schema the DDL describes, and pass squawk."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.render.files import Previous
from backend_architect.spec.load import load_spec_bytes
from conftest import ROOT, designed
from ddl_checks import postgres_catalog

BOOKSTORE = (ROOT / "examples" / "bookstore.yaml").read_text()

EVOLUTIONS = [
    ("      stock: int\n", "      stock: int\n      subtitle: string(200)?\n      language: {type: string(8), default: en}\n      ean: string(13)\n"),
    ("      bio: text?\n", "      bio: text\n"),
    ("      title: string(300)\n", "      title: string(500)\n"),
    ("      password_hash: {type: string(255), secret: true}\n", ""),
    (
        "  - name: write review",
        "  - name: books by language\n    reads: [Book]\n    filter: [language]\n    sort: [title]\n    rate: 5/s\n  - name: write review",
    ),
    (
        "  Order:\n    fields:",
        "  Wishlist:\n    fields:\n      customer: ref(Customer)\n      book: ref(Book)\n    unique: [[customer, book]]\n  Order:\n    fields:",
    ),
]


def evolved_bookstore() -> str:
    text = BOOKSTORE
    for old, new in EVOLUTIONS:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def sections(text: str) -> tuple[str, str]:
    """The up and down parts of a dbmate migration."""
    up, _, down = text.partition("-- migrate:down")
    return up, down.split("\n", 1)[1]


def _apply(postgres: Any, database: str, sql: str) -> None:
    try:
        postgres.psql(sql, database)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"migration failed: {exc.stderr}\n{sql}")


def _fresh(postgres: Any, name: str) -> str:
    postgres.psql(f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};")
    return name


@pytest.mark.postgres
def test_initial_migrations_up_down_up_ok(example: DesignResult, postgres: Any) -> None:
    """Every 0001_initial applies, rolls back to an empty database, and applies again."""
    database = _fresh(postgres, f"init_{example.architecture.system.replace('-', '_')}")
    migrations = sorted(p for p in example.files if "/migrations/" in p)
    assert [p.rsplit("/", 1)[1] for p in migrations] == ["0001_initial.sql"] * len(example.architecture.datastores)
    for path in migrations:
        _apply(postgres, database, sections(example.files[path])[0])
    for path in reversed(migrations):
        _apply(postgres, database, sections(example.files[path])[1])
    assert postgres_catalog(postgres, database)["columns"] == []
    for path in migrations:
        _apply(postgres, database, sections(example.files[path])[0])


def _evolve() -> tuple[DesignResult, DesignResult]:
    old = designed("bookstore")
    migrations = {p: t for p, t in old.files.items() if "/migrations/" in p}
    new = design_spec(load_spec_bytes(evolved_bookstore().encode(), "evolved.yaml").spec, Previous(old.architecture, migrations))
    return old, new


def test_next_migrations_are_numbered_after_previous_ok() -> None:
    """With a previous design, its migrations are carried over and the next ones follow them."""
    old, new = _evolve()
    for path, text in old.files.items():
        if "/migrations/" in path:
            assert new.files[path] == text
    names = sorted(p.split("/", 1)[1] for p in new.files if "/migrations/0002" in p or "/contract/" in p)
    assert names == [
        "books/contract/0003_set_not_null_authors_add_column_books_set_not_null_books_alt_contract.sql",
        "books/migrations/0002_set_not_null_authors_add_column_books_set_not_null_books_alt.sql",
        "customers/contract/0003_drop_column_customers_contract.sql",
    ]


@pytest.mark.postgres
def test_migrations_reach_the_designed_schema_ok(postgres: Any) -> None:
    """Old DDL + expand + contract migrations give exactly the new DDL's schema; expand's down restores the old one."""
    old, new = _evolve()
    target = _fresh(postgres, "evolve_fresh")
    for path, text in sorted(new.files.items()):
        if path.endswith(".postgresql.sql"):
            _apply(postgres, target, text)
    migrated = _fresh(postgres, "evolve_migrated")
    ordered = sorted((p for p in new.files if "/migrations/" in p), key=lambda p: (p.rsplit("/", 1)[1], p))
    for path in ordered:
        _apply(postgres, migrated, sections(new.files[path])[0])
    expanded = postgres_catalog(postgres, migrated)
    for path in sorted(p for p in new.files if "/contract/" in p):
        _apply(postgres, migrated, sections(new.files[path])[0])
    assert postgres_catalog(postgres, migrated) == postgres_catalog(postgres, target)
    assert expanded != postgres_catalog(postgres, target), "the contract step changes something"

    original = _fresh(postgres, "evolve_original")
    for path, text in sorted(old.files.items()):
        if path.endswith(".postgresql.sql"):
            _apply(postgres, original, text)
    rolled = _fresh(postgres, "evolve_rolled_back")
    for path in ordered:
        _apply(postgres, rolled, sections(new.files[path])[0])
    for path in reversed([p for p in ordered if "/0002_" in p]):
        _apply(postgres, rolled, sections(new.files[path])[1])
    wishlists = [p for p in ordered if p.startswith("schema/wishlists/")]
    for path in wishlists:
        _apply(postgres, rolled, sections(new.files[path])[1])
    assert postgres_catalog(postgres, rolled) == postgres_catalog(postgres, original)


def _squawk(path: Path, in_transaction: bool) -> list[str]:
    squawk = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    command = [squawk, "--reporter", "gitlab", *(["--assume-in-transaction"] if in_transaction else []), str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    return [f"{item['check_name']} line {item['location']['lines']['begin']}" for item in json.loads(result.stdout or "[]")]


def test_expand_migrations_pass_squawk_ok(tmp_path: Path) -> None:
    """squawk finds nothing in the up sections of initial and expand migrations; contract steps only drop."""
    _, new = _evolve()
    checked = 0
    for path, text in sorted(new.files.items()):
        if "/migrations/" not in path and "/contract/" not in path:
            continue
        up = sections(text)[0]
        file = tmp_path / path.replace("/", "_")
        file.write_text(up)
        findings = _squawk(file, in_transaction="transaction:false" not in up)
        if "/contract/" in path:
            assert {f.split()[0] for f in findings} <= {"ban-drop-column", "ban-drop-table"}, (path, findings)
        else:
            assert findings == [], (path, findings)
        checked += 1
    assert checked == 7  # four initial migrations, one expand, two contract steps


def test_squawk_flags_an_unsafe_migration_ok(tmp_path: Path) -> None:
    """The squawk harness really reports problems, so the test above can fail."""
    file = tmp_path / "bad.sql"
    file.write_text("CREATE INDEX ix_a ON a (b);\nALTER TABLE a ADD COLUMN c int NOT NULL;\n")
    assert {f.split()[0] for f in _squawk(file, in_transaction=True)} >= {"require-concurrent-index-creation"}


def test_previous_without_handoff_err(tmp_path: Path) -> None:
    """--previous on a folder that is not a design output exits 2 with a located message."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend_architect.cli",
            "design",
            str(ROOT / "examples" / "bookstore.yaml"),
            "-o",
            str(tmp_path / "o"),
            "--previous",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert re.match(rf"{re.escape(str(tmp_path / 'handoff.json'))}:1:1: not found", result.stderr)
