"""One source of events per table, named the same in every section, and a store other than PostgreSQL read by every section.

A table a wide-column store holds (PAT055) joins no PostgreSQL transaction: its events leave from the store's CDC log,
its writes are timed and fail as that store's, and the diagrams draw that store as the service's. A write a mechanism
keeps in memory (PAT020) publishes its own event to the broker itself, counted once in the broker's rate.
"""

from __future__ import annotations

import functools
import json

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import DIRECT_SOURCE, OUTBOX_SOURCE, event_source
from backend_architect.render.files import render_files
from backend_architect.render.handoff_model import Handoff
from backend_architect.rules.model import Severity
from backend_architect.spec.load import load_spec_bytes

#: A monolith: matches in PostgreSQL (published through the outbox to a search indexer), their events in ScyllaDB
#: (pushed live, searched), so one deployable has both sources.
LIVE_MATCHES = """
system: live-matches
team: {size: 4}
entities:
  Match: {fields: {title: string(80)}, rows: 5M, growth: 2M/day}
  MatchEvent:
    fields: {match: ref(Match), actor: string(40), payload: {type: text, avg_bytes: 150}}
use_cases:
  - {name: create match, actor: host, kind: create, writes: [Match], rate: 2M/day}
  - {name: find matches, actor: player, kind: list, reads: [Match], search: [title], rate: 5M/day}
  - {name: record event, actor: server, kind: create, writes: [MatchEvent], rate: 300M/day, avg_fanout: 20, deliver: {mode: realtime, to: MatchEvent.match}}
  - {name: replay match, actor: player, kind: list, reads: [MatchEvent], filter: [match], sort: [-created_at], consistency: eventual, rate: 50M/day}
  - {name: search events, actor: player, kind: list, reads: [MatchEvent], filter: [match], search: [payload], consistency: eventual, rate: 1M/day}
"""

#: Services, each with its own database: sensor readings appended per device into ScyllaDB, edited and deleted by id, pushed live.
DEVICE_LOG = """
system: device-log
entities:
  Device: {fields: {label: string(60)}, rows: 2M, growth: 10k/day}
  Reading:
    fields: {device: ref(Device), value: float, note: {type: text, avg_bytes: 80}}
use_cases:
  - {name: add device, actor: operator, kind: create, writes: [Device], rate: 10k/day}
  - {name: record reading, actor: device, kind: create, writes: [Reading], rate: 400M/day, avg_fanout: 3, deliver: {mode: realtime, to: Reading.device}}
  - {name: device readings, actor: operator, kind: list, reads: [Reading], filter: [device], sort: [-created_at], consistency: eventual, rate: 20M/day}
  - {name: annotate reading, actor: operator, kind: update, writes: [Reading.note], rate: 1M/day, avg_fanout: 3, deliver: {mode: realtime, to: Reading.device}}
"""

#: A latest value kept in Redis (PAT020) on a table recorded for analytics: the saved positions reach the column store.
LESSONS = """
system: lessons
entities:
  Learner: {fields: {email: {type: email, unique: true}}, rows: 10M}
  Lesson: {fields: {title: string(120)}, rows: 200k}
  Progress:
    analytics: true
    growth: 50M/day
    fields: {learner: ref(Learner), lesson: ref(Lesson), position_s: int}
use_cases:
  - {name: open lesson, actor: learner, kind: create, writes: [Progress], rate: 50M/day}
  - {name: save position, actor: learner, kind: update, owner_only: true, writes: Progress.position_s, latest: true, rate: 500M/day}
  - {name: resume lesson, actor: learner, kind: get, owner_only: true, reads: Progress, rate: 50M/day}
"""

SPECS = {"live-matches": LIVE_MATCHES, "device-log": DEVICE_LOG, "lessons": LESSONS}


@functools.cache
def _designed(name: str) -> tuple[DesignResult, dict[str, str]]:
    result = design_spec(load_spec_bytes(SPECS[name].encode(), "spec.yaml"))
    return result, render_files(result.architecture, result.findings)


def _wide(arch: Architecture) -> set[str]:
    return {t.entity or "" for s in arch.datastores for t in s.tables if t.wide_column is not None}


