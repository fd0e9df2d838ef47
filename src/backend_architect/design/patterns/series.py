"""PAT027: time-series reads (``series``) from rollups per bucket, with a retention per resolution."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.partitioning import expiry_job
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._analytics_plan import column_store_serves
from backend_architect.design.patterns._api import example_of, own_operation, prop, reshaped, string
from backend_architect.design.patterns._common import decision, figure, fmt, owner_of, table_of, writers
from backend_architect.design.patterns._common import horizon as sizing_horizon
from backend_architect.design.patterns.ranking import JOB_SCAN_ROWS_PER_S, JOB_SHARE
from backend_architect.ir.model import ApiSchema, Architecture, CachePlan, Column, Figure, Operation, Partitioning, Table
from backend_architect.ir.runtime import Component, Job
from backend_architect.spec.identifiers import bounded_name
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import resolve_column, snake, split_filter
from backend_architect.spec.units import DAYS_PER_YEAR, SECONDS_PER_DAY

#: Raw points per bucket on average from which a read is served from rollups: below it, grouping the raw rows is as cheap.
POINTS_PER_BUCKET = 10.0
#: Raw rows one read may group before rollups pay off, whatever the ratio.
RAW_MAX_ROWS = 1_000.0
#: The range read when the use case gives no ``over``.
DEFAULT_OVER_S = 86_400.0
#: Rollup rows a day from which its table is partitioned by day, else by month.
DAILY_PARTITION_ROWS = 5_000_000


@dataclass(frozen=True)
class Series:
    """What one series read needs: the key columns that pick a series, how many series exist, and the raw and bucketed rows a read touches."""

    keys: tuple[Column, ...]
    count: float
    time: str
    points_per_s: float
    over: float
    every: float
    raw_rows: float
    buckets: float

    @property
    def rollup(self) -> bool:
        return self.raw_rows > RAW_MAX_ROWS and self.raw_rows > POINTS_PER_BUCKET * self.buckets


def plan_series(spec: Spec, analysis: Analysis, use_case: UseCase, table: Table) -> Series:
    """The series' keys (its equality filters, else the parent), how many series, and the rows one read groups raw or rolled up."""
    series = use_case.spec.series
    assert series is not None
    entity = use_case.entity
    keys: list[Column] = []
    count = 1.0
    for raw in use_case.spec.filter:
        ref, constant = split_filter(raw)
        owner, dot, field = ref.partition(".")
        if not dot:
            owner, field = entity, ref
        column = resolve_column(spec, owner, field) if owner == entity else None
        found = next((c for c in table.columns if c.name == column), None)
        if found is None or constant is not None or found.type in {"timestamptz", "date"}:
            continue
        keys.append(found)
        target = spec.entities[entity].fields[field].type.target if field in spec.entities[entity].fields else None
        target = target or (spec.entities[entity].part_of if found.name.endswith("_id") else None)
        count *= len(found.enum_values) if found.enum_values else analysis.rows(target) if target and target in analysis.entities else 1.0
    if not keys and spec.entities[entity].part_of:
        parent = spec.entities[entity].part_of or ""
        found = next((c for c in table.columns if c.name.endswith("_id") and parent in analysis.entities and c.name == f"{snake(parent)}_id"), None)
        if found is not None:
            keys.append(found)
            count = analysis.rows(parent)
    creators = writers(analysis, entity)
    rate = sum(u.avg_qps for u in creators) or analysis.entities[entity].rows_per_day / SECONDS_PER_DAY
    over = series.over or DEFAULT_OVER_S
    points = rate / max(1.0, count)
    return Series(tuple(keys), max(1.0, count), _time_column(spec, use_case, table), points, over, series.every, points * over, over / series.every)


def _time_column(spec: Spec, use_case: UseCase, table: Table) -> str:
    """The column a series buckets by: a datetime the use case filters or sorts on, else created_at."""
    for raw in [*use_case.spec.sort, *(split_filter(f)[0] for f in use_case.spec.filter)]:
        column = resolve_column(spec, use_case.entity, raw.removeprefix("-").split(".")[-1])
        found = next((c for c in table.columns if c.name == column), None)
        if found is not None and found.type == "timestamptz":
            return found.name
    return "created_at"


