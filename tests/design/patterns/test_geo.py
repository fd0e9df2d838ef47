"""PAT021: proximity reads get the geohash precision that reads the fewest pages, a cell index, and near parameters."""

from __future__ import annotations

import math

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.patterns.geo import GEOHASH_KM, plan_search
from design.helpers import design_of, spec_of, table

SPEC = """\
system: places
scale: {{rates: peak, regions: [eu]}}
entities:
  Shop:
    fields: {{name: string(80), kind: enum[food,book], open: bool, location: geo}}
    rows: {rows}
use_cases:
  - {{name: find nearby shops, reads: [Shop], near: Shop.location, {radius}filter: [kind, open=true], rate: {rate}}}
{extra}
"""


def _search(rows: str, radius: str) -> tuple[int, int, float]:
    spec = spec_of(SPEC.format(rows=rows, radius=radius, rate="10/s", extra=""))
    found = plan_search(spec, analyse(spec), analyse(spec).use_cases[0])
    return found.precision, found.cells, found.pages


@pytest.mark.parametrize(
    ("rows", "radius", "precision"),
    [
        pytest.param("1M", "radius: 500m, ", 6, id="dense-short-radius"),
        pytest.param("100M", "radius: 500m, ", 7, id="very-dense-short-radius"),
        pytest.param("1M", "radius: 5km, ", 6, id="dense-city-radius"),
        pytest.param("10k", "radius: 5km, ", 5, id="sparse-city-radius"),
        pytest.param("10k", "radius: 50km, ", 4, id="sparse-region-radius"),
        pytest.param("1M", "", 6, id="k-nearest-dense"),
        pytest.param("100M", "", 7, id="k-nearest-very-dense"),
    ],
)
def test_precision_follows_radius_and_density_ok(rows: str, radius: str, precision: int) -> None:
    """Smaller radii and denser points pick finer cells; the choice is the one reading the fewest pages."""
    chosen, cells, pages = _search(rows, radius)
    assert chosen == precision
    assert cells >= 1
    assert pages >= cells


def test_search_cost_is_the_minimum_over_precisions_ok() -> None:
    """No other precision reads fewer pages than the chosen one (the formula in the docs, recomputed)."""
    spec = spec_of(SPEC.format(rows="1M", radius="radius: 5km, ", rate="10/s", extra=""))
    found = plan_search(spec, analyse(spec), analyse(spec).use_cases[0])
    for width, height in GEOHASH_KM.values():
        cells = (math.ceil(2 * found.radius_km / width) + 1) * (math.ceil(2 * found.radius_km / height) + 1)
        assert cells + found.density * cells * width * height / 100 >= found.pages - 1e-9


def test_cell_index_and_near_parameters_ok() -> None:
    """The table gets a B-tree on (kind, location_cell) including the coordinates, partial on the constant; the operation takes lat, lon, radius (metres)."""
    arch = design_of(SPEC.format(rows="100k", radius="radius: 2km, ", rate="10/s", extra=""))
    shops = table(arch, "shops")
    index = next(i for i in shops.indexes if any(c.name == "location_cell" for c in i.columns))
    assert [c.name for c in index.columns] == ["kind", "location_cell"]
    assert index.include == ["location_lat", "location_lon"]
    assert index.where == "open = true"
    op = next(o for a in arch.apis for o in a.operations if "find nearby shops" in o.use_cases)
    params = {p.name: p for p in op.parameters}
    assert params["lat"].required
    assert params["lon"].required
    assert params["radius"].maximum == 2000
    assert "geohash" in next(d for d in arch.decisions if d.id == "geo.find-nearby-shops").choice
    # the cell is the server's index key: the point is one GeoPoint property, the cell in no schema
    assert not any(p.name == "location_cell" for a in arch.apis for s in a.schemas for p in s.properties)
    assert any(p.name == "location" for a in arch.apis for s in a.schemas if s.name == "Shop" for p in s.properties)


def _pages(rate: str) -> float:
    arch = design_of(SPEC.format(rows="1M", radius="radius: 5km, ", rate=rate, extra=""))
    return next(f.value for f in arch.figures if f.key == "geo.index_reads.find-nearby-shops")


