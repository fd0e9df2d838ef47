"""PAT002: a cache plan for every read path, from its load and from how the data it reads changes."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from backend_architect.design.analysis import Analysis, UseCase, worker_writes_per_s
from backend_architect.design.check_caches import answering_operation
from backend_architect.design.overrides import honoured, override_for, overruled, steer_variant
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._cache_figures import HOT_SHARE as HOT_SHARE
from backend_architect.design.patterns._cache_figures import cache_memory, hit_ratio, resident
from backend_architect.design.patterns._cache_figures import hit_figures as hit_figures
from backend_architect.design.patterns._cache_headers import shared_for, with_cache_control
from backend_architect.design.patterns._cache_writes import invalidating_writes, kept_in_memory, without_writers
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, fmt, owner_of, table_of
from backend_architect.design.patterns._invalidation import invalidation_routes
from backend_architect.design.patterns._origin_cache import Origin
from backend_architect.design.patterns._playback import plays_video
from backend_architect.design.patterns._recent_pages import PAGE_ROW_BYTES, RecentPage, page_writes, recent_page
from backend_architect.design.read_lag import lag_said, lagging_server
from backend_architect.design.reference_checks import CHECKED_BY_OWNER
from backend_architect.design.region_homes import home_note, region_plan
from backend_architect.ir.model import Architecture, CachePlan, Decision, Figure, ReferenceCheck
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import DecisionOverride, Spec
from backend_architect.spec.naming import relations

#: Below this many reads/s of one path, a shared cache saves less than it costs to run and invalidate.
CACHE_MIN_READ_QPS = 50.0
#: Public reads above this many per second are worth a CDN in front.
CDN_MIN_READ_QPS = 200.0
#: Bytes one cached response takes, with key and allocator overhead.
CACHE_ENTRY_BYTES = 2_048
#: TTL for reads of rows that never change once written (immutable or append-only): bounded only to let memory turn over.
IMMUTABLE_TTL_S = 3_600.0
#: Anonymous responses may be shared for this long when the spec states no staleness: output caching of public pages.
ANONYMOUS_TTL_S = 60.0


def _changes(analysis: Analysis, use_case: UseCase) -> tuple[str, float | None, str]:
    """How the rows a read returns change: (class, a TTL that class allows or None, why).

    The least stable entity read decides: a question page changes when an answer is added.
    """
    worst = "immutable"
    order = ["reference", "immutable", "append_only", "processed", "job_written", "updated"]
    for entity in use_case.entities:
        facts = analysis.entities.get(entity)
        if facts is not None and order.index(facts.mutability) > order.index(worst):
            worst = facts.mutability
    if worst in {"reference", "immutable"} and use_case.kind == "get":
        return worst, IMMUTABLE_TTL_S, "its rows never change once written"
    if worst == "processed" and use_case.kind == "get":
        # only the engine's workers change the rows, a bounded number of times: each of their writes deletes the key
        changes = [c for entity in use_case.entities if entity in analysis.entities for c in analysis.entities[entity].changes]
        return worst, IMMUTABLE_TTL_S, f"its rows change after creation only as {'; '.join(dict.fromkeys(changes))}, each write deleting the key"
    if worst == "job_written":
        jobs = [u for u in analysis.use_cases if u.is_job and set(u.writes) & set(use_case.entities)]
        from backend_architect.design.workload import schedule_interval

        interval = min((schedule_interval(u.spec.schedule or "daily") for u in jobs), default=None)
        return worst, interval, f"a job rewrites it every {fmt(interval)}s" if interval else "a job rewrites it"
    if worst == "updated":
        # every writer of what the path returns, so the TTL and the invalidation name them all
        changes = [c for entity in use_case.entities if entity in analysis.entities for c in analysis.entities[entity].changes]
        return worst, None, "its rows are updated" + (f" ({'; '.join(dict.fromkeys(changes))})" if changes else "")
    return (
        worst,
        None,
        {"append_only": "new rows are appended", "immutable": "new rows are created", "processed": "new rows are created and processed"}.get(
            worst, "it changes"
        ),
    )


def _keys(spec: Spec, analysis: Analysis, use_case: UseCase) -> tuple[float, str]:
    """Distinct cache keys a read path has: one per item for a get, one first page per parent for a list filtered by its parent."""
    rows = analysis.rows(use_case.entity) if use_case.entity in analysis.entities else 0.0
    if use_case.kind == "get":
        return max(1.0, rows), f"{use_case.entity} rows"
    for ref in use_case.filters:
        target = relations(spec, ref.entity).get(ref.field) if ref.constant is None and not ref.joined else None
        if target is not None and target in analysis.entities:
            return max(1.0, analysis.rows(target)), f"one first page per {target}"
    parameters = [f for f in use_case.filters if f.constant is None]
    return (1.0, "one result for everyone") if not parameters and not use_case.searches else (max(1.0, rows / 100), "distinct parameter sets")


@pattern(code="PAT002", name="read-path-cache", stage="caching", title="Cache each read path by its load and how its data changes")
def read_path_cache(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Every read use case gets a plan. ``cache: false`` in the spec forbids one. Otherwise the TTL
    comes from the spec's ``staleness``, else from how the data read changes (rows never
    updated: a long TTL; rewritten by a job: the job's interval; anonymous public pages: a
    short output-cache TTL); reads with neither under strong consistency go to the database,
    except the newest page of a parent's append-mostly rows that every write keeps current
    (``_recent_pages``: write-through, read-your-writes, from ``RECENT_PAGE_MIN_READS``).
    A path under ``CACHE_MIN_READ_QPS`` is not worth a shared cache; a public one over
    ``CDN_MIN_READ_QPS`` goes to a CDN; the rest to cache-aside in Redis. A CDN answering under
    ``CDN_SETTLES_HIT`` of its reads does not settle the path: the reads it passes on get a
    shared cache behind it when that removes ``CACHE_MIN_READ_QPS`` or more (``_origin_cache``).
    Each shared cache states its expected hit ratio, the reads it removes and its memory (its
    resident entries: the hot keys, no more than its misses fill within a TTL).

    ## What it adds
    A cache plan per path (strategy, TTL, key, invalidation, stampede and hot-key
    protection), Redis sized by working set and operations, and hit-ratio figures computed
    over cache keys (one per item for a get, one first page per parent for a list).

    ## What it costs
    Memory = hot keys x entry bytes; each write to a cached entity invalidates its keys;
    hit ratio = r / (r + 1 + w) with r the reads and w the invalidating writes per key per TTL.

    ## Alternatives
    Read replicas (no staleness, but linear cost); a precomputed read model (PAT001) when
    the read is a merge over many sources.

    ## References
    AWS, "Caching Best Practices"; Facebook, "Scaling Memcache at Facebook" (NSDI 2013).
    """
    # plans an earlier pattern made stand (read models, a short key's resolve cache), unless the author steers that path's cache
    steered = {u.name for u in analysis.use_cases if f"cache.{u.id}" in spec.decisions}
    decided = {c.use_case for c in arch.caches if c.strategy == "read-model" or c.use_case not in steered}
    for made in arch.caches:
        if made.use_case in decided and made.strategy in {"cdn", "http"}:
            # a plan an earlier pattern made (a short key's redirect at the edge) is stated in the contract all the same
            yield Applied(None, operations=with_cache_control(arch, made))
    redis_bytes = 0.0
    redis_ops: dict[str, float] = {}
    cached: list[str] = []
    edge: list[str] = []
    services: set[str] = set()
    for use_case in analysis.use_cases:
        if use_case.is_write or use_case.is_job or use_case.name in decided:
            continue
        path = _path(spec, analysis, arch, use_case)
        numbers = _by_numbers(path)
        override = override_for(spec, f"cache.{use_case.id}", (read_path_cache.code, read_path_cache.name))
        strategy, problem = _steered(path, numbers, override)
        plan, extra = _plan(path, strategy)
        record = _record(path, numbers, plan, override if problem is None else None)
        out: list[Figure] = list(extra)
        if plan.strategy == "cache-aside":
            redis_bytes += path.memory
            # a kept newest page is written through by its writers (their appends), never deleted; any other path's writes delete its key
            kept = path.recent is not None
            redis_ops |= cache_aside_operations(
                use_case.id, path.qps, path.hit, path.recent.appends_per_s if path.recent else 0.0, 0.0 if kept else path.invalidating
            )
            redis_ops |= check_operations(arch, use_case, path.hit)
            cached.append(use_case.name)
            services.add(owner_of(arch, use_case.entity))
            out.append(path.memory_figure())
        if plan.strategy == "cdn":
            edge.append(use_case.name)
            origin = _origin(path, extra)
            if origin is not None and origin.pays(CACHE_MIN_READ_QPS):
                plan = plan.model_copy(
                    update={
                        "origin_ttl_seconds": origin.ttl,
                        "invalidation": f"{plan.invalidation}; behind it, the service committing a change deletes the shared cache's entry after its commit "
                        f"to {path.written}",
                        "rationale": f"{plan.rationale}; {origin.said(CACHE_MIN_READ_QPS)}",
                    }
                )
                redis_bytes += origin.memory
                redis_ops |= cache_aside_operations(use_case.id, origin.reaching, origin.hit, 0.0, origin.writes)
                cached.append(use_case.name)
                services.add(owner_of(arch, use_case.entity))
                out += origin.figures()
                out.append(cache_memory(use_case, path.keys, CACHE_ENTRY_BYTES, origin.reaching, origin.hit, origin.ttl))
                record = _with_origin(record, plan, origin)
            elif origin is not None:
                plan = plan.model_copy(update={"rationale": f"{plan.rationale}; {origin.said(CACHE_MIN_READ_QPS)}"})
                record = record.model_copy(update={"rationale": plan.rationale}) if record is not None else None
        contract = with_cache_control(arch, plan)
        notes = [problem] if problem else []
        if plan.strategy == "cdn" and use_case.spec.auth != "none":
            notes.append(
                f"use case '{use_case.name}': the CDN keeps anonymous responses only; its hit ratio counts every read as anonymous, "
                "reads carrying a token reach the service"
            )
        steps = page_writes(analysis, use_case, path.recent, read_path_cache.code) if plan.write_through and path.recent else ()
        yield Applied(record, caches=(plan,), figures=tuple(out), operations=contract, assumptions=tuple(notes), mechanisms=steps)
    if edge:
        # the CDN the plans put in front of these reads is part of the topology (one CDN, shared with blob downloads)
        cdn = Component(
            name="cdn", kind="cdn", technology=named(spec, "cdn"), purpose=f"caches public responses at the edge for {', '.join(edge)}", use_cases=edge
        )
        yield Applied(None, components=(cdn,))
    if cached:
        yield Applied(
            None,
            components=(
                Component(
                    name="redis",
                    kind="cache",
                    technology=named(spec, "redis"),
                    purpose=f"cache-aside for {', '.join(cached)}",
                    services=sorted(services),
                    use_cases=cached,
                    # no count of its own: the cluster is sized from the summed memory and operations (an L1 in front takes GETs off)
                    memory_bytes=redis_bytes,
                    decision="cache",
                    operations=redis_ops,
                ),
            ),
        )


