"""A sharded database is sized per shard, a precomputed feed's pages are filled from the item store, and a write whose rows land
on different shards states what replaces its transaction: every section reads the same figures and records."""

from __future__ import annotations

import json
import textwrap

import pytest

from backend_architect.api import design_spec
from backend_architect.design.loads import databases
from backend_architect.design.patterns._common import fmt
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture
from backend_architect.rules.design.data_agrees import co_write_across_shards_unhandled
from backend_architect.rules.registry import review
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import DecisionOverride

LEDGER = """\
system: ledger
team: {size: 8}
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Account: {fields: {owner: string(80)}, rows: 5M}
  Entry:
    append_only: true
    fields: {account: ref(Account), amount: "decimal(14,2)", memo: string(120)}
use_cases:
  - {name: post entry, writes: [Entry], rate: 30k/s}
  - {name: list entries, reads: [Entry], filter: [account], sort: [-created_at], page: cursor, rate: 60k/s, cache: false}
  - {name: open account, writes: [Account], rate: 5/s}
"""

READINGS = """\
system: meters
team: {size: 5}
scale: {rates: peak, peak_factor: 2, retention_years: 2}
entities:
  Meter: {fields: {serial: string(40)}, rows: 20k}
  Reading:
    append_only: true
    part_of: Meter
    max_per_parent: 2000000000
    fields: {value: "decimal(12,4)", taken_at: datetime}
use_cases:
  - {name: ingest reading, writes: [Reading], rate: 12k/s}
  - {name: meter history, reads: [Reading], filter: [meter], sort: [-taken_at], page: cursor, rate: 300/s}
"""

ARCHIVE = """\
system: archive
team: {size: 5}
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  Folder: {fields: {name: string(80)}, rows: 100k}
  Document:
    fields: {folder: ref(Folder), body: {type: text, avg_bytes: 20000}}
use_cases:
  - {name: file document, writes: [Document], rate: 200k/day}
  - {name: read document, reads: [Document], rate: 5M/day}
"""


def _design(text: str, decisions: dict[str, DecisionOverride] | None = None) -> Architecture:
    spec = load_spec_bytes(textwrap.dedent(text).encode(), "test.yaml").spec
    if decisions:
        spec = spec.model_copy(update={"decisions": decisions})
    return design_with_analysis(spec)[0]


def _db(arch: Architecture, table: str) -> str:
    """The physical database holding ``table`` (a modular monolith's one database, else its service's)."""
    entity = next(t.entity for s in arch.datastores for t in s.tables if t.name == table)
    return next(db for db, entities in databases(arch).items() if entity in entities)


@pytest.mark.parametrize(
    ("text", "table", "built"),
    [
        pytest.param(LEDGER, "entries", True, id="inserts-past-one-primary"),
        pytest.param(READINGS, "readings", True, id="skewed-key-few-shards"),
        pytest.param(ARCHIVE, "documents", False, id="sharded-later-by-size"),
    ],
)
def test_sharded_database_is_sized_per_shard_ok(text: str, table: str, built: bool) -> None:
    """Writes, reads, replicas and utilisation are per shard once sharded; until then the primary carries the table; every section agrees."""
    arch = _design(text)
    known = {f.key: f for f in arch.figures}
    db = _db(arch, table)
    shards = known[f"db.shards.{table}"].value
    skew = known[f"db.shard.skew.{table}"].value
    # the table's writes and the outbox and idempotency rows committed with them, on the same shard
    guarded = known.get(f"qps.peak.guarantee.table.{table}")
    writes = known[f"qps.peak.write.table.{table}"].value + (guarded.value if guarded else 0.0)
    per_shard = known[f"db.shard.writes.{table}"].value
    assert per_shard == pytest.approx(writes / shards * skew)
    reads = known[f"db.shard.reads.{table}"]
    assert reads.value == pytest.approx(reads.inputs["reads_keyed"] / shards * skew + reads.inputs["reads_cross_shard"])
    util = known[f"db.write_utilisation.{db}"]
    if built:
        # one shard's primary, not one primary for the whole table
        assert util.inputs["peak_write"] == pytest.approx(per_shard)
        # the unsharded primary keeps only the reads of its unsharded tables (the created accounts read back)
        assert known[f"db.read_replicas.{db}"].inputs["peak_reads"] == known[f"db.primary.reads.peak.{db}"].value
        assert "once sharded" not in known[f"db.shard.writes.{table}"].quantity
    else:
        assert util.inputs["peak_write"] == pytest.approx(known[f"db.writes.peak.{db}"].value)
        assert "once sharded" in known[f"db.shard.writes.{table}"].quantity
    replicas = known[f"db.shard.read_replicas.{table}"].value
    nodes = known[f"db.nodes.{table}"].value
    assert nodes == shards * (3 + replicas)
    assert arch.availability is not None
    assert f"= {fmt(nodes)} nodes" in arch.availability.database
    stage = next(s for s in arch.stages if s.name == "sharding")
    assert f"each shard {fmt(per_shard)} writes/s" in " ".join(stage.adds)
    assert ("from now" if built else "once built") in " ".join(stage.adds)
    busiest = known["db.write_utilisation"]
    ceiling = next(b for b in arch.bottlenecks if b.title == "Write ceiling of one database primary")
    assert f"{busiest.inputs['peak_write']:,.1f}/s = {busiest.value:.1%}" in ceiling.trigger


