"""Each flow's expected latency, from what the request does: the edge, the service, every store it touches, and its hops.

The communication stage times the hops between services and to externals (``call_chains``).
A request also passes the load balancer, does its own work, and reads or writes stores; a
flow that only touches its own database is not free. This stage, run once the caches, the
mechanisms, the shards and the availability plan are decided, adds one term per part, each
an assumed per-operation figure listed under Assumptions (``DEFAULT_MS``; a measured one
stated in ``constraints.operation_ms`` replaces it) and weighted by
what the design decided (a cache's hit ratio, the share of a path a mechanism's store
answers, a read over every shard). The sum is ``Flow.expected_latency_ms``; its terms are
``Flow.latency_parts``; the bottleneck stage compares it with the use case's budget.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.call_chains import IN_PROCESS_CALL_MS
from backend_architect.design.cross_server_keys import placements_today
from backend_architect.design.embeds import local_embeds
from backend_architect.design.loads import read_entity
from backend_architect.design.region_homes import INTER_REGION_RTT_MS, pays_round_trip, region_plan
from backend_architect.design.request_steps import RequestStep, request_steps, steps_of
from backend_architect.design.split_joins import split_of
from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture, CachePlan, Figure, Flow, LatencyPart, Table
from backend_architect.ir.query import version_guarded
from backend_architect.ir.runtime import Mechanism, side_write
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

#: The load balancer (or API gateway) in front of the services: one proxy hop inside the region.
EDGE_MS = 2.0
#: The service's own work on a request: authentication, validation, serialization.
SERVICE_MS = 3.0
#: A CDN answering from its edge cache (the origin not reached).
CDN_HIT_MS = 5.0
#: An instance's own memory (L1).
L1_HIT_MS = 0.1
#: One round trip to Redis in the same zone (GET, a list range, GEOSEARCH, a sorted-set range).
CACHE_MS = 1.0
#: A read of one row (or a few) by an index, its pages in memory.
INDEXED_READ_MS = 2.0
#: An index range scan returning one page of rows.
RANGE_PAGE_MS = 5.0
#: A transaction's commit: the write-ahead log flushed to disk (fsync).
COMMIT_MS = 5.0
#: A synchronous standby's acknowledgement added to a commit (another zone: one network round trip).
SYNC_REPLICA_MS = 2.0
#: A query of the search engine (an inverted index, scored, one page).
SEARCH_MS = 20.0
#: A column store's aggregate query.
ANALYTICS_MS = 50.0
#: A wide-column store's page of one partition read at LOCAL_QUORUM: two replicas answer, the slower sets the time.
QUORUM_READ_MS = 3.0
#: A wide-column store's write at LOCAL_QUORUM: the commit log appended (synced periodically, not per write) on two replicas.
QUORUM_WRITE_MS = 2.0
#: A wide-column store's lightweight transaction (INSERT ... IF NOT EXISTS): Paxos takes four round trips to a quorum, not one.
LIGHTWEIGHT_TRANSACTION_MS = 4 * QUORUM_WRITE_MS
#: A read sent to every shard waits for the slowest: each doubling of the shards adds this share of one shard's time.
SCATTER_TAIL_SHARE = 0.25

#: Each per-operation figure by the name ``constraints.operation_ms`` states a measured one under.
DEFAULT_MS: dict[str, float] = {
    "edge": EDGE_MS,
    "service": SERVICE_MS,
    "cdn_hit": CDN_HIT_MS,
    "l1_hit": L1_HIT_MS,
    "cache": CACHE_MS,
    "indexed_read": INDEXED_READ_MS,
    "range_page": RANGE_PAGE_MS,
    "commit": COMMIT_MS,
    "sync_replica": SYNC_REPLICA_MS,
    "search": SEARCH_MS,
    "analytics": ANALYTICS_MS,
    "quorum_read": QUORUM_READ_MS,
    "quorum_write": QUORUM_WRITE_MS,
    "lightweight_transaction": LIGHTWEIGHT_TRANSACTION_MS,
}
_SAID = {
    "edge": "edge (load balancer)",
    "service": "service work",
    "cdn_hit": "CDN hit",
    "l1_hit": "in-process cache hit",
    "cache": "Redis round trip",
    "indexed_read": "indexed read",
    "range_page": "index range page",
    "commit": "commit with fsync",
    "sync_replica": "synchronous standby acknowledgement",
    "search": "search engine query",
    "analytics": "column store query",
    "quorum_read": "wide-column quorum read",
    "quorum_write": "wide-column quorum write",
    "lightweight_transaction": "wide-column lightweight transaction",
}
_STORE_OP = {"search-engine": "search", "analytics": "analytics", "warehouse": "analytics", "wide-column-store": "quorum_read"}


def per_operation(spec: Spec) -> dict[str, float]:
    """The figures a design's latencies use: the measured ones ``constraints.operation_ms`` states, the assumed ones for the rest."""
    return DEFAULT_MS | _given(spec)


