"""Topology rules: boundary smells found in designs and declared topologies."""

from __future__ import annotations

from backend_architect.ir.model import Architecture, Flow, FlowStep, Service
from backend_architect.rules.registry import review
from backend_architect.rules.topology.chatty_call_path import chatty_call_path
from backend_architect.rules.topology.cyclic_dependency import cyclic_dependency
from backend_architect.rules.topology.shared_reference_data import shared_reference_data
from backend_architect.rules.topology.strong_consistency_split import strong_consistency_split
from design.helpers import design_of
from rules.test_sql_rules import assert_clean, assert_findings


def _services(*calls: tuple[str, list[str]]) -> Architecture:
    return Architecture(system="t", services=[Service(name=name, depends_on=callees) for name, callees in calls])


def test_cyclic_dependency_err() -> None:
    """Two services calling each other form a cycle, reported once."""
    text = assert_findings(_services(("orders", ["catalog"]), ("catalog", ["orders"]), ("users", [])), cyclic_dependency)
    assert text == "services catalog, orders: TOP002 synchronous calls form a cycle through catalog -> orders -> catalog"


def test_acyclic_calls_ok() -> None:
    """A chain of calls is not a cycle."""
    assert_clean(_services(("orders", ["catalog"]), ("catalog", ["users"]), ("users", [])), cyclic_dependency)


def _reads(*callers: str) -> Architecture:
    flows = [Flow(use_case=f"uc {c}", style="sync", rationale="", steps=[FlowStep(source="u", target=c, kind="request", description=""),
             FlowStep(source=c, target="catalog", kind="query", description="read Product")]) for c in callers]  # fmt: skip
    return Architecture(system="t", flows=flows)


def test_shared_reference_data_err() -> None:
    """Three services querying one owner synchronously is reported as reference data to replicate."""
    assert "catalog is read synchronously by 3 services" in assert_findings(_reads("a", "b", "c"), shared_reference_data)


def test_two_readers_ok() -> None:
    """Two synchronous readers are fine."""
    assert_clean(_reads("a", "b"), shared_reference_data)


SPLIT = """\
system: shop
team: {size: 20}
services:
  orders: {owns: [Order]}
  payments: {owns: [Payment]}
entities:
  Order: {fields: {total: money}}
  Payment: {fields: {order: ref(Order), amount: money}}
use_cases:
  - {name: place order, writes: [Order, Payment], consistency: %s, rate: 5/s}
"""


def test_declared_services_splitting_a_strong_write_err() -> None:
    """When the spec's own services split a strongly consistent write, the self-review says so."""
    text = assert_findings(design_of(SPLIT % "strong"), strong_consistency_split)
    assert text == "use case 'place order': TOP001 'place order' needs strong consistency but writes in orders, payments"


def test_eventual_split_write_ok() -> None:
    """An eventually consistent write across services is a normal saga."""
    assert_clean(design_of(SPLIT % "eventual"), strong_consistency_split)


def test_derived_boundaries_never_split_strong_writes_ok() -> None:
    """Without declared services, the engine keeps strongly co-written entities together: no finding."""
    assert not [
        f for f in review(design_of((SPLIT % "strong").split("services:")[0] + "entities:" + (SPLIT % "strong").split("entities:")[1])) if f.code == "TOP001"
    ]


def test_shared_database_err() -> None:
    """Two services on one database are reported; a modular monolith's modules are not."""
    from backend_architect.rules.topology.shared_database import shared_database

    arch = Architecture(system="t", deployment="microservices", services=[Service(name="a", datastore="db"), Service(name="b", datastore="db")])
    assert assert_findings(arch, shared_database) == "database db: TOP004 db is used by 2 services: a, b"
    assert_clean(arch.model_copy(update={"deployment": "modular-monolith"}), shared_database)


def test_single_point_of_failure_err() -> None:
    """One replica or no health check is reported; unknown (None) is not guessed at."""
    from backend_architect.rules.topology.single_point_of_failure import single_point_of_failure

    arch = Architecture(system="t", services=[Service(name="a", replicas=1, health_check=True), Service(name="b", replicas=3, health_check=False)])
    text = assert_findings(arch, single_point_of_failure)
    assert text == "service a: TOP005 a runs 1 replica\nservice b: TOP005 b declares no health check"
    assert_clean(Architecture(system="t", services=[Service(name="c")]), single_point_of_failure)


