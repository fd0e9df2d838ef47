"""Which tables are sharded, and when, is one record every section reads; a read naming a sharded row by another column than the
shard key is routed (said and counted on one shard) or counted as a scatter over every shard (listed as cross-shard)."""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import databases
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture, Table

from .helpers import spec_of

#: A part sharded by its parent's id now (its inserts pass one primary), its parent on the same map only later (by size):
#: one database holding a table on shards today and one still on the unsharded primary.
FORUM = """\
system: forum
team: {size: 6}
scale: {rates: peak, peak_factor: 2, retention_years: 5}
entities:
  Topic: {fields: {title: string(120), body: {type: text, avg_bytes: 6000}}, rows: 200M, growth: 2M/day}
  Post:
    part_of: Topic
    fields: {body: {type: text, avg_bytes: 800}}
use_cases:
  - {name: open topic, kind: create, writes: [Topic], rate: 40/s}
  - {name: read topic, kind: get, reads: [Topic], rate: 4k/s, cache: false}
  - {name: reply, kind: create, writes: [Post], rate: 9k/s}
  - {name: topic posts, kind: list, reads: [Post], filter: [topic], page: cursor, rate: 3k/s, cache: false}
"""

#: A table sharded only at a later stage (its size passes one primary's store in about a year), read by its own id while
#: it is sharded by its folder's id.
ARCHIVE = """\
system: archive
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  Folder: {fields: {name: string(80)}, rows: 100k}
  Document:
    fields: {folder: ref(Folder), body: {type: text, avg_bytes: 20000}}
use_cases:
  - {name: file document, kind: create, writes: [Document], rate: 200k/day}
  - {name: folder documents, kind: list, reads: [Document], filter: [folder], page: cursor, rate: 1M/day, cache: false}
  - {name: read document, kind: get, reads: [Document], rate: 5M/day, cache: false}
"""

#: The same documents keyed by a bigint identity the database makes: no id carries its shard, so a get by id asks every shard.
IDENTITY_ARCHIVE = ARCHIVE.replace("  Document:\n    fields:", "  Document:\n    key: identity\n    fields:")

#: A table sharded now by its owner's id: a created row read back by its own id reaches one shard, the one its id carries
#: (``design/shard_ids.py``); an owner-only change of one row carries the caller's id, the shard key, and reaches one shard.
MARKS = """\
system: marks
scale: {rates: peak, retention_years: 4}
entities:
  Member: {fields: {name: string(80)}, rows: 20M}
  Bookmark: {fields: {member: ref(Member), url: string(400), title: string(200)}}
use_cases:
  - {name: add bookmark, actor: member, kind: create, writes: [Bookmark], rate: 9k/s}
  - {name: my bookmarks, actor: member, kind: list, owner_only: true, reads: [Bookmark], sort: [-created_at], rate: 2k/s, cache: false}
  - {name: rename bookmark, actor: member, kind: update, owner_only: true, writes: [Bookmark.title], rate: 600/s}
"""

#: A part sharded now by its parent's id, read back and changed by its own id under its parent's path: the path carries the
#: shard key, so both reach one shard.
SENSORS = """\
system: sensors
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Device: {fields: {label: string(40)}, rows: 50k}
  Sample:
    part_of: Device
    fields: {value: "decimal(10,3)", note: string(60)}
use_cases:
  - {name: record sample, kind: create, writes: [Sample], rate: 20k/s}
  - {name: device samples, kind: list, reads: [Sample], filter: [device], sort: [-created_at], page: cursor, rate: 500/s, cache: false}
  - {name: annotate sample, kind: update, writes: [Sample.note], rate: 900/s}
"""

#: A parent every message updates (its last-posted time), so the writes reaching the primary build its map now; one part
#: shares the map from now (its inserts), another stays on the primary until its own numbers move it.
TALK = """\
system: talk
team: {size: 6}
scale: {rates: peak, peak_factor: 2, retention_years: 5}
entities:
  Room: {fields: {title: string(80), last_posted_at: "datetime?"}, rows: 50M, growth: 200k/day}
  Seat: {part_of: Room, fields: {nick: string(40)}, rows: 300M, growth: 1M/day}
  Line: {part_of: Room, fields: {body: {type: text, avg_bytes: 300}}}
use_cases:
  - {name: say, kind: create, writes: [Line, Room.last_posted_at], rate: 20k/s}
  - {name: join room, kind: create, writes: [Seat], rate: 500/s}
  - {name: room seats, kind: list, reads: [Seat], filter: [room], page: cursor, rate: 3k/s, cache: false}
  - {name: room lines, kind: list, reads: [Line], filter: [room], page: cursor, rate: 5k/s, cache: false}
"""

