"""A request's steps are in its latency and in its store's load: one list (design/request_steps.py) both read.

Shapes: a write checking a reference against a local copy, a write checking it on the owner (over the network, and
in process), a feed precomputed at write time whose large authors are merged at read time (default, stated, and
none past the cut-off), a keyed create a wide-column store takes (its Idempotency-Key's lightweight transaction).
"""

from __future__ import annotations

import functools

import pytest
from tests.design.helpers import spec_of
from tests.design.test_reference_checks import ORDERS

from backend_architect.design.analysis import analyse
from backend_architect.design.latency import per_operation, scatter_factor
from backend_architect.design.loads import databases
from backend_architect.design.pipeline import design
from backend_architect.design.request_steps import LWT_OPERATIONS, RequestStep, request_steps
from backend_architect.ir.model import Architecture

#: A social feed: 40M readers, 2,000 reads/s of the home feed on average over 150 followees each, posts at 500/s.
FEED = """
system: chirps
scale: {users: USERS}
entities:
  Account: {fields: {handle: {type: string(15), unique: true}}, rows: USERS}
  Chirp: {fields: {author: ref(Account), text: string(280)}, growth: 20M/day}
  Follow:
    fields: {follower: ref(Account), followee: ref(Account)}
    unique: [[follower, followee]]
use_cases:
  - {name: post chirp, actor: account, writes: [Chirp], rate: 500/s, avg_fanout: 150}
  - name: home feed
    actor: account
    owner_only: true
    reads: [Chirp, Follow]
    filter: [Follow.follower]
    sort: [-created_at]
    page: cursor
    rate: 2k/s
    consistency: eventual
    staleness: 10s
MERGED
"""

#: A guestbook whose entries a wide-column store takes (300M a day, appended per board), created by users with an Idempotency-Key.
GUESTBOOK = """
system: guestbook
team: {size: 4}
entities:
  Board: {fields: {title: string(80)}, rows: 2M, growth: 10k/day}
  Entry:
    fields: {board: ref(Board), body: {type: text, avg_bytes: 200}}
use_cases:
  - {name: open board, actor: user, kind: create, writes: [Board], rate: 10k/day}
  - {name: sign board, actor: user, kind: create, writes: [Entry], rate: 300M/day}
  - {name: board entries, actor: user, kind: list, reads: [Entry], filter: [board], sort: [-created_at], consistency: eventual, rate: 50M/day}
"""


@functools.cache
def _designed(text: str) -> tuple[Architecture, list[RequestStep]]:
    spec = spec_of(text)
    arch = design(spec)
    return arch, request_steps(analyse(spec), arch)


def _db_reads(arch: Architecture) -> dict[str, dict[str, float]]:
    return {f.key.removeprefix("db.reads.peak."): f.inputs for f in arch.figures if f.key.startswith("db.reads.peak.")}


def _parts(arch: Architecture, use_case: str) -> dict[str, float]:
    flow = next(f for f in arch.flows if f.use_case == use_case)
    return {p.part: p.ms for p in flow.latency_parts}


def _database_of(arch: Architecture, table_or_entity: str) -> str:
    entities = databases(arch)
    # a modular monolith's modules are schemas of one database
    tables = {t.name: s.name.split(".")[0] if arch.deployment == "modular-monolith" else s.name for s in arch.datastores for t in s.tables}
    return next((db for db, held in entities.items() if table_or_entity in held), tables.get(table_or_entity, ""))


def _assert_in_both(arch: Architecture, step: RequestStep) -> None:
    """The step's reads are one input of its database's peak reads, at its rate; its time is one part of its flow's latency."""
    ms = per_operation(spec_of("system: s\nentities: {A: {fields: {n: string}}}\nuse_cases: []\n"))
    if step.load is not None and step.load.reads_per_s and not step.load.cached_by:
        reads = _db_reads(arch)[_database_of(arch, step.load.entity)]
        assert reads.get(step.load.key) == pytest.approx(step.load.reads_per_s), (step.load.key, reads)
    parts = _parts(arch, step.use_case)
    if step.in_hop:
        assert any(p.startswith("synchronous hop") for p in parts), parts
    else:
        said = step.part if step.share >= 1 else f"{step.part}, for {step.share:.1%} of requests"
        assert parts.get(said) == pytest.approx(ms[step.op] * step.share * scatter_factor(step.shards)), (said, parts)


