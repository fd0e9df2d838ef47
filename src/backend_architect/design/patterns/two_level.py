"""PAT060: an in-process cache (L1) in each instance in front of the shared cache (L2), where one path's hot keys make Redis the cost."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.overrides import honoured, override_for, overruled
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._cache_figures import held_keys, hit_ratio
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import REDIS_NODE_OPS, decision, figure, figures, fmt, owner_of, size
from backend_architect.design.patterns.caching import CACHE_ENTRY_BYTES
from backend_architect.ir.model import Architecture, CachePlan, Decision, Figure
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec

#: Share of a path's reads that land on its hot keys (the same power law that makes ``HOT_SHARE`` of the keys hot: 80/20).
HOT_READ_SHARE = 0.8
#: Reads/s of one key above which that key's Redis shard is the limit: a key lives on one shard, so adding shards does not spread it.
HOT_KEY_READS = 0.1 * REDIS_NODE_OPS
#: Reads/s a path sends to the shared cache above which its round trips (a network hop each) are worth taking off it.
L2_MIN_READS = 1_000.0
#: Share of a path's reads an instance's own memory must answer for the L1 to earn its invalidation traffic.
L1_MIN_HIT = 0.5
#: Memory each instance gives its L1, all paths together: the hot set must fit, or it would evict itself.
L1_MEMORY_BYTES = 256 * 2**20
#: An L1 entry's longest life; invalidations over pub/sub drop it sooner on writes.
L1_MAX_TTL_S = 5.0


@dataclass(frozen=True)
class _Numbers:
    """The figures the decision is taken from, for one cached read path."""

    use_case: UseCase
    plan: CachePlan
    #: The path's keys, where its cache record states them; None where only the held (hot) keys are known.
    keys: float | None
    #: The hot keys the shared cache holds (its hit ratio's ``hot_keys``): the keys an L1 must hold to answer the hot reads.
    hot: int
    instances: float
    ttl: float
    #: Reads/s at peak that reach the shared cache: the path's peak, or behind a CDN the reads it passes on (its misses).
    peak: float = 0.0
    #: Writes/s at peak that delete the path's keys: each drops every instance's copy too (pub/sub), a miss per instance.
    writes: float = 0.0

    @property
    def behind_cdn(self) -> bool:
        return self.plan.strategy == "cdn"

    @property
    def one_key(self) -> bool:
        """Every read asks for the same key (a menu, a single settings row): no cold reads pass the L1."""
        return self.hot <= 1 and (self.keys is None or self.keys <= 1)

    @property
    def share(self) -> float:
        """Share of the path's reads that ask for a key the L1 holds: all with one key, else the hot share."""
        return 1.0 if self.one_key else HOT_READ_SHARE

    @property
    def key_reads(self) -> float:
        """Reads/s of one hot key: the path's reads when there is one key, else the hot share over the hot keys the cache holds."""
        return self.peak * self.share / self.hot

    @property
    def hit(self) -> float:
        """Share of the path's reads answered from the instance's memory: the held keys' share of the reads times the ratio
        every cache states (``hit_ratio``) over the held keys, for the reads one instance sees: one miss per key, instance
        and L1 TTL, and one per write deleting the key."""
        return self.share * hit_ratio(self.peak * self.share / self.instances, self.ttl, self.hot, self.writes)

    @property
    def bytes(self) -> float:
        return self.hot * CACHE_ENTRY_BYTES


