"""A primary's write headroom decides sharding: the decision to shard (now or at a later stage) reads every write reaching the
primary holding a table (its inserts and updates, the rows committed beside them, the other tables on it), the same writes the
critic (DES013) and ``db.write_utilisation`` read, against the headroom a node is planned at (70% of its ceiling)."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.design.bottleneck_checks import write_step
from backend_architect.design.capacity import PRIMARY_WRITE_CEILING
from backend_architect.design.loads import databases
from backend_architect.design.patterns._common import READ_HEADROOM
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.design.write_headroom import WRITE_HEADROOM, built_for_writes
from backend_architect.ir.model import Architecture
from backend_architect.rules.registry import review
from backend_architect.spec.load import load_spec_bytes

# a row updated far more often than rows are added: its inserts alone never pass a primary
UPDATE_HEAVY = """\
system: fleet
team: {size: 4}
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Vehicle: {fields: {plate: string(20), status: string(20), odometer: integer}, rows: 2M}
  Trip: {fields: {vehicle: ref(Vehicle), km: integer}, growth: 100k/day}
use_cases:
  - {name: report status, kind: update, writes: [Vehicle], rate: %(rate)s}
  - {name: get vehicle, reads: [Vehicle], rate: 500/s}
  - {name: log trip, writes: [Trip], rate: 2/s}
"""

# inserts under one primary's ceiling, but with the idempotency rows committed beside them past its headroom
INSERT_HEAVY = """\
system: clicks
team: {size: 4}
scale: {rates: peak, peak_factor: 2, retention_years: 1}
entities:
  Campaign: {fields: {name: string(80)}, rows: 10k}
  Click: {fields: {campaign: ref(Campaign), url: string(40)}, retention: 30d}
use_cases:
  - {name: record click, writes: [Click], rate: %(rate)s}
  - {name: list clicks, reads: [Click], filter: [campaign], page: cursor, rate: 50/s}
"""

# three tables on one modular monolith's database: none past the headroom alone, together past it
SHARED = """\
system: shop
team: {size: 2}
scale: {rates: peak, peak_factor: 2, retention_years: 2}
entities:
  Customer: {fields: {name: string(80)}, rows: 1M}
  Basket: {fields: {customer: ref(Customer), total: "decimal(10,2)"}, rows: 5M}
  Viewing: {fields: {customer: ref(Customer), sku: string(20)}, retention: 7d}
use_cases:
  - {name: update basket, kind: update, writes: [Basket], rate: %(rate)s}
  - {name: record viewing, writes: [Viewing], rate: 600/s}
  - {name: rename customer, kind: update, writes: [Customer], rate: 300/s}
  - {name: get basket, reads: [Basket], rate: 1k/s}
"""

# sharded already for its size at the horizon (a later stage by size alone); its updates may load the primary today
SHARDED_BY_SIZE = """\
system: archive
team: {size: 4}
scale: {rates: peak, peak_factor: 2, retention_years: 10}
entities:
  Folder: {fields: {name: string(80)}, rows: 100k}
  Document: {fields: {folder: ref(Folder), body: {type: text, avg_bytes: 20000}, state: string(20)}, growth: 1M/day, rows: 10M}
use_cases:
  - {name: file document, writes: [Document], rate: 12/s}
  - {name: retag document, kind: update, writes: [Document], rate: %(rate)s}
  - {name: read document, reads: [Document], rate: 200/s}
