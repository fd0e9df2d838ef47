"""PAT023: what a use case delivers to connected clients: the channel, who is subscribed, the fan-out and the offline path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.communication import event_name
from backend_architect.design.loads import publishes_directly
from backend_architect.design.online import online, online_share, people_entity
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._common import decision, figure, fmt, owner_of, table_of
from backend_architect.design.semantics import is_link
from backend_architect.ir.model import Architecture, Event, Figure, Flow, FlowStep
from backend_architect.ir.runtime import RealtimeChannel
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import kebab, parent_relation, plural, snake

#: The gateway's name in the topology: every channel's events are consumed by it.
GATEWAY = "realtime-gateway"
#: How often a client would ask for news instead of being told: what "live" means to a person.
POLL_INTERVAL_S = 5.0
#: Requests/s of polling above which a push channel is chosen even where the spec asks to poll.
POLL_MAX_RATE = 1_000.0
#: Members of one room from which the room gets a routing process of its own (one publish per room, not per member).
LARGE_ROOM = 1_000.0
#: Fields of a reference that name its writer, not a recipient.
_AUTHOR = frozenset({"author", "sender", "created_by", "owner", "creator", "user", "from"})


@dataclass(frozen=True)
class Route:
    """Where a delivery goes: the channel's scope (a room, a person, an item or everyone) and how many receive each message."""

    scope: str | None
    address: str
    name: str
    recipients: float
    basis: str
    people: bool


def _collection(entity: str) -> str:
    return plural(kebab(entity))


def _rooms(spec: Spec, entity: str, people: str | None) -> list[tuple[str, str]]:
    """Rooms a row belongs to, nearest first: entities it refers to (or is part of, up to three levels) that have members (a link to people)."""
    found: list[tuple[str, str]] = []
    frontier, seen = [entity], {entity}
    for _ in range(3):
        level: list[str] = []
        for name in frontier:
            body = spec.entities[name]
            targets = [body.part_of] if body.part_of else []
            targets += [f.type.target for f in body.fields.values() if f.type.kind == "ref" and f.type.target]
            level += [t for t in targets if t and t not in seen and t != people and t in spec.entities]
        for room in dict.fromkeys(level):
            seen.add(room)
            member = _membership(spec, room, people)
            if member is not None:
                found.append((room, member))
        if found:
            return found
        frontier = list(dict.fromkeys(level))
    return found


def _membership(spec: Spec, room: str, people: str | None) -> str | None:
    """The link that makes people members of ``room`` (GroupMember: part of Group, with a user, nothing else but its role)."""
    for name, body in spec.entities.items():
        parent = parent_relation(spec, name)
        refs = {f.type.target for f in body.fields.values() if f.type.kind == "ref"}
        if parent is not None and parent[1] == room and people is not None and people in refs and is_link(spec, name):
            return name
    return None


def _members(spec: Spec, analysis: Analysis, room: str, member: str) -> tuple[float, str]:
    body = spec.entities[member]
    if body.avg_per_parent is not None:
        return body.avg_per_parent, f"{member}.avg_per_parent"
    rows, rooms = analysis.rows(member), analysis.rows(room)
    average = rows / rooms if rooms else 1.0
    if body.max_per_parent is not None:
        return min(average, body.max_per_parent), f"{member} rows / {room} rows (at most max_per_parent {body.max_per_parent:g})"
    return average, f"{member} rows / {room} rows"


