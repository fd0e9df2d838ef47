"""The audience model: one estimate of each actor's clients online, read by every stage that states it."""

from __future__ import annotations

import math
import re
import textwrap
from functools import cache
from typing import Any

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.audience import audiences
from backend_architect.design.patterns.gateway import CONNECTION_BYTES, CONNECTIONS_PER_NODE, DELIVERIES_PER_NODE
from backend_architect.ir.model import Figure
from backend_architect.ir.part_calls import http_operations
from backend_architect.ir.query import operation_limit
from backend_architect.spec.load import load_spec_bytes

#: A ride-hailing backend whose author states the connections at peak: riders and drivers share them.
RIDES = """\
system: rides
scale: {users: 2M, daily_active: 500k, concurrent_connections: 200k, peak_factor: 2}
entities:
  Rider: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Driver: {fields: {name: {type: string(80), pii: true}}, rows: 100k}
  Ride:
    fields: {rider: ref(Rider), driver: {type: ref(Driver), nullable: true, generated: true}, status: "enum[requested,accepted,done]"}
    growth: 1M/day
use_cases:
  - {name: request ride, actor: rider, writes: [Ride], rate: 1M/day}
  - {name: list my rides, actor: rider, reads: [Ride], filter: [rider], rate: 5M/day}
  - {name: offer ride, actor: dispatcher, kind: update, writes: [Ride.driver], deliver: {mode: realtime, to: Ride.driver}, rate: 1M/day}
  - {name: accept ride, actor: driver, kind: update, writes: [Ride.status], deliver: {mode: realtime, to: Ride.rider}, rate: 1M/day}
  - {name: report position, actor: driver, kind: update, writes: [Ride.status], rate: 20M/day}
"""

#: A chat with no stated connections: the people online come from the daily actives.
CHAT = """\
system: chatter
scale: {daily_active: 1M}
entities:
  User: {fields: {handle: {type: string(30), unique: true}}, rows: 5M, presence: true}
  Room: {fields: {title: string(80)}, rows: 200k}
  Membership: {part_of: Room, fields: {user: ref(User)}, avg_per_parent: 25}
  Message: {part_of: Room, fields: {author: ref(User), body: string(2000)}, growth: 50M/day}
use_cases:
  - {name: send message, writes: [Message], deliver: realtime, rate: 50M/day}
  - {name: list messages, reads: [Message], filter: [room], rate: 200M/day}
"""

#: A market-data feed: every quote goes to each of the 800 subscribers the spec states.
TICKER = """\
system: ticker
scale: {users: 50k, peak_factor: 3}
entities:
  Instrument: {fields: {symbol: {type: string(12), unique: true}}, rows: 5k}
  Quote: {fields: {instrument: ref(Instrument), price: money}, append_only: true, growth: 100M/day}
use_cases:
  - {name: publish quote, actor: exchange, writes: [Quote], rate: 2k/s}
  - {name: stream quotes, actor: subscriber, reads: [Quote], deliver: {mode: realtime, subscribers: 800}}
"""

#: Alerts pushed to their account: the accounts not connected get a push notification.
ALERTS = """\
system: alerts
scale: {daily_active: 200k}
external: {fcm: {kind: push}}
entities:
  Account: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Alert: {fields: {account: ref(Account), text: string(200)}, growth: 2M/day}
use_cases:
  - {name: raise alert, actor: monitor, writes: [Alert], deliver: {mode: realtime, to: Alert.account}, rate: 2M/day}
  - {name: list alerts, actor: account, reads: [Alert], filter: [account], rate: 1M/day}
"""

#: A news wire whose stated connections are its syndicators' streams; readers only make requests.
WIRE = """\
system: wire
scale: {users: 10M, concurrent_connections: 300}
entities:
  Reader: {fields: {name: {type: string(80), pii: true}}, rows: 10M}
  Story: {fields: {headline: string(200), body: string(5000)}, growth: 1M/day}
use_cases:
  - {name: publish story, actor: editor, writes: [Story], rate: 1M/day}
  - {name: read stories, actor: reader, reads: [Story], rate: 100M/day}
  - {name: stream stories, actor: syndicator, reads: [Story], deliver: realtime}
"""

#: The same rides with ten times the drivers: no share reaches its rows, so the split follows the requests alone.
FLEET = RIDES.replace("rows: 100k", "rows: 1M")

