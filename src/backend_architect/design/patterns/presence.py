"""PAT022: who is online now, from heartbeats that refresh a key with a time to live; last seen kept beside it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.audience import MACHINES, audiences
from backend_architect.design.deliverers import senders
from backend_architect.design.offline_pushes import offline_rule
from backend_architect.design.online import online, people_entity
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._api import collection_path, item_parameter, new_operation, operation_of, unconditional
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import (
    PRIMARY_WRITE_CEILING,
    decision,
    figure,
    fmt,
    owner_of,
    redis_shards,
    redis_share,
    size,
)
from backend_architect.design.patterns._online import hooks, online_api, presence_view, says_online
from backend_architect.design.patterns._routes import route
from backend_architect.design.patterns.latest import PRIMARY_SHARE
from backend_architect.design.pushes import pushes_of, pushes_reaching
from backend_architect.ir.model import ApiSchema, Architecture, CachePlan, Figure, Operation
from backend_architect.ir.runtime import Component, Mechanism, Placement, StoreLoad
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake, table_name

#: Heartbeats per offline window: a client beats three times per window, so two lost beats do not show it offline.
BEATS_PER_WINDOW = 3
#: Bytes of one presence key in Redis (key, the gateway node it is connected to, TTL) and of one last-seen entry.
PRESENCE_KEY_BYTES = 100
LAST_SEEN_BYTES = 48
#: Average length of a connected session: last seen reaches the database once per session, not per heartbeat.
SESSION_SECONDS = 1_800.0

#: How often last seen reaches the database: once per session, or less often when that would take more than the primary's share.
FLUSH_FORMULA = "online / max(session_s, online / (primary_write_ceiling x primary_share))"


#: Redis operations one heartbeat makes: SET presence:<entity>:{id} ... EX (the online key) and HSET of the last-seen field.
BEAT_OPERATIONS = 2


def last_seen_flush(online: float) -> tuple[float, float]:
    """Seconds between two writes of one row's last seen, and the writes/s they make: once per session, stretched so the
    writes stay within ``PRIMARY_SHARE`` of one primary's write ceiling (Redis holds the current value; the row trails it).

    >>> last_seen_flush(900_000)
    (1800.0, 500.0)
    >>> last_seen_flush(10_000_000)
    (10000.0, 1000.0)
    """
    flush_s = max(SESSION_SECONDS, online / (PRIMARY_WRITE_CEILING * PRIMARY_SHARE))
    return flush_s, online / flush_s


def _written(flush_s: float) -> str:
    """When last seen is written to the row, as every section says it."""
    if flush_s == SESSION_SECONDS:
        return "once per session (at disconnect or expiry)"
    return (
        f"at most once every {fmt(flush_s)} s per row, changed rows in batches (once per session would pass {PRIMARY_SHARE:.0%} of one primary's "
        f"{fmt(PRIMARY_WRITE_CEILING)} writes/s; the row trails Redis by up to that long)"
    )


_LAST_SEEN = re.compile(r"last_(seen|active|activity|online)|seen_at|online_at")


def last_seen_field(spec: Spec, entity: str) -> str | None:
    """The entity's field that records when a row was last seen (``last_seen_at``), if it has one."""
    for name, field in spec.entities[entity].fields.items():
        if field.type.kind == "datetime" and _LAST_SEEN.search(name):
            return name
    return None


def heartbeats(spec: Spec, analysis: Analysis, entity: str) -> list[UseCase]:
    """Use cases that only write the last-seen field of a presence entity: heartbeats, absorbed by the presence keys."""
    seen = last_seen_field(spec, entity)
    if seen is None:
        return []
    return [u for u in analysis.of_entity(entity) if u.is_write and u.spec.writes and all(w == f"{entity}.{seen}" for w in u.spec.writes)]


