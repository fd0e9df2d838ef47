"""PAT023: what a use case delivers to connected clients: the channel, who is subscribed, the fan-out and the offline path."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Literal

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.audience import Audience, Audiences, audiences
from backend_architect.design.call_chains import plan_flow
from backend_architect.design.catch_up import catch_up_reads, guarantee, offline_fetch, reconnecting
from backend_architect.design.communication import event_name
from backend_architect.design.deliverers import senders
from backend_architect.design.event_fields import with_fields, with_recipients, written_row
from backend_architect.design.loads import publishes_directly
from backend_architect.design.offline_pushes import offline_finder
from backend_architect.design.online import people_entity
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._api import operation_of
from backend_architect.design.patterns._chosen import choosing_step
from backend_architect.design.patterns._common import decision, figure, fmt, owner_of, table_of
from backend_architect.design.patterns._routes import Route, route
from backend_architect.design.pushed_personal_data import withheld_fields
from backend_architect.design.pushes import pushes_reaching, shares
from backend_architect.design.relay import RELAY_INPUT, RELAY_S
from backend_architect.design.routing_fields import route_fields
from backend_architect.design.watchers import watching_reads
from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture, Event, Figure, Flow, FlowStep, Operation
from backend_architect.ir.runtime import RealtimeChannel
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

#: The gateway's name in the topology: every channel's events are consumed by it.
GATEWAY = "realtime-gateway"
#: How often a client would ask for news instead of being told: what "live" means to a person.
POLL_INTERVAL_S = 5.0
#: Requests/s of polling above which a push channel is chosen even where the spec asks to poll.
POLL_MAX_RATE = 1_000.0
#: Members of one room from which the room gets a routing process of its own (one publish per room, not per member).
LARGE_ROOM = 1_000.0


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
    ``poll``. Once a gateway runs, a ``push`` is delivered live to its connected recipients and
    pushed to the others (``design/gateway_routes.py``): one route per recipient kind. A write
    delivers what it writes; a read with ``deliver`` subscribes to the changes of what it reads. Polling is kept only while its rate (connections / 5 s) stays
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
    audience = audiences(spec, analysis)
    kind = transport(spec)
    routed = [
        (u, where, _share(spec, audience, where))
        for u in analysis.use_cases
        if u.spec.deliver is not None and u.entity in spec.entities and table_of(arch, u.entity) is not None
        for where in (route(spec, analysis, u, audience),)
    ]
    # every delivery that rewrites a write's event or flow adds the same push providers (the last merged must not drop them)
    implicit = {u.name: [p for p in _pushing(spec, analysis, u, where, share) if p not in u.spec.notify] for u, where, share in routed if u.is_write}
    emitted: set[str] = set()
    for use_case, where, share in routed:
        made = _applied(spec, analysis, arch, use_case, where, share, _pushing(spec, analysis, use_case, where, share), kind, audience, implicit)
        # the recipients' share online is one figure per actor, carried by the first delivery that reads it
        recipients = _recipients_audience(spec, audience, where)
        shared = recipients.share_figure() if recipients is not None else None
        if shared is not None and shared.key not in emitted:
            emitted.add(shared.key)
            made = dataclasses.replace(made, figures=(shared, *made.figures))
        yield made


def access(spec: Spec, analysis: Analysis, use_case: UseCase, where: Route) -> Literal["public", "private"]:
    """Whether a channel takes anonymous subscribers: public when the reads it mirrors need no login (``auth: none`` or
    ``optional``: visitors watching a question), private when it carries people's own messages or a room's.

    A read's channel mirrors that read; a write delivered to an item's watchers mirrors the reads that subscribe to the
    item, else the reads that catch its watchers up, else the item's own reads; a write delivered to people (its recipient,
    a room's members) is theirs alone.
    """
    if not use_case.is_write:
        return "public" if use_case.spec.auth != "required" else "private"
    if not where.item or where.people:
        return "private"
    # with no read subscribing, the watchers are those who read the rows (their catch-up), else the item itself: a page
    # anyone may open, and catch up on without a token, is watched live without one too (one answer for both)
    reads = watching_reads(spec, analysis, where.item) or catch_up_reads(spec, analysis, use_case, where) or _item_reads(analysis, where.item)
    return "public" if reads and all(u.spec.auth != "required" for u in reads) else "private"


def _item_reads(analysis: Analysis, item: str) -> list[UseCase]:
    """The reads of one watched item (its page): who may open it may watch it."""
    return [u for u in analysis.of_entity(item) if not u.is_write and u.kind == "get"]


def _pushing(spec: Spec, analysis: Analysis, use_case: UseCase, where: Route, share: float) -> list[str]:
    """The providers that push for ``use_case`` (pushes.py): unnamed ones only where some of its recipients (people) are not connected."""
    offline = sum(u.peak_qps for u in publishers(analysis, use_case)) * where.recipients * (1 - share)
    return pushes_reaching(spec, use_case.spec, where.people and offline > 0)


def _share(spec: Spec, audience: Audiences, where: Route) -> float:
    """The share of a route's recipients online: their actor's clients online over its rows (the audience model); subscribers are online."""
    found = _recipients_audience(spec, audience, where)
    return found.share if found is not None else 1.0


def _connected(spec: Spec, audience: Audiences, where: Route, share: float) -> str:
    """The recipients' share online in words, with the clients and rows its figure (``clients.online_share``) divides."""
    recipients = _recipients_audience(spec, audience, where)
    if recipients is None or recipients.share_figure() is None:
        return f"{share:.0%} of them connected"
    return f"{share:.0%} of them connected ({fmt(recipients.clients)} {recipients.actor} clients online of {fmt(recipients.registered or 0.0)} rows)"


