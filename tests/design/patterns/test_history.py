"""PAT042: history is aggregated and expired, moved to an analytical store, or split hot/cold, by who reads it and its size."""

from __future__ import annotations

import pytest

from backend_architect.design.patterns._stores import HOT_STORE_BYTES
from backend_architect.ir.model import Architecture
from design.helpers import design_of, table

AGGREGATED = """\
system: clicks
team: {size: 3}
scale: {retention_years: 1}
entities:
  Click:
    append_only: true
    fields: {url: string(200), value: int}
    growth: 1M/day
    %(retention)s
  Total: {fields: {url: string(200), count: int}}
use_cases:
  - {name: count clicks, actor: scheduler, schedule: %(schedule)s, reads: [Click], writes: [Total]}
"""

LOG = """\
system: logs
team: {size: 3}
scale: {retention_years: 5}
entities:
  Event:
    %(shape)s
    fields: {kind: string(40), payload: json}
    growth: %(growth)s
use_cases:
  - {name: record event, actor: device, writes: [Event]}
  %(reader)s
"""


def _decision(arch: Architecture, id: str) -> str:
    found = next((d for d in arch.decisions if d.id == id), None)
    assert found is not None, [d.id for d in arch.decisions]
    return found.choice


@pytest.mark.parametrize(
    ("schedule", "retention", "days", "decided_by"),
    [
        pytest.param("hourly", "", 1.0, "numbers", id="hourly-job-reads-two-hours-kept-a-day"),
        pytest.param("daily", "", 2.0, "numbers", id="daily-job-reads-two-days"),
        pytest.param("weekly", "", 14.0, "numbers", id="weekly-job-reads-two-weeks"),
        pytest.param("daily", "retention: 30d", 30.0, "spec", id="stated-retention-wins"),
    ],
)
def test_raw_events_read_only_by_aggregates_expire_ok(schedule: str, retention: str, days: float, decided_by: str) -> None:
    """Append-only rows only a job aggregates are kept for the window it reads (or the stated retention), then dropped by partition."""
    arch = design_of(AGGREGATED % {"schedule": schedule, "retention": retention})
    clicks = table(arch, "clicks")
    assert clicks.retention_days == days
    assert clicks.partitioning is not None
    assert "drop" in (clicks.partitioning.retention_job or "")
    made = next(d for d in arch.decisions if d.id == "storage.clicks")
    assert made.choice.startswith("aggregate and expire")
    assert made.decided_by == decided_by
    assert clicks.sharding is None
    assert next(p for p in arch.placements if p.data == "clicks").data_class == "event-log"


def test_raw_events_without_a_window_keep_a_week_err() -> None:
    """A series with no range states no window: the raw rows are kept a week and the default is listed under Assumptions."""
    spec = AGGREGATED.replace("  - {name: count clicks, actor: scheduler, schedule: %(schedule)s, reads: [Click], writes: [Total]}\n", "")
    spec += "  - {name: chart clicks, actor: user, reads: [Click], series: {field: value}}\n"
    arch = design_of(spec % {"retention": ""})
    assert table(arch, "clicks").retention_days == 7.0
    assert any(a.startswith("entities.Click.retention: not given") for a in arch.assumptions)


def _per_row(shape: str) -> float:
    """Bytes one Event row takes, read from a design's own figures."""
    arch = design_of(LOG % {"shape": shape, "growth": "1M/day", "reader": ""})
    figures = {f.key: f.value for f in arch.figures}
    return figures["bytes.5y.events"] / figures["rows.5y.events"]


@pytest.mark.parametrize("factor", [0.9, 1.1], ids=["below-the-hot-store", "above-the-hot-store"])
def test_unread_log_goes_to_the_warehouse_past_the_hot_store_ok(factor: float) -> None:
    """An append-only log nobody reads moves to the analytical store only once its horizon size passes the hot store."""
    per_day = HOT_STORE_BYTES * factor / _per_row("append_only: true") / (5 * 365)
    arch = design_of(LOG % {"shape": "append_only: true", "growth": f"{per_day:.0f}/day", "reader": ""})
    warehouse = [c for c in arch.components if c.kind == "warehouse"]
    if factor < 1:
        assert not warehouse
        assert table(arch, "events").retention_days is None  # nothing expires: no retention stated
        assert any(n.pattern == "PAT042" and n.subject == "growing tables" and "fit the hot store" in n.reason for n in arch.pattern_notes)
    else:
        assert warehouse
        assert "analytical" in next(d.title for d in arch.decisions if d.id == "storage.events").lower()
        events = table(arch, "events")
        assert events.retention_days is not None
        assert 7 <= events.retention_days <= 365
        assert "export" in (events.partitioning.retention_job if events.partitioning else "")
        figures = {f.key: f.value for f in arch.figures}
        assert figures["bytes.5y.warehouse"] > 0
        assert figures["bytes.5y.events"] <= HOT_STORE_BYTES
        assert {p.data_class for p in arch.placements if p.data.startswith("events")} == {"event-log", "analytical"}


@pytest.mark.parametrize(
    ("shape", "reader", "verdict"),
    [
        pytest.param("append_only: true", "- {name: list events, actor: user, reads: [Event], filter: [kind], page: cursor}", "tiers", id="looked-up-log"),
        pytest.param("soft_delete: false", "- {name: list events, actor: user, reads: [Event], filter: [kind], page: cursor}", "tiers", id="looked-up-rows"),
        pytest.param("soft_delete: false", "- {name: fix event, actor: user, writes: [Event.kind]}", "one tier", id="updated-unread-rows"),
    ],
)
def test_history_past_the_hot_store_by_who_reads_it_ok(shape: str, reader: str, verdict: str) -> None:
    """Looked-up history is split hot/cold and kept online (nothing expires); updated rows nobody reads stay in one tier."""
    arch = design_of(LOG % {"shape": shape, "growth": "100M/day", "reader": reader})
    events = table(arch, "events")
    if verdict == "tiers":
        assert _decision(arch, "storage.events").startswith("hot/cold tiers for events")
        assert events.partitioning is not None
        assert events.retention_days is None  # kept online, nothing expires
    else:
        assert all(d.id != "storage.events" for d in arch.decisions)
        assert any(n.subject == "events" and "one tier" in n.reason for n in arch.pattern_notes)


def test_short_stated_retention_moves_nothing_err() -> None:
    """A log kept one day by the spec has no history to move, however large its daily volume: retention is never extended."""
    arch = design_of(LOG % {"shape": "append_only: true\n    retention: 1d", "growth": "9B/day", "reader": ""})
    events = table(arch, "events")
    assert events.retention_days == 1.0
    assert not [c for c in arch.components if c.kind == "warehouse"]
    assert any(n.subject == "events" and "no history outlives it" in n.reason for n in arch.pattern_notes)


def test_referenced_rows_stay_in_one_tier_err() -> None:
    """Updated rows other tables reference are not time-partitioned for tiers: their foreign keys would be lost."""
    spec = LOG % {
        "shape": "soft_delete: false",
        "growth": "100M/day",
        "reader": "- {name: list events, actor: user, reads: [Event], filter: [kind], page: cursor}",
    }
    spec = spec.replace("entities:\n", "entities:\n  Note: {part_of: Event, fields: {text: text}}\n")
    arch = design_of(spec)
    assert table(arch, "events").partitioning is None
    assert any(fk.ref_table == "events" for fk in table(arch, "notes").foreign_keys)
    assert any(n.subject == "events" and "would cost their foreign keys" in n.reason for n in arch.pattern_notes)
