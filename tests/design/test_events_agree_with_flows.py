"""Events and caches agree with the flows that produce them.

Four promises, each checked over specs of different shapes written as a user would:

- an event several writes publish names all of them, wherever it is named: the events table, its AsyncAPI summary, the
  failure table and the broker's figures (whatsapp's ReceiptMarked named one write, its broker counted two);
- an id an event carries "read by the producer as it writes" is read by every write publishing it: a query of the row's
  owner in its flow, counted on the owner, or an indexed read in its own database, counted and timed (a receipt marked
  read that reads no Message cannot address the Message's sender);
- a page its writers keep current (write-through) is a Redis step of each writer, after its commit, in its sequence and
  its latency budget;
- a get of rows nothing changes counts no invalidating writes (a create makes a new key), and says so.
"""

from __future__ import annotations

import textwrap

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import UseCase, analyse
from backend_architect.design.routing_steps import routing_row
from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture, Event, Flow
from backend_architect.ir.query import published_by
from backend_architect.spec.load import load_spec_bytes

#: Bids on lots, pushed to the seller through the lot; outbid notices marked shown or dismissed (one event, two writes), pushed
#: to the bid's bidder: the dismissal changes a row of another service's Bid only by id.
AUCTION = """\
system: auctions
scale: {rates: peak, daily_active: 2M}
entities:
  Bidder: {fields: {name: string(80)}}
  Lot: {fields: {seller: ref(Bidder), title: string(200), closes_at: datetime}}
  Bid:
    fields: {lot: ref(Lot), bidder: ref(Bidder), amount: money, placed_at: datetime}
  Outbid:
    fields: {bid: ref(Bid), bidder: ref(Bidder), state: enum[shown,dismissed]}
    unique: [[bid, bidder]]
use_cases:
  - {name: list a lot, writes: [Lot], rate: 5/s}
  - {name: place bid, writes: [Bid], rate: 400/s, deliver: {mode: realtime, to: Lot.seller}}
  - {name: mark outbid shown, writes: [Outbid], rate: 300/s, deliver: {mode: realtime, to: Bid.bidder}}
  - {name: mark outbid dismissed, kind: update, writes: [Outbid.state], rate: 200/s, deliver: {mode: realtime, to: Bid.bidder}}
  - {name: lot bids, reads: [Bid], filter: [lot], sort: [-placed_at], page: {style: cursor, limit: 20}, rate: 3000/s}
  - {name: view bid, kind: get, reads: [Bid], rate: 500/s}
"""

#: A task's notes live with the task in one service: the assignee the notes are pushed to is read locally.
TASKS = """\
system: taskboard
scale: {rates: peak}
entities:
  Member: {fields: {name: string(80), email: {type: string(120), unique: true}}}
  Task: {fields: {assignee: ref(Member), title: string(200), due_on: date?}}
  TaskNote:
    part_of: Task
    fields: {writer: ref(Member), text: text, state: enum[new,seen]}
use_cases:
  - {name: open task, writes: [Task], rate: 20/s}
  - {name: add task note, writes: [TaskNote], rate: 90/s, deliver: {mode: realtime, to: Task.assignee}}
  - {name: mark task note seen, kind: update, writes: [TaskNote.state], rate: 60/s, deliver: {mode: realtime, to: Task.assignee}}
  - {name: task notes, reads: [TaskNote], filter: [task], sort: [-created_at], page: cursor, rate: 80/s}
"""

#: Alarms on meter readings pushed to the meter's owner, two rows away (the reading, then its meter); readings kept as a
#: newest page per meter and read one by one.
METERS = """\
system: meters
scale: {rates: peak}
entities:
  Owner: {fields: {name: string(80)}}
  Meter: {fields: {owner: ref(Owner), label: string(60)}}
  Reading:
    fields: {meter: ref(Meter), value: float, taken_at: datetime}
    growth: 50M/day
  Alarm:
    fields: {reading: ref(Reading), level: enum[low,high], state: enum[open,acknowledged]}
use_cases:
  - {name: register meter, writes: [Meter], rate: 3/s}
  - {name: record reading, writes: [Reading], rate: 2000/s}
  - {name: raise alarm, writes: [Alarm], rate: 40/s, deliver: {mode: realtime, to: Meter.owner}}
  - {name: acknowledge alarm, kind: update, writes: [Alarm.state], rate: 30/s, deliver: {mode: realtime, to: Meter.owner}}
  - {name: meter readings, reads: [Reading], filter: [meter], sort: [-taken_at], page: {style: cursor, limit: 30}, rate: 2500/s}
  - {name: get reading, kind: get, reads: [Reading], rate: 900/s}
"""