def _recipients_audience(spec: Spec, audience: Audiences, where: Route) -> Audience | None:
    """The audience a route's recipients are (None for subscribers, all online): its share figure is the one the delivery reads."""
    if not where.people:
        return None
    if where.actor is not None:
        return audience.of(where.actor)
    found = audience.of_entity(where.scope) if where.scope else None
    if found is None and (people := people_entity(spec)) is not None:
        found = audience.of_entity(people)
    return found


def _applied(
    spec: Spec,
    analysis: Analysis,
    arch: Architecture,
    use_case: UseCase,
    where: Route,
    share: float,
    pushes: list[str],
    kind: str,
    audience: Audiences,
    implicit: dict[str, list[str]],
) -> Applied:
    deliver = use_case.spec.deliver
    assert deliver is not None
    sources = publishers(analysis, use_case)
    publishes = sum(u.peak_qps for u in sources)
    online_share_ = share
    deliveries = publishes * where.recipients * online_share_
    offline = publishes * where.recipients * (1 - online_share_)
    connections = audience.connections or audience.of(use_case.spec.actor).clients
    polls = connections / POLL_INTERVAL_S
    mode = deliver.mode
    overruled = mode == "poll" and polls > POLL_MAX_RATE
    if overruled:
        mode = "realtime"
    scope = f"use case '{use_case.name}'"
    # a push-only or polled delivery goes through no gateway: no client connected to it is counted, nor the time to reach one
    live = mode not in {"push", "poll"}
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
    )
    if live:
        figures += (
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
    if live and any(not publishes_directly(arch, u.name) for u in sources):
        # its event leaves through the outbox (or a CDC log): the relay's lag is the first part of the time to a connected client
        figures += (
            figure(
                f"realtime.lag_seconds.{use_case.id}",
                f"time from a commit to the connected recipients for {use_case.name} (the event relay, then the gateway"
                + ("; the push to recipients not connected leaves after the same relay)" if pushes else ")"),
                RELAY_S,
                "s",
                RELAY_INPUT,
                {RELAY_INPUT: RELAY_S},
                scope,
            ),
        )
    if where.spread is not None:
        # the recipients are read from the stated subscribers: the figure carries them, so the traceability table counts them used
        subscribers, rows = where.spread
        figures += (
            figure(
                f"realtime.recipients.{use_case.id}",
                f"recipients of each message for {use_case.name}",
                where.recipients,
                "recipients",
                "max(1, subscribers / scope_rows)",
                {"subscribers": subscribers, "scope_rows": rows},
                scope,
            ),
        )
    offline_text = _offline(spec, analysis, arch, use_case, pushes, offline, where, audience)
    if pushes:
        # every recipient of a push-only delivery is notified; of a live one, those not connected
        pushed, formula, inputs = (
            (publishes * where.recipients, "publishes x recipients", {"publishes": publishes, "recipients": where.recipients})
            if mode == "push"
            else (
                offline,
                "publishes x recipients x (1 - online_share)",
                {"publishes": publishes, "recipients": where.recipients, "online_share": online_share_},
            )
        )
        figures += (
            figure(
                f"realtime.push.{use_case.id}",
                f"push notifications/s for {use_case.name} at peak ({'every recipient' if mode == 'push' else 'recipients not connected'})",
                pushed,
                "notifications/s",
                formula,
                inputs,
                scope,
            ),
        )
    table = table_of(arch, use_case.entity)
    withheld = withheld_fields(table[1] if table else None, where)
    columns = [c.name for c in table[1].columns if not c.secret and c.name not in withheld] if table else ["id"]
    events = tuple(
        e.model_copy(update={"consumers": sorted({*e.consumers, *senders(spec, implicit.get(e.use_case or "", []))})}) if mode != "push" else e
        for e in _events(spec, arch, sources, where, columns if mode not in {"push", "poll"} else [])
    )
    if mode == "push":
        return _push_only(spec, use_case, where, publishes, offline + deliveries, pushes, events, figures)
    if mode == "poll":
        return _polling(spec, use_case, polls, connections, figures)
    channel = RealtimeChannel(
        name=where.name,
        address=where.address,
        parameters=[p.strip("{}") for p in where.address.split("/") if p.startswith("{")],
        transport=kind,
        entity=use_case.entity,
        events=list(dict.fromkeys(event_name(u) for u in sources)),
        fields=columns,
        withheld=withheld,
        use_cases=[use_case.name],
        publishers=[u.name for u in sources],
        recipients=f"{where.basis}: {fmt(where.recipients)} a message",
        recipients_per_message=where.recipients,
        publishes_per_s=publishes,
        deliveries_per_s=deliveries,
        offline=offline_text,
        catch_up=[u.name for u in catch_up_reads(spec, analysis, use_case, where) if u.kind == "list"],
        access=access(spec, analysis, use_case, where),
        decision=f"realtime.{use_case.id}",
    )
    large = where.recipients >= LARGE_ROOM and where.scope is not None
    named = sorted({r.field for e in events for r in e.recipients if r.many and r.parameter in channel.parameters})
    # the PUBLISH count the Redis table and the AsyncAPI channel state (ir/pubsub_publishes.py): one per channel published on
    each = f"one PUBLISH on each recipient's channel, {fmt(publishes * where.recipients)}/s" if named else f"one PUBLISH a message, {fmt(publishes)}/s"
    fanout = (
        f"a routing process per {where.scope} holds its members' sessions and forwards each message to them (one pub/sub publish per room)"
        if large
        else f"Redis pub/sub on {where.address} carries each message to the gateway nodes holding its {fmt(where.recipients)} recipient(s) ({each})"
    )
    if where.near:
        names = f", names them in its event's {' and '.join(named)}" if named else ""
        fanout = (
            f"the write picks its recipients with its proximity query (near: {where.near}){names} and the gateway publishes on each one's channel; {fanout}"
        )
    elif named:
        fanout = f"the write names the recipients in its event's {' and '.join(named)}, and the gateway publishes on each one's channel; {fanout}"
    transport_name = "WebSocket" if kind == "websocket" else "server-sent events"
    direct = [u.name for u in sources if publishes_directly(arch, u.name)]
    if direct:
        keeps = "keeps its value in memory, so its writes publish" if len(direct) == 1 else "keep their values in memory, so their writes publish"
        fanout += f"; {', '.join(repr(n) for n in direct)} {keeps} to pub/sub directly (no outbox)"
    choice = (
        f"push over the real-time gateway ({transport_name}): each {use_case.entity} that {', '.join(repr(u.name) for u in sources) or 'a write'} "
        f"commits is published as {' or '.join(channel.events)} to channel {where.address}; {fanout}; {offline_text}"
    )
    connected = _connected(spec, audience, where, online_share_)
    rationale = (
        f"{fmt(publishes)} messages/s at peak to {fmt(where.recipients)} recipient(s) each ({where.basis}), {connected}: "
        f"{fmt(deliveries)} deliveries/s, each pushed the moment it commits instead of waiting for a client to ask"
    )
    if overruled:
        rationale += f"; the spec asked to poll, but {fmt(connections)} clients asking every {POLL_INTERVAL_S:g} s make {fmt(polls)} requests/s"
    made = decision(
        f"realtime.{use_case.id}",
        f"Real-time delivery for {use_case.name}",
        "read paths",
        choice,
        f"{use_case.name}: deliver {deliver.mode}" + (f" to {deliver.to}" if deliver.to else "") + f"; {fmt(publishes)} messages/s published at peak",
        rationale,
        alternatives=[
            (
                "clients polling",
                f"{fmt(polls)} requests/s from {fmt(connections)} clients asking every {POLL_INTERVAL_S:g} s, "
                f"nearly all answering nothing new, and news up to {POLL_INTERVAL_S:g} s late",
            ),
            ("the broker fanned out to every gateway node", "each node would read every message, most for clients it does not hold"),
        ],
        consequences=f"{reconnecting(spec, analysis, arch, use_case, where)}; {guarantee(spec, analysis, arch, use_case, where)}. Channel: {where.address}.",
        subject=use_case.name,
        inputs={"publishes": publishes, "recipients": where.recipients, "online_share": online_share_, "deliveries": deliveries},
        decided_by="numbers" if overruled else "spec",
        spec=spec,
    )
    caught_up = _catch_up(spec, arch, analysis, use_case, where, channel, transport_name)
    flows = _flows(spec, analysis, arch, sources, events, implicit, where)
    return Applied(made, channels=(channel,), events=events, figures=figures, flows=flows, operations=caught_up)


#: Where the gateway's channels are described (render/files writes it).
GATEWAY_CONTRACT = "asyncapi/realtime-gateway.yaml"


def _catch_up(
    spec: Spec, arch: Architecture, analysis: Analysis, use_case: UseCase, where: Route, channel: RealtimeChannel, transport_name: str
) -> tuple[tuple[str, Operation], ...]:
    """Each catch-up read (``catch_up_reads``) says what its REST operation is: the catch-up, not the stream.

    The live stream is the gateway's (``text/event-stream`` or WebSocket frames on its channel, described by the
    AsyncAPI document beside the OpenAPI ones); the OpenAPI operation answers the same rows as JSON pages or one
    JSON item, for a first load and for what a subscriber missed while disconnected. Its description names the
    channel and the contract, so no operation paged as JSON claims by its words alone to stream (a spec's own
    description "streamed to each partner" on a paged read is kept, and followed by what the operation does).
    """
    found: list[tuple[str, Operation]] = []
    for read in catch_up_reads(spec, analysis, use_case, where):
        op_found = operation_of(arch, read.name)
        if op_found is None or op_found[1].kind not in {"list", "get"} or channel.address in op_found[1].description:
            continue
        service, op = op_found
        answers = (
            "the same items as JSON pages, for a first load and for what a subscriber missed since its last cursor"
            if op.kind == "list"
            else "the current item as JSON"
        )
        note = (
            f" Live: this operation does not stream; the real-time gateway pushes each {' or '.join(channel.events)} on channel "
            f"{channel.address} ({transport_name}, described in {GATEWAY_CONTRACT}). This operation answers {answers}."
        )
        found.append((service, op.model_copy(update={"description": op.description + note})))
    return tuple(found)


def _flows(
    spec: Spec, analysis: Analysis, arch: Architecture, sources: list[UseCase], events: tuple[Event, ...], implicit: dict[str, list[str]], where: Route
) -> tuple[Flow, ...]:
    """Each publishing write's flow gains the step that takes its event to the gateway; a local write becomes event-driven.

    ``implicit``: per write, the push providers no use case names that reach its recipients not connected (steps after the
    gateway's, from the same outbox).

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
        description = (
            f"{name} via the outbox: deliver to connected recipients"
            if via == "outbox"
            else f"{name} via Redis pub/sub, published by the write path (no outbox)"
        )
        step = FlowStep(source=producer, target=GATEWAY, kind="event", description=description, via="pubsub" if via == "pubsub" else "outbox")
        pushes = [
            FlowStep(source=producer, target=p, kind="event", description=f"{name} via the outbox: push notification to recipients not connected")
            for p in senders(spec, implicit.get(flow.use_case, []) if via == "outbox" else [])
            if not any(s.target == p for s in flow.steps)
        ]
        # an audience chosen per message: the write's flow draws the query choosing it (its proximity search)
        choosing = choosing_step(spec, analysis, arch, sources[0], flow.steps[0].target, where.recipients) if where.near and len(sources) == 1 else None
        picks = [choosing] if choosing is not None and not any(s.description == choosing.description for s in flow.steps) else []
        update: dict[str, object] = {"steps": [*flow.steps, *picks, step, *pushes]}
        if flow.style == "local":
            how = "through the real-time gateway" if via == "outbox" else "through Redis pub/sub and the real-time gateway"
            update |= {"style": "event", "rationale": f"{flow.rationale}; {name} is pushed to connected clients {how}"}
        new = flow.model_copy(update=update)
        if picks and picks[0].target in {s.name for s in arch.services} - {flow.steps[0].target}:
            # a search in another service is a synchronous hop: its timeout, the flow's depth, latency and availability count it
            new = plan_flow(spec, sources[0], new, in_process=one_deployable(arch))
        changed.append(new)
    return tuple(changed)


def _offline(
    spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, pushes: list[str], offline: float, where: Route, audience: Audiences
) -> str:
    """What a recipient without a connection gets: a push through the use case's providers (each its share), sent by the push
    sender to the recipients it finds offline in Redis (``offline_rule``), or the catch-up read on reconnect."""
    if where.people and pushes and offline:
        split = shares(spec, pushes)
        parts = f": {', '.join(f'{p} {fmt(offline * split[p])}/s' for p in pushes)}" if len(pushes) > 1 else ""
        finder = offline_finder(spec, recipient_entity(spec, audience, where), senders(spec, pushes)[0])
        return f"recipients not connected get a push notification through {', '.join(pushes)} ({fmt(offline)}/s at peak{parts}): {finder}"
    return offline_fetch(spec, analysis, arch, use_case, where)


def recipient_entity(spec: Spec, audience: Audiences, where: Route) -> str | None:
    """The entity a route's recipients are rows of (the driver offered a ride, a chat's member users); None for subscribers."""
    found = _recipients_audience(spec, audience, where)
    return found.entity if found is not None else None


def _events(spec: Spec, arch: Architecture, sources: list[UseCase], where: Route, pushed: list[str]) -> tuple[Event, ...]:
    """Each publishing write's event, consumed by the gateway; a write without one gets it (keyed by the channel's scope).

    ``pushed``: the columns the channel's message carries; the event carries them too, so the gateway forwards the
    event as it is (one message, one payload) instead of reading the row back.

    A latest value kept in memory (PAT020) has no database transaction to attach an outbox to: the write path
    publishes it to Redis pub/sub itself, so it gets no domain event here.
    """
    found: dict[str, Event] = {}
    for source in sources:
        if publishes_directly(arch, source.name):
            continue
        name = event_name(source)
        # the ids the gateway routes by travel in the payload, and the key is a column the write produces (routing_fields)
        key, recipients = route_fields(spec, arch, source.entity, where)
        routed = [recipients] if recipients is not None else []
        existing = found.get(name) or next((e for e in arch.events if e.use_case == source.name or e.name == name), None)
        if existing is not None:
            fields = [*source.written_columns, *pushed]
            joined = with_recipients(existing.model_copy(update={"consumers": sorted({*existing.consumers, GATEWAY})}), routed)
            found[existing.name] = with_fields(joined, fields)
            continue
        fields = list(dict.fromkeys(["id", *([key] if key != "id" else []), *written_row(arch, source), *pushed]))
        found[name] = Event(
            name=name,
            producer=owner_of(arch, source.entity),
            consumers=[GATEWAY],
            entity=source.entity,
            key=key if key != "id" else f"{snake(source.entity)}_id",
            use_case=source.name,
            fields=fields,
            recipients=routed,
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
    # the push sender calls the providers (design/deliverers.py): it is the event's consumer, not the providers
    consumers = senders(spec, pushes) or ["notifications"]
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


__all__ = ["GATEWAY", "Route", "access", "publishers", "realtime_delivery", "recipient_entity", "route", "transport"]
