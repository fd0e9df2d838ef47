"""A k-nearest proximity search (``near`` with no ``radius``) keeps COUNT k and widens its radius until it finds k, the same
way in every artefact: the decision, the recipients, the flow step, the Redis operations, the index pages and the latency."""

from __future__ import annotations

import pytest

from backend_architect.design import latency
from backend_architect.design.analysis import analyse
from backend_architect.design.patterns._widening import MAX_STEPS, km, shortfall, widening
from backend_architect.design.patterns.geo import plan_search
from backend_architect.ir.model import Architecture
from design.helpers import design_of, spec_of

#: Scooters parked in the street, found by riders near them: static points, few searches (the geohash cells in the database).
SCOOTERS = """\
system: scooters
scale: {rates: peak}
entities:
  Scooter:
    fields: {code: string(12), battery: int, state: "enum[parked, riding, charging]", spot: geo}
    rows: 50k
use_cases:
  - {name: find nearest scooters, reads: [Scooter], near: Scooter.spot, filter: [state=parked], page: {limit: 5, max: 30}, rate: 40/s}
  - {name: add scooter, writes: [Scooter], rate: 1/s}
"""

#: Couriers reporting positions (a Redis GEO set), an order offered to the couriers nearest its restaurant (a write picking
#: its recipients, no avg_fanout: the page's k).
COURIERS = """\
system: couriers
scale: {rates: peak}
external: {FCM: {kind: push}}
entities:
  Courier: {fields: {name: string(80), shift: "enum[off, idle, busy]", position: "geo?"}, rows: 200k}
  Order: {fields: {total: money, pickup: geo, courier: "ref(Courier)?"}, growth: 2M/day}
use_cases:
  - {name: report position, actor: courier, writes: [Courier.position], latest: true, every: 5s, rate: 20k/s}
  - {name: place order, writes: [Order], near: Courier.position, filter: [Courier.shift=idle], page: {limit: 8}, deliver: {mode: push, to: Courier}, rate: 50/s}
"""

#: Charging stations found by drivers at a high rate (Redis by the numbers), and a second search with a radius (one search).
CHARGERS = """\
system: charging
scale: {rates: peak}
entities:
  Charger: {fields: {operator: string(60), plugs: int, location: geo}, rows: 2M}
use_cases:
  - {name: list closest chargers, reads: [Charger], near: Charger.location, rate: 30k/s, consistency: eventual, staleness: 60s}
  - {name: list chargers around, reads: [Charger], near: Charger.location, radius: 2km, rate: 10/s}
  - {name: add charger, writes: [Charger], rate: 1/s}
"""


def _decision(arch: Architecture, use_case_id: str) -> str:
    return next(d.choice for d in arch.decisions if d.id == f"geo.{use_case_id}")


def _figure(arch: Architecture, key: str) -> float:
    return next(f.value for f in arch.figures if f.key == key)


@pytest.mark.parametrize(
    ("within", "k", "steps"),
    [
        pytest.param(20.0, 20, 1.5, id="k-20-half-fall-short"),
        pytest.param(1.0, 1, 1.4, id="k-1-e-to-the-minus-1"),
        pytest.param(500.0, 5, 1.0, id="radius-floor-holds-far-more-than-k"),
    ],
)
def test_expected_searches_follow_the_chance_a_radius_falls_short_ok(within: float, k: int, steps: float) -> None:
    """1 + P(fewer than k within r) + P(fewer within 2r) + ..., points at random (Poisson), rounded up to a tenth."""
    found = widening(0.3, k, within)
    assert found.expected_steps == steps
    assert found.radii_km == tuple(0.3 * 2**i for i in range(MAX_STEPS))
    assert found.reach[1] == pytest.approx(shortfall(within, k))


