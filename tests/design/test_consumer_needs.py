"""Events carry what their consumers need, counted from every publisher; a pushed message's bytes are its payload's.

Three rules, each checked over specs of different shapes:

- a copy fed by change events (a search index) gets, from every write of its entity, the whole row it replaces under the
  row's id (the fields searched, filtered and sorted by), and the text of the rows a searched many-to-many relation links;
- the broker's deliveries/s count every write publishing an event (two creates of one entity) times its consuming groups,
  the sum a reader gets from the events table;
- a row the write path publishes to pub/sub itself is sized by the message the gateway's AsyncAPI shows (JSON text,
  envelope included), never by the row's bytes on disk.
"""

from __future__ import annotations

import textwrap
from functools import cache
from typing import Any

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.patterns._common import fmt
from backend_architect.design.patterns.gateway import carried_bytes
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import published_by
from backend_architect.spec.load import load_spec_bytes

# a search over a many-to-many relation by its name: each video's tag names travel with its event
VIDEOS = """\
system: clips
scale: {daily_active: 20M}
entities:
  Label: {fields: {word: string(40), note: {type: string(80), pii: true}}, avg_per_parent: 4}
  Clip:
    fields: {title: string(200), length_s: int, hidden: bool}
    many_to_many: {labels: Label}
    growth: 2M/day
use_cases:
  - {name: upload clip, writes: [Clip, Clip.labels], rate: 2M/day}
  - {name: hide clip, kind: update, writes: [Clip.hidden], rate: 10k/day}
  - {name: find clips, reads: [Clip], search: [title, labels], filter: [hidden], sort: [-length_s], page: cursor, rate: 400M/day}
"""

# two creates of one entity and an update naming one column, all feeding the indexer: filters and sort keys travel
LISTINGS = """\
system: classifieds
scale: {daily_active: 10M}
entities:
  Seller: {fields: {name: string(80)}}
  Listing:
    fields: {seller: ref(Seller), title: string(200), body: text, price: money, state: "enum[draft, live, sold]"}
    growth: 3M/day
use_cases:
  - {name: create listing, writes: [Listing], rate: 2M/day}
  - {name: create draft listing, writes: [Listing], rate: 1M/day}
  - {name: mark listing sold, writes: [Listing.state], rate: 500k/day}
  - {name: search listings, reads: [Listing], search: [title, body], filter: [state], sort: [price], page: cursor, rate: 300M/day}
"""

# a chat and its members on different shards, made by two creates: both publish the applier's event
CHATS = """\
system: talk
scale: {users: 2B, daily_active: 500M}
entities:
  User: {fields: {handle: {type: string(30), unique: true}}}
  Chat: {fields: {kind: "enum[direct, group]", title: string(100)?}, growth: 20M/day}
  ChatMember: {part_of: Chat, fields: {user: ref(User)}, avg_per_parent: 2}
  Message: {part_of: Chat, fields: {sender: ref(User), body: text}, growth: 20B/day}
use_cases:
  - {name: create direct chat, writes: [Chat, ChatMember], rate: 15M/day}
  - {name: create group chat, writes: [Chat, ChatMember], rate: 2M/day}
  - {name: send message, writes: [Message], rate: 20B/day}
  - {name: list my chats, reads: [Chat, ChatMember], filter: [ChatMember.user], page: cursor, rate: 2B/day}
  - {name: list chat messages, reads: [Message], filter: [chat], sort: [-created_at], page: cursor, rate: 10B/day}
"""

# a ticket's status changes pushed to its agent and indexed: one event per write, two consumers
TICKETS = """\
system: support
scale: {daily_active: 1M}
entities:
  Agent: {fields: {name: string(80)}}
  Ticket: {fields: {agent: ref(Agent)?, subject: string(200), status: "enum[open, pending, closed]", priority: int}, growth: 500k/day}
use_cases:
  - {name: open ticket, writes: [Ticket], rate: 500k/day}
  - {name: close ticket, kind: update, writes: [Ticket.status], rate: 400k/day, deliver: {mode: realtime, to: Ticket.agent}}
  - {name: reopen ticket, kind: update, writes: [Ticket.status], rate: 50k/day, deliver: {mode: realtime, to: Ticket.agent}}
  - {name: search tickets, reads: [Ticket], search: [subject], filter: [status], sort: [-priority], page: cursor, rate: 400M/day}
"""

