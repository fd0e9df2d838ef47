"""PAT028: graph walks (``traverse``): bounded breadth-first search over adjacency lists, in SQL or in a sharded in-memory graph."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.data import constraint_name
from backend_architect.design.overrides import settled, steer
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._api import example_of, integer, own_operation, prop, reshaped, string, with_parameters
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, avoided, decision, figure, fmt, owner_of, size
from backend_architect.ir.model import ApiSchema, Architecture, CachePlan, Figure, Index, IndexColumn, Operation, Table
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import join_columns, join_table, table_name

#: Rows one recursive query may touch and stay an ordinary request (a few milliseconds of index reads).
SQL_MAX_ROWS = 10_000.0
#: Memory of one graph node's adjacency: 8 bytes per neighbour and direction (a dense index), 32 bytes per vertex (offsets, id map).
EDGE_BYTES = 8
VERTEX_BYTES = 32
#: Memory one in-memory graph shard is planned with (a 128 GiB machine, half for the graph).
SHARD_BYTES = 64 * 2**30
#: Edges one graph node scans per second in memory (adjacency arrays, several cores).
EDGES_PER_S = 50_000_000.0
#: Round trip of one hop between the router and the shards, in milliseconds (same zone).
HOP_MS = 1.0
#: Out-degree assumed when neither the spec nor the link's rows say.
DEFAULT_OUT_DEGREE = 100.0
_GRAPH_DATABASES = ("neo4j", "neptune", "janusgraph", "tigergraph", "memgraph")


@dataclass(frozen=True)
class Walk:
    """One traversal: the edges it walks, how far, and what one query costs."""

    link: str
    source: str
    target: str
    out_degree: float
    degree_basis: str
    depth: int
    path: bool
    rows: float
    lookups: float
    nodes: float


def plan_walk(spec: Spec, analysis: Analysis, use_case: UseCase) -> Walk:
    """The edge table and its two columns, the out-degree, and rows and index lookups per query (bidirectional for a path)."""
    walk = use_case.spec.traverse
    assert walk is not None
    node = use_case.entity
    owner, _, field = walk.via.partition(".")
    if field in spec.entities.get(owner, spec.entities[node]).many_to_many:
        left, right = join_columns(owner, field, spec.entities[owner].many_to_many[field])
        link, source, target = join_table(owner, field), left, right
    else:
        body = spec.entities[owner]
        target = f"{field}_id" if field else ""
        others = [f"{n}_id" for n, f in body.fields.items() if f.type.kind == "ref" and f.type.target == node and f"{n}_id" != target]
        link = table_name(owner)
        source = others[0] if others and owner != node else "id"
        target = target or (others[1] if len(others) > 1 else "id")
    nodes = analysis.rows(node)
    if walk.out_degree:
        degree, basis = walk.out_degree, "out_degree"
    elif owner in analysis.entities and owner != node and nodes:
        degree, basis = analysis.rows(owner) / nodes, f"{owner} rows / {node} rows"
    else:
        degree, basis = DEFAULT_OUT_DEGREE, "default"
    degree = max(degree, 1.0)
    path = use_case.kind == "get"
    if path:
        forward, backward = math.ceil(walk.depth / 2), walk.depth // 2
        rows = sum(degree**i for i in range(1, forward + 1)) + sum(degree**i for i in range(1, backward + 1))
        lookups = sum(degree**i for i in range(forward)) + sum(degree**i for i in range(backward))
    else:
        rows = sum(degree**i for i in range(1, walk.depth + 1))
        lookups = sum(degree**i for i in range(walk.depth))
    return Walk(link, source, target, degree, basis, walk.depth, path, min(rows, nodes) if nodes else rows, min(lookups, nodes) if nodes else lookups, nodes)


@pattern(code="PAT028", name="graph-traversal", stage="access_paths", title="Walk graphs breadth-first, bounded by depth")
def graph_traversal(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A read says ``traverse``: a walk over a relation between rows of one kind (``via``), up to
    ``depth`` hops, with ``out_degree`` edges per node (else the link's rows per node, else
    100). A get is a path search between two nodes (degrees of separation): bidirectional, so
    each side walks half the depth. A list is a neighbourhood (friends of friends).

    ## What it adds
    Adjacency lists as the link table indexed both ways; while a query touches at most 10,000
    rows and the index lookups fit one node, a recursive query bounded by depth. Beyond, a
    graph service holding the adjacency in memory: one replica set when it fits a 64 GiB
    shard, else sharded by node id with a node -> shard map, each hop one parallel call per
    shard holding part of the frontier. Hot results are cached when the read allows staleness.
    The API gains ``to`` (a path's other end) or ``depth``.

    ## What it costs
    Rows per query = sum of out_degree^i for i up to depth (each side to depth/2 for a path);
    memory = nodes x 32 B + edges x 2 x 8 B; cross-shard calls = depth x shards at most;
    latency = hops x 1 ms + rows / 50M edges/s.

    ## Alternatives
    A graph database (Neo4j, Neptune): another store fed from the link's changes, sharded by
    the same arithmetic past one machine; unbounded recursive SQL (rows explode with depth).

    ## References
    LinkedIn engineering, "LinkedIn's real-time graph" (2016); Facebook, "TAO: Facebook's
    distributed data store for the social graph" (USENIX ATC 2013).
    """
    for use_case in analysis.use_cases:
        if use_case.spec.traverse is None or use_case.is_write:
            continue
        walk = plan_walk(spec, analysis, use_case)
        preferred = next((g for g in _GRAPH_DATABASES if any(g in p.lower() for p in spec.constraints.prefer) and not avoided(spec, g)), None)
        in_sql = walk.rows <= SQL_MAX_ROWS and use_case.peak_qps * walk.lookups <= PRIMARY_READ_CEILING
        by_numbers = "graph-database" if preferred else "sql" if in_sql else "memory"
        steered = steer(spec, f"graph.{use_case.id}", by_numbers, WALKS, (graph_traversal.code, graph_traversal.name))
        override = steered.override
        database = preferred or next((g for g in _GRAPH_DATABASES if override and override.choose and g in override.choose.lower()), _GRAPH_DATABASES[0])
        built = _applied(spec, analysis, arch, use_case, walk, (steered.build, database, preferred is not None))
        numbers = _applied(spec, analysis, arch, use_case, walk, (by_numbers, database, preferred is not None)) if steered.overruled else built
        assert built.decision is not None
        assert numbers.decision is not None
        choices = {"choices": [names[0] for names in WALKS.values()]}
        yield dataclasses.replace(built, decision=settled(steered, numbers.decision.model_copy(update=choices), built.decision.model_copy(update=choices)))


