"""Stage 6: a caching verdict per read path, with the number behind it.

Public reads that may be stale go to HTTP caching (and a CDN when hot); hot reads
that may be stale go to a shared cache-aside store; everything else is served by
the database, and the verdict says why that suffices.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Architecture, CachePlan, Figure
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: Below this many reads/s of one path, a cache saves less than it costs to run and invalidate.
CACHE_MIN_READ_QPS = 50.0
#: Public reads above this many per second are worth a CDN in front.
CDN_MIN_READ_QPS = 200.0
#: Bytes one cached response takes, with key and allocator overhead.
CACHE_ENTRY_BYTES = 2_048
#: Share of rows that are hot: reads on most systems follow a power law (80/20 or steeper).
HOT_SHARE = 0.2


def _hit_figures(key: str, name: str, peak: float, ttl: float, keys: int, writes: float) -> list[Figure]:
    """Expected hit ratio (one miss per key per TTL and per invalidating write) and the reads it takes off the database."""
    reads_per_key = peak * ttl / keys
    writes_per_key = writes * ttl / keys
    ratio = reads_per_key / (reads_per_key + 1 + writes_per_key) if reads_per_key else 0.0
    scope = f"use case '{name}'"
    inputs = {"peak": peak, "ttl_s": ttl, "hot_keys": keys, "writes_per_s": writes}
    return [
        Figure(
            key=f"cache.hit_ratio.{key}",
            quantity=f"expected cache hit ratio of {name}",
            value=ratio,
            unit="ratio",
            formula="r / (r + 1 + w) with r = peak x ttl_s / hot_keys, w = writes_per_s x ttl_s / hot_keys",
            inputs=inputs,
            scope=scope,
        ),
        Figure(
            key=f"cache.db_reads_removed.{key}",
            quantity=f"database reads the cache removes for {name}",
            value=peak * ratio,
            unit="req/s",
            formula="peak x hit_ratio",
            inputs={"peak": peak, "hit_ratio": ratio},
            scope=scope,
        ),
    ]


def derive_caching(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """A ``CachePlan`` per read use case, and cache size figures."""
    plans: list[CachePlan] = []
    figures: list[Figure] = []
    rows = {t.entity: t.rows_now for store in arch.datastores for t in store.tables if t.entity}
    known = {f.key: f.value for f in arch.figures}
    decided = {c.use_case: c for c in arch.caches}
    for use_case in analysis.use_cases:
        if use_case.is_write or use_case.kind == "job":
            continue
        if use_case.name in decided:  # served by a read model a pattern chose
            plans.append(decided[use_case.name])
            continue
        staleness = use_case.spec.staleness
        qps = use_case.peak_qps
        public = use_case.spec.auth == "none"
        key = f"{use_case.entity.lower()}:{use_case.id}:{{params}}"
        if staleness is None or (use_case.spec.consistency == "strong" and staleness == 0):
            plan = CachePlan(use_case=use_case.name, strategy="none", rationale="no staleness allowed (no 'staleness' given): reads go to the database")
        elif qps < CACHE_MIN_READ_QPS:
            plan = CachePlan(
                use_case=use_case.name,
                strategy="http" if public else "none",
                ttl_seconds=staleness if public else None,
                rationale=f"{qps:.1f} req/s at peak is under {CACHE_MIN_READ_QPS:g} req/s: the database serves it"
                + ("; Cache-Control lets browsers reuse responses" if public else ""),
            )
        elif public and qps >= CDN_MIN_READ_QPS:
            plan = CachePlan(
                use_case=use_case.name,
                strategy="cdn",
                ttl_seconds=staleness,
                key=key,
                invalidation="TTL expiry; purge by surrogate key on writes",
                protection="the CDN collapses concurrent misses per key (request coalescing); stale-while-revalidate hides refreshes",
                rationale=f"public and {qps:.0f} req/s at peak (>= {CDN_MIN_READ_QPS:g}): a CDN absorbs it at the edge for {staleness:g}s",
            )
        else:
            plan = CachePlan(
                use_case=use_case.name,
                strategy="cache-aside",
                ttl_seconds=staleness,
                key=key,
                invalidation=f"delete the keys on writes to {use_case.entity} (from its events); TTL {staleness:g}s bounds staleness",
                protection="single-flight recompute per key on a miss, TTL jitter of +-10% against synchronized expiry, "
                "and a small in-process cache for the hottest keys",
                rationale=f"{qps:.0f} req/s at peak (>= {CACHE_MIN_READ_QPS:g}) and staleness of {staleness:g}s allowed",
            )
        plans.append(plan)
        if plan.strategy in {"cache-aside", "cdn"}:
            keys = math.ceil(rows.get(use_case.entity, 0) * HOT_SHARE) or 1
            writes = known.get(f"qps.peak.write.table.{table_name(use_case.entity)}", 0.0)
            figures += _hit_figures(use_case.id, use_case.name, qps, plan.ttl_seconds or 0.0, keys, writes)
        if plan.strategy == "cache-aside":
            entries = math.ceil(rows.get(use_case.entity, 0) * HOT_SHARE) or 1
            figures.append(
                Figure(
                    key=f"cache.bytes.{use_case.id}",
                    quantity=f"cache memory for {use_case.name}",
                    value=entries * CACHE_ENTRY_BYTES,
                    unit="bytes",
                    formula="rows x hot_share x entry_bytes",
                    scope=f"use case '{use_case.name}'",
                    inputs={"rows": rows.get(use_case.entity, 0), "hot_share": HOT_SHARE, "entry_bytes": CACHE_ENTRY_BYTES},
                )
            )
    return arch.model_copy(update={"caches": plans, "figures": [*arch.figures, *figures]})
