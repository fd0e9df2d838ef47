"""PAT026: top-k reads (``top``) from a ranking kept ahead of the read: a snapshot table a job refreshes, or sorted sets the writes update."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.data import constraint_name
from backend_architect.design.overrides import Steer, override_for, settled, steer_variant
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._api import column_parameter_type, example_of, integer, own_operation, prop, reshaped
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, figure, fmt, owner_of, redis_shards, redis_share, size, table_of, writers
from backend_architect.ir.model import ApiProperty, ApiSchema, Architecture, CachePlan, Column, Figure, Index, IndexColumn, Operation, Table
from backend_architect.ir.runtime import Component, Job, Mechanism
from backend_architect.spec.identifiers import bounded_name
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import resolve_column
from backend_architect.spec.units import SECONDS_PER_DAY

#: Rows/s a refresh job reads through an index on created_at (a range scan of narrow rows on one node).
JOB_SCAN_ROWS_PER_S = 200_000.0
#: A job must finish within half its interval, so a slow run never overlaps the next.
JOB_SHARE = 0.5
#: Buckets a sliding window is cut into when counted in sorted sets (a bucket expires as the window slides past it).
BUCKETS = 60
#: Bytes of one sorted-set member (value, score, skiplist and dict overhead).
ENTRY_BYTES = 80
#: Refresh bounds when the use case gives no staleness: a sixtieth of the window, between 10 s and 5 min; all-time rankings every minute.
MIN_REFRESH_S, MAX_REFRESH_S, ALL_TIME_REFRESH_S = 10.0, 300.0, 60.0
#: Snapshots kept: a day of refreshes, for "what was trending at" reads and debugging.
SNAPSHOT_DAYS = 1.0


#: How the rows of a sliding window are counted, as the figure states it.
WINDOW_ROWS_FORMULA = "min(events x span_s, rows_per_day x max(span_s, 86400) / 86400)"


def window_rows(peak_events: float, rows_per_day: float, window_s: float) -> float:
    """Rows a sliding window holds: the peak rate over the window, but never more than the days it spans hold at the day's rate.

    The peak lasts hours, not days: a window of a day or more holds the day's rows (the rate the retention keeps them by), so a
    refresh of the last day never scans more rows than the table keeps (1,200,000,000 said against 400,000,000 kept, issue 22
    j4); a window of an hour at the peak holds the peak's rows. Without a daily rate the peak rate is all there is.

    >>> window_rows(13_889.0, 400e6, 86_400.0), window_rows(13_889.0, 400e6, 3_600.0), window_rows(10.0, 0.0, 60.0)
    (400000000.0, 50000400.0, 600.0)
    """
    by_peak = peak_events * window_s
    if not rows_per_day:
        return by_peak
    return min(by_peak, rows_per_day * max(window_s, SECONDS_PER_DAY) / SECONDS_PER_DAY)


def refresh_interval(use_case: UseCase) -> float:
    """How often the ranking is recomputed: the staleness allowed, else a sixtieth of the window (10 s to 5 min), else a minute."""
    top = use_case.spec.top
    assert top is not None
    if use_case.spec.staleness:
        return use_case.spec.staleness
    if top.window:
        return min(MAX_REFRESH_S, max(MIN_REFRESH_S, top.window / 60))
    return ALL_TIME_REFRESH_S


@pattern(code="PAT026", name="top-k-ranking", stage="access_paths", title="Keep rankings ahead of the read")
def top_k(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A read says ``top``: the k values of ``field`` with the highest count (or sum, or score)
    over a sliding ``window`` (all time when left out). The events counted are the rows the
    entity's writes create.

    ## What it adds
    When a refresh can re-read the window in half its interval (rows per run / interval under
    100,000/s): a job every interval (the staleness, else a sixtieth of the window between 10 s
    and 5 min) writes the top k into a snapshot table, read directly; an index on created_at
    serves its scan. Above: the writes update Redis sorted sets per bucket (ZINCRBY; 60 buckets
    a window, each expiring as the window passes) and the read merges them (ZUNIONSTORE),
    cached for the interval. The read answers ``{rank, value, score}`` items, no paging.

    ## What it costs
    Job: rows per run = events/s x window (or the events of one interval for all time).
    Sorted sets: one Redis write per event; memory = distinct values a window x 80 B x buckets.

    ## Alternatives
    Counting at read time (a GROUP BY over the window per read); a count column on each value's
    row (a hot row per popular value); an approximate sketch (Count-Min + heap) when even the
    sorted sets grow too large.

    ## References
    Redis documentation, sorted sets (ZINCRBY, ZUNIONSTORE); G. Cormode, S. Muthukrishnan, "An
    improved data stream summary: the Count-Min sketch" (2005).
    """
    for use_case in analysis.use_cases:
        if use_case.spec.top is None or use_case.is_write or table_of(arch, use_case.entity) is None:
            continue
        numbers = _applied(spec, analysis, arch, use_case, None)
        override = override_for(spec, f"top.{use_case.id}", (top_k.code, top_k.name))
        wanted = steer_variant(override.choose, RANKINGS) if override is not None and override.choose is not None else None
        choices = {"choices": [names[0] for names in RANKINGS.values()]}
        if override is None or wanted is None or numbers.decision is None:
            yield dataclasses.replace(numbers, decision=numbers.decision.model_copy(update=choices)) if numbers.decision else numbers
            continue
        by_numbers = "sorted-sets" if any(c.name == "redis" for c in numbers.components) else "snapshot"
        built = _applied(spec, analysis, arch, use_case, wanted == "sorted-sets") if wanted != by_numbers else numbers
        assert built.decision is not None
        steered = Steer(wanted, by_numbers, override)
        yield dataclasses.replace(built, decision=settled(steered, numbers.decision.model_copy(update=choices), built.decision.model_copy(update=choices)))


