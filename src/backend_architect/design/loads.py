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

from backend_architect.design.analysis import STATUS_WRITES_PER_UPLOAD, Analysis, UseCase, worker_writes_per_s
from backend_architect.design.embeds import local_embeds
from backend_architect.design.membership import membership_loads
from backend_architect.design.paths import publishes_directly as publishes_directly
from backend_architect.design.paths import unserved
from backend_architect.design.readback_rate import READS_PER_CREATE, readback_creates
from backend_architect.design.request_steps import request_steps, step_loads
from backend_architect.design.row_address import carried, row_address
from backend_architect.design.runtime_rows import runtime_rows
from backend_architect.design.service_calls import call_loads
from backend_architect.design.split_joins import split_joins
from backend_architect.design.unique_keys import key_writes
from backend_architect.design.workload import JOB_WINDOW_SHARE
from backend_architect.ir.model import Architecture, Datastore, Figure, Table
from backend_architect.ir.query import database_of
from backend_architect.ir.runtime import Mechanism, StoreLoad
from backend_architect.spec.naming import table_name
from backend_architect.spec.units import SECONDS_PER_DAY


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
        name = database_of(arch, store)
        found.setdefault(name, []).extend(t.entity for t in store.tables if t.entity)
    return found


def database_share(arch: Architecture, use_case: str, serves: str) -> float:
    """Share of ``use_case``'s peak reads (or writes) that still reach its database: the least any mechanism serving it leaves."""
    shares = [m.database_share for m in arch.mechanisms if m.use_case == use_case and m.serves == serves]
    return min(shares, default=1.0)


def served_by(arch: Architecture, use_case: str, serves: str) -> Mechanism | None:
    """The mechanism that keeps ``use_case``'s reads (or writes) off the database entirely, if one does."""
    return next((m for m in arch.mechanisms if m.use_case == use_case and m.serves == serves and m.database_share == 0), None)


def write_rate(arch: Architecture, use_case: UseCase) -> float:
    """Peak writes/s ``use_case`` sends to the database: its rate times the share no mechanism keeps elsewhere."""
    return use_case.peak_qps * database_share(arch, use_case.name, "write")


def job_writes(arch: Architecture, use_case: UseCase, rows_per_s: float, interval_s: float, peak_factor: float) -> dict[str, float]:
    """Rows/s a batch job writes, per entity: one per row it handles when it writes what it handles (its first read); a job
    handling one entity's rows and writing another's writes no more of them than that entity grows (new rows, at peak) or
    holds (an update per row, once a run).

    An alert job reading 25,000 readings/s inserts the alerts it raises (their stated growth), not an alert per reading.
    """
    handled = use_case.reads[0] if use_case.reads else use_case.entity
    if handled in use_case.writes or not use_case.writes:
        return {use_case.entity: rows_per_s}
    tables = {t.entity: t for s in arch.datastores for t in s.tables if t.entity and not t.role}
    found = {}
    for entity in use_case.writes:
        written = tables.get(entity)
        if written is None:
            found[entity] = rows_per_s
        elif all(w.startswith(f"{entity}.") for w in use_case.spec.writes if w.split(".")[0] == entity):
            found[entity] = min(rows_per_s, written.rows_now / (interval_s * JOB_WINDOW_SHARE)) if written.rows_now else rows_per_s
        else:
            found[entity] = min(rows_per_s, peak_inserts(written.rows_per_day, peak_factor)) if written.rows_per_day else rows_per_s
    return found


def read_entity(arch: Architecture, use_case: UseCase) -> str:
    """The entity whose rows a read fetches from the database: its own, or, when a mechanism serves that one (a proximity
    set holding the points), the first of the others it returns (the cabs of the drivers a GEO set found)."""
    covered = [e for m in arch.mechanisms if m.use_case == use_case.name and m.serves == "read" for e in m.entities]
    if use_case.entity not in covered:
        return use_case.entity
    return next(iter(unserved(use_case.reads, covered)), use_case.entity)


