"""PAT050: the cache and the other stateful parts get the copies the availability level and their rebuild cost call for."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._common import decision, figures
from backend_architect.design.patterns._copies import CopiesRule, copies_for, copies_said, rule_said, search_layout
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec

STATEFUL = ("cache", "key-value", "search-engine", "broker", "wide-column")


@pattern(code="PAT050", name="stateful-redundancy", stage="availability", title="Copies of the cache and other stateful parts")
def stateful_redundancy(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    The design runs a cache or in-memory store, a search engine, a broker or a wide-column store.

    ## What it adds
    Per part, the copies of the first clause of the copies rule (``_copies.COPIES_RULES``) that
    holds, across zones with automatic failover: three for a broker's partitions and a
    wide-column store; in a single-zone plan one, or two when the cache's loss would push a
    database past the reads its nodes serve (the reads the cache removes on top of those
    reaching it, against ``db.read_capacity``: a cold-cache storm); three when the part holds a
    read model whose rebuild would (a read model stays empty until rebuilt, where a cache
    refills from its misses), or the target is 99.99% or more; else two, a replica in another
    zone taking over a lost node's shard. A search index keeps at least two and enough to put
    a shard copy on each node. The record's "why" states the clauses its parts applied.

    ## What it costs
    Nodes = shards x copies; replicas take writes asynchronously (a failover can lose the last
    milliseconds of cache writes, which a cache tolerates).

    ## Alternatives
    No replica (a node loss empties its shard: misses or rebuilds land on the database); more
    copies than the level needs.

    ## References
    Redis documentation, "High availability with Redis Sentinel" and "Scale with Redis Cluster"; Kafka documentation, "Replication".
    """
    plan = arch.availability
    parts = [c for c in arch.components if c.kind in STATEFUL]
    if plan is None or not parts:
        yield Skipped("system", "no cache, search engine, broker or wide-column store to replicate")
        return
    known = figures(arch)
    texts, updated, redundancy = [], [], dict(plan.redundancy)
    applied: list[CopiesRule] = []
    for part in parts:
        copies, why, rule = copies_for(spec, analysis, arch, part.kind, part.use_cases)
        rules: tuple[CopiesRule, ...] = (rule,)
        shards, nodes = _shards_and_nodes(part, copies, known)
        if part.kind == "search-engine":
            # the search pattern's layout (one decision): a replica for live reads, copies filling the quorum's nodes
            peaks = {u.name: u.peak_qps for u in analysis.use_cases}
            layout = search_layout(spec, analysis, arch, part.use_cases, shards, sum(peaks.get(n, 0.0) for n in part.use_cases))
            copies, why, nodes, rules = layout.copies, layout.why, max(nodes, layout.nodes), layout.rules
        text = f"{part.technology} ({part.kind}): {shards} shard(s), {copies_said(copies, plan.zones)}: {why}"
        redundancy[part.name] = f"{shards} shard(s) x {copies} copies"
        if part.kind == "wide-column":
            # leaderless: every node is a replica of its neighbours' ranges; no primary fails over
            text = f"{part.technology} ({part.kind}): {nodes} nodes, replication factor {copies} (leaderless, no failover): {why}"
            redundancy[part.name] = f"{nodes} nodes, replication factor {copies}"
        texts.append(text)
        applied.extend(rules)
        updated.append(Component(name=part.name, kind=part.kind, technology=part.technology, purpose="", instances=nodes))
    caches = [p for p in parts if p.kind in {"cache", "key-value"}]
    title = "Redundancy of the cache and other stateful parts" if caches else "Redundancy of the stateful parts"
    made = decision(
        "availability.stateful",
        title,
        "availability",
        "; ".join(texts),
        f"{plan.topology} plan across {plan.zones} zone(s), target {plan.target or 0:.3%}",
        # the clauses the parts applied, from the one rule table: the record never states a rule its decision breaks
        rule_said(applied),
        alternatives=[
            ("no replicas", "a node loss empties its shard onto the database"),
            ("three copies everywhere", "a third copy on every shard, where one replica already takes over a lost node"),
        ],
        subject="system",
        inputs={"zones": float(plan.zones), "target": plan.target or 0.0},
        spec=spec,
    )
    yield Applied(made, components=tuple(updated), availability=plan.model_copy(update={"redundancy": redundancy}))


def _shards_and_nodes(part: Component, copies: int, known: dict[str, float]) -> tuple[int, int]:
    """Shards and nodes for ``copies`` of ``part``.

    A cache's pattern sizes its primaries (nodes = shards): the copies multiply them. A search
    engine's and a broker's patterns already count their replicas in their nodes (many shards
    and their replicas spread over the cluster; partitions replicated across the brokers): the
    copies only set a floor on the nodes, one per copy, so no two copies share a node.
    """
    if part.kind == "search-engine":
        shards = int(known.get("search.shards", 0)) or (part.instances or 1)
        return shards, max(part.instances or 0, copies)
    if part.kind == "broker":
        return 1, max(part.instances or 0, copies)
    if part.kind == "wide-column":
        # a token ring: every node holds ranges and replicas of its neighbours' ranges, and its decision counted the copies in its nodes
        return part.instances or copies, max(part.instances or 0, copies)
    shards = part.instances or 1
    return shards, shards * copies
