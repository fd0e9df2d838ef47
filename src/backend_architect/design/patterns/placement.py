"""PAT047: every table and read model not placed by a more specific pattern is placed, with its numbers; one record says where each kind of data lives."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.kept_rows import retention_said
from backend_architect.design.loads import inserts_said
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING, decision, figure, figures, fmt, size
from backend_architect.design.patterns._shards import sharded_now
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, bytes_at, days, horizon, is_log
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.ir.runtime import DataClass, Placement
from backend_architect.spec.model import Spec

#: An append-only table writing this many rows a day is an event log, not transactional rows.
EVENT_LOG_ROWS_PER_DAY = 1_000_000


def _store_of(table: Table, years: float, now: bool = True) -> str:
    """Where the table lives, with its partitioning, shard key and retention; ``now``: its shards are built now. Why: a table
    whose shards come at a later growth stage is on the unsharded primary until then, as every other section says.

    >>> from backend_architect.ir.model import Sharding
    >>> pay = Table(name="payments", columns=[], primary_key=["id"], sharding=Sharding(key="trip_id", reason="r"))
    >>> _store_of(pay, 5.0, now=False)
    'postgresql (on the unsharded primary now, sharded by trip_id from its growth stage)'
    """
    parts = []
    if table.partitioning:
        parts.append(f"partitioned by {table.partitioning.column} per {table.partitioning.interval}")
    if table.sharding:
        parts.append(f"sharded by {table.sharding.key}" if now else f"on the unsharded primary now, sharded by {table.sharding.key} from its growth stage")
    if table.retention_days is not None and table.retention_days < days(years):
        parts.append(f"{table.retention_days:,.0f} days")
    return "postgresql" + (f" ({', '.join(parts)})" if parts else "")


def _class_of(analysis: Analysis, table: Table) -> DataClass:
    facts = analysis.entities.get(table.entity or "")
    appended = is_log(table, facts.mutability if facts else "updated")
    return "event-log" if appended and table.rows_per_day >= EVENT_LOG_ROWS_PER_DAY else "transactional"


@pattern(code="PAT047", name="storage-placement", stage="placement", title="Place every table and read model, and record where each kind of data lives")
def storage_placement(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Always, last of the placement patterns: every table and every read model that no earlier
    pattern placed.

    ## What it adds
    A placement per table (transactional rows, or an event log when only appended at 1M rows a
    day or more) in PostgreSQL, with its partitioning, shard key and retention, and the size that
    decided them against the hot store (``HOT_STORE_BYTES``, 2 TB per primary); a placement per
    precomputed read model in the store serving it; and one decision listing where each class of
    data lives.

    ## What it costs
    Nothing beyond the tables themselves: this records the placement and its numbers.

    ## Alternatives
    A store per data class from the start (a warehouse, a search engine, a cache) before any
    figure asks for one: parts to run with nothing to gain at these numbers.

    ## References
    M. Fowler, "Polyglot Persistence" (2011); M. Kleppmann, Designing Data-Intensive Applications, ch. 12.
    """
    years = horizon(spec)
    known = figures(arch)
    growth = spec.scale.growth_per_year or 0.0
    placed = {p.data: p for p in arch.placements}
    placements: list[Placement] = []
    for store in arch.datastores:
        for table in store.tables:
            if table.name in placed:
                continue
            at_horizon = bytes_at(known, table.name, years)
            verdict = (
                f"within the hot store ({size(HOT_STORE_BYTES)})"
                if at_horizon <= HOT_STORE_BYTES
                else f"past the hot store ({size(HOT_STORE_BYTES)}): {table.sharding.reason if table.sharding else 'see partitioning'}"
            )
            reason = f"{fmt(table.rows_now)} rows now, {fmt(table.rows_per_day)} a day, {size(at_horizon)} after {years:g} years: {verdict}"
            kept = retention_said(table.retention_days, years)
            placements.append(
                Placement(
                    data=table.name,
                    data_class=_class_of(analysis, table),
                    store=_store_of(table, years, table.sharding is None or sharded_now(table, known, growth, years, analysis.peak_factor)[0]),
                    reason=reason,
                    retention=kept,
                    component="postgresql",
                    decision="storage",
                    alternatives=_alternatives(table, at_horizon, known),
                )
            )
    for plan in arch.caches:
        if plan.strategy != "read-model" or f"read model: {plan.use_case}" in placed:
            continue
        serving = next((c for c in arch.components if plan.use_case in c.use_cases and c.kind in {"cache", "key-value"}), None)
        placements.append(
            Placement(
                data=f"read model: {plan.use_case}",
                data_class="read-model",
                store=serving.technology if serving else "postgresql",
                reason=plan.rationale,
                retention=plan.invalidation,
                component=serving.name if serving else "postgresql",
                decision="storage",
            )
        )
    every = [*arch.placements, *placements]
    by_store: dict[str, list[str]] = {}
    for place in every:
        kind = place.store.split(" (")[0]
        by_store.setdefault(kind, []).append(place.data)
    choice = "; ".join(f"{kind}: {', '.join(items)}" for kind, items in by_store.items())
    largest = max((t for s in arch.datastores for t in s.tables), key=lambda t: bytes_at(known, t.name, years), default=None)
    context = (
        f"{len(every)} kinds of data; largest table {largest.name}: {size(bytes_at(known, largest.name, years))} after {years:g} years"
        if largest
        else "no tables"
    )
    made = decision(
        "storage",
        "Where each kind of data lives",
        "storage",
        choice,
        context,
        f"each class of data in the store its numbers call for: rows in PostgreSQL while they fit the hot store ({size(HOT_STORE_BYTES)} per primary); "
        "other stores only where a figure passed its threshold (see each placement)",
        alternatives=[
            ("one store for everything", "blobs, ephemeral state and history past the hot store cost the database what other stores do better"),
            ("a store per class from the start", "parts to run before any figure asks for them"),
        ],
        subject="system",
        inputs={"hot_store_bytes": HOT_STORE_BYTES, "placements": float(len(every))},
        spec=spec,
    )
    yield Applied(made, placements=tuple(placements), figures=_warehouse_totals(arch))


