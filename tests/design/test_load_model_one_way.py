"""The load model's figures told one way (issue 22-h1): a shard map's timing, the reads replicas serve, a cache's writes.

Each is read from one record by every section that states it: a shard map built now for one of its tables is built now
everywhere (its parent moves onto it later); the replica decision and the primary's load read the same split of reads
that tolerate lag and strong reads; a cache decision states the writes to the entity it caches, creates included.
"""

from __future__ import annotations

import pytest

from backend_architect.design.patterns._common import fmt
from backend_architect.ir.database_nodes import REPLICA_READS, database_nodes
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import all_tables
from backend_architect.render.mermaid import render_architecture
from design.helpers import design_of

# --- 1. a shard map built now for a child whose parent stays on the primary -------------------------------------------

CHATS = """\
system: chats
scale: {daily_active: 20M, rates: average, retention_years: 10}
entities:
  Chat:
    fields: {title: string(100)?}
    rows: 500M
    growth: 10M/day
  Message:
    part_of: Chat
    fields: {body: {type: text, avg_bytes: 100}}
    append_only: true
    growth: 1B/day
use_cases:
  - {name: start chat, actor: user, writes: [Chat], rate: 2M/day}
  - {name: send message, actor: user, writes: [Message], rate: 1B/day}
  - {name: open chat, actor: user, kind: get, reads: [Chat], rate: 100M/day}
  - {name: read messages, actor: user, reads: [Message], filter: [chat], sort: [-created_at], rate: 500M/day}
"""

FORUM = """\
system: forum
scale: {rates: peak, retention_years: 10}
entities:
  Thread:
    fields: {subject: string(200)}
    rows: 400M
    growth: 10M/day
  Post:
    part_of: Thread
    fields: {body: string(2000)}
    growth: 600M/day
use_cases:
  - {name: open thread, actor: member, writes: [Thread], rate: 20/s}
  - {name: reply, actor: member, writes: [Post], rate: 9000/s}
  - {name: view thread, actor: member, kind: get, reads: [Thread], rate: 500/s}
  - {name: read thread, actor: member, reads: [Post], filter: [thread], sort: [-created_at], rate: 3000/s}
"""

FLEET = """\
system: fleet
scale: {rates: peak, retention_years: 10}
entities:
  Truck:
    fields: {plate: string(20), notes: string(1000)}
    rows: 300M
    growth: 10M/day
  Ping:
    part_of: Truck
    fields: {lat: float, lon: float}
    growth: 700M/day
use_cases:
  - {name: register truck, actor: operator, writes: [Truck], rate: 1/s}
  - {name: record ping, actor: device, writes: [Ping], rate: 8000/s}
  - {name: view truck, actor: operator, kind: get, reads: [Truck], rate: 50/s}
  - {name: track truck, actor: operator, reads: [Ping], filter: [truck], sort: [-created_at], rate: 200/s}
"""

SHARDED_NOW_WITH_LAGGING_PARENT = [
    pytest.param(CHATS, "chats", "messages", id="chat-with-sharded-messages"),
    pytest.param(FORUM, "threads", "posts", id="forum-with-sharded-posts"),
    pytest.param(FLEET, "trucks", "pings", id="fleet-with-sharded-pings"),
]


def _sharded(arch: Architecture) -> dict[str, object]:
    return {t.name: t for _, t in all_tables(arch) if t.sharding is not None}


