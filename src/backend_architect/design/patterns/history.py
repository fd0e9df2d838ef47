"""PAT042: history that no longer fits the hot store is tiered, moved to an analytical store, or aggregated and expired."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Literal

from backend_architect.design.analysis import Analysis
from backend_architect.design.capacity import row_bytes, rows_after
from backend_architect.design.kept_rows import days_said, narrowed, retention_said, with_retention
from backend_architect.design.overrides import Steer, honoured, override_for, settled, steer_variant
from backend_architect.design.partition_rule import PARTITION_COLUMN, referencing_tables, unique_key_across_partitions
from backend_architect.design.partitioning import DAILY_ROWS_FOR_DAY_PARTITIONS, DAILY_ROWS_FOR_WEEK_PARTITIONS, expiry_job
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import named, others
from backend_architect.design.patterns._common import decision, figure, figures, fmt, size
from backend_architect.design.patterns._history_steer import HISTORY, by_numbers, cannot, hot_window, one_tier
from backend_architect.design.patterns._stores import (
    HOT_STORE_BYTES,
    NO_READERS,
    NODE_RAM_BYTES,
    Readers,
    bytes_at,
    days,
    horizon,
    is_log,
    partitioned_row_bytes,
    per_row_bytes,
    reader_index,
    storage_figures,
    window_bytes,
)
from backend_architect.ir.model import COLD_TABLESPACE, Architecture, Partitioning, Table
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.identifiers import partition_maintenance_name
from backend_architect.spec.model import Spec

#: Raw events kept when only aggregates read them and nothing states how far back they look:
#: a week lets a failed aggregation be re-run from the raw rows.
RAW_EVENT_DAYS = 7.0
#: Up to this many expiring rows a day a daily DELETE does (vacuum keeps up); past it, dropping whole partitions avoids the bloat.
DELETE_MAX_ROWS_PER_DAY = 1_000_000
#: Columnar formats (Parquet, ORC) store event history 3-10x smaller than row storage; we plan at 5x.
COLUMNAR_COMPRESSION = 5.0

Interval = Literal["day", "week", "month"]


def interval_for(rows_per_day: float, keep_days: float) -> Interval:
    """Partitions of 10-100M rows, and short enough that retention drops whole partitions.

    >>> interval_for(60e6, 3650), interval_for(10, 7), interval_for(10, 3650)
    ('day', 'day', 'month')
    """
    if rows_per_day >= DAILY_ROWS_FOR_DAY_PARTITIONS or keep_days <= 31:
        return "day"
    if rows_per_day >= DAILY_ROWS_FOR_WEEK_PARTITIONS or keep_days <= 180:
        return "week"
    return "month"


@pattern(code="PAT042", name="history-tiering", stage="storage", title="Tier, move or expire history the hot store cannot hold")
def history_tiering(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A table that keeps growing (rows a day > 0), by who reads it:
    - every reader aggregates it (a job, a ranking, a time series) and its rows are only
      appended: the raw rows are **aggregated and expired**, at any size;
    - nobody reads it and its rows are only appended, and its size at the horizon passes the hot
      store (``HOT_STORE_BYTES``, 2 TB per primary): the history goes to an **analytical store**;
    - requests look rows up and its size at the horizon passes the hot store: a **hot/cold split**
      (not for updated rows other tables reference: partitions would cost their foreign keys).
    Tiers and exports move time partitions, so a table whose unique key leaves out the partition
    column stays one tier (PostgreSQL enforces uniqueness only within one partition); its raw
    rows, when aggregated, expire by a daily delete instead of partition drops.

    ## What it adds
    Aggregated and expired: retention of the aggregates' window (a stated ``retention``, the
    ranking's ``window``, a series' ``over``, two runs of a job, else a week), time partitions
    dropped after it (a daily delete below ``DELETE_MAX_ROWS_PER_DAY``, 1M rows a day). A table
    whose stated retention is within its hot window has no history to move: left as it is.
    Analytical store: a warehouse component, the table kept for a hot window and exported
    partition by partition before the drop. Hot/cold: time partitions, the recent ones
    on fast storage, older ones on a cold tablespace, still answering lookups; nothing expires.

    ## What it costs
    Hot window = hot store x 0.5 / bytes a day, between 7 and 365 days; warehouse bytes =
    rows past the hot window x row bytes / 5 (columnar compression); the aggregates lose the raw
    rows behind them after the window.

    ## Alternatives
    Keeping raw rows forever and sharding them when they outgrow one primary (the cost grows
    with the horizon, not with what is read); a wide-column store for history that requests
    read anywhere at very high rates.

    ## References
    PostgreSQL documentation, "Table Partitioning" (5.11) and "Tablespaces" (22.6); M. Kleppmann,
    Designing Data-Intensive Applications, ch. 3 (column-oriented storage) and ch. 11 (derived data).
    """
    years = horizon(spec)
    known = figures(arch)
    index = reader_index(analysis)
    fitting: list[tuple[float, str]] = []
    referenced = referencing_tables(arch)
    for store in arch.datastores:
        for table in store.tables:
            if table.entity is None or table.entity not in analysis.entities or table.rows_per_day <= 0:
                continue
            if any(p.data == table.name and p.decision == "analytics" for p in arch.placements):
                continue  # the analytics store holds its events; the database keeps the days that decision states
            if table.wide_column is not None:
                continue  # a wide-column store holds it whole (PAT055): no tier or expiry in PostgreSQL
            facts = analysis.entities[table.entity]
            appended = is_log(table, facts.mutability)
            who = index.get(table.entity, NO_READERS)
            at_horizon = bytes_at(known, table.name, years)
            whole = unique_key_across_partitions(table) if table.partitioning is None else []
            variant, reason = by_numbers(spec, table, (appended, who, whole), at_horizon, referenced)
            if variant == "fits":
                fitting.append((at_horizon, table.name))
            override = override_for(spec, f"storage.{table.name}", (history_tiering.code, history_tiering.name))
            if (override is None or override.forbid) and variant == "fits":
                continue
            if override is None or override.forbid:
                yield _with_choices(_built(spec, arch, (store.name, table, who), at_horizon, variant, reason, whole))
                continue
            wanted = (
                steer_variant(override.choose, HISTORY)
                if override.choose is not None
                else (variant if variant in {"expire", "warehouse", "tiers"} else "tiers" if who.lookups else "expire" if who.scans else "warehouse")
            )
            problem = cannot(wanted, who, whole, table)
            if problem is not None:
                yield _built(spec, arch, (store.name, table, who), at_horizon, variant, reason, whole)
                yield Applied(None, assumptions=(f"decisions.storage.{table.name}: {problem}; it changed nothing",))
                continue
            assert wanted is not None
            built = _built(spec, arch, (store.name, table, who), at_horizon, wanted, reason, whole)
            numbers = _built(spec, arch, (store.name, table, who), at_horizon, variant, reason, whole)
            if isinstance(built, Applied) and built.decision is not None:
                numbers_record = numbers.decision if isinstance(numbers, Applied) and numbers.decision is not None else one_tier(table, reason)
                steered = Steer(wanted, variant if variant in HISTORY else "one-tier", override)
                yield dataclasses.replace(built, decision=settled(steered, numbers_record, built.decision.model_copy(update={"choices": list(HISTORY)})))
            elif isinstance(numbers, Applied) and numbers.decision is not None:
                # kept whole: the tiers, the warehouse or the expiry the numbers planned are not built
                yield Applied(
                    settled(Steer("one-tier", variant, override), numbers.decision, one_tier(table, "")).model_copy(update={"choices": list(HISTORY)})
                )
            else:
                yield Applied(honoured(one_tier(table, reason), override))
    if fitting:
        largest, name = max(fitting)
        # one note for every table that fits: the placements carry each table's own size
        yield Skipped(
            "growing tables",
            f"{len(fitting)} fit the hot store ({size(HOT_STORE_BYTES)}) at {years:g} years (largest: {name}, {size(largest)}): one tier",
        )


