"""Small readers and writers the patterns share: figures by key, rows of an entity, decision records.

Private to the pattern family; the numbers every pattern compares against (what one
PostgreSQL primary, one Redis node, one Kafka partition sustains) live here once, with
their sources, so two patterns never plan with different ceilings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.ir.model import Alternative, Architecture, Decision, Figure, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: Simple indexed reads/s one PostgreSQL node serves before replicas pay off (pgbench select-only
#: runs reach 50-100k tps on 16 cores; we plan at a fifth for real queries and headroom).
PRIMARY_READ_CEILING = 20_000.0
#: Share of that ceiling a primary (or replica) is planned to run at: past it a burst, a cold cache or
#: a failover has no room left, so the replica that brings it back under is built now, not at the ceiling.
READ_HEADROOM = 0.7
#: How a database's (or one shard's) read replicas are computed, as every figure states it.
READ_REPLICAS_FORMULA = "max(0, ceil({reads} / (primary_read_ceiling x read_headroom)) - 1)"
#: Sustained simple writes/s one PostgreSQL primary handles on commodity SSD (pgbench TPC-B-like
#: runs reach 5-20k tps; we plan at the low end with indexes and WAL).
PRIMARY_WRITE_CEILING = 5_000.0
#: Operations/s one Redis node (one core) sustains with pipelining off (redis-benchmark: 80-150k GET/SET).
REDIS_NODE_OPS = 100_000.0
#: Memory one Redis node is planned with (a 32 GiB instance, a quarter kept free for forks and fragmentation).
REDIS_NODE_BYTES = 24 * 2**30


#: Years of growth a design sizes its stores over (tables, shards, keys, indexes) when the spec states no retention: one
#: horizon, so a table's size at the horizon is the same figure wherever a threshold judges it.
DEFAULT_HORIZON_YEARS = 5.0


def horizon(spec: Spec) -> float:
    """The years a design sizes its stores over: the spec's retention, else ``DEFAULT_HORIZON_YEARS``."""
    return spec.scale.retention_years or DEFAULT_HORIZON_YEARS


def redis_shards(memory_bytes: float, ops: float) -> int:
    """Redis shards one mechanism's structures take: enough for their bytes and for their operations, at least one.

    Every pattern sizing its share of the shared Redis reads this one rule, so a share never states fewer shards than its own
    bytes fill (96 GB of sorted sets said to take "1 shard at 24 GiB", issue 22 j4).

    >>> redis_shards(96e9, 13_889), redis_shards(0.0, 250_000), redis_shards(0.0, 0.0)
    (4, 3, 1)
    """
    return max(1, math.ceil(memory_bytes / REDIS_NODE_BYTES), math.ceil(ops / REDIS_NODE_OPS))


def redis_share(shards: int) -> str:
    """One pattern's share of the shared Redis cluster, said against the one per-shard capacity every record reads: the cluster
    itself (the sum of every share's memory and operations) is sized once, in the shared-cache record."""
    return (
        f"its share: {shards} shard(s) at {REDIS_NODE_BYTES / 2**30:,.0f} GiB and {REDIS_NODE_OPS:,.0f} operations/s a shard, "
        "of the one Redis cluster the shared-cache record sizes"
    )


#: Messages/s one Kafka partition sustains for small records (vendor and community benchmarks: 10-50 MB/s per partition).
KAFKA_PARTITION_MSGS = 10_000.0
#: Events/s a transactional outbox polled by one relay publishes comfortably (batched SELECT ... FOR UPDATE SKIP LOCKED).
OUTBOX_MAX_EVENTS = 1_000.0


def read_replicas_for(reads: float) -> int:
    """Read replicas that keep each node at or under ``READ_HEADROOM`` of its read ceiling.

    >>> read_replicas_for(13_000), read_replicas_for(16_009), read_replicas_for(30_000)
    (0, 1, 2)
    """
    return max(0, math.ceil(reads / (PRIMARY_READ_CEILING * READ_HEADROOM)) - 1)


def figures(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


def table_of(arch: Architecture, entity: str) -> tuple[str, Table] | None:
    """The datastore name and the table storing ``entity`` (the first, as declared)."""
    return _tables_by_entity(arch).get(entity)


#: The last datastore list indexed, and its index: patterns ask for many entities of one design in a row. Stages
#: never change a datastore list in place (they copy the architecture), so the list's identity keys the index.
_INDEX: list[tuple[object, dict[str, tuple[str, Table]]]] = []


def _tables_by_entity(arch: Architecture) -> dict[str, tuple[str, Table]]:
    last = _INDEX[0] if _INDEX else None  # read once: another thread may replace it meanwhile
    if last is not None and last[0] is arch.datastores:
        return last[1]
    index: dict[str, tuple[str, Table]] = {}
    for store in arch.datastores:
        for table in store.tables:
            if table.entity is not None:
                index.setdefault(table.entity, (store.name, table))
    _INDEX[:] = [(arch.datastores, index)]
    return index


def owner_of(arch: Architecture, entity: str) -> str:
    return next((s.name for s in arch.services if entity in s.entities), "")


def writers(analysis: Analysis, entity: str, kinds: frozenset[str] = frozenset({"create"})) -> list[UseCase]:
    """Use cases that write ``entity`` as their main entity, of the given kinds."""
    return [u for u in analysis.use_cases if u.entity == entity and u.kind in kinds]


def figure(key: str, quantity: str, value: float, unit: str, formula: str, inputs: dict[str, float], scope: str = "system") -> Figure:
    return Figure(key=key, quantity=quantity, value=value, unit=unit, formula=formula, inputs=inputs, scope=scope)


def avoided(spec: Spec, name: str) -> bool:
    """Whether the spec's constraints rule out a technology (by a case-insensitive name match)."""
    return any(a.lower() in name.lower() for a in spec.constraints.avoid)


def decision(
    id: str,
    title: str,
    area: str,
    choice: str,
    context: str,
    rationale: str,
    *,
    alternatives: Sequence[tuple[str, str]] = (),
    consequences: str = "",
    subject: str | None = None,
    inputs: dict[str, float] | None = None,
    decided_by: Literal["numbers", "spec", "constraint", "default"] = "numbers",
    spec: Spec | None = None,
) -> Decision:
    """A decision record; an alternative the spec avoids says so first."""
    return Decision(
        id=id,
        title=title,
        area=area,
        choice=choice,
        context=context,
        rationale=rationale,
        alternatives=[
            Alternative(name=n, why_not=("avoided by the spec's constraints; " if spec and avoided(spec, n) else "") + why) for n, why in alternatives
        ],
        consequences=consequences,
        subject=subject,
        inputs=inputs or {},
        decided_by=decided_by,
    )


def entity_table(entity: str) -> str:
    return table_name(entity)


def fmt(value: float) -> str:
    """A number for a sentence: ``347,222`` or ``0.41``.

    >>> fmt(347222.2), fmt(0.4123), fmt(12.0)
    ('347,222', '0.41', '12')
    """
    if value >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def size(value: float) -> str:
    """Bytes for a sentence: ``1.5 GB``.

    >>> size(1.5e9), size(2_400)
    ('1.5 GB', '2.4 KB')
    """
    for unit, scale in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if value >= scale:
            return f"{value / scale:,.1f} {unit}"
    return f"{value:,.0f} B"