#: A messenger's messages and receipts (the run-19 whatsapp shape, small): one receipt event for delivered and read.
MESSAGES = """\
system: chatter
scale: {rates: peak, daily_active: 1M}
entities:
  Person: {fields: {name: string(80)}}
  Room: {fields: {title: string(100)}}
  Note:
    fields: {room: ref(Room), sender: ref(Person), body: text, sent_at: datetime}
  Receipt:
    fields: {note: ref(Note), person: ref(Person), status: enum[delivered,read]}
    unique: [[note, person]]
use_cases:
  - {name: open room, writes: [Room], rate: 10/s}
  - {name: send note, writes: [Note], rate: 800/s}
  - {name: mark note delivered, writes: [Receipt], rate: 700/s, deliver: {mode: realtime, to: Note.sender}}
  - {name: mark note read, kind: update, writes: [Receipt.status], rate: 600/s, deliver: {mode: realtime, to: Note.sender}}
  - {name: room notes, reads: [Note], filter: [room], sort: [-sent_at], page: {style: cursor, limit: 50}, rate: 4000/s}
  - {name: get note, kind: get, reads: [Note], rate: 300/s}
"""

SPECS = [pytest.param(AUCTION, id="auction"), pytest.param(TASKS, id="tasks"), pytest.param(METERS, id="meters"), pytest.param(MESSAGES, id="messages")]

_DESIGNS: dict[str, DesignResult] = {}


def _design(text: str) -> DesignResult:
    if text not in _DESIGNS:
        _DESIGNS[text] = design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))
    return _DESIGNS[text]


def _flows(arch: Architecture) -> dict[str, Flow]:
    return {f.use_case: f for f in arch.flows}


def _relaying(arch: Architecture, event: Event) -> list[str]:
    """The use cases whose flows take ``event`` from its producer to the broker (an outbox row or a CDC log)."""
    return [
        f.use_case
        for f in arch.flows
        if any(
            s.kind == "event" and s.source == event.producer and s.via in {"outbox", "cdc"} and s.description.startswith(f"{event.name} via ") for s in f.steps
        )
    ]


@pytest.mark.parametrize("text", SPECS)
def test_every_publisher_is_named_everywhere_ok(text: str) -> None:
    """Each event names every write whose flow publishes it, in the events table, its AsyncAPI summary and the broker's rate."""
    result = _design(text)
    arch = result.architecture
    design_md = result.files["design.md"]
    assert arch.events, "the spec publishes no event"
    for event in arch.events:
        names = published_by(event)
        assert set(_relaying(arch, event)) <= set(names), (event.name, names)
        row = next(line for line in design_md.splitlines() if line.startswith(f"| {event.name} | {event.producer} |"))
        assert f"| {', '.join(names)} |" in row, row
        summary = yaml.safe_load(result.files[f"asyncapi/{event.producer}.yaml"])["components"]["messages"][event.name]["summary"]
        assert all(f"'{n}'" in summary for n in names), summary
        rate = next((f for f in arch.figures if f.key == "events.peak"), None)
        if rate is not None and event.name in rate.inputs:
            wanted = sum(u.peak_qps for u in _uses(text) if u.name in names)
            assert rate.inputs[event.name] == pytest.approx(wanted), (event.name, rate.inputs[event.name], wanted)


def _uses(text: str) -> list[UseCase]:
    return list(analyse(_design(text).spec).use_cases)


@pytest.mark.parametrize("text", [pytest.param(AUCTION, id="auction"), pytest.param(MESSAGES, id="messages")])
def test_one_event_of_two_writes_names_both_ok(text: str) -> None:
    """Two writes marking one row (shown, dismissed; delivered, read) publish one event, and it names both."""
    arch = _design(text).architecture
    shared = [e for e in arch.events if len(published_by(e)) > 1]
    assert shared, [(e.name, published_by(e)) for e in arch.events]
    for event in shared:
        assert published_by(event) == _relaying(arch, event)


@pytest.mark.parametrize("text", SPECS)
def test_a_routing_id_is_read_by_every_publisher_ok(text: str) -> None:
    """An id the payload carries from a referred row is read by each publishing write: a query of the row's owner drawn
    before the commit (the owner's GET among its consumers, its reads counted), or an indexed read in its own database."""
    arch = _design(text).architecture
    owners = {e: s.name for s in arch.services for e in s.entities}
    flows = _flows(arch)
    figures = {f.key: f for f in arch.figures}
    chained = [(e, r) for e in arch.events for r in e.recipients if len(r.path) > 1]
    assert chained, "no event is routed through a referred row"
    for event, routing in chained:
        assert routing.rows, routing
        assert len(routing.rows) == len(routing.path) - 1, routing
        for name in published_by(event):
            flow = flows[name]
            home = flow.steps[0].target
            for row in routing.rows:
                if owners[row] == home:
                    uid = name.replace(" ", "-")
                    load = figures.get(f"db.mechanism.routing_{uid}_{row.lower()}")
                    assert load is not None, sorted(k for k in figures if "routing" in k)
                    assert load.value > 0, load
                    assert any(f"routing_{uid}_{row.lower()}" in f.inputs for f in arch.figures if f.key.startswith("db.reads.peak.")), (name, row)
                    assert any(p.part.startswith(f"indexed read of the {row} for the {event.name}") for p in flow.latency_parts), flow.latency_parts
                    continue
                asks = [s for s in flow.steps if s.kind in {"query", "call"} and s.target == owners[row] and f" {row} " in f" {s.description} "]
                assert asks, (name, row, [s.description for s in flow.steps])
                assert all(s.operations for s in asks), asks
                commit = next((i for i, s in enumerate(flow.steps) if s.kind == "event"), len(flow.steps))
                assert flow.steps.index(asks[0]) < commit


