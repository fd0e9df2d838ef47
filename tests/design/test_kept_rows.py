"""Every table's rows now, rows a day and retention are computed once from what the spec states and read alike by every section.

A table never holds more rows now than its retention's days of new rows (whether the spec states the retention or a storage
decision sets one), a stated row count the retention overrules is reported with both numbers, and a stated retention is
said as stated even when it reaches past the sizing horizon. Specs of different shapes: a clinic whose visits are stated
past what their retention keeps, a sensor log whose raw readings only aggregates read, and an archive kept as long as the
horizon.
"""

from __future__ import annotations

import functools

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import all_tables
from design.helpers import spec_of, table

CLINIC = """
system: clinic
scale: {daily_active: 50k, retention_years: 5}
entities:
  Patient: {fields: {name: string(80)}, rows: 2M}
  Visit:
    fields: {patient: ref(Patient), notes: string(400)}
    rows: 10M
    growth: 10k/day
    retention: 90d
use_cases:
  - {name: book visit, kind: create, writes: Visit, rate: 10k/day}
  - {name: list visits, kind: list, reads: Visit, filter: patient, rate: 200k/day}
"""

SENSORS = """
system: sensors
scale: {daily_active: 1M, retention_years: 3}
entities:
  Reading:
    append_only: true
    fields: {device: string(40), value: float}
use_cases:
  - {name: record reading, writes: [Reading], rate: 300M/day}
  - {name: busiest devices, kind: list, reads: [Reading], top: {by: count, field: device, k: 10, window: 1h}, rate: 1M/day, staleness: 1m}
"""

ARCHIVE = """
system: archive
scale: {daily_active: 10k, retention_years: 7}
entities:
  Author: {fields: {name: string(80)}, rows: 100k}
  Letter:
    fields: {author: ref(Author), body: string(2000)}
    growth: 50k/day
    retention: 2555d
use_cases:
  - {name: file letter, kind: create, writes: Letter, rate: 50k/day}
  - {name: read letters, kind: list, reads: Letter, filter: author, rate: 100k/day}
"""


@functools.cache
def designed(text: str) -> Architecture:
    return design_with_analysis(spec_of(text))[0]


@pytest.mark.parametrize("text", [pytest.param(CLINIC, id="clinic"), pytest.param(SENSORS, id="sensors"), pytest.param(ARCHIVE, id="archive")])
def test_no_table_holds_more_than_its_retention_keeps_ok(text: str) -> None:
    """Every table with a retention and a rate holds at most rows_per_day x retention_days now, whoever set the retention."""
    arch = designed(text)
    checked = [t for _, t in all_tables(arch) if t.retention_days is not None and t.rows_per_day]
    assert checked, "no table with a retention and a rate: the spec does not exercise the rule"
    for t in checked:
        assert t.rows_now <= t.rows_per_day * t.retention_days * (1 + 1e-9), (t.name, t.rows_now, t.rows_per_day, t.retention_days)


def test_stated_rows_past_the_retention_are_reported_with_both_numbers_err() -> None:
    """Visits stated at 10M but kept 90 days at 10k a day size at 900k, with a warning naming 10,000,000 and 900,000."""
    analysis = analyse(spec_of(CLINIC))
    assert analysis.entities["Visit"].rows_now == pytest.approx(900_000)
    said = [w for w in analysis.warnings if w.startswith("entities.Visit.rows")]
    assert said, analysis.warnings
    assert "10,000,000 stated" in said[0]
    assert "900,000" in said[0]
    assert table(designed(CLINIC), "visits").rows_now == pytest.approx(900_000)


def test_stated_rows_within_the_retention_stay_ok() -> None:
    """Patients stated at 2M with no retention keep their 2M and draw no warning."""
    analysis = analyse(spec_of(CLINIC))
    assert analysis.entities["Patient"].rows_now == pytest.approx(2_000_000)
    assert not [w for w in analysis.warnings if w.startswith("entities.Patient.rows")]


def test_expired_raw_rows_are_counted_as_kept_ok() -> None:
    """Readings only aggregates read, expired by the storage decision, count their kept days now, and the narrowing is said."""
    arch = designed(SENSORS)
    readings = table(arch, "readings")
    assert readings.retention_days is not None
    assert readings.retention_days < 30
    assert readings.rows_now == pytest.approx(readings.rows_per_day * readings.retention_days)
    assert any(a.startswith("readings: ") and "rows now" in a for a in arch.assumptions), arch.assumptions


@pytest.mark.parametrize(
    ("text", "name", "said"),
    [
        pytest.param(ARCHIVE, "letters", "2,555 days (stated", id="archive-at-horizon"),
        pytest.param(CLINIC, "visits", "90 days", id="clinic-within-horizon"),
    ],
)
def test_a_stated_retention_is_said_as_stated_ok(text: str, name: str, said: str) -> None:
    """The storage table states the spec's retention, even one as long as the horizon, never "no retention stated"."""
    placement = next(p for p in designed(text).placements if p.data == name)
    assert placement.retention.startswith(said), placement.retention
    assert "no retention stated" not in placement.retention
