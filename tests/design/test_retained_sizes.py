"""A table's size and the stores it needs, over time, told once (issue 22, class h2).

Specs of different shapes: a retained table made at its own rate with no rows stated (quotes kept
5 days); a retained table whose inserts build shards while its capped size never passes one
primary's store (a probe log kept 14 days, aggregated); a big table of plays, partitioned and
sharded, that the wide-column store weighs and declines; a Redis holding several caches (a short
link's resolve cache, a cached list, rate-limit buckets); sensor readings kept on hot and cold tiers
beside an analytics store. For each: rows today and at every horizon are capped by the retention, no
growth stage dates a threshold the cap never reaches, the wide-column note states the shard count's
bytes and count, a table's last days are one size, and the Redis memory counts every cache in it.
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import spec_of, table

from backend_architect.design.analysis import analyse
from backend_architect.design.loads import table_inserts
from backend_architect.design.patterns._analytics_plan import plan_events
from backend_architect.design.patterns._common import figures, size
from backend_architect.design.patterns._history_steer import hot_window
from backend_architect.design.patterns._shards import primaries_needed, shard_map_totals, when_size
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, day_bytes, horizon, window_bytes
from backend_architect.design.pipeline import design
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import all_tables
from backend_architect.spec.model import Spec

QUOTES = """\
system: quoting
scale: {users: 20M, daily_active: 4M, rates: average, retention_years: 5}
entities:
  Customer: {fields: {name: string(100)}, rows: 20M}
  Quote:
    append_only: true
    retention: 5d
    fields:
      customer: ref(Customer)
      product: enum[home, car, travel]
      premium: {type: money, generated: true}
use_cases:
  - {name: request quote, actor: customer, writes: [Quote], rate: 40M/day}
  - {name: list my quotes, actor: customer, reads: [Quote], filter: [customer], sort: [-created_at], rate: 2M/day}
"""

PROBES = """\
system: probing
scale: {users: 50M, daily_active: 10M, rates: average, retention_years: 10}
entities:
  Operator: {fields: {name: string(80)}, rows: 50M}
  Target: {fields: {host: string(200)}, rows: 1M}
  Probe:
    append_only: true
    retention: 14d
    fields:
      operator: ref(Operator)
      host: string(200)
use_cases:
  - name: check target
    actor: operator
    reads: [Target]
    search: [host]
    writes: [Probe]
    rate: 300M/day
  - name: list busiest hosts
    actor: operator
    reads: [Probe]
    top: {by: count, field: host, k: 10, window: 1h}
    staleness: 5m
    rate: 20M/day
"""

PLAYS = """\
system: jukebox
scale: {users: 300M, daily_active: 80M, rates: average, retention_years: 10}
entities:
  Listener: {fields: {name: string(100)}, rows: 300M}
  Track: {fields: {title: string(200)}, rows: 80M}
  Play:
    fields:
      listener: ref(Listener)
      track: ref(Track)
      position_seconds: int
use_cases:
  - {name: record play, actor: listener, writes: [Play], rate: 600M/day}
  - {name: save position, actor: listener, writes: [Play.position_seconds], rate: 600M/day}
  - {name: resume track, actor: listener, kind: get, owner_only: true, reads: [Play], filter: [listener, track], rate: 600M/day}
"""

LINKS = """\
system: clipboard
scale: {users: 40M, daily_active: 8M, rates: average}
entities:
  Member: {fields: {name: string(100)}, rows: 40M}
  Clip:
    key: short_code
    growth: 3M/day
    fields:
      owner: ref(Member)
      title: string(200)
      body: string(2000)
  Remark:
    fields:
      clip: ref(Clip)
      author: ref(Member)
      text: string(1000)
use_cases:
  - {name: save clip, actor: member, writes: [Clip], rate: 3M/day}
  - {name: open clip, actor: visitor, kind: get, auth: optional, reads: [Clip], rate: 900M/day}
  - {name: remark on clip, actor: member, writes: [Remark], rate: 5M/day}
  - {name: list remarks, actor: visitor, auth: optional, reads: [Remark], filter: [clip], sort: [-created_at], rate: 120M/day}
"""

SENSORS = """\
system: greenhouse
scale: {users: 2k, daily_active: 500, rates: peak, peak_factor: 2, retention_years: 2}
entities:
  Bed: {fields: {label: string(60)}, rows: 20k}
  Sample:
    append_only: true
    part_of: Bed
    retention: 400d
    fields:
      kind: enum[moisture, light, heat]
      value: decimal(10,3)
      taken_at: datetime
