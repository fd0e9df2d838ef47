"""Which shard map a sharded table's rows follow, and which writes put rows on different shards in one request.

A table's rows share shards with the table whose key their shard key holds (a part with its
parent): those rows are written in one local transaction. A use case writing rows of two tables
that land apart (different shard maps, or one sharded and one on the unsharded primary) has no
such transaction: the partitioning stage records it on the table (``Sharding.co_writes``), the
cross-shard write pattern states what replaces the transaction, and the critic warns where
nothing does.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Architecture, CoWrite, Table
from backend_architect.ir.query import database_of
from backend_architect.spec.naming import snake


def shard_map(name: str, sharded: dict[str, Table]) -> str:
    """The table whose shards ``name``'s rows follow: up its shard-key references, within one database's sharded tables.

    A row follows a parent whose own shard key is the value of its shard key: by a foreign key on the
    shard key to the parent's shard key, or, when the parent's foreign keys were dropped (a partitioned parent keeps none),
    by the shard key named for the parent (``chat_id`` for ``chats`` sharded by ``id``).
    """
    seen = {name}
    while True:
        table = sharded[name]
        key = table.sharding.key if table.sharding else ""
        # the parent's shards hold a row by the parent's own shard key: a reference to a parent sharded by another column
        # (videos by uploader_id, a tag by video_id) hashes elsewhere, so that child keeps a shard map of its own
        parent = next(
            (
                fk.ref_table
                for fk in table.foreign_keys
                if fk.columns == [key] and fk.ref_table in sharded and _sharded_by(sharded[fk.ref_table]) in fk.ref_columns
            ),
            None,
        )
        if parent is None:
            parent = next(
                (
                    other.name
                    for other in sharded.values()
                    if other.name != name and other.sharding is not None and other.sharding.key == "id" and other.entity
                    and key == f"{snake(other.entity)}_id"
                ),
                None,
            )  # fmt: skip
        if parent is None or parent in seen:
            return name
        seen.add(parent)
        name = parent


def placements(arch: Architecture) -> dict[str, tuple[str, str]]:
    """Where each table's rows live: (database, the head of its shard map), or (database, '') on the unsharded primary."""
    found: dict[str, tuple[str, str]] = {}
    for store in arch.datastores:
        db = database_of(arch, store)
        sharded = {t.name: t for t in store.tables if t.sharding is not None}
        for table in store.tables:
            found[table.name] = (db, shard_map(table.name, sharded) if table.name in sharded else "")
    return found


def _sharded_by(table: Table) -> str:
    return table.sharding.key if table.sharding else ""


def co_writes(analysis: Analysis, arch: Architecture, where: dict[str, tuple[str, str]] | None = None) -> dict[str, list[CoWrite]]:
    """Per sharded table: the use cases writing its rows with rows that live elsewhere in the same database.

    Rows in different databases are another service's (a saga, TOP001); rows on one shard map
    share a transaction. The record goes on the use case's own table when it is sharded, else on
    the first sharded table it writes. ``where``: the layout compared, by default once sharded (``placements``); today's
    (``cross_server_keys.placements_today``) also parts a table still on the unsharded primary from its map's tables on shards.
    """
    where = placements(arch) if where is None else where
    tables = {t.entity: t for s in arch.datastores for t in s.tables if t.entity}
    joins = {t.name: t for s in arch.datastores for t in s.tables if t.entity is None}
    found: dict[str, list[CoWrite]] = {}
    for use_case in analysis.use_cases:
        if not use_case.is_write or use_case.is_job:
            continue
        written = [tables[e] for e in dict.fromkeys([use_case.entity, *use_case.writes]) if e in tables]
        # the join rows of the links a create sets go with it, and the rows of names it does not know yet (design/link_writes.py)
        written += [joins[name] for name, _ in use_case.link_rows if name in joins]
        written += [tables[e] for e in use_case.link_names if e in tables and tables[e] not in written]
        if len(written) < 2 or not any(t.sharding for t in written):
            continue
        home = written[0] if written[0].sharding else next(t for t in written if t.sharding)
        db, group = where[home.name]
        apart = [t.name for t in written if t.name != home.name and where[t.name][0] == db and where[t.name][1] != group]
        if apart:
            found.setdefault(home.name, []).append(CoWrite(use_case=use_case.name, tables=apart, consistency=use_case.spec.consistency))
    return found


__all__ = ["co_writes", "placements", "shard_map"]
