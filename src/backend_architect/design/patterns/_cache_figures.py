"""The figures of a shared cache on one read path: its expected hit ratio, the database reads it removes, its memory.

Every cache plan (cache-aside, a CDN, a short key's resolve cache) states them the same way, so
the database's sizing and the cache's own sizing read one set of figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from backend_architect.design.analysis import UseCase
from backend_architect.design.patterns._common import figure
from backend_architect.ir.model import Figure

#: Share of keys that are hot: reads on most systems follow a power law (80/20 or steeper).
HOT_SHARE = 0.2


def resident(keys: float, peak: float, hit: float, ttl: float) -> int:
    """Entries a cache-aside holds: its hot keys, but no more than it fills within one TTL (a miss fills an entry that lives a TTL).

    >>> resident(1_000_000, 100.0, 0.5, 10.0), resident(1_000, 100.0, 0.5, 3_600.0)
    (500, 200)
    """
    hot = max(1, math.ceil(keys * HOT_SHARE))
    return max(1, min(hot, math.ceil(peak * (1 - hit) * ttl)))


#: How a cache's memory is computed (``resident`` entries of ``entry_bytes``).
MEMORY_FORMULA = "min(ceil(keys x hot_share), ceil(peak x (1 - hit_ratio) x ttl_s)) x entry_bytes"


def cache_memory(use_case: UseCase, keys: float, entry: float, peak: float, hit: float, ttl: float, key: str = "cache.bytes") -> Figure:
    """``cache.bytes.<use case>``: the shared cache's memory for a path's entries (``resident``)."""
    return figure(
        f"{key}.{use_case.id}",
        f"cache memory for {use_case.name}",
        resident(keys, peak, hit, ttl) * entry,
        "bytes",
        MEMORY_FORMULA,
        {"keys": keys, "hot_share": HOT_SHARE, "peak": peak, "hit_ratio": hit, "ttl_s": ttl, "entry_bytes": entry},
        f"use case '{use_case.name}'",
    )


def held_keys(known: Iterable[Figure], use_case_id: str, behind_cdn: bool = False) -> float | None:
    """The hot keys a path's shared cache holds, read from the hit ratio computed over them (``cache.hit_ratio.<id>``, or behind
    a CDN ``cache.origin.hit_ratio.<id>``): a cache in front of it (an instance's L1) sizes and rates itself on the same count,
    never on a default. None when no shared cache on the path states one.
    """
    key = f"cache.{'origin.' if behind_cdn else ''}hit_ratio.{use_case_id}"
    return next((f.inputs["hot_keys"] for f in known if f.key == key and "hot_keys" in f.inputs), None)


def hit_ratio(peak: float, ttl: float, keys: float, writes: float) -> float:
    """Expected hit ratio ``r / (r + 1 + w)``: one miss per key per TTL and per invalidating write, ``r`` and ``w`` per key and TTL."""
    reads_per_key = peak * ttl / keys
    writes_per_key = writes * ttl / keys
    return reads_per_key / (reads_per_key + 1 + writes_per_key) if reads_per_key else 0.0


def hit_figures(use_case: UseCase, peak: float, ttl: float, keys: int, writes: float) -> list[Figure]:
    """Expected hit ratio (one miss per key per TTL and per invalidating write) and the reads it takes off the database."""
    ratio = hit_ratio(peak, ttl, keys, writes)
    scope = f"use case '{use_case.name}'"
    return [
        figure(
            f"cache.hit_ratio.{use_case.id}",
            f"expected cache hit ratio of {use_case.name}",
            ratio,
            "ratio",
            # named for what it counts: a write updating the entry in place (an append to a cached page) deletes no key
            "r / (r + 1 + w) with r = peak x ttl_s / hot_keys, w = invalidating_writes_per_s x ttl_s / hot_keys",
            {"peak": peak, "ttl_s": ttl, "hot_keys": keys, "invalidating_writes_per_s": writes},
            scope,
        ),
        figure(
            f"cache.db_reads_removed.{use_case.id}",
            f"database reads the cache removes for {use_case.name}",
            peak * ratio,
            "req/s",
            "peak x hit_ratio",
            {"peak": peak, "hit_ratio": ratio},
            scope,
        ),
    ]
