"""What reaches each database at peak, read from the mechanisms serving each path: computed here once.

A use case's reads and writes reach the database of the entity it is about, less what a
mechanism serves elsewhere (``Mechanism.database_share``: 0 for a latest value kept in memory
or a read answered by a precomputed list, ``1 - hit ratio`` behind a cache), plus what the
mechanisms themselves read and write (a fan-out worker paging the author's followers for every
post, a job's rows). The database-load pattern, the table rates, the growth stages and the
bottlenecks all read this one ledger, so no section counts a write the design keeps elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Mechanism, StoreLoad
from backend_architect.spec.naming import table_name


@dataclass(frozen=True)
class DatabaseLoad:
    """Peak reads and writes/s reaching one database, by where they come from (``peak_<use case>``, a mechanism's key)."""

    reads: dict[str, float] = field(default_factory=dict)
    writes: dict[str, float] = field(default_factory=dict)
    #: The mechanisms' own reads and writes counted above, each with its formula (a figure of its own in the report).
    mechanisms: list[StoreLoad] = field(default_factory=list)
    #: The entity (table) each read and write input lands on, so a sharded table's share is known (``design/shard_loads.py``).
    entity_of: dict[str, str] = field(default_factory=dict)


def databases(arch: Architecture) -> dict[str, list[str]]:
    """Physical databases and the entities each holds: one for a modular monolith (a schema per module), else one per datastore."""
    found: dict[str, list[str]] = {}
    for store in arch.datastores:
        name = store.name.split(".")[0] if arch.deployment == "modular-monolith" else store.name
        found.setdefault(name, []).extend(t.entity for t in store.tables if t.entity)
    return found


def database_share(arch: Architecture, use_case: str, serves: str) -> float:
    """Share of ``use_case``'s peak reads (or writes) that still reach its database: the least any mechanism serving it leaves."""
    shares = [m.database_share for m in arch.mechanisms if m.use_case == use_case and m.serves == serves]
    return min(shares, default=1.0)


def served_by(arch: Architecture, use_case: str, serves: str) -> Mechanism | None:
    """The mechanism that keeps ``use_case``'s reads (or writes) off the database entirely, if one does."""
    return next((m for m in arch.mechanisms if m.use_case == use_case and m.serves == serves and m.database_share == 0), None)


def publishes_directly(arch: Architecture, use_case: str) -> bool:
    """Whether the write path publishes its changes to pub/sub itself (no outbox: there is no database transaction)."""
    return any(m.use_case == use_case and m.serves == "write" and m.publish == "direct" for m in arch.mechanisms)


def write_rate(arch: Architecture, use_case: UseCase) -> float:
    """Peak writes/s ``use_case`` sends to the database: its rate times the share no mechanism keeps elsewhere."""
    return use_case.peak_qps * database_share(arch, use_case.name, "write")


def database_loads(analysis: Analysis, arch: Architecture, read_shares: dict[str, float] | None = None) -> dict[str, DatabaseLoad]:
    """Per database: the reads and writes/s reaching it at peak.

    ``read_shares`` gives, per use case, the share of its reads a cache or CDN leaves (misses);
    reads a mechanism answers elsewhere (``database_share`` 0) never count, nor writes it keeps
    in memory; jobs count their rows/s; each mechanism's own reads and writes count on the
    database of the entity they touch, under the mechanism's key.
    """
    home = {e: db for db, entities in databases(arch).items() for e in entities}
    guards = {t.entity: t.sharding.uniques for s in arch.datastores for t in s.tables if t.entity and t.sharding and t.sharding.uniques}
    jobs = {j.use_case: j for j in arch.jobs}
    loads = {db: DatabaseLoad() for db in databases(arch)}
    shares = read_shares or {}
    for use_case in analysis.use_cases:
        db = home.get(use_case.entity)
        if db is None:
            continue
        if use_case.is_job:
            job = jobs.get(use_case.name)
            if job is not None and job.rows_per_s:
                loads[db].writes[f"job_{use_case.id}"] = job.rows_per_s
                if job.reads:  # it reads the rows it handles, at the same pace
                    loads[db].reads[f"job_{use_case.id}"] = job.rows_per_s
            continue
        if use_case.is_write:
            rate = write_rate(arch, use_case)
            if rate or database_share(arch, use_case.name, "write"):
                # every table the write touches takes a row (a message and its chat's last_message_at: two writes)
                for entity in dict.fromkeys([use_case.entity, *use_case.writes]):
                    target = home.get(entity)
                    if target is not None:
                        key = f"peak_{use_case.id}" if entity == use_case.entity else f"peak_{use_case.id}_{table_name(entity)}"
                        loads[target].writes[key] = rate
                        loads[target].entity_of[key] = entity
                if use_case.kind == "create" and use_case.entity in home:
                    # each new row first reserves its unique values in their uniqueness tables (design/unique_keys.py): one insert each
                    for guard in guards.get(use_case.entity, []):
                        key = f"peak_{use_case.id}_{guard.table}"
                        loads[home[use_case.entity]].writes[key] = rate
                        loads[home[use_case.entity]].entity_of[key] = guard.table
            continue
        share = min(shares.get(use_case.name, 1.0), database_share(arch, use_case.name, "read"))
        if share == 0:
            continue
        key = f"peak_{use_case.id}"
        loads[db].reads[key] = use_case.peak_qps * share
        loads[db].entity_of[key] = use_case.entity
        for written in use_case.writes:  # side writes of a read (a search logging its query)
            side_db = home.get(written)
            if side_db is not None:
                loads[side_db].writes[f"peak_{use_case.id}_side"] = use_case.peak_qps
                loads[side_db].entity_of[f"peak_{use_case.id}_side"] = written
    for load in readbacks(analysis, arch):
        db = home.get(load.entity)
        if db is not None:
            loads[db].reads[load.key] = load.reads_per_s * shares.get(load.cached_by, 1.0) if load.cached_by else load.reads_per_s
            loads[db].entity_of[load.key] = load.entity
            loads[db].mechanisms.append(load)
    for mechanism in arch.mechanisms:
        for load in mechanism.loads:
            db = home.get(load.entity)
            if db is None:
                continue
            reads = load.reads_per_s * shares.get(load.cached_by, 1.0) if load.cached_by else load.reads_per_s
            if reads:
                loads[db].reads[load.key] = reads
            if load.writes_per_s:
                loads[db].writes[load.key] = load.writes_per_s
            loads[db].entity_of[load.key] = load.entity
            loads[db].mechanisms.append(load)
    return loads


#: Times a created resource is read back by its GET (the Location a create answers with) when no use case states that read's rate.
READS_PER_CREATE = 1.0


def readbacks(analysis: Analysis, arch: Architecture) -> list[StoreLoad]:
    """The reads of the GETs the API adds for created resources that no use case rates: each created row read back once.

    Every read endpoint reaches its store unless a cache or read model serves it, so a design whose
    only rated read is served elsewhere still reads its database for these. A row kept in a
    wide-column store is read back from there (its by-id table), never from the relational database.
    """
    elsewhere = {t.entity for s in arch.datastores for t in s.tables if t.entity and t.wide_column is not None}
    found: list[StoreLoad] = []
    for api in arch.apis:
        for op in api.operations:
            if op.method != "get" or op.use_cases or op.kind != "get" or not op.path.endswith("}") or op.entity is None or op.internal:
                continue
            if op.entity in elsewhere:
                continue
            creates = sum(u.peak_qps for u in analysis.use_cases if u.kind == "create" and u.entity == op.entity and not u.is_job)
            if not creates:
                continue
            getter = next((u.name for u in analysis.use_cases if u.kind == "get" and u.entity == op.entity), "")
            found.append(
                StoreLoad(
                    entity=op.entity,
                    key=f"readback_{op.operation_id}",
                    quantity=f"reads/s of {op.method.upper()} {op.path} (each created {op.entity} read back)",
                    reads_per_s=creates * READS_PER_CREATE,
                    formula="peak_creates x reads_per_create",
                    inputs={"peak_creates": creates, "reads_per_create": READS_PER_CREATE},
                    cached_by=getter,
                )
            )
    return found


__all__ = ["READS_PER_CREATE", "DatabaseLoad", "database_loads", "database_share", "databases", "publishes_directly", "readbacks", "served_by", "write_rate"]
