"""Each flow's expected latency is the sum of what the request does: the edge, the service, each store access by kind, and its hops."""

from __future__ import annotations

import pytest

from backend_architect.design import latency
from backend_architect.ir.model import Architecture, Flow
from design.helpers import design_of

SPEC = """\
system: board
scale: {{rates: peak{availability}}}
entities:
  Board:
    fields: {{title: string(100)}}
    rows: 100k
  Card:
    part_of: Board
    fields: {{title: string(100), body: text, created_at: datetime}}
    rows: {cards}
use_cases:
  - {{name: view card, actor: member, kind: get, reads: Card, rate: 10/s{budget}}}
  - {{name: list cards of a board, actor: member, kind: list, reads: Card, filter: board, sort: -created_at, rate: {list_rate}{list_extra}}}
  - {{name: search cards, actor: member, kind: list, reads: Card, search: [title, body], rate: 10/s}}
  - {{name: add card, actor: member, kind: create, writes: Card, rate: {writes}}}
  - {{name: rename card, actor: member, kind: update, writes: Card.title, rate: 1/s}}
"""


def _board(cards: str = "1M", list_rate: str = "10/s", writes: str = "5/s", availability: str = "", budget: str = "", list_extra: str = "") -> Architecture:
    return design_of(SPEC.format(cards=cards, list_rate=list_rate, writes=writes, availability=availability, budget=budget, list_extra=list_extra))


def _flow(arch: Architecture, use_case: str) -> Flow:
    return next(f for f in arch.flows if f.use_case == use_case)


def _parts(flow: Flow) -> dict[str, float]:
    return {p.part: p.ms for p in flow.latency_parts}


def test_a_local_read_is_the_edge_the_service_and_its_index_read_ok() -> None:
    """A get with no hop is edge + service + one indexed read, never 0 ms."""
    flow = _flow(_board(), "view card")
    assert flow.depth == 0
    assert flow.expected_latency_ms == pytest.approx(latency.EDGE_MS + latency.SERVICE_MS + latency.INDEXED_READ_MS)


@pytest.mark.parametrize(
    ("use_case", "part", "ms"),
    [
        pytest.param("list cards of a board", "index range page", latency.RANGE_PAGE_MS, id="range-page"),
        pytest.param("add card", "commit (write-ahead log fsync)", latency.COMMIT_MS, id="commit"),
        pytest.param("rename card", "indexed read of the row it changes", latency.INDEXED_READ_MS, id="read-before-update"),
    ],
)
def test_each_store_access_adds_its_figure_ok(use_case: str, part: str, ms: float) -> None:
    """Each kind of store access is one part with its assumed figure."""
    assert _parts(_flow(_board(), use_case))[part] == pytest.approx(ms)


def test_a_search_engine_query_is_timed_as_one_ok() -> None:
    """A search served by the search engine pays the engine's query (over its shards), not a database page."""
    arch = _board(cards="500M", writes="2000/s")
    parts = _parts(_flow(arch, "search cards"))
    if not any(c.name == "search-engine" for c in arch.components):
        pytest.skip("the numbers kept search in PostgreSQL")
    shards = next(f.value for f in arch.figures if f.key == "search.shards_per_query")
    assert any(k.startswith("search-engine") and v == pytest.approx(latency.SEARCH_MS * latency.scatter_factor(shards)) for k, v in parts.items()), parts


def test_a_synchronous_standby_adds_its_acknowledgement_to_every_commit_ok() -> None:
    """Where the availability plan loses no write (RPO 0, synchronous standby), each commit waits for it."""
    arch = _board(availability=", availability: 99.99%")
    assert arch.availability is not None
    parts = _parts(_flow(arch, "add card"))
    synchronous = arch.availability.rpo_seconds == 0 and "synchronous" in arch.availability.database
    assert ("synchronous standby's acknowledgement" in parts) is synchronous


def test_a_cached_read_is_weighted_by_its_hit_ratio_ok() -> None:
    """A cache-aside read costs a Redis round trip plus the misses' database read: hit x cache + miss x (cache + database)."""
    arch = _board(list_rate="300/s", list_extra=", staleness: 30s")
    plan = next(c for c in arch.caches if c.use_case == "list cards of a board")
    assert plan.strategy == "cache-aside"
    hit = next(f.value for f in arch.figures if f.key == "cache.hit_ratio.list-cards-of-a-board")
    flow = _flow(arch, "list cards of a board")
    stores = flow.expected_latency_ms - latency.EDGE_MS - latency.SERVICE_MS
    assert stores == pytest.approx(latency.CACHE_MS + (1 - hit) * latency.RANGE_PAGE_MS, abs=1e-3)


