"""PAT029: the real-time gateway every channel runs on: its own deployable, sized by the connections it holds."""

from __future__ import annotations

import math
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.audience import audiences
from backend_architect.design.online import people_entity
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, figure, fmt, owner_of, redis_shards, size, table_of
from backend_architect.design.patterns.realtime import GATEWAY, POLL_INTERVAL_S
from backend_architect.ir.delivery_guarantee import drain_resume, resumes
from backend_architect.ir.gateway_limits import CONNECTIONS_PER_NODE as CONNECTIONS_PER_NODE
from backend_architect.ir.gateway_limits import MIN_NODES as MIN_NODES
from backend_architect.ir.model import Architecture
from backend_architect.ir.payloads import event_payload_bytes, pushed_event, row_payload_bytes
from backend_architect.ir.pubsub_publishes import per_recipient, pubsub_publishes
from backend_architect.ir.runtime import Component, RealtimeChannel
from backend_architect.spec.model import Spec

#: Memory per open connection: kernel socket buffers and the session's subscriptions and outbound queue.
CONNECTION_BYTES = 20_000
#: Messages one node pushes a second: an event-loop server writes a few hundred thousand small frames a second; we plan at
#: 100k so a failed peer's share fits.
DELIVERIES_PER_NODE = 100_000
#: Bytes a second one node sends: 40% of a 10 Gbit/s network interface, leaving room for bursts and a failed peer's share.
EGRESS_BYTES_PER_NODE = 500_000_000
#: Framing of one message (WebSocket frame header or SSE field lines, channel, event name, cursor) around the event's payload.
MESSAGE_OVERHEAD_BYTES = 64
#: Messages a connection may have queued before the gateway drops it as a slow consumer (it reconnects and catches up).
OUTBOUND_QUEUE = 256


