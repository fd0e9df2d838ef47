"""Stage 8: technology choices, each with rationale, alternatives and why not.

Choices are rules over the numbers already computed and the spec's constraints: a
preferred technology wins where it fits, an avoided one is never chosen, and a
component nothing needs is recorded as "not needed" with the number that says so.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.keys import postgres_version
from backend_architect.design.overrides import honoured, matches, override_for, overruled
from backend_architect.design.patterns._clouds import Part, named, pinned, self_run
from backend_architect.design.patterns._clouds import candidates as candidates_of
from backend_architect.design.patterns._common import REDIS_NODE_BYTES, REDIS_NODE_OPS, fmt
from backend_architect.design.patterns._copies import copies_of, copies_said
from backend_architect.design.patterns.availability import planned_level
from backend_architect.ir.model import Alternative, Architecture, Decision, enforced
from backend_architect.ir.query import figure, sharded_today
from backend_architect.spec.model import Spec

#: Events per second a RabbitMQ cluster handles comfortably; Kafka beyond, or for replay.
QUEUE_MAX_EVENTS_PER_S = 10_000.0

#: The HTTP framework and data access per language. Schema changes are the design's own migrations in dbmate's format
#: (schema/<service>/migrations, applied in order by dbmate or the scaffold's runner), whatever the language: no
#: framework's migration tool is named beside them.
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "python": ("Python 3.12 with FastAPI and SQLAlchemy 2", "typed request models generate the OpenAPI; async I/O for an I/O-bound API"),
    "typescript": ("TypeScript on Node.js 22 with Fastify and Kysely", "schema-driven validation and a type-safe query builder"),
    "go": ("Go 1.23 with net/http (chi), pgx and sqlc", "small static binaries, low memory per instance, compile-time checked SQL"),
    "java": ("Java 21 with Spring Boot 3 and JPA", "mature ecosystem, virtual threads for blocking I/O"),
    "kotlin": ("Kotlin with Spring Boot 3 and jOOQ", "null safety and a typed SQL DSL on the JVM"),
    "csharp": ("C# on .NET 8 with ASP.NET Core minimal APIs and EF Core", "first-class OpenAPI and strong tooling"),
    "rust": ("Rust with axum and sqlx", "predictable latency and compile-time checked queries"),
}
#: How schema changes ship, the same for every runtime (render/migration.py writes them).
MIGRATIONS = "schema changes ship as the design's migrations (dbmate format, schema/<service>/migrations, applied in order)"
DEFAULT_LANGUAGE = "python"


def _avoided(spec: Spec, name: str) -> bool:
    return any(a.lower() in name.lower() for a in spec.constraints.avoid)


def _pick(spec: Spec, candidates: list[tuple[str, str]]) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """First candidate that is preferred, else the first not avoided; the rest are alternatives."""
    allowed = [c for c in candidates if not _avoided(spec, c[0])] or candidates
    preferred = [c for c in allowed if any(p.lower() in c[0].lower() for p in spec.constraints.prefer)]
    chosen = preferred[0] if preferred else allowed[0]
    return chosen, [c for c in candidates if c is not chosen]


def _decision(
    spec: Spec,
    id: str,
    area: str,
    title: str,
    context: str,
    candidates: list[tuple[str, str]],
    consequences: str = "",
    part: Part | None = None,
    steerable: bool = True,
) -> Decision:
    """The record of one technology choice; the spec author's ``choose`` pins another.

    Where the technology plays a ``part`` other patterns name (the database, the cache), only what
    can play that part is pinned, and every component follows (``_clouds.named``); a runtime or an
    observability stack is the author's call whatever it names.
    """
    (choice, rationale), others = _pick(spec, candidates)
    buildable = candidates_of(part, spec) if part else [c[0] for c in candidates]
    made = Decision(
        id=id,
        area=area,
        title=title,
        choice=choice,
        context=context,
        rationale=rationale,
        consequences=consequences,
        alternatives=[Alternative(name=n, why_not=("avoided by the spec's constraints; " if _avoided(spec, n) else "") + why) for n, why in others],
        choices=list(dict.fromkeys([choice, *buildable])) if steerable else [],
    )
    override = override_for(spec, id)
    if override is None or override.choose is None or not steerable:
        return made
    if part is not None:
        wanted = pinned(spec, part)
        if wanted is None:
            return made  # not something that can play the part: reported with the choices
        # another product for the same part: what the part does for the design (its consequences) still holds
        return honoured(made, override) if matches(wanted, choice) else overruled(made, override, wanted, consequences=made.consequences)
    if matches(override.choose, choice):
        return honoured(made, override)
    named = next((c for c in candidates if matches(override.choose, c[0])), None)
    # a runtime the author names that is not among the candidates is still their call: record it as chosen
    return overruled(made, override, named[0] if named else override.choose, consequences=made.consequences)


def derive_technology(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Decision records for the database, cache, messaging, search, storage, runtime and operations."""
    decisions = [
        *arch.decisions,
        _extraction(arch),
        _database(spec, arch),
        _cache(spec, analysis, arch),
        _runtime(spec, arch),
        _observability(spec),
    ]
    decisions += _pins(spec, arch)
    assumptions = list(arch.assumptions)
    if spec.constraints.language is None:
        assumptions.append(f"constraints.language: not given; {DEFAULT_LANGUAGE} assumed")
    return arch.model_copy(update={"decisions": [d for d in decisions if d is not None], "assumptions": assumptions})


