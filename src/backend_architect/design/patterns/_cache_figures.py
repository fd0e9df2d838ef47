"""The figures of a shared cache on one read path: its expected hit ratio, the database reads it removes, its memory.

Every cache plan (cache-aside, a CDN, a short key's resolve cache) states them the same way, so
the database's sizing and the cache's own sizing read one set of figures.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import UseCase
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, REDIS_NODE_BYTES, REDIS_NODE_OPS, figure, fmt, size
from backend_architect.ir.model import Figure

#: Share of keys that are hot: reads on most systems follow a power law (80/20 or steeper).
HOT_SHARE = 0.2
#: Cache nodes one database node costs. The node ``PRIMARY_READ_CEILING`` is planned on has 16 cores (its pgbench
#: basis); a memory-optimised instance of 16 cores has 128 GiB, four times the 32 GiB instance a cache node
#: (``REDIS_NODE_BYTES``) is planned on, and within a family the price scales with the size.
CACHE_NODES_PER_DATABASE_NODE = 4.0
#: How the hit ratio a cache needs to pay is computed: the database reads it removes, a database node
#: (``PRIMARY_READ_CEILING`` reads/s) priced as ``CACHE_NODES_PER_DATABASE_NODE`` cache nodes, must be worth the cache
#: nodes it takes, for its memory (``REDIS_NODE_BYTES`` a node: about 200 reads/s removed per GiB kept) and for its
#: operations (``REDIS_NODE_OPS`` a node: a GET per read and a SET per miss, so under 2 x 20,000 / (4 x 100,000 + 20,000)
#: = 9.5% no cache pays, whatever its memory).
MIN_HIT_FORMULA = (
    "max(memory_bytes x primary_read_ceiling / (cache_nodes_per_database_node x cache_node_bytes x peak), "
    "2 x primary_read_ceiling / (cache_nodes_per_database_node x cache_node_ops + primary_read_ceiling))"
)


def min_hit_ratio(peak: float, memory: float) -> float:
    """The hit ratio a shared cache of ``memory`` bytes needs on ``peak`` reads/s to pay for its memory and its operations (``MIN_HIT_FORMULA``).

    >>> round(min_hit_ratio(20_000.0, 4 * 24 * 2**30), 3), round(min_hit_ratio(20_000.0, 0.0), 4)
    (1.0, 0.0952)
    """
    if not peak:
        return float("inf")
    by_memory = memory * PRIMARY_READ_CEILING / (CACHE_NODES_PER_DATABASE_NODE * REDIS_NODE_BYTES * peak)
    by_operations = 2 * PRIMARY_READ_CEILING / (CACHE_NODES_PER_DATABASE_NODE * REDIS_NODE_OPS + PRIMARY_READ_CEILING)
    return max(by_memory, by_operations)


def pays(peak: float, hit: float, memory: float) -> bool:
    """Whether a cache answering ``hit`` of ``peak`` reads/s frees at least the database share its memory and operations cost in cache nodes."""
    return peak > 0 and hit >= min_hit_ratio(peak, memory)


def min_hit_figure(use_case: UseCase, peak: float, memory: float, key: str = "cache.min_hit_ratio", what: str = "") -> Figure:
    """``cache.min_hit_ratio.<use case>``: the hit ratio the path's shared cache (or ``what``) needs to pay for its memory."""
    return figure(
        f"{key}.{use_case.id}",
        f"hit ratio {what or f'a shared cache for {use_case.name}'} needs to pay for its memory",
        min_hit_ratio(peak, memory),
        "ratio",
        MIN_HIT_FORMULA,
        {
            "memory_bytes": memory,
            "primary_read_ceiling": PRIMARY_READ_CEILING,
            "cache_nodes_per_database_node": CACHE_NODES_PER_DATABASE_NODE,
            "cache_node_bytes": float(REDIS_NODE_BYTES),
            "peak": peak,
            "cache_node_ops": REDIS_NODE_OPS,
        },
        f"use case '{use_case.name}'",
    )


def unpaid(peak: float, hit: float, memory: float) -> str:
    """Why a cache is not built: its hit ratio, the reads it would remove and the memory it would cost, against the threshold."""
    needed = min_hit_ratio(peak, memory)
    return (
        f"a shared cache would answer {hit:.2%} of {fmt(peak)} reads/s ({fmt(peak * hit)} reads/s off the database) for {size(memory)} of memory; "
        + (f"paying for it takes a hit ratio of {needed:.2%} or more" if needed <= 1 else "no hit ratio pays for that memory")
        + f" (a database node's {fmt(PRIMARY_READ_CEILING)} reads/s priced as {CACHE_NODES_PER_DATABASE_NODE:g} cache nodes of {size(REDIS_NODE_BYTES)} "
        f"and {fmt(REDIS_NODE_OPS)} operations/s, a GET per read and a SET per miss): the database serves the read"
    )


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
            "r / (r + 1 + w) with r = peak x ttl_s / hot_keys, w = writes_per_s x ttl_s / hot_keys",
            {"peak": peak, "ttl_s": ttl, "hot_keys": keys, "writes_per_s": writes},
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