def test_skew_stated_by_max_per_parent_raises_the_busiest_shard_ok() -> None:
    """A key whose rows the spec bounds (max_per_parent) makes the busiest shard busier than the average; unbounded keys spread evenly."""
    skewed = {f.key: f.value for f in _design(READINGS).figures}["db.shard.skew.readings"]
    even = {f.key: f.value for f in _design(LEDGER).figures}["db.shard.skew.entries"]
    assert skewed > 1.01
    assert even == 1.0


def test_sharded_database_needs_no_replicas_its_shards_absorb_err() -> None:
    """Reads that 3 shards spread are not sized as one primary needing replicas (the trial's 'ceil(29,851 / 20,000) - 1 = 1')."""
    arch = _design(LEDGER)
    known = {f.key: f.value for f in arch.figures}
    db = _db(arch, "entries")
    assert known[f"db.reads.peak.{db}"] > 20_000
    assert known["db.shard.read_replicas.entries"] == 0
    assert known[f"db.read_replicas.{db}"] == 0
    assert not [d for d in arch.decisions if d.id == f"read-replicas.{db}"]


FEED = """\
system: pinboard
team: {size: 20}
scale: {users: 5M, daily_active: 1M, rates: peak}
entities:
  User: {fields: {handle: string(20)}, rows: 5M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 200M}
  Pin:
    append_only: true
    fields: {author: ref(User), caption: string(200)}
use_cases:
  - {name: save pin, actor: user, writes: [Pin], rate: 1k/s, avg_fanout: 40}
  - name: home feed
    actor: user
    reads: [Follow, Pin]
    filter: [Follow.follower]
    sort: [-Pin.created_at]
    page: {style: cursor, limit: %d, max: 100}
    rate: 4k/s
    staleness: 5s
%s"""

VIEW_PIN = "  - {name: view pin, actor: user, reads: [Pin], rate: 10k/s, staleness: 60s}\n"


@pytest.mark.parametrize(
    ("page", "extra"),
    [pytest.param(20, "", id="page-20-own-item-cache"), pytest.param(50, "", id="page-50"), pytest.param(25, VIEW_PIN, id="beside-a-get")],
)
def test_feed_pages_are_filled_from_the_item_store_ok(page: int, extra: str) -> None:
    """page size x feed reads reach the item's database (the misses of the get cache, or of the read model's own item cache), its diagram and its figures."""
    text = FEED % (page, extra)
    arch = _design(text)
    known = {f.key: f for f in arch.figures}
    hydration = known["db.mechanism.hydrate_home-feed"]
    own = known.get("cache.items.hit_ratio.home-feed")
    assert own is not None
    assert hydration.value == pytest.approx(4_000 * page * (1 - (own.value if own else 0.0)))
    db = _db(arch, "pins")
    reaching = known[f"db.reads.peak.{db}"].inputs["hydrate_home-feed"]
    # the pages read through the read model's own item cache (recent items), not the get's (every row): only its misses reach the database
    assert reaching == pytest.approx(hydration.value)
    spec = load_spec_bytes(textwrap.dedent(text).encode(), "test.yaml").spec
    from backend_architect.render.sequence import render_sequence

    flow = next(f for f in arch.flows if f.use_case == "home feed")
    sequence = render_sequence(arch, flow)
    assert f"participant db_{db.replace('-', '_')} as {db}" in sequence
    assert f"({page} a page)" in sequence
    assert spec.system == "pinboard"


