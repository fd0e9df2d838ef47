"""SQL files, folders and migrations into one schema; golden counts on the real corpora; bad input located."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backend_architect.errors import InputError
from backend_architect.importers.sql import import_sql, import_sql_text
from backend_architect.rules.registry import MIGRATION_RULES, SQL_RULES, review
from conftest import CORPORA, needs_corpora

CORPUS = CORPORA / "sql"


@needs_corpora
@pytest.mark.parametrize(
    ("name", "tables", "keyed", "unindexed_fks", "redundant"),
    [
        pytest.param("musicbrainz-all.sql", 375, 366, 285, 8, id="musicbrainz"),  # 6 plain indexes lead a primary key or unique constraint
        pytest.param("osm-structure.sql", 57, 55, 12, 0, id="osm"),
        pytest.param("pagila-schema.sql", 71, 71, 7, 0, id="pagila"),
        pytest.param("synapse-main-full72.sql", 134, 27, 2, 7, id="synapse"),
        pytest.param("lemmy-migrations", 58, 58, 4, 11, id="lemmy"),  # CREATE TABLE AS counted; partial IS NOT NULL indexes serve FKs
    ],
)
def test_corpus_golden_counts_ok(name: str, tables: int, keyed: int, unindexed_fks: int, redundant: int) -> None:
    """Each real schema imports whole, with no statement dropped, and its key counts stay pinned."""
    arch = import_sql(CORPUS / name)
    found = [t for s in arch.datastores for t in s.tables]
    findings = review(arch, SQL_RULES)
    assert arch.parse_problems == []
    assert (len(found), sum(1 for t in found if t.primary_key)) == (tables, keyed)
    assert sum(1 for f in findings if f.code == "SQL003") == unindexed_fks
    assert sum(1 for f in findings if f.code == "SQL004") == redundant


def test_statements_are_merged_across_the_file_ok() -> None:
    """Keys added by ALTER TABLE, indexes created later and partitions attached later all land on their table."""
    arch = import_sql_text(
        """\
\\set ON_ERROR_STOP 1
SET search_path = shop, public;
CREATE TABLE orders (id bigint NOT NULL, customer_id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE orders_2026 (id bigint NOT NULL, customer_id bigint, created_at timestamptz NOT NULL);
ALTER TABLE ONLY orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id, created_at);
ALTER TABLE ONLY orders ATTACH PARTITION orders_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ix_orders_customer ON orders USING btree (customer_id) WHERE (customer_id IS NOT NULL);
COPY orders (id) FROM stdin;
1
\\.
"""
    )
    [store] = arch.datastores
    orders, partition = store.tables
    assert (store.name, orders.primary_key, partition.partition_of) == ("shop", ["id", "created_at"], "shop.orders")
    assert [(i.name, i.where) for i in orders.indexes] == [("ix_orders_customer", "customer_id IS NOT NULL")]
    assert partition.primary_key == ["id", "created_at"]


def test_unparsable_statement_is_reported_and_the_rest_read_err() -> None:
    """A statement PostgreSQL refuses is a located SQL000 finding; the tables after it are still reviewed."""
    arch = import_sql_text("CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY,,);\nCREATE TABLE c (x int);\n", "s.sql")
    findings = review(arch)
    assert [(f.code, str(f.location)) for f in findings if f.code == "SQL000"] == [("SQL000", "s.sql:2:36")]
    assert any(f.code == "SQL001" and f.where == "public.c" for f in findings)


def test_unbalanced_parenthesis_is_reported_not_swallowed_err() -> None:
    """An unclosed parenthesis hides every later semicolon from the scanner; the rest is still a located SQL000, never silently dropped."""
    arch = import_sql_text("CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE (;\nCREATE TABLE c (x int);\n", "s.sql")
    findings = review(arch)
    assert [(f.code, str(f.location)) for f in findings if f.code == "SQL000"] == [("SQL000", "s.sql:2:14")]


def test_text_the_scanner_refuses_is_reported_not_raised_err() -> None:
    """Text PostgreSQL's scanner itself refuses ("0A": junk after a number) is a located SQL000, never an exception."""
    findings = review(import_sql_text("0A", "s.sql"))
    assert [(f.code, str(f.location)) for f in findings if f.code == "SQL000"] == [("SQL000", "s.sql:1:1")]


