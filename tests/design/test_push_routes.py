"""One route per recipient kind: the gateway when connected, a push when not, decided by the push sender reading Redis.

A table of designs of different shapes, each with a gateway and a push provider (a marketplace pushing orders to sellers
while buyers follow them live, a chat with presence, a delivery app whose couriers are offered orders while customers
follow them), and one with no gateway (push only). Each is checked by the same rules: every recipient kind a delivery
names has a channel in the gateway's contract and counts among its connections; the push sender, which decides who is
offline, reads the gateway's Redis (setting, edge, counted lookups); every text says the same route.
"""

from __future__ import annotations

from functools import cache

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.offline_pushes import offline_finder
from backend_architect.ir.model import Architecture
from design.helpers import spec_of

#: A marketplace: an order is pushed to its seller (deliver: push) while the buyer follows its shipment live.
MARKET = """\
system: market
scale: {daily_active: 1M}
external:
  FCM: {kind: push}
  APNs: {kind: push}
entities:
  Buyer: {fields: {name: {type: string(80), pii: true}}, rows: 5M}
  Seller: {fields: {shop: string(80)}, rows: 200k}
  Order: {fields: {buyer: ref(Buyer), seller: ref(Seller), status: "enum[placed, shipped, delivered]"}, growth: 500k/day}
use_cases:
  - {name: place order, actor: buyer, writes: [Order], rate: 500k/day, deliver: {mode: push, to: Order.seller}}
  - {name: ship order, actor: seller, kind: update, writes: [Order.status], rate: 500k/day, deliver: {mode: realtime, to: Order.buyer}}
  - {name: list my orders, actor: buyer, reads: [Order], filter: [buyer], rate: 2M/day}
  - {name: list shop orders, actor: seller, reads: [Order], filter: [seller], rate: 1M/day}
"""

#: A chat whose members keep presence: messages reach connected members live, the others through APNs.
CHAT = """\
system: talk
scale: {daily_active: 3M}
external:
  APNs: {kind: push}
entities:
  Member: {fields: {nick: {type: string(40), pii: true}, last_seen_at: datetime?}, presence: {offline_after: 45s}, rows: 8M}
  Room: {fields: {title: string(80)}, rows: 1M}
  Seat: {part_of: Room, fields: {member: ref(Member)}, unique: [[room, member]], avg_per_parent: 4}
  Post: {fields: {room: ref(Room), author: ref(Member), body: text}, append_only: true, growth: 30M/day}
use_cases:
  - {name: post in room, actor: member, writes: [Post], rate: 30M/day, deliver: {mode: realtime, to: Seat.member}, notify: [APNs]}
  - {name: read room, actor: member, reads: [Post], filter: [room], sort: [-created_at], page: cursor, rate: 60M/day}
"""

#: A delivery app: couriers near the shop are offered each order (push), customers follow their courier (50k at peak).
COURIERS = """\
system: dash
scale: {users: 10M, daily_active: 2M}
external:
  FCM: {kind: push}
entities:
  Customer: {fields: {name: {type: string(80), pii: true}}, rows: 10M}
  Courier: {fields: {name: {type: string(80), pii: true}, spot: geo?}, rows: 100k, presence: {offline_after: 30s}}
  Delivery: {fields: {customer: ref(Customer), courier: ref(Courier)?, pickup: geo, status: "enum[open, taken, done]"}, growth: 1M/day}
use_cases:
  - {name: open delivery, actor: customer, writes: [Delivery], near: Courier.spot, rate: 1M/day, deliver: {mode: push, to: Courier}}
  - {name: take delivery, actor: courier, kind: action, writes: [Delivery.courier, Delivery.status], rate: 1M/day}
  - name: move courier
    actor: courier
    owner_only: true
    kind: update
    writes: [Courier.spot]
    latest: true
    every: 5s
    rate: 3k/s
    deliver: {mode: realtime, to: Delivery.customer, subscribers: 50k}
"""

#: No live delivery at all: a reminder pushed to its patient, the only route there is.
PUSH_ONLY = """\
system: clinic
scale: {daily_active: 100k}
external:
  FCM: {kind: push}
entities:
  Patient: {fields: {name: {type: string(80), pii: true}}, rows: 1M}
  Reminder: {fields: {patient: ref(Patient), text: string(200)}, growth: 200k/day}
use_cases:
  - {name: send reminder, actor: clinic, writes: [Reminder], rate: 200k/day, deliver: {mode: push, to: Reminder.patient}}
"""

GATEWAYED = [
    pytest.param(MARKET, {"place order": "sellers/{seller_id}/orders", "ship order": "buyers/{buyer_id}/orders"}, id="marketplace"),
    pytest.param(CHAT, {"post in room": "members/{member_id}/posts"}, id="chat"),
    pytest.param(COURIERS, {"open delivery": "couriers/{courier_id}/deliveries", "move courier": "customers/{customer_id}/couriers"}, id="couriers"),
]


@cache
def _designed(text: str) -> DesignResult:
    return design_spec(spec_of(text))


def _figure(arch: Architecture, key: str) -> float:
    found = next((f for f in arch.figures if f.key == key), None)
    assert found is not None, key
    return found.value


