"""What each dependency's failure does to each use case: degrade, queue or fail.

Private to the availability patterns. A dependency is anything a use case needs beyond its
own instances: the database primary, a cache or in-memory store, the event relay, object
storage, a search engine, another service called synchronously, an external system. The
effect follows from how the use case uses it: a read with a fallback degrades, work that
can wait in a durable queue queues, everything else fails.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import database_share
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, fmt
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import DependencyImpact


def _names(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def impacts(analysis: Analysis, arch: Architecture, *, readable_standbys: bool, rto_seconds: float) -> list[DependencyImpact]:
    """Per dependency and effect, the use cases it hits and how, in a stable order."""
    reads = [u for u in analysis.use_cases if not u.is_write and not u.is_job]
    # a write a mechanism keeps off the database (a latest value in memory) does not wait for its failover
    writes = [u for u in analysis.use_cases if u.is_write and database_share(arch, u.name, "write") > 0]
    found: list[DependencyImpact] = []
    served = {c.use_case: c for c in arch.caches if c.strategy != "none"}
    if writes:
        found.append(
            DependencyImpact(
                dependency="database primary",
                effect="fail",
                use_cases=[u.name for u in writes],
                detail=f"writes fail until the failover completes (about {fmt(rto_seconds)} s); clients retry with their Idempotency-Key",
            )
        )
    if reads:
        effect = "degrade" if readable_standbys else "fail"
        detail = "reads continue on the standbys, read-only" if readable_standbys else "no standby to read from: reads fail until the database is back"
        uncached = [u.name for u in reads if u.name not in served]
        if uncached:
            found.append(DependencyImpact(dependency="database primary", effect=effect, use_cases=uncached, detail=detail))
    for component in arch.components:
        if component.kind not in {"cache", "key-value"}:
            continue
        users = _names([*component.use_cases, *(c.use_case for c in arch.caches if c.strategy in {"cache-aside", "read-model"})])
        by_name = {u.name: u for u in analysis.use_cases}
        overload = [n for n in users if n in by_name and by_name[n].peak_qps > PRIMARY_READ_CEILING]
        gentle = [n for n in users if n not in overload]
        if gentle:
            found.append(
                DependencyImpact(
                    dependency=component.name,
                    effect="degrade",
                    use_cases=gentle,
                    detail="misses go to the database (slower); presence reads as offline and rate limits fail open while it is down",
                )
            )
        if overload:
            found.append(
                DependencyImpact(
                    dependency=component.name,
                    effect="fail",
                    use_cases=overload,
                    detail=f"their peak passes what the database serves ({fmt(PRIMARY_READ_CEILING)} reads/s): shed load until the cache is back",
                )
            )
    producers = _names([e.use_case for e in arch.events])
    if producers:
        found.append(
            DependencyImpact(
                dependency="event relay (outbox)",
                effect="queue",
                use_cases=producers,
                detail="the write commits; its events wait in the outbox and are delivered when the relay is back",
            )
        )
    blob_entities = {p.data.split(".")[0] for p in arch.placements if p.data_class == "blob"}
    tables = {t.name: t.entity for s in arch.datastores for t in s.tables}
    blob_users = _names([u.name for u in analysis.use_cases if any(tables.get(t) in u.entities for t in blob_entities)])
    if blob_users:
        found.append(
            DependencyImpact(
                dependency="object storage",
                effect="degrade",
                use_cases=blob_users,
                detail="metadata reads and writes continue; uploads and downloads of the content fail until it is back",
            )
        )
    searches = [u.name for u in reads if u.searches]
    if searches and any(c.kind == "search-engine" for c in arch.components):
        found.append(
            DependencyImpact(dependency="search engine", effect="fail", use_cases=searches, detail="searches fail; writes keep feeding its change events")
        )
    components = {c.name for c in arch.components}
    for flow in arch.flows:
        for step in flow.steps:
            if step.kind == "external":
                found.append(
                    DependencyImpact(
                        dependency=step.target,
                        effect="fail",
                        use_cases=[flow.use_case],
                        detail=f"called within the request: the circuit breaker fails fast (timeout {fmt(step.timeout_ms or 0)} ms)",
                    )
                )
            elif step.kind in {"query", "call"} and step.target not in components:
                found.append(
                    DependencyImpact(
                        dependency=f"service {step.target}",
                        effect="fail",
                        use_cases=[flow.use_case],
                        detail="a synchronous call: the request fails fast when the callee is down",
                    )
                )
    notified = {(n, u.name) for u in writes for n in u.spec.notify if any(e.name == n for e in arch.externals)}
    for name, use_case in sorted(notified):
        found.append(DependencyImpact(dependency=name, effect="queue", use_cases=[use_case], detail="notifications wait in the outbox and are retried"))
    return _merged(found)


def _merged(found: list[DependencyImpact]) -> list[DependencyImpact]:
    """One entry per (dependency, effect, detail), use cases in first-seen order."""
    merged: dict[tuple[str, str, str], DependencyImpact] = {}
    for item in found:
        key = (item.dependency, item.effect, item.detail)
        if key in merged:
            old = merged[key]
            merged[key] = old.model_copy(update={"use_cases": _names([*old.use_cases, *item.use_cases])})
        else:
            merged[key] = item
    return list(merged.values())