#: What ``choose:`` builds for a ranking, by the names an author may use.
RANKINGS = {"snapshot": ["a job refreshing a snapshot table", "snapshot", "materialized ranking"], "sorted-sets": ["sorted sets in Redis", "sorted sets"]}


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, in_redis: bool | None) -> Applied:
    """The ranking of ``use_case``: sorted sets when ``in_redis`` (None: when the job's scan rate passes its share), else a snapshot job."""
    top = use_case.spec.top
    assert top is not None
    found = table_of(arch, use_case.entity)
    assert found is not None
    store, table = found
    entity = use_case.entity
    column = (resolve_column(spec, entity, top.field) if top.field else None) or "id"
    value_column = next((c for c in table.columns if c.name == column), table.columns[0])
    sources = writers(analysis, entity) if top.by == "count" else writers(analysis, entity, frozenset({"create", "update", "action"}))
    events = sum(u.peak_qps for u in sources)
    counted = bool(events) or not analysis.entities[entity].rows_per_day
    if not counted:
        events = analysis.entities[entity].rows_per_day / SECONDS_PER_DAY * analysis.peak_factor
    interval = refresh_interval(use_case)
    span = top.window or interval
    per_day = analysis.entities[entity].rows_per_day
    rows_per_run = window_rows(events, per_day, top.window) if top.window else events * span
    job_rate = rows_per_run / interval
    streaming = job_rate > JOB_SCAN_ROWS_PER_S * JOB_SHARE if in_redis is None else in_redis
    scope = f"use case '{use_case.name}'"
    window = f"the last {_duration(top.window)}" if top.window else "all time"
    measure = {"count": f"how often each {column} occurs", "sum": f"the sum of {column} per value", "score": f"{column}"}[top.by]
    figures: tuple[Figure, ...] = (
        figure(
            f"top.events.{use_case.id}",
            f"events/s counted by {use_case.name} at peak",
            events,
            "events/s",
            "sum of the counted writes' peaks" if counted else "rows_per_day / 86400 x peak_factor",
            {f"peak_{u.id}": u.peak_qps for u in sources}
            if counted
            else {"rows_per_day": analysis.entities[entity].rows_per_day, "peak_factor": analysis.peak_factor},
            scope,
        ),
        figure(
            f"top.rows_per_run.{use_case.id}",
            f"rows one refresh of {use_case.name} reads",
            rows_per_run,
            "rows",
            WINDOW_ROWS_FORMULA if top.window and per_day else "events x span_s",
            {"events": events, "span_s": span} | ({"rows_per_day": per_day} if top.window and per_day else {}),
            scope,
        ),
    )
    service = owner_of(arch, entity)
    components: tuple[Component, ...] = ()
    jobs: tuple[Job, ...] = ()
    tables: tuple[tuple[str, Table], ...] = ()
    mechanisms: tuple[Mechanism, ...] = ()
    if streaming:
        distinct = min(rows_per_run / BUCKETS, analysis.rows(entity)) if top.window else analysis.rows(entity)
        memory = distinct * ENTRY_BYTES * (BUCKETS if top.window else 1)
        nodes = redis_shards(memory, events)
        figures += (
            figure(
                f"top.bytes.{use_case.id}",
                f"memory of the sorted sets of {use_case.name}",
                memory,
                "bytes",
                "distinct x entry_bytes x buckets",
                {"distinct": distinct, "entry_bytes": ENTRY_BYTES, "buckets": float(BUCKETS if top.window else 1)},
                scope,
            ),
        )
        choice = (
            f"sorted sets updated by the writes: each new {entity} adds to its {column}'s score (ZINCRBY) in the current bucket of "
            f"{_duration(span / BUCKETS if top.window else span)} ({BUCKETS if top.window else 1} bucket(s) a window, each expiring as the window passes); "
            f"every {interval:g} s the buckets are merged (ZUNIONSTORE) into the ranking the read returns (ZREVRANGE 0 {top.k - 1})"
        )
        rationale = (
            f"re-reading {window} at each refresh would scan {fmt(rows_per_run)} rows every {interval:g} s ({fmt(job_rate)} rows/s, more than a job "
            f"reads in half its interval at {fmt(JOB_SCAN_ROWS_PER_S)} rows/s); counting as the events arrive costs {fmt(events)} Redis writes/s "
            f"and {size(memory)} ({redis_share(nodes)})"
        )
        components = (
            Component(
                name="redis",
                kind="cache",
                technology=named(spec, "redis"),
                purpose=f"ranking of {use_case.name} (sorted sets)",
                services=[service],
                use_cases=[use_case.name, *(u.name for u in sources)],
                instances=nodes,
                memory_bytes=memory,
                decision=f"top.{use_case.id}",
                operations={f"ranking_updates_{use_case.id}": events},
            ),
        )
        key = f"top:{use_case.id}"
        # the read is answered by the merged ranking alone: every section that times or counts it reads this record
        mechanisms = (
            Mechanism(
                use_case=use_case.name,
                pattern=top_k.code,
                decision=f"top.{use_case.id}",
                serves="read",
                store="redis",
                entities=[entity],
                how=f"ZREVRANGE {key} 0 {top.k - 1} (the merged ranking)",
                database_share=0.0,
            ),
        )
    else:
        snapshot = _snapshot_table(table, column, value_column, top.by, top.k, interval)
        tables = ((store, snapshot),)
        if top.window:
            tables += ((store, _with_time_index(table, use_case)),)
        jobs = (
            Job(
                use_case=f"refresh {use_case.name}",
                service=service,
                schedule=f"every {interval:g} seconds",
                interval_s=interval,
                reads=[table.name],
                writes=[snapshot.name],
                rows_per_run=rows_per_run,
                rows_per_s=job_rate,
                workers=1,
                queue="the scheduler (one run at a time, a lock per ranking)",
                retries="a failed run is retried at the next interval; the read keeps the previous snapshot",
                idempotency="a run writes its window_end once (INSERT ... ON CONFLICT DO NOTHING)",
            ),
        )
        choice = (
            f"a materialized ranking: a job every {interval:g} s counts {measure} over {window} and writes the top {top.k} into {snapshot.name} "
            f"(window_end, rank, {column}, score); the read takes the newest snapshot; snapshots older than {SNAPSHOT_DAYS:g} day are deleted"
        )
        rationale = (
            f"a refresh reads {fmt(rows_per_run)} rows ({window}, {fmt(events)} events/s at peak): {fmt(job_rate)} rows/s over its {interval:g} s, "
            f"within what a job reads in half its interval ({fmt(JOB_SCAN_ROWS_PER_S)} rows/s); the read is one indexed range of {top.k} rows"
        )
        key = snapshot.name
    made = decision(
        f"top.{use_case.id}",
        f"Ranking for {use_case.name}",
        "read paths",
        choice,
        f"{use_case.name}: top {top.k} by {top.by} of {entity}.{column} over {window}; {fmt(use_case.peak_qps)} reads/s, {fmt(events)} events/s at peak",
        rationale,
        alternatives=[
            ("counting at read time", f"a GROUP BY over {fmt(rows_per_run)} rows per read"),
            (f"a count column on each {column}", "a hot row per popular value, updated by every event"),
            ("an approximate sketch (Count-Min with a heap)", "exact counts fit here; a sketch trades accuracy for memory only at far larger cardinalities"),
            (
                "sorted sets in Redis" if not streaming else "a job refreshing a snapshot table",
                "not needed at this rate" if not streaming else f"{fmt(job_rate)} rows/s to re-read",
            ),
        ],
        consequences=f"The ranking is at most {interval:g} s old; it answers ranks 1 to {top.k} with their scores.",
        subject=use_case.name,
        inputs={"events": events, "rows_per_run": rows_per_run, "interval_s": interval},
        spec=spec,
    )
    plan = CachePlan(
        use_case=use_case.name,
        strategy="read-model",
        ttl_seconds=interval,
        key=key,
        invalidation=f"replaced every {interval:g} s",
        rationale=f"served from the precomputed ranking: {fmt(use_case.peak_qps)} reads/s never count rows",
    )
    operations, schemas = _ranking_api(arch, use_case, column, value_column, top.k)
    return Applied(
        made, figures=figures, components=components, jobs=jobs, tables=tables, caches=(plan,), operations=operations, schemas=schemas, mechanisms=mechanisms
    )