def database_loads(
    analysis: Analysis, arch: Architecture, read_shares: dict[str, float] | None = None, built: dict[str, bool] | None = None
) -> dict[str, DatabaseLoad]:
    """Per database: the reads and writes/s reaching it at peak.

    ``read_shares`` gives, per use case, the share of its reads a cache or CDN leaves (misses);
    reads a mechanism answers elsewhere (``database_share`` 0) never count, nor writes it keeps
    in memory; jobs count their rows/s; each mechanism's own reads and writes count on the
    database of the entity they touch, under the mechanism's key. ``built``: which sharded tables hold their rows on their
    shards today; with it, a read whose join crosses servers today counts as its two reads, each on its server
    (``design/split_joins.py``).
    """
    # a row a wide-column store holds commits in no PostgreSQL transaction: its guarantee rows sit on their own tables
    held = {t.entity for s in arch.datastores for t in s.tables if t.wide_column is not None}
    home = {e: db for db, entities in databases(arch).items() for e in entities if e not in held}
    guards = {t.entity: [(t, g) for g in t.sharding.uniques] for s in arch.datastores for t in s.tables if t.entity and t.sharding and t.sharding.uniques}
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
                for entity, rate in job_writes(arch, use_case, job.rows_per_s, job.interval_s, analysis.peak_factor).items():
                    target = home.get(entity)
                    if target is None:
                        continue
                    # the rows it writes land on their own table (its shard where sharded)
                    key = f"job_{use_case.id}" if entity == use_case.entity else f"job_{use_case.id}_{table_name(entity)}"
                    loads[target].writes[key] = rate
                    loads[target].entity_of[key] = entity
                if job.reads:  # it reads the rows it handles, at the same pace
                    loads[db].reads[f"job_{use_case.id}"] = job.rows_per_s
            continue
        if use_case.is_write:
            rate = write_rate(arch, use_case)
            # an action changing no field writes no row: its read of the row is a request step (design/request_steps.py)
            if use_case.changes_rows and (rate or database_share(arch, use_case.name, "write")):
                # every table the write touches takes a row (a message and its chat's last_message_at: two writes)
                for entity in dict.fromkeys([use_case.entity, *use_case.writes]):
                    target = home.get(entity)
                    if target is not None:
                        key = f"peak_{use_case.id}" if entity == use_case.entity else f"peak_{use_case.id}_{table_name(entity)}"
                        per_request = use_case.rows_per_request(entity)
                        if per_request != 1.0:
                            # a part written with its parent takes avg_per_parent rows a request (a video's 5 tags)
                            key += "_x_avg_per_parent"
                        loads[target].writes[key] = rate * per_request
                        loads[target].entity_of[key] = entity
                # a write reserving or releasing a unique value writes its uniqueness table (design/unique_keys.py): a create's
                # insert, a state change's insert or delete; counted where that table lives (entity_of names it)
                # of every entity it writes: 'accept ride' puts a Trip into 'accepted' beside its RideOffer
                for table, guard in (g for entity in dict.fromkeys([use_case.entity, *use_case.writes]) for g in guards.get(entity, [])):
                    per_request = key_writes([use_case], table, guard.columns).get(use_case.name, 0.0)
                    target = _table_homes(arch).get(guard.table)
                    if per_request and target in loads:
                        key = f"peak_{use_case.id}_{guard.table}"
                        loads[target].writes[key] = rate * per_request
                        loads[target].entity_of[key] = guard.table
            continue
        for written in use_case.writes:  # side writes of a read (a search logging its query): written whoever answers the read
            side_db = home.get(written)
            if side_db is not None and write_rate(arch, use_case):
                loads[side_db].writes[f"peak_{use_case.id}_side"] = write_rate(arch, use_case)
                loads[side_db].entity_of[f"peak_{use_case.id}_side"] = written
        share = min(shares.get(use_case.name, 1.0), database_share(arch, use_case.name, "read"))
        if share == 0:
            continue
        key = f"peak_{use_case.id}"
        # a mechanism answering the primary entity leaves the read's other rows to their own database (``paths.unserved``)
        entity = read_entity(arch, use_case)
        target = home.get(entity, db)
        loads[target].reads[key] = use_case.peak_qps * share
        loads[target].entity_of[key] = entity
        for embed in local_embeds(arch, use_case.name):
            # a get answering rows beside its item makes one more query of their table a request, behind the same caches
            target = home.get(embed.entity)
            if target is not None:
                key = f"peak_{use_case.id}_{embed.table}"
                loads[target].reads[key] = use_case.peak_qps * share
                loads[target].entity_of[key] = embed.entity
    for split in split_joins(analysis, arch, built or {}, shares):
        # the two reads replace the one join: the joined table's on its server, the own table's by the ids (its shards' keyed reads)
        for load in (split.first, split.second):
            db = home.get(load.entity)
            if db is not None:
                loads[db].reads[load.key] = load.reads_per_s
                loads[db].entity_of[load.key] = load.entity
                loads[db].mechanisms.append(load)
    for load in [*guarantee_rows(analysis, arch), *derived_rows(analysis, arch, loads), *worker_rows(analysis)]:
        db = home.get(load.entity) or _table_homes(arch).get(load.entity) or _service_databases(arch).get(load.entity.partition(":")[2], "")
        if db in loads:
            loads[db].writes[load.key] = load.writes_per_s
            loads[db].entity_of[load.key] = load.entity
            loads[db].mechanisms.append(load)
    # a request's own steps (its reference checks: on the owner's rows, or on a local copy's table in its own database; its
    # membership probe)
    steps = [load for load in step_loads(request_steps(analysis, arch)) if not any(load in m.loads for m in arch.mechanisms)]
    for load in [*readbacks(analysis, arch), *steps, *membership_loads(arch.membership_checks), *call_loads(analysis, arch)]:
        db = home.get(load.entity) or _table_homes(arch).get(load.entity)
        if db is not None:
            loads[db].reads[load.key] = load.reads_per_s * shares.get(load.cached_by, 1.0) if load.cached_by else load.reads_per_s
            loads[db].entity_of[load.key] = load.entity
            loads[db].mechanisms.append(load)
    # a mechanism reading a table the design derived (a feed's event-fed copy of another service's graph) names it by its table
    derived = {t.name: db for db, stores in _stores_by_database(arch).items() for store in stores for t in store.tables if t.entity is None and not t.role}
    for mechanism in arch.mechanisms:
        for load in mechanism.loads:
            db = home.get(load.entity) or derived.get(load.entity)
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


