"""The numbers behind the analytics store (PAT054): which append-only event tables its aggregate reads outgrow, and why.

Private to ``analytics`` and to ``series``, which asks (before the storage stage runs) whether a
time-series read is served by the column store instead of rollups in the database; both read
the same plan, so the series record and the analytics record never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.capacity import rows_after
from backend_architect.design.overrides import Steer, override_for, steer
from backend_architect.design.patterns._common import avoided, fmt, size, table_of, writers
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, NO_READERS, Readers, horizon, is_log, per_row_bytes, reader_index, window_bytes
from backend_architect.ir.model import Architecture, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.units import DAYS_PER_YEAR, SECONDS_PER_DAY

CODE, NAME = "PAT054", "analytics-store"
#: The decision's id, steerable as ``decisions: {analytics: {choose | force | forbid, reason}}``.
DECISION = "analytics"

#: Rows one PostgreSQL query groups per second: a parallel scan of narrow rows already in memory
#: (about 1M rows/s per worker, two workers). A read grouping more than this times its latency budget cannot answer in time.
OLTP_SCAN_ROWS_PER_S = 2_000_000.0
#: The latency budget of an aggregate read that states no ``latency_ms`` (a dashboard or report).
REPORT_BUDGET_MS = 2_000.0
#: Appended rows a day from which an event table belongs in a column store: 100M rows a day are 36.5B rows a year, and
#: one day of them is 25x what a primary groups within a report's 2 s budget (100M / (2M rows/s x 2 s)).
EVENTS_PER_DAY = 100_000_000.0
#: Share of the database the raw events may fill, past the hot store (2 TB), before their storage is its dominant cost.
DOMINANT_SHARE = 0.5
#: Raw rows PostgreSQL keeps once the column store holds the events: a week, to replay a failed load from them.
OLTP_KEEP_DAYS = 7.0
#: The writes of an updated table whose changes flow as events besides its inserts.
CHANGES = frozenset({"update", "action"})


@dataclass(frozen=True)
class EventTable:
    """One append-only table read by aggregates: its size, the rows each aggregate read groups, and which thresholds it passes."""

    entity: str
    store: str
    table: Table
    reads: tuple[UseCase, ...]
    #: Raw rows each aggregate read groups, by use case name.
    rows_per_read: dict[str, float]
    #: Rows a primary groups within each read's latency budget, by use case name.
    budget_rows: dict[str, float]
    peak_rows_per_s: float
    #: Days of raw rows the database would keep: the stated retention, else the longest window its reads aggregate, else a week.
    keep_days: float
    raw_bytes: float
    database_bytes: float
    triggers: tuple[str, ...]
    #: Requests that look the rows up (not aggregates): the database keeps the rows they read.
    lookups: tuple[str, ...] = ()
    #: Rows are updated (a view's playback offset): the column store holds every change as an event, the database its current rows.
    updated: bool = False
    #: Change events a day the column store takes: the rows appended, plus the updates of an updated table.
    events_per_day: float = 0.0

    @property
    def share(self) -> float:
        return self.raw_bytes / self.database_bytes if self.database_bytes else 0.0

    @property
    def widest(self) -> UseCase:
        """The aggregate read grouping the most rows against its budget."""
        return max(self.reads, key=lambda u: (self.rows_per_read[u.name] / self.budget_rows[u.name], u.name))

    def said(self) -> str:
        """The numbers, against their thresholds."""
        changes = f", {fmt(self.events_per_day)} change events a day with its updates" if self.updated else ""
        grouped = ""
        if self.reads:
            read = self.widest
            grouped = (
                f"; {read.name} groups {fmt(self.rows_per_read[read.name])} rows a read "
                f"where a primary groups {fmt(self.budget_rows[read.name])} in its {fmt(_budget_ms(read))} ms ({fmt(OLTP_SCAN_ROWS_PER_S)} rows/s)"
            )
        return (
            f"{self.table.name}: {fmt(self.table.rows_per_day)} rows a day appended{changes} (a column store from {fmt(EVENTS_PER_DAY)}); "
            f"raw rows kept {self.keep_days:,.0f} days are {size(self.raw_bytes)}, {self.share:.0%} of the database "
            f"(dominant past {size(HOT_STORE_BYTES)} and {DOMINANT_SHARE:.0%}){grouped}"
        )


def _budget_ms(use_case: UseCase) -> float:
    return float(use_case.spec.latency_ms or REPORT_BUDGET_MS)


def _aggregates(who: Readers, entity: str) -> tuple[UseCase, ...]:
    """The reads that group an entity's rows per period (time series): the reads a column store answers."""
    return tuple(u for u in who.scans if u.spec.series is not None and not u.is_job and u.entity == entity)


