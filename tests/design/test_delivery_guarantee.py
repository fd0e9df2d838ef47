"""Each real-time path states one guarantee end to end, and the pub/sub hop into the gateway honours it.

Redis pub/sub keeps nothing, so a path through it is at most once live and complete only where a catch-up read pages
what was missed. A table of specs of different shapes: a forum's thread posts with a list read (complete on catch-up),
jobs offered to nearby couriers with no read of them (a dropped push is lost), a scoreboard kept as a latest value
(superseded by the next), and a shop whose order updates have a list read while its stock counts are a latest value (the
gateway's drain names each channel by what it gives back). Then specs stating their connections with an actor that
holds none (guests, customers, visitors): that actor's clients online are an estimate named as its clients, never a
second number of connections.
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.delivery_guarantee import PUBSUB_HOP

FORUM = """
system: forum
scale: {daily_active: 800k}
entities:
  Member: {fields: {handle: {type: string(40), unique: true}}, rows: 4M}
  Thread: {fields: {title: string(200), starter: ref(Member)}, rows: 2M}
  Post: {part_of: Thread, append_only: true, fields: {author: ref(Member), body: string(4000)}, growth: 3M/day}
use_cases:
  - {name: start thread, actor: member, writes: [Thread], rate: 200k/day}
  - {name: reply to thread, actor: member, writes: [Post], rate: 3M/day, deliver: realtime}
  - {name: read thread posts, actor: member, reads: [Post], filter: [thread], sort: [created_at], rate: 40M/day}
"""

COURIERS = """
system: couriers
scale: {daily_active: 150k}
entities:
  Shop: {fields: {name: string(80)}, rows: 20k}
  Courier: {fields: {name: {type: string(80), pii: true}, position: geo}, rows: 60k}
  Job: {fields: {shop: ref(Shop), courier: ref(Courier)?, state: "enum[open, taken, done]"}}
use_cases:
  - {name: report position, actor: courier, kind: update, latest: true, writes: [Courier.position], rate: 8k/s, every: 5s}
  - {name: post job, actor: shop, writes: [Job], rate: 300k/day, near: Courier.position, radius: 2km, avg_fanout: 4, deliver: {mode: realtime, to: courier}}
  - {name: view job, actor: shop, kind: get, reads: [Job], rate: 900k/day}
"""

SCORES = """
system: scores
scale: {daily_active: 2M}
entities:
  Fan: {fields: {name: {type: string(60), pii: true}}, rows: 10M}
  Match: {fields: {home: string(60), away: string(60)}, rows: 30k}
  Score: {part_of: Match, fields: {home_goals: int, away_goals: int}}
use_cases:
  - {name: schedule match, actor: admin, writes: [Match, Score], rate: 1k/day}
  - {name: update score, actor: admin, kind: update, latest: true, writes: [Score.home_goals, Score.away_goals], rate: 50/s, deliver: realtime}
"""

SHOP = """
system: shop
scale: {daily_active: 500k}
entities:
  Buyer: {fields: {email: {type: email, unique: true, pii: true}}, rows: 3M}
  Order: {fields: {buyer: ref(Buyer), total: decimal(10,2), state: "enum[paid, shipped, delivered]"}, growth: 400k/day}
  Product: {fields: {sku: {type: string(40), unique: true}, stock: int}, rows: 200k}
use_cases:
  - {name: place order, actor: buyer, writes: [Order], rate: 400k/day}
  - {name: ship order, actor: system, kind: update, writes: [Order.state], rate: 400k/day, deliver: {mode: realtime, to: Order.buyer}}
  - {name: list my orders, actor: buyer, owner_only: true, reads: [Order], filter: [buyer], sort: [-created_at], rate: 2M/day}
  - {name: count stock, actor: system, kind: update, latest: true, writes: [Product.stock], rate: 200/s, deliver: realtime}