def cache_aside_operations(uid: str, reads: float, hit: float, appends: float, deletes: float) -> dict[str, float]:
    """Operations/s at peak a cache-aside path sends Redis, one per key: a GET per read (a get's item or a list's page is one
    key), a SET per miss and per append a writer pushes to a kept page, a DEL per write that invalidates the path's key.

    >>> sorted(cache_aside_operations("feed", 1_000.0, 0.75, 0.0, 5.0).items())
    [('cache_deletes_feed', 5.0), ('cache_gets_feed', 1000.0), ('cache_sets_feed', 250.0)]
    """
    ops = {f"cache_gets_{uid}": reads, f"cache_sets_{uid}": reads * (1 - hit) + appends}
    return ops | ({f"cache_deletes_{uid}": deletes} if deletes else {})


def check_operations(arch: Architecture, use_case: UseCase, hit: float) -> dict[str, float]:
    """Operations/s other services' existence checks send the cache of ``use_case``'s GET they call (``design/check_caches.py``):
    a check reads through the cache as any caller of the GET does, a GET each and a SET each miss, so the cache's load and
    the database's reads after it are one account of the same checks."""
    checks = sum(c.peak for c in arch.reference_checks if c.check == CHECKED_BY_OWNER and c.peak and _answered_by(arch, c, use_case.name))
    if not checks:
        return {}
    return {f"check_cache_gets_{use_case.id}": checks, f"check_cache_sets_{use_case.id}": checks * (1 - hit)}


