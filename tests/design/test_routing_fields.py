"""An event carries the ids its routing needs, and a key its write produces (issue 22, class j1).

The real-time gateway takes each event from the broker and reads no database, so whom a message goes to travels in it: the
written row's own column, an id on a row it refers to (``<reference>_<field>_id``), or the ``recipient_ids`` the write
names (a room's members on their own channels, the couriers a proximity query picks). The event's key is a column of the
row the operation writes, never the id of an entity it does not write (a search logging its query is keyed by the log
row). Checked where a reader meets it: the AsyncAPI payloads, the hand-off's integration entry and design.md.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Event
from backend_architect.ir.payloads import event_table
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.naming import snake

#: A like reaches the photo's owner: an id on the row the like refers to, not a column of the like.
LIKES = """
system: photo-likes
scale: {daily_active: 2M}
entities:
  User:
    fields:
      handle: {type: string(40), unique: true}
  Photo:
    fields:
      owner: ref(User)
      caption: string(200)
  Like:
    unique: [[photo, user]]
    fields:
      photo: ref(Photo)
      user: ref(User)
      liked_at: datetime
use_cases:
  - {name: post photo, writes: [Photo], rate: 1M/day}
  - {name: like photo, writes: [Like], rate: 50M/day, deliver: {mode: realtime, to: Photo.owner}}
  - {name: list photo likes, reads: [Like], filter: [photo], page: cursor, rate: 10M/day}
"""

#: A job is offered to the couriers near its pickup: a set the write picks, no column of the job.
DISPATCH = """
system: parcel-dispatch
scale: {daily_active: 500k}
entities:
  Shop:
    fields: {name: string(100)}
  Courier:
    rows: 200k
    fields:
      name: string(100)
      position: geo?
  Job:
    fields:
      shop: ref(Shop)
      courier: ref(Courier)?
      pickup: geo
      status: {type: "enum[open, taken, done]", default: open}
  JobOffer:
    avg_per_parent: 4
    fields:
      job: ref(Job)
      courier: ref(Courier)
use_cases:
  - {name: move courier, actor: courier, kind: update, writes: [Courier.position], rate: 5k/s}
  - name: post job
    actor: shop
    writes: [Job, JobOffer]
    near: Courier.position
    radius: 2km
    avg_fanout: 4
    deliver: {mode: realtime, to: courier}
    rate: 2M/day
  - {name: take job, actor: courier, kind: action, writes: [Job.courier, Job.status], rate: 2M/day}
"""

#: A note reaches every member of its team on each one's channel; an assignment reaches the assignee, a nullable column
#: named apart from the people it refers to (assignee_id, not user_id).
TASKS = """
system: task-board
scale: {daily_active: 1M}
entities:
  User:
    fields:
      email: {type: email, unique: true, pii: true}
  Team:
    fields: {name: string(80)}
  TeamMember:
    part_of: Team
    avg_per_parent: 8
    unique: [[team, person]]
    fields:
      person: ref(User)
  Task:
    fields:
      team: ref(Team)
      assignee: ref(User)?
      title: string(200)
  Note:
    fields:
      team: ref(Team)
      author: ref(User)
      text: string(500)
use_cases:
  - {name: create task, writes: [Task], rate: 2M/day}
  - {name: assign task, kind: update, writes: [Task.assignee], rate: 1M/day, deliver: {mode: realtime, to: Task.assignee}}
  - {name: post note, writes: [Note], rate: 3M/day, deliver: {mode: realtime, to: TeamMember.person}}
"""

#: A search of recipes records each lookup: its event is the lookup row's, never a Recipe's.
CATALOG = """
system: recipe-catalog
scale: {daily_active: 3M}
entities:
  Recipe:
    fields:
      title: string(200)
      cuisine: string(40)
  LookupLog:
    append_only: true
    fields:
      terms: string(200)
      looked_at: datetime
use_cases:
  - {name: add recipe, writes: [Recipe], rate: 100k/day}
  - {name: find recipes, kind: list, reads: [Recipe], writes: [LookupLog], search: [title], page: cursor, rate: 30M/day}