@pytest.mark.parametrize(("text", "channels"), GATEWAYED)
def test_every_recipient_kind_has_its_gateway_channel_ok(text: str, channels: dict[str, str]) -> None:
    """Each delivery, pushed or live, has a channel on the gateway, described in the gateway's AsyncAPI document."""
    result = _designed(text)
    contract = result.files["asyncapi/realtime-gateway.yaml"]
    for use_case, address in channels.items():
        channel = next((c for c in result.architecture.channels if use_case in c.use_cases), None)
        assert channel is not None, (use_case, [c.address for c in result.architecture.channels])
        assert channel.address == address, use_case
        assert f"address: {address}" in contract


@pytest.mark.parametrize(("text", "channels"), GATEWAYED)
def test_connections_count_every_recipient_kind_ok(text: str, channels: dict[str, str]) -> None:
    """The gateway's connections are the sum over every connected recipient kind, and that one figure sizes its nodes."""
    arch = _designed(text).architecture
    connections = next(f for f in arch.figures if f.key == "connections.realtime")
    kinds = {c.address.split("/")[0] for c in arch.channels}
    counted = {k.split("_", 1)[1] for k in connections.inputs}
    assert {k.removesuffix("s") for k in kinds} <= counted, (kinds, counted)
    assert connections.value == pytest.approx(sum(connections.inputs.values()))
    nodes = next(f for f in arch.figures if f.key == "instances.realtime-gateway")
    assert nodes.inputs["connections"] == connections.value


def test_stated_subscribers_of_people_are_their_connections_ok() -> None:
    """Customers following their courier (50k stated subscribers) hold 50k connections beside the couriers'."""
    arch = _designed(COURIERS).architecture
    connections = next(f for f in arch.figures if f.key == "connections.realtime")
    assert connections.inputs["subscribers_customer"] == 50_000
    assert connections.inputs["clients_courier"] > 0


@pytest.mark.parametrize(("text", "channels"), GATEWAYED)
def test_push_sender_reads_who_is_offline_ok(text: str, channels: dict[str, str]) -> None:
    """The push sender decides who is offline: it holds the Redis setting, is drawn linked to Redis, and its lookups load it."""
    result = _designed(text)
    arch = result.architecture
    redis = next(c for c in arch.components if c.name == "redis")
    assert "push-sender" in redis.parts
    lookups = _figure(arch, "delivery.offline_lookups.push-sender")
    pushed = [f for f in arch.figures if f.key.startswith("realtime.push.") and "online_share" in f.inputs]
    assert pushed
    assert lookups == pytest.approx(sum(f.inputs["publishes"] * f.inputs["recipients"] for f in pushed))
    assert redis.operations["offline_lookups_push-sender"] == pytest.approx(lookups)
    assert "cmp_push_sender --- cmp_redis" in result.files["diagrams/architecture.mmd"]
    sender = next(s for s in result.files["handoff.json"].split('"name": "push-sender"')[1:2])
    assert "REDIS_URL" in sender.split('"secrets"')[1].split("]")[0]


@pytest.mark.parametrize(("text", "channels"), GATEWAYED)
def test_every_text_tells_one_route_ok(text: str, channels: dict[str, str]) -> None:
    """The channels' offline text, the push sender's decision and the presence decision say the same rule, from one source."""
    result = _designed(text)
    arch = result.architecture
    spec = spec_of(text)
    sender = next(d for d in arch.decisions if d.id == "delivery.push-sender")
    pushing = [c for c in arch.channels if "push notification" in c.offline]
    assert pushing
    for channel in pushing:
        entity = next((e for e in spec.entities if channel.address.startswith(e.lower() + "s/")), None)
        finder = offline_finder(spec, entity, "push-sender")
        assert finder in channel.offline, channel.address
        assert finder in sender.choice, channel.address
    for decision in (d for d in arch.decisions if d.id.startswith("presence.")):
        assert "goes out as a push notification" not in decision.consequences
        assert "push-sender looks up each recipient's presence key" in decision.consequences
    for decision in (d for d in arch.decisions if d.id.startswith("realtime.") and d.id != "realtime.gateway"):
        assert not decision.title.startswith("Push notifications for"), decision.title


def test_push_only_without_gateway_reads_nothing_ok() -> None:
    """With no gateway, a push reaches every recipient through the provider: no channel, no Redis read by the push sender."""
    arch = _designed(PUSH_ONLY).architecture
    assert not arch.channels
    assert not any(f.key.startswith("delivery.offline_lookups.") for f in arch.figures)
    assert not any("push-sender" in c.parts for c in arch.components)
    push = next(f for f in arch.figures if f.key.startswith("realtime.push."))
    assert "online_share" not in push.inputs


@pytest.mark.parametrize("text", [*(p.values[0] for p in GATEWAYED), PUSH_ONLY], ids=["marketplace", "chat", "couriers", "push-only"])
def test_routed_designs_review_clean_ok(text: str) -> None:
    """Each design, routed this way, carries no finding of its own reviewer."""
    assert not _designed(text).findings