THREADS = """\
system: forum
team: {size: 10}
scale: {rates: peak, retention_years: 5}
entities:
  Thread: {fields: {title: string(120), summary: {type: text, avg_bytes: 2000}, last_post_at: datetime?}, growth: 3M/day}
  Post:
    append_only: true
    fields: {thread: ref(Thread), body: {type: text, avg_bytes: 400}}
use_cases:
  - {name: post reply, writes: [Post, Thread.last_post_at], rate: 8k/s}
  - {name: read thread, reads: [Post], filter: [thread], sort: [created_at], page: cursor, rate: 20k/s}
  - {name: open thread, reads: [Thread], rate: 5k/s}
"""

#: Workspaces reached only through their seats: nothing looks a workspace up, so its table is partitioned by time (its
#: references give up their foreign keys), and a seat, sharded by its user, lands apart from the workspace it is created with.
WORKSPACES = """\
system: workspaces
team: {size: 10}
scale: {rates: peak, retention_years: 5}
entities:
  User: {fields: {email: {type: string(120), pii: true}}, rows: 50M}
  Workspace: {fields: {owner: ref(User), name: string(80)}}
  Seat:
    fields: {workspace: ref(Workspace), user: ref(User), role: "enum[admin, member]"}
use_cases:
  - {name: create workspace, writes: [Workspace, Seat], rate: 6k/s, consistency: %s}
  - {name: my workspaces, reads: [Seat], filter: [user], page: cursor, rate: 20k/s}
"""


def test_rows_sharded_by_the_same_value_keep_their_transaction_ok() -> None:
    """A post (by thread_id) and its thread's last_post_at (by id) share one shard map: one local transaction, nothing recorded."""
    arch = _design(THREADS)
    known = {f.key: f.value for f in arch.figures}
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    assert tables["posts"].sharding is not None
    assert tables["threads"].sharding is not None
    assert known["db.shards.posts"] == known["db.shards.threads"]
    assert not [w for t in tables.values() if t.sharding for w in t.sharding.co_writes]
    assert not [d for d in arch.decisions if d.id == "cross-shard-writes"]
    db = _db(arch, "posts")
    # both rows of the write count: the post and its thread's update, and the idempotency key it stores
    assert known[f"db.writes.peak.{db}"] == pytest.approx(24_000)
    assert known["qps.peak.guarantee.table.posts"] == pytest.approx(8_000)


def test_rows_on_different_shards_state_what_replaces_the_transaction_ok() -> None:
    """The table, the flow, the decision (ADR) and the hand-off state one mechanism; the critic is clean."""
    consistency = "strong"
    arch = _design(WORKSPACES % consistency)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    writes = [w for t in tables.values() if t.sharding for w in t.sharding.co_writes]
    assert [(w.use_case, w.tables, w.consistency) for w in writes] == [("create workspace", ["seats"], consistency)]
    mechanism = writes[0].mechanism
    assert "outbox" in mechanism
    assert "idempotent" in mechanism
    assert writes[0].since
    flow = next(f for f in arch.flows if f.use_case == "create workspace")
    assert mechanism in flow.rationale
    made = next(d for d in arch.decisions if d.id == "cross-shard-writes")
    assert mechanism in made.choice
    assert "two-phase commit" in " ".join(a.name for a in made.alternatives)
    assert review(arch, (co_write_across_shards_unhandled,)) == []
    files = design_spec(load_spec_bytes(textwrap.dedent(WORKSPACES % consistency).encode(), "test.yaml").spec).files
    said = json.dumps(mechanism)[1:-1]
    assert said in files["handoff.json"]
    assert f"- written with seats by 'create workspace', their rows apart ({writes[0].since}): {mechanism}" in files["design.md"]
    assert any(mechanism in text for name, text in files.items() if name.startswith("schema/") and name.endswith(".postgresql.sql"))
    assert any(mechanism in text for name, text in files.items() if name.startswith("adr/"))