use_cases:
  - {name: send sample, actor: sensor, writes: [Sample], rate: 15k/s}
  - {name: view bed, actor: grower, reads: [Sample], filter: [bed, kind, taken_at], sort: [-taken_at], rate: 20/s}
  - name: chart bed
    actor: grower
    reads: [Sample]
    filter: [bed]
    series: {field: value, aggregate: avg, every: 1h, over: 30d}
    rate: 5/s
"""

SPECS = [
    pytest.param(QUOTES, id="quotes-kept-5-days"),
    pytest.param(PROBES, id="probes-kept-14-days-aggregated"),
    pytest.param(PLAYS, id="plays-partitioned-sharded"),
    pytest.param(LINKS, id="links-redis-several-caches"),
    pytest.param(SENSORS, id="sensors-tiers-and-analytics"),
]


def _designed(text: str) -> tuple[Spec, Architecture]:
    spec = spec_of(text)
    return spec, design(spec)


@pytest.mark.parametrize("text", SPECS)
def test_rows_never_past_the_retention_ok(text: str) -> None:
    """Rows today and at every horizon a design states are at most the retention's days of rows (at that year's rate)."""
    spec, arch = _designed(text)
    growth = spec.scale.growth_per_year or 0.0
    retained = [t for _, t in all_tables(arch) if t.retention_days is not None and t.rows_per_day > 0]
    assert retained, "the spec must retain a table"
    for t in retained:
        assert t.rows_now <= t.rows_per_day * t.retention_days * (1 + 1e-9), t.name
        for f in (f for f in arch.figures if f.key.startswith("rows.") and f.scope == t.name):
            cap = t.rows_per_day * (1 + growth) ** max(float(f.inputs["years"]) - 1, 0) * t.retention_days
            assert f.value <= cap * (1 + 1e-9), f"{f.key}: {f.value:,.0f} rows past {t.retention_days:g} days' {cap:,.0f}"


def test_rows_today_of_a_retained_entity_made_at_its_own_rate_ok() -> None:
    """A retained entity made at its own rate with no rows stated holds its retention's days of growth today, and says so."""
    spec = spec_of(QUOTES)
    analysis = analyse(spec)
    quotes = analysis.entities["Quote"]
    assert quotes.rows_now == pytest.approx(5 * 40e6)
    said = next(a for a in analysis.assumptions if a.startswith("entities.Quote.rows"))
    assert "200,000,000 rows today (5 days of growth, its retention)" in said
    assert "30 days" not in said


@pytest.mark.parametrize("text", SPECS)
def test_no_stage_dates_a_size_the_retention_forbids_ok(text: str) -> None:
    """A retained table whose capped size never passes one primary's store is never said to pass it "in about" some time."""
    spec, arch = _designed(text)
    growth, years = spec.scale.growth_per_year or 0.0, horizon(spec)
    text_all = " ".join([*(s.trigger for s in arch.stages), *(d.rationale for d in arch.decisions), *(d.choice for d in arch.decisions)])
    for t in (t for _, t in all_tables(arch) if t.retention_days is not None and t.rows_per_day > 0):
        if figures(arch).get(f"bytes.{years:g}y.{t.name}", 0.0) < HOT_STORE_BYTES:
            assert when_size(t, HOT_STORE_BYTES, growth, years)[1].startswith("not within"), t.name
            assert not re.search(rf"\b{re.escape(t.name)}: inserts pass [^;]*or size passes {re.escape(size(HOT_STORE_BYTES))} \(in about", text_all), t.name


def test_a_retained_table_built_for_inserts_says_its_size_never_passes_ok() -> None:
    """The probe log's shards are built for its inserts; the stage says once that its size, kept 14 days, never passes the store."""
    _, arch = _designed(PROBES)
    stage = next(s for s in arch.stages if s.name == "sharding")
    said = next(part for part in stage.trigger.split("; probes") if "probes: inserts pass" in part or part.startswith(": inserts pass"))
    assert "kept 14 days, its size never passes 2.0 TB" in stage.trigger
    assert "size passes 2.0 TB (" not in said


_NEEDED = re.compile(r"^(?P<table>\w+): (?P<count>[\d,]+) PostgreSQL primaries needed \((?P<bytes>[^ ]+ [KMGTP]?B) at the horizon")