#: Members (a guild's link to its users) and users are the same people: the stated users online are counted once.
GUILD = """\
system: guilds
scale: {concurrent_users: 50k}
entities:
  User: {fields: {name: {type: string(80), pii: true}}}
  Guild: {fields: {title: string(80)}, rows: 1k}
  Member: {part_of: Guild, fields: {user: ref(User)}, avg_per_parent: 50}
  Post: {part_of: Guild, fields: {author: ref(User), body: string(500)}, growth: 1M/day}
use_cases:
  - {name: write post, actor: member, writes: [Post], deliver: realtime, rate: 1M/day}
  - {name: list posts, actor: member, reads: [Post], filter: [guild], rate: 10M/day}
  - {name: rename me, actor: user, kind: update, writes: [User.name], rate: 10k/day}
"""

SPECS = {"guild": GUILD, "rides": RIDES, "fleet": FLEET, "chat": CHAT, "ticker": TICKER, "alerts": ALERTS, "wire": WIRE}


@cache
def designed(name: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(SPECS[name]).encode(), f"{name}.yaml"))


def _figures(result: DesignResult) -> dict[str, Figure]:
    return {f.key: f for f in result.architecture.figures}


def _clients_in(text: str) -> float:
    found = re.search(r"over ([\d,.]+) \w+ clients online at peak", text)
    assert found is not None, text
    return float(found.group(1).replace(",", ""))


@pytest.mark.parametrize("name", list(SPECS))
def test_rate_limits_read_the_actors_clients_online_ok(name: str) -> None:
    """Every derived rate limit divides by the same clients online the audience figure states for its actor."""
    result = designed(name)
    figures = _figures(result)
    security = result.architecture.security
    assert security is not None
    derived = [r for r in security.rate_limits if "clients online at peak" in r.rationale]
    assert derived, [r.rationale for r in security.rate_limits]
    for limit in derived:
        assert _clients_in(limit.rationale) == pytest.approx(round(figures[f"clients.online.{limit.actor}"].value), abs=0.5), limit


@pytest.mark.parametrize("name", list(SPECS))
def test_each_operation_states_one_rate_limit_everywhere_ok(name: str) -> None:
    """An operation's x-rate-limit is the limit of its use cases' actor, and the security table lists that same limit."""
    result = designed(name)
    markdown = result.files["design.md"]
    checked = 0
    for api in result.architecture.apis:
        document: dict[str, Any] = yaml.safe_load(result.files[f"openapi/{api.service}.yaml"])
        # a modular monolith's module interface has no HTTP path, so no limit to state (ir.part_calls)
        for op in http_operations(result.architecture, api):
            stated = document["paths"][op.path][op.method]["x-rate-limit"]
            limit = operation_limit(result.architecture, op)
            assert limit is not None
            if op.use_cases:
                assert set(limit.use_cases) & set(op.use_cases), (op.operation_id, limit)
            assert (stated["actor"], stated["class"], stated["per_minute"], stated["burst"]) == (
                limit.actor,
                limit.operation_class,
                limit.limit_per_minute,
                limit.burst,
            )
            assert f"| {limit.actor} | {limit.operation_class} | {limit.limit_per_minute} | {limit.burst} |" in markdown
            checked += 1
    assert checked


@pytest.mark.parametrize("name", list(SPECS))
def test_gateway_and_deliveries_read_the_same_audience_ok(name: str) -> None:
    """Connections are the connected actors' clients; nodes, memory and every delivery's online share follow from them."""
    result = designed(name)
    arch = result.architecture
    figures = _figures(result)
    audience = audiences(result.spec, analyse(result.spec))
    connected = figures["connections.realtime"]
    connections = connected.value
    assert connections == pytest.approx(sum(connected.inputs.values()))
    for key, clients in connected.inputs.items():
        assert figures[f"clients.online.{key.removeprefix('clients_')}"].value == clients
    gateway = next(c for c in arch.components if c.kind == "realtime-gateway")
    deliveries = sum(c.deliveries_per_s for c in arch.channels)
    assert gateway.instances == figures["instances.realtime-gateway"].value
    assert gateway.instances >= max(2, math.ceil(connections / CONNECTIONS_PER_NODE), math.ceil(deliveries / DELIVERIES_PER_NODE))
    assert gateway.memory_bytes == pytest.approx(connections * CONNECTION_BYTES)
    for channel in arch.channels:
        for use_case in channel.use_cases:
            key = use_case.lower().replace(" ", "-")
            figure = figures[f"realtime.deliveries.{key}"]
            assert figure.value == pytest.approx(channel.deliveries_per_s)
            share = figure.inputs["online_share"]
            assert share == 1.0 or any(a.share == pytest.approx(share) for a in audience.actors.values()), (use_case, share)
    buckets = next(d for d in arch.decisions if d.id == "rate-limits.state")
    assert buckets.inputs["clients"] == pytest.approx(audience.clients)


