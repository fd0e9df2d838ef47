"""More bottleneck checks, one per function: each returns (pressure, Bottleneck) pairs.

Pressure is the triggering number over its threshold: 1.0 means at the limit.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase
from backend_architect.design.api import OFFSET_MAX_ROWS
from backend_architect.design.capacity import PRIMARY_READ_CEILING, PRIMARY_WRITE_CEILING
from backend_architect.design.member_copies import kept_because
from backend_architect.design.patterns._common import REDIS_NODE_OPS, fmt
from backend_architect.design.read_lag import lag_said, lagging_server
from backend_architect.design.reference_checks import LOCAL_COPY_FROM
from backend_architect.design.write_headroom import WRITE_HEADROOM
from backend_architect.ir.database_nodes import POOLER, REPLICA_READS, copies_said, read_replicas, standbys
from backend_architect.ir.model import Architecture, Bottleneck
from backend_architect.spec.model import Spec

Pressure = tuple[float, Bottleneck]

#: Updates per second on a few rows past which row locks serialize writers (one row ~ a few hundred updates/s).
HOT_ROW_UPDATES_PER_S = 50.0
#: Index maintenance: past this many indexes, each insert costs several times the heap write.
MANY_INDEXES = 5
#: Writes per second at which many indexes start to matter.
INDEXED_WRITES_PER_S = 200.0
#: Load multiplier for the "what breaks first" outlook.
GROWTH_OUTLOOK = 10
NUMERIC_KINDS = frozenset({"int", "bigint", "decimal", "money"})


def _b(title: str, scope: str, trigger: str, step: str, figure: str | None = None) -> Bottleneck:
    return Bottleneck(rank=0, title=title, scope=scope, trigger=trigger, scaling_step=step, figure=figure)


def hot_rows(spec: Spec, use_cases: tuple[UseCase, ...], rows: dict[str, float]) -> list[Pressure]:
    """Counters and balances updated in place on the SAME rows at a high rate contend on those rows' locks.

    A hot row is many updates to one row, not many rows updated once each: the updates a use case
    makes to an entity's numeric fields spread over the rows it writes, so each row takes
    ``peak / rows`` updates/s (a trip's fare written once by 'end trip' spreads over every trip; a
    stock count over five products concentrates). A create counts where it updates another
    entity's numeric field (an answer bumping its question's ``answer_count``).
    """
    found = []
    for use_case in use_cases:
        if use_case.kind not in {"update", "action", "create"} or use_case.is_job:
            continue
        written: dict[str, list[str]] = {}
        for raw in use_case.spec.writes:
            owner, dot, field = raw.partition(".")
            entity = spec.entities.get(owner)
            if not dot or entity is None or field not in entity.fields or entity.fields[field].type.kind not in NUMERIC_KINDS:
                continue
            if use_case.kind == "create" and owner == use_case.entity:
                continue  # the row it creates, not an update in place
            written.setdefault(owner, []).append(field)
        for owner, numeric in written.items():
            distinct = max(1.0, rows.get(owner, 1.0))
            per_row = use_case.peak_qps / distinct
            if per_row < HOT_ROW_UPDATES_PER_S:
                continue
            found.append(
                (
                    per_row / HOT_ROW_UPDATES_PER_S,
                    _b(
                        f"Hot rows: {owner}.{', '.join(numeric)} in '{use_case.name}'",
                        owner,
                        f"{per_row:,.1f} in-place updates/s on each {owner} row at peak ({use_case.peak_qps:,.1f} updates/s over {distinct:,.0f} rows) "
                        f"of a counter-like field (contention from {HOT_ROW_UPDATES_PER_S:g}/s on one row)",
                        "split the counter over N rows summed on read, or accumulate increments in Redis and flush in batches",
                        f"qps.peak.{use_case.id}",
                    ),
                )
            )
    return found


def large_offsets(use_cases: tuple[UseCase, ...], rows: dict[str, float]) -> list[Pressure]:
    """Offset pagination reads and discards every skipped row: deep pages cost the whole prefix."""
    found = []
    for use_case in use_cases:
        if use_case.kind == "list" and use_case.spec.page.style == "offset" and rows.get(use_case.entity, 0) > OFFSET_MAX_ROWS:
            found.append(
                (
                    rows[use_case.entity] / OFFSET_MAX_ROWS,
                    _b(
                        f"Large offsets in '{use_case.name}'",
                        use_case.name,
                        f"{rows[use_case.entity]:,.0f} rows paged by offset (threshold {OFFSET_MAX_ROWS:,}); the design uses a cursor instead",
                        "keep cursor pagination (keyset on the sort columns and id)",
                    ),
                )
            )
    return found


def indexed_writes(arch: Architecture) -> list[Pressure]:
    """Write-heavy tables with many indexes pay each index on every insert."""
    figures = {f.key: f.value for f in arch.figures}
    found = []
    for store in arch.datastores:
        for table in store.tables:
            writes = figures.get(f"qps.peak.write.table.{table.name}", table.rows_per_day / 86_400)
            count = len(table.indexes) + 1 + len(table.uniques)
            if count >= MANY_INDEXES and writes >= INDEXED_WRITES_PER_S / 10:
                found.append(
                    (
                        writes / INDEXED_WRITES_PER_S * count / MANY_INDEXES,
                        _b(
                            f"Index maintenance on {table.name}",
                            table.name,
                            f"{writes:,.1f} writes/s at peak x {count} indexes (from {MANY_INDEXES} indexes at {INDEXED_WRITES_PER_S:g} writes/s)",
                            "drop indexes no hot query needs, batch inserts, or move analytical reads to a replica with its own indexes",
                        ),
                    )
                )
    return found


def chatty_calls(arch: Architecture, use_cases: tuple[UseCase, ...]) -> list[Pressure]:
    """A hot request path that calls another service synchronously couples their latency and availability.

    Its threshold is the one the reference checks decide by (``reference_checks.LOCAL_COPY_FROM``): the calls/s from which
    a local copy costs less than the calls. One number, so no path is a bottleneck here at a rate the checks' decision
    calls fine; a path from a tenth of it is listed, ranked by its share of it, so the table says how far below it is.
    """
    by_name = {u.name: u for u in use_cases}
    # a wide-column store is the path's own database (PAT055), and Redis the store the design put the path's data in (a GEO
    # set, presence keys, a read model): neither is another service to cache in front of ('cache the answers' of a lookup
    # the presence decision says is never cached would contradict it)
    stores = {c.name for c in arch.components if c.kind in {"wide-column", "cache"}}
    known = {f.key: f.value for f in arch.figures}
    # only a cache answering the whole request (at the edge, in the browser, or aside the service) keeps its hits from the
    # calls; a read model still makes its path's calls (a feed's merge asks the follow graph on every read)
    answered = {c.use_case: c.strategy for c in arch.caches if c.strategy in ANSWERING_CACHES}
    modelled = {c.use_case for c in arch.caches if c.strategy not in ANSWERING_CACHES and c.strategy != "none"}
    owners = {s.name for s in arch.services}
    checking = {c.use_case for c in arch.reference_checks if c.check == "query"}
    # a path naming the row by its code resolves it before the cache, whose key holds the id: every request calls, hit or miss
    resolving = {c.use_case for c in arch.reference_checks if c.check == "query" and c.address != "id"}
    # a membership call the membership rules kept (no copy can serve it) is not offered a copy here again
    kept = {c.use_case: why for c in arch.membership_checks if (why := kept_because(c))}
    found = []
    for flow in arch.flows:
        use_case = by_name.get(flow.use_case)
        calls = [s for s in flow.steps if s.kind in {"query", "call"} and s.target not in stores]
        cached = use_case is not None and use_case.name in answered and use_case.name not in resolving
        hit = _answered_share(known, use_case.id, answered[use_case.name] == "cdn") if use_case and cached else 0.0
        reaching = use_case.peak_qps * (1 - hit) if use_case else 0.0
        if use_case and calls and reaching >= LOCAL_COPY_FROM / 10:
            targets = ", ".join(sorted({s.target for s in calls}))
            services = bool({s.target for s in calls} & owners)
            pressure = reaching / LOCAL_COPY_FROM
            rate = (
                f"{reaching:,.1f} req/s at peak reaching past its cache ({use_case.peak_qps:,.1f} less the {hit:.1%} it answers; "
                f"{targets} {'is' if len({s.target for s in calls}) == 1 else 'are'} sized for all {use_case.peak_qps:,.1f}, the cache cold or down)"
                if hit
                else f"{use_case.peak_qps:,.1f} req/s at peak"
            )
            found.append(
                (
                    pressure,
                    _b(
                        f"Synchronous calls on the hot path of '{flow.use_case}'",
                        flow.use_case,
                        f"{rate} each calling {targets}: {pressure:.0%} of the threshold, {LOCAL_COPY_FROM:,.0f} calls/s"
                        + _threshold_said(flow.use_case in checking or flow.use_case in kept, services),
                        _decoupling(
                            use_case,
                            use_case.name in answered or use_case.name in modelled,
                            services=services,
                            lag=_lag(arch, use_case.name),
                            kept=kept.get(flow.use_case, ""),
                        ),
                    ),
                )
            )
    return found


#: Cache strategies that answer a whole request, so its calls are made on misses only.
ANSWERING_CACHES = frozenset({"cache-aside", "cdn", "http"})


def _answered_share(known: dict[str, float], use_case_id: str, cdn: bool) -> float:
    """The share of a path's requests its caches answer: the cache's hit ratio, and behind a CDN the origin cache's on what passes.

    >>> _answered_share({"cache.hit_ratio.a": 0.6, "cache.origin.hit_ratio.a": 0.5}, "a", True)
    0.8
    >>> _answered_share({"cache.hit_ratio.a": 0.6}, "a", False), _answered_share({}, "a", False)
    (0.6, 0.0)
    """
    edge = known.get(f"cache.hit_ratio.{use_case_id}", 0.0)
    origin = known.get(f"cache.origin.hit_ratio.{use_case_id}", 0.0) if cdn else 0.0
    return 1 - (1 - edge) * (1 - origin)


def _threshold_said(checks: bool, services: bool) -> str:
    """What the threshold means for the path: the rate its reference or membership checks were decided by, or, for other
    calls, the same rate read as what it is (the calls/s from which a cache or a copy is weighed), never a count of
    instances, which depends on the callee's runtime."""
    if checks:
        return " (the rate from which decision `reference-checks` and its membership rules weigh a local copy against the call)"
    return " (the calls/s from which a cache or an event-fed local copy is weighed against the calls)" if services else ""


