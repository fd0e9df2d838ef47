"""An existence check answered by a cached operation reaches the owner's database only on the cache's misses.

A check on the owner calls the owner's GET of the row (``callee_operations``); where that GET is a cache-aside read,
the owner's handler answers the check from the cache as it answers any other caller, so counting every check as a
database read contradicts the cache the same design draws in front of it (74,928 reads/s and five replicas for a
users database whose lookups are 86% cache hits). One account: the check's reads after the cache are its peak times
the cache's own miss share (``cache.hit_ratio.<use case>``, the figure the cache's section states), and where no
cache serves the GET, every check reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Architecture, Operation, ReferenceCheck


@dataclass(frozen=True)
class CheckCache:
    """The cache in front of the owner's operation answering a check: its use case and hit ratio."""

    use_case: str
    operation: str
    hit_ratio: float


def answering_operation(arch: Architecture, check: ReferenceCheck) -> Operation | None:
    """The owner's GET of one row of the checked entity: the one naming the checking service among its consumers, else the first."""
    caller = next((a.service for a in arch.apis if any(o.operation_id == check.operation for o in a.operations)), None)
    gets = [o for a in arch.apis if a.service == check.owner for o in a.operations if o.kind == "get" and o.method == "get" and o.entity == check.entity]
    return next((o for o in gets if caller in o.consumers), gets[0] if gets else None)


def check_cache(analysis: Analysis, arch: Architecture, check: ReferenceCheck) -> CheckCache | None:
    """The shared cache answering ``check`` before the owner's database, with the hit ratio its own figure states; None
    when the answering GET is not cached that way (every check then reads the database)."""
    op = answering_operation(arch, check)
    if op is None or not op.use_cases:
        return None
    plan = next((p for p in arch.caches if p.use_case in op.use_cases and p.strategy == "cache-aside"), None)
    use_case = next((u for u in analysis.use_cases if plan is not None and u.name == plan.use_case), None)
    if plan is None or use_case is None:
        return None
    hit = next((f.value for f in arch.figures if f.key == f"cache.hit_ratio.{use_case.id}"), None)
    return CheckCache(use_case.name, op.operation_id, hit) if hit else None
