"""Each message the real-time gateway pushes is said to reach it by its own route, and a delivery counts only the clients its
channel reaches (issue 22, class h4: events and real-time paths told one way)."""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import Architecture
from backend_architect.ir.query import delivery_routes
from backend_architect.render.asyncapi_realtime import render_realtime_asyncapi
from backend_architect.render.markdown import render_markdown

GATEWAY = "realtime-gateway"

#: A rider's trip requests leave through the outbox and the broker; the drivers' positions, kept in Redis, are published by
#: their write path straight to pub/sub: two routes into one gateway.
MIXED = """
system: rides
scale: {daily_active: 10M}
entities:
  Rider:
    fields: {name: string(100)}
  Driver:
    fields:
      name: string(100)
      location: geo?
    rows: 1M
  Trip:
    fields:
      rider: ref(Rider)
      driver: ref(Driver)
      status: enum[requested,accepted,done]
use_cases:
  - name: request trip
    actor: rider
    writes: [Trip]
    rate: 10M/day
    deliver: realtime
  - name: update location
    actor: driver
    writes: [Driver.location]
    latest: true
    rate: 500M/day
  - name: watch driver
    actor: rider
    kind: get
    reads: [Driver.location]
    deliver: realtime
"""

#: Every pushed message is a committed row's event: one route, through the outbox and the broker.
RELAYED = """
system: chatty
scale: {daily_active: 1M}
entities:
  User:
    fields: {name: string(100)}
  Room:
    fields: {title: string(100)}
  Post:
    part_of: Room
    fields:
      author: ref(User)
      body: text
use_cases:
  - name: create room
    actor: user
    writes: [Room]
  - name: post message
    actor: user
    writes: [Post]
    rate: 50M/day
    deliver: realtime
  - name: list posts
    actor: user
    kind: list
    reads: [Post]
"""

#: Only a value kept in memory is pushed: its write path publishes it, no relay and no broker on its way.
DIRECT = """
system: fleet
scale: {daily_active: 2M}
entities:
  Courier:
    fields:
      name: string(100)
      position: geo?
    rows: 500K
use_cases:
  - name: report position
    actor: courier
    writes: [Courier.position]
    latest: true
    rate: 800M/day
  - name: follow courier
    actor: customer
    kind: get
    reads: [Courier.position]
    deliver: realtime
"""


def _via(arch: Architecture) -> dict[str, str]:
    """Each message the gateway takes, with how its flow sends it there (the step the sequence diagrams draw)."""
    return {s.description.split(" via ")[0]: s.via for f in arch.flows for s in f.steps if s.kind == "event" and s.target == GATEWAY}


@pytest.mark.parametrize(("text", "routes"), [pytest.param(MIXED, 2, id="mixed"), pytest.param(RELAYED, 1, id="relayed"), pytest.param(DIRECT, 1, id="direct")])
def test_each_pushed_message_is_told_its_own_route_ok(text: str, routes: int) -> None:
    """Every message the gateway pushes is named with the route its flow takes, and "each event" is said only of one route."""
    arch = design_of(text)
    via = _via(arch)
    said = delivery_routes(arch, GATEWAY)
    assert len(said) == routes
    told: dict[str, str] = {}
    for events, note in said:
        for name in via if events == "each event" else events.split(", "):
            told[name] = note
    assert set(told) == set(via)
    for name, how in via.items():
        # a write kept in memory publishes itself: no outbox, no broker; a committed row's event comes from the broker
        assert ("(no outbox, no broker)" in told[name]) == (how == "pubsub"), (name, how, told[name])
        assert ("from broker" in told[name]) == (how == "outbox"), (name, how, told[name])


@pytest.mark.parametrize("text", [pytest.param(MIXED, id="mixed"), pytest.param(RELAYED, id="relayed"), pytest.param(DIRECT, id="direct")])
def test_gateway_documents_say_the_routes_ok(text: str) -> None:
    """The gateway's AsyncAPI document and the design's components table say every route, and no other."""
    arch = design_of(text)
    tables = {t.entity: t for d in arch.datastores for t in d.tables if t.entity}
    document = render_realtime_asyncapi(arch, tables)
    assert document is not None
    info = document["info"]["description"]
    markdown = render_markdown(arch, [])
    for _, note in delivery_routes(arch, GATEWAY):
        assert note in info
        assert note in markdown
    if len(delivery_routes(arch, GATEWAY)) > 1:
        assert "Each event:" not in info
        assert "each event:" not in markdown


