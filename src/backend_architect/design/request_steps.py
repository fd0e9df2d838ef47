"""The steps a request makes beside its main read or write, listed once: its latency and its stores' load both read this list.

A write that checks a reference against an event-fed local copy reads that copy's table in its own
database; one that checks it on the owner makes the owner read the row by id; a feed read merges the
newest items of the large authors it follows (not fanned out) and fills its page of ids with their
rows; a write a wide-column store takes makes its Idempotency-Key's conditional insert first. Each
such step is one ``RequestStep``: the reads/s it adds to its store at peak (a ``StoreLoad``, counted
by ``design/loads.py`` in the database's reads, its utilisation and its replica and shard triggers)
and the time it adds to the request (a ``LatencyPart``, summed by ``design/latency.py``), both from
the same record, so no section states a step the other leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.design.check_caches import check_cache
from backend_architect.design.graph_reads import GRAPH_KEY
from backend_architect.design.key_reads import shards_reached
from backend_architect.design.publishers import event_publishers
from backend_architect.design.reference_checks import CHECKED_BY_OWNER, copy_table_name
from backend_architect.design.row_address import carried, row_address, scatters
from backend_architect.ir.model import Architecture, ReferenceCheck
from backend_architect.ir.query import held_keys, version_guarded
from backend_architect.ir.runtime import StoreLoad
from backend_architect.spec.naming import snake

#: The keys of the feed mechanism's own loads that are steps of the read itself (the fan-out worker's are not: it runs after the write).
MERGE_KEY = "merge_"
HYDRATE_KEY = "hydrate_"


@dataclass(frozen=True)
class RequestStep:
    """One step of a use case's request: what it adds to a store's load at peak and to the request's time."""

    use_case: str
    #: What the latency breakdown calls it.
    part: str
    #: The per-operation figure (``design/latency.py`` ``DEFAULT_MS``) one request's step takes.
    op: str
    #: Share of the requests that take it (the misses of a cache in front of it).
    share: float = 1.0
    #: The step's reads or writes/s at its database ('' entity: none there, a store whose sizing counts it).
    load: StoreLoad | None = None
    #: Timed inside a synchronous hop to another service (a call over the network carries the owner's query).
    in_hop: bool = False
    #: Shards the step reads in parallel (a merge naming several values of the shard key): its time takes the scatter tail.
    shards: float = 1.0


def request_steps(analysis: Analysis, arch: Architecture) -> list[RequestStep]:
    """Every use case's steps beside its main read or write, in use-case order: checks, idempotency records, merges, hydration."""
    found = [
        *_check_steps(analysis, arch),
        *_row_reads(analysis, arch),
        *_routing_reads(analysis, arch),
        *_feed_steps(analysis, arch),
        *_idempotency_steps(analysis, arch),
    ]
    order = {u.name: i for i, u in enumerate(analysis.use_cases)}
    return sorted(found, key=lambda s: order.get(s.use_case, len(order)))


def steps_of(steps: list[RequestStep], use_case: str) -> list[RequestStep]:
    """The steps of one use case's request."""
    return [s for s in steps if s.use_case == use_case]


def step_loads(steps: list[RequestStep]) -> list[StoreLoad]:
    """The loads the steps put on databases, each once (``design/loads.py`` adds them to the database they land on)."""
    return list({s.load.key: s.load for s in steps if s.load is not None and s.load.entity}.values())


