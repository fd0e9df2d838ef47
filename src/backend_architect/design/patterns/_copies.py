"""How many copies each stateful part keeps: one decision, read by every record that states it.

The technology record of the cache, the search engine's sizing, the redundancy record
(PAT050), the availability plan's copies and the topology all call :func:`copies_of`, so no
two of them can say different replication for the same store. It depends only on what the
stages before the technology stage decided (the availability level from the target and the
sharded data, the read models a part holds), so a stage may state it before the
availability stage runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, fmt
from backend_architect.design.patterns.availability import planned_level, target_of
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec

#: At or above this target every stateful part keeps three copies, like the database.
THREE_COPIES_TARGET = 0.9999


def copies_of(spec: Spec, analysis: Analysis, arch: Architecture, kind: str, use_cases: Iterable[str]) -> tuple[int, str]:
    """Copies of each shard of a stateful part of ``kind`` serving ``use_cases``, and why that many.

    A broker keeps three (replication factor 3); a single-zone plan keeps one (rebuilt from the
    database); three when the target is 99.99% or more, or when the part holds read models whose
    rebuild would send more reads to the database than one node serves; else two.
    """
    level = planned_level(spec, arch)
    target = target_of(spec)[0]
    served = set(use_cases)
    models = [c.use_case for c in arch.caches if c.strategy == "read-model" and c.use_case in served]
    peaks = {u.name: u.peak_qps for u in analysis.use_cases}
    rebuild = sum(peaks.get(n, 0.0) for n in models)
    if kind == "broker":
        return 3, "replication factor 3, two in sync: a broker loses no acknowledged message to one node"
    if kind == "wide-column":
        # the system of record for its tables, not a copy rebuilt from the database: the wide-column decision's factor (PAT055)
        return 3, "replication factor 3 with quorum reads and writes: one node lost answers every request"
    if level.zones == 1:
        return 1, "single-zone plan: the data is rebuilt from the database after a loss"
    if rebuild > PRIMARY_READ_CEILING:
        return 3, f"its read models ({', '.join(models)}) would send {fmt(rebuild)} reads/s to the database while rebuilt (> {fmt(PRIMARY_READ_CEILING)})"
    if target >= THREE_COPIES_TARGET - 1e-9:
        return 3, f"the {target:.2%} target"
    return 2, f"{level.zones} zones: a replica in another zone takes over"


def copies_said(copies: int) -> str:
    """Copies per shard as every record says them.

    >>> copies_said(1), copies_said(3)
    ('one copy per shard (no replica)', '3 copies per shard (1 primary + 2 replica(s) in other zones, automatic failover)')
    """
    if copies == 1:
        return "one copy per shard (no replica)"
    return f"{copies} copies per shard (1 primary + {copies - 1} replica(s) in other zones, automatic failover)"
