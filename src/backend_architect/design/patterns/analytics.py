"""PAT054: aggregate reads over an append-only event table that outgrows the database, served by a column store fed from its change events."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.indexes import without_reader_indexes
from backend_architect.design.kept_rows import with_retention
from backend_architect.design.overrides import forced, honoured, override_for, overruled
from backend_architect.design.partition_rule import PARTITION_COLUMN, unique_key_across_partitions
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._analytics_plan import (
    CODE,
    DECISION,
    DOMINANT_SHARE,
    EVENTS_PER_DAY,
    NAME,
    OLTP_KEEP_DAYS,
    OLTP_SCAN_ROWS_PER_S,
    REPORT_BUDGET_MS,
    ROLLUPS,
    TECHNOLOGIES,
    EventTable,
    Plan,
    default_technology,
    plan,
)
from backend_architect.design.patterns._common import decision, figure, fmt, owner_of, size
from backend_architect.design.patterns._feeds import change_feeds
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, horizon, storage_figures
from backend_architect.design.patterns.growth import when_load
from backend_architect.design.patterns.history import COLUMNAR_COMPRESSION
from backend_architect.design.relay import RELAY_INPUT, RELAY_S
from backend_architect.ir.model import Architecture, Decision, Figure, Partitioning, Table
from backend_architect.ir.runtime import Component, GrowthStage, Mechanism, Placement
from backend_architect.spec.model import Spec
from backend_architect.spec.units import DAYS_PER_YEAR

#: Seconds the loader batches events before one insert: column stores want few large inserts (ClickHouse: >= 1,000 rows, about one a second per table).
INSERT_BATCH_S = 5.0
#: Rows/s one column-store node ingests in batched inserts (ClickHouse sustains hundreds of thousands of narrow rows/s a node; we plan at 200k).
NODE_INGEST_ROWS_PER_S = 200_000.0
#: Compressed data one node holds on its disks.
NODE_BYTES = 10e12
#: Copies of each shard (ReplicatedMergeTree): a node lost keeps every shard readable.
REPLICAS = 2
#: Events/s one loader instance reads from the broker and batches.
LOADER_ROWS_PER_S = 50_000.0
STORE, LOADER = "analytics-store", "analytics-loader"
#: How the loader's writes absorb a redelivered event, per column store: its batches land there, in no transaction with
#: the database, so it keeps no processed-events row (``Component.redelivery``) and writes each row under its id instead.
REDELIVERY = {
    "ClickHouse": "each row is inserted under its id, the sorting key of a ReplicatedReplacingMergeTree: a redelivered event's copy "
    "merges away (aggregate reads over unmerged parts use FINAL)",
    "Apache Pinot": "each row is upserted by its id (the table's primary key): a redelivered event replaces its own row",
    "Apache Druid": "each batch is ingested with its events' ids and rolled up by id before the aggregates: a redelivered event adds no count",
    "BigQuery": "each batch is merged by row id (MERGE): a redelivered event matches its own row",
    "Snowflake": "each batch is merged by row id (MERGE): a redelivered event matches its own row",
}
#: Column stores offered only as a managed service, sized by their provider.
SERVERLESS = frozenset({"BigQuery", "Snowflake"})


@pattern(code="PAT054", name="analytics-store", stage="storage", title="Serve aggregate reads over large event tables from a column store")
def analytics_store(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A table recorded for metrics and analytics (``entities.X.analytics: true``: always), or an
    append-only table (events, views, readings) that time-series reads (``series``) group per
    period, or an updated table they group that takes at least ``EVENTS_PER_DAY`` rows a day (a
    view whose playback offset is updated): its inserts and updates flow as events and the
    database keeps the current rows. A table read by aggregates takes the column store when
    any of these holds: it appends at least ``EVENTS_PER_DAY`` rows a day (100M); its raw rows
    kept (the stated retention, else the widest window its reads group, else a week) pass the
    hot store (2 TB) and fill at least half of the database; or one read groups more raw rows than a primary groups within the read's latency budget
    (2M rows/s x ``latency_ms``, 2 s when not stated). Below all three the reads stay on
    PostgreSQL (grouped at read time, or from per-period rollups: PAT027).

    ## What it adds
    A column store (ClickHouse by default) holding the events, fed from their change events
    by a loader that batches inserts; the aggregate reads query it instead of the database;
    PostgreSQL keeps the raw rows a week (to replay a failed load), dropped by day partition,
    unless requests look them up or update them (then it keeps them, and the column store holds
    every insert and update as an event).

    ## What it costs
    Bytes = rows a day x days kept x row bytes / 5 (columnar compression, an assumption);
    shards = max(1, ceil(bytes / 10 TB), ceil(events/s at peak / 200k)); nodes = shards x 2
    replicas; the reads trail the writes by the relay's poll plus one insert batch (6 s).

    ## Alternatives
    BigQuery or Snowflake (managed, billed per scan), Apache Druid or Apache Pinot (real-time
    OLAP with more roles to run), and staying on PostgreSQL with a per-period rollup table.

    ## References
    ClickHouse documentation, "MergeTree" and "Bulk inserts"; M. Kleppmann, Designing
    Data-Intensive Applications, ch. 3 (column-oriented storage) and ch. 11 (derived data).
    """
    found = plan(spec, analysis, arch)
    if not found.events:
        return
    for event in found.events:
        if not event.triggers:
            yield Skipped(event.table.name, f"an analytics store: {event.said()}; the aggregate reads stay on PostgreSQL")
    override = override_for(spec, DECISION, (CODE, NAME))
    triggered = [e for e in found.events if e.triggers]
    numbers = _numbers_record(spec, analysis, arch, found)
    if not found.taken:
        yield from _later(spec, found)
        if override is not None and override.forbid and triggered:
            # patterns.apply records it as forbidden, with the numbers that called for it
            yield _column_store(spec, analysis, arch, triggered, default_technology(spec))
        elif found.steered.override is not None and found.steered.overruled:
            yield Applied(overruled(numbers, found.steered.override, ROLLUPS))
        elif override is not None and override.choose is not None:
            yield Applied(honoured(numbers, override))
        return
    built = _column_store(spec, analysis, arch, found.taken, found.technology)
    assert built.decision is not None
    record = built.decision
    if found.forced and override is not None:
        record = forced(record, override, numbers.choice, numbers.rationale)
    elif found.steered.override is not None and found.steered.overruled:
        record = overruled(numbers, found.steered.override, record.choice).model_copy(
            update={"title": record.title, "consequences": record.consequences, "choices": record.choices}
        )
    yield dataclasses.replace(built, decision=record)


