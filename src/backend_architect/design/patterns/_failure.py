"""What each dependency's failure does to each use case: degrade, queue or fail.

Private to the availability patterns. A dependency is anything a use case needs beyond its
own instances: the database primary, a cache or in-memory store, the event relay, object
storage, a search engine, another service called synchronously (never a module: it runs in its
caller's process and fails with it), an external system. The
effect follows from how the use case uses it: a read with a fallback degrades, work that
can wait in a durable queue queues, everything else fails.
"""

from __future__ import annotations

from collections.abc import Mapping

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import database_share
from backend_architect.design.patterns._common import fmt
from backend_architect.design.patterns._memory_only import memory_only
from backend_architect.design.patterns._storms import cache_storms, database_of_entity
from backend_architect.design.publishers import event_publishers
from backend_architect.design.replica_reads import tolerates_lag
from backend_architect.ir.consumers import delivering
from backend_architect.ir.deployment import called_part_fails_alone
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import DIRECT_SOURCE, OUTBOX_SOURCE, event_source
from backend_architect.ir.runtime import DependencyImpact


def _names(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _memory_groups(analysis: Analysis, arch: Architecture, users: list[str], origin: Mapping[str, str]) -> list[tuple[list[str], str, str]]:
    """The use cases an in-memory store serves, by what losing it does, decided from where each read's data lives.

    One rule for every read whose data the database also holds (a cache-aside read, the origin cache behind a CDN, a read
    model with a miss path): its misses go where its rows are, the database or the store answering it whole (``origin``),
    and where that is a database the cold-cache storm is stated for it (``cache_storms``: what the database receives against
    what its nodes serve), so two reads of the same store never read "falls back" and "pauses" (stackoverflow, run 20) or
    the storm's numbers beside one and not the other. Past the database's capacity, those reads are shed. A read the database
    cannot answer (``memory_only``: values kept only in memory) fails with the store. Everything else the store holds for
    the use cases (pub/sub, connections, values written there) pauses until it is back.
    """
    by_name = {u.name: u for u in analysis.use_cases}
    storms = {s.database: s for s in cache_storms(analysis, arch, set(users))}
    unanswerable = memory_only(arch)
    plans = {c.use_case: c for c in arch.caches}
    found: list[tuple[list[str], str, str]] = []

    def add(name: str, effect: str, detail: str) -> None:
        for group, had_effect, had_detail in found:
            if (had_effect, had_detail) == (effect, detail):
                group.append(name)
                return
        found.append(([name], effect, detail))

    for name in users:
        plan = plans.get(name)
        falls_back = plan is not None and (
            plan.strategy == "cache-aside" or (plan.strategy == "cdn" and bool(plan.origin_ttl_seconds)) or plan.strategy == "read-model"
        )
        if name in unanswerable:
            add(name, "fail", unanswerable[name])
        elif falls_back and plan is not None and plan.strategy != "read-model" and name in origin:
            add(name, "degrade", f"misses go to {origin[name]} (slower)")
        elif falls_back:
            use_case = by_name.get(name)
            db = database_of_entity(arch, use_case.entity) if use_case is not None else None
            storm = storms.get(db) if db is not None else None
            if storm is not None and storm.past:
                add(name, "fail", f"{storm.said()}: shed load until the cache is back")
            else:
                add(name, "degrade", (f"{storm.said()}: " if storm is not None else "") + "misses go to the database (slower)")
        else:
            add(name, "degrade", "what it keeps in memory (values, pub/sub, connections) pauses until the store is back; committed rows are unaffected")
    return found


def _also_held(arch: Architecture) -> str:
    """What else the store's loss does, named only when the design keeps it there."""
    ids = {d.id.split(".")[0]: d for d in arch.decisions}
    also = []
    if "presence" in ids:
        also.append("presence reads as offline")
    limits = ids.get("rate-limits")
    if limits is not None and any(c.kind in {"cache", "key-value"} and c.technology.partition(" ")[0] in limits.choice for c in arch.components):
        also.append("rate limits fail open")
    return f"; {' and '.join(also)} while it is down" if also else ""


def _retried(arch: Architecture, names: list[str]) -> str:
    """How clients retry the failed writes, as their operations take it: with the Idempotency-Key where the contract takes one, as
    they are where the method is idempotent (a PUT of a value, a DELETE)."""
    ops = [o for a in arch.apis for o in a.operations if set(o.use_cases) & set(names) and o.method != "get"]
    keyed = any(o.idempotency_key for o in ops)
    plain = sorted({o.method.upper() for o in ops if not o.idempotency_key})
    # a reaction (``after``) has no client: its consumer takes the event again once the database is back
    consumed = {f.use_case for f in arch.flows if f.use_case in names and f.steps and f.steps[0].kind == "event"}
    redelivered = f"the events starting {', '.join(sorted(consumed))} are redelivered until handled (their processed events skip a repeat)"
    tail = f"; {redelivered}" if consumed else ""
    if consumed == set(names):
        return redelivered
    if keyed and plain:
        return f"clients retry, with their Idempotency-Key where the operation takes one ({'/'.join(plain)} as they are: idempotent by method){tail}"
    if plain:
        return f"clients retry as they are ({'/'.join(plain)}: idempotent by method){tail}"
    return f"clients retry with their Idempotency-Key{tail}"


def impacts(analysis: Analysis, arch: Architecture, *, readable_standbys: bool, rto_seconds: float) -> list[DependencyImpact]:
    """Per dependency and effect, the use cases it hits and how, in a stable order."""
    reads = [u for u in analysis.use_cases if not u.is_write and not u.is_job]
    # a write a mechanism keeps off the database (a latest value in memory) does not wait for its failover
    writes = [u for u in analysis.use_cases if u.is_write and database_share(arch, u.name, "write") > 0]
    found: list[DependencyImpact] = []
    # a read model whose mechanism still reads rows from the database (``paths.unserved``) waits on it like an uncached read
    served = {
        c.use_case: c
        for c in arch.caches
        if c.strategy != "none"
        and not (
            c.strategy == "read-model"
            and any(m.use_case == c.use_case and m.serves == "read" for m in arch.mechanisms)
            and database_share(arch, c.use_case, "read") > 0
        )
    }
    # reads a column store answers never reach the database (PAT054)
    stores = {c.name for c in arch.components if c.kind == "warehouse"}
    columnar = {m.use_case for m in arch.mechanisms if m.serves == "read" and m.store in stores and m.database_share == 0}
    # a read another store answers whole (a column store, a wide-column store) never waits on the database primary
    elsewhere = {m.use_case for m in arch.mechanisms if m.serves == "read" and m.database_share == 0}
    elsewhere_stores = {m.use_case: m.store for m in arch.mechanisms if m.serves == "read" and m.database_share == 0}
    if writes:
        found.append(
            DependencyImpact(
                dependency="database primary",
                effect="fail",
                use_cases=[u.name for u in writes],
                detail=f"writes fail until the failover completes (about {fmt(rto_seconds)} s); {_retried(arch, [u.name for u in writes])}",
            )
        )
    if reads:
        searched = any(c.kind == "search-engine" for c in arch.components)
        uncached = [u for u in reads if u.name not in served and not (searched and u.searches) and u.name not in elsewhere]
        if not readable_standbys and uncached:
            found.append(
                DependencyImpact(
                    dependency="database primary",
                    effect="fail",
                    use_cases=[u.name for u in uncached],
                    detail="no standby to read from: reads fail until the database is back",
                )
            )
        elif uncached:
            # a strong read on a copy needs the primary's WAL position (its read index): with the primary down, none can be taken
            lagging = [u.name for u in uncached if tolerates_lag(u)]
            strong = [u.name for u in uncached if not tolerates_lag(u)]
            if lagging:
                found.append(
                    DependencyImpact(dependency="database primary", effect="degrade", use_cases=lagging, detail="reads continue on the standbys, read-only")
                )
            if strong:
                found.append(
                    DependencyImpact(
                        dependency="database primary",
                        effect="fail",
                        use_cases=strong,
                        detail=f"strong reads wait for the failover (about {fmt(rto_seconds)} s): a standby answers one only once it has "
                        "replayed the primary's WAL position, and there is no primary to take it from",
                    )
                )
    for component in arch.components:
        if component.kind not in {"cache", "key-value"}:
            continue
        # a read model kept in another store (a snapshot table in the database, a column store) is not lost with this one: the
        # storage placement says where each read model lives
        elsewhere_models = {
            p.data.removeprefix("read model: ") for p in arch.placements if p.data_class == "read-model" and p.component not in {component.name, None}
        }
        models = [c.use_case for c in arch.caches if c.strategy == "cache-aside" or (c.strategy == "read-model" and c.use_case not in elsewhere_models)]
        users = _names([*component.use_cases, *models])
        for i, (group, effect, detail) in enumerate(_memory_groups(analysis, arch, users, elsewhere_stores)):
            # what else the store's loss does is said once, on its first row
            found.append(DependencyImpact(dependency=component.name, effect=effect, use_cases=group, detail=detail + (_also_held(arch) if i == 0 else "")))
    found += _wide_column(arch)
    found += _relays(arch)
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
    for store in sorted(stores):
        answered = _names([m.use_case for m in arch.mechanisms if m.store == store and m.use_case in columnar])
        if answered:
            found.append(
                DependencyImpact(
                    dependency=store,
                    effect="fail",
                    use_cases=answered,
                    detail="these aggregate reads fail; writes continue and their events wait in the broker, loaded when it is back",
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
            elif step.kind in {"query", "call"} and step.target not in components and called_part_fails_alone(arch):
                # a module called in process fails only with its deployable (the instances): no row of its own
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
        # the worker delivering to it keeps the events it has not sent, and retries them (design/deliverers.py)
        by = " and ".join(delivering(arch, name)) or "their consumer"
        found.append(
            DependencyImpact(dependency=name, effect="queue", use_cases=[use_case], detail=f"notifications wait for {by}, which retries them until accepted")
        )
    return _merged(found)


def _wide_column(arch: Architecture) -> list[DependencyImpact]:
    """A wide-column store's losses, from its copies and consistency: one node changes nothing, a partition's quorum fails its paths."""
    found = []
    for component in (c for c in arch.components if c.kind == "wide-column"):
        held = [t.wide_column for s in arch.datastores for t in s.tables if t.wide_column is not None and t.wide_column.technology == component.technology]
        if not held:
            continue
        copies, level = held[0].replication_factor, held[0].consistency
        quorum = copies // 2 + 1
        users = _names([m.use_case for m in arch.mechanisms if m.store == component.name])
        found.append(
            DependencyImpact(
                dependency=f"{component.name}: one node",
                effect="degrade",
                use_cases=users,
                detail=f"{level} needs {quorum} of {copies} copies: the other replicas answer, nothing the application sees changes; "
                "hinted handoff and repair bring the node back current",
            )
        )
        found.append(
            DependencyImpact(
                dependency=f"{component.name}: {copies - quorum + 1} copies of a partition",
                effect="fail",
                use_cases=users,
                detail=f"{level} cannot gather {quorum} of {copies}: reads and writes of those partitions fail until a copy is back "
                "(clients retry with their Idempotency-Key); other partitions are unaffected",
            )
        )
    return found


def _relays(arch: Architecture) -> list[DependencyImpact]:
    """The event relay's loss, per source of events: an outbox's rows wait in the database, a CDC log's entries in its store.

    Every write publishing an event is named (``design.publishers``), not only the one that made it: each waits on the relay."""
    found = []
    outbox = _names([u for e in arch.events if event_source(arch, e) == OUTBOX_SOURCE for u in event_publishers(arch, e)])
    if outbox:
        found.append(
            DependencyImpact(
                dependency="event relay (outbox)",
                effect="queue",
                use_cases=outbox,
                detail="the write commits; its events wait in the outbox and are delivered when the relay is back",
            )
        )
    direct = _names([u for e in arch.events if event_source(arch, e) == DIRECT_SOURCE for u in event_publishers(arch, e)])
    if direct:
        found.append(
            DependencyImpact(
                dependency="broker",
                effect="degrade",
                use_cases=direct,
                detail="the value is kept in memory; its event, published by the write path itself (no outbox holds it), is retried "
                "for a while and then dropped: its consumers miss the changes made while the broker is down",
            )
        )
    for log in sorted({event_source(arch, e) for e in arch.events} - {OUTBOX_SOURCE, DIRECT_SOURCE}):
        found.append(
            DependencyImpact(
                dependency=f"event relay ({log.removeprefix('the ')})",
                effect="queue",
                use_cases=_names([u for e in arch.events if event_source(arch, e) == log for u in event_publishers(arch, e)]),
                detail="the write is acknowledged; its events wait in the CDC log and are delivered when the relay is back "
                "(the log must keep them longer than the relay's longest outage)",
            )
        )
    return found


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
