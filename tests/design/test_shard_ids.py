"""A hot read by id of a sharded row is routed, not scattered: the table's UUIDv7 ids carry the row's logical shard (issue 22, k1).

Specs of different shapes: a room's posts checked by id from another service, a log read back by its id, a part fetched by
id under its parent's path (routed by the parent id already: its ids stay plain), a bookmark moved to another member (its
shard key changes, so its id could not name its shard), and a table keyed by a bigint identity (no id the design makes).
"""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.design.shard_ids import LOGICAL_SHARDS, can_carry_shard
from backend_architect.ir.model import Architecture, Table
from backend_architect.render.ddl import render_ddl

from .helpers import spec_of

#: Posts sharded by their room; another service's reactions check the post they name by its id alone.
ROOMS = """\
system: rooms
services:
  rooms: {owns: [Member, Room, Post]}
  reactions: {owns: [Reaction]}
scale: {rates: peak, peak_factor: 2, retention_years: 5}
entities:
  Member: {fields: {name: string(60)}, rows: 5M}
  Room: {fields: {title: string(80)}, rows: 2M}
  Post: {part_of: Room, fields: {author: ref(Member), body: {type: text, avg_bytes: 400}}}
  Reaction: {fields: {post: ref(Post), member: ref(Member), emoji: string(8)}}
use_cases:
  - {name: open room, kind: create, writes: [Room], rate: 20/s}
  - {name: post, kind: create, writes: [Post], rate: 12k/s}
  - {name: room posts, kind: list, reads: [Post], filter: [room], page: cursor, rate: 4k/s, cache: false}
  - {name: react, kind: create, writes: [Reaction], rate: 30k/s}
"""

#: Log lines sharded by their source, one line read back by its id.
LOGS = """\
system: logs
scale: {rates: average, peak_factor: 3, retention_years: 2}
entities:
  Source: {fields: {name: string(80)}, rows: 40k}
  LogLine: {fields: {source: ref(Source), level: "enum[debug,info,warn,error]", message: {type: text, avg_bytes: 500}}}
use_cases:
  - {name: ingest line, kind: create, writes: [LogLine], rate: 10k/s}
  - {name: source lines, kind: list, reads: [LogLine], filter: [source], sort: [-created_at], page: cursor, rate: 300/s, cache: false}
  - {name: read line, kind: get, reads: [LogLine], rate: 2k/s, cache: false}
"""

#: Photos sharded by their album, fetched by id under the album's path: the path carries the shard key.
ALBUMS = """\
system: albums
scale: {rates: peak, peak_factor: 2, retention_years: 5}
entities:
  Album: {fields: {title: string(80)}, rows: 3M}
  Photo: {part_of: Album, fields: {caption: string(200), bytes: int}}
use_cases:
  - {name: add photo, kind: create, writes: [Photo], rate: 15k/s}
  - {name: album photos, kind: list, reads: [Photo], filter: [album], page: cursor, rate: 2k/s, cache: false}
  - {name: view photo, kind: get, reads: [Photo], rate: 6k/s, cache: false}
  - {name: caption photo, kind: update, writes: [Photo.caption], rate: 500/s}
"""

#: Bookmarks sharded by their member and read by id; a moderator moves one to another member, changing its shard key.
MOVED = """\
system: marks
scale: {rates: peak, retention_years: 4}
entities:
  Member: {fields: {name: string(80)}, rows: 20M}
  Bookmark: {fields: {member: ref(Member), url: string(400), title: string(200)}}
use_cases:
  - {name: add bookmark, actor: member, kind: create, writes: [Bookmark], rate: 9k/s}
  - {name: my bookmarks, actor: member, kind: list, owner_only: true, reads: [Bookmark], sort: [-created_at], rate: 2k/s, cache: false}
  - {name: read bookmark, kind: get, reads: [Bookmark], rate: 3k/s, cache: false}
  - {name: move bookmark, actor: moderator, kind: update, writes: [Bookmark.member], rate: 5/s}
"""


def _table(arch: Architecture, name: str) -> Table:
    return next(t for s in arch.datastores for t in s.tables if t.name == name)


def _inputs(arch: Architecture, key: str) -> dict[str, float]:
    return next(f.inputs for f in arch.figures if f.key == key)