def _check_steps(analysis: Analysis, arch: Architecture) -> list[RequestStep]:
    """A reference checked on its owner (one read of the row by id there, on a miss of the cache answering it first) or
    against a local copy (one read of the copy's table)."""
    in_process = arch.deployment == "modular-monolith"
    known = {f.key: f.value for f in arch.figures}
    found = []
    for c in arch.reference_checks:
        if not c.peak or c.check not in {CHECKED_BY_OWNER, "local copy"}:
            continue
        if c.check == CHECKED_BY_OWNER:
            cached = check_cache(analysis, arch, c)
            miss = 1 - cached.hit_ratio if cached else 1.0
            by = _checked_by(arch, c)
            load = StoreLoad(
                entity=c.entity,
                key=f"check_{c.operation}_{c.column}",
                quantity=f"existence checks/s of {c.entity} by {by} for {c.use_case} ({c.table}.{c.column})"
                + (f" past the cache of {cached.use_case} ({cached.operation})" if cached else ""),
                reads_per_s=c.peak * miss,
                formula="peak x (1 - hit_ratio) (one check a request, read through the cache answering it)" if cached else "peak (one check a request)",
                inputs={"peak": c.peak, "hit_ratio": cached.hit_ratio} if cached else {"peak": c.peak},
                # a reference holds the row's address and nothing else of it: on a table sharded by another column it asks every
                # shard, unless the address is routed (an id carrying its shard, a code through its uniqueness table)
                by=by,
            )
            # a call over the network is timed as a hop that includes the owner's query; an in-process call is not
            part = f"{c.owner}: indexed read of the {c.entity} named by {c.column} (existence check)"
            fan = _scatter(arch, known, load)
            part += f", asking every shard ({fan:g} in parallel)" if fan > 1 else ""
            found.append(RequestStep(c.use_case, part, "indexed_read", load=load, in_hop=not in_process, shards=fan))
            continue
        table = copy_table_name(c.entity)
        load = StoreLoad(
            entity=table,
            key=f"copy_check_{c.operation}_{c.column}",
            quantity=f"local-copy checks/s of {c.entity} ids in {table} for {c.use_case} ({c.table}.{c.column})",
            reads_per_s=c.peak,
            formula="peak (one indexed read of the local copy a request)",
            inputs={"peak": c.peak},
        )
        found.append(RequestStep(c.use_case, f"{table}: indexed read of the {c.entity} named by {c.column} (local copy check)", "indexed_read", load=load))
    return found


def _routing_reads(analysis: Analysis, arch: Architecture) -> list[RequestStep]:
    """A write publishing an event routed by an id on a row it refers to reads that row, where its own service owns it: one
    indexed read a request (another service's row is a query of its owner, ``recipient_reads``, counted by ``service_calls``).

    The payload promises the id "read by the producer as it writes": the read is the request's, so its load and time are too.
    """
    owner = {e: s.name for s in arch.services for e in s.entities}
    peaks = {u.name: u for u in analysis.use_cases if u.peak_qps}
    found: dict[str, RequestStep] = {}
    for event in arch.events:
        for routing in event.recipients:
            rows = [r for r in routing.rows[: max(0, len(routing.path) - 1)] if owner.get(r) == event.producer]
            for name in (n for n in event_publishers(arch, event) if n in peaks and owner.get(peaks[n].entity) == event.producer):
                for row in rows:
                    load = StoreLoad(
                        entity=row,
                        key=f"routing_{peaks[name].id}_{snake(row)}",
                        quantity=f"reads/s of the {row} {name} refers to, for the {event.name}'s {routing.field}",
                        reads_per_s=peaks[name].peak_qps,
                        formula="peak (one indexed read a request)",
                        inputs={"peak": peaks[name].peak_qps},
                    )
                    found[load.key] = RequestStep(name, f"indexed read of the {row} for the {event.name}'s {routing.field}", "indexed_read", load=load)
    return list(found.values())


#: Operations one lightweight transaction costs a wide-column store, against one for a plain write: Paxos's prepare and
#: propose rounds, the read of the current row, then the commit (Cassandra and ScyllaDB documentation: four round trips).
LWT_OPERATIONS = 4.0


def keyed_creates(analysis: Analysis, arch: Architecture, entity: str) -> dict[str, float]:
    """Peak requests/s of each create of ``entity`` whose operation takes an Idempotency-Key, by use case.

    Where a wide-column store holds the entity, each takes the key by a lightweight transaction there:
    the store's write sizing (``patterns/_wide_column_plan.py``) and the request's step both read this.
    """
    keyed = {u for api in arch.apis for op in api.operations if op.idempotency_key for u in op.use_cases}
    return {u.name: u.peak_qps for u in analysis.use_cases if u.entity == entity and u.kind == "create" and u.name in keyed and u.peak_qps}


