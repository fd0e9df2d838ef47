"""Reviewing live databases: the same answer as the schema file, runtime findings from real statistics, read-only always."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_architect.errors import InputError
from backend_architect.importers.live import connect_read_only, import_live
from backend_architect.importers.sql import import_sql
from backend_architect.rules.registry import RUNTIME_RULES, SQL_RULES, review
from conftest import CORPORA, needs_corpora

CORPUS = CORPORA / "sql"
#: What MusicBrainz's schema files expect to exist already (created by its install scripts).
MUSICBRAINZ_PRELUDE = """\
CREATE SCHEMA musicbrainz;
CREATE EXTENSION cube WITH SCHEMA public;
CREATE EXTENSION earthdistance WITH SCHEMA public;
CREATE EXTENSION unaccent WITH SCHEMA public;
CREATE TEXT SEARCH CONFIGURATION musicbrainz.mb_simple (COPY = simple);
"""


def _url(postgres: Any, database: str) -> str:
    return f"postgresql://postgres@127.0.0.1:{postgres.port}/{database}"


def _design_findings(arch: Any) -> set[tuple[str, str, str]]:
    # SQL013 judges names as written; the server has already cut them to 63 bytes, so only the file can show them.
    return {(f.code, f.where, f.message) for f in review(arch, SQL_RULES) if f.code != "SQL013"}


@needs_corpora
@pytest.mark.postgres
@pytest.mark.parametrize(
    ("name", "prelude"),
    [pytest.param("synapse-main-full72.sql", "", id="synapse"), pytest.param("musicbrainz-all.sql", MUSICBRAINZ_PRELUDE, id="musicbrainz")],
)
def test_live_review_matches_file_review_ok(postgres: Any, name: str, prelude: str) -> None:
    """Loaded into PostgreSQL, a schema gets exactly the findings its file gets: same rules, same answer."""
    database = "live_" + name.split("-")[0]
    postgres.psql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database};")
    if prelude:
        postgres.psql(prelude, database)
    postgres.psql((CORPUS / name).read_text(), database, on_error_stop=False)
    from_file = _design_findings(import_sql(CORPUS / name))
    from_database = _design_findings(import_live(_url(postgres, database)))
    assert from_file
    assert from_database == from_file


@pytest.mark.postgres
def test_runtime_findings_from_real_statistics_err(postgres: Any) -> None:
    """Unused and invalid indexes, sequential scans, NOT VALID constraints, a nearly spent sequence and dead rows are found."""
    database = "live_runtime"
    postgres.psql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database};")
    postgres.psql(
        """
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id serial PRIMARY KEY, customer_id bigint, note text, n int) WITH (autovacuum_enabled = false);
        INSERT INTO customers SELECT generate_series(1, 10);
        INSERT INTO orders (customer_id, note, n) SELECT 1 + g % 10, 'x' || g % 7, g FROM generate_series(1, 30000) g;
        CREATE INDEX ix_orders_note ON orders (note);
        ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
        UPDATE orders SET n = n + 1 WHERE id <= 12000;
        SELECT setval('orders_id_seq', 2000000000);
        """,
        database,
    )
    postgres.psql("CREATE UNIQUE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);", database, on_error_stop=False)
    for _ in range(3):
        postgres.psql("SELECT count(*) FROM orders WHERE n > 5;", database)
    postgres.psql("ANALYZE; SELECT pg_stat_force_next_flush();", database, on_error_stop=False)
    arch = import_live(_url(postgres, database))
    found = {(f.code, f.message.split(" (")[0]) for f in review(arch, RUNTIME_RULES)}
    assert ("SQL201", "index ix_orders_note has not been scanned") in found
    assert ("SQL203", "index ix_orders_customer is invalid") in found
    assert ("SQL204", "constraint orders_customer_fk is not validated") in found
    assert ("SQL205", "integer sequence at 93% of its maximum") in found
    assert any(code == "SQL202" for code, _ in found)
    assert any(code == "SQL206" for code, _ in found)


@pytest.mark.postgres
def test_reviewer_connection_cannot_write_ok(postgres: Any) -> None:
    """The connection the reviewer opens refuses writes: it is read-only by session default and by transaction."""
    import psycopg

    postgres.psql("DROP DATABASE IF EXISTS live_ro; CREATE DATABASE live_ro;")
    postgres.psql("CREATE TABLE t (id int);", "live_ro")
    connection = connect_read_only(_url(postgres, "live_ro"))
    try:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), connection.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
    finally:
        connection.close()


@pytest.mark.postgres
def test_unreachable_or_refused_database_is_one_line_exit_two_err(postgres: Any) -> None:
    """A database that refuses the login, or is not there, gets one located line on stderr and exit 2, password redacted."""
    for url in (f"postgresql://nobody:s3cret@127.0.0.1:{postgres.port}/postgres", "postgresql://x:pw@127.0.0.1:1/none"):
        result = subprocess.run([sys.executable, "-m", "backend_architect.cli", "review", url], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "cannot connect" in result.stderr
        assert "s3cret" not in result.stderr
        assert ":pw@" not in result.stderr


def test_sqlite_database_matches_its_schema_file_ok(tmp_path: Path) -> None:
    """A SQLite database opened read-only gives the design findings its DDL file gives."""
    ddl = (
        "CREATE TABLE authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);\n"
        "CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors(id), title TEXT, phone1 TEXT, phone2 TEXT);\n"
        "CREATE INDEX ix_title ON books (title);\nCREATE INDEX ix_title_id ON books (title, id);\n"
    )
    (tmp_path / "schema.sql").write_text(ddl)
    connection = sqlite3.connect(tmp_path / "app.db")
    connection.executescript(ddl)
    connection.close()
    before = (tmp_path / "app.db").read_bytes()
    live = {(f.code, f.message) for f in review(import_live(f"sqlite:///{tmp_path / 'app.db'}"), SQL_RULES)}
    static = {(f.code, f.message) for f in review(import_sql(tmp_path / "schema.sql"), SQL_RULES)}
    assert {c for c, _ in live} == {c for c, _ in static} == {"SQL003", "SQL004", "SQL014"}
    assert (tmp_path / "app.db").read_bytes() == before


def test_missing_sqlite_database_err(tmp_path: Path) -> None:
    """A SQLite URL to no file is an input error, and no file is created."""
    with pytest.raises(InputError, match="no such database file"):
        import_live(f"sqlite:///{tmp_path / 'none.db'}")
    assert not (tmp_path / "none.db").exists()


@pytest.mark.postgres
def test_findings_are_tagged_static_or_runtime_ok(postgres: Any) -> None:
    """In a live review, schema findings say static and statistics findings say runtime with the statistics' age."""
    import json

    postgres.psql("DROP DATABASE IF EXISTS live_tags; CREATE DATABASE live_tags;")
    postgres.psql("CREATE TABLE t (id serial PRIMARY KEY, at timestamp); SELECT setval('t_id_seq', 2100000000);", "live_tags")
    result = subprocess.run(
        [sys.executable, "-m", "backend_architect.cli", "review", _url(postgres, "live_tags"), "--format", "json", "--fail-on", "never"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    evidence = {f["code"]: f["evidence"] for f in json.loads(result.stdout)["findings"]}
    assert evidence["SQL009"] == "static"
    assert evidence["SQL205"].startswith("runtime")