def test_sqlite_parse_error_is_located_at_the_token_err(tmp_path: Path) -> None:
    """sqlglot's refusal points at the offending token, in words (no token dumps), and the tables around it are read."""
    path = tmp_path / "s.sql"
    path.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);\n\nCREATE TABLE (;\nCREATE TABLE u (x int);\n")
    arch = import_sql(path)
    [problem] = arch.parse_problems
    assert (problem.source.line, problem.source.col) == (3, 14)
    assert problem.message == "cannot parse statement: Expected table name but got '('"
    assert [t.name for s in arch.datastores for t in s.tables] == ["t", "u"]


def test_trailing_statement_without_semicolon_is_read_ok() -> None:
    """The last statement needs no semicolon, in a file that also holds an error."""
    arch = import_sql_text("CREATE TABLE a (id int PRIMARY KEY,,);\nCREATE TABLE b (id int PRIMARY KEY)", "s.sql")
    assert [t.name for s in arch.datastores for t in s.tables] == ["b"]
    assert len(arch.parse_problems) == 1


def test_expression_and_opclass_make_indexes_distinct_ok() -> None:
    """lower(email) and email, or different operator classes, are different indexes; an exact copy is redundant."""
    arch = import_sql_text(
        "CREATE TABLE u (id int PRIMARY KEY, email text);\n"
        "CREATE INDEX a ON u (lower(email));\nCREATE INDEX b ON u (email);\nCREATE INDEX c ON u (email text_pattern_ops);\n"
        "CREATE INDEX d ON u USING btree (lower(email));\n"
    )
    findings = review(arch, SQL_RULES)
    assert [f.message for f in findings if f.code == "SQL004"] == ["index d is covered by a"]


MIGRATIONS = {
    "0001_init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
    "0002_grow.sql": (
        "CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint);\n"
        "CREATE INDEX ix_posts_user ON posts (user_id);\n"
        "ALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n"
        "CREATE INDEX ix_users_name ON users (name);\n"
        "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
    ),
    "0002_grow.down.sql": "DROP TABLE posts;\n",
}


def test_migration_rules_spare_tables_the_migration_created_err(tmp_path: Path) -> None:
    """Steps on users (older) are reported; the index and key on posts (created in the same migration) are not."""
    for name, text in MIGRATIONS.items():
        (tmp_path / name).write_text(text)
    arch = import_sql(tmp_path)
    assert [m.file.rsplit("/", 1)[-1] for m in arch.migrations] == ["0001_init.sql", "0002_grow.sql"]
    findings = review(arch, MIGRATION_RULES)
    assert sorted((f.code, f.message) for f in findings) == [
        ("SQL101", "CREATE INDEX ix_users_name without CONCURRENTLY blocks writes"),
        ("SQL106", "renames public.users name to full_name"),
        ("SQL107", "takes locks on an existing table without SET lock_timeout or statement_timeout first"),
    ]
    assert {str(f.location).split("/")[-1] for f in findings} == {"0002_grow.sql:4:1", "0002_grow.sql:5:1"}


@pytest.mark.parametrize(
    ("dialect", "text"),
    [
        pytest.param("sqlite", "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\nCREATE TABLE b (a_id INTEGER REFERENCES a(id));\n", id="sqlite"),
        pytest.param("mysql", "CREATE TABLE `a` (`id` int NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;\n"
                     "CREATE TABLE `b` (`a_id` int, CONSTRAINT `fk` FOREIGN KEY (`a_id`) REFERENCES `a` (`id`)) ENGINE=InnoDB;\n", id="mysql"),
    ],
)  # fmt: skip
def test_other_dialects_through_sqlglot_err(tmp_path: Path, dialect: str, text: str) -> None:
    """SQLite and MySQL schemas are recognised and judged by the same design rules."""
    path = tmp_path / "schema.sql"
    path.write_text(text)
    findings = review(import_sql(path), SQL_RULES)
    assert {f.code for f in findings} >= {"SQL001", "SQL003"}
    assert all("CONCURRENTLY" not in f.fix for f in findings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"CREATE TABLE a (id int);\x00", "not a text file", id="binary"),
        pytest.param(None, "no such file", id="missing"),
    ],
)
def test_bad_sql_input_err(tmp_path: Path, content: bytes | None, message: str) -> None:
    """Unreadable input is a located error, not a crash."""
    path = tmp_path / "schema.sql"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        import_sql(path)