def route(spec: Spec, analysis: Analysis, use_case: UseCase) -> Route:
    """Where ``use_case``'s deliveries go and to how many: ``deliver.to``, a read's subscription, a room's members, or the row's parent."""
    entity = use_case.entity
    people = people_entity(spec)
    items = _collection(entity)
    fanout = use_case.spec.avg_fanout
    target = use_case.spec.deliver.to if use_case.spec.deliver else None
    if target and "." in target:
        owner, _, field = target.partition(".")
        ref = spec.entities[owner].fields.get(field) if owner in spec.entities else None
        scope = ref.type.target if ref is not None and ref.type.target else owner
        return Route(scope, f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}", f"{kebab(scope)}-{items}", fanout or 1.0, f"to: {target}", scope == people)
    if target:
        return Route(None, f"{kebab(target)}/{items}", f"{kebab(target)}-{items}", fanout or online(spec).connections, f"every connected {target}", True)
    if not use_case.is_write:
        return _subscription(spec, use_case, items, fanout)
    rooms = _rooms(spec, entity, people)
    if len(rooms) == 1:
        room, member = rooms[0]
        count, basis = (fanout, "avg_fanout") if fanout else _members(spec, analysis, room, member)
        return Route(room, f"{_collection(room)}/{{{snake(room)}_id}}/{items}", f"{kebab(room)}-{items}", count, f"members of the {room} ({basis})", True)
    if rooms and people:
        counts = [_members(spec, analysis, room, member)[0] for room, member in rooms]
        count = fanout or sum(counts) / len(counts)
        basis = "avg_fanout" if fanout else f"members of its {' or '.join(r for r, _ in rooms)} (average)"
        return Route(people, f"{_collection(people)}/{{{snake(people)}_id}}/{items}", f"{kebab(people)}-{items}", count, basis, True)
    recipient = _recipient(spec, entity, people)
    if recipient is not None and people is not None:
        return Route(people, f"{_collection(people)}/{{{snake(people)}_id}}/{items}", f"{kebab(people)}-{items}", fanout or 1.0, f"its {recipient}", True)
    parent = parent_relation(spec, entity)
    if parent is not None:
        scope = parent[1]
        return Route(
            scope, f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}", f"{kebab(scope)}-{items}", fanout or 1.0, f"watchers of the {scope}", scope == people
        )
    return Route(None, items, items, fanout or 1.0, "subscribers of the stream", False)


def _recipient(spec: Spec, entity: str, people: str | None) -> str | None:
    """A reference to people that names who receives the row (``recipient``), beside the one naming its writer."""
    refs = [n for n, f in spec.entities[entity].fields.items() if f.type.kind == "ref" and f.type.target == people]
    others = [n for n in refs if n not in _AUTHOR]
    return others[0] if len(refs) >= 2 and others else None


def _subscription(spec: Spec, use_case: UseCase, items: str, fanout: float | None) -> Route:
    """A read with ``deliver`` subscribes to what it reads: one item, the rows of one parent it filters by, or every row."""
    entity = use_case.entity
    if use_case.kind == "get":
        return Route(entity, f"{items}/{{{snake(entity)}_id}}", f"{kebab(entity)}-updates", fanout or 1.0, f"clients watching one {entity}", False)
    for ref in use_case.filters:
        if ref.constant is None and ref.entity == entity and ref.column and ref.column.endswith("_id"):
            field = spec.entities[entity].fields.get(ref.field)
            scope = field.type.target if field is not None and field.type.target else ref.column.removesuffix("_id")
            return Route(
                scope, f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}", f"{kebab(scope)}-{items}", fanout or 1.0, f"clients watching a {scope}", False
            )
    return Route(None, items, f"{items}-stream", fanout or 1.0, "subscribers of the whole stream", False)


def publishers(analysis: Analysis, use_case: UseCase) -> list[UseCase]:
    """The writes a delivery pushes: the use case itself, or (for a read) every write of what it reads."""
    if use_case.is_write:
        return [use_case]
    read = set(use_case.spec.reads)
    return [
        u for u in analysis.use_cases if u.is_write and u.entity == use_case.entity and (read & set(u.spec.writes) or use_case.entity in u.writes or not read)
    ]


def transport(spec: Spec) -> str:
    """WebSocket when clients also talk on the connection (writes delivered to others, heartbeats); SSE when every delivery is a read stream."""
    realtime = [u for u in spec.use_cases if u.deliver is not None and u.deliver.mode != "push"]
    presence = any(e.presence is not None for e in spec.entities.values())
    streams = all(not u.writes for u in realtime)
    return "sse" if realtime and streams and not presence else "websocket"