@pattern(code="PAT022", name="presence-heartbeats", stage="access_paths", title="Track who is online with heartbeats and a TTL")
def presence(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    An entity says ``presence`` (``offline_after``, 60 s by default). The people online at peak
    are the real-time connections (``scale.concurrent_connections``, else concurrent users,
    else 20% of the daily actives); for other entities (devices, couriers) every row.

    ## What it adds
    A heartbeat every offline_after / 3 (over the real-time connection when there is one,
    else ``PUT .../presence``) sets a Redis key with a TTL of offline_after; online means the
    key exists. Last seen is the last heartbeat's time, a field of the row's Redis hash
    (``latest:<entity>:<id>``, beside its other latest values), written to the row's last-seen
    field once per session (at disconnect or expiry), not per beat, or less often (changed rows
    in batches) when once per session would take more than 20% of one primary's writes. One structure, read by one
    pair of commands everywhere: a read of last seen alone (EXISTS of the key, HGET of the
    field, pipelined) is answered from Redis and returns what Redis holds (the id, ``online``,
    ``last_seen_at``), never the row's other columns; a read of rows that asks who is online
    (``online: true``, or its name or description says online/offline/presence) reads its rows
    from the database and looks up their keys and fields in one pipelined round trip (MGET of
    the keys, HGET of each row's field), each row carrying its online flag and last seen
    (``design/patterns/_online.py``). A recipient with no key is offline: the push sender,
    which consumes the same event as the gateway, looks the key up and pushes to it.

    ## What it costs
    Heartbeats/s = online / interval (Redis writes); lookups/s = the reads' peak x rows per read
    (a page's default size); Redis nodes = max(ceil((heartbeats + lookups) / 100,000 ops),
    ceil(memory / 24 GiB)); memory = online x 100 B + rows x 48 B; database writes = online /
    max(30-minute sessions, online / (20% x 5,000 writes/s)): never past one primary.

    ## Alternatives
    A last-seen column updated per heartbeat (a row version per beat on the primary); presence
    inferred from the last request (wrong for idle but connected clients); gossip between
    gateway nodes (no store, but every node holds everyone).

    ## References
    Redis documentation, SET with EX and keyspace notifications; Discord engineering, "How
    Discord scaled Elixir to 5,000,000 concurrent users" (2017).
    """
    people = people_entity(spec)
    realtime = any(u.deliver is not None and u.deliver.mode == "realtime" for u in spec.use_cases)
    for entity, body in spec.entities.items():
        if body.presence is None:
            continue
        yield _applied(spec, analysis, arch, entity, body.presence.offline_after, entity == people, realtime)


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, entity: str, window: float, people: bool, realtime: bool) -> Applied:
    rows = analysis.rows(entity)
    clients = audiences(spec, analysis).of_entity(entity)
    people = people or (clients is not None and clients.formula != MACHINES)
    # no actor is these people (presence of a User the actors only reach as members): the people online from the scale
    online_now = clients.clients if clients is not None else online(spec).connections
    count = min(rows, online_now) if people else rows
    who = f"the {clients.actor} clients online at peak" if clients is not None else "the people online at peak"
    basis = who if people else f"every {entity} row (none is assumed offline)"
    interval = window / BEATS_PER_WINDOW
    beats = count / interval
    memory = count * PRESENCE_KEY_BYTES + rows * LAST_SEEN_BYTES
    seen = last_seen_field(spec, entity)
    readers = [u for u in analysis.of_entity(entity) if u.kind == "get" and seen and u.spec.reads and all(r == f"{entity}.{seen}" for r in u.spec.reads)]
    joined = [
        (u, found)
        for u in analysis.touching(entity)
        if u.kind in {"list", "get"} and u not in readers and says_online(u, seen, entity) and (found := hooks(spec, u, entity))
    ]
    # every read of presence is key lookups on the same nodes as the heartbeats: a page of rows looks up each row's key
    lookups = sum(u.peak_qps for u in readers) + sum(u.peak_qps * _rows_per_read(u) * len(found) for u, found in joined)
    # each heartbeat is two operations: the key's refresh (SET ... EX) and the last-seen field (HSET)
    nodes = redis_shards(memory, beats * BEAT_OPERATIONS + lookups)
    table = table_name(entity)
    key = f"presence:{snake(entity)}:{{id}}"
    # last seen is one field of the row's hash of latest values: every section names this structure and reads it with HGET
    seen_hash, seen_field = f"latest:{snake(entity)}:{{id}}", seen or "last_seen_at"
    # the deliveries to these rows that push (the real-time pattern's rule: someone offline to reach, or a provider named)
    to_here = [
        u
        for u in analysis.use_cases
        if u.spec.deliver is not None and u.entity in spec.entities and pushes_of(spec, u.spec) and _reaches(spec, analysis, u, entity)
    ]
    pushing = [u.name for u in to_here if pushes_reaching(spec, u.spec, route(spec, analysis, u).people)]
    pushes = list(dict.fromkeys(p for u in to_here if u.name in pushing for p in pushes_of(spec, u.spec)))
    service = owner_of(arch, entity)
    scope = f"entity {entity}"
    figures: tuple[Figure, ...] = (
        figure(
            f"presence.online.{snake(entity)}",
            f"{entity} rows online at peak",
            count,
            "rows",
            "min(rows, connections)" if people else "rows",
            {"rows": rows, "connections": online_now} if people else {"rows": rows},
            scope,
        ),
        figure(
            f"presence.heartbeats.{snake(entity)}",
            f"presence heartbeats/s of {entity}",
            beats,
            "heartbeats/s",
            "online / (offline_after_s / beats_per_window)",
            {"online": count, "offline_after_s": window, "beats_per_window": BEATS_PER_WINDOW},
            scope,
        ),
        figure(
            f"presence.bytes.{snake(entity)}",
            f"memory of {entity} presence and last seen",
            memory,
            "bytes",
            "online x key_bytes + rows x last_seen_bytes",
            {"online": count, "key_bytes": PRESENCE_KEY_BYTES, "rows": rows, "last_seen_bytes": LAST_SEEN_BYTES},
            scope,
        ),
    )
    if lookups:
        figures += (
            figure(
                f"presence.lookups.{snake(entity)}",
                f"presence keys of {entity} looked up/s at peak",
                lookups,
                "lookups/s",
                "sum of peak x rows_per_read x rows_looked_up_per_row",
                {
                    **{f"peak_{u.id}": u.peak_qps for u in readers},
                    **{f"peak_{u.id}": u.peak_qps for u, _ in joined},
                    **{f"rows_per_read_{u.id}": float(_rows_per_read(u) * len(found)) for u, found in joined},
                },
                scope,
            ),
        )
    flush_s, session_writes = last_seen_flush(count)
    cadence = "once per session" if flush_s == SESSION_SECONDS else f"at most once every {fmt(flush_s)} s per row"
    if seen:
        figures += (
            figure(
                f"presence.db_writes.{snake(entity)}",
                f"writes/s of {table}.{seen} ({cadence})",
                session_writes,
                "writes/s",
                FLUSH_FORMULA,
                {"online": count, "session_s": SESSION_SECONDS, "primary_write_ceiling": PRIMARY_WRITE_CEILING, "primary_share": PRIMARY_SHARE},
                scope,
            ),
        )
    carrier = "over the real-time connection (a ping frame)" if realtime else f"by PUT {collection_path(arch, service, entity) or '/' + table}/{{id}}/presence"
    kept = f"last seen is the last heartbeat's time, kept as field {seen_field} of the row's Redis hash (HSET {seen_hash} {seen_field} <time>)"
    last_seen = f"{kept} and written to {table}.{seen} {_written(flush_s)}" if seen else kept
    others = "; other deliveries wait until it reconnects" if _other_deliveries(spec, analysis, entity, pushing) else ""
    modes = {u.name: u.spec.deliver.mode for u in to_here if u.spec.deliver is not None}
    offline = _offline(spec, entity, pushing, modes, pushes, others)
    choice = (
        f"heartbeats every {interval:g} s {carrier} refresh a key with a {window:g} s TTL in Redis (SET {key} <gateway node> EX {window:g}): "
        f"online means the key exists, offline after {window:g} s without a heartbeat; {last_seen}"
    )
    looked = f" and {fmt(lookups)} key lookups/s of reads ({', '.join(repr(u.name) for u in [*readers, *(u for u, _ in joined)])})" if lookups else ""
    rationale = (
        f"{fmt(count)} {entity} rows online at peak ({basis}) beating every {interval:g} s make {fmt(beats)} heartbeats/s: as row updates they "
        f"would load the primary, as key refreshes ({fmt(beats * BEAT_OPERATIONS)} operations/s: SET ... EX and HSET of last seen each){looked} "
        f"they take {size(memory)} in Redis ({redis_share(nodes)}); the TTL turns a lost client into "
        f"'offline' without a sweeper"
    )
    beat_cases = heartbeats(spec, analysis, entity)
    consequences = (
        f"{offline}. Redis keeps the copies per shard the redundancy decision sets; a shard that loses every copy shows its rows offline "
        f"until their next heartbeat ({interval:g} s). "
        + (f"{', '.join(repr(u.name) for u in beat_cases)} refresh the key instead of writing the row. " if beat_cases else "")
        + (
            f"{', '.join(repr(u.name) for u, _ in joined)} {'looks' if len(joined) == 1 else 'look'} up online and last seen on every request, "
            "after any cached rows: the flags are never cached."
            if joined
            else ""
        )
    ).strip()
    made = decision(
        f"presence.{snake(entity)}",
        f"Presence of {entity}",
        "read paths",
        choice,
        f"{entity}: presence with offline_after {window:g} s; {fmt(count)} online at peak",
        rationale,
        alternatives=[
            (f"update {table}.{seen or 'last_seen_at'} per heartbeat", f"{fmt(beats)} row versions/s on the primary for a value that expires"),
            ("presence from the last request", "an idle but connected client would show offline; a crashed one online until a sweep"),
            ("gossip between gateway nodes", "no store to run, but every node holds every row's state"),
        ],
        consequences=consequences,
        subject=entity,
        inputs={"online": count, "offline_after_s": window, "heartbeats_per_s": beats},
        decided_by="spec",
        spec=spec,
    )
    component = Component(
        name="redis",
        kind="cache",
        technology=named(spec, "redis"),
        purpose=f"presence of {entity} (keys with a TTL) and last seen",
        services=[service],
        use_cases=[u.name for u in [*beat_cases, *readers, *(u for u, _ in joined)]],
        instances=nodes,
        memory_bytes=memory,
        decision=made.id,
        # a pipelined MGET/HGET of N keys is N key operations: the lookups count keys, not round trips
        operations={"presence_heartbeats": beats * BEAT_OPERATIONS, "presence_lookups": lookups},
    )
    placement = Placement(
        data=f"{table}.presence",
        data_class="ephemeral",
        store=named(spec, "redis"),
        reason=f"{fmt(beats)} heartbeats/s at peak; a value that expires by itself",
        retention=f"{window:g} s after the last heartbeat",
    )
    operations = _operations(arch, service, entity, beat_cases, realtime, interval, window)
    schemas: tuple[tuple[str, ApiSchema], ...] = ()
    for u in readers:
        ops, shapes = presence_view(arch, u, entity, window)
        operations, schemas = (*operations, *ops), (*schemas, *shapes)
    for u, found in joined:
        ops, shapes = online_api(arch, u, entity, found, window)
        operations, schemas = (*operations, *ops), (*schemas, *shapes)
    caches = tuple(
        CachePlan(
            use_case=u.name,
            strategy="read-model",
            key=f"{seen_hash} {seen_field}",
            invalidation="refreshed by every heartbeat",
            rationale=f"last seen lives in Redis with presence: {fmt(u.peak_qps)} reads/s never reach the database",
        )
        for u in readers
    )
    mechanisms = tuple(
        Mechanism(
            use_case=u.name,
            pattern="PAT022",
            decision=made.id,
            serves="read",
            store="redis",
            entities=[entity],
            how=f"EXISTS {key} and HGET {seen_hash} {seen_field}, pipelined in one round trip: the answer is the id, online and last seen, nothing else",
            database_share=0.0,
        )
        for u in readers
    ) + tuple(
        Mechanism(
            use_case=u.name,
            pattern="PAT022",
            decision=made.id,
            serves="read",
            store="redis",
            # it serves no rows: the rows come from the database, the store adds each one's online flag and last seen
            entities=[],
            how=f"MGET {key} and HGET {seen_hash} {seen_field} {_rows_text(u, found)}, pipelined in one round trip: each one's online flag and last seen",
            database_share=1.0,
        )
        for u, found in joined
    )
    if seen:
        # last seen reaches the database once per session: a write load on the row's table like any other
        mechanisms += (
            Mechanism(
                use_case=f"presence of {entity}",
                pattern="PAT022",
                decision=made.id,
                serves="write",
                store="redis",
                entities=[entity],
                how=f"the last heartbeat's time, kept in Redis, written to {table}.{seen} {_written(flush_s)}",
                database_share=0.0,
                loads=[
                    StoreLoad(
                        entity=entity,
                        key=f"last_seen_{snake(entity)}",
                        quantity=f"writes/s of {table}.{seen} ({cadence})",
                        writes_per_s=session_writes,
                        formula=FLUSH_FORMULA,
                        inputs={"online": count, "session_s": SESSION_SECONDS, "primary_write_ceiling": PRIMARY_WRITE_CEILING, "primary_share": PRIMARY_SHARE},
                    )
                ],
            ),
        )
    return Applied(
        made,
        components=(component,),
        figures=figures,
        placements=(placement,),
        operations=operations,
        schemas=schemas,
        caches=caches,
        mechanisms=mechanisms,
    )


def _offline(spec: Spec, entity: str, pushing: list[str], modes: Mapping[str, str], pushes: list[str], others: str) -> str:
    """What a recipient with no presence key gets: for a live delivery, the push the push sender sends once it finds the key
    missing (``offline_rule``); for a push-only one (no gateway runs), a push to every recipient, no key read."""
    if not pushes:
        return (
            "a recipient with no presence key is offline: when it reconnects it does what each real-time delivery decision says "
            "(a catch-up read from its last cursor where the decision names one)"
        )
    live = [n for n in pushing if modes.get(n) != "push"]
    every = [n for n in pushing if modes.get(n) == "push"]
    said = []
    if live:
        verb = "delivers" if len(live) == 1 else "deliver"
        rule = offline_rule(spec, entity, senders(spec, pushes)[0], pushes)
        said.append(f"a recipient with no presence key is offline: for what {', '.join(repr(n) for n in live)} {verb}, {rule}")
    if every:
        verb = "delivers" if len(every) == 1 else "deliver"
        said.append(
            f"what {', '.join(repr(n) for n in every)} {verb} goes out as a push notification ({', '.join(pushes)}) to every recipient, "
            "online or not (deliver: push, and no gateway runs)"
        )
    return "; ".join(said) + others


def _rows_per_read(use_case: UseCase) -> int:
    """Rows one read returns: a page of a list (its default size), one for a get."""
    return use_case.spec.page.limit if use_case.kind == "list" and use_case.spec.page.style != "none" else 1


def _rows_text(use_case: UseCase, found: list[str]) -> str:
    rows = _rows_per_read(use_case)
    returned = f"each of the up to {rows} rows returned" if rows > 1 else "the row returned"
    refs = " and ".join(f for f in found if f)
    return f"for the {refs} of {returned}" if refs else f"for {returned}"


def _operations(
    arch: Architecture, service: str, entity: str, beat_cases: list[UseCase], realtime: bool, interval: float, window: float
) -> tuple[tuple[str, Operation], ...]:
    """Heartbeat use cases refresh the key (no If-Match); without them and without a live connection, a heartbeat endpoint."""
    note = f"A heartbeat: refreshes the presence key (TTL {window:g} s) and last seen; send it every {interval:g} s."
    changed = []
    for use_case in beat_cases:
        found = operation_of(arch, use_case.name)
        if found is not None:
            changed.append((found[0], unconditional(found[1], note)))
    if changed or realtime:
        return tuple(changed)
    param = item_parameter(arch, service, entity)
    base = collection_path(arch, service, entity)
    if param is None or base is None:
        return ()
    tag = base.strip("/").split("/")[-1]
    op = new_operation(
        operation_id=f"heartbeat{entity}",
        method="put",
        path=f"{base}/{{{param.name}}}/presence",
        summary=f"Mark the {entity} online",
        description=note,
        entity=entity,
        kind="update",
        tag=tag,
        parameters=[param],
        scopes=[f"{tag}:write"],
        success_status=204,
        owner_only=True,
    )
    return ((service, op),)


def _other_deliveries(spec: Spec, analysis: Analysis, entity: str, pushing: list[str]) -> bool:
    """Whether another real-time delivery to these rows pushes nothing (its recipients fetch on reconnect)."""
    return any(
        u.spec.deliver is not None and u.entity in spec.entities and u.name not in pushing and _reaches(spec, analysis, u, entity) for u in analysis.use_cases
    )


def _reaches(spec: Spec, analysis: Analysis, use_case: UseCase, entity: str) -> bool:
    """Whether ``use_case`` delivers to rows of ``entity``: its channel is scoped by them, or by a room whose members are these people."""
    where = route(spec, analysis, use_case)
    room = where.people and where.scope is not None and audiences(spec, analysis).of_entity(where.scope) is None
    return where.scope == entity or (room and people_entity(spec) == entity)
