"""A family's shard key from its traffic: a parent its children outweigh, reached by its id, is sharded by that id so the family
shares one shard map; a parent read mostly by another column keeps that key, and a write spanning its two maps claims no
transaction (issue 22-v2)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from backend_architect.api import design_spec
from backend_architect.design.co_writes import placements
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: A forum: threads by their author, posts (a reference to the thread) far more numerous, read and written by thread.
FORUM = """\
system: forum
team: {size: 6}
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  User: {fields: {name: string(80)}, rows: 5M}
  Thread:
    fields: {author: ref(User), title: string(200), notes: {type: text, avg_bytes: 3000}, last_post_at: datetime?}
    rows: 400M
    growth: 1M/day
  Post:
    fields: {thread: ref(Thread), author: ref(User), body: {type: text, avg_bytes: 2000}}
    growth: 100M/day
use_cases:
  - {name: start thread, writes: [Thread], rate: 1M/day}
  - {name: get thread, kind: get, reads: [Thread], rate: 200M/day}
  - {name: reply, writes: [Post, Thread.last_post_at], rate: 100M/day}
  - {name: list posts of thread, reads: [Post], filter: [thread], page: cursor, rate: 400M/day}
"""

#: Boards of an owner, cards (parts of a board) created with them and listed by board.
BOARDS = """\
system: boards
team: {size: 6}
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  User: {fields: {name: string(80)}, rows: 5M}
  Board:
    fields: {owner: ref(User), name: string(80), about: {type: text, avg_bytes: 4000}}
    rows: 300M
  Card:
    part_of: Board
    avg_per_parent: 20
    fields: {text: {type: text, avg_bytes: 1500}}
use_cases:
  - {name: create board, writes: [Board, Card], rate: 30/s}
  - {name: open board, kind: get, reads: [Board], rate: 5k/s}
  - {name: add card, writes: [Card], rate: 2k/s}
"""

#: The same forum read mostly by author ("my threads"): the author's key serves the hottest read.
MY_THREADS = FORUM.replace(
    "  - {name: get thread, kind: get, reads: [Thread], rate: 200M/day}",
    "  - {name: get thread, kind: get, reads: [Thread], rate: 1M/day}\n  - {name: my threads, reads: [Thread], filter: [author], rate: 900M/day}",
).replace("rate: 400M/day}", "rate: 10M/day}")

#: Shops with few reviews each: the children do not outweigh the parent, so no family key.
SHOPS = """\
system: shops
team: {size: 6}
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  User: {fields: {name: string(80)}, rows: 5M}
  Shop:
    fields: {owner: ref(User), about: {type: text, avg_bytes: 20000}}
    rows: 200M
    growth: 2M/day
  Review:
    fields: {shop: ref(Shop), stars: int}
    rows: 1M
use_cases:
  - {name: open shop, writes: [Shop], rate: 2M/day}
  - {name: get shop, kind: get, reads: [Shop], rate: 100M/day}
  - {name: review shop, writes: [Review], rate: 100k/day}
