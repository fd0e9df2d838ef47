"""One figure per quantity around events, and one account of their consumers (issue 22, class g3).

Specs of different shapes, written here as a stranger would: a feed whose fan-out worker runs in the service owning the
follow graph, a searched and pushed catalogue in one database, a searched and photographed catalogue with a pushed sales
feed, and a chat of rooms pushing messages. For each: every service running a worker that consumes an event is a
consumer of it in the hand-off (its service and its integration), in its AsyncAPI document (a receive operation) and in
design.md's events table and topology; the gateway's egress names the payload the events table states and the framing
apart; and the database size the availability record states is its datastore figure, every table counted.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.patterns._common import size
from backend_architect.design.patterns.availability import largest_database_bytes
from backend_architect.design.patterns.gateway import MESSAGE_OVERHEAD_BYTES
from backend_architect.ir.consumers import consumer_label, consuming_services, runners
from backend_architect.ir.model import Architecture
from backend_architect.ir.payloads import event_payload_bytes
from backend_architect.spec.load import load_spec_bytes

FEED = """
system: clubs
scale: {users: 20M}
services:
  people: {owns: [Member, Follow]}
  posts: {owns: [Post]}
entities:
  Member: {fields: {nick: {type: string(30), unique: true}}, rows: 20M}
  Follow:
    fields: {fan: ref(Member), star: ref(Member)}
    unique: [[fan, star]]
  Post:
    append_only: true
    fields: {author: ref(Member), body: string(500)}
    growth: 5M/day
use_cases:
  - {name: write post, actor: member, writes: [Post], rate: 400/s, avg_fanout: 200}
  - name: read wall
    actor: member
    owner_only: true
    reads: [Follow, Post]
    filter: [Follow.fan]
    sort: [-Post.created_at]
    page: cursor
    rate: 40k/s
    staleness: 10s
  - {name: follow member, actor: member, writes: [Follow]}
"""

SEARCHED_AND_PUSHED = """
system: cookbook
scale: {users: 2M}
services:
  kitchen: {owns: [Cook, Recipe]}
  boards: {owns: [Board]}
entities:
  Cook: {fields: {name: string(60)}, rows: 2M}
  Recipe:
    fields: {cook: ref(Cook), title: string(120), steps: text, cuisine: string(30)}
    growth: 50k/day
  Board: {fields: {owner: ref(Cook), recipe: ref(Recipe)}}
use_cases:
  - {name: publish recipe, actor: cook, writes: [Recipe], rate: 5/s}
  - {name: find recipes, actor: cook, reads: [Recipe], search: [title, steps], page: cursor, rate: 300/s}
  - {name: watch new recipes, actor: cook, kind: list, reads: [Recipe], deliver: realtime}
  - {name: pin recipe, actor: cook, writes: [Board], reads: [Recipe]}
"""

PHOTOGRAPHED = """
system: depot
scale: {users: 5M}
services:
  catalogue: {owns: [Seller, Item]}
  ledger: {owns: [Sale]}
entities:
  Seller: {fields: {name: string(80)}, rows: 200k}
  Item:
    fields: {seller: ref(Seller), label: string(100), price: money, photo: {type: blob, avg_bytes: 2MB, media: {renditions: [thumb, large]}}}
    growth: 300k/day
  Sale: {fields: {item: ref(Item), buyer: string(40), paid: money}, growth: 1M/day}
use_cases:
  - {name: list item, actor: seller, writes: [Item], rate: 20/s}
  - {name: search items, actor: buyer, reads: [Item], search: [label], page: cursor, rate: 2k/s}
  - {name: buy item, actor: buyer, writes: [Sale], reads: [Item], rate: 50/s}
  - {name: sales feed, actor: seller, kind: list, reads: [Sale], filter: [item], deliver: realtime}
"""

ROOMS = """
system: parlour
scale: {daily_active: 3M, concurrent_connections: 400k}
services:
  accounts: {owns: [Person]}
  talk: {owns: [Room, Line]}
entities:
  Person: {fields: {handle: {type: string(20), unique: true}}, rows: 10M}
  Room: {fields: {title: string(80)}, rows: 500k}
  Line:
    append_only: true
    fields: {room: ref(Room), speaker: ref(Person), said: string(1000)}
    growth: 80M/day
use_cases:
  - {name: say line, actor: person, writes: [Line], rate: 3k/s, deliver: {mode: realtime, to: Line.room}}
  - {name: read room, actor: person, kind: list, reads: [Line], filter: [room], sort: [-created_at], page: cursor, rate: 20k/s}
  - {name: search lines, actor: person, reads: [Line], search: [said], page: cursor, rate: 200/s}
