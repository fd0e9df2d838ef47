"""A cache invalidated "by events" names events its reader really consumes (issue 22, class o7; netflix run 20 C0).

Each written entity gets the route its owner offers: the reader's own writes delete the keys after their commit (no event
needed), another service's events the reader consumes delete them on consumption, and a writer publishing none leaves
the keys to their TTL, said so. Specs of three shapes (comments under a video, tickets in a queue, answers under a
question), each cached list read by the service writing it; the pure rule is proven on all three routes by a table.
"""

from __future__ import annotations

import re

import pytest

from backend_architect.api import design_spec
from backend_architect.design.patterns._invalidation import invalidation_routes
from backend_architect.ir.model import Architecture, Event, Service
from backend_architect.spec.load import load_spec_bytes

COMMENTS = """
system: clips
team: {size: 12, teams: 3}
services:
  library: {owns: [Clip]}
  talk: {owns: [Remark]}
entities:
  Clip: {fields: {title: string(100)}, rows: 1M}
  Remark: {fields: {clip: ref(Clip), body: string(500)}, growth: 2M/day}
use_cases:
  - {name: add clip, writes: [Clip], rate: 10k/day}
  - {name: remark, writes: [Remark], rate: 2M/day}
  - {name: clip remarks, reads: [Remark], filter: [clip], sort: [-created_at], page: cursor, rate: 40M/day, staleness: 15s}
"""

TICKETS = """
system: desk
entities:
  Agent: {fields: {name: string(60)}, rows: 20k}
  Case: {fields: {agent: ref(Agent), subject: string(200), state: "enum[open,closed]"}, growth: 300k/day}
use_cases:
  - {name: open case, writes: [Case], rate: 300k/day}
  - {name: close case, kind: update, writes: [Case], rate: 250k/day}
  - {name: agent queue, reads: [Case], filter: [agent], rate: 20M/day, staleness: 5s}
"""

ANSWERS = """
system: qa
team: {size: 12, teams: 3}
services:
  asking: {owns: [Question, Reply]}
entities:
  Question: {fields: {title: string(200)}, rows: 3M}
  Reply: {fields: {question: ref(Question), body: text, score: int}, growth: 500k/day}
use_cases:
  - {name: ask, writes: [Question], rate: 100k/day}
  - {name: reply, writes: [Reply], rate: 500k/day}
  - {name: vote, kind: update, writes: [Reply], rate: 1M/day}
  - {name: question replies, reads: [Reply], filter: [question], rate: 30M/day, staleness: 30s}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


@pytest.mark.parametrize("text", [pytest.param(COMMENTS, id="remarks"), pytest.param(TICKETS, id="cases"), pytest.param(ANSWERS, id="replies")])
def test_cache_invalidation_names_a_route_that_exists_ok(text: str) -> None:
    """Every invalidating cache-aside plan names its route: the writer's after-commit delete, or events its reader consumes."""
    arch = _design(text)
    plans = [p for p in arch.caches if p.strategy == "cache-aside" and p.invalidation.startswith("delete the keys")]
    assert plans, "the spec caches no invalidated read"
    consumed = {(e.name, c) for e in arch.events for c in e.consumers}
    for plan in plans:
        assert "from their events" not in plan.invalidation
        assert "deletes the keys after each write to" in plan.invalidation or "on consuming" in plan.invalidation
        for reader, names in re.findall(r"(\S+) deletes the keys on consuming ([A-Za-z, ]+) from", plan.invalidation):
            assert all((name, reader) in consumed for name in names.split(", "))


def _arch(events: list[Event]) -> Architecture:
    services = [Service(name="feed", entities=["Post"]), Service(name="people", entities=["Person"])]
    return Architecture(system="s", services=services, events=events)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param([], "people publishes no events of Person to feed: the TTL alone bounds staleness after its writes", id="no-events"),
        pytest.param(
            [Event(name="PersonRenamed", producer="people", consumers=["feed"], entity="Person", key="id", use_case="rename")],
            "feed deletes the keys on consuming PersonRenamed from people",
            id="consumed-event",
        ),
        pytest.param(
            [Event(name="PersonRenamed", producer="people", consumers=["billing"], entity="Person", key="id", use_case="rename")],
            "people publishes no events of Person to feed: the TTL alone bounds staleness after its writes",
            id="event-for-another-consumer",
        ),
    ],
)
def test_another_owners_writes_route_by_its_events_ok(events: list[Event], expected: str) -> None:
    """A read's own writes delete after commit; another owner's only through events the reader consumes, else the TTL alone."""
    own, other = invalidation_routes(_arch(events), "feed", ["Post", "Person"]).split("; ")
    assert own == "feed deletes the keys after each write to Post commits"
    assert other == expected
