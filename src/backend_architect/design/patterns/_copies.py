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


class CopiesRule(NamedTuple):
    """One clause of the copies rule: the copies it sets and the condition, as the redundancy record states it."""

    copies: int
    clause: str


#: The copies rule, clause by clause, in the order :func:`copies_for` tries them. The redundancy record's "why" is the
#: clauses its parts applied, read from this table, so the rule it states is the rule it applied (whatsapp, run 21: "three
#: where losing it would overload the database" beside a cache whose loss overloads users-db, kept in two copies).
BROKER_RULE = CopiesRule(3, "three for a broker's partitions (replication factor 3, two in sync)")
WIDE_COLUMN_RULE = CopiesRule(3, "three for a wide-column store, the system of record for its tables (replication factor 3, quorum)")
SINGLE_ZONE_STORM_RULE = CopiesRule(2, "two in a single-zone plan where losing the part would send a database more reads than its nodes serve")
SINGLE_ZONE_RULE = CopiesRule(1, "one in a single-zone plan, where losing the part sends the database no more than its nodes serve")
READ_MODEL_RULE = CopiesRule(
    3,
    "three where the part holds read models whose rebuild would send a database more reads than its nodes serve (a read model "
    "stays empty until rebuilt, where a cache refills from its own misses)",
)
TARGET_RULE = CopiesRule(3, f"three where the target is {THREE_COPIES_TARGET:.2%} or more")
ZONES_RULE = CopiesRule(
    2,
    "two across the plan's zones: a replica in another zone takes over a lost node's shard, so one node's loss "
    "sends the database nothing, even where losing the whole part would overload it",
)
#: A search index's layout raises its copies past the clause above: a replica for live reads, then copies filling its nodes.
SEARCH_REPLICA_RULE = CopiesRule(2, "at least two for a search index serving live reads (the database keeps no full-text index to fall back on)")
SEARCH_QUORUM_RULE = CopiesRule(0, "for a search index, as many as put a shard copy on each node its quorum and its searches need")
COPIES_RULES = (
    BROKER_RULE,
    WIDE_COLUMN_RULE,
    SINGLE_ZONE_STORM_RULE,
    SINGLE_ZONE_RULE,
    READ_MODEL_RULE,
    TARGET_RULE,
    ZONES_RULE,
    SEARCH_REPLICA_RULE,
    SEARCH_QUORUM_RULE,
)


class Copies(NamedTuple):
    """The copies of each shard of a part, why that many (this part's numbers), and the rule's clause that set them."""

    copies: int
    why: str
    rule: CopiesRule


def copies_of(spec: Spec, analysis: Analysis, arch: Architecture, kind: str, use_cases: Iterable[str]) -> tuple[int, str]:
    """Copies of each shard of a stateful part of ``kind`` serving ``use_cases``, and why that many (``copies_for``)."""
    found = copies_for(spec, analysis, arch, kind, use_cases)
    return found.copies, found.why


def copies_for(spec: Spec, analysis: Analysis, arch: Architecture, kind: str, use_cases: Iterable[str]) -> Copies:
    """The first clause of ``COPIES_RULES`` that holds for a part of ``kind`` serving ``use_cases``, with this part's numbers.

    A broker and a wide-column store keep three; a single-zone plan keeps one (rebuilt from the database), two when the
    part's loss would send the database more reads than its nodes serve (``db.read_capacity``, the storm); three when the
    part holds read models whose rebuild would (a read model is empty until rebuilt), or the target is 99.99% or more;
    else two, a replica in another zone taking over a lost node's shard.
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
        return Copies(3, "replication factor 3, two in sync: a broker loses no acknowledged message to one node", BROKER_RULE)
    if kind == "wide-column":
        # the system of record for its tables, not a copy rebuilt from the database: the wide-column decision's factor (PAT055)
        return Copies(3, "replication factor 3 with quorum reads and writes: one node lost answers every request", WIDE_COLUMN_RULE)
    storm = cold_cache_storm(analysis, arch, served) if kind in {"cache", "key-value"} else None
    if level.zones == 1:
        if storm is not None and storm.past:
            return Copies(2, f"single-zone plan, but {storm.said()}: a replica on another node takes over", SINGLE_ZONE_STORM_RULE)
        said = f" ({storm.said()})" if storm is not None else ""
        return Copies(1, "single-zone plan: the data is rebuilt from the database after a loss" + said, SINGLE_ZONE_RULE)
    # what the database serves is the capacity its sizing states (the storm's), not one node's ceiling
    if storm is not None and storm.past and rebuild > 0:
        return Copies(3, f"its read models ({', '.join(models)}) are rebuilt from the database while lost: {storm.said()}", READ_MODEL_RULE)
    if target >= THREE_COPIES_TARGET - 1e-9:
        return Copies(3, f"the {target:.2%} target", TARGET_RULE)
    if storm is not None and storm.past:
        return Copies(
            2,
            f"{level.zones} zones: a replica in another zone takes over a lost node's shard (only losing every copy reaches the database: {storm.said()})",
            ZONES_RULE,
        )
    return Copies(2, f"{level.zones} zones: a replica in another zone takes over", ZONES_RULE)


def rule_said(rules: Iterable[CopiesRule]) -> str:
    """The copies rule as a record states it: the clauses its parts applied, in the rule's order, once each.

    >>> said = rule_said([ZONES_RULE, BROKER_RULE, ZONES_RULE])
    >>> said.count("two across"), said.index("three for a broker") < said.index("two across")
    (1, True)
    """
    applied = set(rules)
    return "each part's copies follow the rule's clause that holds for it: " + "; ".join(r.clause for r in COPIES_RULES if r in applied)


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
    #: The clauses of the copies rule that set ``copies``: the part's own, then the layout's where it raised them.
    rules: tuple[CopiesRule, ...] = ()


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
    found = copies_for(spec, analysis, arch, "search-engine", use_cases)
    return _layout(shards, found.copies, found.why, use_cases, qps, found.rule)


def _layout(shards: int, copies: int, why: str, use_cases: Sequence[str], qps: float, rule: CopiesRule = ZONES_RULE) -> SearchLayout:
    reasons = [why]
    rules = [rule]
    if copies < 2:
        copies = 2
        rules = [SEARCH_REPLICA_RULE]
        reasons = [
            f"a search index serving live reads keeps a replica: the database keeps no full-text index, so losing the only copy would stop "
            f"{', '.join(use_cases)} until every row is reindexed"
        ]
    needed = max(SEARCH_QUORUM_NODES, math.ceil(qps / SEARCH_NODE_QPS))
    if shards * copies < needed:
        copies = math.ceil(needed / shards)
        rules.append(SEARCH_QUORUM_RULE)
        reasons.append(
            f"{copies} copies of {shards} shard(s) so each of the {needed} nodes (a quorum of {SEARCH_QUORUM_NODES}, {fmt(qps)} searches/s at "
            f"{fmt(SEARCH_NODE_QPS)} a node) holds one and answers searches"
        )
    nodes = max(needed, math.ceil(shards * copies / SHARD_COPIES_PER_NODE))
    return SearchLayout(copies, nodes, "; ".join(reasons), tuple(rules))