@pytest.mark.parametrize(
    ("name", "actor", "clients"),
    [
        pytest.param("rides", "driver", 100_000.0, id="stated-connections-share-capped-at-rows"),
        pytest.param("rides", "rider", 200_000 - 100_000.0, id="stated-connections-rest-to-the-others"),
        pytest.param("fleet", "driver", 200_000 * 21 / 27, id="stated-connections-shared-by-peak-requests"),
        pytest.param("fleet", "rider", 200_000 * 6 / 27, id="stated-connections-shared-rider"),
        pytest.param("chat", "user", 1e6 * 0.2, id="daily-actives-x-20-percent"),
        pytest.param("ticker", "subscriber", 800.0, id="stated-subscribers"),
        pytest.param("alerts", "account", 200_000 * 0.2, id="recipients-from-daily-actives"),
        pytest.param("wire", "syndicator", 300.0, id="stated-connections-to-the-only-connected-actor"),
        pytest.param("wire", "reader", 10e6 * 0.2 * 0.2, id="unconnected-people-from-users"),
        pytest.param("guild", "member", 50_000.0, id="membership-actor-is-its-people"),
        pytest.param("guild", "user", 50_000.0, id="same-people-share-one-count"),
    ],
)
def test_actor_clients_online_ok(name: str, actor: str, clients: float) -> None:
    """Each actor's clients online follow the rule its spec's shape selects, and the figure states it."""
    assert _figures(designed(name))[f"clients.online.{actor}"].value == pytest.approx(clients)


@pytest.mark.parametrize(
    ("name", "use_case", "recipients"),
    [
        pytest.param("ticker", "stream-quotes", 800.0, id="broadcast-to-stated-subscribers"),
        pytest.param("wire", "stream-stories", 300.0, id="firehose-to-every-connected-syndicator"),
        pytest.param("rides", "accept-ride", 1.0, id="one-recipient"),
    ],
)
def test_broadcast_multiplies_by_its_subscribers_ok(name: str, use_case: str, recipients: float) -> None:
    """A channel every subscriber receives multiplies each publish by its subscribers; a keyed one by its recipients."""
    figures = _figures(designed(name))
    delivered = figures[f"realtime.deliveries.{use_case}"]
    publishes = figures[f"realtime.publishes.{use_case}"].value
    assert delivered.inputs["recipients"] == pytest.approx(recipients)
    assert delivered.value == pytest.approx(publishes * recipients * delivered.inputs["online_share"])
    egress = figures["realtime.egress_bytes"]
    assert egress.value >= delivered.value * 64


def test_offline_recipients_get_the_rest_as_pushes_ok() -> None:
    """Pushes are the deliveries to recipients not online: the same share, taken from the account clients online over its rows."""
    figures = _figures(designed("alerts"))
    share = figures["clients.online.account"].value / 1e6
    delivered, pushed = figures["realtime.deliveries.raise-alert"], figures["realtime.push.raise-alert"]
    assert delivered.inputs["online_share"] == pytest.approx(share)
    total = delivered.inputs["publishes"] * delivered.inputs["recipients"]
    assert pushed.value == pytest.approx(total * (1 - share))
    assert delivered.value + pushed.value == pytest.approx(total)


def test_presence_counts_the_clients_online_ok() -> None:
    """Presence heartbeats count the same users online as the gateway and the rate limits."""
    figures = _figures(designed("chat"))
    assert figures["presence.online.user"].value == pytest.approx(figures["clients.online.user"].value)
    assert figures["connections.realtime"].value == pytest.approx(figures["clients.online.user"].value)


def test_unstated_audience_is_an_assumption_ok() -> None:
    """An estimate the spec does not state is listed under Assumptions with its share."""
    result = designed("wire")
    # the connections are stated (the syndicators'): what is estimated is each other actor's clients online besides them
    assert any(
        a.startswith("reader clients online at peak: not given (scale.concurrent_connections, 300, counts the connections")
        and "20% of the 10,000,000 users" in a
        for a in result.architecture.assumptions
    )
    assert not any(a.startswith("scale.concurrent_connections: not given") for a in result.architecture.assumptions)
    assert not any("syndicator clients" in a for a in result.architecture.assumptions)