def _numbers_record(spec: Spec, analysis: Analysis, arch: Architecture, found: Plan) -> Decision:
    """What the numbers chose, as a record: the column store over the triggered tables, else PostgreSQL."""
    triggered = [e for e in found.events if e.triggers]
    if triggered:
        made = _column_store(spec, analysis, arch, triggered, default_technology(spec)).decision
        assert made is not None
        return made
    said = "; ".join(e.said() for e in found.events)
    return decision(
        DECISION,
        "Analytics store for aggregate reads",
        "data",
        "aggregate reads stay on PostgreSQL, grouped at read time or from per-period rollups",
        said,
        "below every threshold of a column store",
        subject=DECISION,
        spec=spec,
    )


def _later(spec: Spec, found: Plan) -> Iterator[Outcome]:
    """A later growth stage for the largest event table: when its appends reach the column store's threshold."""
    largest = max(found.events, key=lambda e: (e.table.rows_per_day, e.table.name))
    growth = spec.scale.growth_per_year or 0.0
    yield Applied(
        None,
        stages=(
            GrowthStage(
                order=6,
                name="analytics store",
                now=False,
                figure=f"rows.1y.{largest.table.name}",
                trigger=f"{largest.table.name} appends {fmt(largest.table.rows_per_day)} rows a day; a column store from {fmt(EVENTS_PER_DAY)} "
                f"(or {size(HOT_STORE_BYTES)} of raw rows): {when_load(largest.table.rows_per_day, EVENTS_PER_DAY, growth)}",
                adds=[f"a column store (ClickHouse) fed from the change events of {', '.join(e.table.name for e in found.events)}"],
            ),
        ),
    )