@pattern(code="PAT060", name="two-level-cache", stage="caching", title="Keep a path's hot keys in each instance's memory in front of the shared cache")
def two_level_cache(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A read path cached in the shared cache (cache-aside in Redis, PAT002) whose entries may be
    stale for a TTL, when its hot set (hot keys x entry bytes) fits in ``L1_MEMORY_BYTES`` of
    each instance and either one key's reads pass ``HOT_KEY_READS`` (a key lives on one Redis
    shard: more shards do not spread it), or the path sends Redis over ``L2_MIN_READS`` reads/s
    and each instance's memory would answer at least ``L1_MIN_HIT`` of them. A page the writers
    keep current (write-through) never gets one: a copy per instance would miss their writes.

    ## What it adds
    An in-process LRU cache per instance (L1) of at most the hot keys, entries living
    min(``L1_MAX_TTL_S``, the path's TTL), in front of Redis (L2); the writes that delete the
    Redis keys also publish them on a Redis pub/sub channel every instance listens to, so
    each drops its copy. Figures: reads of one hot key, the L1 hit ratio, its memory per
    instance and the Redis reads it removes.

    ## What it costs
    Memory per instance = hot keys x entry bytes; an entry may be up to the L1 TTL older
    than Redis when an invalidation is lost; L1 hit = hot share x n / (n + 1 + w), the ratio
    every cache states (``_cache_figures.hit_ratio``), with n the reads of one hot key an
    instance sees per L1 TTL (key reads / instances x L1 TTL) and w the writes deleting it.
    The hot keys are those the shared cache holds (its hit ratio's ``hot_keys``), the count
    its memory is sized on: an L1 whose hot set does not fit an instance is not built.

    ## Alternatives
    Redis alone (every read a round trip, a hot key on one shard); Redis read replicas for
    hot keys (more nodes, still a round trip); a CDN (public reads only).

    ## References
    Stack Overflow, "Stack Overflow: The Architecture - 2016 Edition" (L1 in-memory, L2
    Redis); Facebook, "Scaling Memcache at Facebook" (NSDI 2013), leases and hot keys.
    """
    known = figures(arch)
    records = {d.id: d for d in arch.decisions}
    plans = {c.use_case: c for c in arch.caches}
    system_instances = known.get(f"instances.deployable.{arch.system}")
    chosen: list[str] = []
    shared = next((c for c in arch.components if c.name == "redis"), None)
    redis_ops: dict[str, float] = {}
    for use_case in analysis.use_cases:
        plan = plans.get(use_case.name)
        # a CDN in front with a shared cache behind it: the reads it passes on reach Redis, from every instance alike
        behind = plan is not None and plan.strategy == "cdn" and plan.origin_ttl_seconds is not None
        if plan is None or not (plan.strategy == "cache-aside" or behind) or plan.write_through or not plan.ttl_seconds:
            continue
        peak = known.get(f"cache.origin.reads.{use_case.id}", use_case.peak_qps) if behind else use_case.peak_qps
        ttl = plan.origin_ttl_seconds if behind and plan.origin_ttl_seconds else plan.ttl_seconds
        record = records.get(f"cache.{use_case.id}")
        held = held_keys(arch.figures, use_case.id, behind)
        if held is None:
            yield Skipped(use_case.name, "its shared cache states no hot keys (no hit ratio over the keys it holds): an L1 would be sized on a guess")
            continue
        keys = record.inputs.get("keys") if record else None
        writes = record.inputs.get("writes_per_s", 0.0) if record else 0.0
        service = owner_of(arch, use_case.entity)
        instances = system_instances or known.get(f"instances.{service}", 1.0)
        numbers = _Numbers(use_case, plan, keys, max(1, math.ceil(held)), max(1.0, instances), min(L1_MAX_TTL_S, ttl), peak, writes)
        reason = _why_not(numbers)
        override = override_for(spec, f"cache.l1.{use_case.id}", (two_level_cache.code, two_level_cache.name))
        build = (reason is None or (override is not None and override.force)) and not (override is not None and override.forbid)
        if override is None and not build:
            yield Skipped(use_case.name, reason or "")
            continue
        made = _decision(numbers, reason, build)
        if override is not None:
            made = honoured(made, override) if build == (reason is None) else overruled(made, override, _choice(numbers, build))
        if not build:
            yield Applied(made)
            continue
        chosen.append(use_case.name)
        redis_ops |= l1_operations(
            use_case.id, numbers.peak * numbers.hit, shared.operations.get(f"cache_deletes_{use_case.id}", 0.0) if shared else 0.0, numbers.instances
        )
        yield Applied(made, caches=(_layered(numbers),), figures=tuple(_figures(numbers)))
    if chosen:
        purpose = f"pub/sub invalidation of each instance's in-process cache (L1) for {', '.join(chosen)}"
        redis = Component(name="redis", kind="cache", technology=named(spec, "redis"), purpose=purpose, use_cases=chosen, operations=redis_ops)
        yield Applied(None, components=(redis,))


def l1_operations(uid: str, l1_hits: float, deletes: float, instances: float) -> dict[str, float]:
    """What an L1 changes in the shared Redis's operations, one per key: the GETs it answers no longer reach Redis (merged into the
    path's ``cache_gets_`` term, which then counts the reads the L1 misses), and each write deleting the key publishes it once and
    Redis writes that message out to every instance subscribed.

    >>> sorted(l1_operations("feed", 900.0, 2.0, 6.0).items())
    [('cache_gets_feed', -900.0), ('l1_invalidation_deliveries_feed', 12.0), ('l1_invalidations_feed', 2.0)]
    """
    ops = {f"cache_gets_{uid}": -l1_hits}
    if deletes:
        ops |= {f"l1_invalidations_{uid}": deletes, f"l1_invalidation_deliveries_{uid}": deletes * instances}
    return ops


def _why_not(n: _Numbers) -> str | None:
    """The number that says no, or None when the L1 applies."""
    if n.bytes > L1_MEMORY_BYTES:
        return f"its hot set ({fmt(n.hot)} keys x {size(CACHE_ENTRY_BYTES)} = {size(n.bytes)}) does not fit {size(L1_MEMORY_BYTES)} of an instance's memory"
    peak = n.peak
    if n.key_reads >= HOT_KEY_READS:
        return None
    if peak >= L2_MIN_READS and n.hit >= L1_MIN_HIT:
        return None
    if peak < L2_MIN_READS:
        return (
            f"{fmt(n.key_reads)} reads/s of a hot key (< {fmt(HOT_KEY_READS)}) and {fmt(peak)} reads/s to Redis{_after_cdn(n)} "
            f"(< {fmt(L2_MIN_READS)}): Redis alone serves it"
        )
    return (
        f"{fmt(n.key_reads)} reads/s of a hot key (< {fmt(HOT_KEY_READS)}) of {fmt(n.peak)} reads/s to Redis{_after_cdn(n)} over {fmt(n.instances)} "
        "instances: each instance's memory would answer "
        f"{n.hit:.0%} of its reads (< {L1_MIN_HIT:.0%}) within a {fmt(n.ttl)}s TTL"
    )


def _held(n: _Numbers) -> str:
    """The keys the shared cache holds, as its hit ratio counts them (with the path's keys where its record states them)."""
    return f"{fmt(n.keys)} keys ({fmt(n.hot)} hot)" if n.keys is not None else f"{fmt(n.hot)} hot keys held"


def _after_cdn(n: _Numbers) -> str:
    """Where the reads reaching Redis come from, when a CDN answers part of the path first."""
    return f" (the reads the CDN in front passes on, of {fmt(n.use_case.peak_qps)}/s)" if n.behind_cdn else ""


def _choice(n: _Numbers, build: bool) -> str:
    if not build:
        return "Redis alone: no in-process cache in front of it"
    return f"two levels: an in-process LRU (L1) of {_entries(n.hot)} for {fmt(n.ttl)}s in each instance, in front of Redis (L2)"


def _entries(count: int) -> str:
    return f"{fmt(count)} entr{'y' if count == 1 else 'ies'}"


def _decision(n: _Numbers, reason: str | None, build: bool) -> Decision:
    use_case = n.use_case
    rationale = (
        reason
        if reason is not None
        else f"{fmt(n.key_reads)} reads/s of a hot key ({'>=' if n.key_reads >= HOT_KEY_READS else '<'} {fmt(HOT_KEY_READS)} a key's shard takes), "
        f"{fmt(n.peak)} reads/s to Redis{_after_cdn(n)} over {fmt(n.instances)} instances: each instance's memory answers {n.hit:.1%} of them; the hot set "
        f"({size(n.bytes)}) fits {size(L1_MEMORY_BYTES)} of an instance"
    )
    return decision(
        f"cache.l1.{use_case.id}",
        f"In-process cache (L1) for {use_case.name}",
        "caching",
        _choice(n, build),
        f"{fmt(n.peak)} reads/s at peak cached in Redis{_after_cdn(n)}, {_held(n)}, {fmt(n.instances)} instances, TTL {fmt(n.plan.ttl_seconds or 0)}s",
        rationale,
        alternatives=[
            ("Redis alone", f"every one of {fmt(n.peak)} reads/s is a round trip; a hot key's {fmt(n.key_reads)} reads/s land on one shard")
            if build
            else ("two levels (in-process L1 in front of Redis)", reason or ""),
            ("Redis read replicas for hot keys", "more nodes to run, and every read is still a network round trip"),
        ],
        consequences=(
            f"an entry may be up to {fmt(n.ttl)}s older than Redis when an invalidation is lost; {size(n.bytes)} of each instance's memory" if build else ""
        ),
        subject=use_case.name,
        inputs={"peak_reads_per_s": n.peak, "hot_keys": n.hot, "hot_key_reads_per_s": n.key_reads, "instances": n.instances, "l1_ttl_s": n.ttl},
    )


def _layered(n: _Numbers) -> CachePlan:
    """The path's plan with its L1: bounded size, short TTL, pub/sub invalidation beside the Redis delete."""
    plan = n.plan
    return plan.model_copy(
        update={
            "l1_ttl_seconds": n.ttl,
            "l1_entries": n.hot,
            "invalidation": f"{plan.invalidation}; the same writes publish the keys on a Redis pub/sub channel and every instance drops its L1 copy; "
            f"an L1 entry lives {fmt(n.ttl)}s at most",
            "protection": f"{plan.protection}; an in-process LRU (L1) of at most {_entries(n.hot)} in each instance in front of Redis (L2) takes "
            f"the hot keys' reads off one shard",
        }
    )


def _figures(n: _Numbers) -> list[Figure]:
    scope = f"use case '{n.use_case.name}'"
    uid = n.use_case.id
    peak = n.peak
    key_reads = (
        figure(
            f"cache.key_reads.{uid}", f"reads/s of one hot key of {n.use_case.name}", n.key_reads, "req/s", "peak / keys", {"peak": peak, "keys": 1.0}, scope
        )
        if n.one_key
        else figure(
            f"cache.key_reads.{uid}",
            f"reads/s of one hot key of {n.use_case.name}",
            n.key_reads,
            "req/s",
            "peak x hot_read_share / hot_keys",
            {"peak": peak, "hot_read_share": HOT_READ_SHARE, "hot_keys": n.hot},
            scope,
        )
    )
    return [
        key_reads,
        figure(
            f"cache.l1.hit_ratio.{uid}",
            f"share of {n.use_case.name} answered from an instance's memory (L1)",
            n.hit,
            "ratio",
            "share x n / (n + 1 + w) with n = key_reads / instances x l1_ttl_s, w = writes_per_s x l1_ttl_s / hot_keys",
            {"share": n.share, "key_reads": n.key_reads, "instances": n.instances, "l1_ttl_s": n.ttl, "writes_per_s": n.writes, "hot_keys": float(n.hot)},
            scope,
        ),
        figure(
            f"cache.l1.bytes.{uid}",
            f"in-process cache (L1) memory per instance for {n.use_case.name}",
            n.bytes,
            "bytes",
            "hot_keys x entry_bytes",
            {"hot_keys": n.hot, "entry_bytes": CACHE_ENTRY_BYTES},
            scope,
        ),
        figure(
            f"cache.l1.redis_reads_removed.{uid}",
            f"Redis reads the in-process cache removes for {n.use_case.name}",
            peak * n.hit,
            "req/s",
            "peak x l1_hit_ratio",
            {"peak": peak, "l1_hit_ratio": n.hit},
            scope,
        ),
    ]