@pytest.mark.parametrize(("factor", "redis"), [pytest.param(0.99, False, id="just-below"), pytest.param(1.01, True, id="just-above")])
def test_searches_past_one_node_move_to_redis_geo_ok(factor: float, redis: bool) -> None:
    """Index pages/s above one node's 20,000 put the search in a Redis GEO set kept from the rows' changes."""
    per_search = _pages("1/s")
    rate = f"{20_000 / per_search * factor:.3f}/s"
    arch = design_of(SPEC.format(rows="1M", radius="radius: 5km, ", rate=rate, extra=""))
    made = next(d for d in arch.decisions if d.id == "geo.find-nearby-shops")
    assert made.choice.startswith("Redis GEO") is redis
    assert (next(c for c in arch.caches if c.use_case == "find nearby shops").strategy == "read-model") is redis


def test_moving_points_are_searched_where_they_are_written_ok() -> None:
    """Points written with latest: true past the primary's share are searched in that same GEO set, whatever the read rate."""
    extra = "  - {name: move shop, writes: [Shop.location], latest: true, rate: 5k/s}"
    arch = design_of(SPEC.format(rows="10k", radius="radius: 5km, ", rate="1/s", extra=extra))
    made = next(d for d in arch.decisions if d.id == "geo.find-nearby-shops")
    assert "the GEO set the positions are written to" in made.choice
    # a constant on a bool splits the writer's set too: the search reads the writer's key with that value fixed
    assert "GEOSEARCH shop:location:{kind}:true " in made.choice
    assert any("GEOADD shop:location:{kind}:{open}" in m.how for m in arch.mechanisms if m.use_case == "move shop")


def test_moving_points_are_not_rebuilt_from_the_table_ok() -> None:
    """Positions kept in memory never reach the table: the set refills from the next reports, and the B-tree figures size the alternative."""
    extra = "  - {name: move shop, writes: [Shop.location], latest: true, rate: 5k/s}"
    arch = design_of(SPEC.format(rows="10k", radius="radius: 5km, ", rate="1/s", extra=extra))
    made = next(d for d in arch.decisions if d.id == "geo.find-nearby-shops")
    assert "refills from the next position reports" in made.choice
    assert "for rebuilds" not in made.choice
    cells = next(f for f in arch.figures if f.key == "geo.cells_per_query.find-nearby-shops")
    assert cells.quantity.startswith("the database's geohash index (the alternative)")


def test_static_points_in_redis_keep_the_table_for_rebuilds_ok() -> None:
    """Points that do not move are in the table: a Redis set fed from their changes is rebuilt by a scan, with no index the database never uses."""
    per_search = _pages("1/s")
    arch = design_of(SPEC.format(rows="1M", radius="radius: 5km, ", rate=f"{20_000 / per_search * 1.5:.3f}/s", extra=""))
    made = next(d for d in arch.decisions if d.id == "geo.find-nearby-shops")
    assert made.choice.startswith("Redis GEO")
    assert "rebuilt by one scan of shops" in made.choice
    shops = next(t for s in arch.datastores for t in s.tables if t.name == "shops")
    assert not any(c.name == "location_cell" for i in shops.indexes for c in i.columns)


#: Cabs reporting positions (latest: true), searched by customers (an equality filter on a bool and on an enum) and by a
#: ride request picking its drivers (a bool filter without a value: the write searches the true set).
CABS = """\
system: cabs
entities:
  Driver: {fields: {name: string(80)}, rows: 1M}
  Cab:
    fields: {driver: ref(Driver), location: geo?, available: {type: bool, default: false}, tier: "enum[go,xl]"}
    rows: 1M
  Ride: {fields: {rider: string(40), cab: "ref(Cab)?"}, growth: 1M/day}
use_cases:
  - {name: report position, actor: driver, writes: [Cab.location], latest: true, every: 4s, rate: 250k/s}
  - {name: see nearby cabs, reads: [Cab], near: Cab.location, radius: 5km, filter: [%s], rate: 5k/s, consistency: eventual, staleness: 5s}
  - name: request ride
    writes: [Ride]
    near: Cab.location
    radius: 3km
    filter: [Cab.available]
    rate: 100/s
    avg_fanout: 5
    deliver: {mode: realtime, to: Cab.driver}
"""


