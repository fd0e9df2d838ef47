"""One event, one payload: every document naming an event defines the same fields, and they are what its consumers read.

Specs of different shapes: a feed fanned out on write (the worker needs the author), a realtime push of created
and updated rows scoped by their room (the gateway forwards the row), a search indexer (the indexed fields), and
an event a wide-column store's CDC log relays (no outbox row, the same payload).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.patterns.gateway import MESSAGE_OVERHEAD_BYTES
from backend_architect.ir.model import Column, Event, Table
from backend_architect.ir.payloads import event_payload_bytes, event_table, payload_fields
from backend_architect.ir.query import OUTBOX_SOURCE, event_source
from backend_architect.render.asyncapi import event_payload
from backend_architect.spec.load import load_spec_bytes

FEED = """
system: photo-feed
scale: {daily_active: 5M}
entities:
  Member: {fields: {handle: {type: string(30), unique: true}}, rows: 20M}
  Link: {fields: {fan: ref(Member), star: ref(Member)}, unique: [[fan, star]], avg_per_parent: 120}
  Shot: {fields: {owner: ref(Member), caption: string(200), taken_at: datetime}, growth: 30M/day}
use_cases:
  - {name: share shot, actor: member, writes: [Shot], rate: 3k/s, avg_fanout: 120}
  - {name: friends shots, actor: member, reads: [Shot, Link], filter: [Link.fan], sort: [-created_at], rate: 150k/s, consistency: eventual, staleness: 5s}
  - {name: link member, actor: member, writes: [Link], rate: 200/s}
"""

ROOMS = """
system: huddle
scale: {daily_active: 1M}
entities:
  Room: {fields: {title: string(80)}, rows: 2M}
  Note: {fields: {room: ref(Room), body: string(500), pinned: bool}, growth: 50M/day}
use_cases:
  - {name: post note, actor: member, writes: [Note], rate: 1k/s, deliver: {mode: realtime, to: Note.room}}
  - {name: pin note, actor: member, kind: update, writes: [Note.pinned], rate: 20/s, deliver: {mode: realtime, to: Note.room}}
  - {name: room notes, actor: member, reads: [Note], filter: [room], sort: [-created_at], page: cursor, rate: 5k/s}
  - {name: open room, actor: member, writes: [Room], rate: 10/s}
"""

RECIPES = """
system: recipes
entities:
  Cook: {fields: {name: {type: string(60), pii: true}, password: {type: string(100), secret: true}}, rows: 1M}
  Recipe: {fields: {cook: ref(Cook), title: string(120), steps: {type: text, avg_bytes: 2000}, cuisine: {type: "enum(thai, french, other)"}}, growth: 200k/day}
use_cases:
  - {name: join site, actor: cook, kind: create, writes: [Cook], rate: 5/s}
  - {name: publish recipe, actor: cook, writes: [Recipe], rate: 200k/day}
  - {name: retitle recipe, actor: cook, kind: update, writes: [Recipe.title], rate: 10/s}
  - {name: find recipes, actor: visitor, reads: [Recipe], search: [title, steps], filter: [cuisine], sort: [-created_at], rate: 3k/s, consistency: eventual}
"""

LAPS = """
system: pitlane
team: {size: 4}
entities:
  Race: {fields: {name: string(80)}, rows: 100k, growth: 1k/day}
  Lap: {fields: {race: ref(Race), driver: string(40), lap_ms: int, remark: {type: text, avg_bytes: 60}}}
use_cases:
  - {name: create race, actor: steward, kind: create, writes: [Race], rate: 1k/day}
  - {name: record lap, actor: timer, kind: create, writes: [Lap], rate: 400M/day, deliver: {mode: realtime, to: Lap.race}}
  - {name: race laps, actor: fan, kind: list, reads: [Lap], filter: [race], sort: [-created_at], consistency: eventual, rate: 50M/day}
  - {name: search laps, actor: fan, kind: list, reads: [Lap], filter: [race], search: [remark], consistency: eventual, rate: 1M/day}
