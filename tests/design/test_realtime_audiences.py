"""One audience, one channel, one size: a whole stream reaches every subscriber; a subset chosen per message is addressed per recipient.

A table of deliveries of different shapes (a partner firehose beside a feed's avg_fanout, followers, nearby couriers found in the
database or in a Redis GEO set, a recipient list, a whole stream, a fan-out above those online), each checked the same way: the
channel's address and size, the deliveries figure, the decision (ADR) and the AsyncAPI document say one thing.
"""

from __future__ import annotations

import textwrap
from functools import cache

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.patterns._common import fmt
from backend_architect.ir.runtime import RealtimeChannel
from backend_architect.spec.load import load_spec_bytes
from render.test_asyncapi import validator

#: Posts fanned out to followers' feeds (avg_fanout counts the followers) and streamed whole to 25 partners.
FIREHOSE = """\
system: posts
scale: {daily_active: 2M}
entities:
  User: {fields: {handle: {type: string(30), unique: true}}, rows: 10M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, unique: [[follower, followee]], avg_per_parent: 40}
  Post: {fields: {author: ref(User), text: string(280)}, growth: 20M/day}
use_cases:
  - {name: write post, actor: user, writes: [Post], rate: 2k/s, avg_fanout: 40, deliver: {mode: realtime, to: partner, subscribers: 25}}
  - {name: home feed, actor: user, reads: [Post, Follow], filter: [Follow.follower], sort: [-created_at], rate: 100k/s}
"""
#: The same posts pushed live to the author's followers: the subset avg_fanout counts, one channel per follower.
FOLLOWERS = FIREHOSE.replace("to: partner, subscribers: 25}", "to: user}")

#: Errands offered to the couriers within 2 km of the pickup, found in the couriers' table (positions written to the row).
NEARBY = """\
system: errands
scale: {daily_active: 500k}
entities:
  Customer: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Courier: {fields: {name: {type: string(80), pii: true}, spot: geo?}, rows: 20k}
  Errand: {fields: {customer: ref(Customer), pickup: geo, note: string(200)}, growth: 200k/day}
use_cases:
  - {name: post errand, actor: customer, writes: [Errand], near: Courier.spot, radius: 2km, rate: 200k/day, deliver: {mode: realtime, to: courier}}
  - {name: move courier, actor: courier, kind: update, writes: [Courier.spot], rate: 20/s}
"""
#: The same couriers reporting their position every 4 s into a Redis GEO set, five of them offered each errand.
MOVING = NEARBY.replace("rate: 200k/day, deliver", "avg_fanout: 5, rate: 200k/day, deliver").replace(
    "writes: [Courier.spot], rate: 20/s}", "writes: [Courier.spot], latest: true, every: 4s, rate: 5k/s}"
)

#: Tickets pushed to agents (machines of a help desk, all online): three named agents a ticket, or every one of them.
NAMED = """\
system: desk
entities:
  Agent: {fields: {name: string(80)}, rows: 2k}
  Ticket: {fields: {subject: string(200)}, growth: 100k/day}
use_cases:
  - {name: open ticket, actor: customer, writes: [Ticket], rate: 100k/day, avg_fanout: 3, deliver: {mode: realtime, to: agent}}
  - {name: view ticket, actor: agent, kind: get, reads: [Ticket], rate: 10/s}
"""
WHOLE = NAMED.replace("avg_fanout: 3, ", "")
#: A fan-out above the agents online: every connected agent receives each ticket, no more.
ABOVE = NAMED.replace("avg_fanout: 3, ", "avg_fanout: 5000, ")

#: Rides announced to every driver, and a ride's cancellation to its own driver: two audiences, two addresses, two names.
CABS = """\
system: cabs
entities:
  Rider: {fields: {name: {type: string(80), pii: true}}, rows: 1M}
  Driver: {fields: {name: {type: string(80), pii: true}, spot: geo?}, rows: 10k}
  Trip: {fields: {rider: ref(Rider), driver: "ref(Driver)?", pickup: geo, status: "enum[open,cancelled]"}, growth: 100k/day}
use_cases:
  - {name: request trip, actor: rider, writes: [Trip], rate: 100k/day, deliver: {mode: realtime, to: driver}}
  - {name: cancel trip, actor: rider, kind: update, writes: [Trip.status], rate: 10k/day, deliver: {mode: realtime, to: Trip.driver}}
"""
#: The request offered to the nearby drivers instead: both deliveries share the driver's own channel, each with its own size.
SHARED = CABS.replace("writes: [Trip], rate: 100k/day, deliver", "writes: [Trip], near: Driver.spot, radius: 3km, avg_fanout: 8, rate: 100k/day, deliver")

SPECS = {
    "firehose": FIREHOSE,
    "followers": FOLLOWERS,
    "nearby": NEARBY,
    "moving": MOVING,
    "named": NAMED,
    "whole": WHOLE,
    "above": ABOVE,
    "cabs": CABS,
    "shared": SHARED,
}