@pytest.mark.parametrize(
    ("filters", "read_key"),
    [
        pytest.param("available", "cab:location:{available}", id="bool"),
        pytest.param("available, tier", "cab:location:{available}:{tier}", id="bool-and-enum"),
    ],
)
def test_a_geo_set_honours_the_searches_filters_ok(filters: str, read_key: str) -> None:
    """GEOSEARCH knows only positions: a bool or enum filter splits the set per value, the writer adds each point to its
    value's set, the customers' search reads the set its filter picks and the ride request reads the true set."""
    arch = design_of(CABS % filters)
    latest = next(m for m in arch.mechanisms if m.use_case == "report position")
    write_key = read_key if "tier" in read_key else "cab:location:{available}"
    assert latest.how.startswith(f"GEOADD {write_key} ")
    seen = next(d for d in arch.decisions if d.id == "geo.see-nearby-cabs")
    assert f"GEOSEARCH {read_key} " in seen.choice
    assert "the caller's filter picks the set" in seen.choice
    assert "ASC COUNT {limit} (the page's limit: " in seen.choice  # a read returns the page it asks for, up to the contract's max
    request = next(d for d in arch.decisions if d.id == "geo.request-ride")
    assert "GEOSEARCH cab:location:true" in request.choice
    assert " ASC COUNT 5 on " in request.choice  # the write picks its avg_fanout recipients
    if "tier" in read_key:  # the ride request names no tier: it reads every tier's set
        assert "it reads every set and merges them by distance" in request.choice


def test_point_columns_say_the_positions_live_in_the_set_ok() -> None:
    """With every search in the GEO set and positions never written per update, the table's point columns say so instead
    of claiming the cell indexes proximity."""
    arch = design_of(CABS % "available")
    cabs = next(t for s in arch.datastores for t in s.tables if t.name == "cabs")
    comments = {c.name: c.comment or "" for c in cabs.columns}
    assert "indexes proximity" not in comments["location_cell"]
    assert "Redis GEO set cab:location:{available}" in comments["location_cell"]
    assert "lives only in the Redis GEO set cab:location:{available}" in comments["location_lat"]
    assert not [i for i in cabs.indexes if any(c.name == "location_cell" for c in i.columns)]


def test_two_searches_of_one_table_both_drop_their_indexes_ok() -> None:
    """The customers' search and the ride request both search cabs in the GEO set: neither leaves a database index behind
    (the second search starts from the table the first changed)."""
    arch = design_of(CABS % "available")
    cabs = next(t for s in arch.datastores for t in s.tables if t.name == "cabs")
    named = [(i.name, r) for i in cabs.indexes for r in i.reasons if "see nearby cabs" in r or "request ride" in r]
    assert named == []


@pytest.mark.parametrize(
    ("regions", "write_ms", "serving"),
    [
        pytest.param("[eu]", "", 1, id="one-region"),
        pytest.param("[eu, us]", "", 1, id="a-standby-region-holds-no-points"),
        pytest.param("[eu, us]", ", latency_ms: 100", 2, id="active-active-each-region-its-area"),
    ],
)
def test_points_spread_over_the_regions_serving_users_ok(regions: str, write_ms: str, serving: int) -> None:
    """Points spread over one service area per region that serves users: a standby disaster-recovery region serves no one, so
    it neither halves the density nor widens the k-nearest radius."""
    text = SPEC.format(rows="1M", radius="", rate="10/s", extra=f"  - {{name: add shop, writes: [Shop], rate: 1/s{write_ms}}}").replace("[eu]", regions)
    spec = spec_of(text)
    analysis = analyse(spec)
    found = plan_search(spec, analysis, next(u for u in analysis.use_cases if u.name == "find nearby shops"))
    assert found.density == pytest.approx(1e6 / (10_000 * serving))
