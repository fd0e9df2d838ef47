"""PAT022, PAT023, PAT029: presence from heartbeats, deliveries routed to channels, and the gateway sized by connections."""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.online import online
from backend_architect.design.patterns.realtime import route
from design.helpers import design_of, spec_of

CHAT = """\
system: chat
scale: {{rates: peak{scale}}}
external: {{fcm: {{kind: push}}}}
entities:
  User:
    fields: {{handle: string(32), last_seen_at: datetime?}}
    rows: 1M
    {presence}
  Room: {{fields: {{title: string(80)}}, rows: 10k}}
  Member:
    part_of: Room
    fields: {{user: ref(User), role: enum[member,admin]}}
    avg_per_parent: 40
  Message:
    part_of: Room
    fields: {{sender: ref(User), body: text}}
  Note:
    fields: {{author: ref(User), recipient: ref(User), body: text}}
  Score: {{fields: {{owner: ref(User), points: int}}}}
use_cases:
  - {{name: send message, writes: [Message], deliver: {deliver}, rate: 100/s}}
  - {{name: send note, writes: [Note], deliver: realtime, rate: 10/s}}
  - {{name: watch score, kind: get, reads: [Score], deliver: realtime}}
  - {{name: list room messages, reads: [Message], filter: [room], sort: [-created_at], rate: 5/s}}
  - {{name: heartbeat, writes: [User.last_seen_at]}}
{extra}
"""


def _chat(scale: str = "", deliver: str = "realtime", presence: str = "", extra: str = "") -> str:
    return CHAT.format(scale=scale, deliver=deliver, presence=presence, extra=extra)


@pytest.mark.parametrize(
    ("use_case", "address", "recipients"),
    [
        pytest.param("send message", "rooms/{room_id}/messages", 40.0, id="a-room-and-its-members"),
        pytest.param("send note", "users/{user_id}/notes", 1.0, id="a-recipient-reference"),
        pytest.param("watch score", "scores/{score_id}", 1.0, id="a-read-subscribes-to-its-item"),
    ],
)
def test_delivery_routes_to_the_channel_of_its_recipients_ok(use_case: str, address: str, recipients: float) -> None:
    """A write goes to its room's members (a link to people), or to the person a reference names; a read subscribes to what it reads."""
    spec = spec_of(_chat())
    analysis = analyse(spec)
    found = route(spec, analysis, next(u for u in analysis.use_cases if u.name == use_case))
    assert (found.address, found.recipients) == (address, recipients)


@pytest.mark.parametrize(
    ("scale", "connections"),
    [
        pytest.param(", concurrent_connections: 70k, concurrent_users: 50k, daily_active: 1M", 70_000, id="stated-connections"),
        pytest.param(", concurrent_users: 50k, daily_active: 1M", 50_000, id="concurrent-users"),
        pytest.param(", daily_active: 1M", 200_000, id="a-share-of-daily-actives"),
        pytest.param(", users: 1M", 40_000, id="a-share-of-users"),
        pytest.param("", 10_000, id="default"),
    ],
)
def test_connections_come_from_the_most_direct_figure_ok(scale: str, connections: float) -> None:
    """Connections are stated, else concurrent users, else 20% of daily actives (of 20% of users), else a default; only derived ones are assumptions."""
    stated = online(spec_of(_chat(scale=scale)))
    assert stated.connections == pytest.approx(connections)
    assert (stated.assumption is None) is ("concurrent" in scale)