def _answered_by(arch: Architecture, check: ReferenceCheck, use_case: str) -> bool:
    op = answering_operation(arch, check)
    return op is not None and use_case in op.use_cases


def _with_origin(record: Decision | None, plan: CachePlan, origin: Origin) -> Decision | None:
    """The path's record once a shared cache stands behind its CDN: the choice says both layers, and cache-aside alone is weighed as such."""
    if record is None:
        return None
    alone = f"alone, without the edge: the {fmt(origin.use_case.peak_qps - origin.reaching)} reads/s the CDN answers would reach the service too"
    # named as what is rejected: Redis without the CDN, not the Redis the choice keeps behind it
    alternatives = [
        a.model_copy(update={"name": f"{a.name} alone (no CDN)", "why_not": alone}) if a.name == STRATEGIES["cache-aside"][0] else a
        for a in record.alternatives
    ]
    return record.model_copy(update={"choice": described(plan), "rationale": plan.rationale, "alternatives": alternatives})


def _origin(path: _Path, extra: list[Figure]) -> Origin | None:
    """The shared cache behind a CDN plan, from the CDN's hit ratio; its entries live long since the owning service deletes them on writes."""
    cdn = next((f.value for f in extra if f.key.startswith("cache.hit_ratio.")), None)
    if cdn is None or path.ttl is None:
        return None
    return Origin(path.use_case, cdn, max(path.ttl, IMMUTABLE_TTL_S), path.hot, path.invalidating, keys=path.keys)