@pattern(code="PAT029", name="realtime-gateway", stage="access_paths", title="Run real-time connections on a gateway of their own")
def realtime_gateway(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    The design has real-time channels (PAT023). Connections at peak are the connected actors'
    clients online (the audience model: ``scale.concurrent_connections`` shared between them,
    else their daily actives x 20%, an assumption the design lists).

    ## What it adds
    A gateway deployable of its own (WebSocket, or server-sent events when every channel is a
    read stream), ``max(2, ceil(connections / 100,000), ceil(deliveries/s / 100,000),
    ceil(egress / 500 MB/s))`` nodes behind an L4 load balancer; a
    connection registry (person -> node) and pub/sub in Redis; one AsyncAPI document
    (``asyncapi/realtime-gateway.yaml``) describing every channel. A client connects once:
    anonymously for the public channels (the reads they mirror need no login: visitors
    watching a question), with its access token for the private ones (its own messages).

    ## What it costs
    Memory = connections x 20 KB; egress = deliveries x (the event's payload bytes, as the events table
    states them, + 64 B of framing); Redis PUBLISH commands/s = one per channel a message is published on
    (each recipient's when the write names them); pub/sub messages/s = the channels' deliveries at most.

    ## Alternatives
    Polling (connections / 5 s requests, most empty); long polling; connections held by the
    API services (every deploy drops them); a managed service (priced per connection-minute).

    ## References
    RFC 6455 (WebSocket); Stack Overflow, "The Architecture - 2016 Edition" (socket servers of
    their own); Discord engineering (2017).
    """
    if not arch.channels:
        return
    audience = audiences(spec, analysis)
    connections = audience.connections
    deliveries = sum(c.deliveries_per_s for c in arch.channels)
    carried = {c.name: carried_bytes(arch, c) for c in arch.channels}
    egress = sum(c.deliveries_per_s * (carried[c.name] + MESSAGE_OVERHEAD_BYTES) for c in arch.channels)
    nodes = max(
        MIN_NODES,
        math.ceil(connections / CONNECTIONS_PER_NODE),
        math.ceil(deliveries / DELIVERIES_PER_NODE),
        math.ceil(egress / EGRESS_BYTES_PER_NODE),
    )
    memory = connections * CONNECTION_BYTES
    websocket = any(c.transport == "websocket" for c in arch.channels)
    # a publish reaches each node holding one of its subscribers: at most the deliveries, at most every node
    # one PUBLISH per channel a message is published on: each recipient's when the write names them (ir/pubsub_publishes.py)
    published = {c.name: pubsub_publishes(arch, c) for c in arch.channels}
    pubsub = sum(min(c.deliveries_per_s, published[c.name] * nodes) for c in arch.channels)
    publishes = sum(published.values())
    redis_nodes = redis_shards(0.0, publishes + pubsub)
    people = people_entity(spec) or "client"
    # the registry holds every connected audience's clients (customers and the drivers offered rides), not only the people's
    kinds = list(dict.fromkeys(a.entity or a.actor for a in audience.connected)) or [people]
    held = f"{', '.join(kinds[:-1])} and {kinds[-1]}" if len(kinds) > 1 else kinds[0]
    name = "WebSocket" if websocket else "server-sent events (SSE)"
    choice = (
        f"a {name} gateway as its own deployable: {nodes} nodes for {fmt(connections)} connections at peak ({CONNECTIONS_PER_NODE:,} a node); "
        f"{connecting(arch, people)}; events reach the nodes holding subscribers through Redis pub/sub, and a connection registry in Redis "
        f"maps each {'connection' if all(c.access == 'public' for c in arch.channels) else held} to its node"
    )
    rationale = (
        f"{fmt(connections)} connections x {CONNECTION_BYTES // 1000} KB = {size(memory)} held open, {fmt(deliveries)} deliveries/s at peak "
        f"({size(egress)}/s sent: {_per_message(arch)}); "
        f"nodes = the most of connections / {CONNECTIONS_PER_NODE:,}, deliveries / {DELIVERIES_PER_NODE:,} a second "
        f"and egress / {size(EGRESS_BYTES_PER_NODE)}/s; "
        "a separate deployable scales by connections while the services scale by requests, and their frequent deploys do not drop sockets"
    )
    alternatives = [
        (
            "polling",
            f"{fmt(connections / POLL_INTERVAL_S)} requests/s from {fmt(connections)} clients asking every {POLL_INTERVAL_S:g} s, "
            f"nearly all empty, and up to {POLL_INTERVAL_S:g} s late",
        ),
        ("long polling", "a held request per client and a new one after every message: the same connections with more overhead"),
        ("connections held by the API services", "every deploy of a service would drop its sockets; services would scale by connections"),
        (
            "a managed service (API Gateway WebSockets, Pusher, Ably)",
            f"priced per connection-minute and message: {fmt(connections)} connections all day; an option when the team should not run a fleet",
        ),
    ]
    if websocket:
        alternatives.append(("server-sent events", f"one-way: clients here also send on the connection ({client_sends(spec, arch)})"))
    else:
        alternatives.append(("WebSocket", "two-way, but every channel here is a read stream; SSE reconnects and resumes (Last-Event-ID) by itself"))
    consequences = (
        f"A deploy drains a node: its clients reconnect with jittered backoff to another node, then {drain_resume(resumes(arch))}. A connection with "
        f"{OUTBOUND_QUEUE} messages queued is dropped as a slow consumer. "
        + (
            "Tokens are checked at connect and when they expire."
            if any(c.access == "private" for c in arch.channels)
            else "Connections are anonymous: each client address is rate limited at connect and per subscription."
        )
    )
    made = decision(
        "realtime.gateway",
        "Real-time gateway",
        "topology",
        choice,
        f"{len(arch.channels)} channel(s); {fmt(connections)} connections at peak ("
        + ", ".join(f"{a.actor} {fmt(a.connections)}" for a in audience.connected)
        + ")",
        rationale,
        alternatives=alternatives,
        consequences=consequences,
        subject="system",
        inputs={"connections": connections, "nodes": float(nodes), "deliveries": deliveries, "egress_bytes_per_s": egress},
        spec=spec,
    )
    services = sorted({owner_of(arch, c.entity) for c in arch.channels})
    use_cases = [u for c in arch.channels for u in c.use_cases]
    components = (
        Component(
            name=GATEWAY,
            kind="realtime-gateway",
            technology=f"{name} gateway (event-loop servers behind an L4 load balancer)",
            purpose=f"holds client connections and pushes {', '.join(dict.fromkeys(e for c in arch.channels for e in c.events))}",
            services=services,
            # events reach the node holding each subscriber through Redis pub/sub, never from the relay to every node
            pubsub="redis",
            use_cases=use_cases,
            instances=nodes,
            memory_bytes=memory,
            decision=made.id,
        ),
        Component(
            name="redis",
            kind="cache",
            technology=named(spec, "redis"),
            purpose="pub/sub between gateway nodes and the connection registry",
            services=services,
            parts=[GATEWAY],
            use_cases=use_cases,
            instances=redis_nodes,
            decision=made.id,
            # a PUBLISH is one operation, and Redis writes it out once to each node subscribed to its channel
            operations={"pubsub_publishes": publishes, "pubsub_node_deliveries": pubsub},
        ),
    )
    figures = (
        audience.connections_figure(),
        *(a.figure() for a in audience.connected),
        figure(
            "realtime.egress_bytes",
            "bytes/s the real-time gateway sends at peak",
            egress,
            "bytes/s",
            "sum over channels of deliveries x (payload_bytes + framing_bytes)",
            {
                **{f"deliveries_{c.name}": c.deliveries_per_s for c in arch.channels},
                **{f"payload_bytes_{c.name}": carried[c.name] for c in arch.channels},
                "framing_bytes": MESSAGE_OVERHEAD_BYTES,
            },
        ),
        figure(
            "instances.realtime-gateway",
            "real-time gateway nodes",
            nodes,
            "instances",
            "max(min_nodes, ceil(connections / connections_per_node), ceil(deliveries / deliveries_per_node), ceil(egress / egress_per_node))",
            {
                "connections": connections,
                "connections_per_node": CONNECTIONS_PER_NODE,
                "deliveries": deliveries,
                "deliveries_per_node": DELIVERIES_PER_NODE,
                "egress": egress,
                "egress_per_node": EGRESS_BYTES_PER_NODE,
                "min_nodes": MIN_NODES,
            },
        ),
        figure(
            "realtime.gateway_bytes",
            "memory of the open connections",
            memory,
            "bytes",
            "connections x connection_bytes",
            {"connections": connections, "connection_bytes": CONNECTION_BYTES},
        ),
        figure(
            "realtime.pubsub_publishes",
            "PUBLISH commands/s on the gateway's pub/sub at peak (one per channel a message is published on)",
            publishes,
            "publishes/s",
            "sum over channels of messages x (recipients per message when the write names each recipient's channel, else 1)",
            {
                **{f"messages_{c.name}": c.publishes_per_s for c in arch.channels},
                **{f"recipients_{c.name}": c.recipients_per_message for c in arch.channels if per_recipient(arch, c)},
            },
        ),
        figure(
            "realtime.pubsub",
            "pub/sub messages/s between gateway nodes at peak",
            pubsub,
            "messages/s",
            "sum over channels of min(deliveries, publishes x nodes)",
            {
                "nodes": float(nodes),
                **{f"deliveries_{c.name}": c.deliveries_per_s for c in arch.channels},
                **{f"publishes_{c.name}": published[c.name] for c in arch.channels},
            },
        ),
    )
    yield Applied(made, components=components, figures=figures, assumptions=tuple(a.assumption for a in audience.connected if a.assumption))


def client_sends(spec: Spec, arch: Architecture) -> str:
    """What clients send on the gateway's connection, from the design as built: subscriptions to the channels (the AsyncAPI
    document's subscribe step), the access token where public and private channels share one connection, heartbeats where an
    entity's presence is kept; never writes, which are HTTP operations of the services.

    >>> client_sends(Spec.model_validate({"system": "s", "entities": {"A": {"fields": {"n": "string"}}}}), Architecture(system="s"))
    'subscriptions to 0 channel(s) as pages open and close; every write is an HTTP operation, not a message on the connection'
    """
    sends = [f"subscriptions to {len(arch.channels)} channel(s) as pages open and close"]
    if any(c.access == "public" for c in arch.channels) and any(c.access == "private" for c in arch.channels):
        sends.append("the access token before subscribing to the private channels")
    if any(e.presence is not None for e in spec.entities.values()):
        sends.append("heartbeats that keep presence current")
    return "; ".join(sends) + "; every write is an HTTP operation, not a message on the connection"


def connecting(arch: Architecture, people: str) -> str:
    """How a client connects and subscribes, from the channels' access: the ADR, the AsyncAPI document and the scaffold agree.

    Public channels (the reads they mirror need no login) take anonymous connections; private ones need the access token.
    """
    public = [c.address for c in arch.channels if c.access == "public"]
    private = [c.address for c in arch.channels if c.access == "private"]
    if not public:
        return f"a client opens one connection, authenticates with its access token and subscribes to its channels ({', '.join(private)})"
    anonymous = f"a client opens one connection and subscribes to the public channels ({', '.join(public)}) anonymously, no token needed"
    if not private:
        return anonymous + " (the reads they mirror need no login)"
    return f"{anonymous}; a signed-in {people} sends its access token on the same connection before subscribing to its private channels ({', '.join(private)})"


def carried_bytes(arch: Architecture, channel: RealtimeChannel) -> float:
    """Bytes of the payload one message on ``channel`` carries, the framing left out: the event's payload as every document
    states it (``ir.payloads``: envelope, key and fields, the figure of the events table and the hand-off; the largest where
    several travel on the channel); a value the write path publishes to pub/sub itself carries its row.

    One figure per quantity: the egress names this payload and the framing apart, so no reader takes the message for the
    event's fields alone or the payload for the whole frame."""
    events = {e.name: e for e in arch.events}
    found = table_of(arch, channel.entity)
    # a message no event carries is the row as the gateway's contract writes it (JSON text, envelope included), not its bytes on disk
    row = row_payload_bytes(channel.fields, channel.withheld, found[1] if found else None)
    # the message as the channel pushes it: personal fields its recipients may not see are left out (pushed_personal_data)
    payloads = [event_payload_bytes(arch, pushed_event(events[name], channel.withheld)) if name in events else row for name in channel.events]
    return float(max(payloads, default=row))


def _per_message(arch: Architecture) -> str:
    """Each channel's message as its two named parts: the payload (whose figure the events table states) and the framing."""
    said = []
    for c in arch.channels:
        carried = carried_bytes(arch, c)
        what = f"the {' / '.join(c.events)} payload" if c.events else f"the {c.entity} row"
        said.append(f"channel {c.address}: {fmt(carried)} B ({what}, envelope included) + {MESSAGE_OVERHEAD_BYTES} B of framing a message")
    return "; ".join(said)