"""

SPECS = [
    pytest.param(FORUM, id="forum-posts-with-a-list-read"),
    pytest.param(COURIERS, id="courier-offers-with-no-read"),
    pytest.param(SCORES, id="scoreboard-latest-value"),
    pytest.param(SHOP, id="shop-with-and-without-catch-up"),
]

_CACHE: dict[str, DesignResult] = {}


def _designed(text: str) -> DesignResult:
    if text not in _CACHE:
        _CACHE[text] = design_spec(spec_of(text))
    return _CACHE[text]


@pytest.mark.parametrize("text", SPECS)
def test_pubsub_hop_is_labelled_at_most_once_ok(text: str) -> None:
    """Every sequence arrow from a Redis pub/sub node to a gateway says at most once, never at least once."""
    result = _designed(text)
    hops = [
        line
        for name, body in result.files.items()
        if name.startswith("diagrams/sequence")
        for line in body.splitlines()
        if re.match(r"\s*p_\w*redis\w*-\)p_\w*gateway\w*:", line)
    ]
    assert hops, "no pub/sub hop drawn: the table must exercise one"
    for line in hops:
        assert PUBSUB_HOP in line, line
        assert "at least once" not in line, line


@pytest.mark.parametrize("text", SPECS)
def test_delivery_decision_states_the_guarantee_its_catch_up_allows_ok(text: str) -> None:
    """Each delivery decision says live delivery is best effort (dropped or twice, never "at most once" beside "twice"), and
    complete on catch-up exactly where it names a cursor read."""
    decisions = [d for d in _designed(text).architecture.decisions if d.id.startswith("realtime.") and d.id != "realtime.gateway"]
    assert decisions
    for d in decisions:
        said = d.consequences or ""
        assert "live delivery is best effort: a push may be dropped" in said, said
        assert "or arrive twice" in said, said
        assert "live delivery is at most once" not in said, said
        assert "deliveries are at least once" not in said, said
        assert ("complete on catch-up" in said) == ("from its last cursor with GET" in said), said


@pytest.mark.parametrize("text", SPECS)
def test_gateway_drain_promises_a_cursor_only_where_a_channel_has_one_ok(text: str) -> None:
    """The gateway's drain says 'resume from their last cursor' of the channels with catch-up reads only, and names each without one."""
    arch = _designed(text).architecture
    gateway = next(d for d in arch.decisions if d.id == "realtime.gateway")
    drain = re.search(r"A deploy drains a node: (.*?)\. A connection", gateway.consequences or "")
    assert drain is not None, gateway.consequences
    listed = [c.address for c in arch.channels if c.catch_up]
    unlisted = [c.address for c in arch.channels if not c.catch_up]
    said = drain.group(1)
    assert ("resume from their last cursor" in said) == bool(listed), said
    if listed and unlisted:
        for address in unlisted:
            # where channels differ, one without a catch-up read is named with what it gives back, never with a cursor
            assert re.search(rf"on {re.escape(address)} (re-read|get the next|lose|fetch nothing)", said), said
    elif unlisted:
        assert re.search(r"then (re-read|get the next|lose|fetch nothing)", said), said


@pytest.mark.parametrize("text", SPECS)
def test_realtime_contract_does_not_promise_at_least_once_ok(text: str) -> None:
    """The gateway's AsyncAPI document never calls a push 'at least once': its last hop is pub/sub."""
    contract = _designed(text).files.get("asyncapi/realtime-gateway.yaml", "")
    assert contract
    assert "at least once" not in contract


LOBBY = """
system: lobby
scale: {concurrent_connections: 40k, daily_active: 300k}
entities:
  Player: {fields: {handle: {type: string(40), unique: true}}, rows: 2M}
  Table: {fields: {name: string(60)}, rows: 5k}
  Move: {part_of: Table, append_only: true, fields: {player: ref(Player), cell: int}, growth: 5M/day}
use_cases:
  - {name: make move, actor: player, writes: [Move], rate: 5M/day, deliver: realtime}
  - {name: list table moves, actor: player, reads: [Move], filter: [table], sort: [created_at], rate: 10M/day}
  - {name: browse tables, actor: guest, reads: [Table], rate: 2M/day}
"""

HELPDESK = """
system: desk
scale: {concurrent_connections: 2k, users: 400k}
entities:
  Agent: {fields: {email: {type: email, unique: true, pii: true}}, rows: 3k}
  Ticket: {fields: {subject: string(200), agent: ref(Agent)?}, growth: 20k/day}
use_cases:
  - {name: open ticket, actor: customer, writes: [Ticket], rate: 20k/day}
  - {name: assign ticket, actor: agent, kind: update, writes: [Ticket.agent], rate: 20k/day, deliver: {mode: realtime, to: Ticket.agent}}
  - {name: view ticket, actor: customer, kind: get, reads: [Ticket], rate: 100k/day}
"""

KIOSK = """
system: kiosk
scale: {concurrent_connections: 900}
entities:
  Screen: {fields: {place: string(80)}, rows: 900}
  Slide: {fields: {screen: ref(Screen), url: url}, growth: 2k/day}
use_cases:
  - {name: push slide, actor: operator, writes: [Slide], rate: 2k/day, deliver: {mode: realtime, to: Slide.screen}}
  - {name: list slides, actor: visitor, reads: [Slide], rate: 50k/day}
"""


@pytest.mark.parametrize(
    "text",
    [pytest.param(LOBBY, id="players-and-guests"), pytest.param(HELPDESK, id="agents-and-customers"), pytest.param(KIOSK, id="screens-and-visitors")],
)
def test_stated_connections_and_estimated_clients_are_named_apart_ok(text: str) -> None:
    """With the connections stated, an actor's estimated clients online are said as that actor's clients, never as a second count of connections."""
    arch = _designed(text).architecture
    estimated = [a for a in arch.assumptions if "clients online at peak: not given" in a]
    assert estimated, "no actor's clients estimated: the table must exercise one"
    assert not any("connections assumed" in a for a in arch.assumptions), arch.assumptions
    assert not any(a.startswith("people online at peak") for a in arch.assumptions), arch.assumptions
    for note in estimated:
        # the estimate names its actor, and the stated connections are named as connections, with their own value
        assert "scale.concurrent_connections, " in note, note
