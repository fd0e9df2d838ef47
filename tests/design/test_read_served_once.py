"""Where a read is served is one account: the latency model, the availability impacts, the capacity ledger and the ADRs
read the same record (the read model's mechanism, the database's read capacity, the window a refresh scans), over specs
of different shapes (issue 22, j4)."""

from __future__ import annotations

import math

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.capacity import rows_after
from backend_architect.design.patterns._common import REDIS_NODE_BYTES
from backend_architect.ir.model import Architecture
from backend_architect.ir.store_steps import store_steps
from design.helpers import design_of, spec_of

# a ranking over a day of events, counted in sorted sets: many events, a day's window
DAILY_RANKING = """\
system: music
scale: {daily_active: 20M}
entities:
  Play: {append_only: true, growth: 300M/day, fields: {song: string(120)}}
use_cases:
  - {name: play song, kind: create, writes: [Play], rate: 300M/day}
  - {name: top songs today, kind: list, reads: [Play], top: {by: count, field: song, k: 20, window: 24h}, rate: 50M/day}
"""

# a ranking over a week, few events: a job can refresh a snapshot table
WEEKLY_RANKING = """\
system: recipes
scale: {daily_active: 100k}
entities:
  Like: {append_only: true, growth: 200k/day, fields: {recipe_name: string(80)}}
use_cases:
  - {name: like recipe, kind: create, writes: [Like], rate: 200k/day}
  - {name: most liked this week, kind: list, reads: [Like], top: {by: count, field: recipe_name, k: 5, window: 7d}, rate: 1M/day}
"""

# a ranking over an hour at a high peak: the hour's peak rows, not a day's
HOURLY_RANKING = """\
system: news
scale: {rates: peak}
entities:
  Click: {append_only: true, growth: 500M/day, fields: {headline: string(200)}}
use_cases:
  - {name: click headline, kind: create, writes: [Click], rate: 20k/s}
  - {name: hot headlines, kind: list, reads: [Click], top: {by: count, field: headline, k: 10, window: 1h}, rate: 3k/s}
"""

RANKINGS = [
    pytest.param(DAILY_RANKING, "top-songs-today", id="day-window"),
    pytest.param(WEEKLY_RANKING, "most-liked-this-week", id="week-window"),
    pytest.param(HOURLY_RANKING, "hot-headlines", id="hour-window"),
]


