"""What a section claims about a store holds in its layout: replicas and their lag, a search cluster's copies and nodes, foreign
keys only between rows on one server, an index for the path that uses it, a Redis key the read looks up by.

Tables of small specs of different shapes, none of them the benchmark's: a ledger, a meter feed, a sharded chat, a
studio's fan feed, a reading tracker, a catalogue search.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, table

from backend_architect.design.co_writes import placements
from backend_architect.ir.model import Architecture
from backend_architect.render.ddl import render_ddl
from backend_architect.render.mermaid import render_er

LEDGER = """
system: ledger
entities:
  Account: {fields: {owner: string(40)}, rows: 50M}
  Entry: {fields: {account: ref(Account), amount: money}, growth: 2M/day}
use_cases:
  - {name: post entry, actor: clerk, writes: [Entry], rate: 2M/day}
  - {name: account entries, actor: clerk, reads: [Entry], filter: [account], sort: [-created_at], page: cursor, rate: 60k/s}
decisions:
  cache.account-entries: {forbid: true, reason: balances must be current}
"""

#: The meters are a lookup table of the readings (a collector, not the meter, records): one database, sharded readings beside it.
METERS = """
system: meters
entities:
  Meter: {fields: {site: string(40)}, rows: 2M}
  Reading: {fields: {meter: ref(Meter), value: float}, growth: 600M/day}
use_cases:
  - {name: record reading, actor: collector, writes: [Reading], rate: 600M/day}
  - {name: meter history, actor: operator, reads: [Reading], filter: [meter], sort: [-created_at], page: cursor, rate: 800k/s}
%s
decisions:
  cache.meter-history: {forbid: true, reason: operators need the newest reading}
%s
"""
CARD = "  - {name: meter card, actor: operator, kind: get, reads: [Meter], rate: 100k/s}"
CARD_UNCACHED = "  cache.meter-card: {forbid: true, reason: the site changes under the operator}"


@pytest.mark.parametrize(
    ("text", "shard_lag", "primary_lag"),
    [
        pytest.param(LEDGER, False, True, id="unsharded-primary-replicas"),
        pytest.param(METERS % ("", ""), True, False, id="replicas-per-shard-only"),
        pytest.param(METERS % (CARD, CARD_UNCACHED), True, True, id="replicas-per-shard-and-on-the-primary"),
    ],
)
def test_replica_consequences_follow_the_decision_ok(text: str, shard_lag: bool, primary_lag: bool) -> None:
    """Replicas chosen anywhere (a shard map's, the unsharded primary's) bring lag to that primary's reads; none claims no lag."""
    arch = design_of(text)
    made = next(d for d in arch.decisions if d.id.startswith("read-replicas."))
    assert ("read replica(s) per shard of" in made.choice) is shard_lag, made.choice
    assert "no replication lag to reason about" not in made.consequences, made.consequences
    assert ("each shard of " in made.consequences.split(" trail ")[0]) is shard_lag, made.consequences
    assert ("unsharded primary" in made.consequences.split(" trail ")[0] or made.consequences.startswith(f"Read replicas of {made.subject} ")) is (
        primary_lag
    ), made.consequences
    if shard_lag and not primary_lag:
        assert "(no replica): no lag there" in made.consequences, made.consequences


def test_replicas_forbidden_leave_no_lag_ok() -> None:
    """The author forbidding replicas leaves every read on the primary: the record then says there is no lag to reason about."""
    arch = design_of(LEDGER + "  read-replicas.entries-db: {forbid: true, reason: one node to run}\n")
    made = next(d for d in arch.decisions if d.id == "read-replicas.entries-db")
    assert made.consequences.startswith("Every read reaching entries-db is served by its primary"), made.consequences


CATALOGUE = """
system: catalogue
scale: {availability: 0.999}
entities:
  Product: {fields: {title: string(120), blurb: text}, growth: %s}
use_cases:
  - {name: add product, actor: merchant, writes: [Product], rate: 1k/day}
  - {name: find products, actor: shopper, auth: none, reads: [Product], search: [title, blurb], page: cursor, rate: %s}
%s"""
ONE_ZONE = "decisions:\n  availability: {choose: 'single-zone, 0 standby(s)', reason: one data centre}\n"


@pytest.mark.parametrize(
    ("growth", "rate", "decided", "shards", "copies"),
    [
        pytest.param("20k/day", "300/s", ONE_ZONE, 1, 3, id="single-zone-one-shard"),
        pytest.param("20k/day", "300/s", "", 1, 3, id="three-zones-one-shard"),
        pytest.param("20k/day", "1k/s", "", 1, 6, id="busy-searches-one-shard"),
        pytest.param("50M/day", "300/s", "", 1855, 2, id="many-shards"),
    ],
)
def test_search_shards_and_copies_fill_their_nodes_ok(growth: str, rate: str, decided: str, shards: int, copies: int) -> None:
    """A search cluster keeps a replica of its live index, and its shards x copies fill every node it runs (no node holds nothing)."""
    arch = design_of(CATALOGUE % (growth, rate, decided))
    engine = next(c for c in arch.components if c.kind == "search-engine")
    by_id = {d.id: d for d in arch.decisions}
    assert arch.availability is not None
    held = arch.availability.redundancy[engine.name]
    assert held == f"{shards} shard(s) x {copies} copies", held
    nodes = engine.instances or 0
    assert copies <= nodes <= shards * copies, (shards, copies, nodes)
    assert f"{shards} shard(s), {copies} copies per shard" in by_id["search"].choice, by_id["search"].choice
    assert f"on {nodes} nodes" in by_id["search"].choice
    assert f"{copies} copies per shard" in by_id["availability.stateful"].choice
    spread = "on other nodes" if decided else "in other zones"
    assert spread in by_id["search"].choice
    assert spread in by_id["availability.stateful"].choice


