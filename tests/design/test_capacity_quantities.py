"""A capacity figure says what it counts, and every section counts the same thing (issue 22-d1).

A table's new rows, the rows committed with them (outbox and idempotency rows) and its writes of every kind are three
quantities, each with its own name; a connection pool is sized from the requests that reach PostgreSQL after the CDN
and Redis; a standby that serves reads is a readable standby wherever read copies are counted.
"""

from __future__ import annotations

import math

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import design_spec
from backend_architect.design.partitioning import shard_reasons
from backend_architect.design.pools import DB_TIME_PER_REQUEST_S
from backend_architect.ir.database_nodes import REPLICA_READS, copies_said
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: A write-heavy table a wide-column store takes, with an outbox row (a push per entry) and an idempotency row per insert.
LEDGER = """
system: ledger
scale: {users: 50M, daily_active: 20M, retention_years: 5}
external:
  fcm: {kind: push}
entities:
  Account: {fields: {owner: string(80)}, rows: 50M}
  Entry: {fields: {account: ref(Account), amount: integer, memo: string(200)}, growth: 1B/day}
use_cases:
  - {name: post entry, actor: app, writes: [Entry], rate: 1B/day, avg_fanout: 1, notify: [fcm]}
  - {name: account entries, actor: owner, reads: [Entry], filter: [account], page: cursor, rate: 200M/day, consistency: eventual}
  - {name: get account, actor: owner, reads: [Account], rate: 50M/day}
"""
#: A write-heavy table PostgreSQL keeps (sharded), its inserts with their idempotency rows, and updates beside them.
TALLIES = """
system: tallies
scale: {users: 5M, daily_active: 1M, retention_years: 3}
entities:
  Board: {fields: {title: string(80)}, rows: 100k}
  Tally: {fields: {board: ref(Board), points: integer, note: string(100)}, growth: 300M/day}
use_cases:
  - {name: add tally, actor: player, writes: [Tally], rate: 300M/day}
  - {name: fix tally, actor: player, kind: update, writes: [Tally], rate: 20M/day}
  - {name: board tallies, actor: player, reads: [Tally], filter: [board], page: cursor, rate: 50M/day}
"""
#: Public reads behind the CDN and Redis, most answered before PostgreSQL; two readable standbys and no read replica.
ARTICLES = """
system: articles
scale: {users: 20M, daily_active: 5M, retention_years: 5, availability: 99.95%}
entities:
  Author: {fields: {name: string(80)}, rows: 200k}
  Article: {fields: {author: ref(Author), title: string(200), body: {type: text, avg_bytes: 8000}}, growth: 20k/day}
use_cases:
  - {name: publish article, actor: author, writes: [Article], rate: 20k/day}
  - {name: read article, actor: visitor, access: public, reads: [Article], rate: 400M/day, staleness: 60s}
  - {name: latest articles, actor: visitor, access: public, reads: [Article], sort: [-created_at], page: cursor, rate: 100M/day, staleness: 30s}
  - {name: author articles, actor: visitor, reads: [Article], filter: [author], page: cursor, rate: 20M/day}
"""
#: The shapes above, by name, for the consistency table (tests/design/test_document_consistency.py).
SPECS = {"d1-ledger": LEDGER, "d1-tallies": TALLIES, "d1-articles": ARTICLES}


def _design(text: str) -> tuple[Architecture, str]:
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    return result.architecture, result.files["design.md"]


