"""Which reads reach a sharded table across its shards, each said with the rate the database takes: the data section's list.

The list is read from the one load ledger (``design/loads.py``), after the mechanisms have said
which store serves each path, so it holds what reaches the table and nothing else: a read a
precomputed list or a search index answers (``Mechanism.database_share`` 0) never reaches a
shard, whatever columns its request filters by. What does reach is one of three kinds:

- by the shard key (a get, a page of one author's rows, a feed's hydration by id carrying its
  author): one shard, spread over them with the keyed reads, not listed;
- by another column (a scan of every row, a worker paging followers by author on a graph
  sharded by follower): every shard asked, so it counts at its full rate on each (listed);
- by one row's address (its id, a public code) on a table sharded by another column (a view read
  back by id, views sharded by user_id): every shard asked (listed), unless the request also
  carries the shard key (a parent id in its path, the caller's id on an owner-only request) or a
  uniqueness table holds the address with its shard key, or the address is an id carrying its logical
  shard (``design/shard_ids.py``): one shard (listed as routed, counted with the keyed reads)
  (``design/row_address.py``);
- by several values of the shard key at once (a feed's read-time merge of the authors past the
  cut-off): one shard per value, so it spreads with the keyed reads, yet touches many shards
  in one request (listed, saying so).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.patterns._common import fmt
from backend_architect.design.row_address import ROW_ID
from backend_architect.ir.model import Sharding
from backend_architect.ir.runtime import StoreLoad


@dataclass(frozen=True)
class CrossShardRead:
    """One read reaching a sharded table by another column than its key: how the data section says it, whether it asks every
    shard, and whether something routes it to one shard all the same (``routed``: listed apart from the cross-shard reads)."""

    text: str
    every_shard: bool
    routed: bool = False
    #: Routed by the logical shard its id carries (``design/shard_ids.py``): a read that would ask every shard without it.
    by_id_shard: bool = False


def cross_shard_read(
    key: str,
    rate: float,
    load: StoreLoad | None,
    use_case: str | None,
    sharding: Sharding,
    id_shard: bool = False,
) -> CrossShardRead | None:
    """How the ledger's read ``key`` (``rate``/s reaching the table at peak) crosses the shards of ``sharding``; None: one shard.

    ``load`` is the mechanism's own read when the key is one (its ``by`` column and ``keys_per_read``);
    ``use_case`` names a use case's own request, cross-shard when the partitioning stage found it
    selects rows by no shard key (``Sharding.cross_shard``, filled before any mechanism served it). ``id_shard``: the
    table's ids carry their logical shard (``design/shard_ids.py``), so a read by its id alone (``load.by`` id) reaches one shard.

    >>> s = Sharding(key="author_id", reason="r", cross_shard=["list all"])
    >>> cross_shard_read("peak_list-all", 120.0, None, "list all", s).text
    'list all (120/s at peak reaching the database, each asking every shard)'
    >>> cross_shard_read("peak_by-author", 120.0, None, "by author", s) is None
    True
    >>> by_id = StoreLoad(entity="View", key="readback_getView", quantity="reads/s of GET /views/{view_id}", formula="f", by="id")
    >>> cross_shard_read("readback_getView", 50.0, by_id, None, s).every_shard
    True
    >>> cross_shard_read("readback_getView", 50.0, by_id.model_copy(update={"carries": ["author_id"]}), None, s).routed
    True
    >>> cross_shard_read("readback_getView", 50.0, by_id, None, s, id_shard=True).text
    'reads/s of GET /views/{view_id} (by id, routed by the logical shard the id carries: 50/s at peak, one shard)'
    """
    if load is not None and load.by and load.by != sharding.key and sharding.key in load.carries:
        # the request names the shard key beside the row's address (a parent id in its path, the caller's id on an owner-only request)
        what = load.quantity.removesuffix(" at peak").rstrip(",")
        said = f"{what} (by {load.by}, routed by the {sharding.key} the request carries: {fmt(rate)}/s at peak, one shard)"
        return CrossShardRead(said, every_shard=False, routed=True)
    if load is not None and id_shard and load.by == ROW_ID and sharding.key != ROW_ID:
        # the id holds hash(shard key) mod 4,096 in its rand_a bits: the shard map names the shard the row was written to
        what = load.quantity.removesuffix(" at peak").rstrip(",")
        said = f"{what} (by id, routed by the logical shard the id carries: {fmt(rate)}/s at peak, one shard)"
        return CrossShardRead(said, every_shard=False, routed=True, by_id_shard=True)
    lookup = next((g.table for g in sharding.uniques if load is not None and load.by and g.columns == [load.by]), None)
    if load is not None and load.by != sharding.key and lookup is not None:
        # the uniqueness table holds the address across the shards with the shard key of its row (``keyed_lookups.py``)
        said = f"{load.quantity.removesuffix(' at peak')} (by {load.by}, routed through {lookup}: {fmt(rate)}/s at peak, one shard of each)"
        return CrossShardRead(said, every_shard=False, routed=True)
    if load is not None and load.by and load.by != sharding.key:
        # a mechanism selecting by another column (a fan-out worker paging followers by followee) asks every shard,
        # named with its rate: a hot path's scatter-gather is a sized exception, never hidden under "off hot paths"
        said = f"{load.quantity.removesuffix(' at peak').rstrip(',')} (by {load.by}: {fmt(rate)}/s at peak, each asking every shard)"
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