SPECS = [
    pytest.param(TALK, id="talk"),
    pytest.param(FORUM, id="forum"),
    pytest.param(ARCHIVE, id="archive"),
    pytest.param(MARKS, id="marks"),
    pytest.param(SENSORS, id="sensors"),
]


def _design(text: str) -> tuple[Architecture, Analysis]:
    return design_with_analysis(spec_of(text))


def _sharded(arch: Architecture) -> list[Table]:
    return [t for s in arch.datastores for t in s.tables if t.sharding is not None]


def _db(arch: Architecture, table: Table) -> str:
    return next(db for db, entities in databases(arch).items() if table.entity in entities)


def _inputs(arch: Architecture, key: str) -> dict[str, float]:
    return next((f.inputs for f in arch.figures if f.key == key), {})


def _own_reads(arch: Architecture, analysis: Analysis, table: Table) -> set[str]:
    """The ledger keys of the reads landing on ``table``'s rows: its entity's read use cases, the rows its changes read first,
    and its created rows read back."""
    entity = table.entity
    return (
        {f"peak_{u.id}" for u in analysis.use_cases if u.entity == entity and not u.is_write}
        | {f"read_{u.id}" for u in analysis.use_cases if u.entity == entity and u.is_write}
        | {f"readback_{op.operation_id}" for api in arch.apis for op in api.operations if op.entity == entity}
    )


@pytest.mark.parametrize("text", SPECS)
def test_every_section_reads_one_timing_ok(text: str) -> None:
    """Each sharded table is timed once (``Sharding.now``), and the growth stage, its inputs, the database decision and the
    replica decisions say the same: a table sharded later is never among the tables "sharded" today."""
    arch, _ = _design(text)
    tables = _sharded(arch)
    assert tables
    assert all(t.sharding is not None and t.sharding.now is not None for t in tables)
    later = {t.name for t in tables if t.sharding is not None and not t.sharding.now}
    stage = next(s for s in arch.stages if s.name == "sharding")
    assert (set(stage.later) if stage.now else {t.name for t in tables}) == later
    # a table the primary's writes moved onto its map is on it: the figure saying so names no table left on the primary
    moved = {f.key.removeprefix("db.shard.primary_writes.") for f in arch.figures if f.key.startswith("db.shard.primary_writes.")}
    assert not moved & later, moved & later
    growth = next(d for d in arch.decisions if d.id == "growth")
    if later:  # the sharding stage is later, or built now with a later part: never "nothing later"
        assert growth.inputs["stages_later"] >= 1
        assert not stage.now or growth.inputs["stages_in_part_later"] >= 1
    database = next(d for d in arch.decisions if d.id == "database").consequences
    today = database.split("sharded: ", 1)[1].split(" (each shard", 1)[0] if "sharded: " in database else ""
    assert {part.split(" by ")[0] for part in today.split(", ") if part} == {t.name for t in tables} - later
    for name in later:
        assert f"{name} by" in database.split("sharded at the growth stage", 1)[1]
        for d in arch.decisions:
            for a in d.alternatives:
                assert f" {name} by " not in a.why_not.split("sharded at the growth stage")[0].split("the tables sharded already")[-1], a.why_not


@pytest.mark.parametrize("text", SPECS)
def test_reads_reach_the_primary_the_record_names_ok(text: str) -> None:
    """A table on shards today has none of its reads on the unsharded primary; one sharded later has all of them there."""
    arch, analysis = _design(text)
    for table in _sharded(arch):
        assert table.sharding is not None
        db = _db(arch, table)
        mine = _own_reads(arch, analysis, table) & set(_inputs(arch, f"db.reads.peak.{db}"))
        if not mine:
            continue  # a table only written (a parent every message updates) has no read to place
        split = _inputs(arch, f"db.primary.reads.peak.{db}") if any(f.key == f"db.primary.reads.peak.{db}" for f in arch.figures) else None
        on_primary = set(split) if split is not None else set(_inputs(arch, f"db.reads.peak.{db}"))
        if table.sharding.now:
            assert split is not None
            assert not mine & on_primary, (table.name, mine & on_primary)
        else:
            assert mine <= on_primary, (table.name, mine - on_primary)


