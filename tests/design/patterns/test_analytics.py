"""PAT054: aggregate reads over an append-only event table move to a column store when its appends, its size or one read's rows outgrow the database."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.patterns._analytics_plan import EVENTS_PER_DAY, OLTP_KEEP_DAYS
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes
from design.formulas import recompute

#: A product-analytics dashboard: page views of the whole site per minute over a day (no key: every row of the day is grouped).
DASHBOARD = """\
system: web-analytics
scale: {retention_years: 2}
entities:
  Site: {fields: {domain: string(120)}, rows: 1k}
  PageView:
    append_only: true
    fields: {site: ref(Site), path: string(200), duration_ms: int}
    growth: 300M/day
use_cases:
  - {name: record page view, actor: browser, writes: [PageView], rate: 300M/day}
  - {name: chart traffic, actor: analyst, reads: [PageView], series: {field: duration_ms, aggregate: count, every: 1m, over: 24h}, rate: 2/s}
"""

#: IoT telemetry: readings per device charted per 5 minutes; 20k readings/s, kept 90 days.
TELEMETRY = """\
system: telemetry
scale: {retention_years: 3}
entities:
  Device: {fields: {serial: {type: string(40), unique: true}}, rows: 200k}
  Reading:
    append_only: true
    part_of: Device
    fields: {value: decimal(12,4)}
    retention: 90d
use_cases:
  - {name: ingest reading, actor: device, writes: [Reading], rate: 20k/s}
  - {name: chart device, actor: operator, reads: [Reading], filter: [Reading.device], series: {field: value, aggregate: avg, every: 5m, over: 24h}, rate: 10/s}
"""

#: A per-tenant monthly report over a year of invoice events: a small SaaS, on PostgreSQL.
SAAS = """\
system: billing
scale: {retention_years: 5}
entities:
  Tenant: {fields: {name: string(120)}, rows: 2k}
  InvoiceEvent:
    append_only: true
    fields: {tenant: ref(Tenant), amount: money}
    growth: 20k/day
use_cases:
  - {name: record invoice event, actor: system, writes: [InvoiceEvent], rate: 20k/day}
  - name: monthly revenue
    actor: admin
    reads: [InvoiceEvent]
    filter: [InvoiceEvent.tenant]
    series: {field: amount, aggregate: sum, every: 30d, over: 365d}
    rate: 1k/day
"""

#: A whole-system report over 30 days of 5M events a day: few appends, little storage, but one read groups 150M rows.
WIDE_REPORT = """\
system: orders-report
scale: {retention_years: 1}
entities:
  OrderEvent:
    append_only: true
    fields: {kind: enum[placed,paid,shipped], amount: money}
    growth: 5M/day
    retention: 30d
use_cases:
  - {name: record order event, actor: system, writes: [OrderEvent], rate: 5M/day}
  - {name: daily totals, actor: analyst, reads: [OrderEvent], series: {field: amount, aggregate: sum, every: 1d, over: 30d}, rate: 100/day, latency_ms: 3000}
"""

#: Audit events kept three years: 60M a day of wide rows fill the database, though appends and reads stay modest.
AUDIT = """\
system: audit
scale: {retention_years: 3}
entities:
  Account: {fields: {name: string(120)}, rows: 1M}
  AuditEvent:
    append_only: true
    fields: {account: ref(Account), action: string(80), detail: {type: text, avg_bytes: 600}}
    growth: 60M/day
    retention: 1095d
use_cases:
  - {name: record audit event, actor: system, writes: [AuditEvent], rate: 60M/day}
  - name: account activity
    actor: admin
    reads: [AuditEvent]
    filter: [AuditEvent.account]
    series: {field: action, aggregate: count, every: 1d, over: 30d}
    rate: 5/s
"""

#: A mid-sized product: 20M events a day kept a week, read per user: below every threshold.
MID = """\
system: fitness
scale: {retention_years: 5}
entities:
  Athlete: {fields: {name: string(120)}, rows: 5M}
  Workout:
    append_only: true
    fields: {athlete: ref(Athlete), calories: int}
    growth: 20M/day
    retention: 7d
use_cases:
  - {name: log workout, actor: athlete, writes: [Workout], rate: 20M/day}
  - name: weekly calories
    actor: athlete
    reads: [Workout]
    filter: [Workout.athlete]
    series: {field: calories, aggregate: sum, every: 1d, over: 7d}
    rate: 100/s