#: Parts no decision of their own names, pinned by ``technology.<part>``, with the component kind that runs each.
PINNABLE: dict[Part, str] = {"load-balancer": "load-balancer", "cdn": "cdn", "warehouse": "warehouse"}


def _pins(spec: Spec, arch: Architecture) -> list[Decision]:
    """The record of each ``technology.<part>`` the spec pins, for a part the design runs (every pattern naming it followed)."""
    out = []
    for part, kind in PINNABLE.items():
        override = spec.decisions.get(f"technology.{part}")
        if override is None or not any(c.kind == kind for c in arch.components):
            continue
        numbers = named(spec.model_copy(update={"decisions": {}}), part)
        made = Decision(
            id=f"technology.{part}",
            area="operations",
            title=f"Technology of the {part.replace('-', ' ')}",
            choice=numbers,
            context=f"the design runs a {part.replace('-', ' ')}" + (f" on {spec.constraints.cloud}" if spec.constraints.cloud else ""),
            rationale="the provider's managed service, else the first open-source part the spec does not avoid",
            alternatives=[Alternative(name=name, why_not="equivalent for this part; not the default") for name in candidates_of(part, spec) if name != numbers][
                :4
            ],
            choices=candidates_of(part, spec),
        )
        wanted = pinned(spec, part)
        if wanted is None or override.choose is None:
            out.append(made)  # not a technology that plays the part: reported with the choices
        else:
            out.append(honoured(made, override) if wanted == numbers else overruled(made, override, wanted, consequences=made.consequences))
    return out


#: A module whose load is this many times the median of the others scales differently: extract it first.
EXTRACT_LOAD_RATIO = 10.0


