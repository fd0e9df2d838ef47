from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.model import Architecture, IndexColumn, Table
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import concurrently, design_tables, ident, idents, location, qualified, where


def leading_column_sets(table: Table) -> list[list[str]]:
    """Column lists that can serve a lookup by their leading columns: the keys and every full btree index."""
    leading = [table.primary_key, *(u.columns for u in table.uniques)]
    leading += [[c.expression or c.name for c in i.columns] for i in table.indexes if i.method == "btree" and _serves_all_keys(i.where, i.columns)]
    return leading


def _serves_all_keys(predicate: str | None, columns: list[IndexColumn]) -> bool:
    """A predicate that keeps every row a foreign key check looks up: none, or ``col IS NOT NULL`` on the index's own columns
    (the check never looks for NULL, and PostgreSQL uses such a partial index for it).

    >>> c = [IndexColumn(name="author_id")]
    >>> _serves_all_keys(None, c), _serves_all_keys("(author_id IS NOT NULL)", c), _serves_all_keys("deleted_at IS NULL", c)
    (True, True, False)
    """
    if predicate is None:
        return True
    names = {c.name for c in columns}
    parts = [p.strip().strip("()").strip() for p in re.split(r"(?i)\s+AND\s+", predicate.strip())]
    return all((m := _NOT_NULL.fullmatch(part)) is not None and m["column"].strip('"') in names for part in parts)


_NOT_NULL = re.compile(r'(?i)(?P<column>"[^"]+"|\w+)\s+IS\s+NOT\s+NULL')


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
    primary key, or of a unique constraint), in any order. A partial index whose predicate
    is `col IS NOT NULL` serves the check (it never looks for NULL) and counts.

    ## Why is this bad?
    Joins from the parent scan the child table, and every delete or key update of a parent
    row scans the child to check the constraint: on a 10M-row child that is seconds per
    parent delete, under a lock.

    ## Example
    CREATE TABLE books (id bigint PRIMARY KEY);
    CREATE TABLE reviews (id bigint PRIMARY KEY, book_id bigint REFERENCES books (id));

    Use instead:
    CREATE TABLE books (id bigint PRIMARY KEY);
    CREATE TABLE reviews (id bigint PRIMARY KEY, book_id bigint REFERENCES books (id));
    CREATE INDEX ix_reviews_book_id ON reviews (book_id);

    ## References
    PostgreSQL documentation, "Foreign Keys" (the referencing side is not indexed automatically).
    """
    for store, table in design_tables(arch):
        leading = leading_column_sets(table)
        for fk in table.foreign_keys:
            if not any(sorted(cols[: len(fk.columns)]) == sorted(fk.columns) for cols in leading):
                name = f"ix_{table.name}_{'_'.join(fk.columns)}"[:63]
                fix = f"CREATE INDEX {concurrently(store)}{ident(name, store.engine)} ON {qualified(store, table)} ({idents(fk.columns, store.engine)});"
                yield self.finding(
                    where(store, table),
                    f"foreign key {fk.name} ({', '.join(fk.columns)}) has no supporting index",
                    location(fk.source or table.source),
                    fix=fix,
                )