@cache
def designed(name: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(SPECS[name]).encode(), f"{name}.yaml"))


def _channel(result: DesignResult, use_case: str) -> RealtimeChannel:
    return next(c for c in result.architecture.channels if use_case in c.use_cases)


def _figure(result: DesignResult, key: str) -> tuple[float, dict[str, float]]:
    found = next(f for f in result.architecture.figures if f.key == key)
    return found.value, found.inputs


@pytest.mark.parametrize(
    ("name", "use_case", "address", "recipients", "basis"),
    [
        pytest.param("firehose", "write post", "partner/posts", 25.0, "every connected partner, every one receiving", id="whole-stream-not-feed-fanout"),
        pytest.param("followers", "write post", "users/{user_id}/posts", 40.0, "to: the author's followers", id="followers-the-fanout-counts"),
        pytest.param("nearby", "post errand", "couriers/{courier_id}/errands", 25.13, "to: nearby Couriers", id="nearby-within-radius"),
        pytest.param("moving", "post errand", "couriers/{courier_id}/errands", 5.0, "to: nearby Couriers", id="nearby-avg-fanout"),
        pytest.param("named", "open ticket", "agents/{agent_id}/tickets", 3.0, "to: the recipients each write names", id="recipient-list"),
        pytest.param("whole", "open ticket", "agent/tickets", 2000.0, "every connected agent, every one receiving", id="every-agent"),
        pytest.param("above", "open ticket", "agent/tickets", 2000.0, "every connected agent, every one receiving", id="fanout-above-online"),
    ],
)
def test_one_audience_one_channel_one_size_ok(name: str, use_case: str, address: str, recipients: float, basis: str) -> None:
    """The channel's address and size are its audience's; the figure, the decision and the AsyncAPI description read that size."""
    result = designed(name)
    channel = _channel(result, use_case)
    assert channel.address == address
    assert channel.recipients.startswith(basis), channel.recipients
    assert channel.recipients_per_message == pytest.approx(recipients, rel=1e-3)
    uid = use_case.replace(" ", "-")
    deliveries, inputs = _figure(result, f"realtime.deliveries.{uid}")
    publishes, _ = _figure(result, f"realtime.publishes.{uid}")
    assert inputs["recipients"] == pytest.approx(recipients, rel=1e-3)
    assert deliveries == pytest.approx(publishes * inputs["recipients"] * inputs["online_share"])
    made = next(d for d in result.architecture.decisions if d.id == f"realtime.{uid}")
    assert made.inputs["recipients"] == inputs["recipients"]
    assert f"to {fmt(recipients)} recipient(s) each" in made.rationale
    assert f"Channel: {address}." in (made.consequences or "")
    document = yaml.safe_load(result.files["asyncapi/realtime-gateway.yaml"])
    assert not list(validator().iter_errors(document))
    [described] = [c for c in document["channels"].values() if c["address"] == address]
    assert f"{fmt(recipients)} a message" in described["description"]


def test_a_whole_stream_says_which_audience_its_fanout_counts_ok() -> None:
    """avg_fanout counted by the feed (followers) is named as such beside the firehose, never taken as the stream's size."""
    result = designed("firehose")
    channel = _channel(result, "write post")
    assert "avg_fanout (40) counts the User followers its feed fans each row out to, not this stream" in channel.recipients
    assert not channel.parameters
    fanout = next(f for f in result.architecture.figures if f.key == "fanout.peak.write-post")
    assert fanout.quantity == "copies/s addressed to recipients by write post at peak (to the lists of the User followers, avg_fanout)"


def test_followers_online_are_their_share_of_the_people_ok() -> None:
    """A per-follower channel reaches the followers online: the people's share, so deliveries are below publishes x followers."""
    _, inputs = _figure(designed("followers"), "realtime.deliveries.write-post")
    assert 0 < inputs["online_share"] < 1


