"""An event a stage adds after capacity (a search indexer's feed, a cross-shard write's applier event, a by-owner copy's
feed) is counted everywhere: in the rows committed with each write and in the broker's record.

Capacity, storage, partitioning and every stage up to the last one adding events run again with the events known
(``design/pipeline.py``), so for a finished design:

- each table's outbox, processed-event and idempotency rows/s and its inserts/s are the ones its finished flows and
  events commit (recomputed from the finished design, they come out the same);
- the broker's record is decided from every event: its event types, events/s and deliveries/s are the events table's.
"""

from __future__ import annotations

import textwrap
from functools import cache

import pytest

from backend_architect.design.analysis import Analysis, analyse
from backend_architect.design.loads import insert_figures
from backend_architect.design.patterns._common import fmt
from backend_architect.design.patterns.messaging import event_rates
from backend_architect.design.pipeline import LAST_ADDING_EVENTS, STAGES, design_with_analysis
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

# an indexer fed by every write of a recipe: the two updates' events are added with the index, after capacity
RECIPES = """\
system: cookbook
scale: {daily_active: 3M}
entities:
  Cook: {fields: {name: string(80)}}
  Recipe:
    fields: {cook: ref(Cook), title: string(160), steps: text, state: "enum[draft, published, retired]", minutes: int}
    growth: 200k/day
use_cases:
  - {name: write recipe, writes: [Recipe], rate: 200k/day}
  - {name: rename recipe, kind: update, writes: [Recipe.title], rate: 80k/day}
  - {name: retire recipe, kind: update, writes: [Recipe.state], rate: 20k/day}
  - {name: search recipes, reads: [Recipe], search: [title, steps], filter: [state], sort: [minutes], page: cursor, rate: 50M/day}
"""

# a searched many-to-many relation: linking and unlinking a book's shelves reach the index through events of their own
SHELVES = """\
system: library
scale: {daily_active: 800k}
entities:
  Shelf: {fields: {label: string(40)}, avg_per_parent: 3}
  Book:
    fields: {title: string(200), isbn: {type: string(13), unique: true}, pages: int}
    many_to_many: {shelves: Shelf}
    growth: 50k/day
use_cases:
  - {name: add book, writes: [Book, Book.shelves], rate: 50k/day}
  - {name: shelve book, writes: [Book.shelves], rate: 300k/day}
  - {name: unshelve book, writes: [Book.shelves], rate: 40k/day}
  - {name: search books, reads: [Book, Shelf], search: [title, shelves], page: cursor, rate: 20M/day}
"""

# a board and its seats on different shards once sharded: the board's write publishes the event its seats follow
BOARDS = """\
system: kanban
scale: {users: 900M, daily_active: 300M}
entities:
  Member: {fields: {email: {type: email, unique: true, pii: true}}}
  Board: {fields: {name: string(120), visibility: "enum[private, team]"}, growth: 30M/day}
  Seat: {part_of: Board, fields: {member: ref(Member), role: "enum[owner, editor, viewer]"}, avg_per_parent: 3}
  Card: {part_of: Board, fields: {author: ref(Member), text: text}, growth: 15B/day}
use_cases:
  - {name: open board, writes: [Board, Seat], rate: 30M/day}
  - {name: add card, writes: [Card], rate: 15B/day}
  - {name: list my boards, reads: [Board, Seat], filter: [Seat.member], page: cursor, rate: 1B/day}
  - {name: list board cards, reads: [Card], filter: [board], sort: [-created_at], page: cursor, rate: 6B/day}
"""