@dataclass(frozen=True)
class _Path:
    """What a read path's cache plans are made from: its load, who may see it, its TTL and its keys."""

    use_case: UseCase
    public: bool
    ttl: float | None
    ttl_reason: str
    why: str
    writes: float
    keys: float
    basis: str
    #: The entities the path returns that something writes: a write to any of them invalidates its keys.
    written: str = ""
    #: The newest page per parent its writers keep current (write-through), when the read must be current and is that shape.
    recent: RecentPage | None = None
    #: Writes/s among ``writes`` that delete no keys: fields a mechanism writes back that this read takes from its own store, or
    #: rows created under keys no one has read yet (a get over rows that never change).
    kept_apart: float = 0.0
    #: What the writes kept apart are, in words, when neither a kept page's appends nor a write-back.
    kept_how: str = ""

    @property
    def invalidating(self) -> float:
        """The writes/s that delete cached keys."""
        return self.writes - self.kept_apart

    #: Bytes one entry of its shared cache takes (``entry_bytes``).
    entry: int = CACHE_ENTRY_BYTES
    #: What answers the read when nothing caches it: the database, or the store a mechanism serves it from (``server_of``).
    server: str = "the database"
    #: Where a current read is current when regions are active-active (``region_homes.home_note``), else empty.
    home: str = ""
    #: How late the store serving it sees a write, where a worker or indexer feeds it (``read_lag.lag_said``), else empty.
    lag: str = ""
    #: How the writes to ``written`` delete its keys, by the route each writer offers (``_invalidation.invalidation_routes``).
    routes: str = ""

    @property
    def qps(self) -> float:
        return self.use_case.peak_qps

    @property
    def key(self) -> str:
        return f"{self.use_case.entity.lower()}:{self.use_case.id}:{{params}}"

    @property
    def hot(self) -> int:
        return max(1, math.ceil(self.keys * HOT_SHARE))

    @property
    def memory(self) -> float:
        """Bytes a shared cache of it takes: its resident entries (``resident``)."""
        return float(resident(self.keys, self.qps, self.hit, self.ttl or 0.0) * self.entry)

    def memory_figure(self) -> Figure:
        """``cache.bytes.<use case>``: the memory of its shared cache."""
        return cache_memory(self.use_case, self.keys, self.entry, self.qps, self.hit, self.ttl or 0.0)

    @property
    def hit(self) -> float:
        """The hit ratio a shared cache would reach on it (0 without a TTL)."""
        return hit_ratio(self.qps, self.ttl, self.hot, self.invalidating) if self.ttl else 0.0


