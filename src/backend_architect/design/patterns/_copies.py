"""How many copies each stateful part keeps: one decision, read by every record that states it.

The technology record of the cache, the search engine's sizing, the redundancy record
(PAT050), the availability plan's copies and the topology all call :func:`copies_of`, so no
two of them can say different replication for the same store. It depends only on what the
stages before the technology stage decided (the availability level from the target and the
sharded data, the read models a part holds), so a stage may state it before the
availability stage runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns._common import fmt
from backend_architect.design.patterns._memory_only import memory_only
from backend_architect.design.patterns._storms import cold_cache_storm
from backend_architect.design.patterns.availability import planned_level, target_of
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec

#: At or above this target every stateful part keeps three copies, like the database.
THREE_COPIES_TARGET = 0.9999


def copies_of(spec: Spec, analysis: Analysis, arch: Architecture, kind: str, use_cases: Iterable[str]) -> tuple[int, str]:
    """Copies of each shard of a stateful part of ``kind`` serving ``use_cases``, and why that many.

    A broker keeps three (replication factor 3); a single-zone plan keeps one (rebuilt from the
    database); three when the target is 99.99% or more, or when the part holds read models whose
    rebuild would send the database more reads than its nodes serve (``db.read_capacity``, the storm); else two.
    """
    level = planned_level(spec, arch)
    target = target_of(spec)[0]
    served = set(use_cases)
    # a read model the database cannot answer (values kept only in memory) is not rebuilt from it: it fails with the store
    unanswerable = memory_only(arch)
    models = [c.use_case for c in arch.caches if c.strategy == "read-model" and c.use_case in served and c.use_case not in unanswerable]
    known = {f.key: f.value for f in arch.figures}
    # a read model's reads, and the item rows its pages read through its item cache (lost with it)
    peaks = {u.name: u.peak_qps + known.get(f"cache.items.db_reads_removed.{u.id}", 0.0) for u in analysis.use_cases}
    rebuild = sum(peaks.get(n, 0.0) for n in models)
    if kind == "broker":
        return 3, "replication factor 3, two in sync: a broker loses no acknowledged message to one node"
    if kind == "wide-column":
        # the system of record for its tables, not a copy rebuilt from the database: the wide-column decision's factor (PAT055)
        return 3, "replication factor 3 with quorum reads and writes: one node lost answers every request"
    storm = cold_cache_storm(analysis, arch, served) if kind in {"cache", "key-value"} else None
    if level.zones == 1:
        if storm is not None and storm.past:
            return 2, f"single-zone plan, but {storm.said()}: a replica on another node takes over"
        return 1, "single-zone plan: the data is rebuilt from the database after a loss" + (f" ({storm.said()})" if storm is not None else "")
    # what the database serves is the capacity its sizing states (the storm's), not one node's ceiling
    if storm is not None and storm.past and rebuild > 0:
        return 3, f"its read models ({', '.join(models)}) are rebuilt from the database while lost: {storm.said()}"
    if storm is not None and storm.past and target < THREE_COPIES_TARGET - 1e-9:
        return 2, f"{level.zones} zones: a replica in another zone takes over; {storm.said()}"
    if target >= THREE_COPIES_TARGET - 1e-9:
        return 3, f"the {target:.2%} target"
    return 2, f"{level.zones} zones: a replica in another zone takes over"


def copies_said(copies: int, zones: int = 3) -> str:
    """Copies per shard as every record says them (replicas on other nodes of the one zone in a single-zone plan).

    >>> copies_said(1), copies_said(3)
    ('one copy per shard (no replica)', '3 copies per shard (1 primary + 2 replica(s) in other zones, automatic failover)')
    >>> copies_said(2, zones=1)
    '2 copies per shard (1 primary + 1 replica(s) on other nodes, automatic failover)'
    """
    if copies == 1:
        return "one copy per shard (no replica)"
    where = "on other nodes" if zones == 1 else "in other zones"
    return f"{copies} copies per shard (1 primary + {copies - 1} replica(s) {where}, automatic failover)"


#: Searches/s one search node answers for simple term queries.
SEARCH_NODE_QPS = 500.0
#: Shard copies one search node holds (30 GB shards: about 300 GB of index a node).
SHARD_COPIES_PER_NODE = 10
#: Nodes a search cluster runs at least: three cluster-manager-eligible nodes keep a quorum through one node's loss.
SEARCH_QUORUM_NODES = 3


class SearchLayout(NamedTuple):
    """How a search cluster lays its index out: copies of each shard, the nodes holding them, and why that many."""

    copies: int
    nodes: int
    why: str


def search_layout(spec: Spec, analysis: Analysis, arch: Architecture, use_cases: Sequence[str], shards: int, qps: float) -> SearchLayout:
    """The copies and nodes of a search cluster whose shards x copies fill its nodes: every node holds a shard copy.

    A search index serving live reads keeps a replica whatever the plan: the database keeps no
    full-text index, so losing the only copy stops the searches until every row is reindexed.
    The nodes are the most of a cluster-manager quorum (3), the searches' rate over one node's
    and the shard copies over what one node holds; where the shards are fewer than those nodes,
    more copies fill them (a replica also answers searches).

    >>> _layout(1, 1, "single zone", ["search"], 596.0)[:2], _layout(40, 2, "two zones", ["search"], 596.0)[:2]
    ((3, 3), (2, 8))
    """
    copies, why = copies_of(spec, analysis, arch, "search-engine", use_cases)
    return _layout(shards, copies, why, use_cases, qps)


def _layout(shards: int, copies: int, why: str, use_cases: Sequence[str], qps: float) -> SearchLayout:
    reasons = [why]
    if copies < 2:
        copies = 2
        reasons = [
            f"a search index serving live reads keeps a replica: the database keeps no full-text index, so losing the only copy would stop "
            f"{', '.join(use_cases)} until every row is reindexed"
        ]
    needed = max(SEARCH_QUORUM_NODES, math.ceil(qps / SEARCH_NODE_QPS))
    if shards * copies < needed:
        copies = math.ceil(needed / shards)
        reasons.append(
            f"{copies} copies of {shards} shard(s) so each of the {needed} nodes (a quorum of {SEARCH_QUORUM_NODES}, {fmt(qps)} searches/s at "
            f"{fmt(SEARCH_NODE_QPS)} a node) holds one and answers searches"
        )
    nodes = max(needed, math.ceil(shards * copies / SHARD_COPIES_PER_NODE))
    return SearchLayout(copies, nodes, "; ".join(reasons))
