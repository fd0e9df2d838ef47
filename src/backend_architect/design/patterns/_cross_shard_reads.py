"""Which reads reach a sharded table across its shards, each said with the rate the database takes: the data section's list.

The list is read from the one load ledger (``design/loads.py``), after the mechanisms have said
which store serves each path, so it holds what reaches the table and nothing else: a read a
precomputed list or a search index answers (``Mechanism.database_share`` 0) never reaches a
shard, whatever columns its request filters by. What does reach is one of three kinds:

- by the shard key (a get, a page of one author's rows, a feed's hydration by id carrying its
  author): one shard, spread over them with the keyed reads, not listed;
- by another column (a scan of every row, a worker paging followers by author on a graph
  sharded by follower): every shard asked, so it counts at its full rate on each (listed);
- by several values of the shard key at once (a feed's read-time merge of the authors past the
  cut-off): one shard per value, so it spreads with the keyed reads, yet touches many shards
  in one request (listed, saying so).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.patterns._common import fmt
from backend_architect.ir.model import Sharding
from backend_architect.ir.runtime import StoreLoad


@dataclass(frozen=True)
class CrossShardRead:
    """One read reaching a sharded table on more than one shard: how the data section says it, and whether it asks every shard."""

    text: str
    every_shard: bool


def cross_shard_read(key: str, rate: float, load: StoreLoad | None, use_case: str | None, sharding: Sharding) -> CrossShardRead | None:
    """How the ledger's read ``key`` (``rate``/s reaching the table at peak) crosses the shards of ``sharding``; None: one shard.

    ``load`` is the mechanism's own read when the key is one (its ``by`` column and ``keys_per_read``);
    ``use_case`` names a use case's own request, cross-shard when the partitioning stage found it
    selects rows by no shard key (``Sharding.cross_shard``, filled before any mechanism served it).

    >>> s = Sharding(key="author_id", reason="r", cross_shard=["list all"])
    >>> cross_shard_read("peak_list-all", 120.0, None, "list all", s).text
    'list all (120/s at peak reaching the database, each asking every shard)'
    >>> cross_shard_read("peak_by-author", 120.0, None, "by author", s) is None
    True
    """
    if load is not None and load.by and load.by != sharding.key:
        # a mechanism selecting by another column (a fan-out worker paging followers by followee) asks every shard,
        # named with its rate: a hot path's scatter-gather is a sized exception, never hidden under "off hot paths"
        said = f"{load.quantity.removesuffix(' at peak')} (by {load.by}: {fmt(rate)}/s at peak, each asking every shard)"
        return CrossShardRead(said, every_shard=True)
    if load is not None and load.by == sharding.key and load.keys_per_read > 1:
        said = (
            f"{load.quantity.removesuffix(' at peak')} (by {load.by}, {fmt(load.keys_per_read)} values a request: {fmt(rate)}/s at peak, "
            "each on the shard its value hashes to, counted with the keyed reads)"
        )
        return CrossShardRead(said, every_shard=False)
    if load is None and use_case is not None and use_case in sharding.cross_shard:
        reaching = f"{fmt(rate)}/s at peak reaching the database" if rate else "no rate stated"
        return CrossShardRead(f"{use_case} ({reaching}, each asking every shard)", every_shard=True)
    return None


__all__ = ["CrossShardRead", "cross_shard_read"]
