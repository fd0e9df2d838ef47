"""What a use case does in its own service's stores, in the order it does it: read once from the IR, for every section that draws a path.

A flow's steps (``Flow.steps``) hold the hops between services, the mechanisms serving a path and the
events; the work a request does in its service's own database is not a hop, so it is not one of them
(the latency parts time it, ``depends_on`` must never list it). A reader of a sequence still needs
it: the Idempotency-Key looked up first, the checks against its own tables, the rows written with the
outbox row in one transaction (or, in a wide-column store, the row whose change-data-capture log
publishes it), the query a read makes and a cache-aside read's miss. Each is decided elsewhere (the
tables a use case creates, its operation and its parameters, the mechanisms, the checks, the cache
plan); this module only reads those decisions and says them as steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import takewhile
from typing import Literal

from backend_architect.ir.model import Architecture, Datastore, Flow, GlobalUnique, Index, Operation, Table
from backend_architect.ir.query import OUTBOX_SOURCE, VERSION_GUARD, all_tables, database_of, event_source, held_keys, version_guarded
from backend_architect.ir.runtime import Mechanism
from backend_architect.ir.runtime_tables import RUNTIME_RETENTION_DAYS

#: Operation kinds that change rows; a job writes the tables its record names.
_WRITES = {"create": "insert", "update": "update", "replace": "update", "action": "update", "delete": "delete"}


@dataclass(frozen=True)
class Store:
    """A store a service reaches for its own rows: one of its databases (``kind`` database) or a component (a wide-column store, a cache)."""

    name: str
    label: str
    kind: Literal["database", "component"]


@dataclass(frozen=True)
class StoreStep:
    """One step in an own store: ``phase`` places it (``key`` first, then ``check``, then ``write`` or ``cache`` and ``read``)."""

    store: Store
    phase: Literal["key", "check", "write", "cache", "read", "fill"]
    text: str
    reply: str


def operation_of(arch: Architecture, flow: Flow) -> Operation | None:
    """The operation serving the flow's use case in its home service's API (the first, where several do)."""
    home = flow.steps[0].target if flow.steps else ""
    return next((op for api in arch.apis if api.service == home for op in api.operations if flow.use_case in op.use_cases), None)


def store_steps(arch: Architecture, flow: Flow) -> list[StoreStep]:
    """The flow's steps in its home service's own stores, in the order the request makes them.

    Reads a mechanism already answers (a cache, a feed, a search index, a wide-column page) are drawn by its
    step, and writes a mechanism keeps off the database (a value kept in Redis) by its own: neither is repeated here.
    """
    if not flow.steps:
        return []
    home = flow.steps[0].target
    stores = [s for s in arch.datastores if s.service == home]
    if not stores:
        return []
    op = operation_of(arch, flow)
    steps = _key_steps(arch, flow, home, stores, op) + _check_steps(arch, flow, stores)
    written = _written(arch, flow, stores, op)
    if written:
        return steps + _write_steps(arch, flow, home, stores, written, op)
    return steps + _read_steps(arch, flow, stores, op)


def consumed(flow: Flow) -> bool:
    """Whether the flow starts from an event, not a request (a reaction, ``after``): its consumer skips an event it has handled.

    Why: the relay delivers at least once, so the row a reaction makes is made once only if the event id commits with it.
    """
    return bool(flow.steps) and flow.steps[0].kind == "event"


def opening(flow: Flow) -> int:
    """How many of the flow's first steps start it: its request, or the events of every write a reaction follows.

    Why: a reaction in the service owning the write it follows consumes an event its own service published; that
    opening step is what starts the flow, never an event the flow's transaction puts in the outbox.
    """
    if not consumed(flow):
        return min(1, len(flow.steps))
    home = flow.steps[0].target
    return 1 + sum(1 for _ in takewhile(lambda s: s.kind == "event" and s.target == home, flow.steps[1:]))


def database(arch: Architecture, store: Datastore) -> Store:
    """The database holding ``store``, named with its engine (a modular monolith's modules share one)."""
    engine = {"postgresql": "PostgreSQL", "sqlite": "SQLite", "mysql": "MySQL"}.get(store.engine, store.engine)
    return Store(database_of(arch, store), f"{database_of(arch, store)} ({engine})", "database")


def _qualified(arch: Architecture, store: Datastore, table: Table) -> str:
    """A table as the shared database of a modular monolith names it (``<schema>.<table>``), else its name."""
    return f"{store.schema_name}.{table.name}" if arch.deployment == "modular-monolith" and store.schema_name else table.name


def _component_of(arch: Architecture, table: Table) -> Store | None:
    """The wide-column store holding ``table`` in production, as the components run it."""
    if table.wide_column is None:
        return None
    found = next((c for c in arch.components if c.kind == "wide-column" and c.technology == table.wide_column.technology), None)
    return Store(found.name, f"{found.name} ({found.technology})", "component") if found is not None else None


def _keyed(op: Operation | None) -> bool:
    """Whether the contract promises Idempotency-Key for the operation: its flag, or a header parameter of that name."""
    return op is not None and (op.idempotency_key or any(p.location == "header" and p.name.lower() == "idempotency-key" for p in op.parameters))


def _role_table(stores: list[Datastore], role: str) -> tuple[Datastore, Table] | None:
    return next(((s, t) for s in stores for t in s.tables if t.role == role), None)


def _key_steps(arch: Architecture, flow: Flow, home: str, stores: list[Datastore], op: Operation | None) -> list[StoreStep]:
    """The Idempotency-Key looked up before anything else: in the row's own database, or (a write a wide-column store takes) by a
    conditional insert in that store, since no transaction spans it and PostgreSQL (``ir.query.guarded_how``)."""
    if consumed(flow):
        found = _role_table(stores, "inbox")
        if found is None:
            return []
        text = f"look up the event id in {_qualified(arch, *found)}"
        return [StoreStep(database(arch, found[0]), "key", text, "not handled yet (a redelivered event is skipped)")]
    if not _keyed(op) or op is None or op.kind not in _WRITES:
        return []
    if flow.use_case in held_keys(arch, home):
        mechanism = next(m for m in arch.mechanisms if m.use_case == flow.use_case and m.serves == "write" and m.publish == "cdc")
        text = f"INSERT the Idempotency-Key IF NOT EXISTS (a lightweight transaction, {RUNTIME_RETENTION_DAYS}-day TTL)"
        return [StoreStep(_store_named(arch, mechanism.store), "key", text, "applied (a key already there: its first answer is replayed)")]
    found = _role_table(stores, "idempotency")
    if found is None:
        return []
    keys, table = found
    text = f"look up the Idempotency-Key in {_qualified(arch, keys, table)}"
    return [StoreStep(database(arch, keys), "key", text, "no key yet (a stored answer is replayed, another body with it is a 409)")]


def _store_named(arch: Architecture, name: str) -> Store:
    component = next((c for c in arch.components if c.name == name), None)
    return Store(name, f"{name} ({component.technology})" if component is not None else name, "component")


def _check_steps(arch: Architecture, flow: Flow, stores: list[Datastore]) -> list[StoreStep]:
    """The checks the request makes against its own tables: an event-fed copy of another service's ids or membership pairs, or a
    membership it holds itself; each a probe of one index before the write."""
    holder = {t.name: s for s in stores for t in s.tables}
    # the copy is named for the owner's table (``known_<table>``, design.reference_checks.copy_table_name)
    owned = {t.entity: t.name for _, t in all_tables(arch) if t.entity}
    steps = []
    for ref in arch.reference_checks:
        copy = f"known_{owned.get(ref.entity, '')}"
        if ref.use_case == flow.use_case and ref.check == "local copy" and copy in holder:
            store = holder[copy]
            text = f"check the {ref.entity} named by {ref.column} in {_qualified(arch, store, _table(store, copy))} (event-fed copy of its ids)"
            steps.append(StoreStep(database(arch, store), "check", text, "found"))
    for member in arch.membership_checks:
        if member.use_case == flow.use_case and member.check in {"local", "local copy"} and member.table in holder:
            store = holder[member.table]
            fed = " (event-fed copy)" if member.check == "local copy" else ""
            probed = _qualified(arch, store, _table(store, member.table))
            text = f"check the caller is a member of the {member.scope} in {probed}{fed} by ({', '.join(member.index)})"
            steps.append(StoreStep(database(arch, store), "check", text, "member"))
    return steps


def _table(store: Datastore, name: str) -> Table:
    return next(t for t in store.tables if t.name == name)


def _written(arch: Architecture, flow: Flow, stores: list[Datastore], op: Operation | None) -> list[tuple[Datastore, Table]]:
    """The tables the use case writes in its own stores: those it creates rows in, the table its operation changes, a job's tables."""
    rows = [(s, t) for s in stores for t in s.tables if flow.use_case in t.created_by]
    if op is not None and op.kind in _WRITES and op.entity is not None:
        rows += [(s, t) for s in stores for t in s.tables if t.entity == op.entity]
    job = next((j for j in arch.jobs if j.use_case == flow.use_case), None)
    if job is not None:
        rows += [(s, t) for s in stores for t in s.tables if t.name in job.writes]
    return list({t.name: (s, t) for s, t in rows}.values())


def leaves_row(op: Operation | None) -> bool:
    """Whether the operation changes nothing in the row it addresses: an update or action with no body, no field the server sets
    and no other row's value it moves (nor a link or session flow). Its use case names no writes, so capacity counts no writes to the table; the diagram draws
    the row read, not updated; an outbox row (an event it publishes) still commits, and with nothing else the request commits
    nothing, as capacity counts it: a read (uber run 20 C3, run 21 C2).

    >>> leaves_row(Operation(operation_id="denyRide", method="post", path="/v1/trips/{id}:deny", summary="", kind="action", tag="t"))
    True
    """
    # a relationship or sign-in flow writes rows of its own (a link, a session) even with no body
    return op is not None and op.kind in {"update", "action"} and op.flow is None and op.request_schema is None and not op.sets and not op.updates


#: The reply to a reservation step: the uniqueness row is the lock, so its conflict is the refusal.
RESERVED = "reserved or released (a conflict, the value already held, is the refusal: nothing else is written)"


def _reservations(arch: Architecture, flow: Flow, written: list[tuple[Datastore, Table]]) -> list[tuple[Datastore, Table, Table, GlobalUnique]]:
    """(keys' store, uniqueness table, guarded table, guard) of each uniqueness row the write reserves or releases before its
    row (``GlobalUnique.writers``)."""
    homes = {t.name: (s, t) for s, t in all_tables(arch)}
    return [
        (*homes[guard.table], table, guard)
        for _, table in written
        for guard in (table.sharding.uniques if table.sharding else [])
        if flow.use_case in guard.writers and guard.table in homes
    ]


def _reservation_steps(arch: Architecture, flow: Flow, reserved: list[tuple[Datastore, Table, Table, GlobalUnique]], op: Operation | None) -> list[StoreStep]:
    """The reservations drawn one step each: the uniqueness table lives apart from the row's shard, so its row commits first,
    alone, as the guard's sentence says ("two steps, not one transaction"); the diagram, the ADR and the DDL comment then tell
    the write one way (uber run 21 C1)."""
    # a create only reserves and a delete only releases; a change may do either (entering or leaving the key's states)
    verb = {"create": "insert", "delete": "delete"}.get(op.kind if op is not None else "", "insert or delete")
    steps = []
    for store, keys, table, guard in reserved:
        where = "on the value's shard" if keys.sharding is not None and keys.sharding.now is not False else "on the unsharded primary"
        text = (
            f"step 1 of 2, its own commit (two steps, not one transaction): {verb} the {', '.join(guard.columns)} row "
            f"of {_qualified(arch, store, keys)} ({where}), before the {table.name} row"
        )
        steps.append(StoreStep(database(arch, store), "write", text, RESERVED))
    return steps


def _events(flow: Flow, home: str, via: str) -> list[str]:
    later = flow.steps[opening(flow) :]
    return list(dict.fromkeys(s.description.split(" via ")[0] for s in later if s.kind == "event" and s.source == home and s.via == via))


def outbox_events(arch: Architecture, flow: Flow, home: str) -> list[str]:
    """The events whose outbox rows commit with the flow's write: those its steps carry through the outbox, and every event the
    design says the use case publishes from the outbox (``ir.query.event_source``), a consumer inside the same service (a job it
    runs) included: the events table, the capacity model and the transaction must name the same rows."""
    published = [e.name for e in arch.events if e.producer == home and e.use_case == flow.use_case and event_source(arch, e) == OUTBOX_SOURCE]
    return list(dict.fromkeys([*_events(flow, home, "outbox"), *published]))


def _counter_updates(arch: Architecture, op: Operation | None, stores: list[Datastore], skip: frozenset[str] = frozenset()) -> dict[Store, list[str]]:
    """The fields of other rows the write keeps (``Operation.updates``: the counters the contract says it updates), per database
    holding them as ``table (column, ...)``: they change in the write's own transaction, so the diagram lists them there (but for
    the tables in ``skip``, on other shards, which the relay updates after the commit)."""
    columns: dict[tuple[Store, str], list[str]] = {}
    for field in op.updates if op is not None else []:
        entity, _, name = field.partition(".")
        for store, table in ((s, t) for s in stores for t in s.tables if t.entity == entity and t.wide_column is None and t.name not in skip):
            if any(c.name == _snake(name) for c in table.columns):
                columns.setdefault((database(arch, store), _qualified(arch, store, table)), []).append(_snake(name))
    found: dict[Store, list[str]] = {}
    for (db, table_name), names in columns.items():
        found.setdefault(db, []).append(f"{table_name} ({', '.join(names)})")
    return found


def relayed_now(arch: Architecture, use_case: str) -> set[str]:
    """The tables ``use_case`` writes whose rows live on other shards today (``CoWrite.since`` 'now', PAT053): outside its
    transaction, applied by the relay after the commit. A write whose rows part only at a later stage keeps one transaction today."""
    writes = [w for s in arch.datastores for table in s.tables if table.sharding for w in table.sharding.co_writes]
    return {t for w in writes if w.use_case == use_case and w.since == "now" for t in w.tables}


def applier_of_write(arch: Architecture, use_case: str) -> str:
    """The worker applying ``use_case``'s rows on other shards (PAT053's applier, a consumer of its event), or the relay's
    event named generically where the design runs none."""
    return next((c.name for c in arch.components if c.kind == "worker" and c.decision == "cross-shard-writes" and use_case in c.use_cases), "its applier")


def _snake(name: str) -> str:
    """A spec field's column name (fields are snake_case already; a camelCase one is folded the way the data stage folds it).

    >>> _snake("answerCount")
    'answer_count'
    """
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _write_steps(
    arch: Architecture, flow: Flow, home: str, stores: list[Datastore], written: list[tuple[Datastore, Table]], op: Operation | None
) -> list[StoreStep]:
    """The rows written, one step per store: in a database one transaction holding the rows, the outbox row of each event the flow
    publishes through it and the Idempotency-Key with its answer; in a wide-column store the row, its events leaving from the CDC log.
    A write a mechanism keeps off the database (``database_share`` 0, a value in Redis) is drawn by its own step instead."""
    kept_off = {e for m in arch.mechanisms if m.use_case == flow.use_case and m.serves == "write" and m.database_share == 0 for e in m.entities}
    verb = _WRITES.get(op.kind, "write") if op is not None else "write"
    relayed = relayed_now(arch, flow.use_case)
    held: dict[Store, list[str]] = {}
    rows: dict[Store, list[str]] = {}
    apart: dict[Store, list[str]] = {}
    for store, table in written:
        component = _component_of(arch, table)
        if component is not None:
            held.setdefault(component, []).append(table.name)
        elif table.name in relayed:
            apart.setdefault(database(arch, store), []).append(_qualified(arch, store, table))
        elif table.entity not in kept_off or table.entity is None:
            rows.setdefault(database(arch, store), []).append(_qualified(arch, store, table))
    reserved = _reservations(arch, flow, written)
    steps = _reservation_steps(arch, flow, reserved, op)
    keyed = _keyed(op) and flow.use_case not in held_keys(arch, home)
    counters = _counter_updates(arch, op, stores, frozenset(relayed))
    for db, named in _counter_updates(arch, op, [st for st in stores if any(t.name in relayed for t in st.tables)]).items():
        apart.setdefault(db, []).extend(n for n in named if n.split(" (")[0].split(".")[-1] in relayed and n not in apart.get(db, []))
    kept = {_qualified(arch, s, t) for s, t in written if leaves_row(op) and t.entity == op.entity} if op is not None else set()
    for db, tables in rows.items():
        changed = [t for t in tables if t not in kept]
        parts = [f"{verb} {', '.join(changed)}"] if changed else [f"read the {', '.join(tables)} row (left as it is: the call changes no field)"]
        if db in counters:
            parts.append(f"update {', '.join(counters[db])}")
        outbox = _role_table([s for s in stores if database(arch, s) == db], "outbox")
        events = outbox_events(arch, flow, home)
        if events and outbox is not None:
            parts.append(f"the outbox row ({', '.join(events)}) in {_qualified(arch, *outbox)}")
        inbox = _role_table([s for s in stores if database(arch, s) == db], "inbox")
        if consumed(flow) and inbox is not None:
            parts.append(f"the processed-events row in {_qualified(arch, *inbox)}")
        key = _role_table([s for s in stores if database(arch, s) == db], "idempotency")
        if keyed and key is not None:
            parts.append(f"the Idempotency-Key with its answer in {_qualified(arch, *key)}")
        said = " + ".join(parts)
        if not changed and len(parts) == 1:
            # nothing changed, no event, no key: the request reads its row and commits nothing (no write-ahead log, no standby)
            steps.append(StoreStep(db, "read", said, "the row"))
            continue
        text = f"one transaction: {said}, then commit" if len(parts) > 1 else f"{said}, commit"
        if reserved:
            guards = ", ".join(dict.fromkeys(_qualified(arch, store, keys) for store, keys, _, _ in reserved))
            text = f"step 2 of 2: {text}; if it fails, delete the reservation step 1 made in {guards}"
        if db in apart:
            # rows on other shards share no transaction (PAT053): the applier consuming the relayed event upserts them after the commit
            where = "where they live (their shards, or the unsharded primary)"
            text += f"; the {', '.join(apart[db])} rows are applied {where} by {applier_of_write(arch, flow.use_case)} after the commit (eventual)"
        steps.append(StoreStep(db, "write", text, "committed"))
    for component, tables in held.items():
        events = _events(flow, home, "cdc")
        with_key = " with the id stored under its Idempotency-Key" if flow.use_case in held_keys(arch, home) else ""
        text = f"{verb} {', '.join(tables)}{with_key}"
        if version_guarded(op):
            text += f" {VERSION_GUARD}"
        if events:
            text += f": no outbox row (no transaction spans the stores), {', '.join(events)} leave{'s' if len(events) == 1 else ''} from its CDC log"
        steps.append(StoreStep(component, "write", text, "written"))
    return steps


def _read_steps(arch: Architecture, flow: Flow, stores: list[Datastore], op: Operation | None) -> list[StoreStep]:
    """A read's query of its own table by the key or index that serves it; behind a cache-aside plan, the cache first and, on a miss,
    the query and the fill. A read a mechanism answers (a feed, search or wide-column step in the flow) is queried by that step, which
    a cache-aside plan puts on the miss path the same way."""
    if op is None or op.kind not in {"get", "list"} or op.entity is None:
        return []
    plan = next((c for c in arch.caches if c.use_case == flow.use_case), None)
    cache = next((c for c in arch.components if c.kind == "cache"), None)
    around: list[StoreStep] = []
    if plan is not None and plan.strategy == "cache-aside" and plan.key and cache is not None:
        ttl = f", TTL {plan.ttl_seconds:g} s" if plan.ttl_seconds else ""
        at = Store(cache.name, cache.name, "component")
        around = [StoreStep(at, "cache", f"GET {plan.key}", "the cached answer"), StoreStep(at, "fill", f"SET {plan.key}{ttl}", "")]
    answering = [m for m in arch.mechanisms if m.use_case == flow.use_case and m.serves == "read" and not adds_to_rows(m)]
    # a mechanism finding other rows (a GEO set's drivers) still leaves the rows the operation returns (their cabs) to its database
    beside = bool(answering) and all(m.database_share > 0 and op.entity not in m.entities for m in answering)
    if (answering or (plan is not None and plan.strategy == "read-model")) and not beside:
        return around
    # the index stage records the index each read uses (its reasons name the use case): that index's table is the one queried
    served = next(((s, t, i) for s in stores for t in s.tables for i in t.indexes if f"use case '{flow.use_case}'" in i.reasons), None)
    found = (served[0], served[1]) if served else next(((s, t) for s in stores for t in s.tables if t.entity == op.entity), None)
    if found is None or found[1].wide_column is not None:
        return around
    store, table = found
    by = _index_text(served[2]) if served else _by(op, table)
    what = "the row" if op.kind == "get" else "a page"
    said = f"SELECT {what} of {_qualified(arch, store, table)} {by}".rstrip()
    query = StoreStep(database(arch, store), "read", said, "row" if op.kind == "get" else "rows")
    return [*around[:1], query, *_embed_steps(arch, stores, op), *around[1:]]


def _embed_steps(arch: Architecture, stores: list[Datastore], op: Operation) -> list[StoreStep]:
    """The rows a get answers inside its item that its own stores hold: one index range of each child table by the item's key
    (at most its cap), one row by primary key of each referenced table; another service's are its call's (``design/embeds.py``)."""
    steps = []
    for embed in op.embeds:
        found = next(((s, t) for s in stores for t in s.tables if t.name == embed.table), None)
        if found is None:
            continue
        store, table = found
        if embed.relation == "links":
            index = next((i for i in table.indexes if i.columns and i.columns[0].name == embed.column), None)
            by = _index_text(index) if index is not None else f"by ({embed.column})"
            joined = next((t for s in stores for t in s.tables if t.entity == embed.entity), None)
            what = f"{embed.label} of {joined.name} joined" if embed.label and joined is not None else "the ids"
            said = f"SELECT up to {embed.max_items} {embed.name} ({what}) of {_qualified(arch, store, table)} {by}"
            steps.append(StoreStep(database(arch, store), "read", said, "rows"))
            continue
        if embed.relation == "reference":
            said = f"SELECT the row of {_qualified(arch, store, table)} {_by(op, table)} ({embed.column} of the row read)"
            steps.append(StoreStep(database(arch, store), "read", said, "row"))
            continue
        index = next((i for i in table.indexes if i.columns and i.columns[0].name == embed.column), None)
        by = _index_text(index) if index is not None else f"by ({embed.column})"
        said = f"SELECT up to {embed.max_items} rows of {_qualified(arch, store, table)} {by}, newest first"
        steps.append(StoreStep(database(arch, store), "read", said, "rows"))
    return steps


def adds_to_rows(mechanism: Mechanism) -> bool:
    """Whether a read mechanism serves no rows of its own but adds facts to those the database returns (presence's online flag
    and last seen, looked up per request): the rows are still queried, and the facts are read on every request, after any
    cached rows, never inside a cached answer."""
    return mechanism.serves == "read" and not mechanism.entities and mechanism.database_share > 0


def _index_text(index: Index) -> str:
    return f"by index {index.name} ({', '.join(c.name for c in index.columns)})"


def _by(op: Operation, table: Table) -> str:
    """The key or index a read uses: the primary key for one row; for a page, the index led by the columns its path and the
    caller's identity fix, as the index stage built it.

    >>> from backend_architect.ir.model import Column, IndexColumn, Parameter
    >>> t = Table(name="posts", columns=[Column(name="id", type="uuid"), Column(name="topic_id", type="uuid")], primary_key=["id"],
    ...     indexes=[Index(name="ix_posts_topic", columns=[IndexColumn(name="topic_id"), IndexColumn(name="created_at")])])
    >>> op = Operation(operation_id="l", method="get", path="/topics/{topic_id}/posts", summary="", kind="list", tag="",
    ...     parameters=[Parameter(name="topic_id", location="path")])
    >>> _by(op, t)
    'by index ix_posts_topic (topic_id, created_at)'
    """
    if op.kind == "get":
        return f"by primary key ({', '.join(table.primary_key)})"
    names = {c.name for c in table.columns}
    fixed = [p.name for p in op.parameters if p.location == "path" and p.name in names]
    fixed += [f.split(".")[-1] + "_id" for f in op.caller_filters if f.split(".")[-1] + "_id" in names]
    for index in table.indexes:
        if fixed and {c.name for c in index.columns[: len(fixed)]} == set(fixed):
            return _index_text(index)
    # no index names this read and nothing in its path fixes a column: say only what is read, never an access path nobody built
    return f"by ({', '.join(fixed)})" if fixed else ""


__all__ = ["Store", "StoreStep", "adds_to_rows", "database", "operation_of", "outbox_events", "store_steps"]