def _given(spec: Spec) -> dict[str, float]:
    return {k: v for k, v in spec.constraints.operation_ms.model_dump().items() if v is not None}


#: Figures only a design holding a table in a wide-column store uses: the Assumptions line names them there alone.
_WIDE_COLUMN_OPS = {"quorum_read", "quorum_write", "lightweight_transaction"}


def stated(spec: Spec, arch: Architecture | None = None) -> str:
    """The Assumptions line: which figures are assumed and which the spec states (the wide-column ones where such a store is)."""
    wide = arch is not None and any(t.wide_column is not None for s in arch.datastores for t in s.tables)
    ms = {k: v for k, v in per_operation(spec).items() if wide or k not in _WIDE_COLUMN_OPS}
    given = _given(spec)
    assumed = [f"{_SAID[k]} {v:g} ms" for k, v in ms.items() if k not in given]
    measured = [f"{_SAID[k]} {v:g} ms" for k, v in ms.items() if k in given]
    scatter = f"a read over N shards takes one shard's time x (1 + {SCATTER_TAIL_SHARE:g} x log2 N)"
    if not measured:
        return f"constraints.operation_ms: not given; latency per operation assumed: {', '.join(assumed)}; {scatter}"
    rest = f"assumed for the rest: {', '.join(assumed)}; " if assumed else ""
    return f"constraints.operation_ms: stated: {', '.join(measured)}; {rest}{scatter}"