@pytest.mark.parametrize(("text", "parent", "child"), SHARDED_NOW_WITH_LAGGING_PARENT)
def test_a_map_built_now_for_its_child_is_built_now_everywhere_ok(text: str, parent: str, child: str) -> None:
    """The parent's timing, the datastore label, the diagram, the growth stage and the availability plan all say the map runs now,
    holding the child, and the parent moves onto it later (never "its nodes once sharded")."""
    arch = design_of(text)
    tables = {t.name: t for _, t in all_tables(arch)}
    head, part = tables[parent].sharding, tables[child].sharding
    assert head is not None, sorted(_sharded(arch))
    assert part is not None, sorted(_sharded(arch))
    assert part.now is True, part.when
    assert head.now is False, head.when
    assert head.on_map_now == [child] == part.on_map_now
    assert f"its shard map is built now (stage 5, sharding), holding {child}; {parent} moves onto it when" in head.when, head.when
    label = database_nodes(arch)
    assert f"{parent}'s shard map: " in label, label
    assert f"built now holding {child}" in label, label
    assert f"{parent}: on the primary now" not in label, label
    assert "once sharded" not in label, label
    drawn = render_architecture(arch)
    assert f"built now holding {child}" in drawn
    assert f"{parent}: on the primary now" not in drawn
    stage = next(s for s in arch.stages if s.name == "sharding")
    said = " ".join(stage.adds)
    assert f"shard {parent} by id (its shard map built now, holding {child}" in said, said
    assert f"on {parent}'s shard map: built now, holding {child})" in said, said
    assert "once built" not in said, said
    plan = next(d for d in arch.decisions if d.area == "availability" and "replica set" in d.choice)
    built = plan.choice.partition("(built now)")[0]
    assert f"{parent} moves onto it later" in built, plan.choice
    assert "once sharded" not in plan.choice, plan.choice


LATER = """\
system: shelf
scale: {rates: peak}
entities:
  Shelf:
    fields: {name: string(100)}
    rows: 10M
    growth: 20M/day
  Book:
    part_of: Shelf
    fields: {title: string(300)}
    growth: 60M/day
use_cases:
  - {name: add shelf, actor: user, writes: [Shelf], rate: 300/s}
  - {name: add book, actor: user, writes: [Book], rate: 900/s}
  - {name: list books, actor: user, reads: [Book], filter: [shelf], sort: [-created_at], rate: 300/s}
"""


def test_a_map_nothing_is_on_yet_is_said_as_later_ok() -> None:
    """A map none of whose tables is sharded now keeps "on the primary now ... once sharded": nothing of it runs today."""
    arch = design_of(LATER)
    sharded = _sharded(arch)
    assert sharded, "the table proves nothing without a sharded table"
    assert all(t.sharding.now is False and t.sharding.on_map_now == [] for t in sharded.values())  # type: ignore[attr-defined]
    assert "built now holding" not in database_nodes(arch)
    assert all("its shard map is built now" not in t.sharding.when for t in sharded.values())  # type: ignore[attr-defined]


# --- 2. reads that tolerate lag and strong reads: one split for the replicas and the primary ---------------------------

READS = """\
system: {system}
scale: {{rates: peak}}
entities:
  Account:
    fields: {{name: string(100), bio: string(500)}}
    rows: 10M
use_cases:
  - {{name: view account, actor: user, kind: get, reads: [Account], rate: {strong}}}
  - {{name: browse accounts, actor: user, kind: list, reads: [Account], rate: {lagging}, {lag}, cache: false}}
  - {{name: rename account, actor: user, kind: update, writes: [Account.name], rate: 100/s}}
"""

SPLITS = [
    pytest.param(
        READS.format(system="eventual", strong="30000/s", lagging="20000/s", lag="consistency: eventual"), 30_000, 20_000, id="eventual-beside-strong"
    ),
    pytest.param(READS.format(system="stale", strong="25000/s", lagging="40000/s", lag="staleness: 30s"), 25_000, 40_000, id="staleness-beside-strong"),
    pytest.param(READS.format(system="strong", strong="30000/s", lagging="10000/s", lag="latency_ms: 200"), 40_000, 0, id="all-strong"),
]