def _table_homes(arch: Architecture) -> dict[str, str]:
    """The database of every table by its name (the tables the design derives have no entity)."""
    return {t.name: db for db, stores in _stores_by_database(arch).items() for store in stores for t in store.tables}


def _stores_by_database(arch: Architecture) -> dict[str, list[Datastore]]:
    found: dict[str, list[Datastore]] = {}
    for store in arch.datastores:
        found.setdefault(database_of(arch, store), []).append(store)
    return found


def _service_databases(arch: Architecture) -> dict[str, str]:
    """The relational database each service writes its own rows to (named as ``databases`` names it)."""
    return {s.service: database_of(arch, s) for s in arch.datastores if s.service is not None and s.engine == "postgresql"}


_ROLE_ROWS = {
    "outbox": "outbox rows/s {service} writes for {use_case} (one per event published)",
    "inbox": "processed-event rows/s {service} writes for {use_case} (one per event consumed)",
    "idempotency": "idempotency-key rows/s {service} stores for {use_case} (one per request)",
}


def guarantee_rows(analysis: Analysis, arch: Architecture) -> list[StoreLoad]:
    """The outbox, processed-event and idempotency-key rows each request writes, at peak (``design/runtime_rows.py``).

    Each row commits in the same transaction as the change it guards, so it lands beside that
    change: on the table of the entity the use case writes in that database (on its shard where
    sharded); with none there, on the runtime table itself, named ``<role>:<service>``.
    """
    # a row a wide-column store holds commits in no PostgreSQL transaction: its guarantee rows sit on their own tables
    held = {t.entity for s in arch.datastores for t in s.tables if t.wide_column is not None}
    home = {e: db for db, entities in databases(arch).items() for e in entities if e not in held}
    own = _service_databases(arch)
    by_name = {u.name: u for u in analysis.use_cases}
    found = []
    for rows in runtime_rows(arch):
        use_case = by_name.get(rows.use_case)
        if use_case is None or rows.service not in own or not use_case.peak_qps:
            continue
        changed = (use_case.entity, *use_case.writes) if use_case.is_write else use_case.writes
        # an event a worker consumes for another service's write (a fan-out worker reading followers) commits its record with
        # none of that write's rows: it sits on a sharded table of its own database where there is one (each shard keeps its
        # own processed events), not all on one unsharded primary
        sharded = [t.entity for st in arch.datastores if database_of(arch, st) == own[rows.service] for t in st.tables if t.sharding and t.entity]
        mine = [*changed, *(sharded if rows.role == "inbox" else [])]
        beside = next((e for e in mine if home.get(e) == own[rows.service]), f"{rows.role}:{rows.service}")
        rate = write_rate(arch, use_case)  # a write kept in memory commits no transaction to guard
        if not rate:
            continue
        found.append(
            StoreLoad(
                entity=beside,
                key=f"{rows.role}_{use_case.id}_{rows.service}",
                quantity=_ROLE_ROWS[rows.role].format(service=rows.service, use_case=use_case.name),
                writes_per_s=rate,
                formula="peak x database_share (one row a request or event that reaches the database)",
                inputs={"peak": use_case.peak_qps, "database_share": rate / use_case.peak_qps},
            )
        )
    return found