def _write_backs(arch: Architecture, use_case: UseCase) -> tuple[float, str, str]:
    """Writes/s a mechanism itself makes to the rows a read returns (last seen written back from Redis), what they are, and
    the store this read takes the written fields from instead of the row ('' when it reads them from the row).

    A row's write rate in every record includes them: a decision saying '0 writes/s, never changes' beside a
    write-back of 1,000 rows/s contradicts the design's own mechanism.
    """
    loads = [(m, load) for m in arch.mechanisms for load in m.loads if load.writes_per_s > 0 and load.entity in use_case.entities]
    if not loads:
        return 0.0, "", ""
    total = sum(load.writes_per_s for _, load in loads)
    said = "; ".join(f"{fmt(load.writes_per_s)} {load.quantity}" for _, load in loads)
    patterns = {m.pattern for m, _ in loads}
    served = next((m.store for m in arch.mechanisms if m.use_case == use_case.name and m.serves == "read" and m.pattern in patterns), "")
    return total, said, served


def _path(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase) -> _Path:
    # a read that plays a video answers signed URLs (no-store): no edge or browser cache may keep it, whoever may call it
    public = use_case.spec.auth in {"none", "optional"} and plays_video(spec, use_case.spec) is None
    changes_class, natural_ttl, why = _changes(analysis, use_case)
    writers = [u.name for u in analysis.use_cases if u.is_write and set(u.writes) & set(use_case.entities)]
    if memory := kept_in_memory(arch, writers):
        # a write kept in memory reaches no database and deletes no key: the TTL alone bounds how old its value is in an entry
        verb = "keeps its value" if len(memory) == 1 else "keep their values"
        why = f"{without_writers(why, memory)}; {', '.join(repr(m) for m in memory)} {verb} in memory (no database write), deleting no key"
    backs, said, served = _write_backs(arch, use_case)
    if backs and served:
        why = f"{why}, but for the design's write-back ({said}), which this read takes from {served}, never from the cache: it deletes no keys"
    elif backs and changes_class in {"reference", "immutable", "append_only"}:
        natural_ttl, why = None, f"its rows are updated ({said})"
    elif backs:
        why = f"{why}; {said}"
    ttl, ttl_reason = _ttl(use_case, public, natural_ttl, why)
    keys, basis = _keys(spec, analysis, use_case)
    written = [e for e in use_case.entities if e in analysis.entities and analysis.entities[e].mutability not in {"reference"}] or [use_case.entity]
    # the engine's own workers' writes to the rows (a media status) delete keys as a use case's update does
    workers = sum(worker_writes_per_s(analysis, e) for e in dict.fromkeys(use_case.entities))
    # every request writing a row the read returns deletes its key, not only those writing the item's own table
    writes = invalidating_writes(arch, dict.fromkeys([use_case.entity, *written])) + backs + workers
    recent = recent_page(spec, analysis, use_case) if ttl is None and use_case.spec.cache is not False else None
    kept_apart = backs if served and recent is None else 0.0
    kept_how = ""
    if recent is None and not backs and changes_class in {"reference", "immutable"} and use_case.kind == "get":
        # a get's key is one row: a request creating a row makes a new key and deletes none, so of the writes to its own table only
        # those also writing another entity it returns (an embedded child) delete a key; 'never change' then holds for every key
        others = invalidating_writes(arch, [e for e in dict.fromkeys(written) if e != use_case.entity]) + workers
        kept_apart, kept_how = max(0.0, writes - others), f"creating new {use_case.entity} rows, each a new key"
        if others:
            why = f"{why}, but writes to what it embeds ({fmt(others)}/s) delete the key"
    if recent is not None:
        # the writes stay every write to the entity (the capacity figure the decision's context states beside it); the appends
        # update the cached page in place and delete no key, so only updates and deletes cost a miss
        ttl, ttl_reason = IMMUTABLE_TTL_S, "writes keep the page current; the TTL only lets memory turn over"
        writes = max(writes, recent.changes_per_s)
        kept_apart = writes - recent.changes_per_s
    path = _Path(
        use_case, public, ttl, ttl_reason, why, writes, keys, basis, written=", ".join(written), recent=recent, kept_apart=kept_apart, kept_how=kept_how
    )
    lagging = lagging_server(arch, use_case.name)
    return replace(
        path,
        entry=entry_bytes(arch, path),
        server=server_of(arch, use_case.name),
        home=home_note(region_plan(spec, analysis), use_case.name),
        lag=lag_said(lagging) if lagging is not None else "",
        routes=invalidation_routes(arch, owner_of(arch, use_case.entity), list(dict.fromkeys(written))),
    )


