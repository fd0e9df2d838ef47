"""The SQL rules' documented examples, run through the SQL importer: each Example triggers its rule, each fix passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.importers.sql import import_sql, import_sql_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Rule
from backend_architect.rules.registry import MIGRATION_RULES, SQL_RULES, review

#: The tables the migration examples change, as they were before the migration.
PRIOR_SCHEMA = """\
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(12,2), note text);
CREATE TABLE users (id bigint PRIMARY KEY, name text, nickname text NOT NULL);
"""


def _section(rule: Rule, start: str, end: str | None) -> str:
    body = rule.doc.split(start, 1)[1]
    if end is not None:
        body = body.split(end, 1)[0]
    return body.split("\n## ", 1)[0].strip()


def _migration(tmp_path: Path, sql: str) -> Architecture:
    (tmp_path / "0001_schema.sql").write_text(PRIOR_SCHEMA)
    (tmp_path / "0002_change.sql").write_text(sql + "\n")
    return import_sql(tmp_path)


@pytest.mark.parametrize("rule", SQL_RULES, ids=[r.code for r in SQL_RULES])
def test_documented_schema_example_triggers_rule_err(rule: Rule) -> None:
    """The Example, parsed as PostgreSQL DDL, gets a finding from exactly the rule it documents (among its own)."""
    findings = review(import_sql_text(_section(rule, "## Example", "Use instead:")), (rule,))
    assert findings, f"{rule.code}'s example triggers nothing"


@pytest.mark.parametrize("rule", SQL_RULES, ids=[r.code for r in SQL_RULES])
def test_documented_schema_fix_is_clean_ok(rule: Rule) -> None:
    """The "Use instead" DDL passes the rule."""
    assert review(import_sql_text(_section(rule, "Use instead:", None)), (rule,)) == []


@pytest.mark.parametrize("rule", MIGRATION_RULES, ids=[r.code for r in MIGRATION_RULES])
def test_documented_migration_example_triggers_rule_err(rule: Rule, tmp_path: Path) -> None:
    """The Example, run as a migration over tables that already exist, triggers the rule."""
    assert review(_migration(tmp_path, _section(rule, "## Example", "Use instead:")), (rule,)), f"{rule.code}'s example triggers nothing"


@pytest.mark.parametrize("rule", MIGRATION_RULES, ids=[r.code for r in MIGRATION_RULES])
def test_documented_migration_fix_is_clean_ok(rule: Rule, tmp_path: Path) -> None:
    """The "Use instead" migration passes the rule."""
    assert review(_migration(tmp_path, _section(rule, "Use instead:", None)), (rule,)) == []


@pytest.mark.parametrize("rule", MIGRATION_RULES, ids=[r.code for r in MIGRATION_RULES])
def test_documented_migration_example_as_a_lone_file_err(rule: Rule) -> None:
    """The Example reviewed alone, as squawk is run on a pull request's migration: its tables are assumed to exist."""
    findings = review(import_sql_text(_section(rule, "## Example", "Use instead:"), "0042_change.sql"), (rule,))
    assert findings, f"{rule.code}'s example triggers nothing in a lone file"


@pytest.mark.parametrize("rule", MIGRATION_RULES, ids=[r.code for r in MIGRATION_RULES])
def test_documented_migration_fix_as_a_lone_file_is_clean_ok(rule: Rule) -> None:
    """The "Use instead" reviewed alone passes too."""
    assert review(import_sql_text(_section(rule, "Use instead:", None), "0042_change.sql"), (rule,)) == []