def guarded_changes(analysis: Analysis, arch: Architecture, entity: str) -> dict[str, float]:
    """Peak requests/s of each change of ``entity`` whose operation refuses a stale version (If-Match, ``ir.query.version_guarded``),
    by use case.

    Where a wide-column store holds the entity, each is a lightweight transaction there (``UPDATE ... IF version = ?``), not a
    plain quorum write: the store's write sizing, the request's time and its sequence all read this, so none promises a 412
    the others cannot keep.
    """
    guarded = {u for api in arch.apis for op in api.operations if version_guarded(op) for u in op.use_cases}
    return {u.name: u.peak_qps for u in analysis.use_cases if u.entity == entity and u.name in guarded and u.peak_qps and u.changes_rows}


#: What the latency breakdown calls the read of the row a write changes (a change or delete finds its row, its version, its owner first).
ROW_READ = "indexed read of the row it changes"
#: The same read for a use case naming no writes (a driver's denial): it acts on the row, changing no field, as capacity counts it.
ROW_READ_KEPT = "indexed read of the row it acts on (it changes no field)"


def _row_reads(analysis: Analysis, arch: Architecture) -> list[RequestStep]:
    """A write changing or deleting a row in the database reads it first by its id: one read of its table a request.

    A write a mechanism keeps in its own store (a value in memory, a row a wide-column store holds) reads
    nothing of the database (``design/latency.py`` times its own store's read instead), and a create
    has no row to read.
    """
    found = []
    known = {f.key: f.value for f in arch.figures}
    ops = {name: op for api in arch.apis for op in api.operations for name in op.use_cases}
    tables = {t.entity: t for s in arch.datastores for t in s.tables if t.entity and not t.role}
    for u in analysis.use_cases:
        if not u.is_write or u.is_job or u.kind in {"create", "job"} or not u.peak_qps:
            continue
        mechanisms = [m for m in arch.mechanisms if m.use_case == u.name and m.serves == "write"]
        if any(m.publish in {"direct", "cdc"} for m in mechanisms):
            continue
        share = min((m.database_share for m in mechanisms), default=1.0)
        op, table = ops.get(u.name), tables.get(u.entity)
        load = StoreLoad(
            entity=u.entity,
            key=f"read_{u.id}",
            quantity=f"reads/s of the {u.entity} row {u.name} {'changes' if u.writes else 'acts on (changing no field)'}, by {row_address(op, table)}, at peak",
            reads_per_s=u.peak_qps * share,
            formula="peak x database_share (one read of the row a request)",
            inputs={"peak": u.peak_qps, "database_share": share},
            by=row_address(op, table),
            carries=carried(op, table, u.caller_column),
        )
        fan = _scatter(arch, known, load)
        said = ROW_READ if u.writes else ROW_READ_KEPT
        found.append(RequestStep(u.name, said + (f", asking every shard ({fan:g} in parallel)" if fan > 1 else ""), "indexed_read", load=load, shards=fan))
    return found


def _checked_by(arch: Architecture, check: ReferenceCheck) -> str:
    """The column the owner's check finds the referenced row by: the address of the owner's GET the writer calls (a public
    ``code`` where the contract names rows by it, else the row's id). Why: the check is sized and routed as the call it is, so a
    code is routed through its uniqueness table, never counted as a read by id the call does not make."""
    writer = next((f.steps[0].target for f in arch.flows if f.use_case == check.use_case and f.steps), "")
    api = next((a for a in arch.apis if a.service == check.owner), None)
    gets = [o for o in api.operations if o.entity == check.entity and o.method == "get" and o.kind == "get"] if api is not None else []
    op = next((o for o in gets if writer in o.consumers), None)
    table = next((t for s in arch.datastores if s.service == check.owner for t in s.tables if t.entity == check.entity and not t.role), None)
    return row_address(op, table)


def _scatter(arch: Architecture, known: dict[str, float], load: StoreLoad) -> float:
    """Shards a read of one row asks in parallel: every shard of its table when it names the row by another column than the
    shard key and nothing routes it (``row_address.scatters``, as the cross-shard list counts it); else 1."""
    table = next((t for s in arch.datastores for t in s.tables if t.entity == load.entity and not t.role), None)
    if table is None or not scatters(table, load.by, load.carries):
        return 1.0
    return max(1.0, known.get(f"db.shards.{table.name}", 1.0))