@pytest.mark.parametrize(("consistency", "warned"), [("strong", True), ("eventual", False)])
def test_forbidding_the_mechanism_leaves_a_strong_co_write_warned_err(consistency: str, warned: bool) -> None:
    """With the cross-shard write pattern forbidden, a strongly consistent write across shards is a warning; an eventual one is not."""
    arch = _design(WORKSPACES % consistency, {"cross-shard-write": DecisionOverride(forbid=True, reason="pilot")})
    found = review(arch, (co_write_across_shards_unhandled,))
    assert bool(found) == warned
    if warned:
        assert "'create workspace' writes" in found[0].message


@pytest.mark.parametrize(
    ("rows_now", "rows_per_day", "eta"),
    [
        pytest.param(4_100_000, 0, "now", id="past-it-today"),
        pytest.param(3_500_000, 100_000, "in about 5 days", id="days-away-is-said-in-days"),
        pytest.param(1_000_000, 30_000, "in about 3.3 months", id="months-away-to-a-tenth"),
        pytest.param(0, 1_000, "not within 5 years", id="never-within-the-horizon"),
    ],
)
def test_time_to_a_size_is_stated_in_days_months_or_years_ok(rows_now: float, rows_per_day: float, eta: str) -> None:
    """A table a few days from one primary's store is said to be days away, not "about 1 months"."""
    from backend_architect.design.patterns._shards import when_size
    from backend_architect.design.patterns._stores import per_row_bytes
    from backend_architect.ir.model import Column, Table

    table = Table(name="events", columns=[Column(name="id", type="bigint"), Column(name="body", type="text", avg_bytes=488)], primary_key=["id"])
    # a threshold of 4,000,000 rows of this table
    threshold = 4_000_000 * per_row_bytes(table)
    table = table.model_copy(update={"rows_now": rows_now, "rows_per_day": rows_per_day})
    assert when_size(table, threshold, 0.0, 5.0)[1] == eta


#: A table sharded by id (past one primary's inserts) and one sharded by its parent, each with a get of one row by id.
GETS = """\
system: gets
team: {size: 8}
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Badge: {fields: {label: string(40)}, rows: 1M}
  Visit:
    append_only: true
    fields: {badge: ref(Badge), gate: string(20)}
  Token:
    fields: {note: string(40)}
use_cases:
  - {name: record visit, writes: [Visit], rate: 20k/s}
  - {name: badge visits, reads: [Visit], filter: [badge], sort: [-created_at], page: cursor, rate: 1k/s}
  - {name: show visit, kind: get, reads: [Visit], rate: 2k/s}
  - {name: mint token, writes: [Token], rate: 9k/s}
  - {name: show token, kind: get, reads: [Token], rate: 3k/s}
"""


@pytest.mark.parametrize(
    ("text", "table", "key", "crossing"),
    [
        pytest.param(GETS, "tokens", "id", [], id="get by the shard key: one shard"),
        pytest.param(GETS, "visits", "badge_id", [], id="get by id on a table sharded by its parent: the shard its id carries"),
        pytest.param(
            GETS.replace("  Visit:\n", "  Visit:\n    key: identity\n"),
            "visits",
            "badge_id",
            ["show visit"],
            id="get by a database-made id on a table sharded by its parent: every shard",
        ),
    ],
)
def test_a_get_by_id_crosses_shards_only_off_the_key_ok(text: str, table: str, key: str, crossing: list[str]) -> None:
    """A get of one row selects by id: keyed where the table is sharded by id or its ids carry their shard (``shard_ids.py``),
    scatter-gather where it is sharded by another column and the database makes its ids; the per-shard read figure counts it
    the same way."""
    arch, _ = design_with_analysis(load_spec_bytes(text.encode(), "gets.yaml").spec)
    found = next(t for s in arch.datastores for t in s.tables if t.name == table)
    assert found.sharding is not None
    assert found.sharding.key == key
    assert [c.split(" (")[0] for c in found.sharding.cross_shard] == crossing
    reads = next(f for f in arch.figures if f.key == f"db.shard.reads.{table}")
    assert (reads.inputs["reads_cross_shard"] > 0) == bool(crossing)