@pytest.mark.parametrize(
    ("text", "use_case_id", "k"),
    [
        pytest.param(SCOOTERS, "find-nearest-scooters", 5, id="scooters-cells-in-the-database"),
        pytest.param(COURIERS, "place-order", 8, id="couriers-a-write-picking-recipients"),
        pytest.param(CHARGERS, "list-closest-chargers", 20, id="chargers-redis-by-the-numbers"),
    ],
)
def test_a_k_nearest_search_widens_from_the_radius_holding_k_ok(text: str, use_case_id: str, k: int) -> None:
    """The decision searches the first radius (the one holding k on average, as its figures say) with COUNT k, then twice
    the radius while fewer than k are found, and says the same radii and the same average as the geo.steps figure."""
    spec = spec_of(text)
    analysis = analyse(spec)
    use_case = next(u for u in analysis.use_cases if u.id == use_case_id)
    search = plan_search(spec, analysis, use_case)
    assert search.widening is not None
    assert search.widening.k == k
    arch = design_of(text)
    choice = _decision(arch, use_case_id)
    radii = ", ".join(km(r) for r in search.widening.radii_km)
    assert f"{radii} km ({MAX_STEPS} searches at most, {search.widening.expected_steps:g} on average" in choice
    assert _figure(arch, f"geo.steps.{use_case_id}") == search.widening.expected_steps
    # the figures stay the first step's
    assert _figure(arch, f"geo.cells_per_query.{use_case_id}") == search.cells
    assert next(f for f in arch.figures if f.key == f"geo.precision.{use_case_id}").inputs["radius_km"] == search.radius_km
    # the index pages count each radius tried, by the share of searches reaching it: more than the first radius's alone
    assert _figure(arch, f"geo.index_reads.{use_case_id}") > use_case.peak_qps * search.pages
    if "Redis GEO" in choice:
        assert f"ASC COUNT {k}" in choice or "ASC COUNT {limit}" in choice


def test_a_radius_given_is_one_search_ok() -> None:
    """A search with a radius reads within it once: no widening, no geo.steps figure, one GEOSEARCH a request."""
    arch = design_of(CHARGERS)
    assert "twice the radius" not in _decision(arch, "list-chargers-around")
    assert not any(f.key == "geo.steps.list-chargers-around" for f in arch.figures)


def test_widening_reads_count_in_redis_and_in_the_latency_ok() -> None:
    """Redis counts one GEOSEARCH per radius tried (peak x the average searches) and the read's latency one round trip each."""
    arch = design_of(CHARGERS)
    steps = _figure(arch, "geo.steps.list-closest-chargers")
    peak = next(f.inputs for f in arch.figures if f.key == "redis.ops.peak")
    assert peak["geo_widened_searches_list-closest-chargers"] == pytest.approx(30_000 * steps)
    assert "geo_searches_list-closest-chargers" not in peak
    flow = next(f for f in arch.flows if f.use_case == "list closest chargers")
    part = next(p for p in flow.latency_parts if "GEOSEARCH" in p.part)
    assert part.ms == pytest.approx(latency.CACHE_MS * steps)
    assert f"{steps:g} searches on average" in part.part


def test_the_database_cells_search_is_timed_per_radius_ok() -> None:
    """Searched in the database's geohash cells, a k-nearest read takes one range read per radius tried, on average."""
    arch = design_of(SCOOTERS)
    steps = _figure(arch, "geo.steps.find-nearest-scooters")
    assert "geohash cells" in _decision(arch, "find-nearest-scooters")
    flow = next(f for f in arch.flows if f.use_case == "find nearest scooters")
    part = next(p for p in flow.latency_parts if "radii on average" in p.part)
    assert part.ms == pytest.approx(latency.RANGE_PAGE_MS * steps)


def test_a_write_picks_k_recipients_and_every_artefact_says_the_radii_ok() -> None:
    """A write with no radius and no avg_fanout offers to its page's k nearest (COUNT k): its recipients count k, and its
    flow step and delivery decision name the same widening as its proximity decision."""
    arch = design_of(COURIERS)
    choice = _decision(arch, "place-order")
    assert "GEOSEARCH courier:position:idle FROMLONLAT lon lat BYRADIUS" in choice
    assert " ASC COUNT 8, repeated at twice the radius while fewer than 8 are found" in choice
    clause = choice.split("ASC COUNT 8, ")[1].split(" on the GEO set")[0]
    # a flow that draws the search (a consumer picking the recipients) says the same clause
    assert all(clause in s.description for f in arch.flows for s in f.steps if "GEOSEARCH" in s.description and "place order" in f.use_case)
    delivered = next(d for d in arch.decisions if d.id != "geo.place-order" and d.subject == "place order" and "nearest" in d.choice)
    assert "the 8 nearest" in delivered.choice
    assert clause in delivered.choice
    pushes = next(f for f in arch.figures if "place-order" in f.key and "recipients" in f.inputs)
    assert pushes.inputs["recipients"] == 8


def test_the_contract_defaults_to_the_k_the_design_sizes_ok() -> None:
    """The k-nearest read's limit defaults to the page's limit (the k its first radius holds) and stops at the page's max."""
    arch = design_of(SCOOTERS)
    op = next(o for a in arch.apis for o in a.operations if "find nearest scooters" in o.use_cases)
    limit = next(p for p in op.parameters if p.name == "limit")
    assert (limit.default, limit.maximum) == (5, 30)