def _feed_steps(analysis: Analysis, arch: Architecture) -> list[RequestStep]:
    """A feed read's own loads: the read-time merge of the large authors it follows, and its page's rows read by id."""
    known = {f.key: f.value for f in arch.figures}
    ids = {u.name: u.id for u in analysis.use_cases}
    found = []
    for m in arch.mechanisms:
        if m.serves != "read":
            continue
        for load in m.loads:
            if load.key.startswith(GRAPH_KEY) and load.reads_per_s:
                # which of the reader's followees are past the cut-off: the graph read in this service's own database (a table or its copy)
                read = load.quantity.split(" finding ")[0].removeprefix("reads/s of ")
                found.append(RequestStep(m.use_case, f"database: {read} (the followees past the cut-off)", "indexed_read", load=load))
            elif load.key.startswith(MERGE_KEY) and load.reads_per_s:
                sources = load.inputs.get("merged_sources", 0.0)
                fan = shards_reached(arch, load.entity, load.by, sources) if load.by else 1.0
                by = load.by or "author"
                how = f"one shard per {by} value, {fan:g} in parallel" if fan > 1 else f"one query by {by}"
                part = f"database: newest {load.entity} ids of the {sources:g} followed author(s) past the cut-off ({how})"
                found.append(RequestStep(m.use_case, part, "range_page", load=load, shards=fan))
            elif load.key.startswith(HYDRATE_KEY):
                hit = load.inputs.get("item_hit_ratio")
                if hit is not None:
                    # the page's rows come from the item cache in one multi-get; its misses from the database, also in one
                    found.append(RequestStep(m.use_case, f"{m.store}: the page's {load.entity} rows by id (one multi-get)", "cache"))
                    found.append(RequestStep(m.use_case, f"database: the page's {load.entity} rows the cache misses", "indexed_read", 1 - hit, load))
                    continue
                miss = 1 - known.get(f"cache.hit_ratio.{ids[load.cached_by]}", 0.0) if load.cached_by in ids else 1.0
                found.append(RequestStep(m.use_case, f"database: the page's {load.entity} rows by id (one multi-get)", "indexed_read", miss, load))
    return found


def _idempotency_steps(analysis: Analysis, arch: Architecture) -> list[RequestStep]:
    """A keyed write a wide-column store takes: its Idempotency-Key's conditional insert (a lightweight transaction) before the
    write, ``LWT_OPERATIONS`` operations of that store a request (counted in its nodes' writes, not in any database's)."""
    services = dict.fromkeys(api.service for api in arch.apis)
    stores = {m.use_case: m for m in arch.mechanisms if m.serves == "write" and m.database_share == 0 and m.publish == "cdc"}
    ids = {u.name: u for u in analysis.use_cases}
    found = []
    for use_case in (u for service in services for u in held_keys(arch, service)):
        mechanism, made = stores[use_case], ids.get(use_case)
        peak = keyed_creates(analysis, arch, made.entity).get(use_case, 0.0) if made is not None else 0.0
        load = StoreLoad(
            entity=made.entity if made is not None else "",
            key=f"lwt_{made.id if made is not None else use_case}",
            quantity=f"operations/s {mechanism.store} performs for the Idempotency-Key lightweight transactions of {use_case} at peak",
            writes_per_s=peak * LWT_OPERATIONS,
            formula="peak x lwt_operations",
            inputs={"peak": peak, "lwt_operations": LWT_OPERATIONS},
        )
        part = f"{mechanism.store}: Idempotency-Key conditional insert (INSERT ... IF NOT EXISTS, a lightweight transaction)"
        found.append(RequestStep(use_case, part, "lightweight_transaction", load=load))
    return found


__all__ = ["LWT_OPERATIONS", "ROW_READ", "ROW_READ_KEPT", "RequestStep", "guarded_changes", "keyed_creates", "request_steps", "step_loads", "steps_of"]