def _lag(arch: Architecture, use_case: str) -> str:
    """How late the store serving ``use_case`` sees a write (``read_lag.lag_said``), or empty where it reads what is written."""
    lagging = lagging_server(arch, use_case)
    return lag_said(lagging) if lagging is not None else ""


def _decoupling(use_case: UseCase, cached: bool, services: bool, lag: str = "", kept: str = "") -> str:
    """What takes a synchronous call off a hot path, as the caching decision left it: a path it caches already is not
    offered a cache again, and one that must read current data (strong consistency, a write) is offered neither a cache
    nor a copy; one whose membership call the membership rules kept (``kept``, its words) is offered no copy either.
    ``services``: it calls other services (a copy of their data can move in), not only a store of its own (a
    search engine, an analytics store), which answers the query and can only be asked less often. A path served by a store
    fed from change events (``lag``) is not current whatever the spec asked, so it is never said to read current data."""
    if cached:
        return "its answers are cached or precomputed already (see its cache decision): batch the calls it still makes into one" + (
            ", or keep an event-fed local copy" if services and not kept else ""
        )
    if kept:
        then = (
            "batch the calls into one per request (it must read current data: no cache)"
            if use_case.is_write or use_case.spec.consistency == "strong"
            else "cache the callee's answers (the use case tolerates staleness)"
        )
        return f"the membership rules of decision `reference-checks` keep the call: {kept}; {then}"
    if lag and not use_case.is_write and not services:
        return f"one query a request, sized for the peak (its answers are {lag}; a cache would add its TTL to that lag)"
    if use_case.is_write or use_case.spec.consistency == "strong":
        if services:
            return (
                "batch the calls into one per request, or move the data the path reads into the calling service (it must read current data: no cache or copy)"
            )
        return "one query a request, sized for the peak (it must read current data: no cache)"
    if services:
        return "cache the callee's answers, or keep an event-fed local copy (the use case tolerates staleness)"
    return "cache its answers (the use case tolerates staleness)"