def derived_rows(analysis: Analysis, arch: Architecture, loads: dict[str, DatabaseLoad]) -> list[StoreLoad]:
    """Inserts/s at peak into tables no use case or mechanism counted: rows the design derives (renditions, snapshots, rollups)
    and parts no use case names, each from its rows a day: ``rows_per_day / seconds_per_day x peak_factor``.

    A table some use case inserts into is left to that use case (its writes may be kept in memory);
    every other table that grows (a stated growth only updates or jobs touch) takes its rows from
    somewhere, and they reach its database.
    """
    written = {name for name, facts in analysis.entities.items() if facts.creators}
    landed = {entity for load in loads.values() for key, entity in load.entity_of.items() if key in load.writes}
    found = []
    for store in arch.datastores:
        for table in store.tables:
            subject = table.entity or table.name
            if table.role or table.wide_column is not None or not table.rows_per_day or subject in written or subject in landed:
                continue
            found.append(
                StoreLoad(
                    entity=subject,
                    key=f"rows_{table.name}",
                    quantity=f"inserts/s into {table.name} at peak (its rows a day)",
                    writes_per_s=peak_inserts(table.rows_per_day, analysis.peak_factor),
                    formula="rows_per_day / seconds_per_day x peak_factor",
                    inputs={"rows_per_day": table.rows_per_day, "seconds_per_day": SECONDS_PER_DAY, "peak_factor": analysis.peak_factor},
                )
            )
    return found