def plan_events(spec: Spec, analysis: Analysis, arch: Architecture) -> list[EventTable]:
    """Every append-only table some aggregate read groups, with its numbers and the thresholds it passes (in entity order)."""
    from backend_architect.design.patterns.series import plan_series

    years = horizon(spec)
    growth = spec.scale.growth_per_year or 0.0
    found: list[EventTable] = []
    index = reader_index(analysis)
    for entity, facts in analysis.entities.items():
        who = index.get(entity, NO_READERS)
        reads = _aggregates(who, entity)
        recorded = spec.entities[entity].analytics
        located = table_of(arch, entity)
        if located is None or not (reads or recorded) or located[1].rows_per_day <= 0:
            continue
        store, table = located
        updated = not is_log(table, facts.mutability)
        if updated and not recorded and table.rows_per_day < EVENTS_PER_DAY:
            # an updated table's rows are its current state: only a stated purpose or a high rate makes its changes events to analyse
            continue
        changers = writers(analysis, entity, CHANGES) if updated else []
        events_per_day = table.rows_per_day + sum(u.avg_qps for u in changers) * SECONDS_PER_DAY
        rows = {u.name: plan_series(spec, analysis, u, table).raw_rows for u in reads}
        budget = {u.name: OLTP_SCAN_ROWS_PER_S * _budget_ms(u) / 1000 for u in reads}
        stated = spec.entities[entity].retention
        windows = [u.spec.series.over / SECONDS_PER_DAY for u in reads if u.spec.series is not None and u.spec.series.over]
        keep = stated / SECONDS_PER_DAY if stated else max(windows) if windows else OLTP_KEEP_DAYS
        keep = min(keep, years * DAYS_PER_YEAR)
        raw = window_bytes(table, keep)
        others = sum(
            rows_after(t, years, growth)[0] * per_row_bytes(t)
            for s in arch.datastores
            if s.name == store
            for t in s.tables
            if t.name != table.name and t.entity in analysis.entities
        )
        peak = sum(u.peak_qps for u in writers(analysis, entity)) or table.rows_per_day / SECONDS_PER_DAY * analysis.peak_factor
        peak += sum(u.peak_qps for u in changers)
        triggers: list[str] = []
        if recorded:
            triggers.append(f"{entity} is recorded for metrics and analytics (entities.{entity}.analytics)")
        if table.rows_per_day >= EVENTS_PER_DAY:
            triggers.append(f"{fmt(table.rows_per_day)} rows a day appended (from {fmt(EVENTS_PER_DAY)})")
        if raw >= HOT_STORE_BYTES and raw / (raw + others) >= DOMINANT_SHARE:
            triggers.append(f"raw rows kept {keep:,.0f} days are {size(raw)}, {raw / (raw + others):.0%} of the database")
        for use_case in reads:
            if rows[use_case.name] > budget[use_case.name]:
                triggers.append(
                    f"{use_case.name} groups {fmt(rows[use_case.name])} rows a read, past the {fmt(budget[use_case.name])} a primary groups in "
                    f"{fmt(_budget_ms(use_case))} ms"
                )
        lookups = tuple(u.name for u in who.lookups)
        found.append(EventTable(entity, store, table, reads, rows, budget, peak, keep, raw, raw + others, tuple(triggers), lookups, updated, events_per_day))
    return found


#: The column stores the decision can choose, by key, with the names an author may choose each by.
TECHNOLOGIES = {
    "clickhouse": "ClickHouse",
    "druid": "Apache Druid",
    "pinot": "Apache Pinot",
    "bigquery": "BigQuery",
    "snowflake": "Snowflake",
}
ROLLUPS = "stay on PostgreSQL with a per-period rollup table"
VARIANTS: dict[str, list[str]] = {
    **{key: [name] for key, name in TECHNOLOGIES.items()},
    "postgresql": [ROLLUPS, "PostgreSQL", "rollup table", "rollups"],
}
#: Words by which an author asks for the default column store without naming it.
GENERIC = ("column store", "columnar", "olap", "analytics store", "warehouse")


@dataclass(frozen=True)
class Plan:
    """What the analytics decision builds: the tables it takes (empty for none), the technology, and how it was steered."""

    events: list[EventTable]
    taken: list[EventTable]
    technology: str
    steered: Steer
    forced: bool


def default_technology(spec: Spec) -> str:
    """The column store the numbers choose: ClickHouse, else the first the spec does not avoid."""
    return next((name for name in TECHNOLOGIES.values() if not avoided(spec, name)), "ClickHouse")


def plan(spec: Spec, analysis: Analysis, arch: Architecture) -> Plan:
    """The event tables, the ones the column store takes (by the numbers, or as the author steered) and its technology."""
    events = plan_events(spec, analysis, arch)
    triggered = [e for e in events if e.triggers]
    default = next(k for k, v in TECHNOLOGIES.items() if v == default_technology(spec))
    by_numbers = default if triggered else "postgresql"
    override = override_for(spec, DECISION, (CODE, NAME))
    variants = {key: names + (list(GENERIC) if key == default else []) for key, names in VARIANTS.items()}
    steered = steer(spec, DECISION, by_numbers, variants, (CODE, NAME))
    forced = override is not None and override.force and not triggered
    build = default if forced else steered.build
    if override is not None and override.forbid:
        build = "postgresql"
    taken = [] if build == "postgresql" else triggered or events
    return Plan(events, taken, TECHNOLOGIES.get(build, TECHNOLOGIES[default]), steered, forced)


def column_store_serves(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase) -> str | None:
    """The column store answering an aggregate read (by the numbers or the author), None when the database does."""
    found = plan(spec, analysis, arch)
    return found.technology if any(use_case.name in e.rows_per_read for e in found.taken) else None