@pytest.mark.parametrize(("text", "strong", "lagging"), SPLITS)
def test_replicas_and_the_primary_read_one_split_of_strong_and_lagging_reads_ok(text: str, strong: float, lagging: float) -> None:
    """The replica decision's inputs split its reads into those that tolerate lag and strong ones; the primary counts one
    WAL-position lookup per strong read; the decision, the caching table and the database label say strong reads go through a read index."""
    arch = design_of(text)
    made = next(d for d in arch.decisions if d.id.startswith("read-replicas."))
    inputs = made.inputs
    assert inputs["lagging_reads"] + inputs["strong_reads"] == pytest.approx(inputs["peak_reads"])
    assert inputs["lagging_reads"] == pytest.approx(lagging), inputs
    # the rename's own read of the row it changes is strong too
    assert strong <= inputs["strong_reads"] < strong + 200, inputs
    assert f"({fmt(inputs['lagging_reads'])} tolerate lag, {fmt(inputs['strong_reads'])} strong)" in made.context
    assert REPLICA_READS in made.choice
    assert "through a read index" in (made.consequences or "")
    lookups = next(f for f in arch.figures if f.key == f"db.read_index.{made.subject}")
    assert lookups.value == pytest.approx(inputs["strong_reads"])
    assert REPLICA_READS in database_nodes(arch)
    view = next(c for c in arch.caches if c.use_case == "view account")
    assert "must be current" in view.rationale, view.rationale
    assert "through a read index" in view.rationale, view.rationale


@pytest.mark.parametrize(("text", "strong", "lagging"), SPLITS)
def test_no_section_calls_the_replicas_lag_only_ok(text: str, strong: float, lagging: float) -> None:
    """No decision sizing replicas from strong reads says the replicas serve only the reads that tolerate lag."""
    arch = design_of(text)
    said = [f"{d.choice} {d.consequences or ''}" for d in arch.decisions] + [b.scaling_step for b in arch.bottlenecks]
    assert not [s for s in said if "for the read paths that tolerate replication lag" in s or "(read-your-writes) stay on the primary" in s]


# --- 3. a cache decision reads the writes to the entity it caches --------------------------------------------------------

PAGE = """\
system: {system}
scale: {{rates: peak}}
entities:
  {parent}:
    fields: {{title: string(100)}}
    rows: 1M
  {child}:
    part_of: {parent}
    fields: {{body: string(500), posted_at: datetime}}
use_cases:
  - {{name: list page, actor: user, kind: list, reads: {child}, filter: {fk}, sort: -posted_at, page: {{limit: 20}}, rate: {reads}}}
  - {{name: append, actor: user, kind: create, writes: {child}, rate: {creates}}}
{extra}
"""

PAGES = [
    pytest.param(
        PAGE.format(system="tickets", parent="Ticket", child="Note", fk="ticket", reads="2000/s", creates="100/s", extra=""), 100, 0, id="notes-appended"
    ),
    pytest.param(
        PAGE.format(
            system="rooms",
            parent="Room",
            child="Line",
            fk="room",
            reads="5000/s",
            creates="400/s",
            extra="  - {name: edit line, actor: user, kind: update, writes: Line, rate: 20/s}",
        ),
        420,
        20,
        id="lines-appended-and-edited",
    ),
    pytest.param(
        PAGE.format(system="posts", parent="Post", child="Comment", fk="post", reads="9000/s", creates="3000/s", extra=""), 3000, 0, id="comments-appended"
    ),
]


@pytest.mark.parametrize(("text", "writes", "invalidating"), PAGES)
def test_a_cached_page_decision_states_the_writes_the_capacity_section_counts_ok(text: str, writes: float, invalidating: float) -> None:
    """The decision's writes are the entity's writes (creates included: the capacity figure), the invalidating ones named apart
    and equal to the hit ratio's."""
    arch = design_of(text)
    made = next(d for d in arch.decisions if d.id == "cache.list-page")
    plan = next(c for c in arch.caches if c.use_case == "list page")
    assert plan.write_through
    table = next(t for _, t in all_tables(arch) if t.entity and t.entity not in {"Ticket", "Room", "Post"})
    capacity = next(f.value for f in arch.figures if f.key == f"qps.peak.write.table.{table.name}")
    assert made.inputs["writes_per_s"] == pytest.approx(capacity) == pytest.approx(writes)
    hit = next(f for f in arch.figures if f.key == "cache.hit_ratio.list-page")
    assert made.inputs["invalidating_writes_per_s"] == pytest.approx(hit.inputs["invalidating_writes_per_s"]) == pytest.approx(invalidating)
    assert f"{fmt(writes)} writes/s to {table.entity} ({fmt(writes - invalidating)} appended to the cached page in place" in made.context