def _with_choices(outcome: Applied | Skipped) -> Applied | Skipped:
    if isinstance(outcome, Applied) and outcome.decision is not None:
        return dataclasses.replace(outcome, decision=outcome.decision.model_copy(update={"choices": list(HISTORY)}))
    return outcome


def _built(
    spec: Spec, arch: Architecture, where: tuple[str, Table, Readers], at_horizon: float, variant: str, reason: str, whole: list[str]
) -> Applied | Skipped:
    """The outcome of one variant for a table's history; a table that stays one tier is a note (the fitting ones share one)."""
    store, table, who = where
    if variant == "expire":
        return _expire(spec, arch, store, table, who, at_horizon, partitionable=not whole)
    if variant == "warehouse":
        return _to_warehouse(spec, arch, store, table, at_horizon)
    if variant == "tiers":
        return _tiers(spec, arch, store, table, who, at_horizon)
    return Skipped(table.name, reason or f"fits the hot store ({size(HOT_STORE_BYTES)}) at {horizon(spec):g} years: one tier")


def _expire(spec: Spec, arch: Architecture, store: str, table: Table, who: Readers, at_horizon: float, *, partitionable: bool) -> Applied:
    entity = spec.entities[table.entity or ""]
    aggregates = ", ".join(u.name for u in who.scans)
    window = who.scan_window_days()
    assumptions: tuple[str, ...] = ()
    decided_by: Literal["numbers", "spec", "default"]
    if entity.retention:
        keep, basis, decided_by = entity.retention / 86_400, f"the stated retention of {table.entity}", "spec"
    elif window is not None:
        keep, basis, decided_by = max(1.0, window), f"the window its aggregates read ({aggregates})", "numbers"
    else:
        keep, basis, decided_by = RAW_EVENT_DAYS, "a week, to re-run a failed aggregation", "default"
        assumptions = (f"entities.{table.entity}.retention: not given; raw rows read only by aggregates kept {RAW_EVENT_DAYS:g} days",)
    keep = min(keep, table.retention_days or keep)
    kept_bytes = window_bytes(table, keep)
    partitioned = table.partitioning is not None or (partitionable and (table.rows_per_day >= DELETE_MAX_ROWS_PER_DAY or kept_bytes > NODE_RAM_BYTES))
    # both sizes weighed against each other count a row at the bytes the table stores it at: in day partitions (its key widened
    # by the partition column) or in one table; "kept for the whole horizon" is the table with no retention (a stated one
    # already caps ``at_horizon``)
    row = partitioned_row_bytes(table) if partitioned else per_row_bytes(table)
    kept_bytes = keep * table.rows_per_day * row
    at_horizon = rows_after(table.model_copy(update={"retention_days": None}), horizon(spec), spec.scale.growth_per_year or 0.0)[0] * row
    interval = interval_for(table.rows_per_day, keep)
    job = expiry_job(table.name, interval, keep) if partitioned else None
    expiry = job or f"a daily job deletes rows older than {keep:,.0f} days"
    # the expiry narrows the rows it holds now, not only at the horizon (kept_rows: one count for every section)
    updated = with_retention(table, keep).model_copy(
        update={
            "partitioning": table.partitioning
            or (
                Partitioning(
                    column=PARTITION_COLUMN,
                    interval=interval,
                    reason=f"{fmt(table.rows_per_day)} raw rows a day expire after {keep:,.0f} days",
                    retention_job=job,
                    expire_after_days=keep,
                )
                if partitioned
                else None
            ),
        }
    )
    choice = f"aggregate and expire: keep raw {table.name} rows {keep:,.0f} days ({basis}); {expiry}; the aggregates ({aggregates}) hold the results"
    rationale = (
        f"{fmt(table.rows_per_day)} rows a day are read only by aggregates: kept for the whole horizon they would reach {size(at_horizon)}; "
        f"kept {keep:,.0f} days they stay about {size(kept_bytes)}"
    )
    made = decision(
        f"storage.{table.name}",
        f"Raw {table.name} aggregated and expired",
        "storage",
        choice,
        f"{table.name}: {fmt(table.rows_per_day)} rows a day, only appended, read by {aggregates}",
        rationale,
        alternatives=[
            ("keep every raw row", f"{size(at_horizon)} at the horizon that no request reads"),
            ("shard the raw rows", "spreads rows nobody reads over more primaries; expiry removes the need"),
        ],
        consequences="Recomputing an aggregate over an older period is no longer possible from raw rows; export them first if that is needed.",
        subject=table.name,
        inputs={"rows_per_day": table.rows_per_day, "keep_days": keep, "bytes_at_horizon": at_horizon, "bytes_kept": kept_bytes},
        decided_by=decided_by,
        spec=spec,
    )
    place = Placement(
        data=table.name,
        data_class="event-log",
        store=f"postgresql ({f'partitioned by {interval}' if partitioned else 'one table'})",
        reason=rationale,
        retention=f"{keep:,.0f} days; {expiry}",
        component="postgresql",
        decision=made.id,
        alternatives=["kept for the horizon: " + size(at_horizon)],
    )
    said = narrowed(table, updated, f"its raw rows expire after {days_said(keep)} (storage.{table.name})")
    return Applied(
        made, tables=((store, updated),), placements=(place,), figures=tuple(storage_figures(spec, arch, [updated])), assumptions=(*assumptions, *said)
    )