def _figures(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


def test_wide_column_rates_each_named_ok() -> None:
    """The ledger's entries: new rows, the rows PostgreSQL would insert with their outbox and idempotency rows, and the writes
    the wide-column store applies are three figures with three names, and the placement states the second with its terms."""
    arch, document = _design(LEDGER)
    known = {f.key: f for f in arch.figures}
    new = known["qps.peak.insert.table.entries"]
    pg = known["wide_column.postgres_inserts.entries"]
    writes = known["wide_column.writes.entries"]
    assert new.value == pytest.approx(1e9 / 86_400 * 3)
    assert pg.value == pytest.approx(pg.inputs["new_rows"] + pg.inputs["guarantee_rows"])
    assert pg.inputs["new_rows"] == pytest.approx(new.value)
    assert pg.inputs["guarantee_rows"] > 0
    assert writes.value == pytest.approx(
        writes.inputs["new_rows"] + writes.inputs["changes"] + writes.inputs["keyed_inserts"] * writes.inputs["lwt_operations"]
    )
    assert len({new.quantity, pg.quantity, writes.quantity}) == 3
    assert new.quantity.startswith("new entries rows/s")
    assert "outbox" in pg.quantity
    assert "lightweight transaction" in writes.quantity
    assert known["wide_column.nodes.entries"].inputs["writes_per_s"] == writes.value
    said = f"{pg.value:,.0f} rows/s inserted at peak ({new.value:,.0f} new rows + {pg.inputs['guarantee_rows']:,.0f} outbox and idempotency rows"
    assert said in document
    assert "inserts/s / 5,000" not in document


def test_sharded_table_states_its_inserts_with_their_terms_ok() -> None:
    """TALLIES is sharded past one primary's inserts: the reason states the rows inserted with the idempotency rows, each term
    its figure's value, and the table's writes of every kind (inserts and updates) under their own name."""
    arch, _ = _design(TALLIES)
    known = _figures(arch)
    table = next(t for s in arch.datastores for t in s.tables if t.name == "tallies")
    assert table.sharding is not None
    guarantee = known["qps.peak.guarantee.table.tallies"]
    inserts = known["qps.peak.insert.table.tallies"]
    assert f"{inserts:,.0f} rows/s inserted at peak ({inserts - guarantee:,.0f} new rows + {guarantee:,.0f} outbox" in table.sharding.reason
    write = next(f for f in arch.figures if f.key == "qps.peak.write.table.tallies")
    assert "every kind" in write.quantity
    assert write.value > inserts - guarantee


@pytest.mark.parametrize(
    ("size", "inserts", "guarantee", "said"),
    [
        (0.0, 6_000.0, 0.0, "6,000 new rows/s at peak > 5,000 per primary"),
        (0.0, 9_000.0, 3_000.0, "9,000 rows/s inserted at peak (6,000 new rows + 3,000 outbox and idempotency rows committed with them) > 5,000"),
        (0.0, 4_000.0, 2_000.0, None),
    ],
)
def test_shard_reason_names_its_inserts_ok(size: float, inserts: float, guarantee: float, said: str | None) -> None:
    """The sharding rule's reason names what its insert rate counts: new rows alone, or the rows with the guarantee rows beside them."""
    reasons = shard_reasons(size, inserts, guarantee)
    assert (said is None and not reasons) or (said is not None and reasons[0].startswith(said))


def test_the_pool_takes_the_requests_reaching_postgresql_ok() -> None:
    """ARTICLES serves most reads from the CDN and Redis: its pool is sized from the reads and writes reaching PostgreSQL, far
    fewer than the service's requests, never from the requests a cache answers."""
    arch, _ = _design(ARTICLES)
    known = {f.key: f for f in arch.figures}
    pool = known["connections.articles"]
    reads, writes = known["db.reads.peak.articles-db"].value, known["db.writes.peak.articles-db"].value
    assert (pool.inputs["reads"], pool.inputs["writes"]) == (pytest.approx(reads), pytest.approx(writes))
    assert pool.value == max(5, math.ceil(2 * (reads + writes) * DB_TIME_PER_REQUEST_S))
    assert reads + writes < known["qps.peak.service.articles"].value / 2  # the caches answer most of them


def test_the_pool_takes_the_requests_reaching_postgresql_err() -> None:
    """Sized from the service's requests, ARTICLES's pool would be several times larger than the database's load asks for."""
    arch, _ = _design(ARTICLES)
    known = _figures(arch)
    from_requests = max(5, math.ceil(2 * known["qps.peak.service.articles"] * DB_TIME_PER_REQUEST_S))
    assert known["connections.articles"] < from_requests / 2


@pytest.mark.parametrize(
    ("spare", "added", "said"),
    [
        (2, 0, "2 readable standby(s) (0 read replicas)"),
        (1, 3, "1 readable standby(s) and 3 read replica(s)"),
        (0, 2, "2 read replica(s)"),
    ],
)
def test_copies_said_names_standbys_apart_ok(spare: float, added: float, said: str) -> None:
    """The copies serving reads are said as readable standbys and read replicas, never a standby counted as a replica."""
    assert copies_said(spare, added) == said


def test_standbys_named_where_replicas_counted_ok() -> None:
    """ARTICLES keeps two readable standbys and needs no read replica: the bottleneck table says so, and the growth plan's
    postponed read replicas agree with it (no '2 replica(s) now')."""
    arch, document = _design(ARTICLES)
    known = _figures(arch)
    assert known["db.read_replicas"] == 0
    assert known["db.standbys"] == 2
    assert f"serves {REPLICA_READS} from 2 readable standby(s) (0 read replicas) now" in document
    assert "replica(s) now (the readable standbys included)" not in document
    assert spec_of(ARTICLES).scale.availability is not None