@needs_corpora
def test_cli_reviews_musicbrainz_with_fixes_ok() -> None:
    """The CLI reviews the largest corpus schema: located findings with DDL fixes, exit 1 at --fail-on warning."""
    result = subprocess.run(
        [sys.executable, "-m", "backend_architect.cli", "review", str(CORPUS / "musicbrainz-all.sql"), "--fail-on", "warning"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "warning[SQL003] missing-foreign-key-index: foreign key alternative_medium_fk_medium (medium) has no supporting index" in result.stdout
    assert "fix: CREATE INDEX CONCURRENTLY ix_alternative_medium_medium ON musicbrainz.alternative_medium (medium);" in result.stdout


def test_inline_suppression_comment_silences_its_statement_ok() -> None:
    """`-- backend-architect-ignore: SQL001` silences that rule for the statement it annotates, and only there."""
    text = (
        "-- backend-architect-ignore: missing-primary-key\n"
        "CREATE TABLE audit_log (at timestamptz, what text);\n"
        "CREATE TABLE scratch (x int);  -- backend-architect-ignore: SQL002\n"
        "CREATE TABLE other (x int);\n"
    )
    findings = review(import_sql_text(text, "s.sql"), SQL_RULES)
    assert sorted(f.where for f in findings if f.code == "SQL001") == ["public.other", "public.scratch"]


def test_migration_findings_carry_rewritten_ddl_ok(tmp_path: Path) -> None:
    """Fixes are the statement itself made safe: CONCURRENTLY added, NOT VALID then VALIDATE."""
    (tmp_path / "0001_init.sql").write_text(
        "CREATE TABLE users (id bigint PRIMARY KEY, team_id bigint, name text);\nCREATE TABLE teams (id bigint PRIMARY KEY);\n"
    )
    (tmp_path / "0002_change.sql").write_text(
        "CREATE INDEX ix_users_name ON users (name);\nALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES teams (id);\n"
    )
    fixes = {f.code: f.fix for f in review(import_sql(tmp_path), MIGRATION_RULES)}
    assert fixes["SQL101"] == "CREATE INDEX CONCURRENTLY ix_users_name ON users (name);  -- outside a transaction"
    assert fixes["SQL102"] == (
        "ALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES teams (id) NOT VALID; "
        "ALTER TABLE public.users VALIDATE CONSTRAINT users_team_fk;"
    )
    assert fixes["SQL107"].startswith("SET lock_timeout = '2s';")


def test_sql_past_the_size_limit_is_refused_before_parsing_err(tmp_path: Path) -> None:
    """A schema larger than a review handles in seconds is refused by its size, as a file and as text."""
    from backend_architect.importers.sql import MAX_SQL_BYTES

    text = "CREATE TABLE t (id int);\n" + "-- padding\n" * (MAX_SQL_BYTES // 11 + 1)
    path = tmp_path / "dump.sql"
    path.write_text(text)
    with pytest.raises(InputError, match=r"dump\.sql:1:1: file is 8\.0 MiB; a schema may be at most 8 MiB \(review a larger dump schema by schema\)"):
        import_sql(path)
    with pytest.raises(InputError, match=r"a schema may be at most 8 MiB"):
        import_sql_text(text, "stdin.sql")


def test_folder_of_two_dialects_is_two_schemas_ok(tmp_path: Path) -> None:
    """A folder holding a PostgreSQL file and a SQLite rendering of the same tables reads as two schemas, each in its own dialect."""
    (tmp_path / "shop.postgresql.sql").write_text(
        "CREATE TABLE shops (id bigint PRIMARY KEY, meta jsonb);\nCREATE TABLE items (id bigint PRIMARY KEY, shop_id bigint REFERENCES shops (id));\n"
    )
    (tmp_path / "shop.sqlite.sql").write_text(
        "PRAGMA foreign_keys = ON;\nCREATE TABLE shops (id INTEGER PRIMARY KEY, meta JSON);\n"
        "CREATE TABLE items (id INTEGER PRIMARY KEY, shop_id BIGINT REFERENCES shops (id));\n"
    )
    arch = import_sql(tmp_path)
    assert sorted((s.engine, [t.name for t in s.tables]) for s in arch.datastores) == [
        ("postgresql", ["shops", "items"]),
        ("sqlite", ["shops", "items"]),
    ]
    assert arch.parse_problems == []
    # INT and BIGINT share SQLite's INTEGER affinity, and SQLite has no jsonb to prefer
    assert [f.code for f in review(arch, SQL_RULES) if f.code in {"SQL005", "SQL010"}] == []


def test_sqlite_integer_key_referenced_as_text_is_a_mismatch_err(tmp_path: Path) -> None:
    """In SQLite an INTEGER key referenced by a TEXT column still differs: affinity, not leniency."""
    path = tmp_path / "s.sql"
    path.write_text(
        "PRAGMA foreign_keys = ON;\nCREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY, a_id TEXT REFERENCES a (id));\n"
    )
    assert [f.code for f in review(import_sql(path), SQL_RULES) if f.code == "SQL005"] == ["SQL005"]


def test_comment_after_the_last_statement_is_not_a_statement_ok(tmp_path: Path) -> None:
    """A SQLite file may end in comments (a note on the last table): nothing to parse, no SQL000."""
    path = tmp_path / "s.sql"
    path.write_text("PRAGMA foreign_keys = ON;\nCREATE TABLE a (id INTEGER PRIMARY KEY);\n-- shard by id: a note for the reader\n")
    arch = import_sql(path)
    assert arch.parse_problems == []
    assert [t.name for s in arch.datastores for t in s.tables] == ["a"]
