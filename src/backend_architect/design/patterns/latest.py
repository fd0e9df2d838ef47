"""PAT020: the latest value per key (a courier's position, a device's reading), kept where overwriting it is cheapest."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.indexes import without_reader_indexes
from backend_architect.design.overrides import Steer, override_for, overruled, settled, steer_variant
from backend_architect.design.paths import unserved
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._api import operation_of, unconditional
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import (
    KAFKA_PARTITION_MSGS,
    PRIMARY_WRITE_CEILING,
    decision,
    figure,
    fmt,
    owner_of,
    redis_shards,
    redis_share,
    size,
    table_of,
)
from backend_architect.design.patterns._geo_sets import set_key
from backend_architect.design.patterns._latest_calls import answering_call, through_owner, with_latest_note
from backend_architect.design.patterns._latest_keys import key_expiry_s, keys_at_horizon
from backend_architect.design.patterns._latest_lookup import creators, found_by, lookup_key, lookup_read, lookups, value_key
from backend_architect.design.patterns._latest_reads import latest_answer, paged_answer
from backend_architect.ir.model import ApiSchema, Architecture, CachePlan, Operation, Table
from backend_architect.ir.runtime import Component, Mechanism, Placement
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import kebab, parent_relation, snake, table_name
from backend_architect.spec.units import SECONDS_PER_DAY

#: Share of one primary's planned writes that overwriting one value per key may take before it moves to memory:
#: every update leaves a dead tuple and a WAL record, and the rest of the system writes too.
PRIMARY_SHARE = 0.2
#: Bytes one key takes in Redis: the key and hash (or sorted-set) overhead, plus each field's name and value.
KEY_BYTES = 96
FIELD_BYTES = 32
#: Rows/s a batched COPY into a time-partitioned table sustains on one node.
COPY_ROWS_PER_S = 100_000.0
#: Kinds of read that use an entity's rows as history (not only its latest value).
_HISTORY_KINDS = frozenset({"list", "job"})


@dataclass(frozen=True)
class Latest:
    """What a ``latest: true`` write keeps: per which key, which fields, and whether one of them is a point."""

    entity: str
    key_entity: str
    key_column: str
    fields: tuple[str, ...]
    geo: str | None
    appends: bool


def latest_of(spec: Spec, use_case: UseCase) -> Latest:
    """The key and fields a latest-value write replaces: the row's own fields, or (appending a child) the newest child per parent."""
    entity = use_case.entity
    body = spec.entities[entity]
    named = tuple(w.split(".", 1)[1] for w in use_case.spec.writes if w.startswith(f"{entity}.")) or tuple(body.fields)
    parent = parent_relation(spec, entity) if use_case.kind == "create" else None
    if parent is not None:
        fields = tuple(f for f in named if f != parent[0])
        key_entity, key_column = parent[1], f"{parent[0]}_id"
    else:
        fields, key_entity, key_column = named, entity, "id"
    geo = next((f for f in fields if f in body.fields and body.fields[f].type.kind == "geo"), None)
    return Latest(entity, key_entity, key_column, fields, geo, use_case.kind == "create")


def in_memory(spec: Spec, use_case: UseCase) -> bool:
    """Whether the latest value moves to memory: its peak overwrite rate passes ``PRIMARY_SHARE`` of a primary's writes,
    or the spec author said so (``latest.<use case>``: choose in place or Redis, force, forbid)."""
    numbers = _by_numbers(use_case)
    if not (use_case.spec.latest and use_case.is_write):
        return False
    override = override_for(spec, f"latest.{use_case.id}", ("PAT020", "latest-value-in-memory"))
    if override is None or (override.choose is not None and steer_variant(override.choose, WHERE) is None):
        return numbers
    return override.force or (override.choose is not None and steer_variant(override.choose, WHERE) == "memory")


def _by_numbers(use_case: UseCase) -> bool:
    return bool(use_case.spec.latest) and use_case.is_write and use_case.peak_qps > PRIMARY_SHARE * PRIMARY_WRITE_CEILING


#: What ``choose:`` builds for a latest value, by the names an author may use.
WHERE = {"in-place": ["update the row in place", "in the database", "in place"], "memory": ["Redis (in memory)", "Redis", "in memory"]}