#: What ``choose:`` builds for a graph walk, by the names an author may use.
WALKS = {
    "sql": ["a recursive query in the database", "SQL recursive query", "adjacency lists in the database"],
    "memory": ["in memory", "a graph service"],
    "graph-database": ["a graph database (Neo4j, Neptune)", "Neo4j", "Neptune"],
}


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, walk: Walk, how: tuple[str, str, bool]) -> Applied:
    """The walk built as ``how`` says: (sql | memory | graph-database, the graph database's name, whether the constraints prefer it)."""
    variant, database, by_constraint = how
    node = use_case.entity
    nodes = analysis.rows(node)
    edges = nodes * walk.out_degree
    memory = nodes * VERTEX_BYTES + edges * 2 * EDGE_BYTES
    shards = max(1, math.ceil(memory / SHARD_BYTES))
    peak = use_case.peak_qps
    load = peak * walk.lookups
    in_sql = variant == "sql"
    preferred = database if variant == "graph-database" else None
    hops = walk.depth
    calls = sum(min(walk.out_degree**i, shards) for i in range(hops)) if shards > 1 else 0.0
    latency = hops * HOP_MS + walk.rows / EDGES_PER_S * 1000
    scope = f"use case '{use_case.name}'"
    kind = "path search (bidirectional: each side walks half the depth)" if walk.path else "neighbourhood (breadth-first to the depth)"
    figures: tuple[Figure, ...] = (
        figure(
            f"graph.rows_per_query.{use_case.id}",
            f"rows one {use_case.name} touches",
            walk.rows,
            "rows",
            "min(nodes, sum(out_degree^i, i <= ceil(depth/2)) + sum(out_degree^i, i <= floor(depth/2)))"
            if walk.path
            else "min(nodes, sum(out_degree^i, i <= depth))",
            {"out_degree": walk.out_degree, "depth": float(walk.depth), "nodes": walk.nodes},
            scope,
        ),
        figure(
            f"graph.lookups.{use_case.id}",
            f"adjacency reads/s of {use_case.name} at peak",
            load,
            "lookups/s",
            "peak x expanded",
            {"peak": peak, "expanded": walk.lookups},
            scope,
        ),
        figure(
            f"graph.memory.{use_case.id}",
            f"adjacency of {node} in memory",
            memory,
            "bytes",
            "nodes x vertex_bytes + edges x 2 x edge_bytes",
            {"nodes": nodes, "edges": edges, "vertex_bytes": VERTEX_BYTES, "edge_bytes": EDGE_BYTES},
            scope,
        ),
        figure(
            f"graph.latency_ms.{use_case.id}",
            f"time of one {use_case.name} in a graph service",
            latency,
            "ms",
            "hops x hop_ms + rows / edges_per_s x 1000",
            {"hops": float(hops), "hop_ms": HOP_MS, "rows": walk.rows, "edges_per_s": EDGES_PER_S},
            scope,
        ),
    )
    if shards > 1:
        figures += (
            figure(
                f"graph.shards.{use_case.id}",
                f"graph shards for {node}",
                shards,
                "shards",
                "ceil(memory / shard_bytes)",
                {"memory": memory, "shard_bytes": SHARD_BYTES},
                scope,
            ),
            figure(
                f"graph.cross_shard_calls.{use_case.id}",
                f"shard calls one {use_case.name} makes",
                calls,
                "calls",
                "sum over hops i < depth of min(out_degree^i, shards)",
                {"out_degree": walk.out_degree, "hops": float(hops), "shards": float(shards)},
                scope,
            ),
        )
    service = owner_of(arch, node)
    components: tuple[Component, ...] = ()
    sql = f"a recursive query over {walk.link} bounded by depth {walk.depth}" + (" from both ends" if walk.path else "")
    if in_sql and preferred is None:
        choice = f"adjacency lists in the database: {sql}, reading the index on ({walk.source}, {walk.target}) per hop" + (
            f" and ({walk.target}, {walk.source}) for the backward side" if walk.path else ""
        )
        rationale = (
            f"{kind}: {fmt(walk.rows)} rows a query at out-degree {fmt(walk.out_degree)} ({walk.degree_basis}) and depth {walk.depth}; "
            f"{fmt(load)} index lookups/s at peak: within {fmt(SQL_MAX_ROWS)} rows and one node's {fmt(PRIMARY_READ_CEILING)}/s"
        )
    elif preferred is not None:
        said = ", as the spec prefers" if by_constraint else ""
        choice = f"a graph database ({preferred}{said}) fed from {walk.link} changes; traversals bounded by depth {walk.depth}"
        rationale = f"the spec prefers {preferred}; {fmt(walk.rows)} rows a query, {size(memory)} of adjacency"
        components = (
            Component(
                name="graph-database",
                kind="key-value",
                technology=preferred,
                purpose=f"walks {walk.link} for {use_case.name}, fed from its change events",
                services=[service],
                use_cases=[use_case.name],
                instances=max(3, shards * 3),
                memory_bytes=memory,
                decision=f"graph.{use_case.id}",
            ),
        )
    else:
        layout = (
            f"sharded by hash of the {node} id into {shards} shards of {size(SHARD_BYTES)} (a shard map from node to shard in the router); each hop "
            f"sends the frontier's nodes to their shards in parallel, {fmt(calls)} shard calls a query"
            if shards > 1
            else f"one shard ({size(memory)}), replicated for load and failover"
        )
        choice = (
            f"a graph service holding {node} adjacency lists in memory: {kind}, bounded by depth {walk.depth}; {layout}; "
            f"{walk.link} stays the truth and feeds it by change events"
        )
        why = f"{fmt(walk.rows)} rows a query" if walk.rows > SQL_MAX_ROWS else f"{fmt(load)} index lookups/s"
        rationale = (
            f"{kind} at out-degree {fmt(walk.out_degree)} ({walk.degree_basis}) and depth {walk.depth}: {why}, beyond a request's "
            f"{fmt(SQL_MAX_ROWS)} rows or one node's {fmt(PRIMARY_READ_CEILING)} lookups/s; in memory a query takes about {latency:,.1f} ms "
            f"({hops} hops x {HOP_MS:g} ms + {fmt(walk.rows)} edges at {fmt(EDGES_PER_S)}/s)"
        )
        components = (
            Component(
                name=f"{node.lower()}-graph",
                kind="key-value",
                technology="an in-memory graph service (adjacency arrays)",
                purpose=f"walks {walk.link} for {use_case.name}",
                services=[service],
                use_cases=[use_case.name],
                instances=max(2, shards * 2),
                memory_bytes=memory,
                decision=f"graph.{use_case.id}",
            ),
        )
    cached = use_case.spec.staleness is not None
    consequences = f"A walk stops at depth {walk.depth} and returns at most {use_case.spec.page.max} nodes; " + (
        f"results are cached per source node for {use_case.spec.staleness:g} s (hot nodes are asked again and again)."
        if cached
        else "results can be cached per source node once the read allows staleness (hot nodes are asked again and again)."
    )
    made = decision(
        f"graph.{use_case.id}",
        f"Graph traversal for {use_case.name}",
        "read paths",
        choice,
        f"{use_case.name}: {fmt(peak)} reads/s at peak over {walk.link} ({fmt(nodes)} nodes, {fmt(edges)} edges), depth {walk.depth}",
        rationale,
        alternatives=[
            (
                "a graph database (Neo4j, Neptune)",
                f"another store fed from {walk.link} changes; past one machine it shards by the same arithmetic ({shards} shard(s))",
            ),
            ("unbounded recursive SQL", f"rows grow as out-degree^depth: {fmt(walk.out_degree ** (walk.depth + 1))} at one more hop"),
            (
                "in memory" if in_sql else "SQL recursive query",
                f"not needed at {fmt(walk.rows)} rows a query" if in_sql else f"{fmt(walk.rows)} rows and {walk.depth} dependent round trips a query",
            ),
        ],
        consequences=consequences,
        subject=use_case.name,
        inputs={"out_degree": walk.out_degree, "depth": float(walk.depth), "rows_per_query": walk.rows, "shards": float(shards)},
        decided_by="constraint" if by_constraint else "numbers",
        spec=spec,
    )
    caches = (
        (
            CachePlan(
                use_case=use_case.name,
                strategy="cache-aside",
                ttl_seconds=use_case.spec.staleness,
                key=f"graph:{use_case.id}:{{node}}:{{depth}}",
                invalidation=f"TTL; {walk.link} changes do not evict",
                protection="single-flight per source node",
                rationale=f"{fmt(walk.rows)} rows per walk: a hot node's answer is reused for {use_case.spec.staleness:g} s",
            ),
        )
        if cached
        else ()
    )
    tables = _adjacency_indexes(arch, walk, use_case)
    operations, schemas = _traverse_api(arch, use_case, walk)
    return Applied(made, figures=figures, components=components, caches=caches, tables=tables, operations=operations, schemas=schemas)