def _extraction(arch: Architecture) -> Decision | None:
    """For a modular monolith: when to split a module out, and which one would go first."""
    if arch.deployment != "modular-monolith" or len(arch.services) < 2:
        return None
    load = {s.name: next((f.value for f in arch.figures if f.key == f"qps.peak.service.{s.name}"), 0.0) for s in arch.services}
    ordered = sorted(load.values())
    median = ordered[len(ordered) // 2] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    top = max(load, key=lambda name: (load[name], name))
    runner_up = max((v for n, v in load.items() if n != top), default=0.0)
    if load[top] >= EXTRACT_LOAD_RATIO * max(runner_up, 1.0):
        share = f"{load[top] / runner_up:,.0f}x the next busiest module" if runner_up >= 1 else "the other modules carry almost none"
        choice = f"keep the modules together; extract {top} first when it needs its own scaling ({load[top]:,.0f} req/s at peak, {share})"
    else:
        choice = "keep the modules together; no module's load stands out (extract on the criteria below)"
    return Decision(
        id="extraction",
        area="architecture",
        title="When to extract a module",
        choice=choice,
        context=f"peak load per module: {', '.join(f'{n} {v:,.0f} req/s' for n, v in sorted(load.items()))} (median {median:,.0f})",
        rationale="a module earns its own deployable when a second team owns it, when its load or scaling profile differs by an order "
        f"of magnitude ({EXTRACT_LOAD_RATIO:g}x) from the rest, or when its release cadence or availability target does",
        alternatives=[Alternative(name="extract every module now", why_not="pays the costs of distribution before any module needs independence")],
        consequences="Modules already talk only through their APIs and events and own separate schemas, so extraction moves code, not data models.",
    )


def _database(spec: Spec, arch: Architecture) -> Decision:
    write = figure(arch, "db.write_utilisation")
    util = write.value if write else 0.0
    vectors = any(c.type == "vector" for s in arch.datastores for t in s.tables for c in t.columns)
    return _decision(
        spec,
        "database",
        "data",
        "Primary database",
        f"relational data: {sum(1 for s in arch.datastores for t in s.tables if t.role is None)} entity tables"
        + (", foreign keys" if any(enforced(t.foreign_keys) for s in arch.datastores for t in s.tables) else "")
        + " and transactions; "
        f"peak writes use {util:.2%} of one primary's ceiling" + ("; embeddings stored (vector fields)" if vectors else ""),
        [
            (
                f"PostgreSQL {postgres_version(spec)}",
                "transactions, foreign keys, partial and covering indexes, JSONB, full-text search, partitioning"
                + (" and pgvector for embeddings (install the extension; the generated DDL stores real[] until it is)" if vectors else "")
                + (" in one engine the team runs on its own machines" if self_run(spec) else " in one engine the team can run managed anywhere"),
            ),
            ("MySQL 8", _mysql_lacks(arch)),
            ("MongoDB", "the data is relational (foreign keys, multi-entity transactions); documents would move joins into code"),
            ("DynamoDB", "access patterns must be fixed up front and ad-hoc queries cost scans; lock-in to one cloud"),
        ],
        _database_consequences(arch),
        part="postgresql",
    )


def _mysql_lacks(arch: Architecture) -> str:
    """Why not MySQL: only the PostgreSQL features this design's DDL uses (its tables say which), never a stock list."""
    indexes = [i for s in arch.datastores for t in s.tables for i in t.indexes]
    used = [
        name
        for name, present in (
            ("partial indexes", any(i.where for i in indexes)),
            ("INCLUDE (covering) columns", any(i.include for i in indexes)),
            ("GIN full-text indexes", any(i.method == "gin" for i in indexes)),
            ("declarative range partitions with their own indexes", any(t.partitioning for s in arch.datastores for t in s.tables)),
        )
        if present
    ]
    return "capable, but no transactional DDL (a failed migration leaves a half-applied schema)" + (
        f" and no {', '.join(used)}, which this design's DDL uses" if used else ""
    )


def _database_consequences(arch: Architecture) -> str:
    """What running the primary database means in this design: the shards, partitions and replicas the figures decided."""
    # the shard counts are sized with the availability plan, after this stage: the keys are decided already
    # today's shards and the later ones apart, from the one record (``Sharding.now``) the load and the growth stage read
    shards = sorted((t.name, t.sharding.key) for s in arch.datastores for t in s.tables if t.sharding is not None and sharded_today(t))
    later = sorted((t.name, t.sharding.key) for s in arch.datastores for t in s.tables if t.sharding is not None and not sharded_today(t))
    replicas = sorted((f.key.removeprefix("db.read_replicas."), f.value) for f in arch.figures if f.key.startswith("db.read_replicas.") and f.value)
    partitioned = sorted(t.name for s in arch.datastores for t in s.tables if t.partitioning is not None)
    said = []
    if shards:
        said.append("sharded: " + ", ".join(f"{t} by {key}" for t, key in shards) + " (each shard a primary with its standbys; counts under Availability)")
    if later:
        said.append("sharded at the growth stage, on the unsharded primary until then: " + ", ".join(f"{t} by {key}" for t, key in later))
    if partitioned:
        said.append("partitioned: " + ", ".join(partitioned))
    if replicas:
        said.append("read replicas: " + ", ".join(f"{d} {n:,.0f}" for d, n in replicas))
    if not said:
        return "One primary per database with point-in-time recovery; read replicas and partitioning when the capacity figures say so."
    return "Point-in-time recovery on every primary; " + "; ".join(said) + "."


def _cache(spec: Spec, analysis: Analysis, arch: Architecture) -> Decision:
    redis = next((c for c in arch.components if c.name == "redis"), None)
    if redis is not None:
        l1 = [c.use_case for c in arch.caches if c.l1_ttl_seconds]
        # the same copies the redundancy record and the availability plan state (one decision: _copies)
        copies, why = copies_of(spec, analysis, arch, redis.kind, redis.use_cases)
        shards = redis.instances or 1
        # the cluster is sized once (merge_components): every pattern's share is stated against the same per-shard capacity
        held = f", {redis.memory_bytes / 2**30:,.1f} GiB at up to {REDIS_NODE_BYTES / 2**30:,.0f} GiB a shard" if redis.memory_bytes else ""
        ops = sum(redis.operations.values())
        carried = f", {fmt(ops)} operations/s at peak at up to {REDIS_NODE_OPS:,.0f} a shard" if ops else ""
        size = f"{shards} shard(s) x {copies} copies = {shards * copies} node(s){held}{carried}"
        lost = "so a lost node loses no shard" if copies > 1 else "so a lost node empties its shard onto the database until it is rebuilt"
        # one failover mechanism per layout: Redis Cluster promotes a shard's replica itself; Sentinel watches one primary
        layout, failover = ("cluster mode", "the cluster promotes a replica") if shards > 1 else ("one primary with replicas", "Sentinel promotes a replica")
        failover += "" if self_run(spec) else ", or the managed service does"
        return _decision(
            spec,
            "cache",
            "caching",
            "Shared cache and in-memory state",
            f"Redis holds: {redis.purpose} ({size})",
            [
                (
                    f"Redis 7 ({'' if self_run(spec) else 'managed, '}{layout})",
                    "sub-millisecond reads, TTLs, lists, sorted sets and atomic counters in one store; "
                    f"{copies_said(copies, planned_level(spec, arch).zones)}: {why} ({failover}), {lost}"
                    + (f"; each instance keeps an in-process (L1) cache of the hottest keys in front of Redis (L2) for {', '.join(l1)}" if l1 else ""),
                ),
                ("Valkey 8", "open-source Redis fork with the same protocol; a fine substitute"),
                ("Memcached", "no replication, persistence or data structures (lists, sorted sets) that this design uses"),
                ("in-process cache only", "each instance caches separately: lower hit ratio and inconsistent invalidation"),
            ],
            "Keys carry TTLs; memory is sized from the figures above with headroom for a failover; evictions (allkeys-lru for caches) are alerted.",
            part="redis",
        )
    return _decision(
        spec,
        "cache",
        "caching",
        "Shared cache",
        "no read path passes the cache threshold",
        [
            ("not needed", "the database serves every read path at its peak rate; HTTP caching covers public reads"),
            ("Redis 7", "an extra moving part with nothing to hold yet; add it when a read path passes the threshold"),
        ],
        # nothing to pin while nothing needs the store: caching a read path (cache.<use case>) is what adds one
        steerable=False,
    )


def _runtime(spec: Spec, arch: Architecture) -> Decision:
    language = (spec.constraints.language or DEFAULT_LANGUAGE).lower()
    stack, why = FRAMEWORKS.get(language, (f"{language} with its mainstream HTTP framework", "the language the team uses"))
    why = f"{why}; {MIGRATIONS}"
    others = [(s, f"team language is {language}") for lang, (s, _) in FRAMEWORKS.items() if lang != language][:3]
    return _decision(
        spec,
        "runtime",
        "implementation",
        "Runtime and framework",
        f"language: {language}" + (" (given)" if spec.constraints.language else " (assumed)"),
        [(stack, why), *others],
    )


def _observability(spec: Spec) -> Decision:
    return _decision(
        spec,
        "observability",
        "operations",
        "Observability",
        "every service needs traces, metrics and logs correlated by request",
        [
            (
                "OpenTelemetry SDK exporting traces and metrics (Prometheus + Grafana"
                + ("" if self_run(spec) else ", or a managed backend")
                + "); JSON logs with trace ids",
                "vendor neutral; one instrumentation for all signals",
            ),
            ("Vendor agent only", "locks instrumentation to one vendor"),
        ],
    )