#: Where a database serves a read that must be current: the one rule the replica decision states (``design/replica_reads.py``).
STRONG_ON_COPIES = " (its primary, or a replica or standby through a read index: only once it has replayed the primary's WAL position)"


def server_of(arch: Architecture, use_case: str) -> str:
    """What answers a read no cache serves: the store a mechanism keeps the read off the database with (a search engine's
    index, a GEO set), else the database; every table that says where an uncached read goes reads this one phrase."""
    from backend_architect.design.loads import served_by

    mechanism = served_by(arch, use_case, "read")
    return "the database" if mechanism is None else f"the {mechanism.store} ({mechanism.how})"


def entry_bytes(arch: Architecture, path: _Path) -> int:
    """Bytes one cache entry takes: a response, or a recent page of ``limit`` rows of the entity's row size."""
    if path.recent is None:
        return CACHE_ENTRY_BYTES
    from backend_architect.design.capacity import row_bytes

    found = table_of(arch, path.use_case.entity)
    return path.recent.limit * (row_bytes(found[1]) if found else PAGE_ROW_BYTES)


def _by_numbers(path: _Path) -> str:
    """The strategy the numbers choose for a read path."""
    if path.use_case.spec.cache is False or path.ttl is None:
        return "none"
    if path.qps < CACHE_MIN_READ_QPS:
        return "http" if path.public and path.recent is None else "none"
    if path.recent is not None:
        return "cache-aside"  # only the shared cache the writers update stays current; an edge copy would not
    return "cdn" if path.public and path.qps >= CDN_MIN_READ_QPS else "cache-aside"


def _plan(path: _Path, strategy: str) -> tuple[CachePlan, list[Figure]]:
    """The plan of ``strategy`` for a read path, with its hit-ratio figures when a shared cache serves it."""
    use_case, qps, ttl = path.use_case, path.qps, path.ttl
    if use_case.spec.cache is False and strategy == "none":
        return CachePlan(use_case=use_case.name, strategy="none", rationale="the spec forbids caching this read (cache: false)"), []
    if strategy == "none":
        if ttl is None and path.lag:
            # the store serving it is fed from change events: the read is not current, so the record never says it must be
            rationale = f"{path.why}; {path.server} serves it, {path.lag}: no cache on top of it{path.home}"
        elif ttl is None:
            rationale = (
                f"{path.why} and the read must be current (no staleness given, {use_case.spec.consistency} consistency): {path.server} serves it"
                f"{STRONG_ON_COPIES if path.server == 'the database' else ''}{path.home}"
            )
        elif qps < CACHE_MIN_READ_QPS:
            rationale = f"{fmt(qps)} req/s at peak is under {CACHE_MIN_READ_QPS:g} req/s: {path.server} serves it"
        else:  # the numbers chose a cache: only the spec's decision leaves the path uncached
            rationale = f"no cache, as the spec decides: {path.server} serves all {fmt(qps)} req/s at peak"
        return CachePlan(use_case=use_case.name, strategy="none", rationale=rationale), []
    # a cache the author asks for on a read that must be current still needs a bound on staleness
    ttl, ttl_reason = (ttl, path.ttl_reason) if ttl is not None else (ANONYMOUS_TTL_S, f"no staleness stated: {ANONYMOUS_TTL_S:g}s assumed")
    if strategy == "http":
        return CachePlan(
            use_case=use_case.name,
            strategy="http",
            ttl_seconds=ttl,
            rationale=f"{fmt(qps)} req/s at peak is under {CACHE_MIN_READ_QPS:g} req/s: {path.server} serves it; Cache-Control lets browsers reuse "
            f"responses for {fmt(ttl)}s",
        ), []
    figures_out = hit_figures(use_case, qps, ttl, path.hot, path.invalidating)
    if strategy == "cdn":
        return CachePlan(
            use_case=use_case.name,
            strategy="cdn",
            ttl_seconds=ttl,
            key=path.key,
            invalidation="TTL expiry; purge by surrogate key on writes",
            protection="the CDN collapses concurrent misses per key (request coalescing); stale-while-revalidate hides refreshes",
            rationale=f"{'public' if use_case.spec.auth == 'none' else 'readable without a token'} and {fmt(qps)} req/s at peak "
            f"(>= {CDN_MIN_READ_QPS:g}): a CDN absorbs it at the edge; TTL {fmt(ttl)}s ({ttl_reason}); "
            f"shared: {shared_for(use_case.spec.auth)}",
        ), figures_out
    if path.recent is not None:
        recent = path.recent
        return CachePlan(
            use_case=use_case.name,
            strategy="cache-aside",
            ttl_seconds=ttl,
            key=f"{use_case.entity.lower()}:{use_case.id}:{{{recent.parent.lower()}_id}}:newest",
            invalidation=f"write-through by the owning service after commit, before it answers: {', '.join(recent.writers)} push each new "
            f"{use_case.entity} onto its {recent.parent}'s cached page (only when cached) and trim it to {recent.limit}; updates and deletes drop "
            "the page; older pages (a cursor) read the database",
            protection="a miss refills the page from the database with a conditional set (single-flight per key), so a slow fill never "
            "overwrites a newer append; shared cache only, no per-instance copy, so every reader sees a write once it is answered",
            rationale=f"{fmt(qps)} req/s at peak (>= {CACHE_MIN_READ_QPS:g}) must be current (no staleness given): {recent.why}, so the cached "
            f"page is never older than the database (read-your-writes){path.home}; TTL {fmt(ttl)}s ({ttl_reason}); {fmt(path.keys)} keys ({path.basis}), "
            f"{fmt(path.hot)} hot",
            write_through=True,
        ), figures_out
    # rows that never change are never deleted: an invalidation naming their creates would count deletes no write makes
    invalidation = (
        f"none: no write changes a cached row ({path.kept_how}); TTL {fmt(ttl)}s lets memory turn over"
        if path.kept_how and not path.invalidating
        else f"delete the keys on writes to {path.written} ({path.routes}); TTL {fmt(ttl)}s bounds staleness"
    )
    return CachePlan(
        use_case=use_case.name,
        strategy="cache-aside",
        ttl_seconds=ttl,
        key=path.key,
        invalidation=invalidation,
        protection="single-flight recompute per key on a miss, TTL jitter of +-10% against synchronized expiry",
        rationale=f"{fmt(qps)} req/s at peak (>= {CACHE_MIN_READ_QPS:g}); TTL {fmt(ttl)}s ({ttl_reason}); {fmt(path.keys)} keys ({path.basis}), "
        f"{fmt(path.hot)} hot",
    ), figures_out