@pytest.mark.parametrize(
    ("name", "target", "command"),
    [
        pytest.param("nearby", "couriers", "geohash cells of couriers, within 2 km", id="database-cells"),
        pytest.param("moving", "redis", "GEOSEARCH courier:spot FROMLONLAT lon lat BYRADIUS 2 km ASC COUNT 5", id="redis-geo-set"),
    ],
)
def test_the_flow_that_chooses_nearby_recipients_draws_the_search_ok(name: str, target: str, command: str) -> None:
    """The write's flow, latency and sequence diagram show the proximity search picking the recipients (where PAT021 put it: a GEO
    set, or the cell index of the couriers' module, an in-process call), before the event reaches the gateway."""
    result = designed(name)
    flow = next(f for f in result.architecture.flows if f.use_case == "post errand")
    steps = [s for s in flow.steps if command in s.description]
    assert steps, [s.description for s in flow.steps]
    assert (steps[0].kind, steps[0].target) == ("query", target)
    searched = next(d for d in result.architecture.decisions if d.id == "geo.post-errand")
    # the couriers picked are no column of the errand: its event is keyed by the errand, not by a courier_id it does not hold
    assert next(e for e in result.architecture.events if e.use_case == "post errand").key == "errand_id"
    if target == "redis":
        assert any(command in p.part for p in flow.latency_parts), flow.latency_parts
        assert command.split(": ")[0] in searched.choice
    else:
        # the couriers' module answers in the errands' process: an in-process call, no network hop (issue 22, l2)
        assert result.architecture.deployment == "modular-monolith"
        assert flow.depth == 0
        assert any(p.part.startswith("in-process call(s)") and target in p.part for p in flow.latency_parts), flow.latency_parts
        indexes = [i for s in result.architecture.datastores for t in s.tables if t.name == "couriers" for i in t.indexes]
        assert any("spot_cell" in [c.name for c in i.columns] and "use case 'post errand'" in i.reasons[0] for i in indexes), indexes
    order = [s.target for s in flow.steps]
    assert order.index(steps[0].target) < order.index("realtime-gateway")
    assert command in result.files["diagrams/sequence-post-errand.mmd"]
    made = next(d for d in result.architecture.decisions if d.id == "realtime.post-errand")
    assert "picks its recipients with its proximity query (near: Courier.spot)" in made.choice


def test_two_audiences_on_two_addresses_keep_two_names_ok() -> None:
    """A stream to every driver and a trip's own driver are two channels: distinct addresses, distinct names, each its decision's."""
    result = designed("cabs")
    channels = result.architecture.channels
    assert len({c.address for c in channels}) == len(channels) == len({c.name for c in channels}) == 2
    assert _channel(result, "request trip").address == "driver/trips"
    assert _channel(result, "cancel trip").address == "drivers/{driver_id}/trips"
    document = yaml.safe_load(result.files["asyncapi/realtime-gateway.yaml"])
    for channel in channels:
        [described] = [c for c in document["channels"].values() if c["address"] == channel.address]
        assert {m["$ref"].rsplit("/", 1)[1].split("On")[0] for m in described["messages"].values()} == set(channel.events)


def test_one_address_two_audiences_each_sized_ok() -> None:
    """Nearby drivers and a trip's driver share the driver's channel: each use case's size is named, and the deliveries add up."""
    result = designed("shared")
    [channel] = result.architecture.channels
    assert channel.address == "drivers/{driver_id}/trips"
    assert "8 a message (for 'request trip')" in channel.recipients
    assert "to: Trip.driver: 1 a message (for 'cancel trip')" in channel.recipients
    total = sum(_figure(result, f"realtime.deliveries.{u}")[0] for u in ("request-trip", "cancel-trip"))
    assert channel.deliveries_per_s == pytest.approx(total)


def test_the_connection_registry_holds_every_connected_audience_ok() -> None:
    """Drivers offered rides and riders told of acceptance both connect: the gateway's registry maps each of them to its node."""
    accept = "  - {name: accept trip, actor: driver, kind: update, writes: [Trip.driver], rate: 90k/day, deliver: {mode: realtime, to: Trip.rider}}\n"
    result = design_spec(load_spec_bytes((SHARED + accept).encode(), "riders.yaml"))
    made = next(d for d in result.architecture.decisions if d.id == "realtime.gateway")
    assert "connection registry in Redis maps each Driver and Rider to its node" in made.choice, made.choice


#: Members listed with who is online, the list cached: the rows may come from the cache, the online flags never do.
ONLINE = """\
system: team
scale: {daily_active: 1M}
entities:
  User: {fields: {email: {type: email, pii: true}, last_seen_at: datetime?}, rows: 5M, presence: {offline_after: 30s}}
  Team: {fields: {name: string(80)}, rows: 100k}
  Member: {part_of: Team, fields: {user: ref(User)}, avg_per_parent: 20}
use_cases:
  - {name: list online members, actor: user, kind: list, reads: [Member, User], filter: [team], rate: 5k/s, consistency: eventual}
  - {name: view user, actor: user, kind: get, reads: [User], online: true, rate: 20k/s, consistency: eventual}
"""


@pytest.mark.parametrize("use_case", ["list online members", "view user"])
def test_online_flags_are_looked_up_on_every_read_not_cached_ok(use_case: str) -> None:
    """A read that asks who is online pays its presence lookup on every request, outside any cache's hit ratio, as the decision says."""
    result = design_spec(load_spec_bytes(ONLINE.encode(), "team.yaml"))
    flow = next(f for f in result.architecture.flows if f.use_case == use_case)
    [lookup] = [p for p in flow.latency_parts if p.part.startswith("redis: MGET presence:user:{id} and HGET latest:user:{id} last_seen_at")]
    assert lookup.ms == pytest.approx(1.0)
    made = next(d for d in result.architecture.decisions if d.id == "presence.user")
    assert f"{use_case!r}" in (made.consequences or "")
    assert "the flags are never cached" in (made.consequences or "")