def _duration(seconds: float | None) -> str:
    if not seconds:
        return "all time"
    for unit, size_ in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size_ and seconds % size_ == 0:
            return f"{seconds / size_:g} {unit}"
    return f"{seconds:g} s"


def _snapshot_table(table: Table, column: str, value: Column, by: str, k: int, interval: float) -> Table:
    name = bounded_name(f"{table.name}_top_{column}")  # made up by the design: bounded with a stable hash
    runs = SECONDS_PER_DAY * SNAPSHOT_DAYS / interval
    return Table(
        name=name,
        comment=f"top {k} of {table.name} by {by} of {column}, one snapshot per refresh",
        columns=[
            Column(name="window_end", type="timestamptz", avg_bytes=8),
            Column(name="rank", type="integer", avg_bytes=4),
            value.model_copy(update={"name": column, "nullable": True, "generated": False, "comment": None, "default": None, "identity": False}),
            Column(
                name="score",
                type="bigint" if by == "count" else "numeric",
                precision=None if by == "count" else 20,
                scale=None if by == "count" else 4,
                avg_bytes=8,
            ),
        ],
        primary_key=["window_end", "rank"],
        key_strategy="composite",
        key_reason="one row per rank per snapshot; the newest window_end is read",
        rows_now=k * runs,
        rows_per_day=k * SECONDS_PER_DAY / interval,
        retention_days=SNAPSHOT_DAYS,
    )