def worker_rows(analysis: Analysis) -> list[StoreLoad]:
    """The updates/s at peak the engine's own workers make to rows after their create (``worker_changes``: a media field's
    status, ``STATUS_WRITES_PER_UPLOAD`` per upload), on the entity's database: the same rate every cache of the rows counts
    as invalidating writes (``worker_writes_per_s``)."""
    found = []
    for name, facts in analysis.entities.items():
        rate = worker_writes_per_s(analysis, name)
        if not rate:
            continue
        creates = sum(u.peak_qps for u in analysis.use_cases if u.name in facts.creators)
        fields = sum(1 for c in facts.changes if c.startswith("the media workers set "))
        found.append(
            StoreLoad(
                entity=name,
                key=f"workers_{table_name(name)}",
                quantity=f"status updates/s the media workers write to {table_name(name)} at peak (processing, then ready or failed)",
                writes_per_s=rate,
                formula="creates_peak x status_writes_per_upload x media_fields",
                inputs={"creates_peak": creates, "status_writes_per_upload": float(STATUS_WRITES_PER_UPLOAD), "media_fields": float(fields)},
            )
        )
    return found


def peak_inserts(rows_per_day: float, peak_factor: float) -> float:
    """Inserts/s at peak of a table taking ``rows_per_day`` new rows: what every sharding threshold compares (inserts with inserts)."""
    return rows_per_day / SECONDS_PER_DAY * peak_factor


def readbacks(analysis: Analysis, arch: Architecture) -> list[StoreLoad]:
    """The reads of the GETs the API adds for created resources that no use case rates: each created row read back once.

    Every read endpoint reaches its store unless a cache or read model serves it, so a design whose
    only rated read is served elsewhere still reads its database for these. A row kept in a
    wide-column store is read back from there (its by-id table), never from the relational database.
    """
    elsewhere = {t.entity for s in arch.datastores for t in s.tables if t.entity and t.wide_column is not None}
    return [load for load in readback_requests(analysis, arch) if load.entity not in elsewhere]


def readback_requests(analysis: Analysis, arch: Architecture) -> list[StoreLoad]:
    """Every created resource's read back through its GET, whichever store answers it: requests its service serves.

    The service's peak request rate and instances count these (a load counted on a database is
    served by a service first); ``readbacks`` keeps those that reach the relational database. Neither
    an appended row (append-only: the create answered its final state) nor a value kept in memory
    (latest: true overwrites a key, creating no row) is read back.
    """
    found: list[StoreLoad] = []
    tables = {t.entity: t for s in arch.datastores for t in s.tables if t.entity and not t.role}
    for api in arch.apis:
        for op in api.operations:
            if op.method != "get" or op.use_cases or op.kind != "get" or not op.path.endswith("}") or op.entity is None or op.internal:
                continue
            # a value kept in memory (latest: true) overwrites its key rather than creating a row to read back
            kept = {u.name for u in analysis.use_cases if served_by(arch, u.name, "write") is not None}
            creates = readback_creates(analysis, op.entity, kept)
            if not creates:
                continue
            getter = next((u.name for u in analysis.use_cases if u.kind == "get" and u.entity == op.entity), "")
            # an owner-only GET carries the caller's reference as the owner-only use cases of the entity name it
            caller = next((u.caller_column for u in analysis.use_cases if u.entity == op.entity and u.caller_column), None)
            table = tables.get(op.entity)
            found.append(
                StoreLoad(
                    entity=op.entity,
                    key=f"readback_{op.operation_id}",
                    quantity=f"reads/s of {op.method.upper()} {op.path} (each created {op.entity} read back)",
                    reads_per_s=creates * READS_PER_CREATE,
                    formula="peak_creates x reads_per_create",
                    inputs={"peak_creates": creates, "reads_per_create": READS_PER_CREATE},
                    cached_by=getter,
                    by=row_address(op, table),
                    carries=carried(op, table, caller),
                )
            )
    return found


#: How a table's peak inserts are counted: what the sharding rule, the shard counts and the growth stage compare with the write ceiling.
INSERT_FORMULA = "rows_per_day / seconds_per_day x peak_factor + guarantee_rows (the outbox, processed-event and idempotency rows committed with them)"


