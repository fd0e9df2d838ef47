"""A read over several values of one column, worded by where those values live: one query only where they share a shard.

A feed's read-time merge reads the newest items of several authors at once. On one database that is one query naming
them all; on a table sharded by that column each value lives on its own shard, so the read is one query per shard, sent
in parallel, and the latency budget times the slowest of them. The sentence describing the read and the step timing it
read this module, so no record says "one query" beside a latency counting a read per shard (twitter_timelines, run 21).
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture, Table


def sharded_by(arch: Architecture, entity: str, column: str) -> Table | None:
    """``entity``'s table when it is sharded by ``column`` (its values spread over shards), else None."""
    return next(
        (t for s in arch.datastores for t in s.tables if t.entity == entity and t.sharding is not None and t.sharding.key == column),
        None,
    )


def shards_reached(arch: Architecture, entity: str, column: str, values: float) -> float:
    """Shards a read of ``values`` values of ``column`` reaches: one per value, up to the table's shards, where the table is
    sharded by that column (``db.shards.<table>``; the values themselves while the count is not yet sized); else 1."""
    table = sharded_by(arch, entity, column)
    if table is None or values <= 1:
        return 1.0
    shards = next((f.value for f in arch.figures if f.key == f"db.shards.{table.name}"), values)
    return max(1.0, min(values, shards))


def keys_read_said(arch: Architecture, entity: str, column: str, values: float) -> str:
    """How a read of ``values`` values of ``column`` is sent, as every record words it (``shards_reached``).

    >>> from backend_architect.ir.model import Sharding
    >>> t = Table(name="posts", entity="Post", columns=[], primary_key=["id"], sharding=Sharding(key="author_id", reason="r"))
    >>> from backend_architect.ir.model import Datastore
    >>> arch = Architecture(system="s", datastores=[Datastore(name="db", engine="postgresql", service="p", tables=[t])])
    >>> keys_read_said(arch, "Post", "author_id", 5), keys_read_said(arch, "Post", "id", 5)
    ('in one query per shard (posts is sharded by author_id: 5 shards in parallel)', 'in one query')
    """
    table = sharded_by(arch, entity, column)
    shards = shards_reached(arch, entity, column, values)
    if table is None or shards <= 1:
        return "in one query"
    return f"in one query per shard ({table.name} is sharded by {column}: {shards:g} shards in parallel)"
