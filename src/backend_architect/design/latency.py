"""Each flow's expected latency, from what the request does: the edge, the service, every store it touches, and its hops.

The communication stage times the hops between services and to externals (``call_chains``).
A request also passes the load balancer, does its own work, and reads or writes stores; a
flow that only touches its own database is not free. This stage, run once the caches, the
mechanisms, the shards and the availability plan are decided, adds one term per part, each
an assumed per-operation figure listed under Assumptions (``PER_OPERATION``) and weighted by
what the design decided (a cache's hit ratio, the share of a path a mechanism's store
answers, a read over every shard). The sum is ``Flow.expected_latency_ms``; its terms are
``Flow.latency_parts``; the bottleneck stage compares it with the use case's budget.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.ir.model import Architecture, CachePlan, Flow, LatencyPart, Table
from backend_architect.ir.runtime import Mechanism
from backend_architect.spec.model import Spec

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
#: A read sent to every shard waits for the slowest: each doubling of the shards adds this share of one shard's time.
SCATTER_TAIL_SHARE = 0.25

#: The assumed per-operation figures, as the Assumptions list states them.
PER_OPERATION = (
    f"edge (load balancer) {EDGE_MS:g} ms, service work {SERVICE_MS:g} ms, CDN hit {CDN_HIT_MS:g} ms, in-process cache hit {L1_HIT_MS:g} ms, "
    f"Redis round trip {CACHE_MS:g} ms, indexed read {INDEXED_READ_MS:g} ms, index range page {RANGE_PAGE_MS:g} ms, commit with fsync "
    f"{COMMIT_MS:g} ms (+{SYNC_REPLICA_MS:g} ms for a synchronous standby), search engine query {SEARCH_MS:g} ms, column store query "
    f"{ANALYTICS_MS:g} ms; a read over N shards takes one shard's time x (1 + {SCATTER_TAIL_SHARE:g} x log2 N)"
)

_STORE_MS = {"search-engine": SEARCH_MS, "analytics": ANALYTICS_MS, "warehouse": ANALYTICS_MS}


def derive_latency(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every flow with its expected latency as the sum of its parts, and the per-operation figures among the assumptions."""
    by_name = {u.name: u for u in analysis.use_cases}
    flows = [_timed(arch, by_name[f.use_case], f) if f.use_case in by_name else f for f in arch.flows]
    line = f"latency per operation: not measured; assumed {PER_OPERATION}"
    assumptions = arch.assumptions if line in arch.assumptions else [*arch.assumptions, line]
    return arch.model_copy(update={"flows": flows, "assumptions": assumptions})


def _timed(arch: Architecture, use_case: UseCase, flow: Flow) -> Flow:
    hops = flow.expected_latency_ms if not flow.latency_parts else sum(p.ms for p in flow.latency_parts if p.part.startswith("synchronous hop"))
    parts = [] if use_case.is_job else [LatencyPart(part="edge (load balancer)", ms=EDGE_MS)]
    parts.append(LatencyPart(part="service work", ms=SERVICE_MS))
    parts += _store_parts(arch, use_case)
    if hops:
        parts.append(LatencyPart(part=f"synchronous hop(s) to other services and externals ({flow.depth})", ms=hops))
    return flow.model_copy(update={"latency_parts": parts, "expected_latency_ms": round(sum(p.ms for p in parts), 3)})


def _store_parts(arch: Architecture, use_case: UseCase) -> list[LatencyPart]:
    """What the request spends in stores: its reads through the caches and mechanisms, or its write."""
    mechanisms = [m for m in arch.mechanisms if m.use_case == use_case.name]
    if use_case.is_write:
        return _write_parts(arch, use_case, [m for m in mechanisms if m.serves == "write"])
    served = [m for m in mechanisms if m.serves == "read"]
    database_share = min((m.database_share for m in served), default=1.0)
    origin = [LatencyPart(part=f"{m.store}: {m.how.split(' (')[0]}", ms=_STORE_MS.get(m.store, CACHE_MS)) for m in served]
    if database_share > 0:
        what, ms = _database_read(arch, use_case)
        origin.append(LatencyPart(part=what if database_share >= 1 else f"{what}, for {database_share:.0%} of reads", ms=ms * database_share))
    plan = next((c for c in arch.caches if c.use_case == use_case.name), None)
    return _through_caches(arch, use_case, plan, origin)


