"""One Redis sizing: the shared cluster carries the sum of every operation any mechanism sends it.

Each pattern that puts work on Redis states its operations/s at peak by term on the component it
adds (presence heartbeats, presence lookups counted per key, pub/sub publishes and their
per-node deliveries, rate-limit bucket checks, cache-aside GETs and miss SETs, latest-value
writes and reads, GEO searches, feed list writes and reads, item-cache multi-gets); merging the
components sums the terms. This stage states that sum once (``redis.ops.peak``) beside the
memory, and the shards from both (``redis.shards``): every record that states the cluster's
size (the cache record, redundancy, the availability plan, the hand-off, the diagram) reads the
component's count, which is this figure.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns._common import REDIS_NODE_BYTES, REDIS_NODE_OPS, figure
from backend_architect.design.patterns.apply import shards_needed
from backend_architect.ir.model import Architecture, Figure
from backend_architect.spec.model import Spec

#: How the operations are summed, as the figure states it: its terms follow, by name (each one operation per key read or written).
OPS_FORMULA = "sum of the operations/s each mechanism sends Redis at peak, one per key read or written (a pipelined multi-key command counts each key): "
#: How the shards are computed from the two totals, as the figure states it.
SHARDS_FORMULA = "max(1, ceil(ops_peak / ops_per_shard), ceil(memory_bytes / bytes_per_shard))"


def redis_figures(ops: dict[str, float], memory: float, shards: int) -> tuple[Figure, Figure]:
    """The cluster's operations/s at peak (the sum of its terms) and its shards (the larger of the operation and memory needs).

    >>> total, shards = redis_figures({"presence_heartbeats": 250_000.0, "rate_limit_checks": 9_000.0}, 2**30, 3)
    >>> total.value, shards.value
    (259000.0, 3.0)
    """
    total = figure(
        "redis.ops.peak",
        "Operations/s at peak every mechanism sends the shared Redis",
        sum(ops.values()),
        "ops/s",
        OPS_FORMULA + " + ".join(sorted(ops)),
        dict(sorted(ops.items())),
    )
    count = figure(
        "redis.shards",
        "Shards of the shared Redis cluster",
        float(shards),
        "shards",
        SHARDS_FORMULA,
        {"ops_peak": total.value, "ops_per_shard": REDIS_NODE_OPS, "memory_bytes": memory, "bytes_per_shard": float(REDIS_NODE_BYTES)},
    )
    return total, count


def derive_redis_sizing(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Size the one Redis cluster from its summed operations and memory, and state both figures."""
    redis = next((c for c in arch.components if c.name == "redis"), None)
    if redis is None:
        return arch
    shards = shards_needed(redis)
    sized = redis.model_copy(update={"instances": shards})
    figures = redis_figures(redis.operations, redis.memory_bytes or 0.0, shards)
    keys = {f.key for f in figures}
    return arch.model_copy(
        update={
            "components": [sized if c.name == "redis" else c for c in arch.components],
            "figures": [*(f for f in arch.figures if f.key not in keys), *figures],
        }
    )
