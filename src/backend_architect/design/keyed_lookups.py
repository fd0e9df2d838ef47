"""Which gets of a sharded table reach one shard through its uniqueness table rather than asking every shard.

A table sharded by its owner and addressed by a public key (``GET /videos/{code}``) cannot hash the
code to a shard. When a uniqueness table holds that key across the shards (``unique_keys.py``), each
of its rows carries the shard key of the row it guards: the get reads the one keys row (on the
code's shard) and then the one row (on its owner's shard), two single-shard reads. Listing that get
as a scatter-gather too would tell the same request two ways, and size every shard for a read that
reaches one.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase
from backend_architect.ir.model import Table
from backend_architect.spec.model import Spec

#: The columns a public key is stored in, by the entity's ``key`` (as the API addresses an item by them).
PUBLIC_KEY_COLUMNS = {"short_code": ("short_code", "code"), "slug": ("slug",)}


def address_column(spec: Spec, table: Table) -> str:
    """The column a get of one row of ``table`` names it by: its public short code or slug when it has one, else its id."""
    entity = spec.entities.get(table.entity or "")
    names = {c.name for c in table.columns}
    key = entity.key if entity is not None else None
    return next((c for c in PUBLIC_KEY_COLUMNS.get(key or "", ()) if c in names), "id")


def through_lookups(spec: Spec, table: Table, use_cases: list[UseCase]) -> set[str]:
    """The gets of ``table``'s entity by its address that a uniqueness table on that column routes to one shard (names).

    Only a get naming its row by the address alone: one with written filters selects by them instead.
    """
    if table.sharding is None or table.sharding.key == "id":
        return set()
    column = address_column(spec, table)
    if not any(g.columns == [column] for g in table.sharding.uniques):
        return set()
    return {u.name for u in use_cases if u.kind == "get" and u.entity == table.entity and not u.filters}


__all__ = ["PUBLIC_KEY_COLUMNS", "address_column", "through_lookups"]