@pytest.mark.parametrize("name", ["live-matches", "device-log"])
def test_a_wide_column_table_publishes_from_its_cdc_log_everywhere_ok(name: str) -> None:
    """Its events: CDC steps in the flows, no outbox table beside it, the AsyncAPI, events table, diagrams and broker name the log."""
    result, files = _designed(name)
    arch = result.architecture
    assert not [f for f in result.findings if f.severity > Severity.INFO]
    wide = _wide(arch)
    assert wide, "the spec must place a table in the wide-column store"
    logged = [e for e in arch.events if e.entity in wide]
    assert logged
    for event in logged:
        source = event_source(arch, event)
        assert source.startswith("the ScyllaDB CDC log of ")
        steps = [s for f in arch.flows if f.use_case == event.use_case for s in f.steps if s.kind == "event" and s.source == event.producer]
        assert steps
        assert {s.via for s in steps} == {"cdc"}
        document = yaml.safe_load(files[f"asyncapi/{event.producer}.yaml"])
        assert document["operations"][f"publish{event.name}"]["summary"] == f"Publish from {source} (no outbox row): {event.name}."
        heading = files["design.md"].split("\nEvents (", 1)[1].split("\n", 1)[0]
        said = next(part for part in heading.split("; ") if part.endswith(f"published from {source} (no outbox row)"))
        assert event.name in said.split(" published from ")[0].split(", ")
        assert f"svc_{event.producer.replace('-', '_')} -.->|{event.name}| cdc_{event.entity}" in files["diagrams/architecture.mmd"]
        assert f"~~{event.name}~~> " in files["diagrams/architecture.txt"]
        assert f"(from {source})" in files["diagrams/architecture.txt"]
    # no outbox table where no event commits through it: the outbox is the producer's only when one of its events does
    for store in (s for s in arch.datastores if s.service):
        outboxed = [e for e in arch.events if e.producer == store.service and event_source(arch, e) == OUTBOX_SOURCE]
        assert any(t.role == "outbox" for t in store.tables) == bool(outboxed), store.service
    broker = next(d for d in arch.decisions if d.id == "messaging")
    for source in {event_source(arch, e) for e in arch.events}:
        assert source in broker.choice
    handoff = json.loads(files["handoff.json"])
    Handoff.model_validate(handoff)
    published = {p["event"]: p for s in handoff["integration"] for p in s["publishes"]}
    for event in arch.events:
        source = event_source(arch, event)
        assert published[event.name].get("source") == (None if source == OUTBOX_SOURCE else source)


@pytest.mark.parametrize("name", ["live-matches", "device-log"])
def test_a_wide_column_table_is_drawn_timed_and_failed_as_its_store_ok(name: str) -> None:
    """The diagrams name the wide-column store as the service's; its writes are quorum writes or LWTs, not WAL commits; its failures are its own."""
    result, files = _designed(name)
    arch = result.architecture
    served = {m.use_case for m in arch.mechanisms if m.pattern == "PAT055" and m.database_share == 0}
    writes = {m.use_case for m in arch.mechanisms if m.pattern == "PAT055" and m.serves == "write"}
    assert writes
    for flow in (f for f in arch.flows if f.use_case in writes):
        parts = [p.part for p in flow.latency_parts]
        assert not [p for p in parts if "commit" in p or "standby" in p], parts
        # a change taking If-Match is the store's lightweight transaction (tests/design/test_guarded_wide_column_writes.py)
        assert any("LOCAL_QUORUM write" in p or "IF version = ?" in p for p in parts), parts
    impacts = arch.availability.impacts if arch.availability else []
    assert not {u for i in impacts if i.dependency == "database primary" for u in i.use_cases} & served
    one_node = next(i for i in impacts if i.dependency == "wide-column-store: one node")
    assert one_node.effect == "degrade"
    assert set(one_node.use_cases) == served
    for service in arch.services:
        tables = [t.name for s in arch.datastores for t in s.tables if t.wide_column is not None and t.entity in service.entities]
        for table in tables:
            assert f"svc_{service.name.replace('-', '_')} -->|{table}| cmp_wide_column_store" in files["diagrams/architecture.mmd"]
            assert f"{table}: a stand-in, ScyllaDB holds it" in files["diagrams/architecture.mmd"]
            row = next(r for r in files["diagrams/architecture.txt"].splitlines() if f"[{service.name}] owns" in r)
            assert f"wide-column-store (ScyllaDB).{table}" in row