#: Drivers are told of a trip by push alone; riders watch their driver live.
PUSHED_TO_DRIVERS = """
system: cabs
scale: {daily_active: 10M}
external:
  fcm: {kind: push}
entities:
  Rider:
    fields: {name: string(100)}
  Driver:
    fields:
      name: string(100)
      location: geo?
    rows: 1M
  Trip:
    fields:
      rider: ref(Rider)
      driver: ref(Driver)
use_cases:
  - name: request ride
    actor: rider
    writes: [Trip]
    rate: 10M/day
    deliver: {mode: push, to: Trip.driver}
  - name: move driver
    actor: driver
    writes: [Driver.location]
    rate: 50M/day
  - name: track driver
    actor: rider
    kind: get
    reads: [Driver.location]
    deliver: realtime
"""

#: A like is a notification and nothing else; there is no live channel at all.
PUSH_ONLY = """
system: pics
scale: {daily_active: 5M}
external:
  apns: {kind: push}
entities:
  User:
    fields: {name: string(100)}
  Photo:
    fields:
      owner: ref(User)
      caption: string(200)
  Like:
    fields:
      photo: ref(Photo)
      user: ref(User)
use_cases:
  - name: post photo
    actor: user
    writes: [Photo]
  - name: like photo
    actor: user
    writes: [Like]
    rate: 100M/day
    deliver: {mode: push, to: Photo.owner}
"""

#: Messages go live to a room; an invitation is a push notification.
LIVE_AND_PUSHED = """
system: rooms
scale: {daily_active: 3M}
external:
  fcm: {kind: push}
entities:
  User:
    fields: {name: string(100)}
  Room:
    fields: {title: string(100)}
  Invite:
    fields:
      room: ref(Room)
      invitee: ref(User)
  Line:
    part_of: Room
    fields:
      author: ref(User)
      body: text
use_cases:
  - name: open room
    actor: user
    writes: [Room]
  - name: invite
    actor: user
    writes: [Invite]
    rate: 1M/day
    deliver: {mode: push, to: Invite.invitee}
  - name: say
    actor: user
    writes: [Line]
    rate: 20M/day
    deliver: realtime
"""


@pytest.mark.parametrize(
    ("text", "push_only"),
    [
        # a gateway runs for the live deliveries: the pushed one reaches its connected recipients there too (gateway_routes.py)
        pytest.param(PUSHED_TO_DRIVERS, [], id="pushed-to-drivers"),
        pytest.param(PUSH_ONLY, ["like photo"], id="push-only"),
        pytest.param(LIVE_AND_PUSHED, [], id="live-and-pushed"),
    ],
)
def test_deliveries_count_only_connected_recipients_err(text: str, push_only: list[str]) -> None:
    """A use case whose recipients are reached by push alone (no gateway runs) has no deliveries to connected clients, nor a
    time to reach them; one delivered live, pushed to its recipients not connected or not, has both."""
    arch = design_of(text)
    pushed = [d.subject for d in arch.decisions if d.title.startswith("Push notifications for ")]
    live = [u for c in arch.channels for u in c.use_cases]
    assert pushed == push_only
    assert live or pushed, "the table must hold a delivery"
    for use_case in pushed:
        said = [f for f in arch.figures if f.key.startswith(("realtime.deliveries.", "realtime.lag_seconds.")) and f"'{use_case}'" in f.scope]
        assert not said, [f.key for f in said]
        assert any(f.key.startswith("realtime.push.") and f"'{use_case}'" in f.scope for f in arch.figures)
    for use_case in live:
        assert any(f.key.startswith("realtime.deliveries.") and f"'{use_case}'" in f.scope for f in arch.figures)