def _to_warehouse(spec: Spec, arch: Architecture, store: str, table: Table, at_horizon: float) -> Applied:
    years = horizon(spec)
    window = hot_window(spec, table)
    hot = window.days
    warehouse = named(spec, "warehouse")
    interval = interval_for(table.rows_per_day, hot)
    job = expiry_job(table.name, interval, hot, warehouse)
    updated = with_retention(table, hot).model_copy(
        update={
            "partitioning": table.partitioning
            or Partitioning(
                column=PARTITION_COLUMN,
                interval=interval,
                reason=f"{size(at_horizon)} after {years:g} years > {size(HOT_STORE_BYTES)}: history moves to {warehouse} after {hot:,.0f} days",
                retention_job=job,
                expire_after_days=hot,
                archive_to=warehouse,
            ),
        }
    )
    if updated.partitioning is not None and updated.partitioning.archive_to is None:
        moved = {"retention_job": job, "expire_after_days": hot, "archive_to": warehouse}
        updated = updated.model_copy(update={"partitioning": updated.partitioning.model_copy(update=moved)})
    found = [*storage_figures(spec, arch, [updated]), *window.figures]
    for label, span in (("1y", 1.0), (f"{years:g}y", years)):
        kept = min(days(span), table.retention_days or days(span))
        rows = max(0.0, table.rows_per_day * (kept - hot))
        found.append(
            figure(
                f"bytes.{label}.warehouse.{table.name}",
                f"history of {table.name} in {warehouse} after {label}",
                rows * row_bytes(table) / COLUMNAR_COMPRESSION,
                "bytes",
                "rows_past_hot_window x row_bytes / columnar_compression",
                {"rows_past_hot_window": rows, "row_bytes": row_bytes(table), "columnar_compression": COLUMNAR_COMPRESSION},
                "warehouse",
            )
        )
    choice = (
        f"{table.name}: the last {hot:,.0f} days in PostgreSQL, partitioned by {interval}; older partitions exported to {warehouse} "
        "as columnar history, then dropped"
    )
    rationale = (
        f"{size(at_horizon)} after {years:g} years passes the hot store ({size(HOT_STORE_BYTES)}) and no request reads the rows: history that is "
        f"scanned, not looked up, is {COLUMNAR_COMPRESSION:g}x smaller in columnar form and scans there do not load the primary"
    )
    made = decision(
        f"storage.{table.name}",
        f"History of {table.name} in the analytical store",
        "storage",
        choice,
        f"{table.name}: {fmt(table.rows_per_day)} rows a day, only appended, read by no request",
        rationale,
        alternatives=[(n, "chosen by the cloud and constraints" if n != warehouse else "") for n in others(spec, "warehouse", warehouse)]
        + [("keep it all in PostgreSQL", f"{size(at_horizon)}: sharded primaries holding rows nobody looks up")],
        consequences=f"Rows older than the last {hot:,.0f} days leave PostgreSQL: a request can no longer look them up by key, "
        "and analytical queries over the history run in the analytical store.",
        subject=table.name,
        inputs={"bytes_at_horizon": at_horizon, "hot_store_bytes": HOT_STORE_BYTES, "hot_days": hot},
        spec=spec,
    )
    component = Component(
        name="warehouse",
        kind="warehouse",
        technology=warehouse,
        purpose=f"columnar history of {table.name}",
        use_cases=[],
        decision=made.id,
    )
    placements = (
        Placement(
            data=table.name,
            data_class="event-log",
            store=f"postgresql (partitioned by {interval}, {hot:,.0f} days)",
            reason=rationale,
            retention=job,
            component="postgresql",
            decision=made.id,
        ),
        Placement(
            data=f"{table.name} history",
            data_class="analytical",
            store=warehouse,
            reason=rationale,
            retention=retention_said(table.retention_days, years),
            component="warehouse",
            decision=made.id,
            alternatives=["cold PostgreSQL partitions"],
        ),
    )
    said = narrowed(table, updated, f"rows older than {days_said(hot)} move to {warehouse} (storage.{table.name})")
    return Applied(made, components=(component,), tables=((store, updated),), placements=placements, figures=tuple(found), assumptions=said)


