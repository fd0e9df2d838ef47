from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Index, IndexColumn
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import concurrently, design_tables, location, qualified, where


def _key(column: IndexColumn) -> tuple[object, ...]:
    """What makes two key columns the same: the column or expression, operator class and collation."""
    return (column.expression or column.name, column.opclass, column.collation)


def _shape(index: Index) -> tuple[object, ...]:
    """What besides the key columns must match for one index to stand in for another."""
    return (index.method, index.where, index.expression)


def _covers(wide: Index, narrow: Index) -> bool:
    """``wide`` answers every query ``narrow`` answers: same kind and predicate, and ``narrow``'s key leads ``wide``'s."""
    if wide is narrow or _shape(wide) != _shape(narrow):
        return False
    short, long = narrow.columns, wide.columns
    exact = [_key(c) for c in short] == [_key(c) for c in long] and [c.descending for c in short] == [c.descending for c in long]
    if exact and sorted(narrow.include) == sorted(wide.include) and narrow.unique == wide.unique:
        return wide.name < narrow.name  # an exact duplicate: report the later name once
    if narrow.unique or wide.method != "btree" or len(short) > len(long):
        return False
    same_direction = all(_key(a) == _key(b) and a.descending == b.descending for a, b in zip(short, long, strict=False))
    reversed_direction = all(_key(a) == _key(b) and a.descending != b.descending for a, b in zip(short, long, strict=False))
    covers_include = set(narrow.include) <= {c.name for c in long} | set(wide.include)
    return (same_direction or reversed_direction) and covers_include and (len(short) < len(long) or wide.name < narrow.name)


@rule(
    code="SQL004",
    name="redundant-index",
    severity=Severity.WARNING,
    title="Index is redundant with another index",
    fix="Drop the narrower index; the wider one serves its queries.",
)
def redundant_index(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds indexes that another index of the same table makes useless: exact duplicates (same
    method, key columns or expressions, operator classes, collations, INCLUDE columns and
    predicate), and B-tree indexes whose keys lead another B-tree index with the same
    predicate. A unique index is never redundant with a wider one: it enforces a rule. A
    plain B-tree index on the leading columns of the primary key or of a unique constraint
    is redundant too: the key's own index serves it.

    ## Why is this bad?
    Every index is written on every insert and on updates of its columns, takes disk and
    cache, and slows vacuum; a redundant one pays all of that and serves no query the other
    does not. On a write-heavy table each extra index can cost 10-20% of insert throughput.

    ## Example
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz);
    CREATE INDEX ix_orders_customer ON orders (customer_id);
    CREATE INDEX ix_orders_customer_created ON orders (customer_id, created_at);

    Use instead:
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz);
    CREATE INDEX ix_orders_customer_created ON orders (customer_id, created_at);

    ## References
    PostgreSQL documentation, "Multicolumn Indexes"; PgHero's duplicate index check.
    """
    for store, table in design_tables(arch):
        keys = [("the primary key", table.primary_key)] if table.primary_key else []
        keys += [(f"unique constraint {u.name}", u.columns) for u in table.uniques]
        for narrow in table.indexes:
            wide = next((w.name for w in table.indexes if _covers(w, narrow)), None) or _covering_key(keys, narrow)
            if wide is not None:
                fix = f"DROP INDEX {concurrently(store)}{qualified(store, narrow.name)};"
                yield self.finding(where(store, table), f"index {narrow.name} is covered by {wide}", location(narrow.source), fix=fix)


def _covering_key(keys: list[tuple[str, list[str]]], narrow: Index) -> str | None:
    """The primary key or unique constraint whose index leads with ``narrow``'s columns: a plain B-tree index on a prefix of a key
    serves no query the key's own index does not. A unique index is left alone (it may be the key's own, attached USING INDEX)."""
    if narrow.unique or narrow.method != "btree" or narrow.where or narrow.include or any(c.expression or c.opclass or c.collation for c in narrow.columns):
        return None
    columns = [c.name for c in narrow.columns]
    return next((name for name, key in keys if columns and key[: len(columns)] == columns), None)