"""

UUID = {"type": "string", "format": "uuid"}

#: spec, the delivering write, the payload property naming its recipients, its JSON Schema type, and whether every message holds it
ROUTED = [
    pytest.param(LIKES, "like photo", "photo_owner_id", UUID, True, id="to-a-row-it-refers-to"),
    pytest.param(DISPATCH, "post job", "recipient_ids", {"type": "array", "items": UUID}, True, id="picked-by-proximity"),
    pytest.param(TASKS, "post note", "recipient_ids", {"type": "array", "items": UUID}, True, id="room-members-on-own-channels"),
    pytest.param(TASKS, "assign task", "assignee_id", {"type": ["string", "null"], "format": "uuid"}, False, id="own-nullable-column"),
]


@functools.cache
def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml"))


def _event(result: DesignResult, use_case: str) -> Event:
    return next(e for e in result.architecture.events if e.use_case == use_case)


def _payloads(result: DesignResult, event: str) -> list[dict[str, Any]]:
    """Every AsyncAPI document's schema of ``event``'s payload (the producer's, the consumers', the gateway's)."""
    documents = [yaml.safe_load(t) for p, t in result.files.items() if p.startswith("asyncapi/")]
    return [d["components"]["schemas"][f"{event}Payload"] for d in documents if f"{event}Payload" in d["components"]["schemas"]]


def _published(result: DesignResult, event: str) -> dict[str, Any]:
    handoff = json.loads(result.files["handoff.json"])
    return next(p for s in handoff["integration"] for p in s["publishes"] if p["event"] == event)


@pytest.mark.parametrize(("text", "use_case", "field", "schema", "always"), ROUTED)
def test_pushed_event_names_its_recipients_ok(text: str, use_case: str, field: str, schema: dict[str, Any], always: bool) -> None:
    """Each document defining the pushed event's payload holds the property naming its recipients, typed as the ids are."""
    result = _designed(text)
    event = _event(result, use_case)
    assert [r.field for r in event.recipients] == [field]
    payloads = _payloads(result, event.name)
    assert len(payloads) >= 2  # the producer's document and the gateway's
    for payload in payloads:
        found = {k: v for k, v in payload["properties"][field].items() if k != "description"}
        assert found == schema
        assert (field in payload["required"]) == always
        assert "gateway publishes the message on the channel" in payload["properties"][field]["description"]


@pytest.mark.parametrize(("text", "use_case", "field", "schema", "always"), ROUTED)
def test_handoff_and_design_say_the_same_recipients_ok(text: str, use_case: str, field: str, schema: dict[str, Any], always: bool) -> None:
    """The hand-off's integration entry and design.md's events table carry the property, and the gateway's text reads it."""
    result = _designed(text)
    event = _event(result, use_case)
    published = _published(result, event.name)
    assert field in published["payload"]
    assert published["key"] == event.key
    design = result.files["design.md"]
    row = next(line for line in design.splitlines() if line.startswith(f"| {event.name} | "))
    assert field in row.split(" | ")[5]
    gateway = yaml.safe_load(result.files["asyncapi/realtime-gateway.yaml"])
    channels = [c for c in gateway["channels"].values() if any(m["$ref"].split("/")[-1].startswith(f"{event.name}On") for m in c["messages"].values())]
    assert channels
    assert all(f"named by each message's {field}" in c["description"] or f"or {field}" in c["description"] for c in channels)
    said = gateway["info"]["description"].split("addressed to the channel(s) its payload names")
    assert len(said) == 2
    assert field in said[1]
    component = next(line for line in design.splitlines() if line.startswith("| realtime-gateway | realtime-gateway |"))
    assert field in component.split("its payload names")[1]


@pytest.mark.parametrize("text", [LIKES, DISPATCH, TASKS, CATALOG])
def test_every_key_is_a_column_its_write_produces_ok(text: str) -> None:
    """Every event is keyed by its written row's id or a column of that row every message holds, named as the table names it."""
    result = _designed(text)
    for event in result.architecture.events:
        table = event_table(result.architecture, event.entity)
        assert table is not None
        columns = {c.name: c for c in table.columns}
        own = event.key in {f"{snake(event.entity)}_id", f"{event.entity.lower()}_id"}
        assert own or (event.key in columns and not columns[event.key].nullable), (event.name, event.key)
        for payload in _payloads(result, event.name):
            assert event.key in payload["required"]


def test_a_read_recording_rows_is_keyed_by_the_recorded_row_ok() -> None:
    """A search that logs its query publishes the log row's event: keyed by its id, never requiring or naming the searched entity's."""
    result = _designed(CATALOG)
    event = _event(result, "find recipes")
    assert (event.entity, event.key) == ("LookupLog", "lookup_log_id")
    for payload in _payloads(result, event.name):
        assert "lookup_log_id" in payload["required"]
        assert "terms" in payload["properties"]
        assert "recipe_id" not in payload["properties"]
    assert not any("written with the Recipe" in t for p, t in result.files.items() if p.startswith("asyncapi/"))
    assert _published(result, event.name)["key"] == "lookup_log_id"
    assert "recipe_id" not in _published(result, event.name)["payload"]


def test_an_unrouted_event_names_no_recipients_err() -> None:
    """An event no gateway consumes (a copy's feed, a log row) carries no recipient property: nothing routes it."""
    result = _designed(CATALOG)
    assert all(not e.recipients for e in result.architecture.events)
    assert all("recipient_ids" not in t for p, t in result.files.items() if p.startswith("asyncapi/"))