def _tiers(spec: Spec, arch: Architecture, store: str, table: Table, who: Readers, at_horizon: float) -> Applied:
    years = horizon(spec)
    # sized as it will be stored: time partitions put created_at in its key (issue 22-e1: one size, the plan's and every section's)
    stored = table if PARTITION_COLUMN in table.primary_key else table.model_copy(update={"primary_key": [*table.primary_key, PARTITION_COLUMN]})
    sized = storage_figures(spec, arch, [stored])
    at_horizon = next((f.value for f in sized if f.key == f"bytes.{years:g}y.{table.name}"), at_horizon)
    window = hot_window(spec, stored)
    bytes_day, hot = window.bytes_per_day, window.days
    interval = table.partitioning.interval if table.partitioning else interval_for(table.rows_per_day, table.retention_days or days(years))
    expiring = table.retention_days is not None and table.retention_days < days(years)
    job = expiry_job(table.name, interval, table.retention_days) if expiring and table.retention_days is not None else None
    reason = f"{size(at_horizon)} after {years:g} years > {size(HOT_STORE_BYTES)} (the hot store): the last {hot:,.0f} days hot, older partitions cold"
    fresh = Partitioning(column=PARTITION_COLUMN, interval=interval, reason=reason, retention_job=job, expire_after_days=table.retention_days if job else None)
    updated = table.model_copy(update={"partitioning": (table.partitioning or fresh).model_copy(update={"cold_after_days": hot})})
    lookups = ", ".join(u.name for u in who.lookups)
    kept = f"{table.retention_days:,.0f} days" if table.retention_days and table.retention_days < days(years) else "for the horizon"
    choice = (
        f"hot/cold tiers for {table.name}: the last {hot:,.0f} days ({size(window.bytes)}) on fast storage, older {interval} partitions moved "
        f"by {partition_maintenance_name(table.name)}() to tablespace {COLD_TABLESPACE} on cheaper disks, still answering lookups; kept {kept}"
    )
    rationale = (
        f"{size(at_horizon)} after {years:g} years passes the hot store ({size(HOT_STORE_BYTES)}), and requests look rows up ({lookups}): "
        "the history must stay "
        f"online, but only {window.said} need fast disks"
    )
    made = decision(
        f"storage.{table.name}",
        f"Hot and cold tiers of {table.name}",
        "storage",
        choice,
        f"{table.name}: {fmt(table.rows_per_day)} rows a day ({size(bytes_day)}), looked up by {lookups}",
        rationale,
        alternatives=[
            ("one tier on fast storage", f"{size(at_horizon)} of fast disks for rows rarely read"),
            ("move the history to an analytical store", f"requests ({lookups}) look rows up: the history must answer by key"),
        ],
        consequences="Lookups into cold partitions are slower (cheaper disks); keep hot paths on the recent window.",
        subject=table.name,
        inputs={"bytes_at_horizon": at_horizon, "hot_store_bytes": HOT_STORE_BYTES, "hot_days": hot},
        spec=spec,
    )
    place = Placement(
        data=table.name,
        data_class="event-log" if table.append_only else "transactional",
        store=f"postgresql (partitioned by {interval}; {hot:,.0f} days hot, older partitions cold)",
        reason=rationale,
        retention=kept,
        component="postgresql",
        decision=made.id,
        alternatives=["an analytical store: requests look rows up"],
    )
    return Applied(made, tables=((store, updated),), placements=(place,), figures=(*sized, *window.figures))