"""


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))


def _analytics(arch: Architecture) -> str | None:
    return next((d.choice for d in arch.decisions if d.id == "analytics"), None)


@pytest.mark.parametrize(
    ("spec", "table", "trigger", "reads"),
    [
        pytest.param(DASHBOARD, "page_views", "rows a day appended", ["chart traffic"], id="dashboard-by-appends-and-rows-a-read"),
        pytest.param(TELEMETRY, "readings", "rows a day appended", ["chart device"], id="telemetry-by-appends"),
        pytest.param(WIDE_REPORT, "order_events", "groups 150,000,000 rows a read", ["daily totals"], id="wide-report-by-rows-a-read"),
        pytest.param(AUDIT, "audit_events", "of the database", ["account activity"], id="audit-log-by-storage"),
    ],
)
def test_event_tables_past_a_threshold_get_a_column_store_ok(spec: str, table: str, trigger: str, reads: list[str]) -> None:
    """Past any threshold the column store holds the events, answers the aggregate reads (none reaches the database) and is sized in figures that recompute."""
    result = _design(spec)
    arch = result.architecture
    choice = _analytics(arch)
    assert choice is not None
    assert choice.startswith(f"ClickHouse columnar store (OLAP) for {table}")
    record = next(d for d in arch.decisions if d.id == "analytics")
    assert trigger in record.rationale
    store = next(c for c in arch.components if c.name == "analytics-store")
    figures = {f.key: f for f in arch.figures}
    assert store.kind == "warehouse"
    assert store.instances == figures["analytics.nodes"].value
    for key in (
        "analytics.bytes",
        "analytics.ingest_rows_per_s",
        "analytics.shards",
        "analytics.nodes",
        "analytics.removed_reads_per_s",
        f"analytics.bytes.{table}",
    ):
        assert recompute(figures[key]) == pytest.approx(figures[key].value, rel=1e-6), key
    served = {m.use_case: m for m in arch.mechanisms if m.pattern == "PAT054"}
    assert sorted(served) == reads
    assert all(m.database_share == 0 for m in served.values())
    for read in reads:
        series = next(d for d in arch.decisions if d.subject == read and d.id.startswith("series."))
        assert series.choice.startswith("served by the analytics store (ClickHouse)")
        failing = next(i for i in arch.availability.impacts if read in i.use_cases and i.dependency == "analytics-store") if arch.availability else None
        assert failing is not None
        assert failing.effect == "fail"
        assert not any(i.dependency == "database primary" and read in i.use_cases for i in arch.availability.impacts)
    assert any(s.name == "analytics store" and s.now for s in arch.stages)
    assert any(e.consumers and "analytics-loader" in e.consumers for e in arch.events)
    assert not [f for f in result.findings if f.severity.name in {"ERROR", "WARNING"}], result.findings


@pytest.mark.parametrize(
    ("spec", "table"),
    [
        pytest.param(SAAS, "invoice_events", id="saas-monthly-report"),
        pytest.param(MID, "workouts", id="mid-sized-per-user-series"),
    ],
)
def test_event_tables_below_every_threshold_stay_on_postgresql_ok(spec: str, table: str) -> None:
    """Below every threshold no column store is built: the note states the numbers against the thresholds, and growth says when one would be."""
    arch = _design(spec).architecture
    assert _analytics(arch) is None
    assert not [c for c in arch.components if c.kind == "warehouse"]
    note = next(n for n in arch.pattern_notes if n.pattern == "PAT054" and n.subject == table)
    assert f"a column store from {EVENTS_PER_DAY:,.0f}" in note.reason
    assert "stay on PostgreSQL" in note.reason
    later = next(s for s in arch.stages if s.name == "analytics store")
    assert not later.now
    assert "100,000,000" in later.trigger


def test_the_database_keeps_a_week_of_events_nobody_looks_up_ok() -> None:
    """Events only aggregates read leave the database after a week (dropped by day partition); history tiering leaves them to this decision."""
    arch = _design(TELEMETRY).architecture
    readings = next(t for s in arch.datastores for t in s.tables if t.name == "readings")
    assert readings.retention_days == OLTP_KEEP_DAYS
    assert readings.partitioning is not None
    assert "older than 7 days" in (readings.partitioning.retention_job or "")
    assert not any(d.id == "storage.readings" for d in arch.decisions)
    assert {p.data: p.component for p in arch.placements if p.decision == "analytics"} == {"readings": "postgresql", "readings events": "analytics-store"}


def test_rows_requests_look_up_stay_in_the_database_ok() -> None:
    """A table requests also look up keeps its rows in the database (history decides how); the column store answers only the aggregates."""
    spec = TELEMETRY + "  - {name: list readings, actor: operator, reads: [Reading], filter: [Reading.device], sort: [-created_at], page: cursor, rate: 5/s}\n"
    arch = _design(spec).architecture
    readings = next(t for s in arch.datastores for t in s.tables if t.name == "readings")
    assert readings.retention_days == 90
    assert "keeps the readings rows that list readings look up" in (_analytics(arch) or "")
    assert [m.use_case for m in arch.mechanisms if m.pattern == "PAT054"] == ["chart device"]


def _steered(spec: str, entry: str) -> DesignResult:
    return _design(spec + f"decisions:\n  analytics: {entry}\n")


def test_forbidding_the_column_store_the_numbers_call_for_warns_err() -> None:
    """Forbidden where the numbers call for it: nothing is built, the reads stay on PostgreSQL, and the critic warns with the numbers."""
    result = _steered(TELEMETRY, "{forbid: true, reason: one database for the pilot}")
    arch = result.architecture
    assert not [c for c in arch.components if c.kind == "warehouse"]
    assert not [m for m in arch.mechanisms if m.pattern == "PAT054"]
    record = next(d for d in arch.decisions if d.id == "analytics")
    assert record.choice.startswith("not applied")
    assert record.author_reason == "one database for the pilot"
    assert not next(d for d in arch.decisions if d.id.startswith("series.")).choice.startswith("served by the analytics store")
    warning = next(f for f in result.findings if f.code == "DES007" and f.where == "decision analytics")
    assert "ClickHouse columnar store" in warning.message
    assert "events_per_s" in warning.message


def test_forcing_the_column_store_below_its_thresholds_warns_err() -> None:
    """Forced where the numbers say no: the column store is built on the author's record, and the critic shows the numbers."""
    result = _steered(SAAS, "{force: true, reason: the BI team queries it}")
    arch = result.architecture
    assert (_analytics(arch) or "").startswith("ClickHouse columnar store (OLAP) for invoice_events")
    assert any(c.name == "analytics-store" for c in arch.components)
    assert any(f.code == "DES007" and "Analytics store" in f.message for f in result.findings)