@pytest.mark.parametrize(("rate", "check", "key"), [("2k/s", "local copy", "copy_check_"), ("50/s", "query", "check_")])
def test_a_reference_check_is_in_the_latency_and_the_load_ok(rate: str, check: str, key: str) -> None:
    """A write's check (a local copy's table in its own database, or the owner's row) is read at the write's peak rate and timed."""
    arch, steps = _designed(ORDERS.replace("RATE", rate))
    (made,) = [c for c in arch.reference_checks if c.use_case == "place order" and c.column == "product_id"]
    assert made.check == check
    mine = [s for s in steps if s.use_case == "place order" and s.load is not None and s.load.key.startswith(key) and "product_id" in s.load.key]
    assert len(mine) == 1, steps
    step = mine[0]
    assert step.load is not None
    assert step.load.reads_per_s == pytest.approx(made.peak)
    if check == "local copy":
        # the copy lives in the writer's database: its reads land there, not on the owner's
        assert _database_of(arch, step.load.entity) == _database_of(arch, "Order")
        assert not step.in_hop
        assert "known_products" in step.part
    else:
        assert _database_of(arch, step.load.entity) == _database_of(arch, "Product")
        assert step.in_hop  # a call over the network: the hop carries the owner's query
    _assert_in_both(arch, step)


def test_an_in_process_check_times_the_owners_read_ok() -> None:
    """In a modular monolith the check is a function call: the owner's indexed read is its own part of the latency."""
    arch, steps = _designed(ORDERS.replace("RATE", "50/s").replace("team: {size: 30}", "team: {size: 3}"))
    assert arch.deployment == "modular-monolith"
    mine = [s for s in steps if s.use_case == "place order" and s.load is not None and s.load.key.startswith("check_")]
    assert mine
    assert all(not s.in_hop for s in mine)
    for step in mine:
        _assert_in_both(arch, step)


@pytest.mark.parametrize(
    ("users", "merged", "expected"),
    [("40M", "", 5.0), ("40M", "    merged_sources: 12", 12.0), ("60k", "", 0.0)],
    ids=["default", "stated", "none-past-the-cut-off"],
)
def test_a_hybrid_feed_merges_its_large_authors_in_both_ok(users: str, merged: str, expected: float) -> None:
    """The read-time merge of the followed authors past the cut-off is peak x merged_sources reads on the item's database and one query's time."""
    text = FEED.replace("USERS", users).replace("MERGED", merged)
    arch, steps = _designed(text)
    peak = next(u.peak_qps for u in analyse(spec_of(text)).use_cases if u.name == "home feed")
    feed = next(m for m in arch.mechanisms if m.use_case == "home feed" and m.serves == "read")
    merges = [s for s in steps if s.use_case == "home feed" and s.load is not None and s.load.key.startswith("merge_")]
    if not expected:
        assert not merges
        assert not any(k.startswith("merge_") for r in _db_reads(arch).values() for k in r)
        assert "0 a reader" in feed.how
        return
    (step,) = merges
    assert step.load is not None
    assert step.load.reads_per_s == pytest.approx(peak * expected)
    assert f"{expected:g} a reader" in feed.how
    _assert_in_both(arch, step)
    # the page's rows read by id are a step too: timed and counted
    hydration = [s for s in steps if s.use_case == "home feed" and s.load is not None and s.load.key.startswith("hydrate_")]
    assert hydration
    for s in hydration:
        _assert_in_both(arch, s)