"""


def _design(text: str, rate: str) -> Architecture:
    return design_with_analysis(load_spec_bytes(textwrap.dedent(text % {"rate": rate}).encode(), "test.yaml").spec)[0]


def _db(arch: Architecture, table: str) -> str:
    entity = next(t.entity for s in arch.datastores for t in s.tables if t.name == table)
    return next(db for db, entities in databases(arch).items() if entity in entities)


CASES = [
    pytest.param(UPDATE_HEAVY, "4k/s", "vehicles", True, id="update-heavy-past-headroom"),
    pytest.param(UPDATE_HEAVY, "2k/s", "vehicles", False, id="update-heavy-within-headroom"),
    pytest.param(INSERT_HEAVY, "1800/s", "clicks", True, id="insert-heavy-past-headroom"),
    pytest.param(INSERT_HEAVY, "1200/s", "clicks", False, id="insert-heavy-within-headroom"),
    pytest.param(SHARED, "2500/s", "baskets", True, id="tables-sharing-one-primary"),
    pytest.param(SHARED, "1500/s", "baskets", False, id="tables-sharing-one-primary-within"),
    pytest.param(SHARDED_BY_SIZE, "3800/s", "documents", True, id="sharded-by-size-built-now-for-writes"),
    pytest.param(SHARDED_BY_SIZE, "100/s", "documents", False, id="sharded-by-size-later"),
]


@pytest.mark.parametrize(("text", "rate", "table", "past"), CASES)
def test_sharding_reads_the_primarys_writes_ok(text: str, rate: str, table: str, past: bool) -> None:
    """Past the headroom, the table carrying most of the primary's writes is sharded now and what stays fits the headroom; within
    it, no table is built now for writes; the growth stage, the table's timing and the critic agree."""
    arch = _design(text, rate)
    known = {f.key: f for f in arch.figures}
    db = _db(arch, table)
    before = known[f"db.writes.peak.{db}"].value
    assert (before > WRITE_HEADROOM * PRIMARY_WRITE_CEILING) == past, before
    sharded = {t.name: t for s in arch.datastores for t in s.tables if t.sharding is not None}
    stage = next((s for s in arch.stages if s.name == "sharding"), None)
    if past:
        # the one carrying most of the writes, and only as many as the headroom needs
        assert table in sharded
        assert "built now" in (sharded[table].sharding.when if sharded[table].sharding else "")
        assert known[f"db.shard.primary_writes.{table}"].value == pytest.approx(before)
        assert stage is not None
        assert stage.now
        line = next(p for p in stage.trigger.split("; ") if p.startswith(f"{table}: "))
        assert "the writes reaching its primary pass 70%" in line
        assert f"today {before:,.0f}/s" in line
        # what stays on the unsharded primary fits the headroom, and the busiest primary figure is within it
        assert known[f"db.primary.writes.peak.{db}"].value <= WRITE_HEADROOM * PRIMARY_WRITE_CEILING
        assert known[f"db.write_utilisation.{db}"].value <= WRITE_HEADROOM + 1e-9
    else:
        assert f"db.shard.primary_writes.{table}" not in known
        timing = sharded[table].sharding.when if table in sharded and sharded[table].sharding else ""
        assert "built now" not in timing or "inserts" in (sharded[table].sharding.reason if sharded[table].sharding else "")
        assert known[f"db.write_utilisation.{db}"].value <= WRITE_HEADROOM + 1e-9
    assert [f.message for f in review(arch) if f.code == "DES013"] == []


def test_tables_sharing_a_primary_shard_the_busiest_first_ok() -> None:
    """Of several tables on one primary, only the one carrying most of its writes is sharded, for the writes it carries."""
    arch = _design(SHARED, "2500/s")
    sharded = {t.name: t for s in arch.datastores for t in s.tables if t.sharding is not None}
    assert set(sharded) == {"baskets"}
    reason = sharded["baskets"].sharding.reason if sharded["baskets"].sharding else ""
    assert "4,000/s, pass 70% of one primary's 5,000/s, and it carries most of them (2,500/s)" in reason


def test_sharded_by_size_stays_later_within_headroom_ok() -> None:
    """A table sharded for its size at the horizon is built at the later stage while its primary's writes fit the headroom."""
    arch = _design(SHARDED_BY_SIZE, "100/s")
    stage = next(s for s in arch.stages if s.name == "sharding")
    assert not stage.now
    table = next(t for s in arch.datastores for t in s.tables if t.name == "documents")
    assert table.sharding is not None
    assert "until then one primary" in table.sharding.when