@pattern(code="PAT023", name="realtime-delivery", stage="access_paths", title="Push writes to connected clients over channels")
def realtime_delivery(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A use case says ``deliver``: ``realtime`` (a live connection), ``push`` (notifications) or
    ``poll``. A write delivers what it writes; a read with ``deliver`` subscribes to the
    changes of what it reads. Polling is kept only while its rate (connections / 5 s) stays
    under 1,000 requests/s; above, a push channel is chosen and the decision says why.

    ## What it adds
    A channel on the real-time gateway (PAT029) scoped by the room the row belongs to (a
    conversation, a guild: the entity whose members link it to people), by its recipient, by
    the item watched, or the whole stream; the write's event, consumed by the gateway, which
    fans it out through Redis pub/sub to the nodes holding subscribers; recipients with no
    connection get a push notification through the spec's push provider, or fetch on
    reconnect. Rooms of 1,000 members or more get a routing process each.

    ## What it costs
    Deliveries/s = publishes x recipients per message x the share of people online; push
    notifications/s = publishes x recipients x the share offline.

    ## Alternatives
    Polling (requests at connections / interval, most answering "nothing new"); fan-out
    through the broker to every gateway node (each node reads every message).

    ## References
    Discord engineering, "How Discord scaled Elixir to 5,000,000 concurrent users" (2017);
    RFC 6455 (WebSocket); WHATWG HTML, server-sent events.
    """
    people = people_entity(spec)
    share = online_share(spec, analysis, people)
    pushes = [name for name, e in spec.external.items() if (e.kind or "").lower() in {"push", "notification", "notifications"}]
    kind = transport(spec)
    for use_case in analysis.use_cases:
        deliver = use_case.spec.deliver
        if deliver is None or use_case.entity not in spec.entities or table_of(arch, use_case.entity) is None:
            continue
        yield _applied(spec, analysis, arch, use_case, route(spec, analysis, use_case), share, pushes, kind)


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, where: Route, share: float, pushes: list[str], kind: str) -> Applied:
    deliver = use_case.spec.deliver
    assert deliver is not None
    sources = publishers(analysis, use_case)
    publishes = sum(u.peak_qps for u in sources)
    online_share_ = share if where.people else 1.0
    deliveries = publishes * where.recipients * online_share_
    offline = publishes * where.recipients * (1 - online_share_)
    connections = online(spec).connections
    polls = connections / POLL_INTERVAL_S
    mode = deliver.mode
    overruled = mode == "poll" and polls > POLL_MAX_RATE
    if overruled:
        mode = "realtime"
    scope = f"use case '{use_case.name}'"
    figures: tuple[Figure, ...] = (
        figure(
            f"realtime.publishes.{use_case.id}",
            f"messages/s published for {use_case.name} at peak",
            publishes,
            "messages/s",
            "sum of the publishing writes' peaks",
            {f"peak_{u.id}": u.peak_qps for u in sources},
            scope,
        ),
        figure(
            f"realtime.deliveries.{use_case.id}",
            f"deliveries/s to connected clients for {use_case.name} at peak",
            deliveries,
            "deliveries/s",
            "publishes x recipients x online_share",
            {"publishes": publishes, "recipients": where.recipients, "online_share": online_share_},
            scope,
        ),
    )
    offline_text = _offline(analysis, use_case, pushes, offline, where)
    if offline and pushes:
        figures += (
            figure(
                f"realtime.push.{use_case.id}",
                f"push notifications/s for {use_case.name} at peak (recipients offline)",
                offline,
                "notifications/s",
                "publishes x recipients x (1 - online_share)",
                {"publishes": publishes, "recipients": where.recipients, "online_share": online_share_},
                scope,
            ),
        )
    events = _events(spec, arch, sources, where)
    if mode == "push":
        return _push_only(spec, use_case, where, publishes, offline + deliveries, pushes, events, figures)
    if mode == "poll":
        return _polling(spec, use_case, polls, connections, figures)
    table = table_of(arch, use_case.entity)
    columns = [c.name for c in table[1].columns if not c.secret] if table else ["id"]
    channel = RealtimeChannel(
        name=where.name,
        address=where.address,
        parameters=[p.strip("{}") for p in where.address.split("/") if p.startswith("{")],
        transport=kind,
        entity=use_case.entity,
        events=list(dict.fromkeys(event_name(u) for u in sources)),
        fields=columns,
        use_cases=[use_case.name],
        publishers=[u.name for u in sources],
        recipients=f"{where.basis}: {fmt(where.recipients)} a message",
        recipients_per_message=where.recipients,
        publishes_per_s=publishes,
        deliveries_per_s=deliveries,
        offline=offline_text,
        decision=f"realtime.{use_case.id}",
    )
    large = where.recipients >= LARGE_ROOM and where.scope is not None
    fanout = (
        f"a routing process per {where.scope} holds its members' sessions and forwards each message to them (one pub/sub publish per room)"
        if large
        else f"Redis pub/sub on {where.address} carries each message to the gateway nodes holding its {fmt(where.recipients)} recipient(s)"
    )
    transport_name = "WebSocket" if kind == "websocket" else "server-sent events"
    direct = [u.name for u in sources if publishes_directly(arch, u.name)]
    if direct:
        keeps = "keeps its value in memory, so its writes publish" if len(direct) == 1 else "keep their values in memory, so their writes publish"
        fanout += f"; {', '.join(repr(n) for n in direct)} {keeps} to pub/sub directly (no outbox)"
    choice = (
        f"push over the real-time gateway ({transport_name}): each {use_case.entity} that {', '.join(repr(u.name) for u in sources) or 'a write'} "
        f"commits is published as {' or '.join(channel.events)} to channel {where.address}; {fanout}; {offline_text}"
    )
    rationale = (
        f"{fmt(publishes)} messages/s at peak to {fmt(where.recipients)} recipient(s) each ({where.basis}), {online_share_:.0%} of them connected: "
        f"{fmt(deliveries)} deliveries/s, each pushed the moment it commits instead of waiting for a client to ask"
    )
    if overruled:
        rationale += f"; the spec asked to poll, but {fmt(connections)} clients asking every {POLL_INTERVAL_S:g} s make {fmt(polls)} requests/s"
    made = decision(
        f"realtime.{use_case.id}",
        f"Real-time delivery for {use_case.name}",
        "read paths",
        choice,
        f"{use_case.name}: deliver {deliver.mode}" + (f" to {deliver.to}" if deliver.to else "") + f"; {fmt(publishes)} publishes/s at peak",
        rationale,
        alternatives=[
            (
                "clients polling",
                f"{fmt(polls)} requests/s from {fmt(connections)} clients asking every {POLL_INTERVAL_S:g} s, "
                f"nearly all answering nothing new, and news up to {POLL_INTERVAL_S:g} s late",
            ),
            ("the broker fanned out to every gateway node", "each node would read every message, most for clients it does not hold"),
        ],
        consequences="A client that reconnects fetches what it missed from its last cursor; deliveries are at least once "
        f"(clients skip ids they have). Channel: {where.address}.",
        subject=use_case.name,
        inputs={"publishes": publishes, "recipients": where.recipients, "online_share": online_share_, "deliveries": deliveries},
        decided_by="numbers" if overruled else "spec",
        spec=spec,
    )
    return Applied(made, channels=(channel,), events=events, figures=figures, flows=_flows(spec, arch, sources, events))


def _flows(spec: Spec, arch: Architecture, sources: list[UseCase], events: tuple[Event, ...]) -> tuple[Flow, ...]:
    """Each publishing write's flow gains the step that takes its event to the gateway; a local write becomes event-driven.

    A write whose value lives in memory (PAT020) publishes to Redis pub/sub itself: its step goes there, not through the outbox.
    """
    changed = []
    by_use_case = {e.use_case: (e.name, e.producer, "outbox") for e in events}
    by_use_case |= {u.name: (event_name(u), owner_of(arch, u.entity), "pubsub") for u in sources if publishes_directly(arch, u.name)}
    for flow in arch.flows:
        found = by_use_case.get(flow.use_case)
        if found is None or any(s.target == GATEWAY for s in flow.steps):
            continue
        name, producer, via = found
        description = f"{name} via the outbox" if via == "outbox" else f"{name} via Redis pub/sub, published by the write path (no outbox)"
        step = FlowStep(source=producer, target=GATEWAY, kind="event", description=description, via="pubsub" if via == "pubsub" else "outbox")
        update: dict[str, object] = {"steps": [*flow.steps, step]}
        if flow.style == "local":
            how = "through the real-time gateway" if via == "outbox" else "through Redis pub/sub and the real-time gateway"
            update |= {"style": "event", "rationale": f"{flow.rationale}; {name} is pushed to connected clients {how}"}
        changed.append(flow.model_copy(update=update))
    return tuple(changed)


def _offline(analysis: Analysis, use_case: UseCase, pushes: list[str], offline: float, where: Route) -> str:
    if where.people and pushes:
        return f"recipients not connected get a push notification through {', '.join(pushes)} ({fmt(offline)}/s at peak)"
    scoped = f"{snake(where.scope)}_id" if where.scope else None
    reader = next((u.name for u in analysis.of_entity(use_case.entity) if u.kind == "list" and any(f.column == scoped for f in u.filters)), None)
    return "recipients not connected fetch what they missed when they reconnect" + (f" ('{reader}' from their last cursor)" if reader else "")


def _events(spec: Spec, arch: Architecture, sources: list[UseCase], where: Route) -> tuple[Event, ...]:
    """Each publishing write's event, consumed by the gateway; a write without one gets it (keyed by the channel's scope).

    A latest value kept in memory (PAT020) has no database transaction to attach an outbox to: the write path
    publishes it to Redis pub/sub itself, so it gets no domain event here.
    """
    found: dict[str, Event] = {}
    for source in sources:
        if publishes_directly(arch, source.name):
            continue
        name = event_name(source)
        existing = found.get(name) or next((e for e in arch.events if e.use_case == source.name or e.name == name), None)
        if existing is not None:
            fields = list(dict.fromkeys([*existing.fields, *source.written_columns]))
            found[existing.name] = existing.model_copy(update={"consumers": sorted({*existing.consumers, GATEWAY}), "fields": fields})
            continue
        key = f"{snake(where.scope)}_id" if where.scope and where.scope != source.entity else "id"
        fields = list(dict.fromkeys(["id", *([key] if key != "id" else []), *source.written_columns]))
        found[name] = Event(
            name=name,
            producer=owner_of(arch, source.entity),
            consumers=[GATEWAY],
            entity=source.entity,
            key=key if key != "id" else f"{snake(source.entity)}_id",
            use_case=source.name,
            fields=fields,
        )
    return tuple(found.values())


def _push_only(
    spec: Spec,
    use_case: UseCase,
    where: Route,
    publishes: float,
    notifications: float,
    pushes: list[str],
    events: tuple[Event, ...],
    figures: tuple[Figure, ...],
) -> Applied:
    provider = ", ".join(pushes) or "a push provider (FCM for Android and the web, APNs for iOS), to be named in the spec's external systems"
    made = decision(
        f"realtime.{use_case.id}",
        f"Push notifications for {use_case.name}",
        "read paths",
        f"push notifications through {provider} to {where.basis}, sent by a consumer of the write's event",
        f"{use_case.name}: deliver push; {fmt(publishes)} publishes/s at peak",
        f"{fmt(notifications)} notifications/s at peak ({fmt(where.recipients)} recipient(s) a message); "
        "the spec asks for notifications, not a live connection",
        alternatives=[("a live connection", "the spec asks for notifications: they reach devices with the app closed")],
        subject=use_case.name,
        inputs={"publishes": publishes, "recipients": where.recipients},
        decided_by="spec",
        spec=spec,
    )
    consumers = [*pushes] or ["notifications"]
    return Applied(made, events=tuple(e.model_copy(update={"consumers": sorted({*e.consumers, *consumers} - {GATEWAY})}) for e in events), figures=figures)


def _polling(spec: Spec, use_case: UseCase, polls: float, connections: float, figures: tuple[Figure, ...]) -> Applied:
    made = decision(
        f"realtime.{use_case.id}",
        f"Polling for {use_case.name}",
        "read paths",
        f"clients poll every {POLL_INTERVAL_S:g} s, as the spec asks (deliver: poll)",
        f"{use_case.name}: deliver poll; {fmt(connections)} clients",
        f"{fmt(connections)} clients every {POLL_INTERVAL_S:g} s make {fmt(polls)} requests/s, under {fmt(POLL_MAX_RATE)}: "
        "plain requests serve it without a gateway",
        alternatives=[("a WebSocket gateway", f"a fleet to run for {fmt(polls)} requests/s; worth it above {fmt(POLL_MAX_RATE)}")],
        subject=use_case.name,
        inputs={"polls_per_s": polls, "threshold": POLL_MAX_RATE},
        decided_by="spec",
        spec=spec,
    )
    return Applied(made, figures=figures)


__all__ = ["GATEWAY", "Route", "publishers", "realtime_delivery", "route", "transport"]