def call_chains(spec: Spec, arch: Architecture) -> list[Pressure]:
    """A request whose synchronous hops exceed its latency budget (from its row's home region, or, under active-active, from another
    region: ``latency.far_region_ms``), or whose parts multiply below the availability target."""
    target = spec.scale.availability
    found = []
    far_region = {f.scope: f for f in arch.figures if f.key.startswith("latency.far_region_ms.")}
    for flow in arch.flows:
        if flow.latency_budget_ms and flow.expected_latency_ms > flow.latency_budget_ms * 0.8:
            largest = max(flow.latency_parts, key=lambda p: p.ms, default=None)
            found.append(
                (
                    flow.expected_latency_ms / flow.latency_budget_ms,
                    _b(
                        f"Latency of '{flow.use_case}'",
                        flow.use_case,
                        f"expected {flow.expected_latency_ms:,.1f} ms of a {flow.latency_budget_ms:,.0f} ms budget"
                        + (f"; the largest part: {largest.part} {largest.ms:,.1f} ms" if largest else ""),
                        "move slow hops (external calls) after the response: accept, enqueue, and notify when done"
                        if flow.depth
                        else "cache the read or serve it from memory; a write that must wait for a standby needs a budget above its commit",
                    ),
                )
            )
        far = far_region.get(flow.use_case)
        if far is not None and flow.latency_budget_ms and far.value > flow.latency_budget_ms * 0.8:
            # active-active: a caller outside the row's home region sends the request across the round trip (region_homes)
            found.append(
                (
                    far.value / flow.latency_budget_ms,
                    _b(
                        f"Latency of '{flow.use_case}' from another region",
                        flow.use_case,
                        f"expected {far.value:,.1f} ms from a region other than its row's home (the {far.inputs['inter_region_rtt_ms']:,.0f} ms "
                        f"round trip on {far.inputs['expected_ms']:,.1f} ms) of a {flow.latency_budget_ms:,.0f} ms budget",
                        "home each row in the region of most of its writers (move a row's home when its writers move), or give callers "
                        "elsewhere a budget above the round trip",
                        far.key,
                    ),
                )
            )
        if target and flow.availability < target:
            found.append(
                (
                    (1 - flow.availability) / (1 - target),
                    _b(
                        f"Availability of '{flow.use_case}'",
                        flow.use_case,
                        f"{flow.depth} synchronous dependencies give {flow.availability:.4%}, below the {target:.4%} target",
                        "make the dependency asynchronous or degrade gracefully without it (cached answer, queued request)",
                    ),
                )
            )
    return found