def _with_time_index(table: Table, use_case: UseCase) -> Table:
    """The counted table with an index on created_at, for the refresh's window scan."""
    if any(i.columns and i.columns[0].name == "created_at" for i in table.indexes):
        return table
    index = Index(
        name=constraint_name("ix", table.name, ["created_at"]),
        columns=[IndexColumn(name="created_at")],
        reasons=[f"refresh of '{use_case.name}' (window scan)"],
    )
    return table.model_copy(update={"indexes": [*table.indexes, index]})


def _ranking_api(
    arch: Architecture, use_case: UseCase, column: str, value: Column, k: int
) -> tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]:
    found = own_operation(arch, use_case.name, "top", [f.column for f in use_case.filters if f.column])
    if found is None:
        return (), ()
    service, op, rest = found
    entity = use_case.entity
    kind, fmt_ = column_parameter_type(value.type)
    item = ApiSchema(
        name=f"{entity}Rank",
        entity=entity,
        properties=[
            prop("rank", "integer", "1 for the highest score.", fmt="int32"),
            ApiProperty(
                name=column,
                type=kind,
                format=fmt_,
                max_length=value.length,
                required=True,
                read_only=True,
                nullable=value.nullable,
                description=f"The ranked {column}.",
            ),
            prop("score", "integer", "How often it occurred.", fmt="int64")
            if use_case.spec.top and use_case.spec.top.by == "count"
            else prop("score", "number", "Its sum or score.", fmt="double"),
        ],
    )
    ranking = ApiSchema(
        name=f"{entity}Ranking",
        entity=entity,
        properties=[
            prop("window_end", "string", "When the ranking was computed.", fmt="date-time"),
            # the page holds what the limit lets a client ask for: one bound, stated twice
            prop("items", "array", f"The top {k}, highest first.", items=item.name).model_copy(update={"max_items": k}),
        ],
    )
    example = example_of(ranking, {item.name: item})
    changed = reshaped(op, ranking.name, example, [integer("limit", f"How many to return, at most {k}.", 1, k, k)])
    return ((service, changed), *rest), ((service, item), (service, ranking))
