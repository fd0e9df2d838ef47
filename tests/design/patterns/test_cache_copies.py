"""PAT050: a cache whose loss would push its database past the reads its nodes serve keeps a replica, even in a single-zone plan."""

from __future__ import annotations

import pytest

from backend_architect.ir.model import Architecture
from design.helpers import design_of

GET = """\
system: catalog
team: {size: 3}
scale: {rates: peak, availability: 99%%}
entities:
  Product: {fields: {name: string(80)}, rows: %(rows)s}
use_cases:
  - {name: view product, actor: customer, kind: get, reads: [Product], rate: %(rate)s, staleness: 300s}
  - {name: reprice product, actor: admin, kind: update, writes: [Product], rate: 1/s}
"""

LIST = """\
system: forum
team: {size: 3}
scale: {rates: peak, availability: 99%%}
entities:
  Board: {fields: {title: string(80)}, rows: 200}
  Topic: {part_of: Board, fields: {title: string(120)}, rows: 1M, growth: 10k/day}
use_cases:
  - {name: browse board, actor: reader, reads: [Topic], filter: [board], sort: [-created_at], page: cursor, rate: %(rate)s, staleness: 60s}
  - {name: open topic, actor: reader, writes: [Topic], rate: 5/s}
"""


def _figures(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


@pytest.mark.parametrize(
    ("text", "copies"),
    [
        pytest.param(GET % {"rows": "1k", "rate": "30000/s"}, 2, id="get-hot-set-removes-past-the-database"),
        pytest.param(GET % {"rows": "1k", "rate": "5000/s"}, 1, id="get-removes-within-the-database"),
        pytest.param(GET % {"rows": "10M", "rate": "30000/s"}, 2, id="get-partial-hits-still-past"),
        pytest.param(LIST % {"rate": "25000/s"}, 2, id="list-by-parent-past"),
        pytest.param(LIST % {"rate": "2000/s"}, 1, id="list-by-parent-within"),
    ],
)
def test_cache_replica_from_cold_cache_storm_ok(text: str, copies: int) -> None:
    """The copies follow the reads the cache removes plus those reaching the database against what its nodes serve, and every record says them."""
    arch = design_of(text)
    assert arch.availability is not None
    assert arch.availability.zones == 1
    known = _figures(arch)
    db = next(k.removeprefix("db.read_capacity.") for k in known if k.startswith("db.read_capacity."))
    removed = sum(v for k, v in known.items() if k.startswith("cache.db_reads_removed."))
    storm = known[f"db.reads.peak.{db}"] + removed
    assert (storm > known[f"db.read_capacity.{db}"]) is (copies == 2)
    assert arch.availability.redundancy["redis"].endswith(f"x {copies} copies")
    redis = next(c for c in arch.components if c.name == "redis")
    record = next(d for d in arch.decisions if d.id == "availability.stateful")
    replica = "2 copies per shard (1 primary + 1 replica(s) on other nodes"
    said = f"{redis.technology} (cache): 1 shard(s), " + (replica if copies == 2 else "one copy per shard")
    assert said in record.choice
    # the numbers the decision was taken from are stated, whichever way it went
    assert f"{storm:,.0f}/s, {'past' if copies == 2 else 'within'} the 20,000/s its nodes serve" in record.choice
    cache = next(d for d in arch.decisions if d.id == "cache")
    assert ("1 replica(s) on other nodes" in cache.model_dump_json()) is (copies == 2)