def external_limits(spec: Spec, arch: Architecture) -> list[Pressure]:
    """An external system's own rate limit caps what our use cases may send it."""
    figures = {f.key: f.value for f in arch.figures}
    found = []
    for name, external in spec.external.items():
        calls = figures.get(f"qps.peak.external.{name}")
        if external.rate_limit and calls:
            limit = external.rate_limit.per_second
            found.append(
                (
                    calls / limit,
                    _b(
                        f"Rate limit of {name}",
                        name,
                        f"{calls:,.1f} calls/s at peak against its limit of {external.rate_limit.text}",
                        "queue calls and send them at the allowed rate; batch where the API allows it",
                        f"qps.peak.external.{name}",
                    ),
                )
            )
    return found


def read_step(arch: Architecture) -> str:
    """What comes after the read mechanisms the design runs now: a cache or a replica already built is never offered as the next step."""
    cached = sum(1 for c in arch.caches if c.strategy != "none")
    replicas = read_replicas(arch) or 0.0
    if replicas:
        spare = standbys(arch) or 0.0
        return (
            f"the design serves {REPLICA_READS} from {copies_said(spare, replicas - spare)} now"
            f"{f' and caches {cached} read path(s)' if cached else ''}: add read replicas as reads grow "
            f"(for {REPLICA_READS}), then shard the busiest tables so each shard's primary and replicas carry a share"
        )
    if cached:
        return f"add read replicas for {REPLICA_READS} ({cached} read path(s) are cached already)"
    return f"cache hot paths, then add read replicas for {REPLICA_READS}"