def derive_latency(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every flow with its expected latency as the sum of its parts, and the per-operation figures among the assumptions."""
    by_name = {u.name: u for u in analysis.use_cases}
    ms = per_operation(spec)
    steps = request_steps(analysis, arch)
    flows = [_timed(arch, by_name[f.use_case], f, ms, steps_of(steps, f.use_case)) if f.use_case in by_name else f for f in arch.flows]
    line = stated(spec, arch)
    assumptions = arch.assumptions if line in arch.assumptions else [*arch.assumptions, line]
    return arch.model_copy(update={"flows": flows, "assumptions": assumptions, "figures": [*arch.figures, *_far_region(spec, analysis, flows)]})


def _far_region(spec: Spec, analysis: Analysis, flows: list[Flow]) -> list[Figure]:
    """Under active-active regions, each write's and current read's latency from a region other than its row's home: the round trip added.

    The home-region rule (``region_homes``) sends them to the row's home region, so a caller elsewhere pays
    ``INTER_REGION_RTT_MS`` on top (``pays_round_trip``); reads that tolerate the replication lag, the caller's own
    rows and creates the caller alone owns are answered in the caller's region.
    """
    plan = region_plan(spec, analysis)
    if not plan.homed:
        return []
    homed = {u.name for u in analysis.use_cases if pays_round_trip(spec, u)}
    return [
        Figure(
            key=f"latency.far_region_ms.{snake(flow.use_case)}",
            quantity=f"expected latency of '{flow.use_case}' from a region other than its row's home",
            value=flow.expected_latency_ms + INTER_REGION_RTT_MS,
            unit="ms",
            formula="expected_ms + inter_region_rtt_ms",
            inputs={"expected_ms": flow.expected_latency_ms, "inter_region_rtt_ms": INTER_REGION_RTT_MS},
            scope=flow.use_case,
        )
        for flow in flows
        if flow.use_case in homed and flow.latency_parts
    ]


def _timed(arch: Architecture, use_case: UseCase, flow: Flow, ms: dict[str, float], steps: list[RequestStep]) -> Flow:
    # a module's call on another module never leaves the process (design/call_chains.py): timed as its dispatch, apart from the hops
    calls = in_process_calls(arch, flow)
    in_process_ms = len(calls) * IN_PROCESS_CALL_MS
    hops = flow.expected_latency_ms if not flow.latency_parts else sum(p.ms for p in flow.latency_parts if p.part.startswith("synchronous hop"))
    parts = [] if use_case.is_job or use_case.is_reaction else [LatencyPart(part="edge (load balancer)", ms=ms["edge"])]
    parts.append(LatencyPart(part="service work", ms=ms["service"]))
    if use_case.is_write:
        # a write that first queries a store of its own path (the proximity search choosing its recipients) waits for it
        components, home = {c.name for c in arch.components}, flow.steps[0].target
        parts += [
            LatencyPart(part=f"{s.target}: {s.description.split(': ')[0]}", ms=ms[_STORE_OP.get(s.target, "cache")])
            if s.target in components
            else LatencyPart(part=f"database: {s.description.split(': ')[0]}", ms=ms["range_page"])
            for s in flow.steps
            if s.kind == "query" and s.source == home and (s.target in components or s.target == home)
        ]
    # the request's own steps (design/request_steps.py): each also counted in its store's load; one a hop carries is timed there
    parts += [
        LatencyPart(part=s.part if s.share >= 1 else f"{s.part}, for {s.share:.1%} of requests", ms=ms[s.op] * s.share * scatter_factor(s.shards))
        for s in steps
        if not s.in_hop
    ]
    parts += _store_parts(arch, use_case, ms)
    # a members-only request probes the membership's unique index in its own database first (a call to another service is a hop)
    parts += [
        LatencyPart(part=f"database: membership probe of {c.table} ({', '.join(c.index)})", ms=ms["indexed_read"])
        for c in arch.membership_checks
        if c.use_case == use_case.name and c.check in {"local", "local copy"}
    ]
    if calls:
        parts.append(LatencyPart(part=f"in-process call(s) to other modules ({len(calls)}): {', '.join(dict.fromkeys(calls))}", ms=in_process_ms))
    if hops:
        reached = "externals" if one_deployable(arch) else "other services and externals"
        parts.append(LatencyPart(part=f"synchronous hop(s) to {reached} ({flow.depth})", ms=hops))
    return flow.model_copy(update={"latency_parts": parts, "expected_latency_ms": round(sum(p.ms for p in parts), 3)})


def in_process_calls(arch: Architecture, flow: Flow) -> list[str]:
    """The modules ``flow``'s request calls within its one deployable, one a call: function calls, none of them a network hop
    (``call_chains.plan_flow`` leaves them out of the hops), each timed at ``IN_PROCESS_CALL_MS``. Read from the flow's final
    steps, so a call a later stage draws is timed too."""
    if not one_deployable(arch) or not flow.steps:
        return []
    modules = {s.name for s in arch.services} - {flow.steps[0].target}
    return [s.target for s in flow.steps[1:] if s.kind in {"query", "call"} and s.target in modules]


def _store_parts(arch: Architecture, use_case: UseCase, ms: dict[str, float]) -> list[LatencyPart]:
    """What the request spends in stores: its reads through the caches and mechanisms, or its write."""
    mechanisms = [m for m in arch.mechanisms if m.use_case == use_case.name]
    if use_case.is_write:
        return _write_parts(arch, use_case, [m for m in mechanisms if m.serves == "write"], ms)
    served = [m for m in mechanisms if m.serves == "read"]
    database_share = min((m.database_share for m in served), default=1.0)
    # state a mechanism adds to rows read elsewhere (who is online) is looked up on every read, cached rows or not
    added = [_mechanism_read(arch, m, ms) for m in served if not m.entities]
    origin = [_mechanism_read(arch, m, ms) for m in served if m.entities]
    plan = next((c for c in arch.caches if c.use_case == use_case.name), None)
    model = _read_model_table(arch, plan)
    if model is not None and not served:
        # a read model kept as a table (a ranking's snapshot) is read there, one page, whatever the counted table's shards
        origin.append(LatencyPart(part=f"database: index range page of {model}", ms=ms["range_page"]))
    elif database_share > 0:
        what, read_ms = _widened(arch, use_case, *_database_read(arch, use_case, ms))
        origin.append(LatencyPart(part=what if database_share >= 1 else f"{what}, for {database_share:.0%} of reads", ms=read_ms * database_share))
        # the rows a get answers beside its item: one more query each, after the item's (its key names them), behind the same caches
        origin += [
            LatencyPart(
                part=f"database: {e.table} by {e.column}, up to {e.max_items} rows" if e.relation != "reference" else f"database: {e.table} by primary key",
                ms=(ms["range_page"] if e.relation != "reference" else ms["indexed_read"]) * database_share,
            )
            for e in local_embeds(arch, use_case.name)
        ]
    # a miss goes where the rows are: the database, or the store a mechanism answers them from whole (a wide-column store)
    where = next((m.store for m in served if m.database_share == 0), "database")
    return [*_through_caches(arch, use_case, plan, origin, ms, where), *added]


def _steps(arch: Architecture, use_case_id: str) -> float:
    """Searches a k-nearest read makes on average, each at a wider radius until it finds k (``geo.steps``; 1 for any other read)."""
    return next((f.value for f in arch.figures if f.key == f"geo.steps.{use_case_id}"), 1.0)


def _widened(arch: Architecture, use_case: UseCase, what: str, read_ms: float) -> tuple[str, float]:
    """The database read of a k-nearest search over the geohash cells: one range read per radius it tries, on average."""
    steps = _steps(arch, use_case.id)
    if steps == 1.0 or read_entity(arch, use_case) != use_case.entity:
        return what, read_ms
    return f"{what} x {steps:g} radii on average (k nearest)", read_ms * steps


def _mechanism_read(arch: Architecture, mechanism: Mechanism, ms: dict[str, float]) -> LatencyPart:
    """A mechanism's read: one operation of its store; a search engine's query over every shard (``search.shards_per_query``)
    waits for the slowest, by the same scatter rule as a database read over several shards."""
    # the store's own operation: the rows it leaves to the database (after "; ") are timed as the database read
    what, op_ms = f"{mechanism.store}: {mechanism.how.split(' (')[0].split('; ')[0]}", ms[_STORE_OP.get(mechanism.store, "cache")]
    # a k-nearest search repeats at a wider radius until it finds k: each search is a round trip (patterns/_widening.py)
    steps = _steps(arch, mechanism.decision.removeprefix("geo.")) if mechanism.decision and mechanism.pattern == "PAT021" else 1.0
    if steps != 1.0:
        return LatencyPart(part=what, ms=op_ms * steps)
    if mechanism.store != "search-engine":
        return LatencyPart(part=what, ms=op_ms)
    shards = next((f.value for f in arch.figures if f.key == "search.shards_per_query"), 1.0)
    if shards <= 1:
        return LatencyPart(part=what, ms=op_ms)
    return LatencyPart(part=f"{what} over {shards:,.0f} shards", ms=op_ms * scatter_factor(shards))


def _through_caches(
    arch: Architecture, use_case: UseCase, plan: CachePlan | None, origin: list[LatencyPart], ms: dict[str, float], where: str = "database"
) -> list[LatencyPart]:
    """The origin's parts weighted by the misses of the caches in front of it (CDN, L1, Redis): expected = hit x hit time + miss x (lookup + origin)."""
    if plan is None or plan.strategy not in {"cdn", "cache-aside", "read-model"}:
        return origin
    if plan.strategy == "read-model":
        return origin or [LatencyPart(part="read model in Redis", ms=ms["cache"])]
    known = {f.key: f.value for f in arch.figures}
    hit = known.get(f"cache.hit_ratio.{use_case.id}", 0.0)
    miss = 1 - hit
    origin_ms = sum(p.ms for p in origin)
    if plan.strategy == "cdn" and plan.origin_ttl_seconds:
        behind = known.get(f"cache.origin.hit_ratio.{use_case.id}", 0.0)
        return [
            LatencyPart(part=f"CDN: {hit:.1%} hits", ms=hit * ms["cdn_hit"]),
            LatencyPart(part=f"Redis on a CDN miss ({miss:.1%}): {behind:.1%} hits", ms=miss * ms["cache"]),
            LatencyPart(part=f"database on both misses ({miss * (1 - behind):.1%})", ms=miss * (1 - behind) * origin_ms),
        ]
    if plan.strategy == "cdn":
        return [LatencyPart(part=f"CDN: {hit:.1%} hits", ms=hit * ms["cdn_hit"]), LatencyPart(part=f"origin on a CDN miss ({miss:.1%})", ms=miss * origin_ms)]
    l1 = known.get(f"cache.l1.hit_ratio.{use_case.id}", 0.0) if plan.l1_ttl_seconds else 0.0
    parts = [LatencyPart(part=f"in-process cache (L1): {l1:.1%} hits", ms=l1 * ms["l1_hit"])] if plan.l1_ttl_seconds else []
    # the Redis hit ratio counts reads that reach Redis: those the L1 answered never do
    parts.append(LatencyPart(part=f"Redis: {hit:.1%} hits", ms=(1 - l1) * ms["cache"]))
    parts.append(LatencyPart(part=f"{where} on a cache miss ({miss:.1%})", ms=(1 - l1) * miss * origin_ms))
    return parts


def _write_parts(arch: Architecture, use_case: UseCase, direct: list[Mechanism], ms: dict[str, float]) -> list[LatencyPart]:
    """A write kept in a mechanism's store (no transaction), or a commit, with a read of the row first when it changes one.

    A write a wide-column store takes (its events from the store's CDC log) is timed by that store: a quorum write, after a
    quorum read of the row's partition when it changes a row it addresses by id; no PostgreSQL commit or standby is on its path.
    A change refusing a stale version (If-Match) is a lightweight transaction there instead of the quorum write.
    """
    parts = [LatencyPart(part=f"{m.store}: {m.how.split(' (')[0]}", ms=ms[_STORE_OP.get(m.store, "cache")]) for m in direct if m.publish == "direct"]
    if parts:
        return parts
    logged = [m for m in direct if m.publish == "cdc"]
    if logged:
        if use_case.kind not in {"create", "job"}:
            parts += [LatencyPart(part=f"{m.store}: read of the row's partition by its id", ms=ms["quorum_read"]) for m in logged]
        if version_guarded(next((op for api in arch.apis for op in api.operations if use_case.name in op.use_cases), None)):
            # the 412 the contract promises is kept only by comparing the version as the store writes: a Paxos round, not a quorum write
            said = "conditional write IF version = ? (a lightweight transaction)"
            return parts + [LatencyPart(part=f"{m.store}: {said}", ms=ms["lightweight_transaction"]) for m in logged]
        return parts + [LatencyPart(part=f"{m.store}: {m.how.split(' at ')[-1]} write (a quorum of copies)", ms=ms["quorum_write"]) for m in logged]
    # the read of the row it changes is a request step (design/request_steps.py), timed with the others
    if not use_case.has_effect:
        return parts  # an action changing nothing and telling no one commits nothing: its row's read is all it does
    synchronous = arch.availability is not None and arch.availability.rpo_seconds == 0 and "synchronous" in arch.availability.database
    parts.append(LatencyPart(part="commit (write-ahead log fsync)", ms=ms["commit"]))
    if synchronous:
        parts.append(LatencyPart(part="synchronous standby's acknowledgement", ms=ms["sync_replica"]))
    # a key the request also sets in Redis after its commit (a lookup key for a latest value)
    parts += [LatencyPart(part=f"{m.store}: {m.how.split(' (')[0]}", ms=ms[_STORE_OP.get(m.store, "cache")]) for m in direct if side_write(m)]
    return parts


def _database_read(arch: Architecture, use_case: UseCase, ms: dict[str, float]) -> tuple[str, float]:
    """The read the database does for the use case: one row by an index, or a page of a range; over every shard when not by its key.

    Where a mechanism answers the primary entity (a GEO set finding the points), the database reads the rows it leaves
    (``loads.read_entity``: the cabs of the drivers found), one query by the page's keys, as the load counts it.
    """
    entity = read_entity(arch, use_case)
    if entity != use_case.entity:
        table = _table(arch, entity)
        return f"database: {table.name if table else entity} rows of the page by their keys", ms["indexed_read"]
    table = _table(arch, use_case.entity)
    one = use_case.kind != "list"
    what, read_ms = ("indexed read", ms["indexed_read"]) if one else ("index range page", ms["range_page"])
    split = split_of(arch, use_case, placements_today(arch))
    if split is not None:
        # the join's tables live on different servers today: the joined rows first, then the own rows by their ids, one shard
        # per id at most (design/split_joins.py)
        sharding = table.sharding if table is not None else None
        # by the shard key, one shard per id at most; by another column, every shard
        by_ids = 1.0 if sharding is None else min(split.ids, _shards(arch, split.table)) if sharding.key == split.own_by else _shards(arch, split.table)
        over = f" over up to {by_ids:,.0f} shards" if by_ids > 1 else ""
        then = f"then {split.table} by {split.own_by} ({split.ids:,.0f} ids){over}"
        return f"{what} of {split.joined} by {split.by}, {then}", read_ms + ms["indexed_read"] * scatter_factor(by_ids)
    if one and table is not None and table.sharding is not None and table.sharding.id_shard and not use_case.filters:
        # the id names the logical shard its row was written to (design/shard_ids.py): one shard, never a scatter
        return f"{what} on one shard (the id carries its shard)", read_ms
    if table is None or table.sharding is None or one:
        return what, read_ms
    # an owner-only read's filter on the caller is the server's, unwritten in the spec, yet selects rows all the same
    columns = {f.column for f in use_case.filters if f.column and not f.joined} | ({use_case.owner_column} if use_case.owner_column else set())
    if table.sharding.key in columns:
        return f"{what} on one shard ({table.sharding.key})", read_ms
    shards = _shards(arch, table.name)
    if shards <= 1:
        return what, read_ms
    return f"{what} over {shards:,.0f} shards (not by {table.sharding.key})", read_ms * scatter_factor(shards)


def _shards(arch: Architecture, table: str) -> float:
    return next((f.value for f in arch.figures if f.key == f"db.shards.{table}"), 1.0)


def scatter_factor(shards: float) -> float:
    """How much longer than one shard's a read sent to ``shards`` shards in parallel takes: it waits for the slowest.

    The one rule for every read over several shards (a scatter-gather, a merge naming several values of the shard key),
    so a merge reaching 5 shards is never timed as one query beside a load counting 5 shard reads.

    >>> scatter_factor(1), scatter_factor(4)
    (1.0, 1.5)
    """
    return 1 + SCATTER_TAIL_SHARE * math.log2(shards) if shards > 1 else 1.0


def _read_model_table(arch: Architecture, plan: CachePlan | None) -> str | None:
    """The table a read model is kept in (a snapshot a job refreshes), named by its plan's key; None for one kept in memory."""
    if plan is None or plan.strategy != "read-model" or not plan.key:
        return None
    return plan.key if any(t.name == plan.key for s in arch.datastores for t in s.tables) else None


def _table(arch: Architecture, entity: str) -> Table | None:
    return next((t for s in arch.datastores for t in s.tables if t.entity == entity), None)