@pytest.mark.parametrize(
    ("text", "table", "read", "rate"),
    [
        pytest.param(ROOMS, "posts", "existence checks/s of Post by id for react", 30_000.0, id="checked-by-id-from-another-service"),
        pytest.param(LOGS, "log_lines", "read line", 6_000.0, id="log-read-back-by-id"),
    ],
)
def test_a_read_by_id_alone_is_routed_by_the_shard_its_id_carries_ok(text: str, table: str, read: str, rate: float) -> None:
    """The read by id is listed as routed by the id's logical shard, never as cross-shard; each shard counts it with the keyed
    reads (none across shards); the key record, the table's key reason, its id column and the latency all say the same."""
    arch, _ = design_with_analysis(spec_of(text))
    found = _table(arch, table)
    sharding = found.sharding
    assert sharding is not None
    assert sharding.now
    assert any(read in r and "the logical shard the id carries" in r for r in sharding.routed), sharding.routed
    assert not any(read in c for c in sharding.cross_shard), sharding.cross_shard
    shards = int(next(f.value for f in arch.figures if f.key == f"db.shards.{table}"))
    assert f"{rate:,.0f}/s of reads by id go to one shard instead of asking each of {shards:,} shards" in sharding.id_shard
    per_shard = _inputs(arch, f"db.shard.reads.{table}")
    assert per_shard["reads_cross_shard"] == 0
    assert per_shard["reads_keyed"] >= rate
    keys = next(d for d in arch.decisions if d.id == "keys")
    made = next(c for c in keys.choice.split("; ") if c.startswith("the ids of "))
    assert table in made.removeprefix("the ids of ").split(" are made by the application")[0].split(", "), made
    assert f"{table}: {sharding.id_shard}" in keys.rationale
    assert sharding.id_shard in found.key_reason
    column = next(c for c in found.columns if c.name == "id")
    assert column.type == "uuid"
    assert column.default is None
    assert "made by the application" in (column.comment or "")
    store = next(s for s in arch.datastores if found in s.tables)
    assert "made by the application" in render_ddl(store, "postgresql")
    assert f"CREATE TABLE {table}" in render_ddl(store, "sqlite")
    parts = [p.part for f in arch.flows for p in f.latency_parts]
    assert not any("asking every shard" in p for p in parts), parts
    gets = [p.part for f in arch.flows if f.use_case == read for p in f.latency_parts if p.part.startswith("indexed read")]
    assert all(p == "indexed read on one shard (the id carries its shard)" for p in gets), gets
    assert gets or read.startswith("existence checks"), read  # a use case's own get is timed, a check rides its hop


def test_a_get_under_its_parents_path_stays_routed_by_the_parent_ok() -> None:
    """A photo fetched by id under its album's path is routed by the album id the path carries; its ids stay plain UUIDv7
    made by the database's default, and nothing is listed as crossing the shards."""
    arch, _ = design_with_analysis(spec_of(ALBUMS))
    photos = _table(arch, "photos")
    assert photos.sharding is not None
    assert photos.sharding.id_shard == ""
    assert any(r.startswith("view photo") and "routed by the album_id the request carries" in r for r in photos.sharding.routed), photos.sharding.routed
    assert photos.sharding.cross_shard == []
    assert _inputs(arch, "db.shard.reads.photos")["reads_cross_shard"] == 0
    assert next(c for c in photos.columns if c.name == "id").default is not None
    assert "made by the application" not in next(d for d in arch.decisions if d.id == "keys").choice


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        pytest.param(MOVED, "Bookmark", id="shard-key-changes"),
        pytest.param(LOGS.replace("  LogLine: {fields:", "  LogLine: {key: identity, fields:"), "LogLine", id="identity-key"),
    ],
)
def test_ids_that_cannot_carry_their_shard_keep_the_scatter_ok(text: str, entity: str) -> None:
    """A table whose shard key an update changes, or whose key the database makes, keeps reads by id listed as asking every
    shard and counted on each: its id could not name the shard its row lives on."""
    arch, _ = design_with_analysis(spec_of(text))
    table = next(t for s in arch.datastores for t in s.tables if t.entity == entity and not t.role)
    assert table.sharding is not None
    assert table.sharding.now
    assert table.sharding.id_shard == ""
    assert any("every shard" in c for c in table.sharding.cross_shard), table.sharding.cross_shard
    assert _inputs(arch, f"db.shard.reads.{table.name}")["reads_cross_shard"] > 0


def test_logical_shards_cap_the_physical_ones_ok() -> None:
    """A map of more physical shards than the id's 12 bits name cannot route by them; at the cap it can."""
    spec = spec_of(LOGS)
    arch, _ = design_with_analysis(spec)
    table = _table(arch, "log_lines")
    analysis = analyse(spec)
    assert can_carry_shard(spec, analysis, table, LOGICAL_SHARDS)
    assert not can_carry_shard(spec, analysis, table, LOGICAL_SHARDS + 1)