"""

SPECS = {"feed": FEED, "searched-and-pushed": SEARCHED_AND_PUSHED, "photographed": PHOTOGRAPHED, "rooms": ROOMS}
DESIGNED: dict[str, DesignResult] = {name: design_spec(load_spec_bytes(text.encode(), f"{name}.yaml")) for name, text in SPECS.items()}
CASES = [pytest.param(name, id=name) for name in SPECS]


def _handoff(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DESIGNED[name].files["handoff.json"])
    return loaded


@pytest.mark.parametrize("name", CASES)
def test_a_worker_makes_its_service_a_consumer_everywhere_ok(name: str) -> None:
    """A service running a worker that consumes an event lists it in the hand-off, receives it in AsyncAPI, and is named beside the worker."""
    result = DESIGNED[name]
    arch = result.architecture
    handoff = _handoff(name)
    implemented = {s["name"]: s for s in handoff["implementers"]["services"]}
    integrated = {i["service"]: i for i in handoff["integration"]}
    published = {p["event"]: p for i in handoff["integration"] for p in i["publishes"]}
    document = result.files["design.md"]
    topology = result.files["diagrams/architecture.txt"]
    run = 0
    for event in arch.events:
        assert published[event.name]["consuming_services"] == consuming_services(arch, event), (name, event.name)
        for consumer in event.consumers:
            label = consumer_label(arch, consumer)
            assert f"~~{event.name}~~> {label}" in topology, (name, event.name, label)
            for service in runners(arch, consumer):
                run += service != consumer
                assert event.name in implemented[service]["consumes"], (name, event.name, consumer, service)
                assert event.name in [c["event"] for c in integrated[service]["consumes"]], (name, event.name, consumer, service)
                contract = yaml.safe_load(result.files[f"asyncapi/{service}.yaml"])
                received = [o for o in contract["operations"].values() if o["action"] == "receive"]
                addresses = [contract["channels"][o["channel"]["$ref"].rsplit("/", 1)[-1]]["address"] for o in received]
                assert published[event.name]["channel"] in addresses, (name, event.name, service)
        row = next(line for line in document.splitlines() if line.startswith(f"| {event.name} | {event.producer} | "))
        assert row.split(" | ")[2] == (", ".join(consumer_label(arch, c) for c in event.consumers) or "-"), (name, row)
    # no service consumes what none of its workers or itself takes
    for service, entry in implemented.items():
        assert set(entry["consumes"]) == {e.name for e in arch.events if service in consuming_services(arch, e)}, (name, service)
    assert run, f"{name}: no worker run by a service consumes an event; the case proves nothing"


@pytest.mark.parametrize("name", [c for c in CASES if c.id != "feed"])
def test_gateway_egress_names_the_payload_and_the_framing_ok(name: str) -> None:
    """The egress states each channel's payload (the events table's and the hand-off's figure) and the framing, each by name."""
    result = DESIGNED[name]
    arch = result.architecture
    egress = next(f for f in arch.figures if f.key == "realtime.egress_bytes")
    assert egress.formula == "sum over channels of deliveries x (payload_bytes + framing_bytes)"
    assert egress.inputs["framing_bytes"] == MESSAGE_OVERHEAD_BYTES
    handed = {p["event"]: p["payload_bytes"] for i in _handoff(name)["integration"] for p in i["publishes"]}
    events = {e.name: e for e in arch.events}
    for channel in arch.channels:
        carried = [events[e] for e in channel.events if e in events]
        assert carried, (name, channel.name)
        largest = max(event_payload_bytes(arch, e) for e in carried)
        assert egress.inputs[f"payload_bytes_{channel.name}"] == largest == max(handed[e.name] for e in carried), (name, channel.name)
        for event in carried:
            assert re.search(rf"^\| {event.name} \|.* \| {handed[event.name]} \|$", result.files["design.md"], re.M), (name, event.name)
        gateway = next(d for d in arch.decisions if d.id == "realtime.gateway")
        assert f"{largest:,.0f} B (the {' / '.join(channel.events)} payload, envelope included) + {MESSAGE_OVERHEAD_BYTES} B of framing" in gateway.rationale
    assert "| payload bytes (JSON, envelope included) |" in result.files["design.md"]


@pytest.mark.parametrize("name", CASES)
def test_a_databases_size_is_its_datastore_figure_ok(name: str) -> None:
    """The availability record's database size is the largest database's figure with every table it holds, outbox and keys included."""
    result = DESIGNED[name]
    arch = result.architecture
    known = {f.key: f.value for f in arch.figures}
    expected = largest_database_bytes(arch, known)
    availability = next(d for d in arch.decisions if d.id == "availability")
    stated = re.search(r"(?:largest )?database ([\d,.]+ [KMGTP]?B) after a year", availability.context)
    assert stated is not None, (name, availability.context)
    assert stated.group(1) == size(expected), (name, availability.context)
    assert f"database {size(expected)} after a year" in result.files["design.md"]
    # the tables the guarantees add count: a database with an outbox is larger than its largest domain table
    guarded = [s for s in arch.datastores if any(t.role == "outbox" for t in s.tables) and known.get(f"bytes.1y.datastore.{s.name}", 0.0) > 0]
    assert guarded, name
    for store in guarded:
        tables = sum(known.get(f"bytes.1y.{t.name}", 0.0) for t in store.tables)
        assert known[f"bytes.1y.datastore.{store.name}"] == pytest.approx(tables), (name, store.name)


def test_runners_of_a_worker_and_a_deployable_ok() -> None:
    """A worker is run by its services; the gateway, a deployable of its own, by none; a service by itself."""
    arch: Architecture = DESIGNED["feed"].architecture
    fanout = next(c for c in arch.components if c.kind == "worker" and c.name.endswith("-fanout"))
    assert runners(arch, fanout.name) == ["people"]
    assert consumer_label(arch, fanout.name) == f"{fanout.name} (run by people)"
    assert runners(arch, "posts") == ["posts"]
    assert runners(arch, "realtime-gateway") == []
