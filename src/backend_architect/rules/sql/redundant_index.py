from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Index
from backend_architect.ir.query import all_tables
from backend_architect.rules.model import Finding, Rule, Severity, rule


def _shape(index: Index) -> tuple[object, ...]:
    """What besides the key columns must match for one index to stand in for another."""
    return (index.method, index.where, index.expression)


def _covers(wide: Index, narrow: Index) -> bool:
    """``wide`` answers every query ``narrow`` answers: same kind, and ``narrow``'s key leads ``wide``'s."""
    if wide is narrow or narrow.unique or _shape(wide) != _shape(narrow) or wide.method != "btree":
        return False
    short, long = narrow.columns, wide.columns
    if len(short) > len(long):
        return False
    same_direction = all(a.name == b.name and a.descending == b.descending for a, b in zip(short, long, strict=False))
    reversed_direction = all(a.name == b.name and a.descending != b.descending for a, b in zip(short, long, strict=False))
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
    Finds B-tree indexes whose key columns are a leading prefix of another index on the
    same table with the same method and predicate (or an exact duplicate of one).

    ## Why is this bad?
    Every index is written on every insert and on updates of its columns, takes disk and
    cache, and slows vacuum; a redundant one pays all of that and serves no query the other
    does not. On a write-heavy table each extra index can cost 10-20% of insert throughput.

    ## Example
    CREATE INDEX ix_orders_customer ON orders (customer_id);
    CREATE INDEX ix_orders_customer_created ON orders (customer_id, created_at);

    Use instead:
    CREATE INDEX ix_orders_customer_created ON orders (customer_id, created_at);

    ## References
    PostgreSQL documentation, "Multicolumn Indexes"; PgHero's duplicate index check.
    """
    for store, table in all_tables(arch):
        for narrow in table.indexes:
            wide = next((w for w in table.indexes if _covers(w, narrow)), None)
            if wide is not None:
                yield self.finding(f"{store.name}.{table.name}", f"index {narrow.name} is covered by {wide.name}")