@pattern(code="PAT020", name="latest-value-in-memory", stage="access_paths", title="Keep the latest value per key where overwriting is cheapest")
def latest_values(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A write use case says ``latest: true``: each write replaces the one value kept per key
    (a row's position, a device's newest reading); the history is not read. Overwriting in
    the database costs a new row version, an index update and a WAL record per write; past
    ``PRIMARY_SHARE`` (20%) of one primary's planned writes (5,000/s), the value moves to memory.

    ## What it adds
    Below the threshold: an in-place UPDATE (or the newest child row per parent, read through
    its index). Above it: a Redis hash per key (``HSET``), or for a point a Redis GEO set
    (``GEOADD`` overwrites the member's position); the write operation is last-writer-wins
    (no If-Match); reads of the value are served from Redis; the history goes nowhere unless
    another use case reads it, then to a stream and a time-partitioned table in batches.

    ## What it costs
    Memory = keys x (96 B + 32 B per field); Redis operations/s = writes + reads, one per key (``latest_operations``); the database
    writes it removes = the peak write rate. A lost Redis shard forgets values until each key
    reports again.

    ## Alternatives
    Appending a row per update (history nobody reads, at the write rate); updating the row in
    place (a dead tuple per write: vacuum and WAL at the write rate); a wide-column store
    (durable, but a cluster to run for values that are stale within seconds).

    ## References
    PostgreSQL documentation, "Heap-Only Tuples"; Redis documentation, GEOADD and HSET; Uber
    engineering, "H3" and dispatch (driver locations in memory).
    """
    for use_case in analysis.use_cases:
        if not use_case.spec.latest or not use_case.is_write or use_case.entity not in spec.entities:
            continue
        latest = latest_of(spec, use_case)
        memory, numbers = in_memory(spec, use_case), _by_numbers(use_case)
        built = _applied(spec, analysis, arch, use_case, latest) if memory else _in_place(spec, analysis, arch, use_case, latest)
        override = override_for(spec, f"latest.{use_case.id}", (latest_values.code, latest_values.name))
        if override is None or (override.choose is not None and steer_variant(override.choose, WHERE) is None):
            yield dataclasses.replace(built, decision=built.decision.model_copy(update=CHOICES)) if isinstance(built, Applied) and built.decision else built
            continue
        steered = Steer("memory" if memory else "in-place", "memory" if numbers else "in-place", override)
        other = (
            built if memory == numbers else _applied(spec, analysis, arch, use_case, latest) if numbers else _in_place(spec, analysis, arch, use_case, latest)
        )
        if isinstance(built, Applied) and built.decision is not None:
            if isinstance(other, Applied) and other.decision is not None:
                record = other.decision
            else:  # the numbers kept it in the database, appending a row per write: their note is the record
                note = other.reason if isinstance(other, Skipped) else "kept in the database"
                record = built.decision.model_copy(update={"choice": note, "rationale": note})
            yield dataclasses.replace(built, decision=settled(steered, record.model_copy(update=CHOICES), built.decision.model_copy(update=CHOICES)))
        else:
            yield built  # kept in the database with nothing to rewrite (a row appended per write): the note says so
            if isinstance(other, Applied) and other.decision is not None:
                kept = f"latest value kept in the database: {use_case.name} appends a row per write"
                yield Applied(overruled(other.decision, override, kept).model_copy(update=CHOICES))


CHOICES = {"choices": [names[0] for names in WHERE.values()]}


def latest_operations(analysis: Analysis, latest: Latest, writes: float, readers: list[UseCase], by_lookup: dict[str, list[str]]) -> dict[str, float]:
    """Operations/s at peak the latest values send Redis, one per key: a write of the value's key; a read of it, and of its lookup
    key first for a read finding the row by other columns; each create setting its row's lookup keys. A proximity search among
    the readers is its GEOSEARCH, stated once by the proximity decision (``geo_searches_<use case>``)."""
    name = snake(latest.entity)
    reads = sum(u.peak_qps * (2.0 if u.name in by_lookup else 1.0) for u in readers if not u.spec.near)
    ops = {f"latest_writes_{name}": writes, f"latest_reads_{name}": reads}
    if by_lookup:
        keys = len({lookup_key(latest, by) for by in by_lookup.values()})
        ops[f"latest_lookup_sets_{name}"] = sum(c.peak_qps for c in creators(analysis, latest)) * keys
    return ops


def _history_readers(analysis: Analysis, latest: Latest, writer: UseCase) -> list[UseCase]:
    """Use cases reading the entity's rows as history: lists, jobs, rankings and series (not its latest value)."""
    if not latest.appends:
        return []
    return [
        u
        for u in analysis.touching(latest.entity)
        if u is not writer and not u.is_write and (u.kind in _HISTORY_KINDS or u.spec.series or u.spec.top) and not u.spec.latest
    ]


def _in_place(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, latest: Latest) -> Outcome:
    ceiling = PRIMARY_SHARE * PRIMARY_WRITE_CEILING
    found = operation_of(arch, use_case.name)
    note = "A newer value replaces the older one (last writer wins): no If-Match."
    if found is None or latest.appends:
        return Skipped(use_case.name, f"latest value kept in the database: {fmt(use_case.peak_qps)} writes/s at peak, within {fmt(ceiling)}/s")
    service, op = found
    op = _singleton(op, latest)
    table = table_name(latest.entity)
    made = decision(
        f"latest.{use_case.id}",
        f"Latest {_what(latest)} of {latest.key_entity}",
        "read paths",
        f"the latest {_what(latest)} is overwritten in place in {table} (one UPDATE per write, last writer wins); no history is kept",
        f"{use_case.name}: {fmt(use_case.peak_qps)} writes/s at peak (latest: true)",
        (f"{fmt(use_case.peak_qps)} overwrites/s at peak are" if use_case.spec.rate else "no rate is given (state 'rate' to size it); any rate")
        + f" within {PRIMARY_SHARE:.0%} of one primary's {fmt(PRIMARY_WRITE_CEILING)} writes/s ({fmt(ceiling)}/s) leaves the value in the row's own columns",
        alternatives=[
            ("Redis (in memory)", f"another store to run; worth it above {fmt(ceiling)} writes/s"),
            ("a row appended per update", "history nobody reads, growing at the write rate"),
        ],
        consequences=f"Above {fmt(ceiling)} writes/s the value moves to Redis and the rate leaves the primary.",
        subject=use_case.name,
        inputs={"peak_writes": use_case.peak_qps, "threshold": ceiling},
        spec=spec,
    )
    return Applied(made, operations=((service, unconditional(op, note)),))


def _singleton(op: Operation, latest: Latest) -> Operation:
    """A write of one field of a row (``Courier.location``) replaces it as a sub-resource: ``PUT /couriers/{courier_id}/location``.

    A PUT is idempotent by its method (the same body twice leaves the same value), so it takes no Idempotency-Key: at a
    position firehose's rate the stored keys would outgrow every table they protect.
    """
    if latest.appends or len(latest.fields) != 1 or op.kind not in {"update", "action", "replace"}:
        return op
    item = op.path.split(":", 1)[0]
    return op.model_copy(update={"method": "put", "path": f"{item}/{kebab(latest.fields[0])}", "kind": "replace", "idempotency_key": False})


def _lifetime(seconds: float) -> str:
    """``90 days (7,776,000 s)``: a key's lifetime as people read it, with the seconds EXPIRE takes."""
    days = seconds / SECONDS_PER_DAY
    return f"{days:,.0f} days ({seconds:,.0f} s)" if days >= 1 and days == int(days) else f"{seconds:,.0f} s"


def _what(latest: Latest) -> str:
    return latest.geo or (", ".join(latest.fields[:3]) if latest.fields else "value")


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, latest: Latest) -> Applied:
    key_entity = latest.key_entity if latest.key_entity in analysis.entities else latest.entity
    keys, keys_formula, keys_inputs = keys_at_horizon(spec, analysis, key_entity, expiring=not latest.geo)
    expiry = None if latest.geo else key_expiry_s(spec, key_entity)
    lifetime = (
        f"each expires {_lifetime(expiry)} after its first write, with its row (EXPIRE NX)"
        if expiry is not None
        else f"none expires: a key lasts as long as its {latest.key_entity}"
    )
    writes = use_case.peak_qps
    history = _history_readers(analysis, latest, use_case)
    readers = [u for u in analysis.touching(latest.entity) if not u.is_write and u is not use_case and u not in history and _carries(u, latest)]
    # a reader in another service calling the owner for the row gets the value inside that call (``_latest_calls``)
    callers = [u for u in readers if not u.spec.near and through_owner(arch, u.name, latest.entity)]
    local = [u for u in readers if u not in callers]
    # a read finding the row by other columns than its id keeps its own lookup key (set by the creating use cases), or reads the id from the database
    by_lookup = lookups(analysis, latest, local)
    unkeyed = [u for u in local if found_by(u, latest) and u.name not in by_lookup]
    # a reader that also returns rows Redis does not hold (a video with its resume offset) still reads the database for them
    served = [u for u in local if not unserved(u.reads, [latest.entity]) and u not in unkeyed]
    # a list of the rows (no proximity search: that is PAT021's GEOSEARCH) pages them from the database, their values from Redis
    paged = [u for u in local if u.kind != "get" and not u.spec.near and u not in unkeyed and u.name not in by_lookup]
    per_key = 2.0 if by_lookup else 1.0
    value_at = set_key(spec, latest.entity, latest.geo) if latest.geo else f"latest:{snake(latest.entity)}:{{{latest.key_column}}}"
    stored = max(1, len(latest.fields)) + (1 if by_lookup else 0)
    memory = keys * (KEY_BYTES * per_key + FIELD_BYTES * stored)
    # a node carries both its operations and its memory: the larger need sets the count (3 TB of positions is not 6 nodes)
    redis_ops = latest_operations(analysis, latest, writes, readers, by_lookup)
    nodes = redis_shards(memory, sum(redis_ops.values()))
    table = table_name(latest.entity)
    scope = f"use case '{use_case.name}'"
    structure = (
        f"a Redis GEO set (GEOADD {set_key(spec, latest.entity, latest.geo)} overwrites each {latest.key_entity}'s position)"
        if latest.geo
        else (f"a Redis hash per {latest.key_entity} (HSET latest:{snake(latest.entity)}:{{{latest.key_column}}})")
    )
    if by_lookup:
        keys_said = ", ".join(dict.fromkeys(lookup_key(latest, by) for by in by_lookup.values()))
        made_by = ", ".join(repr(c.name) for c in creators(analysis, latest))
        structure += f", and {keys_said} holding each row's id (set by {made_by}) for the reads that find it so"
    if history:
        partitions = max(1, math.ceil(writes / KAFKA_PARTITION_MSGS))
        sink = "a time-partitioned table, loaded by batched COPY" if writes <= COPY_ROWS_PER_S else "object storage in hourly files for the analytical store"
        history_text = (
            f"the history ({', '.join(repr(u.name) for u in history)} read it) goes to a stream ({partitions} partition(s) keyed by "
            f"{latest.key_column}) and from it to {sink}"
        )
    else:
        history_text = "no history is kept (no use case reads it)"
    choice = f"the latest {_what(latest)} of each {latest.key_entity} lives in memory: {structure}; {history_text}; the database is not written per update"
    ceiling = PRIMARY_SHARE * PRIMARY_WRITE_CEILING
    rationale = (
        f"{fmt(writes)} writes/s at peak would take {writes / PRIMARY_WRITE_CEILING:.0%} of one primary's {fmt(PRIMARY_WRITE_CEILING)} writes/s "
        f"(more than {PRIMARY_SHARE:.0%}, {fmt(ceiling)}/s) as row versions and WAL for values that are stale within seconds; "
        f"{fmt(keys)} keys at the horizon ({lifetime}) take {size(memory)} in Redis, "
        f"{fmt(sum(redis_ops.values()))} operations/s ({redis_share(nodes)})"
    )
    consequences = (
        f"Redis runs as a cluster, with the copies per shard the redundancy decision sets; a shard that loses every copy forgets its values "
        f"until each {latest.key_entity} reports again. "
        f"The {table} row keeps only what other use cases write; change events of this write are published from the write path "
        "(there is no database transaction to attach an outbox to)."
        + (f" Reads served from Redis: {', '.join(repr(u.name) for u in served)}." if served else "")
        + "".join(
            f" '{u.name}' finds the {latest.entity} by {', '.join(by)}: "
            + ", ".join(repr(c.name) for c in creators(analysis, latest))
            + f" also set {lookup_key(latest, by)} to the new row's id, so it reads the id, then the value, from Redis (no database read)."
            for u in readers
            if (by := by_lookup.get(u.name, []))
        )
        + "".join(
            f" '{u.name}' finds the {latest.entity} by {', '.join(found_by(u, latest))}, not by the {latest.key_column} its value is kept under: "
            f"it reads the row's {latest.key_column} from the database, then the value from Redis."
            for u in unkeyed
        )
        + "".join(
            f" '{u.name}' reads the latest {_what(latest)} from Redis and {', '.join(rest)} from the database."
            for u in local
            if u not in paged and (rest := unserved(u.reads, [latest.entity]))
        )
        + "".join(
            f" '{u.name}' gets each {latest.entity} from {through_owner(arch, u.name, latest.entity)}"
            + (f" ({found[1].operation_id})" if (found := answering_call(arch, u.name, latest.entity)) else "")
            + f", which reads the row from its database and its latest {_what(latest)} from Redis: one call a request, as its contract says."
            for u in callers
        )
        + "".join(
            f" '{u.name}' reads a page of {', '.join([*unserved(u.reads, [latest.entity]), latest.entity])} rows from the database, then "
            + _paged_read(latest, value_at)
            + "."
            for u in paged
        )
    )
    made = decision(
        f"latest.{use_case.id}",
        f"Latest {_what(latest)} of {latest.key_entity}",
        "read paths",
        choice,
        f"{use_case.name}: {fmt(writes)} writes/s at peak, latest value only (latest: true), {fmt(keys)} {latest.key_entity} keys at the horizon",
        rationale,
        alternatives=[
            ("update the row in place", f"{fmt(writes)} row versions/s: dead tuples and WAL beyond {PRIMARY_SHARE:.0%} of the primary"),
            ("append a row per update", f"{fmt(writes)} inserts/s of history " + ("read only through a stream" if history else "nobody reads")),
            ("a wide-column store (Cassandra)", "durable, but a cluster to run for values that are replaced within seconds"),
        ],
        consequences=consequences,
        subject=use_case.name,
        inputs={"peak_writes": writes, "threshold": ceiling, "keys": keys} | ({"key_expiry_s": expiry} if expiry is not None else {}),
        spec=spec,
    )
    figures = (
        figure(
            f"latest.keys.{use_case.id}",
            f"keys holding the latest values of {use_case.name} at the horizon ("
            + (f"each expiring {_lifetime(expiry)} after its first write, with its row" if expiry is not None else "no expiry")
            + ")",
            keys,
            "keys",
            keys_formula,
            keys_inputs,
            scope,
        ),
        figure(
            f"latest.bytes.{use_case.id}",
            f"memory of the latest values of {use_case.name}",
            memory,
            "bytes",
            "keys x (key_bytes x keys_per_row + field_bytes x fields)" if by_lookup else "keys x (key_bytes + field_bytes x fields)",
            {"keys": keys, "key_bytes": KEY_BYTES, "field_bytes": FIELD_BYTES, "fields": float(stored)} | ({"keys_per_row": per_key} if by_lookup else {}),
            scope,
        ),
        figure(
            f"latest.db_writes_removed.{use_case.id}",
            f"database writes/s taken off the primary by {use_case.name}",
            writes,
            "writes/s",
            "peak_writes",
            {"peak_writes": writes},
            scope,
        ),
    )
    service = owner_of(arch, latest.entity)
    component = Component(
        name="redis",
        kind="cache",
        technology=named(spec, "redis"),
        purpose=f"latest {_what(latest)} per {latest.key_entity}",
        services=[service],
        use_cases=[use_case.name, *(u.name for u in readers)],
        instances=nodes,
        memory_bytes=memory,
        decision=made.id,
        # a proximity search among the readers is its GEOSEARCH, stated once by the proximity decision (geo_searches_<use case>)
        operations=redis_ops,
    )
    placement = Placement(
        data=f"{table}.{latest.geo or 'latest'}",
        data_class="ephemeral",
        store=f"{named(spec, 'redis')} ({'a GEO set' if latest.geo else 'a hash'})",
        reason=f"{fmt(writes)} overwrites/s at peak > {fmt(ceiling)}/s ({PRIMARY_SHARE:.0%} of a primary)",
        retention="overwritten by every write; a value is as old as its key's last report"
        + (f"; a key expires {_lifetime(expiry)} after its first write, with its row" if expiry is not None else ""),
    )
    caches = tuple(
        CachePlan(
            use_case=u.name,
            strategy="read-model",
            key=lookup_key(latest, by_lookup[u.name]) if u.name in by_lookup else value_key(latest),
            invalidation=f"overwritten by '{use_case.name}'",
            rationale=f"the latest {_what(latest)} lives in Redis: {fmt(u.peak_qps)} reads/s never reach the database",
        )
        for u in served
        if u.kind == "get"
    )
    found = operation_of(arch, use_case.name)
    note = f"Last writer wins (no If-Match): the value goes to Redis ({'GEOADD' if latest.geo else 'HSET'}), not to the database."
    operations: tuple[tuple[str, Operation], ...] = ((found[0], unconditional(_singleton(found[1], latest), note)),) if found else ()
    schemas: tuple[tuple[str, ApiSchema], ...] = ()
    for u in local:
        if u.kind == "get" and not latest.appends:
            ops, shapes = latest_answer(arch, u, latest.entity, latest.fields, u in served)
            operations, schemas = (*operations, *ops), (*schemas, *shapes)
    for u in paged:
        operations = (*operations, *paged_answer(arch, u, latest.entity, latest.fields, value_at))
    answered = {(found[0], found[1].operation_id): found for u in callers if (found := answering_call(arch, u.name, latest.entity))}
    read_by_id = f"{'GEOPOS' if latest.geo else 'HMGET'} {value_at} by its id"
    operations = (*operations, *((owner, with_latest_note(op, latest.entity, latest.fields, read_by_id)) for owner, op in answered.values()))
    command = f"GEOADD {set_key(spec, latest.entity, latest.geo)}" if latest.geo else f"HSET latest:{snake(latest.entity)}:{{{latest.key_column}}}"
    mechanisms = (
        Mechanism(
            use_case=use_case.name,
            pattern=latest_values.code,
            decision=made.id,
            serves="write",
            store="redis",
            entities=[latest.entity],
            how=f"{command} overwrites the latest {_what(latest)} in Redis"
            + (f" (EXPIRE {expiry:.0f} NX at the first write: the key dies with its row)" if expiry is not None else ""),
            database_share=0.0,
            publish="direct",
        ),
        *(
            Mechanism(
                use_case=u.name,
                pattern=latest_values.code,
                decision=made.id,
                serves="read",
                store="redis",
                entities=[latest.entity],
                how=(
                    lookup_read(latest, by_lookup[u.name], _what(latest))
                    if u.name in by_lookup
                    else f"the {latest.entity}'s {latest.key_column} read from the database by {', '.join(found_by(u, latest))}, then its latest "
                    f"{_what(latest)} from Redis"
                    if u in unkeyed
                    else f"the latest {_what(latest)} read from Redis"
                )
                + (f"; {', '.join(rest)} read from the database" if (rest := unserved(u.reads, [latest.entity])) else ""),
                database_share=0.0 if not rest and u not in unkeyed else 1.0,
            )
            for u in local
            if u.kind == "get"
        ),
        *(
            Mechanism(
                use_case=u.name,
                pattern=latest_values.code,
                decision=made.id,
                serves="read",
                store="redis",
                # it serves no rows: it adds each row's value to the page the database answers, read on every request, never
                # inside a cached answer (``ir.store_steps.adds_to_rows``), so a write kept in memory need delete no cached key
                entities=[],
                how=_paged_read(latest, value_at),
                database_share=1.0,
            )
            for u in paged
        ),
        *(
            Mechanism(
                use_case=c.name,
                pattern=latest_values.code,
                decision=made.id,
                serves="write",
                store="redis",
                entities=[latest.entity],
                how=f"SET {', '.join(dict.fromkeys(lookup_key(latest, by) for by in by_lookup.values()))} to the new {latest.entity}'s id "
                f"(the key{'s' if len(by_lookup) > 1 else ''} {', '.join(repr(n) for n in by_lookup)} find{'' if len(by_lookup) > 1 else 's'} it by)",
                database_share=1.0,
            )
            for c in (creators(analysis, latest) if by_lookup else [])
            if c is not use_case
        ),
    )
    return Applied(
        made,
        components=(component,),
        figures=figures,
        placements=(placement,),
        caches=caches,
        operations=operations,
        schemas=schemas,
        mechanisms=mechanisms,
        tables=_tables(
            spec, arch, use_case, latest, bool(history), list(by_lookup), [u for u in analysis.use_cases if u.spec.latest and u.is_write and in_memory(spec, u)]
        ),
    )


def _carries(reader: UseCase, latest: Latest) -> bool:
    """Whether ``reader``'s response carries ``latest``'s value, so reading it from Redis is a step of the read.

    A list returning another entity's rows, reaching them through the kept entity's (a user's chats found through their
    memberships), names none of its fields: fetching each membership's latest watermark for a page of chats the
    contract never returns was drawn and counted (whatsapp, run 22). A read naming a field of it (``Courier.position``)
    or searching near it carries it.
    """
    if reader.kind != "list" or reader.entity == latest.entity or reader.spec.near:
        return True
    return any(r.startswith(f"{latest.entity}.") for r in reader.spec.reads)


def _paged_read(latest: Latest, key: str) -> str:
    """How a list of rows whose latest value lives in memory reads it: the page's rows from the database (their own columns hold
    only what other use cases write: a position as created, never the current one), then each row's value from Redis by id in
    one pipelined call, on every request, beside any cached page (a write kept in memory deletes no cached key).

    >>> _paged_read(Latest("Courier", "Courier", "id", ("location",), "location", False), "courier:location").split(" (")[0]
    "GEOPOS courier:location of the page's Courier ids: their latest location"
    """
    command = "GEOPOS" if latest.geo else "HMGET"
    return (
        f"{command} {key} of the page's {latest.entity} ids: their latest {_what(latest)} (one pipelined call a page, beside any cached page: "
        "the rows' own columns hold only what other use cases write)"
    )


def _tables(
    spec: Spec, arch: Architecture, use_case: UseCase, latest: Latest, history: bool, looked_up: list[str], kept_with: Sequence[UseCase] = ()
) -> tuple[tuple[str, Table], ...]:
    """The entity's table as this decision leaves it: without the rows an unread history would add, and without the indexes of reads
    Redis answers by their own lookup key (the database is never searched for them)."""
    changed = dict(_unwritten(spec, arch, use_case, latest, history))
    found = table_of(arch, latest.entity)
    if looked_up and found is not None:
        store, table = found
        changed[store] = without_reader_indexes(changed.get(store, table), looked_up)
    if found is not None and not latest.geo:
        store, table = found
        # every latest value of the entity kept in memory, not only this one: each decision rewrites the table the stage began with
        kept = [(u.name, latest_of(spec, u)) for u in kept_with if u.entity == latest.entity and not latest_of(spec, u).geo]
        for writer, value in kept or [(use_case.name, latest)]:
            table = unwritten_columns(changed.get(store, table), value, writer)
            changed[store] = table
    return tuple(changed.items())


def unwritten_columns(table: Table, latest: Latest, writer: str) -> Table:
    """``table`` with each column whose value ``writer`` keeps in Redis saying so in its comment (the DDL's COMMENT ON COLUMN).

    The database is not written per update, so the column holds what the row was created with (or NULL), never the
    latest value: a DBA reading the DDL alone would take it for the current one (whatsapp, run 22: delivered_until and
    read_until carried without a word beside "the database is not written per update").
    """
    key = f"latest:{snake(latest.entity)}:{{{latest.key_column}}}"
    said = f"not the latest value: {writer} keeps it in Redis (HSET {key}), the database is not written per update"
    columns = [
        c.model_copy(update={"comment": f"{c.comment}; {said}" if c.comment else said}) if (c.source_field or c.name) in latest.fields else c
        for c in table.columns
    ]
    return table.model_copy(update={"columns": columns})


def _unwritten(spec: Spec, arch: Architecture, use_case: UseCase, latest: Latest, history: bool) -> tuple[tuple[str, Table], ...]:
    """An appending write kept in memory with no history read adds no rows: its table's growth (sized, partitioned, sharded
    from it later) drops the rows it would have inserted, unless the spec states the growth."""
    found = table_of(arch, latest.entity)
    body = spec.entities[latest.entity]
    if not latest.appends or history or found is None or body.growth is not None:
        return ()
    store, table = found
    per_day = max(0.0, table.rows_per_day - use_case.avg_qps * SECONDS_PER_DAY)
    update: dict[str, float] = {"rows_per_day": per_day}
    if body.rows is None and not per_day:
        update["rows_now"] = 0.0
    return ((store, table.model_copy(update=update)),)


__all__ = ["Latest", "in_memory", "latest_of", "latest_values"]