def _path(*targets: str) -> Architecture:
    steps = [FlowStep(source="user", target="web", kind="request", description="")]
    steps += [FlowStep(source="web", target=t, kind="query", description=f"read {t}") for t in targets]
    return Architecture(system="t", flows=[Flow(use_case="show dashboard", style="sync", rationale="", steps=steps)])


def test_chatty_call_path_err() -> None:
    """Four synchronous reads of other services in one request are reported with the path."""
    text = assert_findings(_path("a", "b", "c", "d"), chatty_call_path)
    assert text == "use case show dashboard: TOP006 4 synchronous calls in one request: web -> a, b, c, d"


def test_same_service_called_twice_err() -> None:
    """Calling one service twice in a request is a join over the network."""
    assert "calls a more than once" in assert_findings(_path("a", "b", "a"), chatty_call_path)


def test_three_calls_ok() -> None:
    """Three distinct synchronous reads are within the limit."""
    assert_clean(_path("a", "b", "c"), chatty_call_path)


def _database(reads: dict[str, float], capacity: float) -> list[object]:
    from backend_architect.ir.model import Figure

    total = sum(reads.values())
    return [
        Figure(key="db.reads.peak.shop-db", quantity="q", value=total, unit="req/s", formula="f", inputs=reads, scope="shop-db"),
        Figure(key="db.read_capacity.shop-db", quantity="q", value=capacity, unit="req/s", formula="f", scope="shop-db"),
    ]


def test_hot_read_path_without_cache_err() -> None:
    """Uncached paths of a database whose reads pass its capacity are warnings, an error for a path past it alone; within capacity, nothing."""
    from backend_architect.ir.model import CachePlan
    from backend_architect.rules.topology.hot_read_without_cache import hot_read_path_without_cache

    plans = [CachePlan(use_case="view product", strategy="none", rationale="left out"), CachePlan(use_case="list products", strategy="none", rationale="x")]
    over = Architecture(system="t", figures=_database({"peak_view-product": 15_000, "peak_list-products": 8_000}, 20_000), caches=plans)  # type: ignore[arg-type]
    text = assert_findings(over, hot_read_path_without_cache)
    assert "15,000 reads/s reach shop-db with no cache or read model (left out); shop-db takes 23,000 reads/s at peak against the 20,000" in text
    assert [f.severity.name for f in review(over, (hot_read_path_without_cache,))] == ["WARNING", "WARNING"]
    alone = Architecture(system="t", figures=_database({"peak_view-product": 25_000}, 20_000), caches=plans[:1])  # type: ignore[arg-type]
    assert [f.severity.name for f in review(alone, (hot_read_path_without_cache,))] == ["ERROR"]
    within = Architecture(system="t", figures=_database({"peak_view-product": 15_000}, 20_000), caches=plans[:1])  # type: ignore[arg-type]
    assert_clean(within, hot_read_path_without_cache)


def test_call_chain_breaking_latency_and_availability_err() -> None:
    """Internal hops over budget and below target are warnings; a job is judged on latency only."""
    from backend_architect.rules.topology.call_chain_breaks_target import call_chain_breaks_target

    steps = [FlowStep(source="user", target="web", kind="request", description=""), FlowStep(source="web", target="a", kind="call", description="")]
    slow = Flow(use_case="checkout", style="sync", rationale="", steps=steps, depth=1, latency_budget_ms=100, expected_latency_ms=250,
                availability=0.998, availability_target=0.999)  # fmt: skip
    text = assert_findings(Architecture(system="t", flows=[slow]), call_chain_breaks_target)
    assert "take 250 ms, over the 100 ms budget" in text
    assert "below the 99.900% target" in text
    job = slow.model_copy(update={"steps": [steps[0].model_copy(update={"source": "scheduler"}), steps[1]], "expected_latency_ms": 50})
    assert_clean(Architecture(system="t", flows=[job]), call_chain_breaks_target)
