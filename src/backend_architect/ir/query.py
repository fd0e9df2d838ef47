"""Read-only helpers over the IR."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from backend_architect.ir.consumers import events_consumed
from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture, Datastore, Event, Figure, FlowStep, Operation, RateLimit, Table
from backend_architect.ir.runtime_tables import RUNTIME_RETENTION_DAYS


def answers_item(op: Operation, entity: str) -> bool:
    """``op`` answers the whole ``entity`` item: its read shape, or that shape with rows it answers inside (a get's ``embeds``),
    so whatever a mechanism adds to the item (a short URL, a note, a dropped key) reaches it too."""
    return op.entity == entity and (op.response_schema == entity or (op.kind == "get" and bool(op.embeds)))


def all_tables(arch: Architecture) -> Iterator[tuple[Datastore, Table]]:
    """Every table with the datastore holding it, in order."""
    for store in arch.datastores:
        for table in store.tables:
            yield store, table


def sharded_today(table: Table) -> bool:
    """Whether ``table``'s rows are on shards today, as the design records it (``Sharding.now``: the database load sets it from
    where it counts the table's reads and writes): every "sharded:" sentence reads this, so none calls a table sharded whose
    load sits on the unsharded primary. A table not yet timed (before the database load) counts as sharded.

    >>> from backend_architect.ir.model import Sharding
    >>> later = Table(name="t", columns=[], primary_key=["id"], sharding=Sharding(key="id", reason="r", now=False))
    >>> sharded_today(later), sharded_today(later.model_copy(update={"sharding": None}))
    (False, False)
    """
    return table.sharding is not None and table.sharding.now is not False


def database_of(arch: Architecture, store: Datastore) -> str:
    """The physical database holding ``store``: a modular monolith's modules are schemas (``<db>.<module>``) of one database,
    each service's datastore a database of its own."""
    return store.name.split(".")[0] if arch.deployment == "modular-monolith" else store.name


def figure(arch: Architecture, key: str) -> Figure | None:
    return next((f for f in arch.figures if f.key == key), None)


def events_by_service(arch: Architecture) -> tuple[dict[str, list[Event]], dict[str, list[Event]]]:
    """Events each service publishes, and events each service (or other consumer) consumes: a service running a worker
    that consumes an event consumes it too (``ir.consumers``)."""
    published: dict[str, list[Event]] = {}
    for event in arch.events:
        published.setdefault(event.producer, []).append(event)
    return published, events_consumed(arch)


#: What publishes the events of a table PostgreSQL holds: a row written in the same transaction as the change.
OUTBOX_SOURCE = "the transactional outbox"


def cdc_log(arch: Architecture, entity: str) -> str | None:
    """The change-data-capture log publishing ``entity``'s events when a store other than PostgreSQL holds its table, else None.

    One source of events per table: a row a wide-column store keeps joins no PostgreSQL transaction, so an
    outbox row cannot commit with it; the store's CDC log (ScyllaDB CDC, Cassandra CDC) is what the relay reads.
    """
    table = next((t for _, t in all_tables(arch) if t.entity == entity and t.wide_column is not None), None)
    return None if table is None or table.wide_column is None else f"the {table.wide_column.technology} CDC log of {table.name}"


#: What publishes the events of a write a mechanism keeps out of the database (a latest value in memory): the write path itself.
DIRECT_SOURCE = "the write path itself"


def published_by(event: Event) -> list[str]:
    """The use cases publishing ``event``: the list the design settled (``design.publishers``), else the write that made it
    (an imported architecture, or one read before the list is settled).

    >>> e = Event(name="ReceiptMarked", producer="r", entity="Receipt", key="receipt_id", use_case="mark delivered")
    >>> published_by(e), published_by(e.model_copy(update={"published_by": ["mark delivered", "mark read"]}))
    (['mark delivered'], ['mark delivered', 'mark read'])
    """
    return event.published_by or [event.use_case]


def event_source(arch: Architecture, event: Event) -> str:
    """Where ``event`` is published from: its table's CDC log (a store other than PostgreSQL), the write path itself when a
    mechanism keeps its write out of the database (``Mechanism.publish`` direct), or the transactional outbox."""
    if any(m.use_case == event.use_case and m.serves == "write" and m.publish == "direct" for m in arch.mechanisms):
        return DIRECT_SOURCE
    return cdc_log(arch, event.entity) or OUTBOX_SOURCE


def sources_of(arch: Architecture, entities: list[str]) -> list[str]:
    """The sources ``entities``' change events leave from, the outbox first, then each CDC log (``event_source`` per entity)."""
    found = dict.fromkeys(cdc_log(arch, e) or OUTBOX_SOURCE for e in entities)
    return sorted(found, key=lambda source: (source != OUTBOX_SOURCE, source))


def direct_publishers(arch: Architecture, name: str) -> list[str]:
    """The use cases whose write path publishes a message named ``name`` on pub/sub itself (a value kept in memory: no outbox
    row, no broker), in flow order.

    A domain event of the same name may leave through the outbox for another write of the entity (a status set in the
    database beside a position kept in memory): a document saying how ``name`` is published names both ways, or it
    tells the reader that every message of it passes an outbox and a broker that the kept-in-memory write never touches.
    """
    direct = {m.use_case for m in arch.mechanisms if m.serves == "write" and m.publish == "direct"}
    return list(
        dict.fromkeys(
            f.use_case
            for f in arch.flows
            if f.use_case in direct
            for s in f.steps
            if s.kind == "event" and s.via == "pubsub" and s.description.split(" via ")[0] == name
        )
    )


def direct_note(arch: Architecture, name: str) -> str:
    """What a document about ``name`` says of the writes publishing it themselves (``direct_publishers``), '' when none does.

    >>> direct_note(Architecture(system="s"), "E")
    ''
    """
    found = direct_publishers(arch, name)
    if not found:
        return ""
    keeps = "keeps its value in memory: its write path publishes" if len(found) == 1 else "keep their values in memory: their write paths publish"
    return f"{', '.join(repr(u) for u in found)} {keeps} {name} on Redis pub/sub itself (no outbox row, no broker)"


def events_sources(arch: Architecture) -> list[str]:
    """The sources the design's events leave from (``event_source`` of each), the outbox first, the write path itself last."""
    found = dict.fromkeys(event_source(arch, e) for e in arch.events)
    return sorted(found, key=lambda source: (source != OUTBOX_SOURCE, source == DIRECT_SOURCE, source))


def external_calls(arch: Architecture, service: str) -> tuple[list[str], list[str]]:
    """The externals ``service`` reaches: (called synchronously in a flow, reached only through its outbox's events).

    A push provider a consumer of the outbox notifies is queued, not called: the diagrams (Mermaid and plain text) and
    the boundaries read this one split, so none draws a queued external as a synchronous call.
    """
    called = sorted({s.target for f in arch.flows for s in f.steps if s.kind == "external" and s.source == service})
    found = next((s for s in arch.services if s.name == service), None)
    return called, [e for e in (found.externals if found else []) if e not in called]


def operation_limit(arch: Architecture, op: Operation) -> RateLimit | None:
    """The rate limit an operation carries: the one covering its use cases (the most generous when several actors share it).

    An operation no use case names (a heartbeat, a session, a get of one item) takes its class's tightest person limit: no
    use case sized it, so no actor's clients need more, and the most generous one (a partner's catch-up bucket) would let
    every user's token call it at a machine's rate. The contract, the security table's "covers" lists
    (``ir.limit_covers``) and the scaffold all read this one choice.
    """
    limits = arch.security.rate_limits if arch.security else []
    # an operation only services call has a limit sized for its callers (``design.service_limits``); no person's limit fits it
    covering = [r for r in limits if op.operation_id in r.operations] if op.internal else []
    covering = covering or [r for r in limits if set(r.use_cases) & set(op.use_cases)]
    if not covering:
        op_class = "read" if op.method == "get" else "write"
        covering = [r for r in limits if r.operation_class == op_class and not r.operations]
        # of equal limits, the actor whose use cases reach the operation's entity: the one a reader would expect to call it
        entity_of = {u: o.entity for api in arch.apis for o in api.operations for u in o.use_cases}
        reach = {id(r): {entity_of.get(u) for u in r.use_cases} for r in covering}
        tightest = min(covering, key=lambda r: (r.limit_per_minute, r.burst, op.entity not in reach[id(r)], r.actor), default=None)
        if tightest is not None:
            return tightest
    # with no person's limit of its class, the services calling it are its only clients
    covering = covering or [r for r in limits if op.operation_id in r.operations]
    return max(covering, key=lambda r: (r.limit_per_minute, r.burst, r.actor), default=None)


def service_limit(arch: Architecture, op: Operation) -> RateLimit | None:
    """The limit each service calling ``op`` has on it (``design.service_limits``): an internal operation's only limit, a
    client operation's second one, as a service's token carries all its users' requests."""
    limits = arch.security.rate_limits if arch.security else []
    return next((r for r in limits if op.operation_id in r.operations), None)


#: How a write conditional on a row's version takes If-Match: optional, so a client that keeps no ETag still writes
#: (the last write wins for it). The contract's parameter and design.md's API table both read it: one decision.
IF_MATCH: Literal["required", "optional"] = "optional"


def called_operations(arch: Architecture, step: FlowStep) -> list[str]:
    """The callee's operations a synchronous step calls, as ``operationId (METHOD /v1/path)``: what every section prints.

    Within one deployable the callee is a module its caller calls in process, so its operation is named as the module
    interface it is, ``operationId (in process)``, never as an HTTP request. A name the callee's contract does not have is
    printed alone (the critic, DES027, reports it)."""
    api = next((a for a in arch.apis if a.service == step.target), None)
    ops = {op.operation_id: op for op in api.operations} if api is not None else {}
    base = api.base_path if api is not None else ""
    if one_deployable(arch):
        return [f"{name} (in process)" if name in ops else name for name in step.operations]
    return [f"{name} ({ops[name].method.upper()} {base}{ops[name].path})" if name in ops else name for name in step.operations]


def if_match(op: Operation) -> Literal["required", "optional"] | None:
    """How ``op`` takes If-Match: None where it takes none (reads, unversioned rows, values the last writer replaces)."""
    return IF_MATCH if op.conditional and op.kind != "get" else None


#: How a wide-column store refuses a stale version: a lightweight transaction (Paxos) comparing the row's version as it writes.
#: Why: with no transaction, a read of the version then a plain quorum write lets two writers both pass the comparison, so the
#: 412 the contract promises (and the version bumped on every change) holds only if the store compares and writes atomically.
VERSION_GUARD = "IF version = ? (a lightweight transaction: a stale version is refused atomically, 412)"


def version_guarded(op: Operation | None) -> bool:
    """Whether ``op`` writes only if the row's version is the one it read (If-Match, the version bumped): a compare-and-set.

    >>> version_guarded(Operation(operation_id="e", method="patch", path="/m/{id}", kind="update", summary="", tag="m", conditional=True))
    True
    >>> version_guarded(Operation(operation_id="g", method="get", path="/m/{id}", kind="get", summary="", tag="m", conditional=True))
    False
    """
    return op is not None and if_match(op) is not None and op.kind in {"update", "replace", "action", "delete"}


#: The busiest write primary's figure (``db.write_utilisation``): its quantity names which primary it is, in parentheses.
BUSIEST_WRITES = "share of the busiest primary's write ceiling used at peak"
#: The busiest read primary's figure (``db.read_utilisation``, after caches): its quantity names which primary it is (one shard of a
#: map, or a database's primary), in parentheses, so a sentence stating its reads names the store they reach, not the writes' one.
BUSIEST_READS = "share of the busiest primary's read ceiling used at peak after caches"


def served_parts(inputs: dict[str, float]) -> str:
    """What the services' peak counts beside the use cases, from the served figure's inputs.

    >>> served_parts({"use_cases_peak": 5, "readbacks_peak": 1})
    'the use cases and the GETs reading created rows back'
    >>> served_parts({"use_cases_peak": 5, "readbacks_peak": 0, "checks_peak": 2})
    "the use cases, the GETs reading created rows back and the checks services make of each other's rows"
    >>> served_parts({"use_cases_peak": 5, "readbacks_peak": 0, "calls_peak": 2})
    'the use cases, the GETs reading created rows back and the synchronous calls services make on each other'
    """
    if inputs.get("calls_peak"):
        checks = " (the checks of each other's rows among them)" if inputs.get("checks_peak") else ""
        return f"the use cases, the GETs reading created rows back and the synchronous calls services make on each other{checks}"
    if inputs.get("checks_peak"):
        return "the use cases, the GETs reading created rows back and the checks services make of each other's rows"
    return "the use cases and the GETs reading created rows back"


def busiest_write_primary(quantity: str) -> str:
    """Which primary carries the most writes, as ``db.write_utilisation`` names it: a database's (unsharded) primary or one shard.

    >>> busiest_write_primary("share of the busiest primary's write ceiling used at peak (tweets-db's unsharded primary)")
    "tweets-db's unsharded primary"
    """
    return quantity.removeprefix(BUSIEST_WRITES).strip().removeprefix("(").removesuffix(")") or "one shard where sharded"


def busiest_read_primary(quantity: str) -> str:
    """Which primary takes the most reads, as ``db.read_utilisation`` names it: a database's (unsharded) primary or one shard.

    >>> busiest_read_primary("share of the busiest primary's read ceiling used at peak after caches (one shard of follows (follows-db))")
    'one shard of follows (follows-db)'
    """
    return quantity.removeprefix(BUSIEST_READS).strip().removeprefix("(").removesuffix(")") or "one shard where sharded"


def _held_by_stores(arch: Architecture) -> dict[str, str]:
    """Per write use case, the store holding its row instead of PostgreSQL (a wide-column store: its change-data-capture log
    publishes it); a value kept in memory commits nothing to guard, so it is not one."""
    return {m.use_case: m.store for m in arch.mechanisms if m.serves == "write" and m.database_share == 0 and m.publish == "cdc"}


def held_keys(arch: Architecture, service: str) -> list[str]:
    """Use cases of ``service`` taking Idempotency-Key whose write a store holding the row (a wide-column store) takes instead of PostgreSQL."""
    elsewhere = _held_by_stores(arch)
    keyed = [u for api in arch.apis if api.service == service for op in api.operations if op.idempotency_key for u in op.use_cases]
    return [u for u in dict.fromkeys(keyed) if u in elsewhere]


def keyed_elsewhere(arch: Architecture, service: str) -> list[str]:
    """Technologies of the stores ``service``'s Idempotency-Key operations write to instead of its PostgreSQL database.

    A mechanism keeping a keyed write off the database in a store holding the row (a wide-column store) leaves
    no PostgreSQL transaction for the key row to join: it commits first, on its own, and the write
    is made idempotent by the id stored with it.
    """
    techs = {c.name: c.technology for c in arch.components}
    elsewhere = _held_by_stores(arch)
    return [techs.get(store, store) for store in dict.fromkeys(elsewhere[u] for u in held_keys(arch, service))]


#: Where a guarantee's row commits when its change is in the same database.
IN_THE_TRANSACTION = "written in the same transaction as the change, so it lives in the service's own database"


def guarded_how(arch: Architecture, service: str) -> str:
    """How ``service``'s Idempotency-Key rows guard its writes: in the transaction of the change, or, for keyed writes a
    wide-column store holds (no transaction spans it and PostgreSQL), in that store beside the row, by a conditional insert.

    The retries section and the keys' placement say this one sentence.
    """
    held = held_keys(arch, service)
    if not held:
        return IN_THE_TRANSACTION
    stores = " and ".join(keyed_elsewhere(arch, service))
    return (
        f"the keys of {', '.join(held)} are kept in {stores}, which holds the row (no transaction spans it and PostgreSQL): "
        f"a conditional insert of the key (INSERT ... IF NOT EXISTS, a lightweight transaction, with a {RUNTIME_RETENTION_DAYS}-day TTL) before the "
        "write, which stores the id of the row it makes, so a retry finds the key and gets the first answer, never a second row"
    )


def example_query(op: Operation) -> str:
    """The example request's query string: each parameter with an example, in the contract's order ('' when none)."""
    pairs = [(p.name, p.example) for p in op.parameters if p.location == "query" and p.example is not None]
    return "&".join(f"{name}={str(value).lower() if isinstance(value, bool) else value}" for name, value in pairs)


def event_broker(arch: Architecture, event: Event) -> str | None:
    """The broker ``event`` travels on after its relay (the component the messaging decision runs), or None: a write publishing
    itself reaches its pub/sub directly, and without a broker the relay hands events to their consumers in process."""
    if event_source(arch, event) == DIRECT_SOURCE:
        return None
    return next((c.name for c in arch.components if c.kind == "broker"), None)


def delivery_hops(arch: Architecture, event: Event, consumer: str) -> list[str]:
    """The parts ``event`` crosses after its relay to reach ``consumer``, in order: one path per event and consumer, read by
    every diagram and every sentence saying how it gets there.

    The broker where the design runs one (the relay publishes every event to it); then, for a consumer fed by a pub/sub (the
    real-time gateway by Redis), that consumer's own broker consumer publishing to the pub/sub, which carries each message to
    the nodes holding the connections: ``[broker, gateway, redis, gateway]``; without a broker the relay publishes to the
    pub/sub itself: ``[redis, gateway]``.
    """
    broker = event_broker(arch, event)
    part = next((c for c in arch.components if c.name == consumer), None)
    carrier = part.pubsub if part is not None and part.pubsub is not None and any(c.name == part.pubsub for c in arch.components) else None
    hops = [broker] if broker is not None else []
    if carrier is None:
        return [*hops, consumer]
    return [*hops, consumer, carrier, consumer] if broker is not None else [carrier, consumer]


def delivery_note(arch: Architecture, event: Event, consumer: str, routed: bool = True) -> str:
    """How ``event`` reaches ``consumer`` past the broker, in words, where a pub/sub carries it (the path the diagrams draw), else "".

    The consumer's fan-out is the part a reader could draw otherwise: the broker to every node, or one consumer and a pub/sub.
    ``routed``: end with the payload property addressing its channels (``routing_note``).
    """
    hops = delivery_hops(arch, event, consumer)
    routing = f", addressed to {routing_note(event)}" if routed and event.recipients else ""
    if len(hops) == 4:
        return (
            f"{consumer} takes it from {hops[0]} in one consumer group and publishes it on {hops[2]} pub/sub, "
            f"which carries it to the nodes holding the connections{routing}"
        )
    if len(hops) == 2 and event_source(arch, event) == DIRECT_SOURCE:
        return _published_directly(event.use_case or "", hops[0], consumer)
    if len(hops) == 2 and hops[0] != consumer and not any(c.name == hops[0] and c.kind == "broker" for c in arch.components):
        return f"the relay publishes it on {hops[0]} pub/sub, which carries it to the {consumer} nodes holding the connections{routing}"
    return ""


def routing_note(event: Event) -> str:
    """Whom the gateway sends ``event`` to, read from its payload (``EventRecipients``): the message alone names its channels, so
    no sentence about its delivery leaves a reader asking which database the gateway queries.

    >>> from backend_architect.ir.model import Column, EventRecipients
    >>> ids = EventRecipients(field="recipient_ids", parameter="driver_id", column=Column(name="id", type="uuid"), many=True, reached="r")
    >>> routing_note(Event(name="E", producer="p", entity="T", key="trip_id", use_case="u", recipients=[ids]))
    "the channel of each id in the payload's recipient_ids"
    """
    said = [f"the channel of each id in the payload's {r.field}" if r.many else f"the channel of the payload's {r.field}" for r in event.recipients]
    return " and ".join(said)


def _published_directly(use_case: str, carrier: str, consumer: str) -> str:
    """The route of a message a write kept in memory publishes itself: no outbox row, so no relay and no broker on its way."""
    return (
        f"the write path of '{use_case}' publishes it on {carrier} pub/sub itself (no outbox, no broker), "
        f"which carries it to the {consumer} nodes holding the connections"
    )


def delivery_routes(arch: Architecture, consumer: str) -> list[tuple[str, str]]:
    """How the messages ``consumer`` takes reach it: one (which events, how) pair per route, "each event" naming them all when
    they share one.

    Every message counts: the domain events it consumes (``delivery_note``) and those a write kept in memory publishes to
    the pub/sub itself (a flow's ``via="pubsub"`` step, no domain event). They may travel different routes (one through
    the outbox and the broker, one straight to pub/sub): a sentence saying "each event" holds only when all take one.
    """
    notes: dict[str, str] = {}
    addressed: dict[str, str] = {}
    for event in arch.events:
        if consumer in event.consumers:
            # the route is shared, the channels each message goes to are its own: told after the route, per event
            notes[event.name] = delivery_note(arch, event, consumer, routed=False)
            addressed[event.name] = " and ".join(f"each id in {r.field}" if r.many else r.field for r in event.recipients)
    part = next((c for c in arch.components if c.name == consumer), None)
    for flow in arch.flows:
        for step in flow.steps:
            if step.kind == "event" and step.via == "pubsub" and step.target == consumer and part is not None and part.pubsub:
                name = step.description.split(" via ")[0]
                # a domain event of that name from another write travels its own route: each message is named with its writer
                named = f"{name} of '{flow.use_case}'" if name in notes else name
                notes.setdefault(named, _published_directly(flow.use_case, part.pubsub, consumer))
    routes: dict[str, list[str]] = {}
    for name, note in notes.items():
        if note:
            routes.setdefault(note, []).append(name)
    if len(routes) == 1 and len(next(iter(routes.values()))) == len(notes):
        return [("each event", _addressed(next(iter(routes)), next(iter(routes.values())), addressed))]
    return [(", ".join(names), _addressed(note, names, addressed)) for note, names in routes.items()]


def _addressed(note: str, names: list[str], addressed: dict[str, str]) -> str:
    """``note`` ending with the payload property each event's channels are read from (``routing_note``), where events name one."""
    fields: dict[str, list[str]] = {}
    for name in names:
        if addressed.get(name):
            fields.setdefault(addressed[name], []).append(name)
    if not fields:
        return note
    each = "; ".join(field if len(fields) == 1 and len(names) == len(events) else f"{', '.join(events)}: {field}" for field, events in fields.items())
    return f"{note}, addressed to the channel(s) its payload names ({each})"