def _column_store(spec: Spec, analysis: Analysis, arch: Architecture, taken: list[EventTable], technology: str) -> Applied:
    """The column store over ``taken``: sized, fed, serving their aggregate reads, with the database keeping a week of raw rows."""
    years = horizon(spec)
    names = ", ".join(e.table.name for e in taken)
    kept = {e.table.name: (e.keep_days if spec.entities[e.entity].retention else years * DAYS_PER_YEAR) for e in taken}
    rows = {e.table.name: _events_per_day(e) * kept[e.table.name] for e in taken}
    stored = {e.table.name: rows[e.table.name] * _row_bytes(e) / COLUMNAR_COMPRESSION for e in taken}
    total = sum(stored.values())
    ingest = sum(e.peak_rows_per_s for e in taken)
    shards = max(1, math.ceil(total / NODE_BYTES), math.ceil(ingest / NODE_INGEST_ROWS_PER_S))
    nodes = shards * REPLICAS
    # a managed warehouse sizes itself: no shards or nodes to run, and loads arrive in its own batches
    serverless = technology in SERVERLESS
    lag = RELAY_S + INSERT_BATCH_S
    reads = [u for e in taken for u in e.reads]
    removed = {u.name: u.peak_qps for u in reads}
    scanned = {u.name: e.rows_per_read[u.name] * u.peak_qps for e in taken for u in e.reads}
    loaders = max(2, math.ceil(ingest / LOADER_ROWS_PER_S))
    figures: list[Figure] = []
    for e in taken:
        name = e.table.name
        figures += [
            figure(
                f"analytics.rows.{name}",
                f"{name} rows in the analytics store",
                rows[name],
                "rows",
                "events_per_day x days_kept" if e.updated else "rows_per_day x days_kept",
                {"events_per_day" if e.updated else "rows_per_day": _events_per_day(e), "days_kept": kept[name]},
                STORE,
            ),
            figure(
                f"analytics.bytes.{name}",
                f"{name} in the analytics store, compressed",
                stored[name],
                "bytes",
                "rows x row_bytes / columnar_compression",
                {"rows": rows[name], "row_bytes": _row_bytes(e), "columnar_compression": COLUMNAR_COMPRESSION},
                STORE,
            ),
        ]
    figures += [
        figure("analytics.bytes", "size of the analytics store", total, "bytes", "sum of its tables' compressed sizes", dict(stored), STORE),
        figure(
            "analytics.ingest_rows_per_s",
            "events/s the analytics store ingests at peak",
            ingest,
            "rows/s",
            "sum of the peak appends of its tables",
            {e.table.name: e.peak_rows_per_s for e in taken},
            STORE,
        ),
        figure(
            "analytics.shards",
            "shards of the analytics store",
            shards,
            "shards",
            "max(1, ceil(bytes / node_bytes), ceil(ingest_rows_per_s / node_ingest_rows_per_s))",
            {"bytes": total, "node_bytes": NODE_BYTES, "ingest_rows_per_s": ingest, "node_ingest_rows_per_s": NODE_INGEST_ROWS_PER_S},
            STORE,
        ),
        figure("analytics.nodes", "nodes of the analytics store", nodes, "nodes", "shards x replicas", {"shards": shards, "replicas": REPLICAS}, STORE),
    ]
    figures = [f for f in figures if not (serverless and f.key in {"analytics.shards", "analytics.nodes"})]
    figures += [
        figure(
            "analytics.lag_seconds",
            "time from a write to the analytics store",
            lag,
            "s",
            "relay_s + batch_s",
            {RELAY_INPUT: RELAY_S, "batch_s": INSERT_BATCH_S},
            STORE,
        ),
        figure(
            "analytics.removed_reads_per_s",
            "aggregate reads/s moved off the database",
            sum(removed.values()),
            "req/s",
            "sum of their peak rates",
            removed,
            STORE,
        ),
        figure(
            "analytics.removed_rows_per_s",
            "raw rows/s the database no longer groups",
            sum(scanned.values()),
            "rows/s",
            "sum of rows per read x peak rate",
            scanned,
            STORE,
        ),
    ]
    why = "; ".join(t for e in taken for t in e.triggers) or "the spec author asked for it"
    retention = "; ".join(
        f"{e.table.name} {kept[e.table.name]:,.0f} days" + (" (stated)" if spec.entities[e.entity].retention else f" (the {years:g}-year horizon)")
        for e in taken
    )
    keep = {e.table.name: min(OLTP_KEEP_DAYS, e.keep_days) for e in taken if not e.lookups and not e.updated}
    kept_said = "; ".join(
        [
            *(f"PostgreSQL keeps the raw {n} rows {d:g} days, to replay a failed load" for n, d in keep.items()),
            *(f"PostgreSQL keeps the {e.table.name} rows that {', '.join(e.lookups)} look up" for e in taken if e.lookups and not e.updated),
            *(
                f"PostgreSQL keeps the current {e.table.name} rows (they are updated); {STORE} holds each insert and update as an event "
                f"({fmt(e.table.rows_per_day)} rows + {fmt(e.events_per_day - e.table.rows_per_day)} updates a day)"
                for e in taken
                if e.updated
            ),
        ]
    )
    sizing = "managed and serverless: the provider sizes it" if serverless else f"{shards} shard(s) x {REPLICAS} replicas = {nodes} nodes"
    choice = (
        f"{technology} columnar store (OLAP) for {names}: fed from their change events by {LOADER} (batched inserts every {INSERT_BATCH_S:g} s, "
        f"about {fmt(lag)} s behind the writes), {fmt(ingest)} events/s at peak; {size(total)} compressed ({COLUMNAR_COMPRESSION:g}x, assumed), "
        f"kept {retention}; {sizing}; "
        + (
            f"serves {', '.join(removed)} ({fmt(sum(removed.values()))} reads/s, {fmt(sum(scanned.values()))} rows/s moved off the database); "
            if removed
            else "no aggregate read goes through the API: analysts and dashboards query the store directly; "
        )
        + kept_said
    )
    rationale = (
        f"{why}: grouping events per period is a scan of a few columns, which a column store reads compressed and in parallel "
        f"(thresholds: {fmt(EVENTS_PER_DAY)} rows a day; {size(HOT_STORE_BYTES)} and {DOMINANT_SHARE:.0%} of the database; "
        f"{fmt(OLTP_SCAN_ROWS_PER_S)} rows/s x the read's latency budget, {fmt(REPORT_BUDGET_MS)} ms when not stated)"
    )
    widest = max(taken, key=lambda e: e.table.rows_per_day)
    made = decision(
        DECISION,
        "Analytics store for aggregate reads",
        "data",
        choice,
        "; ".join(e.said() for e in taken),
        rationale,
        alternatives=[
            *(
                (name, why_not)
                for name, why_not in (
                    ("ClickHouse", "a columnar engine, self-run or as ClickHouse Cloud"),
                    (
                        "Apache Druid",
                        "real-time OLAP ingesting from the broker with sub-second queries, but more roles to run (brokers, historicals, ingestion)",
                    ),
                    ("Apache Pinot", "like Druid: upserts and star-tree indexes, more roles to run than the reads need"),
                    (
                        "BigQuery",
                        "managed and serverless, but billed per bytes scanned (every dashboard refresh scans) and minutes fresher at best with batch loads",
                    ),
                    ("Snowflake", "managed, but a warehouse billed while it runs; freshness from its ingestion (Snowpipe) in minutes"),
                )
                if name != technology
            ),
            (
                ROLLUPS,
                f"{fmt(widest.table.rows_per_day)} rows a day still appended to and kept in the primary; "
                "the rollups answer only the groupings decided in advance",
            ),
        ],
        consequences=f"Aggregate reads trail the writes by about {fmt(lag)} s; a lost node is served by its replica, and a lost store is "
        "reloaded from the broker's retained events and the database's rows. The database no longer groups these events.",
        subject=DECISION,
        inputs={
            "rows_per_day": sum(e.table.rows_per_day for e in taken),
            "events_per_s": ingest,
            "raw_bytes": sum(e.raw_bytes for e in taken),
            "bytes": total,
            **({} if serverless else {"nodes": float(nodes)}),
        },
        spec=spec,
    )
    made = made.model_copy(update={"choices": [*TECHNOLOGIES.values(), ROLLUPS]})
    services = sorted({owner_of(arch, e.entity) for e in taken})
    components = (
        Component(
            name=STORE,
            kind="warehouse",
            technology=technology,
            purpose=f"column store of {names}, answering their aggregate reads",
            services=services,
            use_cases=list(removed),
            instances=None if serverless else nodes,
            decision=DECISION,
        ),
        Component(
            name=LOADER,
            kind="worker",
            technology="a consumer of the change events, inserting in batches",
            redelivery=REDELIVERY.get(technology, REDELIVERY["ClickHouse"]),
            purpose=f"loads each {'change of a' if any(e.updated for e in taken) else 'appended'} {names} row into the {STORE}",
            services=services,
            instances=loaders,
            decision=DECISION,
        ),
    )
    tables: list[tuple[str, Table]] = []
    placements: list[Placement] = []
    for e in taken:
        # the column store answers these reads: the database's indexes for them go (what other paths use stays)
        unread = without_reader_indexes(e.table, [u.name for u in e.reads])
        if e.table.name not in keep:
            placements.append(_columnar(e, technology, why, kept[e.table.name]))
            if unread != e.table:
                tables.append((e.store, unread))
            continue
        days = keep[e.table.name]
        whole = unique_key_across_partitions(e.table) if e.table.partitioning is None else []
        job = f"drop day partitions older than {days:g} days (pg_partman retention, run daily)" if not whole else None
        partitioning = e.table.partitioning or (
            Partitioning(column=PARTITION_COLUMN, interval="day", reason=f"raw rows kept {days:g} days once {STORE} holds them", retention_job=job)
            if job
            else None
        )
        if partitioning is not None and partitioning.retention_job is None:
            partitioning = partitioning.model_copy(update={"retention_job": f"drop {partitioning.interval} partitions older than {days:g} days"})
        tables.append((e.store, with_retention(unread, days).model_copy(update={"partitioning": partitioning})))
        placements += [
            Placement(
                data=e.table.name,
                data_class="event-log",
                store=f"postgresql ({days:g} days, {'partitioned by day' if partitioning else 'a daily delete'})",
                reason=f"{STORE} holds the events; the database keeps {days:g} days to replay a failed load",
                retention=partitioning.retention_job or "" if partitioning else f"a daily job deletes rows older than {days:g} days",
                component="postgresql",
                decision=DECISION,
            ),
            _columnar(e, technology, why, kept[e.table.name]),
        ]
    mechanisms = tuple(
        Mechanism(
            use_case=u.name,
            pattern="PAT054",
            decision=DECISION,
            serves="read",
            store=STORE,
            entities=[e.entity],
            how=f"a GROUP BY over the {e.table.name} columns in {technology}",
            database_share=0.0,
            lag_seconds=lag,
            lag_figure="analytics.lag_seconds",
        )
        for e in taken
        for u in e.reads
    )
    stage = GrowthStage(
        order=6,
        name="analytics store",
        now=True,
        figure="analytics.ingest_rows_per_s",
        trigger=why,
        adds=[f"{technology}: {sizing.split(' = ')[-1]} for {size(total)} compressed, {fmt(ingest)} events/s", f"{LOADER}: {loaders} instance(s)"],
    )
    changed = [t for _, t in tables]
    return Applied(
        made,
        components=components,
        figures=(*figures, *storage_figures(spec, arch, changed, analysis)),
        tables=tuple(tables),
        placements=tuple(placements),
        events=change_feeds(arch, analysis, [e.entity for e in taken], LOADER),
        mechanisms=mechanisms,
        stages=(stage,),
        assumptions=(f"analytics store: columnar compression {COLUMNAR_COMPRESSION:g}x for {names} (ClickHouse reports 5-10x on event data)",),
    )


def _columnar(event: EventTable, technology: str, why: str, days: float) -> Placement:
    """Where the events live in the column store, and for how long."""
    return Placement(
        data=f"{event.table.name} events",
        data_class="analytical",
        store=technology,
        reason=why,
        retention=f"{days:,.0f} days",
        component=STORE,
        decision=DECISION,
        alternatives=[ROLLUPS],
    )


def _events_per_day(event: EventTable) -> float:
    """Rows a day the column store takes: the appends, with the updates of an updated table."""
    return event.events_per_day if event.updated else event.table.rows_per_day


def _row_bytes(event: EventTable) -> float:
    from backend_architect.design.capacity import row_bytes

    return float(row_bytes(event.table))