@pytest.mark.parametrize("text", SPECS)
def test_wide_column_note_reads_the_shard_sizing_ok(text: str) -> None:
    """Every "primaries needed" note states the table's bytes figure and the count the shard rule gives it (the same headroom)."""
    spec, arch = _designed(text)
    known = figures(arch)
    years = horizon(spec)
    totals = shard_map_totals(arch, spec)
    analysis = analyse(spec)
    for note in (n for n in arch.pattern_notes if n.pattern == "PAT055"):
        found = _NEEDED.match(note.reason.removeprefix("a wide-column store: "))
        assert found is not None, note.reason
        t = table(arch, found["table"])
        at_horizon = known.get(f"bytes.{years:g}y.{t.name}", 0.0)
        assert found["bytes"] == size(at_horizon), note.reason
        count = int(found["count"].replace(",", ""))
        assert count == primaries_needed(at_horizon, table_inserts(known, t, analysis.peak_factor)), note.reason
        total = totals.get(t.name)
        if total is not None and total.tables == (t.name,) and count >= 2:
            assert count == total.count, f"{t.name}: note says {count} primaries, the shard map {total.count}"


def test_plays_note_and_shards_agree_ok() -> None:
    """The big partitioned table is weighed by the wide-column store: its note's primaries are its shards."""
    spec, arch = _designed(PLAYS)
    note = next(n for n in arch.pattern_notes if n.pattern == "PAT055" and n.subject == "plays")
    count = int(_NEEDED.match(note.reason.removeprefix("a wide-column store: "))["count"].replace(",", ""))  # type: ignore[index]
    assert count == shard_map_totals(arch, spec)["plays"].count


def test_primaries_needed_counts_inserts_against_the_headroom_ok() -> None:
    """Inserts count against 70% of a primary's write ceiling, as the shard count does."""
    assert primaries_needed(0.0, 13_889.0) == 4
    assert primaries_needed(3.1e12, 100.0) == 2


@pytest.mark.parametrize("text", SPECS)
def test_a_tables_last_days_are_one_size_ok(text: str) -> None:
    """The hot window's bytes and the analytics store's raw rows kept are the same function of days (day partitions' rows)."""
    spec, arch = _designed(text)
    known = figures(arch)
    for t in (t for _, t in all_tables(arch) if f"storage.hot_bytes.{t.name}" in known):
        days = known[f"storage.hot_days.{t.name}"]
        assert known[f"storage.hot_bytes.{t.name}"] == pytest.approx(window_bytes(t, days))
        assert hot_window(spec, t).bytes == pytest.approx(window_bytes(t, days))


def test_raw_rows_kept_and_hot_days_agree_on_a_days_bytes_ok() -> None:
    """Sensor samples: the analytics plan's raw bytes a day equal the hot window's bytes a day."""
    spec = spec_of(SENSORS)
    analysis = analyse(spec)
    arch = design(spec)
    samples = table(arch, "samples")
    plan = next(p for p in plan_events(spec, analysis, arch) if p.entity == "Sample")
    assert plan.raw_bytes == pytest.approx(window_bytes(plan.table, plan.keep_days))
    assert plan.raw_bytes / plan.keep_days == pytest.approx(day_bytes(samples))
    assert hot_window(spec, samples).bytes_per_day == pytest.approx(day_bytes(samples))


@pytest.mark.parametrize("text", SPECS)
def test_redis_memory_counts_every_cache_in_it_ok(text: str) -> None:
    """Every cache-aside plan states its memory, and the shared Redis holds at least the sum of them."""
    _, arch = _designed(text)
    redis = next((c for c in arch.components if c.name == "redis"), None)
    if redis is None:
        return
    known = {f.key: f.value for f in arch.figures}
    for plan in (c for c in arch.caches if c.strategy == "cache-aside"):
        assert any(f.key.startswith("cache.bytes.") and f.scope == f"use case '{plan.use_case}'" for f in arch.figures), plan.use_case
    cached = sum(v for k, v in known.items() if k.startswith("cache.bytes."))
    assert (redis.memory_bytes or 0.0) >= cached * (1 - 1e-9)
    shards = next(f for f in arch.figures if f.key == "redis.shards")
    assert shards.inputs["memory_bytes"] == pytest.approx(redis.memory_bytes or 0.0)


def test_a_short_link_resolve_cache_counts_in_redis_ok() -> None:
    """The clip resolve cache (a short code's cache-aside) states its memory and the cluster counts it."""
    _, arch = _designed(LINKS)
    plan = next(c for c in arch.caches if c.use_case == "open clip")
    assert plan.strategy == "cache-aside"
    memory = next(f for f in arch.figures if f.key.startswith("cache.bytes.") and f.scope == "use case 'open clip'")
    assert memory.value > 0
    redis = next(c for c in arch.components if c.name == "redis")
    assert (redis.memory_bytes or 0.0) >= memory.value