def _label(seconds: float) -> str:
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


@pattern(code="PAT027", name="time-series-rollups", stage="access_paths", title="Serve time series from rollups with a retention per resolution")
def time_series(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A read says ``series``: ``field`` aggregated (avg, sum, min, max, count, last) per bucket of
    ``every`` over the last ``over`` (24 h when left out). One series is what the read filters
    by (a device, a device and a metric; else the parent); its points/s are the entity's
    writes divided among the series. When a read would group more than 1,000 raw rows and
    more than 10 a bucket, it reads rollups instead.

    ## What it adds
    A rollup table ``<table>_<every>`` (the series' key, bucket_start, count, sum, min, max,
    last: every aggregate from one row), partitioned by bucket_start; a job every ``every``
    closes the last bucket (past what a job scans in half its interval, a consumer of the
    writes aggregates in memory and flushes a bucket at a time). Raw rows are kept for the
    entity's retention, rollups for the horizon: a retention per resolution. The read answers
    ``{bucket_start, value}`` buckets for a ``from``/``to`` range.

    ## What it costs
    Rollup rows a day = series x 86,400 / every; a read groups over / every rows instead of
    points/s x over raw rows.

    ## Alternatives
    GROUP BY over the raw rows per read; TimescaleDB continuous aggregates (the same rollups,
    kept by an extension); a time-series database (InfluxDB, Prometheus-like stores).

    ## References
    TimescaleDB documentation, continuous aggregates; Facebook, "Gorilla: a fast, scalable,
    in-memory time series database" (VLDB 2015).
    """
    for use_case in analysis.use_cases:
        found = table_of(arch, use_case.entity)
        if use_case.spec.series is None or use_case.is_write or found is None:
            continue
        yield _applied(spec, analysis, arch, use_case, *found)


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, store: str, table: Table) -> Applied:
    wanted = use_case.spec.series
    assert wanted is not None
    plan = plan_series(spec, analysis, use_case, table)
    column = resolve_column(spec, use_case.entity, wanted.field) or wanted.field
    scope = f"use case '{use_case.name}'"
    keys = ", ".join(c.name for c in plan.keys) or "the whole table"
    figures: tuple[Figure, ...] = (
        figure(
            f"series.raw_rows_per_query.{use_case.id}",
            f"raw rows one {use_case.name} would group",
            plan.raw_rows,
            "rows",
            "points_per_s x over_s",
            {"points_per_s": plan.points_per_s, "over_s": plan.over},
            scope,
        ),
        figure(
            f"series.buckets_per_query.{use_case.id}",
            f"buckets one {use_case.name} reads",
            plan.buckets,
            "rows",
            "over_s / every_s",
            {"over_s": plan.over, "every_s": plan.every},
            scope,
        ),
    )
    window = f"{_label(plan.over)} in {_label(plan.every)} buckets"
    found = own_operation(arch, use_case.name, "series", [f.column for f in use_case.filters if f.column])
    operations, schemas = _series_api(found, use_case, column, plan.time) if found else ((), ())
    columnar = column_store_serves(spec, analysis, arch, use_case)
    if columnar is not None:
        made = decision(
            f"series.{use_case.id}",
            f"Time series for {use_case.name}",
            "read paths",
            f"served by the analytics store ({columnar}): {wanted.aggregate}({column}) per {_label(plan.every)} bucket of {plan.time} over "
            f"{_label(plan.over)}, grouped there at read time",
            f"{use_case.name}: {window}; {fmt(plan.points_per_s)} points/s per series",
            f"the {table.name} events live in the analytics store (decision analytics): a read groups {fmt(plan.raw_rows)} rows there, "
            "compressed and column by column, and the database keeps only the raw rows of the last days",
            alternatives=[
                ("rollup tables in PostgreSQL", "the events they would roll up no longer stay in the database"),
                ("GROUP BY over the raw rows in PostgreSQL", f"{fmt(plan.raw_rows)} rows per read from a table the database no longer keeps"),
            ],
            subject=use_case.name,
            inputs={"raw_rows": plan.raw_rows, "buckets": plan.buckets},
            spec=spec,
        )
        return Applied(made, figures=figures, operations=operations, schemas=schemas)
    if not plan.rollup:
        made = decision(
            f"series.{use_case.id}",
            f"Time series for {use_case.name}",
            "read paths",
            f"grouped from the raw rows at read time: {wanted.aggregate}({column}) per {_label(plan.every)} bucket of {plan.time} over {_label(plan.over)}, "
            f"through the index on ({keys}, {plan.time})",
            f"{use_case.name}: {window}; {fmt(plan.points_per_s)} points/s per series",
            f"a read groups {fmt(plan.raw_rows)} raw rows into {fmt(plan.buckets)} buckets: within {fmt(RAW_MAX_ROWS)} rows, or under "
            f"{POINTS_PER_BUCKET:g} points a bucket, rollups would save little",
            alternatives=[("rollup tables", f"a job and a table to keep for {fmt(plan.raw_rows)} rows a read")],
            subject=use_case.name,
            inputs={"raw_rows": plan.raw_rows, "buckets": plan.buckets},
            spec=spec,
        )
        return Applied(made, figures=figures, operations=operations, schemas=schemas)
    horizon_days = sizing_horizon(spec) * DAYS_PER_YEAR
    rollup = _rollup_table(table, plan, column, wanted.aggregate == "last", horizon_days)
    per_day = rollup.rows_per_day
    figures += (
        figure(
            f"series.rollup_rows_per_day.{use_case.id}",
            f"rollup rows a day for {use_case.name}",
            per_day,
            "rows/day",
            "series x 86400 / every_s",
            {"series": plan.count, "every_s": plan.every},
            scope,
        ),
    )
    rows_per_run = plan.points_per_s * plan.count * plan.every * analysis.peak_factor
    streaming = rows_per_run / plan.every > JOB_SCAN_ROWS_PER_S * JOB_SHARE
    service = owner_of(arch, use_case.entity)
    raw_days = table.retention_days or horizon_days
    rollup_days = rollup.retention_days or horizon_days
    jobs: tuple[Job, ...] = ()
    components: tuple[Component, ...] = ()
    if streaming:
        maintained = f"a consumer of the {use_case.entity} writes aggregates each bucket in memory and writes it to {rollup.name} when the bucket closes"
        components = (
            Component(
                name=f"{rollup.name.replace('_', '-')}-aggregator",
                kind="worker",
                technology="a stream consumer (one per partition of the writes)",
                purpose=f"rolls {table.name} up into {rollup.name}",
                services=[service],
                use_cases=[use_case.name],
                decision=f"series.{use_case.id}",
            ),
        )
    else:
        maintained = f"a job every {_label(plan.every)} aggregates the bucket that just closed (with a grace period for late points) into {rollup.name}"
        jobs = (
            Job(
                use_case=f"roll up {use_case.name}",
                service=service,
                schedule=f"every {plan.every:g} seconds",
                interval_s=plan.every,
                reads=[table.name],
                writes=[rollup.name],
                rows_per_run=rows_per_run,
                rows_per_s=rows_per_run / plan.every,
                workers=1,
                queue="the scheduler (one run at a time)",
                retries="a failed run is redone by the next (it recomputes every bucket since the last one written)",
                idempotency="INSERT ... ON CONFLICT (key, bucket_start) DO UPDATE: a rerun rewrites the same rows",
            ),
        )
    choice = (
        f"rollups: {rollup.name} holds count, sum, min{', max and last' if wanted.aggregate == 'last' else ' and max'} of {column} "
        f"per ({keys}, {_label(plan.every)} bucket), partitioned by bucket_start; "
        f"{maintained}; the read takes {fmt(plan.buckets)} rows; raw rows kept {raw_days:,.0f} days, rollups {rollup_days:,.0f} days"
    )
    rationale = (
        f"{fmt(plan.points_per_s)} points/s per series ({fmt(plan.count)} series) make {fmt(plan.raw_rows)} raw rows per read over {_label(plan.over)}, "
        f"{fmt(plan.raw_rows / plan.buckets)} a bucket: rollups cut a read to {fmt(plan.buckets)} rows; {fmt(per_day)} rollup rows a day"
    )
    made = decision(
        f"series.{use_case.id}",
        f"Time series for {use_case.name}",
        "read paths",
        choice,
        f"{use_case.name}: {wanted.aggregate}({column}) over {window}; {fmt(plan.points_per_s * plan.count)} points/s in all",
        rationale,
        alternatives=[
            ("GROUP BY over the raw rows per read", f"{fmt(plan.raw_rows)} rows per read"),
            ("TimescaleDB continuous aggregates", "the same rollups kept by an extension the managed database must offer"),
            ("a time-series database", "another store to run and feed; the rollups fit the database the rows are in"),
        ],
        consequences="Every aggregate is derived from one rollup row (avg = sum / count), so one table serves them all; "
        "a late point within the grace period updates its bucket.",
        subject=use_case.name,
        inputs={"raw_rows": plan.raw_rows, "buckets": plan.buckets, "series": plan.count},
        spec=spec,
    )
    plan_cache = CachePlan(
        use_case=use_case.name,
        strategy="read-model",
        ttl_seconds=None,
        key=rollup.name,
        invalidation=f"a bucket is written when it closes ({_label(plan.every)})",
        rationale=f"served from {rollup.name}: {fmt(plan.buckets)} rows a read instead of {fmt(plan.raw_rows)}",
    )
    return Applied(
        made, figures=figures, tables=((store, rollup),), jobs=jobs, components=components, caches=(plan_cache,), operations=operations, schemas=schemas
    )


def _rollup_table(table: Table, plan: Series, column: str, last: bool, horizon_days: float) -> Table:
    name = bounded_name(f"{table.name}_{_label(plan.every)}")  # made up by the design: bounded with a stable hash
    per_day = plan.count * SECONDS_PER_DAY / plan.every
    interval: Literal["day", "week", "month"] = "day" if per_day >= DAILY_PARTITION_ROWS else "month"
    keys = [k.model_copy(update={"nullable": False, "generated": False, "identity": False, "default": None}) for k in plan.keys]
    measures = [Column(name=n, type="numeric", precision=20, scale=6, avg_bytes=10, nullable=n != "count") for n in ("sum", "min", "max", *(["last"] * last))]
    return Table(
        name=name,
        comment=f"{table.name}.{column} rolled up per {_label(plan.every)} bucket",
        columns=[*keys, Column(name="bucket_start", type="timestamptz", avg_bytes=8), Column(name="count", type="bigint", avg_bytes=8), *measures],
        primary_key=[*(k.name for k in keys), "bucket_start"],
        key_strategy="composite",
        key_reason="one row per series and bucket",
        partitioning=Partitioning(
            column="bucket_start",
            interval=interval,
            reason=f"{per_day:,.0f} rollup rows a day, dropped by age",
            retention_job=expiry_job(name, interval, horizon_days),
            expire_after_days=horizon_days,
        ),
        rows_now=per_day * 30,
        rows_per_day=per_day,
        retention_days=horizon_days,
    )


def _series_api(
    found: tuple[str, Operation, tuple[tuple[str, Operation], ...]], use_case: UseCase, column: str, time: str
) -> tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]:
    service, op, rest = found
    wanted = use_case.spec.series
    assert wanted is not None
    entity = use_case.entity
    bucket = ApiSchema(
        name=f"{entity}Bucket",
        entity=entity,
        properties=[
            prop("bucket_start", "string", "Start of the bucket.", fmt="date-time"),
            prop("value", "number", f"{wanted.aggregate} of {column} in the bucket.", fmt="double", nullable=True),
        ],
    )
    series = ApiSchema(
        name=f"{entity}Series",
        entity=entity,
        properties=[prop("every_s", "integer", "Bucket size in seconds.", fmt="int32"), prop("buckets", "array", "Buckets, oldest first.", items=bucket.name)],
    )
    example = example_of(series, {bucket.name: bucket}) | {"every_s": int(wanted.every)}
    params = [
        string("from", f"Start of the range (default: {_label(wanted.over or DEFAULT_OVER_S)} ago).", fmt="date-time"),
        string("to", "End of the range (default: now).", fmt="date-time"),
    ]
    changed = reshaped(op, series.name, example, params, ("cursor", "offset", "sort", "limit", f"{time}_from", f"{time}_to"))
    return ((service, changed), *rest), ((service, bucket), (service, series))