def insert_figures(analysis: Analysis, arch: Architecture) -> list[Figure]:
    """Per table, inserts/s at peak reaching its primary (its shard where sharded): its new rows, and the guarantee rows
    (``guarantee_rows``) each committed in the same transaction, so on the same primary or shard.

    Inserts, not all writes: an update changes a row in place and adds none, so the sharding rule's
    "past one primary's inserts" compares this figure (``qps.peak.insert.table.<t>``) with the
    ceiling, and every section that states it reads this one figure.
    """
    beside: dict[str, dict[str, float]] = {}
    for load in guarantee_rows(analysis, arch):
        beside.setdefault(load.entity, {})[load.key] = load.writes_per_s
    found = []
    for table in (t for s in arch.datastores for t in s.tables):
        extra = beside.get(table.entity or table.name, {})
        if not table.rows_per_day and not extra:
            continue
        inputs = {"rows_per_day": table.rows_per_day, "seconds_per_day": float(SECONDS_PER_DAY), "peak_factor": analysis.peak_factor}
        if extra:
            found.append(
                Figure(
                    key=f"qps.peak.guarantee.table.{table.name}",
                    quantity=f"outbox, processed-event and idempotency rows/s at peak committed with {table.name}'s changes",
                    value=sum(extra.values()),
                    unit="inserts/s",
                    formula="sum of the guarantee rows each request or event commits in the same transaction",
                    inputs=extra,
                    scope=table.name,
                )
            )
            inputs["guarantee_rows"] = sum(extra.values())
        found.append(
            Figure(
                key=f"qps.peak.insert.table.{table.name}",
                quantity=(
                    f"rows/s inserted at peak on {table.name}'s primary (its shard where sharded): its new rows and the outbox, "
                    "processed-event and idempotency rows committed with them"
                    if extra
                    else f"new {table.name} rows/s at peak (inserts into the wide-column store, no outbox or key row beside them)"
                    if table.wide_column is not None
                    else f"new {table.name} rows/s at peak (the inserts reaching its primary, its shard where sharded)"
                ),
                value=peak_inserts(table.rows_per_day, analysis.peak_factor) + sum(extra.values()),
                unit="inserts/s",
                formula=INSERT_FORMULA if extra else "rows_per_day / seconds_per_day x peak_factor",
                inputs=inputs,
                scope=table.name,
            )
        )
    return found


def inserts_said(inserts: float, guarantee: float) -> str:
    """A table's peak inserts named for what they count (``qps.peak.insert.table`` with ``qps.peak.guarantee.table``): its new
    rows alone, or the rows inserted with the guarantee rows beside them, both terms stated.

    >>> inserts_said(6000, 0)
    '6,000 new rows/s at peak'
    >>> inserts_said(9000, 3000)
    '9,000 rows/s inserted at peak (6,000 new rows + 3,000 outbox and idempotency rows committed with them)'
    """
    if not guarantee:
        return f"{_rate(inserts)} new rows/s at peak"
    terms = f"{_rate(inserts - guarantee)} new rows + {_rate(guarantee)} outbox and idempotency rows committed with them"
    return f"{_rate(inserts)} rows/s inserted at peak ({terms})"


def _rate(value: float) -> str:
    """A rate for a sentence: whole above 100 (``208,333``), two decimals below (``0.23``), two significant digits below 0.01."""
    if value >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value >= 0.01 else f"{value:.2g}"


def table_inserts(known: dict[str, float], table: Table, peak_factor: float) -> float:
    """The table's peak inserts: its ``qps.peak.insert.table`` figure (``insert_figures``), else its rows a day at ``peak_factor``."""
    return known.get(f"qps.peak.insert.table.{table.name}", peak_inserts(table.rows_per_day, peak_factor))


__all__ = [
    "INSERT_FORMULA",
    "READS_PER_CREATE",
    "DatabaseLoad",
    "database_loads",
    "database_share",
    "databases",
    "derived_rows",
    "guarantee_rows",
    "insert_figures",
    "inserts_said",
    "peak_inserts",
    "publishes_directly",
    "readback_requests",
    "readbacks",
    "served_by",
    "table_inserts",
    "worker_rows",
    "write_rate",
]