def _known(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


@pytest.mark.parametrize(("text", "key"), RANKINGS)
def test_refresh_window_never_holds_more_rows_than_the_days_it_spans_ok(text: str, key: str) -> None:
    """The rows a refresh scans are at most the table's daily rows over the days the window spans, at most the peak over it."""
    arch = design_of(text)
    known = _known(arch)
    rows = known[f"top.rows_per_run.{key}"]
    figure = next(f for f in arch.figures if f.key == f"top.rows_per_run.{key}")
    span = figure.inputs["span_s"]
    per_day = figure.inputs["rows_per_day"]
    assert rows <= per_day * max(span, 86_400) / 86_400 + 1e-6
    assert rows <= figure.inputs["events"] * span + 1e-6
    decision = next(d for d in arch.decisions if d.id == f"top.{key}")
    assert f"{rows:,.0f}" in decision.rationale or f"{rows:,.0f}" in decision.choice


@pytest.mark.parametrize(("text", "key"), RANKINGS)
def test_ranking_read_is_timed_where_it_is_served_ok(text: str, key: str) -> None:
    """A ranking in sorted sets is timed as a Redis read and counts no database read; a snapshot table is read there, one page."""
    arch = design_of(text)
    decision = next(d for d in arch.decisions if d.id == f"top.{key}")
    use_case = decision.subject
    flow = next(f for f in arch.flows if f.use_case == use_case)
    said = "; ".join(p.part for p in flow.latency_parts)
    assert "over" not in said or "shards" not in said, said
    if "sorted sets" in decision.choice:
        assert any(p.part.startswith("redis: ZREVRANGE") for p in flow.latency_parts), said
        assert not any("index" in p.part for p in flow.latency_parts), said
        reads = {k: v for f in arch.figures if f.key.startswith("db.reads.peak.") for k, v in f.inputs.items()}
        assert not any(k == f"peak_{key}" for k in reads), reads
    else:
        plan = next(c for c in arch.caches if c.use_case == use_case)
        assert any(plan.key and plan.key in p.part for p in flow.latency_parts), said


@pytest.mark.parametrize(("text", "key"), RANKINGS)
def test_redis_share_holds_the_bytes_it_states_ok(text: str, key: str) -> None:
    """The Redis shards a ranking states are at least its sorted sets' bytes over one shard's memory."""
    arch = design_of(text)
    known = _known(arch)
    memory = known.get(f"top.bytes.{key}")
    if memory is None:
        pytest.skip("a snapshot table: no sorted sets")
    decision = next(d for d in arch.decisions if d.id == f"top.{key}")
    shards = int(decision.rationale.split("its share: ", 1)[1].split(" shard", 1)[0])
    assert shards >= math.ceil(memory / REDIS_NODE_BYTES)


# a timeline kept in Redis lists, read much more than its database alone serves
FEED = """\
system: photos
scale: {rates: peak}
entities:
  Member: {rows: 5M, fields: {name: string(60)}}
  Follow: {fields: {follower: ref(Member), followee: ref(Member)}, growth: 1M/day}
  Photo: {growth: 2M/day, fields: {owner: ref(Member), caption: string(200)}}
use_cases:
  - {name: post photo, kind: create, writes: [Photo], rate: 200/s, avg_fanout: 150}
  - {name: follow member, kind: create, writes: [Follow], rate: 50/s}
  - {name: my feed, kind: list, reads: [Follow, Photo], filter: [Follow.follower], sort: [-Photo.created_at], page: {style: cursor, limit: 20}, rate: 60k/s}
  - {name: member photos, kind: list, reads: [Photo], filter: [owner], sort: [-created_at], staleness: 30s, rate: 30k/s}
"""

# a catalog cached in front of its database
CATALOG = """\
system: shop
scale: {rates: peak}
entities:
  Product: {rows: 2M, fields: {title: string(200), price: money}}
use_cases:
  - {name: add product, kind: create, writes: [Product], rate: 5/s}
  - {name: view product, kind: get, reads: [Product], staleness: 60s, rate: 45k/s}
"""

# proximity search of riders' scooters kept in a GEO set, showing the scooter rows
SCOOTERS = """\
system: scooters
scale: {rates: peak}
entities:
  Scooter: {rows: 200k, fields: {location: geo, battery: int, model: string(40)}}
use_cases:
  - {name: report scooter position, kind: update, writes: [Scooter.location], latest: true, rate: 20k/s}
  - {name: scooters near me, kind: list, reads: [Scooter], near: Scooter.location, radius: 500m, staleness: 5s, rate: 25k/s}
"""

STORES = [pytest.param(FEED, id="feed"), pytest.param(CATALOG, id="cache-aside"), pytest.param(SCOOTERS, id="geo")]


@pytest.mark.parametrize("text", STORES)
def test_what_the_database_serves_is_its_sized_capacity_ok(text: str) -> None:
    """A cache's loss fails a read only past the database's sized read capacity, and says that capacity and that database."""
    arch = design_of(text)
    known = _known(arch)
    assert arch.availability is not None
    for impact in arch.availability.impacts:
        if impact.dependency == "database primary" or "what the database serves" in impact.detail:
            assert "what the database serves" not in impact.detail, impact.detail
            continue
        if impact.effect != "fail" or "losing it sends" not in impact.detail:
            continue
        database = impact.detail.split("losing it sends ", 1)[1].split(" ", 1)[0]
        capacity = known[f"db.read_capacity.{database}"]
        assert f"the {capacity:,.0f}/s its nodes serve" in impact.detail
        assert "past" in impact.detail


@pytest.mark.parametrize("text", STORES)
def test_cache_loss_fails_exactly_the_paths_past_capacity_ok(text: str) -> None:
    """A cached read fails on the cache's loss when, and only when, what reaches its database then passes what the database serves."""
    arch = design_of(text)
    known = _known(arch)
    assert arch.availability is not None
    failed = {n for i in arch.availability.impacts if i.dependency == "redis" and i.effect == "fail" for n in i.use_cases}
    for impact in arch.availability.impacts:
        if impact.dependency != "redis" or impact.effect != "fail":
            continue
        if "losing it sends" not in impact.detail:
            # a read the database cannot answer (values kept only in memory) fails with the store, with no storm to state
            assert "nothing falls back" in impact.detail, impact.detail
            continue
        database = impact.detail.split("losing it sends ", 1)[1].split(" ", 1)[0]
        removed = float(impact.detail.split(" the ", 1)[1].split(" reads/s", 1)[0].replace(",", ""))
        assert known[f"db.reads.peak.{database}"] + removed > known[f"db.read_capacity.{database}"]
    assert failed <= {c.use_case for c in arch.caches}


# the scooters a rider sees carry their model, which only the scooters table holds: the GEO set answers the search alone
# only where the response needs nothing else; a rider's nearby view that also shows the rider's own account reads it
DOCKS = """\
system: docks
scale: {rates: peak}
entities:
  Dock: {rows: 50k, fields: {location: geo, name: string(80)}}
  Bike: {fields: {dock: ref(Dock), serial: string(20)}, avg_per_parent: 10}
use_cases:
  - {name: move dock, kind: update, writes: [Dock.location], latest: true, rate: 30k/s}
  - {name: bikes near me, kind: list, reads: [Dock, Bike], near: Dock.location, radius: 1km, staleness: 10s, rate: 22k/s}
"""

CABS = """\
system: taxis
scale: {rates: peak}
entities:
  Driver: {rows: 500k, fields: {location: geo, name: string(80)}}
  Car: {fields: {driver: ref(Driver), plate: string(12)}, avg_per_parent: 1}
use_cases:
  - {name: report driver position, kind: update, writes: [Driver.location], latest: true, rate: 40k/s}
  - {name: cars near me, kind: list, reads: [Driver, Car], near: Driver.location, radius: 2km, staleness: 5s, rate: 18k/s}
"""

NEARBY = [
    pytest.param(SCOOTERS, "scooters near me", False, id="set-holds-all"),
    pytest.param(DOCKS, "bikes near me", True, id="children-of-the-points"),
    pytest.param(CABS, "cars near me", True, id="rows-pointing-at-the-points"),
]


@pytest.mark.parametrize(("text", "use_case", "reads_rows"), NEARBY)
def test_nearby_read_counts_the_rows_the_set_does_not_hold_ok(text: str, use_case: str, reads_rows: bool) -> None:
    """A GEO set answering a search alone reaches no database; one whose response needs another table's rows reads them, and the
    latency, the load and the caching record all say so."""
    arch = design_of(text)
    mechanism = next(m for m in arch.mechanisms if m.use_case == use_case and m.serves == "read")
    plan = next(c for c in arch.caches if c.use_case == use_case)
    flow = next(f for f in arch.flows if f.use_case == use_case)
    key = f"peak_{use_case.replace(' ', '-')}"
    counted = [f for f in arch.figures if f.key.startswith("db.reads.peak.") and key in f.inputs]
    timed = [p for p in flow.latency_parts if "index" in p.part or "database" in p.part]
    drawn = [s for s in store_steps(arch, flow) if s.phase == "read"]
    if reads_rows:
        assert mechanism.database_share > 0
        assert counted, "the rows read from the database are counted in its load"
        assert timed, [p.part for p in flow.latency_parts]
        assert "never reach the database" not in plan.rationale
        # the sequence draws the database read where the operation's rows are not the set's (the cars of the drivers found)
        if mechanism.entities:
            assert drawn, "the database read is drawn"
    else:
        assert mechanism.database_share == 0
        assert not counted
        assert not timed, [p.part for p in flow.latency_parts]
        assert "never reach the database" in plan.rationale
        assert not drawn


# raw events read only by an aggregate: expired after its window, and weighed against keeping them all
EXPIRED = [
    pytest.param(DAILY_RANKING, "plays", id="day"),
    pytest.param(WEEKLY_RANKING, "likes", id="week"),
    pytest.param(HOURLY_RANKING, "clicks", id="hour"),
]


@pytest.mark.parametrize(("text", "table"), EXPIRED)
def test_horizon_and_kept_days_share_one_row_size_ok(text: str, table: str) -> None:
    """The size "kept for the whole horizon" and the size of the days kept count a row at the same bytes."""
    arch = design_of(text)
    made = next((d for d in arch.decisions if d.id == f"storage.{table}"), None)
    if made is None or "aggregate and expire" not in made.choice:
        pytest.skip("kept whole")
    found = next(t for s in arch.datastores for t in s.tables if t.name == table)
    sized = next(f for f in arch.figures if f.key == f"bytes.5y.{table}")
    row = (sized.inputs["row_bytes"] + sized.inputs["index_bytes_per_row"]) / sized.inputs["page_fill"]
    # the whole horizon (5 years: the specs state no retention) of the table with no retention, at the row size its sizing states;
    # kept whole it holds the rows the spec reading gave it now, not the expired table's kept days (design/kept_rows.py)
    whole = {"retention_days": None, "rows_now": analyse(spec_of(text)).entities[found.entity or ""].rows_now}
    rows = rows_after(found.model_copy(update=whole), 5.0, 0.0)[0]
    assert made.inputs["bytes_at_horizon"] == pytest.approx(rows * row, rel=1e-9)
    assert made.inputs["bytes_kept"] == pytest.approx(made.inputs["keep_days"] * found.rows_per_day * row, rel=1e-9)