def write_step(arch: Architecture) -> str:
    """What comes after the write mechanisms the design runs now: tables it shards already are named as built, not offered."""
    tables = [t for s in arch.datastores for t in s.tables if t.sharding is not None]
    # each table's own timing (the growth stage's statement): one built now does not make another's later shards "now"
    now = sorted(t.name for t in tables if t.sharding is not None and t.sharding.now)
    later = sorted(t.name for t in tables if t.name not in now)
    if tables:
        built = f"the design shards {', '.join(now)} now" if now else "the design shards no table now"
        staged = f" ({', '.join(later)} at the sharding stage)" if later else ""
        return (
            f"{built}{staged}: batch writes, then shard the hottest table still on the unsharded primary by its "
            "dominant key, and add shards to a map as its writes grow"
        )
    # the sharding decision's threshold for a primary's writes; time partitions are no remedy (they add no write capacity)
    return (
        f"batch writes; once the primary's writes pass {WRITE_HEADROOM:.0%} of {PRIMARY_WRITE_CEILING:,}/s, shard the hottest table by its "
        "dominant key (time partitions add no write capacity)"
    )


def connections_step(arch: Architecture) -> str:
    """What comes after the pooler the design deploys with the primary: the busy connections are concurrent transactions it cannot share."""
    return (
        f"{POOLER} runs in front of the primary now (it shares idle client connections, not busy ones): "
        f"next, {'more ' if read_replicas(arch) else ''}read replicas (each behind its own pool) for {REPLICA_READS}, "
        "then a larger primary (max_connections grows with memory), then shard the busiest tables"
    )


def outlook(arch: Architecture) -> list[Pressure]:
    """At ten times today's peak, which resource runs out first, and by how much."""
    figures = {f.key: f.value for f in arch.figures}
    writes = figures.get("db.write_utilisation", figures.get("qps.peak.write", 0.0) / PRIMARY_WRITE_CEILING)
    reads = figures.get("db.read_utilisation", figures.get("qps.peak.read", 0.0) / PRIMARY_READ_CEILING)
    candidates = [
        # what reaches the busiest database (after caches, read models and values kept in memory), when the design sized it
        ("database primary writes", GROWTH_OUTLOOK * writes, write_step(arch)),
        ("database primary reads", GROWTH_OUTLOOK * reads, read_step(arch)),
    ]
    services = {s.name for s in arch.services}
    for key, value in figures.items():
        # database connections of a service against PostgreSQL's usual max_connections; the real-time gateway's client
        # connections (connections.realtime) are held by gateway nodes that scale out, not by the database
        if key.startswith("connections.") and key.split(".", 1)[1] in services:
            candidates.append((f"connections of {key.split('.', 1)[1]}", GROWTH_OUTLOOK * value / 500, connections_step(arch)))
    name, pressure, step = max(candidates, key=lambda c: c[1])
    trigger = f"at {GROWTH_OUTLOOK}x today's peak, {name} reach {pressure:.0%} of capacity; instances scale out horizontally before that"
    return [(pressure / GROWTH_OUTLOOK, _b(f"First to saturate at {GROWTH_OUTLOOK}x load: {name}", "system", trigger, step))]


def redis_operations(arch: Architecture) -> list[Pressure]:
    """The shared Redis past one shard's operations: its operations/s at peak (one per key read or written, ``redis.ops.peak``)
    against the shards it is sized to (``redis.shards``), with the largest term named, the one a change would move most."""
    figures = {f.key: f for f in arch.figures}
    ops, shards = figures.get("redis.ops.peak"), figures.get("redis.shards")
    if ops is None or shards is None or ops.value <= REDIS_NODE_OPS or not ops.inputs:
        return []
    capacity = shards.value * REDIS_NODE_OPS
    term, largest = max(ops.inputs.items(), key=lambda kv: (kv[1], kv[0]))
    trigger = (
        f"{fmt(ops.value)} operations/s at peak, one per key read or written = {ops.value / capacity:.0%} of {shards.value:,.0f} shard(s) x "
        f"{REDIS_NODE_OPS:,.0f}/s; the largest term {term}: {fmt(largest)}/s ({largest / ops.value:.0%})"
    )
    step = (
        "add shards as operations grow (Redis Cluster moves hash slots online); keep the hottest keys' reads in an in-process cache "
        "in front of Redis, or read them from each shard's replicas"
    )
    return [(ops.value / capacity, _b("Operations on the shared Redis", "redis", trigger, step, ops.key))]