def _adjacency_indexes(arch: Architecture, walk: Walk, use_case: UseCase) -> tuple[tuple[str, Table], ...]:
    """The edge table indexed (source, target), and (target, source) for a path's backward side; single-column prefixes fold in."""
    found = next(((s.name, t) for s in arch.datastores for t in s.tables if t.name == walk.link), None)
    if found is None or walk.source == "id" or walk.target == "id":
        return ()
    store, table = found
    wanted = [[walk.source, walk.target]] + ([[walk.target, walk.source]] if walk.path else [])
    indexes = list(table.indexes)
    keys = [[c.name for c in i.columns] for i in indexes] + [u.columns for u in table.uniques] + [table.primary_key]
    for columns in wanted:
        if any(k[: len(columns)] == columns for k in keys):
            continue
        folded = [i for i in indexes if [c.name for c in i.columns] == columns[:1] and not i.unique and i.where is None]
        reasons = [r for i in folded for r in i.reasons] + [f"use case '{use_case.name}' (adjacency: one hop is one range read)"]
        indexes = [i for i in indexes if i not in folded]
        indexes.append(Index(name=constraint_name("ix", table.name, columns), columns=[IndexColumn(name=c) for c in columns], reasons=reasons))
    if indexes == table.indexes:
        return ()
    return ((store, table.model_copy(update={"indexes": indexes})),)


