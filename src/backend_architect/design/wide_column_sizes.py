"""The sizes of a table a wide-column store holds: its CQL rows, one copy, in every figure.

A table the wide-column store (PAT055) takes keeps a PostgreSQL table only as the scaffold's
stand-in. Sized by that stand-in (a tuple header, B-tree entries, a page fill) it read 747 B a
message in the bytes a day beside 512 B in the store's own figure (a chat's messages, 89.6 GB
a day on disk beside 61.4 GB a copy in ScyllaDB). Every size of such a table (its bytes after N
years, its bytes a day, and the totals summing them) reads the store's row here, one copy of its
replication factor; ``wide_column.bytes`` multiplies that by the copies, and the PostgreSQL size
the decision weighed is ``wide_column.postgres_bytes``, labelled as that comparison alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend_architect.ir.model import Table

#: The formula of a held table's size, over its rows (after N years, or a day's).
HELD_FORMULA = "rows x row_bytes"


def held_row_bytes(table: Table) -> float | None:
    """Bytes one row of ``table`` takes in the wide-column store holding it (one copy), None when PostgreSQL holds it.

    None too for a layout recorded before the store sized its rows: a size of zero bytes would be a third number.
    """
    layout = table.wide_column
    return layout.row_bytes if layout is not None and layout.row_bytes > 0 else None


def held_where(table: Table) -> str:
    """The words every size of a held table carries: which store, and that it is one copy of how many ('' for PostgreSQL's)."""
    layout = table.wide_column
    if held_row_bytes(table) is None or layout is None:
        return ""
    return f" in {layout.technology} (CQL rows, one of its {layout.replication_factor} copies)"


def held_said(tables: Iterable[Table]) -> str:
    """The tables among ``tables`` a wide-column store holds, each with where: a total summing their sizes says it counts them so.

    Empty when none is held, so a design without a wide-column store states its totals as before.
    """
    held = [f"{t.name}{held_where(t)}" for t in tables if held_row_bytes(t) is not None]
    return f"; {', '.join(held)}" if held else ""