@pytest.mark.parametrize(
    ("text", "table", "scatter", "routed"),
    [
        pytest.param(MARKS, "bookmarks", [], ["GET /bookmarks/{bookmark_id}", "rename bookmark"], id="own-id-carries-its-shard-owner-only-routes"),
        pytest.param(SENSORS, "samples", [], ["GET /devices/{device_id}/samples/{sample_id}", "annotate sample"], id="parent-in-path-routes"),
        pytest.param(ARCHIVE, "documents", [], ["read document"], id="get-by-id-on-a-map-built-later"),
        # a bigint identity is no id the application makes with the shard in it (design/shard_ids.py): the get by id scatters
        pytest.param(IDENTITY_ARCHIVE, "documents", ["read document"], [], id="identity-key-scatters"),
    ],
)
def test_reads_by_another_column_are_routed_or_scattered_ok(text: str, table: str, scatter: list[str], routed: list[str]) -> None:
    """A read naming a sharded row by its id is listed as cross-shard and counted on every shard, or listed as routed (what
    routes it) and counted with the keyed reads; never counted as one shard's read unsaid."""
    arch, analysis = _design(text)
    found = next(t for t in _sharded(arch) if t.name == table)
    assert found.sharding is not None
    for said in scatter:
        assert any(said in c and "every shard" in c for c in found.sharding.cross_shard), found.sharding.cross_shard
    for said in routed:
        assert any(said in r and "one shard" in r for r in found.sharding.routed), found.sharding.routed
        assert not any(said in c for c in found.sharding.cross_shard)
    ledger = _inputs(arch, f"db.reads.peak.{_db(arch, found)}")
    scattered = sum(v for k, v in ledger.items() if any(_names(arch, analysis, k, said) for said in scatter))
    assert _inputs(arch, f"db.shard.reads.{table}")["reads_cross_shard"] == pytest.approx(scattered)
    assert scattered > 0 or not scatter


def _names(arch: Architecture, analysis: Analysis, key: str, said: str) -> bool:
    """Whether the ledger key ``key`` is the read ``said`` names (a use case by name, a read-back by its path)."""
    if key.startswith("readback_"):
        op = next(op for api in arch.apis for op in api.operations if op.operation_id == key.removeprefix("readback_"))
        return said == f"GET {op.path}"
    return any(key in {f"peak_{u.id}", f"read_{u.id}"} for u in analysis.use_cases if u.name == said)


def test_a_map_running_today_carries_only_its_tables_on_it_ok() -> None:
    """A map running now for one table carries only that table's reads; its head, still on the primary, is counted there alone."""
    arch, _ = _design(FORUM)
    on_primary = _inputs(arch, "db.primary.reads.peak.forum-db")
    assert "peak_read-topic" in on_primary
    per_shard = _inputs(arch, "db.shard.reads.topics")
    reaching = sum(v for k, v in _inputs(arch, "db.reads.peak.forum-db").items() if k not in on_primary)
    assert per_shard["reads_keyed"] + per_shard["reads_cross_shard"] == pytest.approx(reaching)


PLAYS = """\
system: plays
scale: {rates: peak, retention_years: 3}
entities:
  Listener: {fields: {name: string(80)}, rows: 10M}
  Song: {fields: {title: string(120)}, rows: 5M}
  Play: {fields: {listener: ref(Listener), song: ref(Song), seconds: int}}
use_cases:
  - {name: record play, kind: create, writes: [Play], rate: 12k/s}
  - {name: find play, kind: get, reads: [Play], filter: [FIRST, SECOND], rate: 2k/s, cache: false}
"""


@pytest.mark.parametrize(
    ("first", "second", "key"),
    [pytest.param("listener", "song", "listener_id", id="listener-first"), pytest.param("song", "listener", "song_id", id="song-first")],
)
def test_a_tie_between_filters_keys_by_the_first_named_ok(first: str, second: str, key: str) -> None:
    """Two filters used as often break the tie for the shard key by the order the spec names them, never by a set's hash order
    (which changed the key from one run to the next)."""
    arch, _ = _design(PLAYS.replace("FIRST", first).replace("SECOND", second))
    plays = next(t for t in _sharded(arch) if t.name == "plays")
    assert plays.sharding is not None
    assert plays.sharding.key == key


def test_a_change_by_id_that_scatters_is_timed_over_every_shard_ok() -> None:
    """A change naming its row by id on a table sharded by the owner, made by someone else than the owner, reads every shard
    when the ids cannot carry their shard (another change moves a bookmark to another member, changing its shard key):
    listed as cross-shard, and its latency takes the scatter over the shards, as the routed owner's change does not."""
    text = MARKS + (
        "  - {name: flag bookmark, actor: moderator, kind: update, writes: [Bookmark.title], rate: 50/s}\n"
        "  - {name: move bookmark, actor: moderator, kind: update, writes: [Bookmark.member], rate: 1/s}\n"
    )
    arch, _ = _design(text)
    bookmarks = next(t for t in _sharded(arch) if t.name == "bookmarks")
    assert bookmarks.sharding is not None
    assert any("flag bookmark" in c and "every shard" in c for c in bookmarks.sharding.cross_shard), bookmarks.sharding.cross_shard
    parts = {f.use_case: [p.part for p in f.latency_parts] for f in arch.flows}
    assert any("asking every shard" in p for p in parts["flag bookmark"]), parts["flag bookmark"]
    assert not any("asking every shard" in p for p in parts["rename bookmark"]), parts["rename bookmark"]
