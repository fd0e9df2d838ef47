"""A synchronous call's read of another service's rows is counted on the shards it reaches, as a client's read is.

The callee answers the call with one query by the columns the caller's filters put on its rows: by the callee table's shard
key it reaches one shard (keyed); by another column alongside the shard key it is routed to one shard; by another column
alone it asks every shard and counts at its full rate on each (``reads_cross_shard``). Specs of different shapes: parcels
filtered by a store through the order they ship (scatter), a clinic's visits listed by the patient through their referral
(the referral's shard key: keyed), and a forum's replies listed by a thread's board and author (routed by the author).
"""

from __future__ import annotations

from functools import cache

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Architecture, Figure

#: Orders sharded by customer (40k inserts/s); shipments list a store's parcels through the Order rows they name.
PARCELS = """\
system: parcels
team: {size: 30}
scale: {rates: peak, peak_factor: 2, retention_years: 5}
services:
  orders: {owns: [Order]}
  shipments: {owns: [Shipment]}
entities:
  Order:
    append_only: true
    fields: {customer: string(40), store: string(40), total: "decimal(12,2)"}
  Shipment:
    fields: {order: ref(Order), carrier: string(40), shipped_at: datetime}
use_cases:
  - {name: place order, writes: [Order], rate: 40k/s}
  - {name: customer orders, reads: [Order], filter: [customer], sort: [-created_at], page: cursor, rate: 20k/s, cache: false}
  - {name: ship order, writes: [Shipment], rate: 300/s}
  - {name: store shipments, reads: [Shipment], filter: [Order.store], page: cursor, rate: 2k/s, cache: false}
"""

#: Referrals sharded by patient; visits are listed by the patient the referral names: the callee's shard key.
CLINIC = """\
system: clinic
team: {size: 25}
scale: {rates: average, peak_factor: 3, retention_years: 8}
services:
  referrals: {owns: [Referral]}
  visits: {owns: [Visit]}
entities:
  Referral:
    append_only: true
    fields: {patient: string(36), clinic: string(60), reason: string(200)}
  Visit:
    fields: {referral: ref(Referral), room: string(10), seen_at: datetime}
use_cases:
  - {name: refer patient, writes: [Referral], rate: 1.5B/day}
  - {name: patient referrals, reads: [Referral], filter: [patient], page: cursor, rate: 300M/day, cache: false}
  - {name: record visit, writes: [Visit], rate: 20M/day}
  - {name: patient visits, reads: [Visit], filter: [Referral.patient], page: cursor, rate: 50M/day, cache: false}
"""

#: Posts sharded by author; replies are listed by the board and author of their post: the author routes the query.
FORUM = """\
system: forum
team: {size: 40}
scale: {rates: peak, peak_factor: 2, retention_years: 4}
services:
  posts: {owns: [Post]}
  replies: {owns: [Reply]}
entities:
  Post:
    append_only: true
    fields: {author: string(36), board: string(40), body: {type: text, avg_bytes: 800}}
  Reply:
    fields: {post: ref(Post), body: string(500)}
use_cases:
  - {name: write post, writes: [Post], rate: 30k/s}
  - {name: author posts, reads: [Post], filter: [author], sort: [-created_at], page: cursor, rate: 10k/s, cache: false}
  - {name: write reply, writes: [Reply], rate: 500/s}
  - {name: board replies by author, reads: [Reply], filter: [Post.board, Post.author], page: cursor, rate: 3k/s, cache: false}
"""


SPECS = {"parcels": PARCELS, "clinic": CLINIC, "forum": FORUM}


@cache
def _designed(name: str) -> DesignResult:
    return design_spec(spec_of(SPECS[name]))


def _figure(arch: Architecture, key: str) -> Figure:
    found = next((f for f in arch.figures if f.key == key), None)
    assert found is not None, f"no figure {key}: {sorted(f.key for f in arch.figures if f.key.startswith('db.'))}"
    return found


def _call(arch: Architecture, callee_db: str) -> tuple[str, float]:
    """The one call key the callee's database reads for, with its rate."""
    reads = _figure(arch, f"db.reads.peak.{callee_db}").inputs
    (key,) = [k for k in reads if k.startswith("call_")]
    return key, reads[key]


@pytest.mark.parametrize(
    ("name", "table", "key", "column", "scatter"),
    [
        pytest.param("parcels", "orders", "customer", "store", True, id="parcels-by-store-scatter"),
        pytest.param("clinic", "referrals", "patient", "patient", False, id="clinic-by-patient-keyed"),
        pytest.param("forum", "posts", "author", "board", False, id="forum-by-board-and-author-routed"),
    ],
)
def test_a_call_counts_on_the_shards_it_reaches_ok(name: str, table: str, key: str, column: str, scatter: bool) -> None:
    """A call's read by another column than the callee's shard key counts on every shard, and the data section lists it so; by
    the key (alone or beside another column) it counts with the keyed reads, on one shard."""
    result = _designed(name)
    arch = result.architecture
    sharded = next(t for s in arch.datastores for t in s.tables if t.name == table)
    assert sharded.sharding is not None
    assert sharded.sharding.key == key
    call, rate = _call(arch, f"{table}-db")
    assert rate > 0
    reads = _figure(arch, f"db.shard.reads.{table}").inputs
    assert reads["reads_cross_shard"] == pytest.approx(rate if scatter else 0.0), (call, reads)
    listed = "synchronous call" in result.files["design.md"] and f"(by {column}: " in result.files["design.md"]
    assert listed == scatter, call