CHATS = """
system: talk
entities:
  Room: {fields: {title: string(80)}, rows: 1M}
  Post: {part_of: Room, fields: {body: text}, growth: 3B/day}
  Member: {part_of: Room, fields: {user_id: uuid}, rows: 10M}
use_cases:
  - {name: send post, actor: user, writes: [Post], rate: 3B/day}
  - {name: room posts, actor: user, reads: [Post], filter: [room], sort: [-created_at], page: cursor, rate: 20k/s}
  - {name: join room, actor: user, writes: [Member], rate: 1M/day}
"""

COURSES = """
system: courses
entities:
  Course: {fields: {name: string(80)}, growth: 20M/day}
  Lesson: {part_of: Course, fields: {title: string(80)}, growth: 200M/day}
  Tag: {fields: {label: string(40)}, rows: 1k}
  Tagging: {fields: {course: ref(Course), tag: ref(Tag)}, growth: 20M/day}
use_cases:
  - {name: create course, actor: teacher, writes: [Course], rate: 20M/day}
  - {name: add lesson, actor: teacher, writes: [Lesson], rate: 200M/day}
  - {name: tag course, actor: teacher, writes: [Tagging], rate: 20M/day}
  - {name: course lessons, actor: student, reads: [Lesson], filter: [course], rate: 5k/s}
"""


@pytest.mark.parametrize("text", [pytest.param(CHATS, id="sharded-child-of-unsharded-parent"), pytest.param(COURSES, id="parts-and-links")])
def test_no_foreign_key_across_servers_ok(text: str) -> None:
    """A foreign key holds only where both rows share a server; elsewhere the column's note says how the reference is checked."""
    arch = design_of(text)
    where = placements(arch)
    assert any(t.sharding for s in arch.datastores for t in s.tables)
    for store in arch.datastores:
        ddl = render_ddl(store, "postgresql")
        for t in store.tables:
            body = ddl.split(f"CREATE TABLE {t.name} (")[1].split(");")[0]
            for fk in t.foreign_keys:
                apart = where[fk.ref_table] != where[t.name]
                assert bool(fk.checked_by) is apart, (t.name, fk.ref_table, where[t.name], where[fk.ref_table])
                assert (f"CONSTRAINT {fk.name} FOREIGN KEY" in body) is not apart, (t.name, fk.name)
                if apart:
                    note = next(c.comment or "" for c in t.columns if c.name == fk.columns[0])
                    assert fk.checked_by in note, note
                    assert "a write reads the" in note, note
        # the ER diagram draws what the DDL declares: a reference across servers is no FK column, its relation labelled so
        er = render_er(store)
        for t in store.tables:
            body = er.split(f"    {t.name} {{\n")[1].split("    }")[0]
            for fk in t.foreign_keys:
                marked = f" {fk.columns[0]} FK" in body or f" {fk.columns[0]} PK, FK" in body
                assert marked is not bool(fk.checked_by), (t.name, fk.columns, body)
                if fk.checked_by:
                    assert "(no foreign key: checked by the application)" in er


@pytest.mark.parametrize(
    ("deletes", "said"),
    [
        pytest.param(
            "  - {name: close room, actor: user, kind: delete, writes: [Room], rate: 10/day}\n",
            "through its deleted event (by room_id, on one shard)",
            id="rooms-deleted",
        ),
        pytest.param("", "no use case deletes rooms rows (none expire)", id="rooms-never-deleted"),
    ],
)
def test_sharded_child_of_unsharded_parent_loses_its_key_err(deletes: str, said: str) -> None:
    """Posts sharded by room point at rooms on the unsharded primary: no constraint, and the note says a room's delete reaches one
    shard through its deleted event, or, where no use case deletes rooms, that none does (no event is claimed that nothing publishes)."""
    arch = design_of(CHATS + deletes)
    posts = table(arch, "posts")
    assert posts.sharding is not None
    assert posts.sharding.key == "room_id"
    assert [fk.ref_table for fk in posts.foreign_keys if fk.checked_by] == ["rooms"]
    note = next(c.comment or "" for c in posts.columns if c.name == "room_id")
    assert "rooms is on the unsharded primary" in note, note
    assert said in note, note
    assert all("foreign key room -> rooms" not in r for i in posts.indexes for r in i.reasons)


