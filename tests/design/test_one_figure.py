"""A figure or decision stated in several places is computed once: every sentence that states it reads the same value."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from backend_architect.api import design_file
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING, fmt, size
from backend_architect.ir.model import Architecture
from design.helpers import design_of

ROOT = Path(__file__).resolve().parents[2]
SPECS = Path(__file__).parent / "specs"


@cache
def designed(path: str) -> Architecture:
    return design_file(ROOT / path).architecture


def _figures(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


def _database_of(arch: Architecture, db: str) -> list[str]:
    """Names and sharding of the tables one physical database holds, as '<table> by <key> (<reason>)'."""
    return [
        f"{t.name} by {t.sharding.key} ({t.sharding.reason})"
        for s in arch.datastores
        if (s.name.split(".")[0] if arch.deployment == "modular-monolith" else s.name) == db
        for t in s.tables
        if t.sharding is not None
    ]


@pytest.mark.parametrize(
    ("path", "branch"),
    [
        pytest.param("examples/chat.yaml", "sharded", id="chat-sharded-messages"),
        # its updates pass one primary: the table carrying them is sharded now (issue 22-z2), no longer an unsharded primary past it
        pytest.param("tests/design/specs/live_scores.yaml", "sharded", id="updates-past-the-write-ceiling"),
        pytest.param("tests/design/specs/recipe_catalogue.yaml", "reads-only", id="reads-only"),
    ],
)
def test_read_replicas_shard_alternative_reads_the_sharding_ok(path: str, branch: str) -> None:
    """The read-replica decision's 'shard' alternative says what the sharding decision and the write figures say."""
    arch = designed(path)
    known = _figures(arch)
    decisions = [d for d in arch.decisions if d.id.startswith("read-replicas.")]
    assert decisions, "the case must have a read-replica decision"
    seen = set()
    for made in decisions:
        db = made.id.removeprefix("read-replicas.")
        sharded = _database_of(arch, db)
        # with tables sharded, the alternative weighed is the tables left on the primary, never the sharding built (issue 22-d2)
        name = f"shard the tables still on {db}'s unsharded primary" if sharded else "shard"
        why = next(a.why_not for a in made.alternatives if a.name == name)
        writes = known[f"db.writes.peak.{db}"]
        if sharded:
            seen.add("sharded")
            assert all(s in why for s in sharded), why
            assert "not writes" not in why, why
        else:
            assert f"peak writes {fmt(writes)}/s" in why, why
            passes = writes > PRIMARY_WRITE_CEILING
            seen.add("writes-pass" if passes else "reads-only")
            assert ("not writes" in why) is not passes, why
    assert branch in seen


def _sensor_spec(rate: str) -> str:
    return (SPECS / "sensor_history.yaml").read_text().replace("rate: 20k/s", f"rate: {rate}")


@pytest.mark.parametrize(
    "arch",
    [
        pytest.param(lambda: designed("examples/chat.yaml"), id="window-within-the-share"),
        pytest.param(lambda: design_of(_sensor_spec("20k/s")), id="shortest-window-past-the-share"),
        pytest.param(lambda: design_of(_sensor_spec("600/s")), id="months-hot"),
    ],
)
def test_hot_window_is_one_figure_ok(arch: object) -> None:
    """Every sentence about a tiered table's hot window states the days and bytes of its two figures."""
    built: Architecture = arch()  # type: ignore[operator]
    known = _figures(built)
    tiered = [d for d in built.decisions if d.id.startswith("storage.") and d.choice.startswith("hot/cold tiers")]
    assert tiered, "the case must tier a table"
    for made in tiered:
        table = made.id.removeprefix("storage.")
        days, held = known[f"storage.hot_days.{table}"], known[f"storage.hot_bytes.{table}"]
        said = f"the last {days:,.0f} days ({size(held)}"
        place = next(p for p in built.placements if p.data == table)
        assert said in made.choice, made.choice
        assert said in made.rationale, made.rationale
        assert said in place.reason, place.reason
        assert "of fast storage at" not in made.rationale


def test_stated_growth_against_creating_use_cases_err() -> None:
    """Stated growth above what the creating use cases make sizes the table, with its working, and the difference is warned."""
    arch = designed("tests/design/specs/parcel_lockers.yaml")
    rows = next(f for f in arch.figures if f.key == "storage.rows_per_day.parcels")
    assert (rows.value, rows.inputs) == (30_000_000, {"growth_per_day": 30_000_000})
    assert any("30,000,000 rows a day stated" in a and "(announce parcel) make 24,000,000" in a for a in arch.assumptions), arch.assumptions


CREATE_BY_FIELDS = """
system: bike-rentals
entities:
  Bike: {fields: {label: string(20)}, rows: 5k}
  Rental:
    fields: {bike: ref(Bike), started: datetime, tag: string(20)?}
    {growth}
use_cases:
  - {name: start rental, actor: rider, kind: create, writes: [Rental.bike, Rental.started], rate: 12k/day}
  - {name: tag rental, actor: rider, writes: [Rental.tag], rate: 1k/day}
"""


