from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.ir.query import all_tables
from backend_architect.rules.model import Finding, Rule, Severity, rule


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
    Finds tables without a primary key.

    ## Why is this bad?
    Rows cannot be addressed one by one: updates and deletes may hit duplicates, logical
    replication cannot replicate UPDATE/DELETE, and ORMs cannot map the table.

    ## Example
    CREATE TABLE events (payload jsonb);

    Use instead:
    CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);
    """
    for store, table in all_tables(arch):
        if not table.primary_key:
            yield self.finding(f"{store.name}.{table.name}", f"table '{table.name}' has no primary key")