def test_a_read_over_every_shard_waits_for_the_slowest_ok() -> None:
    """A list not filtered by the shard key scatters over the shards: one shard's time x (1 + 0.25 log2 N), more than one shard's."""
    arch = _board(cards="20B", writes="30000/s", list_rate="10/s")
    sharded = next((t for s in arch.datastores for t in s.tables if t.name == "cards" and t.sharding is not None), None)
    if sharded is None:
        pytest.skip("cards not sharded at these numbers")
    flow = _flow(arch, "list cards of a board")
    scatter = [p for p in flow.latency_parts if "shard" in p.part]
    assert scatter, flow.latency_parts
    if sharded.sharding is not None and sharded.sharding.key == "board_id":
        assert scatter[0].ms == pytest.approx(latency.RANGE_PAGE_MS)
    else:
        assert scatter[0].ms > latency.RANGE_PAGE_MS


def test_a_flow_over_its_budget_is_a_bottleneck_even_without_hops_ok() -> None:
    """A read whose store accesses pass 80% of a tight budget is named among the bottlenecks with its largest part."""
    arch = _board(budget=", latency_ms: 5")
    flow = _flow(arch, "view card")
    assert flow.depth == 0
    assert flow.expected_latency_ms > 4
    named = [b for b in arch.bottlenecks if b.title == "Latency of 'view card'"]
    assert named
    assert "the largest part" in named[0].trigger


def test_the_per_operation_figures_are_stated_assumptions_ok() -> None:
    """Every figure the latencies use is listed once among the assumptions."""
    arch = _board()
    lines = [a for a in arch.assumptions if a.startswith("constraints.operation_ms: ")]
    assert len(lines) == 1
    assert f"indexed read {latency.INDEXED_READ_MS:g} ms" in lines[0]


def test_measured_figures_replace_the_assumed_ones_ok() -> None:
    """``constraints.operation_ms`` replaces an assumed figure in every flow, and the assumptions say which figures are stated."""
    text = SPEC.format(cards="1M", list_rate="10/s", writes="5/s", availability="", budget="", list_extra="")
    arch = design_of(text + "constraints: {operation_ms: {indexed_read: 0.5, edge: 1}}\n")
    flow = _flow(arch, "view card")
    assert flow.expected_latency_ms == pytest.approx(1 + latency.SERVICE_MS + 0.5)
    line = next(a for a in arch.assumptions if a.startswith("constraints.operation_ms: "))
    assert "stated: edge (load balancer) 1 ms, indexed read 0.5 ms" in line
    assert f"assumed for the rest: service work {latency.SERVICE_MS:g} ms" in line


def test_an_unknown_operation_is_a_located_error_err() -> None:
    """A figure for an operation the latencies do not use is refused with its place in the spec."""
    from backend_architect.errors import InputError

    text = SPEC.format(cards="1M", list_rate="10/s", writes="5/s", availability="", budget="", list_extra="")
    with pytest.raises(InputError, match=r"17:30: unknown key .disk_seek. \(expected one of: edge, service"):
        design_of(text + "constraints: {operation_ms: {disk_seek: 4}}\n")


@pytest.mark.parametrize(
    ("cards", "writes", "spread"),
    [
        pytest.param("300k", "1/s", True, id="two-search-shards"),
        pytest.param("1M", "5/s", True, id="index-past-one-shard"),
        pytest.param("500M", "5/s", True, id="index-over-many-shards"),
    ],
)
def test_a_search_over_every_shard_takes_the_scatter_tail_ok(cards: str, writes: str, spread: bool) -> None:
    """A search engine query reading every shard of its index is timed by the same rule as a database read over shards."""
    arch = _board(cards=cards, writes=writes)
    shards = next(f.value for f in arch.figures if f.key == "search.shards_per_query")
    assert (shards > 1) is spread
    parts = _parts(_flow(arch, "search cards"))
    (ms,) = [v for k, v in parts.items() if k.startswith("search-engine")]
    assert ms == pytest.approx(latency.SEARCH_MS * latency.scatter_factor(shards))