STUDIO = """
system: studio
scale: {daily_active: 2M}
entities:
  Artist: {fields: {name: string(80)}, rows: 5M}
  Subscription: {fields: {fan: ref(Artist), artist: ref(Artist)}, rows: 500M}
  Track: {fields: {artist: ref(Artist), title: string(120)}, growth: 5M/day}
use_cases:
  - {name: publish track, actor: artist, writes: [Track], rate: 5M/day}
  - {name: fan feed, actor: fan, reads: [Track, Subscription], filter: [Subscription.fan], sort: [-created_at], page: cursor, rate: 50k/s}
  - {name: quiet feed, actor: fan, reads: [Track, Subscription], filter: [Subscription.fan], sort: [-created_at], page: cursor, rate: 10/s}
  - {name: list fans, actor: artist, reads: [Artist, Subscription], filter: [Subscription.artist], sort: [name], page: cursor, rate: 100/s}
"""


def _reasons(arch: Architecture, name: str) -> dict[str, list[str]]:
    return {",".join(c.name for c in i.columns): i.reasons for i in table(arch, name).indexes}


def test_join_filter_reads_by_the_join_column_ok() -> None:
    """A feed reaches its items by their author column, never by the sort alone across every author; a join handing over ids earns no index."""
    arch = design_of(STUDIO)
    tracks = _reasons(arch, "tracks")
    assert "created_at,id" not in tracks, tracks
    by_author = tracks["artist_id,created_at,id"]
    precomputed = next(r for r in by_author if r.startswith("use case 'fan feed'"))
    assert "the rebuild of a precomputed list and the authors past the cut-off" in precomputed, precomputed
    assert "use case 'quiet feed': its filter reaches these rows by artist_id" in by_author
    assert any(d.id == "feed.fan-feed" for d in arch.decisions)
    assert not any(d.id == "feed.quiet-feed" for d in arch.decisions)
    assert not any(r.startswith("use case 'list fans'") for rs in _reasons(arch, "artists").values() for r in rs)


READING = """
system: reading
entities:
  Reader: {fields: {name: string(80)}, rows: 10M}
  Book: {fields: {title: string(120)}, rows: 1M}
  Progress: {fields: {reader: ref(Reader), book: ref(Book), page: int}, rows: 200M}
use_cases:
%s  - {name: turn page, actor: reader, kind: update, writes: [Progress.page], latest: true, rate: 500M/day}
  - {name: where was i, actor: reader, kind: get, reads: [Progress], filter: [reader, book], rate: 50M/day}
  - {name: progress card, actor: reader, kind: get, reads: [Progress], rate: 5M/day}
"""
OPEN = "  - {name: open book, actor: reader, kind: create, writes: [Progress], rate: 5M/day}\n"


@pytest.mark.parametrize(("opener", "in_redis"), [pytest.param(OPEN, True, id="created-here-lookup-key"), pytest.param("", False, id="no-creator-id-from-db")])
def test_latest_value_is_read_by_the_key_its_read_looks_up_by_ok(opener: str, in_redis: bool) -> None:
    """A read finding the row by other columns than its id gets a lookup key its creator sets, or reads the id through its index."""
    arch = design_of(READING % opener)
    reads = {m.use_case: m for m in arch.mechanisms if m.serves == "read"}
    found = reads["where was i"]
    by_id = reads["progress card"]
    assert by_id.database_share == 0.0
    assert by_id.how == "the latest page read from Redis"
    indexed = [r for rs in _reasons(arch, "progresses").values() for r in rs if r.startswith("use case 'where was i'")]
    cache = next((c for c in arch.caches if c.use_case == "where was i" and c.strategy == "read-model"), None)
    if in_redis:
        assert found.database_share == 0.0
        assert found.how.startswith("GET latest:progress:{reader_id}:{book_id} gives the Progress's id, then HGET latest:progress:{id}")
        assert cache is not None
        assert cache.key == "latest:progress:{reader_id}:{book_id}"
        setter = next(m for m in arch.mechanisms if m.use_case == "open book" and m.serves == "write")
        assert setter.how.startswith("SET latest:progress:{reader_id}:{book_id}")
        flow = next(f for f in arch.flows if f.use_case == "open book")
        assert any(s.target == "redis" for s in flow.steps)
        assert not indexed
    else:
        assert found.database_share == 1.0
        assert "read from the database by reader_id, book_id" in found.how
        assert cache is None
        assert indexed


def test_a_delete_reaching_rows_on_another_server_publishes_its_event_ok() -> None:
    """Where a room's delete reaches its posts on the shards "through its deleted event", that event is published (the events
    list, the close's flow) and consumed by the posts' service; no create event is added on its account."""
    arch = design_of(CHATS + "  - {name: close room, actor: user, kind: delete, writes: [Room], rate: 10/day}\n")
    closed = next(e for e in arch.events if e.use_case == "close room")
    posts = next(s.service for s in arch.datastores for t in s.tables if t.name == "posts")
    assert posts in closed.consumers
    flow = next(f for f in arch.flows if f.use_case == "close room")
    assert any(s.kind == "event" and s.description.startswith(closed.name) for s in flow.steps), flow.steps
    assert not any(e.use_case == "join room" for e in arch.events)