@pytest.mark.parametrize(
    ("writes", "maps", "built"),
    [
        (4_618.0, {"trips": 4_271.0, "cabs": 347.0}, ["trips"]),
        (3_500.0, {"trips": 3_500.0}, []),
        (6_000.0, {"a": 2_000.0, "b": 2_000.0, "c": 500.0}, ["a", "b"]),
        # the writes no table carries (an outbox) keep it past the headroom whatever is sharded: nothing is
        (9_000.0, {"a": 1_000.0}, []),
        (9_000.0, {"a": 6_000.0, "b": 2_000.0}, ["a"]),
        (4_000.0, {"a": 0.0}, []),
    ],
)
def test_built_for_writes_takes_the_busiest_until_within_headroom_ok(writes: float, maps: dict[str, float], built: list[str]) -> None:
    """The busiest map first, then the next, until the primary's writes fit 70% of its ceiling (nothing when they already do)."""
    assert built_for_writes(writes, maps) == built


def test_write_headroom_is_the_read_headroom_ok() -> None:
    """A primary is planned at the same share of its ceiling for writes as a node is for reads."""
    assert WRITE_HEADROOM == READ_HEADROOM


def test_the_authors_unsharded_table_stays_whole_past_the_headroom_err() -> None:
    """An author who keeps a table whole (``sharding.<table>: none``) is honoured past the headroom; the primary's load stays
    stated, and the critic reports it where it passes the ceiling (DES013)."""
    text = UPDATE_HEAVY % {"rate": "6k/s"} + "decisions:\n  sharding.vehicles: {choose: none, reason: one primary}\n"
    arch = design_with_analysis(load_spec_bytes(text.encode(), "test.yaml").spec)[0]
    assert all(t.sharding is None for s in arch.datastores for t in s.tables)
    assert not any(f.key.startswith("db.shard.primary_writes.") for f in arch.figures)
    assert [f.code for f in review(arch) if f.code == "DES013"] == ["DES013"]


@pytest.mark.parametrize(
    ("rate", "step"),
    [
        pytest.param("100/s", "the design shards no table now (documents at the sharding stage)", id="later"),
        pytest.param("3800/s", "the design shards documents now:", id="now-for-writes"),
    ],
)
def test_write_step_says_which_shards_are_built_now_ok(rate: str, step: str) -> None:
    """The write ceiling's scaling step names as built now only the tables whose own timing says so (the growth stage's)."""
    assert write_step(_design(SHARDED_BY_SIZE, rate)).startswith(step)


#: Posts in rooms past the inserts one primary takes (sharded now by room_id, rooms on the same map by id); each post may also
#: update its room, the room's own writes then past the headroom.
ROOMS = """\
system: rooms
entities:
  Room: {fields: {title: string(100), last_post_at: datetime?}, rows: 1M}
  Post: {fields: {room: ref(Room), body: text}}
use_cases:
  - {name: open room, writes: [Room], rate: 10/s}
  - {name: post, writes: [%(rate)s], rate: 20k/s}
  - {name: read room, reads: [Post], filter: [room], sort: [-created_at], rate: 100/s}
"""


@pytest.mark.parametrize(("writes", "parent_now"), [pytest.param("Post, Room.last_post_at", True, id="parent-updated-by-every-child")])
def test_a_parent_left_off_its_built_map_keeps_its_writes_on_the_primary_ok(writes: str, parent_now: bool) -> None:
    """A map built now for its children's inserts leaves the parent, whose own numbers build it later, on the primary with its
    writes; a parent whose writes keep the primary past the headroom is moved onto the map now (the fourteenth trial run's
    whatsapp left chats 'sharded later' while every message updated it, 69,583 writes/s counted nowhere)."""
    arch = _design(ROOMS, writes)
    known = {f.key: f for f in arch.figures}
    sharded = {t.name: t.sharding for s in arch.datastores for t in s.tables if t.sharding is not None}
    posts = sharded["posts"]
    assert posts is not None
    assert posts.now
    rooms = sharded.get("rooms")
    assert (rooms is not None and rooms.now) is parent_now, rooms
    assert ("db.shard.primary_writes.rooms" in known) is parent_now
    db = _db(arch, "rooms")
    on_primary = known[f"db.primary.writes.peak.{db}"]
    if not parent_now:
        assert any("open-room" in term for term in on_primary.inputs), on_primary.inputs
    assert on_primary.value <= WRITE_HEADROOM * PRIMARY_WRITE_CEILING
    assert [f.message for f in review(arch) if f.code == "DES013"] == []