"""

SPECS = {"feed": FEED, "rooms": ROOMS, "recipes": RECIPES, "laps": LAPS}


@functools.cache
def _designed(name: str) -> DesignResult:
    return design_spec(load_spec_bytes(SPECS[name].encode(), f"{name}.yaml"))


def _event(result: DesignResult, name: str) -> Event:
    return next(e for e in result.architecture.events if e.name == name)


def _fields(result: DesignResult, name: str) -> list[str]:
    event = _event(result, name)
    return payload_fields(event, event_table(result.architecture, event.entity))


def message_payloads(files: dict[str, str]) -> dict[str, list[tuple[str, Any]]]:
    """Each message name with the payload schema every AsyncAPI document defines for it (resolved), by document."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for path, text in sorted(files.items()):
        if not path.startswith("asyncapi/"):
            continue
        document = yaml.safe_load(text)
        schemas = document["components"]["schemas"]
        for message in document["components"]["messages"].values():
            ref = message["payload"]["$ref"].rsplit("/", 1)[-1]
            found.setdefault(message["name"], []).append((path, schemas[ref]))
    return found


#: How the gateway's document says a pushed message leaves personal fields out (design.pushed_personal_data).
_WITHHELD = re.compile(r"without its personal \(pii\) fields \(([^)]*)\)\.$")


