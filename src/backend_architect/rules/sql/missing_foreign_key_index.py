from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.ir.query import all_tables
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="SQL003",
    name="missing-foreign-key-index",
    severity=Severity.WARNING,
    title="Foreign key column has no index",
    fix="Index the foreign key column(s), or make them the leading columns of an existing index.",
)
def missing_foreign_key_index(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds foreign keys whose columns are not the leading columns of any index (or of the
    primary key, or of a unique constraint).

    ## Why is this bad?
    Joins from the parent scan the child table, and every delete or key update of a parent
    row scans the child to check the constraint: on a 10M-row child that is seconds per
    parent delete, under a lock.

    ## Example
    CREATE TABLE reviews (id bigint PRIMARY KEY, book_id bigint REFERENCES books (id));

    Use instead:
    CREATE TABLE reviews (id bigint PRIMARY KEY, book_id bigint REFERENCES books (id));
    CREATE INDEX ix_reviews_book_id ON reviews (book_id);
    """
    for store, table in all_tables(arch):
        leading = [table.primary_key, *(u.columns for u in table.uniques)]
        leading += [[c.name for c in i.columns] for i in table.indexes if i.method == "btree" and i.where is None]
        for fk in table.foreign_keys:
            if not any(cols[: len(fk.columns)] == fk.columns for cols in leading):
                yield self.finding(f"{store.name}.{table.name}", f"foreign key {fk.name} ({', '.join(fk.columns)}) has no supporting index")