#: What ``choose:`` builds for a read path, by the names an author may use.
STRATEGIES = {
    "none": ["no cache", "the database"],
    "http": ["HTTP caching (Cache-Control)", "browser"],
    "cdn": ["CDN"],
    "cache-aside": ["cache-aside in Redis", "Redis", "shared cache"],
}


def _steered(path: _Path, numbers: str, override: DecisionOverride | None) -> tuple[str, str | None]:
    """The strategy the author's word builds (or the numbers'), and why it could not be built when it cannot."""
    if override is None:
        return numbers, None
    key = f"decisions.cache.{path.use_case.id}"
    if override.forbid:
        return "none", None
    if override.force:
        return (numbers if numbers in {"cdn", "cache-aside"} else "cache-aside"), None
    wanted = steer_variant(override.choose or "", STRATEGIES)
    if wanted is None:
        return numbers, f"{key}: choose one of {', '.join(STRATEGIES)}; it changed nothing"
    if wanted in {"cdn", "http"} and not path.public:
        return (
            numbers,
            f"{key}: '{path.use_case.name}' needs a token (auth: {path.use_case.spec.auth}): shared caches in front of it would serve "
            "one user's response to another; it changed nothing",
        )
    return wanted, None


def _record(path: _Path, numbers: str, plan: CachePlan, override: DecisionOverride | None) -> Decision | None:
    """The per-path decision: recorded where a shared cache serves the read, or where the spec author decided."""
    if override is None and plan.strategy not in {"cdn", "cache-aside"}:
        return None
    use_case = path.use_case
    inputs = {"peak_reads_per_s": path.qps, "keys": path.keys, "writes_per_s": path.writes, **({"ttl_s": path.ttl} if path.ttl is not None else {})}
    if path.kept_apart:
        inputs["invalidating_writes_per_s"] = path.invalidating
    if path.ttl is not None and plan.strategy in {"cache-aside", "none"}:
        inputs |= {"hit_ratio": path.hit, "memory_bytes": path.memory}
    made = decision(
        f"cache.{use_case.id}",
        f"Cache for {use_case.name}",
        "caching",
        described(plan, path.server),
        f"{fmt(path.qps)} reads/s at peak, {fmt(path.keys)} keys ({path.basis}), {_writes_said(path)}; {path.why}",
        plan.rationale,
        alternatives=[(name, _why_not(path, key)) for key, (name, *_rest) in STRATEGIES.items() if key != plan.strategy],
        subject=use_case.name,
        inputs=inputs,
    ).model_copy(update={"choices": [names[0] for k, names in STRATEGIES.items() if path.public or k not in {"http", "cdn"}]})
    if override is None:
        return made
    if plan.strategy == numbers:
        return honoured(made, override)
    numbers_plan, _ = _plan(path, numbers)
    was = made.model_copy(update={"choice": described(numbers_plan, path.server), "rationale": numbers_plan.rationale})
    return overruled(was, override, described(plan, path.server))