def _through_caches(arch: Architecture, use_case: UseCase, plan: CachePlan | None, origin: list[LatencyPart]) -> list[LatencyPart]:
    """The origin's parts weighted by the misses of the caches in front of it (CDN, L1, Redis): expected = hit x hit time + miss x (lookup + origin)."""
    if plan is None or plan.strategy not in {"cdn", "cache-aside", "read-model"}:
        return origin
    if plan.strategy == "read-model":
        return origin or [LatencyPart(part="read model in Redis", ms=CACHE_MS)]
    known = {f.key: f.value for f in arch.figures}
    hit = known.get(f"cache.hit_ratio.{use_case.id}", 0.0)
    miss = 1 - hit
    origin_ms = sum(p.ms for p in origin)
    if plan.strategy == "cdn":
        return [LatencyPart(part=f"CDN: {hit:.1%} hits", ms=hit * CDN_HIT_MS), LatencyPart(part=f"origin on a CDN miss ({miss:.1%})", ms=miss * origin_ms)]
    l1 = known.get(f"cache.l1.hit_ratio.{use_case.id}", 0.0) if plan.l1_ttl_seconds else 0.0
    parts = [LatencyPart(part=f"in-process cache (L1): {l1:.1%} hits", ms=l1 * L1_HIT_MS)] if plan.l1_ttl_seconds else []
    # the Redis hit ratio counts reads that reach Redis: those the L1 answered never do
    parts.append(LatencyPart(part=f"Redis: {hit:.1%} hits", ms=(1 - l1) * CACHE_MS))
    parts.append(LatencyPart(part=f"database on a cache miss ({miss:.1%})", ms=(1 - l1) * miss * origin_ms))
    return parts


def _write_parts(arch: Architecture, use_case: UseCase, direct: list[Mechanism]) -> list[LatencyPart]:
    """A write kept in a mechanism's store (no transaction), or a commit, with a read of the row first when it changes one."""
    parts = [LatencyPart(part=f"{m.store}: {m.how.split(' (')[0]}", ms=_STORE_MS.get(m.store, CACHE_MS)) for m in direct if m.publish == "direct"]
    if parts:
        return parts
    if use_case.kind not in {"create", "job"}:
        parts.append(LatencyPart(part="indexed read of the row it changes", ms=INDEXED_READ_MS))
    synchronous = arch.availability is not None and arch.availability.rpo_seconds == 0 and "synchronous" in arch.availability.database
    parts.append(LatencyPart(part="commit (write-ahead log fsync)", ms=COMMIT_MS))
    if synchronous:
        parts.append(LatencyPart(part="synchronous standby's acknowledgement", ms=SYNC_REPLICA_MS))
    return parts


def _database_read(arch: Architecture, use_case: UseCase) -> tuple[str, float]:
    """The read the database does for the use case: one row by an index, or a page of a range; over every shard when not by its key."""
    table = _table(arch, use_case.entity)
    one = use_case.kind != "list"
    what, ms = ("indexed read", INDEXED_READ_MS) if one else ("index range page", RANGE_PAGE_MS)
    if table is None or table.sharding is None or one:
        return what, ms
    columns = {f.column for f in use_case.filters if f.column and not f.joined}
    if table.sharding.key in columns:
        return f"{what} on one shard ({table.sharding.key})", ms
    shards = next((f.value for f in arch.figures if f.key == f"db.shards.{table.name}"), 1.0)
    if shards <= 1:
        return what, ms
    factor = 1 + SCATTER_TAIL_SHARE * math.log2(shards)
    return f"{what} over {shards:,.0f} shards (not by {table.sharding.key})", ms * factor


def _table(arch: Architecture, entity: str) -> Table | None:
    return next((t for s in arch.datastores for t in s.tables if t.entity == entity), None)