def _alternatives(table: Table, at_horizon: float, known: dict[str, float]) -> list[str]:
    """The stores a transactional table does not need yet, each with the number that says so."""
    # the inserts the sharding rule compares with the ceiling (qps.peak.insert.table), named for what they count
    inserts = known.get(f"qps.peak.insert.table.{table.name}", 0.0)
    said = inserts_said(inserts, known.get(f"qps.peak.guarantee.table.{table.name}", 0.0))
    found = []
    if table.sharding is None:
        found.append(f"sharded PostgreSQL or a wide-column store: {size(at_horizon)} < {size(HOT_STORE_BYTES)} and {said} < {fmt(PRIMARY_WRITE_CEILING)}")
    if table.partitioning is None:
        found.append(f"time partitions: {size(at_horizon)} at the horizon, nothing to drop or tier")
    return found


def _warehouse_totals(arch: Architecture) -> tuple[Figure, ...]:
    """The analytical store's size: the sum of the histories moved to it."""
    totals: dict[str, dict[str, float]] = {}
    for item in arch.figures:
        parts = item.key.split(".")
        if len(parts) == 4 and parts[0] == "bytes" and parts[2] == "warehouse":
            totals.setdefault(parts[1], {})[parts[3]] = item.value
    return tuple(
        figure(
            f"bytes.{label}.warehouse",
            f"analytical store after {label.removesuffix('y')} year(s)",
            sum(inputs.values()),
            "bytes",
            "sum of the histories moved to it",
            inputs,
            "warehouse",
        )
        for label, inputs in sorted(totals.items())
    )
