"""What losing a cache sends to the databases it shelters (a cold-cache storm), against the capacity the sizing states.

Private to the availability and redundancy patterns: the redundancy record (how many copies a cache keeps) and the
availability impacts (which reads fail when the cache is lost) read one ``Storm`` per database, so the "what the database
serves" either states is ``db.read_capacity.<db>``, the figure the database sizing computes (issue 22, j4: an impact said
20,000 reads/s beside a sizing of 2,800,000).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns._common import fmt
from backend_architect.design.patterns._memory_only import memory_only
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import database_of


@dataclass(frozen=True)
class Storm:
    """What one cache's loss sends to the database it shelters most: the reads it removes on top of those that reach it."""

    database: str
    reaching: float
    removed: float
    capacity: float

    @property
    def past(self) -> bool:
        return self.reaching + self.removed > self.capacity

    def said(self) -> str:
        total = self.reaching + self.removed
        verdict = "past" if self.past else "within"
        return (
            f"losing it sends {self.database} the {fmt(self.removed)} reads/s it removes on top of the {fmt(self.reaching)} that reach it: "
            f"{fmt(total)}/s, {verdict} the {fmt(self.capacity)}/s its nodes serve"
        )


def cold_cache_storm(analysis: Analysis, arch: Architecture, served: set[str]) -> Storm | None:
    """The database a cache serving ``served`` shelters most (``cache_storms``), with what its loss would send there."""
    return max(cache_storms(analysis, arch, served), key=lambda s: ((s.reaching + s.removed) / s.capacity, s.database), default=None)


def cache_storms(analysis: Analysis, arch: Architecture, served: set[str]) -> list[Storm]:
    """Per database a cache serving ``served`` shelters, what its loss would send there (a cold-cache storm), by database name.

    The reads the cache removes (``cache.db_reads_removed.<use case>`` of its cache-aside plans,
    ``cache.origin.db_reads_removed.<use case>`` behind a CDN, and
    a read model's whole peak with the item reads its item cache removes, ``cache.items.db_reads_removed.<use case>``)
    land on the database owning each path's entity, on top of the reads
    that already reach it after every cache (``db.reads.peak.<db>``); the database serves
    ``db.read_capacity.<db>``: the capacity the sizing states, read by the redundancy record and the
    availability impacts alike. Empty when the cache removes no database reads, or before the database
    figures exist. A read the database cannot answer (``memory_only``: values kept only in memory) is in no storm: it fails
    with the cache instead of reaching the database.
    """
    known = {f.key: f.value for f in arch.figures}
    # a cached path whose misses another store answers whole (a search engine) sends the database nothing when the cache is lost
    elsewhere = {m.use_case for m in arch.mechanisms if m.serves == "read" and m.database_share == 0}
    # a read model the database cannot answer (values kept only in memory) sends it nothing either: it fails with the store
    unanswerable = memory_only(arch)
    removed: dict[str, float] = {}
    for plan in arch.caches:
        behind = plan.strategy == "cdn" and plan.origin_ttl_seconds
        if plan.use_case not in served or (plan.strategy not in {"cache-aside", "read-model"} and not behind):
            continue
        if (plan.strategy != "read-model" and plan.use_case in elsewhere) or plan.use_case in unanswerable:
            continue
        use_case = next((u for u in analysis.use_cases if u.name == plan.use_case), None)
        db = database_of_entity(arch, use_case.entity) if use_case is not None else None
        if use_case is None or db is None:
            continue
        gone = (
            # a read model's peak, less the share its mechanism still sends the database (the rows the model does not hold, read
            # and counted there already), and the rows its pages read through its item cache
            use_case.peak_qps * (1 - _still_read(arch, plan.use_case)) + known.get(f"cache.items.db_reads_removed.{use_case.id}", 0.0)
            if plan.strategy == "read-model"
            else known.get(f"cache.origin.db_reads_removed.{use_case.id}" if behind else f"cache.db_reads_removed.{use_case.id}", 0.0)
        )
        removed[db] = removed.get(db, 0.0) + gone
    return [
        Storm(db, known[f"db.reads.peak.{db}"], gone, known[f"db.read_capacity.{db}"])
        for db, gone in sorted(removed.items())
        if gone > 0 and f"db.reads.peak.{db}" in known and f"db.read_capacity.{db}" in known
    ]


def _still_read(arch: Architecture, use_case: str) -> float:
    """The share of a read model's reads that reach the database anyway (``Mechanism.database_share``; none without a mechanism)."""
    return min((m.database_share for m in arch.mechanisms if m.use_case == use_case and m.serves == "read"), default=0.0)


def database_of_entity(arch: Architecture, entity: str) -> str | None:
    """The physical database holding ``entity``'s table (a modular monolith's schemas share one)."""
    for store in arch.datastores:
        if any(t.entity == entity for t in store.tables):
            return database_of(arch, store)
    return None
