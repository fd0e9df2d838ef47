"""SQL that never closes a quote, a dollar quote, a comment or a quoted name, nests too deep or hides a NUL byte: located, never a crash.

Every case is read by both parsers (pglast for PostgreSQL, sqlglot for SQLite and MySQL), through
review (a SQL000 finding at the place, the statements before it still read) and through diff
(refused at the place, exit 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.api import ReviewOptions, diff_paths, review_path, review_text
from backend_architect.errors import InputError

GOOD = "CREATE TABLE kept (id int PRIMARY KEY);\n"
CASES = [
    pytest.param("CREATE TABLE t (id int PRIMARY KEY, s text DEFAULT 'open);\n", (2, 51), id="unterminated-string"),
    pytest.param("CREATE TABLE t (id int PRIMARY KEY, s text DEFAULT E'open\\');\n", (2, 51), id="unterminated-escape-string"),
    pytest.param("CREATE TABLE t (id int PRIMARY KEY);\nDO $x$ BEGIN\n", (3, 4), id="unterminated-dollar-quote"),
    pytest.param("CREATE TABLE t (id int PRIMARY KEY);\n/* never closed\nCREATE TABLE u (id int);\n", (3, 1), id="unterminated-comment"),
    pytest.param('CREATE TABLE "t (id int PRIMARY KEY);\n', (2, 14), id="unterminated-quoted-name"),
    pytest.param("CREATE TABLE `t (id int PRIMARY KEY);\n", (2, 14), id="unterminated-backtick-name"),
]
DIALECTS = [pytest.param("postgresql", id="pglast"), pytest.param("sqlite", id="sqlglot-sqlite"), pytest.param("mysql", id="sqlglot-mysql")]
# backticks are no quote to PostgreSQL: that case is for sqlglot's dialects
UNCLOSED = [
    pytest.param(case.values[0], case.values[1], dialect.values[0], id=f"{case.id}-{dialect.id}")
    for case in CASES
    for dialect in DIALECTS
    if not (dialect.values[0] == "postgresql" and "`" in str(case.values[0]))
]


@pytest.mark.parametrize(("text", "where", "dialect"), UNCLOSED)
def test_unclosed_token_is_sql000_at_its_place_err(tmp_path: Path, text: str, where: tuple[int, int], dialect: str) -> None:
    """The statement that opens the quote or comment is SQL000 on its line; the statement before it is still read."""
    path = tmp_path / "schema.sql"
    path.write_text(GOOD + text)
    result = review_path(path, ReviewOptions(dialect=dialect))
    problems = [f for f in result.findings if f.code == "SQL000"]
    assert [p.location.line for p in problems if p.location] == [where[0]], [str(f) for f in problems]
    assert "kept" in {t.name for store in result.architecture.datastores for t in store.tables}


@pytest.mark.parametrize(("text", "where", "dialect"), UNCLOSED)
def test_unclosed_token_stops_the_diff_at_its_place_err(tmp_path: Path, text: str, where: tuple[int, int], dialect: str) -> None:
    """A schema diff refuses the broken side at the line of the unclosed token, never with an internal error."""
    old, new = tmp_path / "old.sql", tmp_path / "new.sql"
    old.write_text(GOOD)
    new.write_text(GOOD + text)
    with pytest.raises(InputError) as info:
        diff_paths(old, new, dialect=dialect)
    assert info.value.location.line == where[0]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_deeply_nested_expression_is_located_err(tmp_path: Path, dialect: str) -> None:
    """Five thousand nested parentheses are refused as one statement, not a recursion crash."""
    path = tmp_path / "deep.sql"
    path.write_text(GOOD + "CREATE TABLE t (id int PRIMARY KEY, x int CHECK (" + "(" * 5000 + "x" + ")" * 5000 + " > 0));\n")
    findings = review_path(path, ReviewOptions(dialect=dialect)).findings
    assert all(f.location is not None for f in findings)


def test_nul_byte_is_refused_where_it_is_err(tmp_path: Path) -> None:
    """A NUL byte, which would end PostgreSQL's reading of the text silently, is refused at its line and column, in files and in text."""
    text = GOOD + "CREATE TABLE t (id int);\x00\nCREATE TABLE hidden (id int);\n"
    path = tmp_path / "nul.sql"
    path.write_text(text)
    with pytest.raises(InputError, match="NUL byte") as info:
        review_path(path)
    assert (info.value.location.line, info.value.location.col) == (2, 25)
    with pytest.raises(InputError, match="NUL byte") as again:
        review_text("sql", text, "given.sql")
    assert str(again.value).startswith("given.sql:2:25:")
