from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Table
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import design_tables, location, qualified, where


def unique_keys(table: Table) -> list[list[str]]:
    """Column sets that identify a row without a primary key: unique constraints and plain unique indexes."""
    keys = [u.columns for u in table.uniques]
    keys += [[c.name for c in i.columns] for i in table.indexes if i.unique and i.where is None and not any(c.expression for c in i.columns)]
    return [k for k in keys if k]


@rule(
    code="SQL001",
    name="missing-primary-key",
    severity=Severity.ERROR,
    title="Table has no primary key",
    fix="Add a primary key: a surrogate id, or the natural key that identifies a row.",
)
def missing_primary_key(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds tables with neither a primary key nor any unique key (tables keyed only by a unique
    index are SQL002's).

    ## Why is this bad?
    Rows cannot be addressed one by one: updates and deletes may hit duplicates, logical
    replication cannot replicate UPDATE/DELETE, and ORMs cannot map the table.

    ## Example
    CREATE TABLE events (payload jsonb);

    Use instead:
    CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);
    """
    for store, table in design_tables(arch):
        if not table.primary_key and not unique_keys(table):
            fix = f"ALTER TABLE {qualified(store, table)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;"
            yield self.finding(where(store, table), f"table '{table.name}' has no primary key", location(table.source), fix=fix)