"""


def _design(text: str) -> tuple[Architecture, dict[str, str]]:
    result = design_spec(load_spec_bytes(text.encode(), "test.yaml"))
    return result.architecture, result.files


def _key(arch: Architecture, table: str) -> str | None:
    found = next(t for s in arch.datastores for t in s.tables if t.name == table)
    return found.sharding.key if found.sharding else None


@pytest.mark.parametrize(
    ("text", "parent", "children"),
    [pytest.param(FORUM, "threads", ["posts"], id="referenced-children"), pytest.param(BOARDS, "boards", ["cards"], id="part-of-children")],
)
def test_parent_of_a_heavier_family_is_sharded_by_its_id_ok(text: str, parent: str, children: list[str]) -> None:
    """A parent its children outweigh and its traffic reaches by id is sharded by id, and the children share its one shard map."""
    arch, files = _design(text)
    assert _key(arch, parent) == "id"
    where = placements(arch)
    for child in children:
        assert where[child] == where[parent], (child, where[child], where[parent])
    # the family's writes share one local transaction once every table is on the map: a write across servers is recorded for
    # them only while one of them still sits on the unsharded primary (its shards built later), and says it rejoins
    family = {parent, *children}
    later = {t.name for s in arch.datastores for t in s.tables if t.name in family and t.sharding and t.sharding.now is False}
    co_writes = [(t.name, w) for s in arch.datastores for t in s.tables if t.name in family and t.sharding for w in t.sharding.co_writes]
    for home, write in co_writes:
        assert later & {home, *write.tables}, (home, write)
        assert "in one transaction again" in write.mechanism, write.mechanism
    assert "shard map of its own" not in files["design.md"]


@pytest.mark.parametrize(
    ("text", "parent", "key"),
    [pytest.param(MY_THREADS, "threads", "author_id", id="owner-reads-dominate"), pytest.param(SHOPS, "shops", "owner_id", id="children-lighter")],
)
def test_parent_keeps_another_key_where_its_family_does_not_call_for_id_err(text: str, parent: str, key: str) -> None:
    """A parent read by another column more than by its id, or heavier than its children, keeps the key that serves it."""
    arch, _ = _design(text)
    assert _key(arch, parent) == key


def test_a_write_across_two_maps_claims_no_transaction_err() -> None:
    """A parent sharded by its owner and children keyed by its id land on two maps: the write creating both says so, in the
    contract and the design, and names the mechanism instead of one transaction."""
    text = BOARDS.replace(
        "  - {name: open board, kind: get, reads: [Board], rate: 5k/s}\n", "  - {name: my boards, reads: [Board], filter: [owner], rate: 20k/s}\n"
    )
    arch, files = _design(text)
    assert _key(arch, "boards") == "owner_id"
    assert placements(arch)["cards"] != placements(arch)["boards"]
    (op,) = [o for a in arch.apis for o in a.operations if "create board" in o.use_cases and o.method == "post"]
    assert "in one transaction." not in op.description
    assert "not in one transaction" in op.description
    contract = next(body for name, body in files.items() if name.startswith("openapi/") and "create board" in body.lower())
    assert "written with it in one transaction" not in contract
    assert "Writes across shards" in files["design.md"]


#: The forum with a read of one author's threads, rarer than the family's paths by thread id.
FORUM_BY_AUTHOR = FORUM.replace("    rows: 400M\n", "    rows: 900M\n").replace(
    "  - {name: get thread, kind: get, reads: [Thread], rate: 200M/day}",
    "  - {name: get thread, kind: get, reads: [Thread], rate: 200M/day}\n"
    "  - {name: my threads, reads: [Thread], filter: [author], sort: [-created_at], page: cursor, rate: 50M/day}",
)


def test_owner_read_of_a_family_parent_goes_through_a_counted_lookup_ok() -> None:
    """A read by owner of a parent sharded by its family's id reads a by-owner lookup (one shard), sized and counted, instead of
    every shard: the lookup holds one row per parent row, pages in the read's order, and its reads and writes are figures."""
    arch, files = _design(FORUM_BY_AUTHOR)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    assert _key(arch, "threads") == "id"
    threads, lookup = tables["threads"], tables["threads_by_author_id"]
    assert threads.sharding is not None
    assert "my threads" not in [c.split(" (")[0] for c in threads.sharding.cross_shard]
    assert "threads_by_author_id" in threads.sharding.reason
    assert lookup.primary_key == ["author_id", "thread_id"]
    assert [c.name for c in lookup.indexes[0].columns] == ["author_id", "created_at", "thread_id"]
    assert lookup.rows_now == threads.rows_now
    assert lookup.rows_per_day == threads.rows_per_day
    known = {f.key: f for f in arch.figures}
    assert known["lookup.reads.threads_by_author_id"].value == pytest.approx(known["qps.peak.my-threads"].value)
    assert known["lookup.writes.threads_by_author_id"].value == pytest.approx(threads.rows_per_day / 86_400 * 3)
    assert "rows.5y.threads_by_author_id" in known
    assert "bytes.5y.threads_by_author_id" in known
    assert any(p.data == "threads_by_author_id" and "outbox" in p.reason for p in arch.placements)
    assert "CREATE TABLE threads.threads_by_author_id" in files["schema/threads.postgresql.sql"]


def test_owner_read_of_a_parent_keyed_by_its_owner_needs_no_lookup_err() -> None:
    """A parent sharded by its owner (its owner reads dominate) gets no by-owner lookup: its key serves that read already."""
    arch, _ = _design(MY_THREADS)
    assert _key(arch, "threads") == "author_id"
    assert not any(t.name.startswith("threads_by_") for s in arch.datastores for t in s.tables)


def test_lookup_ddl_applies_to_postgresql_and_sqlite_ok(postgres: Any) -> None:
    """The forum's DDL with its by-owner lookup applies to PostgreSQL and SQLite, takes a row of valid values in every table, and
    the lookup holds one row per (author, thread)."""
    from ddl_checks import apply_postgres, apply_sqlite, postgres_rows_insert

    result = design_spec(load_spec_bytes(FORUM_BY_AUTHOR.encode(), "forum.yaml"))
    scripts = [text for path, text in sorted(result.files.items()) if path.endswith(".postgresql.sql")]
    apply_postgres(postgres, "forum_lookup", scripts)
    postgres_rows_insert(postgres, "forum_lookup", result.architecture.datastores)
    apply_sqlite(result)
    schema = next(s.schema_name for s in result.architecture.datastores if any(t.name == "threads_by_author_id" for t in s.tables))
    ids = "'01950f6b-8a3c-74a9-a7f4-1208ddf6b11b', '01950f6b-8a3c-74a9-a7f4-1208ddf6b11c'"
    row = f"INSERT INTO {schema}.threads_by_author_id (author_id, thread_id) VALUES ({ids});"
    postgres.psql(row, "forum_lookup")
    with pytest.raises(subprocess.CalledProcessError) as refused:
        postgres.psql(row, "forum_lookup")
    assert "pk_threads_by_author_id" in str(refused.value.stderr)


def test_no_lookup_before_the_family_is_sharded_err() -> None:
    """While the family's shards are a later stage, the parent's index on the owner serves the read on its one primary: no lookup
    is built (nor its writes counted), and the read is listed as crossing the shards once they are built."""
    later = FORUM_BY_AUTHOR.replace("    rows: 900M\n", "    rows: 400M\n").replace("growth: 100M/day", "growth: 10M/day")
    arch, _ = _design(
        later.replace("name: reply, writes: [Post, Thread.last_post_at], rate: 100M/day", "name: reply, writes: [Post, Thread.last_post_at], rate: 10M/day")
    )
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    assert "threads_by_author_id" not in tables
    assert not any(f.key.startswith("lookup.") for f in arch.figures)
    threads = tables["threads"].sharding
    assert threads is not None
    assert "built now" not in threads.when
    assert "my threads" in [c.split(" (")[0] for c in threads.cross_shard]