def test_stated_subscribers_are_traced_ok() -> None:
    """deliver.subscribers is reported as used, by the figures that read it."""
    found = next(r for r in designed("ticker").architecture.requirements if r.input == "use_cases['stream quotes'].deliver.subscribers")
    assert found.status == "used"
    assert "figure:clients.online.subscriber" in found.used_by
    assert "figure:realtime.deliveries.stream-quotes" in found.used_by


@pytest.mark.parametrize("name", ["rides", "wire", "guild"])
def test_stated_connections_never_listed_as_not_given_ok(name: str) -> None:
    """When the spec states the connections, no assumption calls them "not given", whichever actors the figure went to."""
    result = designed(name)
    assert not any("concurrent_connections: not given" in a or "concurrent_users: not given" in a for a in result.architecture.assumptions)


#: Couriers with presence who check in every N seconds; the stated connections are shared with the customers they serve.
COURIERS = """\
system: couriers
scale: {users: 1M, daily_active: 300k, concurrent_connections: 150k, peak_factor: 2}
entities:
  Customer: {fields: {name: {type: string(80), pii: true}}, rows: 1M}
  Courier: {fields: {name: {type: string(80), pii: true}, spot: geo?}, rows: 50k, presence: {offline_after: 30s}}
  Parcel: {fields: {customer: ref(Customer), courier: ref(Courier)}, growth: 2M/day}
use_cases:
  - {name: check in, actor: courier, writes: [Courier.spot], latest: true, rate: 2k/s, every: EVERY, deliver: {mode: realtime, to: Parcel.customer}}
  - {name: send parcel, actor: customer, writes: [Parcel], rate: 2M/day}
"""

#: Sensors (machines, no personal data) that report every 60 s: every sensor reporting is online.
SENSORS = """\
system: sensors
entities:
  Sensor: {fields: {serial: string(40), level: float?}, rows: 2M, presence: {offline_after: 180s}}
use_cases:
  - {name: report level, actor: sensor, writes: [Sensor.level], latest: true, rate: 10k/s, every: 60s}
"""


@pytest.mark.parametrize(
    ("text", "actor", "entity", "online"),
    [
        pytest.param(COURIERS.replace("EVERY", "5s"), "courier", "Courier", 4_000 * 5, id="reports-every-5s-of-50k-couriers"),
        pytest.param(COURIERS.replace("EVERY", "20s"), "courier", "Courier", 50_000, id="more-than-the-rows-report-capped-at-rows"),
        pytest.param(RIDES.replace("rate: 20M/day}", "rate: 20M/day, every: 30s}"), "driver", None, 20e6 / 86_400 * 2 * 30, id="rides-position-every-30s"),
        pytest.param(SENSORS, "sensor", "Sensor", 10_000 * 3 * 60, id="machines-reporting-every-minute-at-the-default-peak-factor"),
    ],
)
def test_periodic_use_case_sets_its_actors_online_ok(text: str, actor: str, entity: str | None, online: float) -> None:
    """A use case each online client does every N s makes its actor's clients online peak x N (at most its rows), and every stage reads it."""
    result = design_spec(load_spec_bytes(text.encode(), "periodic.yaml"))
    known = _figures(result)
    assert known[f"clients.online.{actor}"].value == pytest.approx(online)
    connections = known.get("connections.realtime")
    if connections is not None and f"clients_{actor}" in connections.inputs:
        assert connections.inputs[f"clients_{actor}"] == pytest.approx(online)
        stated = result.spec.scale.concurrent_connections
        if stated:
            # the other actors share what the periodic one leaves of the stated total
            assert connections.value == pytest.approx(max(stated, online))
    if entity is not None and f"presence.online.{entity.lower()}" in known:
        assert known[f"presence.online.{entity.lower()}"].value == pytest.approx(online)
        window = result.spec.entities[entity].presence
        assert window is not None
        assert known[f"presence.heartbeats.{entity.lower()}"].value == pytest.approx(online / (window.offline_after / 3))
    limits = [line for line in result.files["design.md"].splitlines() if line.startswith(f"| {actor} | write |")]
    assert limits
    assert all(_clients_in(line) == pytest.approx(online, rel=1e-3) for line in limits)


def test_stated_concurrent_users_are_the_people_online_ok() -> None:
    """People who only make requests beside stated subscribers are the stated concurrent users, not a daily-active estimate."""
    text = TICKER.replace("scale: {users: 50k, peak_factor: 3}", "scale: {users: 50k, concurrent_users: 9k, peak_factor: 3}")
    text += "  - {name: list quotes, actor: trader, reads: [Quote], filter: [instrument], rate: 100/s}\n"
    result = design_spec(load_spec_bytes(text.encode(), "ticker.yaml"))
    assert _figures(result)["clients.online.trader"].value == 9_000
    assert not any("concurrent_connections: not given" in a or "people online at peak" in a for a in result.architecture.assumptions)