def same_payload(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two documents define one message alike: the same schema, but for the personal fields a push withholds
    from its recipients (the gateway's copy names them in its description and leaves them out)."""
    withheld: set[str] = set()
    for schema in (first, second):
        said = _WITHHELD.search(str(schema.get("description", "")))
        withheld |= {f.strip() for f in said.group(1).split(",")} if said else set()

    def bare(schema: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in schema.items() if k != "description" or not _WITHHELD.search(str(v))}
        kept["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k not in withheld}
        kept["required"] = [r for r in schema.get("required", []) if r not in withheld]
        return kept

    return bare(first) == bare(second)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_one_message_name_one_payload_ok(name: str) -> None:
    """No two AsyncAPI documents of a design define one message name with different payloads (a push to strangers aside)."""
    result = _designed(name)
    for message, defined in message_payloads(result.files).items():
        assert all(same_payload(schema, defined[0][1]) for _, schema in defined), (message, [p for p, _ in defined])


def test_fan_out_event_carries_the_author_ok() -> None:
    """The fan-out worker finds the followers by the author: the created event it consumes carries the author's id."""
    result = _designed("feed")
    event = _event(result, "ShotShared")
    assert any(c.endswith("-fanout") for c in event.consumers)
    assert {"shot_id", "owner_id", "caption", "taken_at"} <= set(_fields(result, "ShotShared"))


def test_local_copy_event_carries_the_row_it_copies_ok() -> None:
    """A service keeping a local copy of another's rows gets the row in the event, not an id it would read back."""
    result = _designed("feed")
    event = _event(result, "LinkLinked")
    assert event.consumers == ["shots"]
    assert {"fan_id", "star_id"} <= set(_fields(result, "LinkLinked"))


def test_pushed_event_is_the_message_the_gateway_forwards_ok() -> None:
    """The gateway pushes the event its producer publishes: the same schema, carrying every column the channel's client renders."""
    result = _designed("rooms")
    channel = next(c for c in result.architecture.channels if "post note" in c.use_cases)
    gateway = yaml.safe_load(result.files["asyncapi/realtime-gateway.yaml"])
    producer = yaml.safe_load(result.files["asyncapi/notes.yaml"])
    for name in ("NotePosted", "NotePinned"):
        fields = _fields(result, name)
        # keyed by the room: the note's own id still travels
        assert _event(result, name).key == "room_id"
        assert "id" in fields
        assert set(channel.fields) <= set(fields)
        assert gateway["components"]["schemas"][f"{name}Payload"] == producer["components"]["schemas"][f"{name}Payload"]
    # an update of one field pushed to a room still carries the row the client renders
    assert {"body", "pinned"} <= set(_fields(result, "NotePinned"))


@pytest.mark.parametrize("name", ["rooms", "laps"])
def test_gateway_egress_sized_from_the_payload_defined_ok(name: str) -> None:
    """The gateway's bytes per message are the payload its documents define plus the frame, not a row size of their own."""
    result = _designed(name)
    arch = result.architecture
    egress = next(f for f in arch.figures if f.key == "realtime.egress_bytes")
    events = {e.name: e for e in arch.events}
    for channel in arch.channels:
        largest = max(event_payload_bytes(arch, events[e]) for e in channel.events)
        assert egress.inputs[f"payload_bytes_{channel.name}"] == largest
        assert egress.inputs["framing_bytes"] == MESSAGE_OVERHEAD_BYTES


def test_search_indexer_event_carries_the_indexed_fields_ok() -> None:
    """The indexer indexes what the search filters, sorts and matches on: the created event carries those fields; an update its change."""
    result = _designed("recipes")
    assert "search-indexer" in _event(result, "RecipePublished").consumers
    assert {"title", "steps", "cuisine", "created_at"} <= set(_fields(result, "RecipePublished"))
    assert {"recipe_id", "title"} <= set(_fields(result, "RecipeRetitled"))


def test_secret_column_never_travels_err() -> None:
    """A secret column (a password hash) is in no payload, though the event names the whole row."""
    result = _designed("recipes")
    table = event_table(result.architecture, "Cook")
    assert table is not None
    assert any(c.secret for c in table.columns)
    joined = Event(
        name="CookJoined", producer="recipes", consumers=["audit"], entity="Cook", key="cook_id", use_case="join site", fields=[c.name for c in table.columns]
    )
    fields = payload_fields(joined, table)
    assert not any(c.name in fields for c in table.columns if c.secret)
    assert {"cook_id", "name"} <= set(fields)


def test_cdc_relayed_event_carries_the_same_payload_ok() -> None:
    """An event a wide-column store's CDC log relays (no outbox row) is defined alike in its producer's and the gateway's document."""
    result = _designed("laps")
    event = _event(result, "LapRecorded")
    assert event_source(result.architecture, event) != OUTBOX_SOURCE
    assert {"search-indexer", "realtime-gateway"} <= set(event.consumers)
    assert {"id", "race_id", "driver", "lap_ms", "remark"} <= set(_fields(result, "LapRecorded"))
    defined = message_payloads(result.files)["LapRecorded"]
    assert len(defined) == 2
    assert defined[0][1] == defined[1][1]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_communication_table_states_the_payload_ok(name: str) -> None:
    """The design's events table lists each event's payload fields and bytes as the documents define them."""
    result = _designed(name)
    document = result.files["design.md"]
    for event in result.architecture.events:
        table = event_table(result.architecture, event.entity)
        row = next(line for line in document.splitlines() if line.startswith(f"| {event.name} | {event.producer} |"))
        assert f"| {', '.join(payload_fields(event, table))} | {event_payload_bytes(result.architecture, event)} |" in row


@pytest.mark.parametrize("name", ["feed", "rooms", "recipes"])
def test_outbox_row_sized_from_the_payloads_it_holds_ok(name: str) -> None:
    """Each outbox's payload column is the payloads of the events its service publishes, weighted by their rates."""
    result = _designed(name)
    arch = result.architecture
    rates = {u.name: u.avg_qps for u in analyse(load_spec_bytes(SPECS[name].encode(), f"{name}.yaml").spec).use_cases}
    outboxes = [(s.service, t) for s in arch.datastores for t in s.tables if t.role == "outbox"]
    assert outboxes
    for service, table in outboxes:
        events = [e for e in arch.events if e.producer == service and event_source(arch, e) == OUTBOX_SOURCE]
        weights = [rates[e.use_case] for e in events]
        expected = sum(w * event_payload_bytes(arch, e) for w, e in zip(weights, events, strict=True)) / sum(weights)
        payload = next(c for c in table.columns if c.name == "payload")
        assert payload.avg_bytes == round(expected), (service, [e.name for e in events])


@pytest.mark.parametrize(("nullable", "value", "valid"), [(True, None, True), (True, "thai", True), (False, None, False), (True, "dutch", False)])
def test_payload_schema_takes_what_the_column_holds_ok(nullable: bool, value: object, valid: bool) -> None:
    """A payload carries the row as stored: a nullable enum column's null validates, a value outside the enum does not."""
    column = Column(name="cuisine", type="text", nullable=nullable, enum_values=["thai", "french"])
    table = Table(name="recipes", entity="Recipe", columns=[Column(name="id", type="uuid"), column], primary_key=["id"])
    event = Event(name="RecipePublished", producer="recipes", entity="Recipe", key="recipe_id", use_case="publish recipe", fields=["id", "cuisine"])
    body = {"event_id": "0190a1a2-0000-7000-8000-000000000001", "occurred_at": "2026-03-01T12:00:00Z", "recipe_id": "0190a1a2-0000-7000-8000-000000000002"}
    errors = list(Draft202012Validator(event_payload(event, table)).iter_errors({**body, "cuisine": value}))
    assert (not errors) is valid, errors