def _writes_said(path: _Path) -> str:
    """The writes to the cached entity, the capacity section's figure (creates included), and among them those deleting keys.

    A decision reading '0 writes/s' of rows created 70,000 times a second (appended to the cached page) contradicts the capacity
    section: the writes stated are every write, and the hit ratio's invalidating share is named apart.
    """
    said = f"{fmt(path.writes)} writes/s to {path.use_case.entity}"
    if not path.kept_apart:
        return said
    how = path.kept_how or ("appended to the cached page in place" if path.recent is not None else "written back to a store this read takes them from")
    return f"{said} ({fmt(path.kept_apart)} {how}, deleting no key; {fmt(path.invalidating)} invalidating)"


def described(plan: CachePlan, server: str = "the database") -> str:
    """A plan's strategy in words, for its decision record; ``server`` answers the read no cache serves (``server_of``)."""
    ttl = f"{fmt(plan.ttl_seconds)} s" if plan.ttl_seconds else ""
    if plan.strategy == "cache-aside" and plan.write_through:
        return "cache-aside in a shared cache: the newest page per parent, kept current by its writers (write-through), filled on a miss"
    if plan.strategy == "cdn" and plan.origin_ttl_seconds:
        return (
            f"a CDN in front: responses cached at the edge for {ttl}, purged by surrogate key on writes; behind it, cache-aside in a shared "
            f"cache: entries kept {fmt(plan.origin_ttl_seconds)} s, deleted after each commit that changes them"
        )
    if plan.strategy == "cache-aside" and plan.invalidation.startswith("none:"):
        return f"cache-aside in a shared cache: entries kept {ttl}, never deleted (no write changes a cached row)"
    return {
        "none": f"no cache: {server} serves every read",
        "http": f"HTTP caching: Cache-Control lets clients reuse a response for {ttl}",
        "cdn": f"a CDN in front: responses cached at the edge for {ttl}, purged by surrogate key on writes",
        "cache-aside": f"cache-aside in a shared cache: entries kept {ttl}, deleted on writes",
    }.get(plan.strategy, plan.strategy)


def _why_not(path: _Path, strategy: str) -> str:
    """Why a strategy other than the plan's, at this path's numbers."""
    if strategy == "none":
        return f"every one of {fmt(path.qps)} reads/s reaches {path.server}"
    if strategy == "http":
        return f"only each browser reuses a response: {path.server} still serves every client's first read"
    if strategy == "cdn":
        return "the edge serves it to everyone" + ("" if path.public else ": not for a read that needs a token")
    return f"a shared cache to run and invalidate on {fmt(path.invalidating)} writes/s"


def _ttl(use_case: UseCase, public: bool, natural: float | None, why: str) -> tuple[float | None, str]:
    """The TTL a read allows, and why: stated staleness first, then what the data's changes allow."""
    if use_case.spec.staleness is not None:
        return (use_case.spec.staleness or None), "the staleness the spec allows"
    if natural is not None:
        return natural, why
    if use_case.spec.consistency == "eventual":
        return ANONYMOUS_TTL_S, "eventual consistency allowed"
    if public:
        return ANONYMOUS_TTL_S, "anonymous responses are output-cached briefly"
    return None, why