# positions kept as latest values and pushed: the write path publishes the row to pub/sub itself (no event)
COURIERS = """\
system: food
scale: {daily_active: 2M}
entities:
  Customer: {fields: {name: {type: string(100), pii: true}}}
  Courier: {fields: {name: {type: string(100), pii: true}, vehicle: "enum[bike, car]", location: geo?}, rows: 100k}
  Order: {fields: {customer: ref(Customer), courier: ref(Courier)?, status: "enum[placed, delivering, done]"}, growth: 1M/day}
use_cases:
  - {name: place order, writes: [Order], rate: 1M/day}
  - name: report courier position
    actor: courier
    owner_only: true
    kind: update
    writes: [Courier.location]
    latest: true
    every: 5s
    deliver: {mode: realtime, to: Order.customer, subscribers: 50k}
    rate: 20k/s
"""

TICKER = """\
system: market
scale: {daily_active: 1M}
entities:
  Trader: {fields: {email: {type: email, unique: true, pii: true}}}
  Instrument: {fields: {symbol: {type: string(12), unique: true}, venue: string(20), last_price: money, last_trade_at: datetime}, rows: 50k}
  Watch: {fields: {trader: ref(Trader), instrument: ref(Instrument)}, unique: [[trader, instrument]], growth: 100k/day}
use_cases:
  - name: record trade price
    kind: update
    writes: [Instrument.last_price, Instrument.last_trade_at]
    latest: true
    deliver: {mode: realtime, to: Watch.trader, subscribers: 200k}
    rate: 30k/s
  - {name: watch instrument, writes: [Watch], rate: 100k/day}
"""

THERMOSTATS = """\
system: thermo
scale: {daily_active: 500k}
entities:
  Owner: {fields: {email: {type: email, unique: true, pii: true}}}
  Thermostat:
    fields: {owner: ref(Owner), serial: {type: string(32), unique: true}, temperature_c: decimal, humidity: int, mode: "enum[heat, cool, off]"}
    rows: 3M
use_cases:
  - name: report reading
    actor: device
    kind: update
    writes: [Thermostat.temperature_c, Thermostat.humidity]
    latest: true
    every: 10s
    deliver: {mode: realtime, to: Thermostat.owner, subscribers: 100k}
    rate: 300k/s
"""


@cache
def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))


def _columns(arch: Architecture, entity: str) -> list[str]:
    table = next(t for s in arch.datastores for t in s.tables if t.entity == entity)
    return [c.name for c in table.columns if not c.secret]


@pytest.mark.parametrize(
    ("text", "entity", "needed"),
    [
        pytest.param(VIDEOS, "Clip", ["title", "hidden", "length_s"], id="videos-searched-by-title-and-labels"),
        pytest.param(LISTINGS, "Listing", ["title", "body", "state", "price_amount"], id="listings-two-creates-and-an-update"),
        pytest.param(TICKETS, "Ticket", ["subject", "status", "priority"], id="tickets-status-updates"),
    ],
)
def test_indexer_events_carry_the_whole_row_ok(text: str, entity: str, needed: list[str]) -> None:
    """Every write of the indexed entity reaches the indexer with the whole row: searched, filtered and sorted fields included."""
    arch = _designed(text).architecture
    spec = load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec
    writers = {u.name for u in analyse(spec).use_cases if u.is_write and entity in u.writes}
    fed = [e for e in arch.events if "search-indexer" in e.consumers and e.entity == entity]
    assert writers == {u for e in fed for u in published_by(e)}, "every write of the indexed rows publishes to the indexer"
    for event in fed:
        assert set(needed) <= set(event.fields), event.name
        assert set(_columns(arch, entity)) <= set(event.fields) | {"id"}, event.name