@pytest.mark.parametrize(
    ("connections", "nodes"),
    [pytest.param("150k", 2, id="minimum-two"), pytest.param("200k", 2, id="at-two-nodes"), pytest.param("200001", 3, id="just-above")],
)
def test_gateway_is_its_own_deployable_sized_by_connections_ok(connections: str, nodes: int) -> None:
    """max(2, ceil(connections / 100,000)) WebSocket nodes; the decision says why not polling; events reach the gateway."""
    arch = design_of(_chat(scale=f", concurrent_connections: {connections}"))
    gateway = next(c for c in arch.components if c.kind == "realtime-gateway")
    assert gateway.instances == nodes
    made = next(d for d in arch.decisions if d.id == "realtime.gateway")
    assert "WebSocket gateway as its own deployable" in made.choice
    assert "poll" not in made.choice
    assert any(a.name == "polling" for a in made.alternatives)
    assert any(e.use_case == "send message" and "realtime-gateway" in e.consumers for e in arch.events)


@pytest.mark.parametrize(
    ("connections", "mode"),
    [pytest.param("4999", "Polling", id="just-below"), pytest.param("5000", "Polling", id="at"), pytest.param("5001", "Real-time", id="just-above")],
)
def test_polling_is_kept_only_under_1000_requests_a_second_ok(connections: str, mode: str) -> None:
    """deliver: poll is honoured while connections / 5 s stays at most 1,000 requests/s; above, a push channel is chosen."""
    arch = design_of(_chat(scale=f", concurrent_connections: {connections}", deliver="poll"))
    made = next(d for d in arch.decisions if d.id == "realtime.send-message")
    assert made.title.startswith(mode)


def test_offline_recipients_get_push_notifications_ok() -> None:
    """People not connected are reached through the spec's push provider, with the rate of notifications."""
    arch = design_of(_chat(scale=", concurrent_connections: 100k"))
    channel = next(c for c in arch.channels if c.address == "rooms/{room_id}/messages")
    assert channel.offline.startswith("recipients not connected get a push notification through fcm")
    push = next(f for f in arch.figures if f.key == "realtime.push.send-message")
    assert push.value == pytest.approx(100 * 40 * 0.9)


def test_read_streams_only_get_server_sent_events_ok() -> None:
    """When every delivery is a read stream and nothing else talks on the connection, the gateway serves SSE."""
    spec = """\
    system: ticker
    entities: {Quote: {fields: {symbol: string(8), price: int}}}
    use_cases:
      - {name: publish quote, writes: [Quote], rate: 50/s}
      - {name: stream quotes, kind: list, reads: [Quote], deliver: realtime}
    """
    arch = design_of(spec)
    assert {c.transport for c in arch.channels} == {"sse"}
    assert "server-sent events" in next(d for d in arch.decisions if d.id == "realtime.gateway").choice


@pytest.mark.parametrize(("offline_after", "beats"), [pytest.param("30s", 10_000 / 10, id="30s"), pytest.param("90s", 10_000 / 30, id="90s")])
def test_presence_heartbeats_refresh_a_key_with_a_ttl_ok(offline_after: str, beats: float) -> None:
    """Heartbeats every offline_after / 3 set a Redis key with that TTL; a heartbeat use case refreshes it without If-Match."""
    arch = design_of(_chat(scale=", concurrent_connections: 10k", presence=f"presence: {{offline_after: {offline_after}}}"))
    made = next(d for d in arch.decisions if d.id == "presence.user")
    assert f"EX {offline_after.removesuffix('s')}" in made.choice
    assert "heartbeat" in made.choice
    assert next(f.value for f in arch.figures if f.key == "presence.heartbeats.user") == pytest.approx(beats)
    op = next(o for a in arch.apis for o in a.operations if "heartbeat" in o.use_cases)
    assert not op.conditional


def test_presence_without_a_live_connection_gets_a_heartbeat_endpoint_ok() -> None:
    """With no real-time connection and no heartbeat use case, clients beat on PUT .../presence."""
    spec = """\
    system: devices
    entities: {Device: {fields: {serial: string(40)}, presence: true, rows: 1k}}
    use_cases: [{name: list devices, reads: [Device], page: cursor, rate: 1/s}]
    """
    arch = design_of(spec)
    op = next(o for a in arch.apis for o in a.operations if o.path.endswith("/presence"))
    assert (op.method, op.success_status) == ("put", 204)
