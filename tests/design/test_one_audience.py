"""One real-time audience: an actor's clients online are one figure everywhere, and a publish is counted as it is addressed.

The drivers who report their position every few seconds are the drivers a ride offer reaches: the gateway's connections,
the share of recipients connected and the rate limits read one count of them, whatever case the spec names them in. A
message published on a topic's channel is one PUBLISH; one whose write names its recipients is one PUBLISH on each
recipient's channel: the Redis table, the gateway's figure, the decision and the AsyncAPI channel say the same count.
"""

from __future__ import annotations

import re
import textwrap
from functools import cache

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.audience import audiences
from backend_architect.ir.model import Figure
from backend_architect.ir.pubsub_publishes import per_recipient, pubsub_publishes
from backend_architect.spec.load import load_spec_bytes

#: Couriers ping their position every 10 s; a parcel is offered to the 4 nearest, addressed as ``to: Courier`` (the entity's case).
PARCELS = """\
system: parcels
scale: {daily_active: 2M, peak_factor: 2}
entities:
  Shopper: {fields: {name: {type: string(80), pii: true}}, rows: 5M}
  Courier: {fields: {name: {type: string(80), pii: true}, position: geo?, status: "enum[off,on]"}, rows: 200k}
  Parcel:
    fields: {shopper: ref(Shopper), courier: {type: ref(Courier), nullable: true}, pickup: geo}
    growth: 1M/day
use_cases:
  - {name: report position, actor: courier, owner_only: true, writes: Courier.position, latest: true, every: 10s, rate: 5k/s}
  - name: post parcel
    actor: shopper
    writes: [Parcel]
    near: Courier.position
    radius: 3km
    avg_fanout: 4
    deliver: {mode: realtime, to: Courier}
    rate: 1M/day
  - {name: get parcel, actor: courier, reads: Parcel, rate: 2M/day}
"""

#: A chat whose scale states the people online; each post goes to its room's topic channel, which 30 members watch.
ROOMS = """\
system: rooms
scale: {users: 10M, concurrent_users: 800k}
entities:
  Account: {fields: {handle: {type: string(30), unique: true}}, presence: true}
  Room: {fields: {title: string(80), owner: ref(Account)}, rows: 50k}
  Post: {fields: {room: ref(Room), author: ref(Account), body: string(1000)}, growth: 40M/day}
use_cases:
  - {name: post in room, actor: account, writes: [Post], deliver: {mode: realtime, to: Post.room}, avg_fanout: 30, rate: 40M/day}
  - {name: read room, actor: account, reads: [Post], filter: [room], rate: 100M/day}
"""

#: Pages to on-call engineers: the spec states 12k engineers online, and each incident names the 6 it pages.
PAGING = """\
system: paging
scale: {users: 50k}
entities:
  Engineer: {fields: {email: {type: email, pii: true}}, rows: 50k}
  Incident: {fields: {title: string(200), severity: "enum[low,high]"}, growth: 200k/day}
use_cases:
  - name: raise incident
    actor: monitor
    writes: [Incident]
    avg_fanout: 6
    deliver: {mode: realtime, to: Engineer, subscribers: 12k}
    rate: 200k/day
  - {name: list incidents, actor: engineer, reads: [Incident], rate: 1M/day}
"""

SPECS = {"parcels": PARCELS, "rooms": ROOMS, "paging": PAGING}


@cache
def designed(name: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(SPECS[name]).encode(), f"{name}.yaml"))


def _figures(result: DesignResult) -> dict[str, Figure]:
    return {f.key: f for f in result.architecture.figures}


@pytest.mark.parametrize(
    ("name", "entity", "clients"),
    [
        pytest.param("parcels", "Courier", 5_000 * 2 * 10.0, id="periodic-ping-peak-x-every"),
        pytest.param("rooms", "Account", 800_000.0, id="stated-concurrent-users"),
        pytest.param("paging", "Engineer", 12_000.0, id="stated-subscribers-of-a-delivery"),
    ],
)
def test_one_count_per_population_ok(name: str, entity: str, clients: float) -> None:
    """Every actor whose clients are rows of one entity holds the one count the spec states or implies for them."""
    result = designed(name)
    found = audiences(result.spec, analyse(result.spec))
    actors = [a for a in found.actors.values() if a.entity == entity]
    assert actors, found.actors
    assert [a.clients for a in actors] == [pytest.approx(clients)] * len(actors)
    assert all(a.connected for a in actors), actors


@pytest.mark.parametrize("name", list(SPECS))
def test_every_text_reads_the_one_count_ok(name: str) -> None:
    """The rate limits, the gateway's connections and the recipients' share connected name the figure's own value."""
    result = designed(name)
    arch = result.architecture
    figures = _figures(result)
    online = {k.removeprefix("clients.online."): f.value for k, f in figures.items() if k.startswith("clients.online.") and "share" not in k}
    assert online, sorted(figures)
    security = arch.security
    assert security is not None
    said = 0
    for limit in security.rate_limits:
        stated = re.search(r"over ([\d,.]+) (\w+) clients online at peak", limit.rationale)
        if stated is not None:
            assert float(stated.group(1).replace(",", "")) == pytest.approx(round(online[stated.group(2).lower()]), abs=0.5), limit.rationale
            said += 1
    assert said
    for key, clients in figures["connections.realtime"].inputs.items():
        assert online[key.removeprefix("clients_")] == pytest.approx(clients)
    for decision in arch.decisions:
        for count, actor, rows in re.findall(r"\(([\d,.]+) (\w+) clients online of ([\d,.]+) rows\)", decision.rationale):
            assert float(count.replace(",", "")) == pytest.approx(round(online[actor.lower()]), abs=0.5), decision.rationale
            share = figures[f"clients.online_share.{actor.lower()}"]
            assert share.value == pytest.approx(min(1.0, online[actor.lower()] / float(rows.replace(",", ""))))


@pytest.mark.parametrize(
    ("name", "addressed", "recipients"),
    [
        pytest.param("parcels", True, 4.0, id="proximity-picked-recipients-one-publish-each"),
        pytest.param("rooms", False, 1.0, id="topic-channel-one-publish-a-message"),
        pytest.param("paging", True, 6.0, id="write-named-recipients-one-publish-each"),
    ],
)
def test_publishes_counted_as_addressed_ok(name: str, addressed: bool, recipients: float) -> None:
    """PUBLISH/s is the messages x the recipients when the write names each one's channel, else the messages: one count everywhere."""
    result = designed(name)
    arch = result.architecture
    (channel,) = arch.channels
    assert per_recipient(arch, channel) is addressed
    expected = channel.publishes_per_s * recipients
    assert pubsub_publishes(arch, channel) == pytest.approx(expected)
    redis = next(c for c in arch.components if "pubsub_publishes" in c.operations)
    assert redis.operations["pubsub_publishes"] == pytest.approx(expected)
    assert _figures(result)["realtime.pubsub_publishes"].value == pytest.approx(expected)
    asyncapi = yaml.safe_load(result.files["asyncapi/realtime-gateway.yaml"])
    (described,) = asyncapi["channels"].values()
    assert f"{expected:,.0f} PUBLISH/s" in described["description"]
    made = next(d for d in arch.decisions if d.id == channel.decision)
    each = "one PUBLISH on each recipient's channel" if addressed else "one PUBLISH a message"
    assert each in made.choice
    # a topic's channel carries no list of recipients: its key alone addresses it
    assert ("recipient_ids" in yaml.safe_dump(asyncapi)) is addressed