@pytest.mark.parametrize(
    ("growth", "per_day", "warned"),
    [
        pytest.param("", 12_000, False, id="rows-from-the-create-naming-fields"),
        pytest.param("growth: 12k/day", 12_000, False, id="stated-and-made-agree"),
        pytest.param("growth: 13k/day", 13_000, True, id="stated-above-made"),
        pytest.param("growth: 6k/day", 6_000, True, id="stated-below-made"),
    ],
)
def test_rows_a_day_equal_the_creating_use_cases_ok(growth: str, per_day: float, warned: bool) -> None:
    """A create naming its row's fields makes the rows a day; a stated growth that differs is used and warned with both numbers."""
    arch = design_of(CREATE_BY_FIELDS.replace("{growth}", growth))
    figure = next(f for f in arch.figures if f.key == "storage.rows_per_day.rentals")
    assert figure.value == pytest.approx(per_day)
    assert figure.formula.startswith("growth_per_day" if growth else "sum of the creating use cases'")
    warnings = [a for a in arch.assumptions if a.startswith("entities.Rental.growth:")]
    assert bool(warnings) is warned, warnings
    if warned:
        assert "(start rental) make 12,000 a day" in warnings[0]


def _with_target(path: str, target: float) -> Architecture:
    from backend_architect.design.pipeline import design
    from backend_architect.spec.load import load_spec

    spec = load_spec(ROOT / path).spec
    return design(spec.model_copy(update={"scale": spec.scale.model_copy(update={"availability": target})}))


@pytest.mark.parametrize(
    ("arch", "redis_copies"),
    [
        pytest.param(lambda: _with_target("examples/bookstore.yaml", 0.99), 1, id="single-zone-one-copy"),
        pytest.param(lambda: designed("examples/bookstore.yaml"), 2, id="multi-zone-two-copies"),
        pytest.param(lambda: _with_target("examples/bookstore.yaml", 0.9999), 3, id="four-nines-three-copies"),
        pytest.param(lambda: designed("benchmarks/system_design/twitter_timelines/spec.yaml"), 3, id="read-model-rebuild-three-copies"),
    ],
)
def test_store_replication_is_one_decision_ok(arch: object, redis_copies: int) -> None:
    """The cache's technology record, the search decision, the redundancy record, the plan's copies and the nodes state one replication."""
    from backend_architect.design.patterns._copies import copies_said

    built: Architecture = arch()  # type: ignore[operator]
    assert built.availability is not None
    zones = built.availability.zones
    by_id = {d.id: d for d in built.decisions}
    stated = {}
    for part, text in built.availability.redundancy.items():
        if " shard(s) x " in text:
            shards, _, copies = text.partition(" shard(s) x ")
            stated[part] = (int(shards), int(copies.split()[0]))
    assert stated["redis"][1] == redis_copies
    for component in (c for c in built.components if c.name in stated):
        shards, copies = stated[component.name]
        assert f"{component.technology} ({component.kind}): {shards} shard(s), {copies_said(copies, zones)}" in by_id["availability.stateful"].choice
        if component.name == "redis":
            assert component.instances == shards * copies
            cache = by_id["cache"]
            assert f"{shards} shard(s) x {copies} copies = {shards * copies} node(s)" in cache.context, cache.context
            assert copies_said(copies, zones) in " ".join(a.why_not for a in cache.alternatives) + cache.rationale
        if component.kind == "search-engine":
            assert copies_said(copies, zones) in by_id["search"].choice, by_id["search"].choice


@pytest.mark.parametrize(
    "path", ["examples/bookstore.yaml", "examples/chat.yaml", "tests/design/specs/live_scores.yaml", "tests/design/specs/parcel_lockers.yaml"]
)
def test_one_primary_load_is_stated_once_ok(path: str) -> None:
    """The growth plan's first stage and the write-ceiling bottleneck state the busiest database's writes from one figure."""
    arch = designed(path)
    util = next(f for f in arch.figures if f.key == "db.write_utilisation")
    said = f"{fmt(util.inputs['peak_write'])}/s = {util.value:.1%} of one primary"
    first = next(s for s in arch.stages if s.order == 1)
    ceiling = next(b for b in arch.bottlenecks if b.title == "Write ceiling of one database primary")
    assert said in first.trigger, first.trigger
    assert f"= {util.value:.1%} of" in ceiling.trigger, ceiling.trigger


@pytest.mark.parametrize("path", ["examples/helpdesk.yaml", "benchmarks/system_design/twitter_timelines/spec.yaml"])
def test_instances_run_are_stated_with_the_peak_ok(path: str) -> None:
    """Where the zone plan runs more instances than the peak needs, the operations table and the growth plan state both figures."""
    result = design_file(ROOT / path)
    known = {f.key: f.value for f in result.architecture.figures}
    page = result.files["design.md"]
    spread = {k.removeprefix("instances.zone_loss."): v for k, v in known.items() if k.startswith("instances.zone_loss.")}
    peak = {k.rsplit(".", 1)[-1]: v for k, v in known.items() if (k.startswith("instances.") and k.count(".") == 1) or k.startswith("instances.deployable.")}
    differing = [name for name in peak if name in spread and spread[name] != peak[name]]
    assert differing, "the case must run more instances than its peak needs"
    for name in differing:
        assert f"| {peak[name]:,.0f} ({spread[name]:,.0f} run across the zones" in page, name
    first = next(s for s in result.architecture.stages if s.order == 1)
    assert f"({fmt(sum(spread[n] for n in peak if n in spread))} run across the" in " ".join(first.adds), first.adds