# a room sharded now for its posts' writes, its occupants still on the unsharded primary, made by one create: apart today
ROOMS = """\
system: forum-rooms
scale: {daily_active: 50M, retention_years: 3}
entities:
  Person: {fields: {nick: {type: string(30), unique: true}}}
  Room: {fields: {topic: string(40), created_by: ref(Person), last_post_at: datetime?}}
  Occupant:
    part_of: Room
    fields: {person: ref(Person), role: "enum[guest, host]"}
    unique: [[room, person]]
    avg_per_parent: 2
    max_per_parent: 100
  Post: {fields: {room: ref(Room), author: ref(Person), body: {type: text, avg_bytes: 120}}, append_only: true}
use_cases:
  - {name: open room, writes: [Room, Occupant], rate: 3M/day}
  - {name: write post, writes: [Post, Room.last_post_at], rate: 2B/day}
  - {name: list my rooms, reads: [Room, Occupant], filter: [Occupant.person], page: cursor, rate: 500M/day}
  - {name: list room posts, reads: [Post], filter: [room], sort: [-created_at], page: cursor, rate: 1B/day}
"""

CASES = [
    pytest.param(RECIPES, "recipes", "outbox_rename-recipe_recipes", id="indexer-fed-updates"),
    pytest.param(SHELVES, "books", "outbox_unshelve-book_books", id="searched-links"),
    pytest.param(BOARDS, "boards", "outbox_open-board_boards", id="rows-on-two-shards"),
    pytest.param(ROOMS, "rooms", "outbox_open-room_rooms", id="rows-apart-today"),
]


@cache
def designed(text: str) -> tuple[Architecture, Analysis]:
    return design_with_analysis(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec)


@pytest.mark.parametrize(("text", "table", "late"), CASES)
def test_rows_committed_with_a_write_count_every_event_ok(text: str, table: str, late: str) -> None:
    """Each table's guarantee rows and inserts/s are those the finished events and flows commit, the late event's outbox rows among them."""
    arch, analysis = designed(text)
    stated = {f.key: f for f in arch.figures if f.key.startswith(("qps.peak.guarantee.table.", "qps.peak.insert.table."))}
    finished = {f.key: f for f in insert_figures(analysis, arch)}
    assert late in stated[f"qps.peak.guarantee.table.{table}"].inputs
    # tables added after the sizing (the outbox itself, a by-owner copy) state no rate of their own there
    assert {k: round(f.value, 6) for k, f in stated.items()} == {k: round(finished[k].value, 6) for k in stated}


@pytest.mark.parametrize(("text", "table", "late"), CASES)
def test_broker_record_counts_every_event_ok(text: str, table: str, late: str) -> None:
    """The broker is decided from every event: its event types, events/s and deliveries/s are the finished events table's."""
    arch, analysis = designed(text)
    per_event, per_delivery = event_rates(analysis, arch)
    figures = {f.key: f for f in arch.figures}
    assert set(figures["events.peak"].inputs) == {e.name for e in arch.events}
    assert figures["events.peak"].value == pytest.approx(sum(per_event.values()))
    assert figures["events.deliveries.peak"].value == pytest.approx(sum(per_delivery.values()))
    record = next(d for d in arch.decisions if d.id == "messaging")
    said = f"{len(arch.events)} event type(s): {fmt(sum(per_event.values()))} events/s and {fmt(sum(per_delivery.values()))} deliveries/s"
    assert record.context.startswith(said)
    assert all(f"{e.name} by {e.key}" in record.consequences for e in arch.events)


@pytest.mark.parametrize(("text", "table", "late"), CASES)
def test_no_stage_after_the_sizing_adds_an_event_ok(text: str, table: str, late: str) -> None:
    """No stage after the last one the sizing runs again adds an event, so no later event escapes the rows and the broker."""
    spec = load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec
    analysis = analyse(spec)
    arch = Architecture(system=spec.system)
    last = STAGES.index(LAST_ADDING_EVENTS)
    for stage in STAGES[: last + 1]:
        arch = stage(spec, analysis, arch)
    sized = {e.name for e in arch.events}
    for stage in STAGES[last + 1 :]:
        arch = stage(spec, analysis, arch)
        assert {e.name for e in arch.events} <= sized, stage.__name__