def test_a_keyed_wide_column_create_times_its_lightweight_transaction_ok() -> None:
    """A create a wide-column store takes, keyed by Idempotency-Key, waits for the key's conditional insert before its quorum write."""
    arch, steps = _designed(GUESTBOOK)
    assert any(t.wide_column is not None for s in arch.datastores for t in s.tables)
    (step,) = [s for s in steps if s.use_case == "sign board" and s.op == "lightweight_transaction"]
    _assert_in_both(arch, step)
    # its operations are in the store's write sizing: the nodes carry the inserts and the lightweight transactions
    assert step.load is not None
    assert step.load.writes_per_s == pytest.approx(step.load.inputs["peak"] * LWT_OPERATIONS)
    nodes = next(f for f in arch.figures if f.key == "wide_column.nodes.entries")
    inserts = next(f.value for f in arch.figures if f.key == "qps.peak.insert.table.entries")
    assert nodes.inputs["writes_per_s"] == pytest.approx(inserts + step.load.writes_per_s)
    # no relational database counts them
    assert not any(step.load.key in r for r in _db_reads(arch).values())
    parts = _parts(arch, "sign board")
    assert any("quorum" in p for p in parts), parts


#: A ticket changed in PostgreSQL by id, and a position kept as a latest value in Redis (no database row read).
TICKETS = """
system: tickets
entities:
  Ticket: {fields: {title: string(120), status: "enum[open,closed]"}, rows: 1M}
  Tracker: {fields: {lat: float, lng: float}, rows: 100k}
use_cases:
  - {name: open ticket, actor: agent, writes: [Ticket], rate: 20/s}
  - {name: close ticket, actor: agent, kind: update, writes: [Ticket.status], rate: 30/s}
  - {name: move tracker, actor: device, kind: update, writes: [Tracker.lat, Tracker.lng], latest: true, rate: 5k/s}
"""


def test_a_change_reads_its_row_in_both_ok() -> None:
    """An update committed in the database reads its row by id first: timed and counted; a latest value kept in memory reads none."""
    arch, steps = _designed(TICKETS)
    (step,) = [s for s in steps if s.use_case == "close ticket"]
    assert step.load is not None
    assert step.load.key == "read_close-ticket"
    _assert_in_both(arch, step)
    assert not [s for s in steps if s.use_case in {"open ticket", "move tracker"}]
    assert "indexed read of the row it changes" not in _parts(arch, "move tracker")


@pytest.mark.parametrize(
    ("growth", "posts", "merged", "sharded"),
    [
        pytest.param("1M/day", "20/s", "", False, id="one-primary-one-query"),
        pytest.param("900M/day", "500/s", "", True, id="sharded-by-author-default-5"),
        pytest.param("900M/day", "500/s", "    merged_sources: 12", True, id="sharded-by-author-stated-12"),
    ],
)
def test_a_merge_over_shards_is_timed_as_the_shards_it_reaches_ok(growth: str, posts: str, merged: str, sharded: bool) -> None:
    """The merge of the authors past the cut-off reaches one shard per author on a table sharded by author, and its time takes
    the same scatter tail as any read over several shards; on one primary it is one query."""
    text = FEED.replace("USERS", "40M").replace("MERGED", merged).replace("growth: 20M/day", f"growth: {growth}")
    text = text.replace("rate: 500/s, avg_fanout", f"rate: {posts}, avg_fanout")
    arch, steps = _designed(text)
    (step,) = [s for s in steps if s.use_case == "home feed" and s.load is not None and s.load.key.startswith("merge_")]
    assert step.load is not None
    chirps = next(t for s in arch.datastores for t in s.tables if t.name == "chirps")
    assert (chirps.sharding is not None and chirps.sharding.key == step.load.by) is sharded
    shards = next((f.value for f in arch.figures if f.key == "db.shards.chirps"), 1.0)
    sources = step.load.inputs["merged_sources"]
    assert step.shards == (min(sources, shards) if sharded else 1.0)
    assert ("in parallel" in step.part) is sharded
    _assert_in_both(arch, step)