#: Q&A pages watched live: readers of a question subscribe to its answers (a part of the question) and a new comment is
#: delivered to the question's watchers; every path counts the same watchers per question.
QA = """\
system: qa
entities:
  Question: {fields: {title: string(200)}, rows: 100k}
  Answer: {part_of: Question, fields: {body: text}, rows: 400k}
  Comment: {fields: {question: ref(Question), body: string(600)}, rows: 1M}
use_cases:
  - {name: view question, actor: visitor, auth: none, kind: get, reads: [Question], rate: 500/s, deliver: {mode: realtime, subscribers: 300k}}
  - {name: list answers, actor: visitor, auth: none, reads: [Answer], filter: [question], rate: 500/s, deliver: {mode: realtime, subscribers: 300k}}
  - {name: add comment, actor: member, writes: [Comment], rate: 2/s, deliver: {mode: realtime, to: Comment.question, subscribers: 300k}}
"""


def test_watchers_of_one_item_are_counted_alike_on_every_path_ok() -> None:
    """A get subscription, a part's list subscription and a write delivered to the item's watchers all count subscribers / items."""
    from backend_architect.design.patterns._routes import route

    spec = load_spec_bytes(QA.encode(), "qa.yaml").spec
    analysis = analyse(spec)
    counts = {u.name: route(spec, analysis, u).recipients for u in analysis.use_cases if u.spec.deliver}
    assert counts == pytest.approx({"view question": 3.0, "list answers": 3.0, "add comment": 3.0})


def test_last_seen_written_once_per_session_counts_on_its_database_ok() -> None:
    """Presence writes last seen to the row once per session: the database's writes carry that figure, never 0 beside it."""
    text = CHAT.replace("handle: {type: string(30), unique: true}}", "handle: {type: string(30), unique: true}, last_seen_at: datetime?}")
    result = design_spec(load_spec_bytes(text.encode(), "chat.yaml"))
    known = _figures(result)
    per_session = known["presence.db_writes.user"].value
    assert per_session > 0
    writes = next(f for k, f in known.items() if k.startswith("db.writes.peak.") and "last_seen_user" in f.inputs)
    assert writes.inputs["last_seen_user"] == pytest.approx(per_session)


#: A delivery to a room: the concurrent users are the people, whatever the room's rows (TARGET: the room field).
ROOMS = """\
system: rooms
scale: {concurrent_users: 400k}
entities:
  User: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Server: {fields: {title: string(80), owner: ref(User)}, rows: 50k}
  Member: {fields: {server: ref(Server), user: ref(User)}, unique: [[server, user]]}
  Channel: {part_of: Server, fields: {title: string(80)}, rows: 300k}
  Kiosk: {fields: {label: string(40)}, rows: 5k}
  Post: {fields: {channel: ref(Channel), server: ref(Server), kiosk: ref(Kiosk), author: ref(User), body: text}}
use_cases:
  - {name: join server, actor: user, writes: [Member], rate: 10/s}
  - {name: list members, actor: user, reads: [Member], filter: [server], rate: 20/s}
  - {name: create channel, actor: user, writes: [Channel], rate: 1/s}
  - {name: post, actor: user, writes: [Post], rate: 500/s, deliver: {mode: realtime, to: Post.TARGET}}
"""


@pytest.mark.parametrize(
    ("target", "clients"),
    [
        pytest.param("channel", {"user": 400_000}, id="a-part-of-a-room-with-members"),
        pytest.param("server", {"user": 400_000}, id="a-room-with-members"),
        pytest.param("kiosk", {"kiosk": 5_000}, id="a-device-connects-itself"),
    ],
)
def test_a_room_holds_no_connections_of_its_own_ok(target: str, clients: dict[str, float]) -> None:
    """A delivery to a room (an entity with members, or a part of one: a server's channel) reaches its members' clients,
    counted once as the people online: the stated concurrent users are not split between the people and the rooms. A
    device (no members, no person authoring it) still holds a connection of its own."""
    spec = load_spec_bytes(ROOMS.replace("TARGET", target).encode(), "rooms.yaml").spec
    found = audiences(spec, analyse(spec))
    connected = {a: x.clients for a, x in found.actors.items() if x.connected}
    for actor, count in clients.items():
        assert connected.get(actor) == pytest.approx(count), connected
    assert "channel" not in connected, connected
    assert "server" not in connected, connected