def test_a_write_kept_in_memory_publishes_its_own_event_once_ok() -> None:
    """A latest value in Redis publishes its event to the broker itself: events/s counts it, equal to what the column store ingests."""
    result, files = _designed("lessons")
    arch = result.architecture
    assert not [f for f in result.findings if f.severity > Severity.INFO]
    saved = next(e for e in arch.events if e.use_case == "save position")
    assert event_source(arch, saved) == DIRECT_SOURCE
    figures = {f.key: f for f in arch.figures}
    peak = figures["events.peak"]
    assert peak.inputs[saved.name] > 0
    ingest = next(f for k, f in figures.items() if k.startswith("analytics.") and f.unit == "rows/s")
    assert peak.value == pytest.approx(ingest.value)
    document = yaml.safe_load(files[f"asyncapi/{saved.producer}.yaml"])
    assert document["operations"][f"publish{saved.name}"]["summary"] == f"Publish from {DIRECT_SOURCE} (no outbox row): {saved.name}."
    assert f"{saved.name} published from {DIRECT_SOURCE} (no outbox row)" in files["design.md"]
    assert "through the transactional outbox" not in document["operations"][f"publish{saved.name}"]["summary"]
    broker = next(d for d in arch.decisions if d.id == "messaging")
    assert f"{saved.name} published to it by the write path itself" in broker.choice


def test_a_cache_miss_goes_to_the_store_holding_the_rows_ok() -> None:
    """A cached page of a wide-column table misses to that store: the latency part and the cache's failure row name it, never the database."""
    result, _ = _designed("device-log")
    flow = next(f for f in result.architecture.flows if f.use_case == "device readings")
    parts = [p.part for p in flow.latency_parts]
    assert any(p.startswith("wide-column-store on a cache miss") for p in parts), parts
    assert not [p for p in parts if p.startswith("database")], parts
    impacts = result.architecture.availability.impacts if result.architecture.availability else []
    cache = next(i for i in impacts if "device readings" in i.use_cases and i.dependency == "redis")
    assert cache.detail.startswith("misses go to wide-column-store (slower)")


@pytest.mark.parametrize("name", ["live-matches", "device-log"])
def test_the_database_size_counts_no_table_a_wide_column_store_holds_ok(name: str) -> None:
    """The database's total leaves out the stand-in of a table the wide-column store holds; its sizes are that store's rows (issue 22, l1)."""
    result, _ = _designed(name)
    arch = result.architecture
    figures = {f.key: f for f in arch.figures}
    for store in arch.datastores:
        held = [t.name for t in store.tables if t.wide_column is not None]
        for total in (f for k, f in figures.items() if k.startswith("bytes.") and k.endswith(f".datastore.{store.name}")):
            assert not set(held) & set(total.inputs), total.key
            assert total.value == pytest.approx(sum(total.inputs.values()))
        for table in held:
            assert figures[f"wide_column.bytes.{table}"].value > 0
            sizes = [f for k, f in figures.items() if k.startswith("bytes.") and k.endswith(f"y.{table}")]
            assert sizes
            assert all("(CQL rows, one of its 3 copies)" in f.quantity for f in sizes)


def test_each_source_of_events_fails_its_own_way_ok() -> None:
    """The failure table has one row per source: the outbox's rows wait in the database, a CDC log's in its store, a direct publish is dropped."""
    for name, sources in (
        ("live-matches", {"event relay (outbox)", "event relay (ScyllaDB CDC log of match_events)"}),
        ("lessons", {"event relay (outbox)", "broker"}),
    ):
        result, _ = _designed(name)
        arch = result.architecture
        impacts = {i.dependency: i for i in (arch.availability.impacts if arch.availability else [])}
        assert sources <= set(impacts)
        for event in arch.events:
            source = event_source(arch, event)
            row = "event relay (outbox)" if source == OUTBOX_SOURCE else "broker" if source == DIRECT_SOURCE else f"event relay ({source.removeprefix('the ')})"
            assert event.use_case in impacts[row].use_cases
        assert "CDC log" not in impacts["event relay (outbox)"].detail