def _traverse_api(arch: Architecture, use_case: UseCase, walk: Walk) -> tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]:
    found = own_operation(arch, use_case.name, "path" if walk.path else "network", [f.column for f in use_case.filters if f.column])
    if found is None:
        return (), ()
    service, op, rest = found
    node = use_case.entity
    depth = integer("max_depth" if walk.path else "depth", f"Hops to follow, at most {walk.depth}.", 1, walk.depth, walk.depth)
    if not walk.path:
        return ((service, with_parameters(op, [depth])), *rest), ()
    id_format = next((p.format for p in op.parameters if p.location == "path"), "uuid")
    step = ApiSchema(
        name=f"{node}PathStep",
        entity=node,
        properties=[
            prop("hop", "integer", "0 for the start, then one per edge.", fmt="int32"),
            prop("id", "string" if id_format == "uuid" else "integer", f"Id of the {node}.", fmt=id_format or "int64"),
        ],
    )
    path = ApiSchema(
        name=f"{node}Path",
        entity=node,
        properties=[
            prop("degrees", "integer", f"Edges between the two, or null when farther than {walk.depth}.", fmt="int32", nullable=True),
            prop("path", "array", "One shortest path, start to end (empty when none within the depth).", items=step.name),
        ],
    )
    target = string("to", f"Id of the other {node}.", required=True, fmt="uuid" if id_format == "uuid" else None)
    changed = reshaped(op, path.name, example_of(path, {step.name: step}), [target, depth], drop=())
    return ((service, changed), *rest), ((service, step), (service, path))


__all__ = ["Walk", "graph_traversal", "plan_walk"]