def test_the_routing_read_is_counted_on_its_owner_ok() -> None:
    """The owner answering a routing read counts the reads its database makes for it, one a request of the write."""
    arch = _design(AUCTION).architecture
    flow = _flows(arch)["mark outbid dismissed"]
    step = next(s for s in flow.steps if routing_row(s) == "Bid")
    calls = [f for f in arch.figures if f.key.startswith("db.mechanism.call_") and f.key.endswith(f"_{step.target}")]
    load = next(f for f in calls if "mark outbid dismissed" in f.quantity)
    assert load.value == pytest.approx(200.0), load
    requests = next(f for f in arch.figures if f.key == f"qps.peak.service.{step.target}")
    assert any(k.startswith("call_markOutbidDismissed") for k in requests.inputs), requests.inputs
    # a hop between deployables has its timeout from the budget; between modules of one, it is a function call
    assert step.timeout_ms or one_deployable(arch), step


@pytest.mark.parametrize("text", [pytest.param(AUCTION, id="auction"), pytest.param(METERS, id="meters"), pytest.param(MESSAGES, id="messages")])
def test_a_written_through_page_is_a_step_of_each_writer_ok(text: str) -> None:
    """Each writer of a page kept current by its writers pushes onto it after its commit: its sequence draws the Redis call
    between the commit and the response, and its latency budget times it."""
    result = _design(text)
    arch = result.architecture
    kept = [c for c in arch.caches if c.write_through]
    assert kept, "no page is written through"
    for cache in kept:
        writers = [m for m in arch.mechanisms if m.decision == f"cache.{cache.use_case.replace(' ', '-')}" and m.serves == "write"]
        assert writers, cache.use_case
        for mechanism in writers:
            flow = _flows(arch)[mechanism.use_case]
            assert any(s.target == "redis" and s.kind == "call" for s in flow.steps), flow.steps
            assert any(p.part.startswith("redis: push") for p in flow.latency_parts), flow.latency_parts
            lines = result.files[f"diagrams/sequence-{mechanism.use_case.replace(' ', '-')}.mmd"].splitlines()
            committed = next(i for i, line in enumerate(lines) if "committed" in line)
            pushed = next(i for i, line in enumerate(lines) if "->>p_redis: push" in line)
            answered = next(i for i, line in enumerate(lines) if line.strip().endswith(": response"))
            assert committed < pushed < answered, lines


@pytest.mark.parametrize("text", [pytest.param(AUCTION, id="auction"), pytest.param(METERS, id="meters"), pytest.param(MESSAGES, id="messages")])
def test_rows_that_never_change_delete_no_key_ok(text: str) -> None:
    """A get over rows only ever created counts no invalidating write in its hit ratio and sends Redis no DEL for it."""
    arch = _design(text).architecture
    never = [c for c in arch.caches if c.strategy == "cache-aside" and "never change once written" in c.rationale]
    assert never, [c.rationale for c in arch.caches]
    redis = next(c for c in arch.components if c.name == "redis")
    for cache in never:
        uid = cache.use_case.replace(" ", "-")
        hit = next(f for f in arch.figures if f.key.startswith("cache.hit_ratio.") and f.scope == f"use case '{cache.use_case}'")
        assert hit.inputs["invalidating_writes_per_s"] == 0, hit.inputs
        assert f"cache_deletes_{uid}" not in redis.operations, redis.operations
        assert cache.invalidation.startswith("none:"), cache.invalidation


@pytest.mark.parametrize("text", SPECS)
def test_a_cache_counting_deletes_does_not_say_never_ok(text: str) -> None:
    """A cached read whose rows some write changes (its DELs counted) never says its rows never change, unless it names
    the writes to what it embeds that delete its key."""
    arch = _design(text).architecture
    redis = next((c for c in arch.components if c.name == "redis"), None)
    for cache in arch.caches:
        deletes = (redis.operations if redis else {}).get(f"cache_deletes_{cache.use_case.replace(' ', '-')}", 0.0)
        if deletes and "never change once written" in cache.rationale:
            assert "delete the key" in cache.rationale, cache.rationale