@pytest.mark.parametrize(
    ("spec", "choose", "technology", "warned"),
    [
        pytest.param(TELEMETRY, "Apache Druid", "Apache Druid", True, id="druid-instead-of-clickhouse"),
        pytest.param(TELEMETRY, "BigQuery", "BigQuery", True, id="bigquery-instead-of-clickhouse"),
        pytest.param(TELEMETRY, "ClickHouse", "ClickHouse", False, id="clickhouse-as-the-numbers-chose"),
        pytest.param(TELEMETRY, "rollups", None, True, id="postgresql-rollups-against-the-numbers"),
        pytest.param(SAAS, "Apache Pinot", "Apache Pinot", True, id="pinot-where-postgresql-suffices"),
    ],
)
def test_choosing_an_alternative_builds_it_ok(spec: str, choose: str, technology: str | None, warned: bool) -> None:
    """Each alternative the decision lists builds as chosen, on the author's record; the critic warns only where the numbers chose otherwise."""
    result = _steered(spec, f"{{choose: {choose}, reason: the team runs it}}")
    arch = result.architecture
    record = next(d for d in arch.decisions if d.id == "analytics")
    assert record.author_reason == "the team runs it"
    built = [c.technology for c in arch.components if c.name == "analytics-store"]
    assert built == ([technology] if technology else [])
    assert any(f.code == "DES007" and f.where == "decision analytics" for f in result.findings) == warned
    managed = technology in {"BigQuery", "Snowflake"}
    assert ("managed and serverless" in record.choice) == managed
    assert any(f.key == "analytics.nodes" for f in arch.figures) == (technology is not None and not managed)