@pytest.mark.parametrize(
    ("text", "relation", "text_fields", "withheld"),
    [
        pytest.param(VIDEOS, "labels", ["word"], ["note"], id="clip-labels"),
        pytest.param(
            VIDEOS.replace("labels", "topics").replace("Label", "Topic").replace("word: string(40)", "caption: text"),
            "topics",
            ["caption"],
            ["note"],
            id="clip-topics-with-text",
        ),
        pytest.param(VIDEOS.replace("search: [title, labels]", "search: [labels]"), "labels", ["word"], ["note"], id="labels-alone"),
    ],
)
def test_searched_relation_travels_with_the_event_ok(text: str, relation: str, text_fields: list[str], withheld: list[str]) -> None:
    """A search naming a many-to-many relation indexes the linked rows' text: the create's event carries them, never their personal fields."""
    result = _designed(text)
    arch = result.architecture
    created = next(e for e in arch.events if e.use_case == "upload clip")
    assert "search-indexer" in created.consumers
    part = next(p for p in created.parts if any(c.name in text_fields for c in p.columns))
    names = [c.name for c in part.columns]
    assert set(text_fields) <= set(names)
    assert not set(withheld) & set(names)
    doc = yaml.safe_load(result.files["asyncapi/clips.yaml"])
    payload = doc["components"]["schemas"][f"{created.name}Payload"]["properties"]
    assert set(text_fields) <= set(payload[part.table]["items"]["properties"])


def test_searched_relation_without_text_is_not_carried_err() -> None:
    """A relation whose rows hold no text (only personal fields) gives the index nothing to match: no part travels for it."""
    text = VIDEOS.replace("word: string(40), ", "")
    created = next(e for e in _designed(text).architecture.events if e.use_case == "upload clip")
    assert not created.parts


@pytest.mark.parametrize(
    ("text", "shared"),
    [
        pytest.param(CHATS, "ChatCreated", id="chat-two-creates-cross-shard"),
        pytest.param(LISTINGS, "ListingCreated", id="listing-two-creates-indexed"),
        pytest.param(TICKETS, None, id="tickets-pushed-and-indexed"),
    ],
)
def test_deliveries_count_every_publisher_ok(text: str, shared: str | None) -> None:
    """``events.deliveries.peak`` is the events table summed: every publishing write's peak rate x the event's consuming groups."""
    arch = _designed(text).architecture
    spec = load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec
    peak = {u.name: u.peak_qps for u in analyse(spec).use_cases}
    assert [e.name for e in arch.events if len(published_by(e)) > 1] == ([shared] if shared else [])
    figure = next(f for f in arch.figures if f.key == "events.deliveries.peak")
    for event in arch.events:
        expected = sum(peak[u] for u in published_by(event)) * max(1, len(event.consumers))
        assert figure.inputs[event.name] == pytest.approx(expected, rel=1e-6), event.name
    assert figure.value == pytest.approx(sum(figure.inputs.values()))
    record = next(d for d in arch.decisions if d.id == "messaging")
    assert f"{fmt(figure.value)} deliveries/s" in record.context


def _lower_bound(schema: dict[str, Any]) -> int:
    """The fewest bytes a JSON object with every property of ``schema`` can take: names, quotes, fixed-width values."""
    fixed = {"uuid": 38, "date-time": 22}
    return 2 + sum(len(name) + 4 + fixed.get(str(p.get("format")), 1) for name, p in schema["properties"].items())


@pytest.mark.parametrize(
    ("text", "address"),
    [
        pytest.param(COURIERS, "customers/{customer_id}/couriers", id="courier-position-to-customers"),
        pytest.param(TICKER, "traders/{trader_id}/instruments", id="price-to-watchers"),
        pytest.param(THERMOSTATS, "owners/{owner_id}/thermostats", id="reading-to-owner"),
    ],
)
def test_pushed_row_bytes_are_its_contract_message_ok(text: str, address: str) -> None:
    """A row pushed with no event is sized by the properties its AsyncAPI schema lists, as JSON text with the envelope."""
    result = _designed(text)
    arch = result.architecture
    channel = next(c for c in arch.channels if c.address == address)
    assert not {e.name for e in arch.events} & set(channel.events), "the write path publishes the row itself"
    doc = yaml.safe_load(result.files["asyncapi/realtime-gateway.yaml"])
    key = next(k for k, v in doc["channels"].items() if v["address"] == address)
    ref = next(iter(doc["channels"][key]["messages"].values()))["$ref"].rsplit("/", 1)[1]
    schema = doc["components"]["schemas"][doc["components"]["messages"][ref]["payload"]["$ref"].rsplit("/", 1)[1]]
    sent = carried_bytes(arch, channel)
    assert set(schema["properties"]) == {"event_id", "occurred_at", *channel.fields} - set(channel.withheld)
    assert sent >= _lower_bound(schema)
    # the egress figure reads the same bytes
    egress = next(f for f in arch.figures if f.key.startswith("realtime.egress") or "gateway sends" in f.quantity)
    assert egress.inputs[f"payload_bytes_{channel.name}"] == sent
