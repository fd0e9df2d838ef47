"""Stage 5: the numbers: request rates, storage, instances, connections.

Every figure keeps its formula and inputs (``Figure``), so the report can show the
working and a test can recompute it. Thresholds are named constants with their source.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.link_writes import join_rows
from backend_architect.design.loads import database_share, insert_figures, readback_requests
from backend_architect.design.media_compression import compression
from backend_architect.design.patterns._chosen import counted_elsewhere
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING as _PRIMARY_READS
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING as _PRIMARY_WRITES
from backend_architect.design.patterns._common import horizon as sizing_horizon
from backend_architect.design.payload import table_payload_figures
from backend_architect.design.pools import pool_figures
from backend_architect.design.pushes import shares_assumption
from backend_architect.design.runtimes import instance_rps
from backend_architect.design.service_calls import call_requests
from backend_architect.design.traffic import BLOB_BYTES, traffic_figures, with_served_peak
from backend_architect.design.workload import external_figures, job_figures, table_figures
from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name
from backend_architect.spec.units import DAYS_PER_YEAR, Rate

#: Sustained simple writes/s one PostgreSQL primary handles, and simple indexed reads/s one node serves: the patterns' one
#: planning figure each (``patterns._common``), as whole numbers for the texts that print them, so the bottleneck table,
#: the partitioning decision and the patterns never judge a primary by two numbers.
PRIMARY_WRITE_CEILING = int(_PRIMARY_WRITES)
PRIMARY_READ_CEILING = int(_PRIMARY_READS)
#: Heap tuple header (23 bytes, aligned to 24) plus the line pointer (4 bytes).
ROW_OVERHEAD_BYTES = 28
#: B-tree entry overhead: index tuple header (8) + line pointer (4) + alignment.
INDEX_ENTRY_OVERHEAD = 16
#: Fill factor and page overhead: tables and indexes take ~1/0.9 of their raw bytes.
PAGE_FILL = 0.9
#: Average size of a blob (images, documents) when the spec gives none (one constant for storage and traffic).
BLOB_CONTENT_BYTES = BLOB_BYTES
#: Minimum instances for availability: one can fail or be redeployed.
MIN_INSTANCES = 2
#: The unit of ``fanout.peak``: a write's copies to its recipients, not the deliveries to connected clients (``realtime.deliveries``).
FANOUT_UNIT = "recipient copies/s"


def derive_capacity(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Figures for rates per use case, service and system; storage per table; compute per service."""
    # the access-path patterns ran before: their figures (connections, cells, renditions...) stay
    figures: list[Figure] = list(arch.figures)
    factor = analysis.peak_factor
    assumptions = list(arch.assumptions)
    if spec.scale.peak_factor is None:
        assumptions.append(f"scale.peak_factor: not given; peak traffic assumed {factor:g}x the average")
    reading = spec.scale.rates
    for use_case in analysis.use_cases:
        if use_case.spec.rate is None:
            continue
        scope = f"use case '{use_case.name}'"
        figures += _rate_figures(use_case, reading, factor)
        if use_case.spec.avg_fanout:
            figures.append(
                Figure(
                    key=f"fanout.peak.{use_case.id}",
                    # one copy per recipient, connected or not: the live deliveries (realtime.deliveries) are the connected share of it
                    quantity=f"copies/s addressed to recipients by {use_case.name} at peak" + _audience_of_fanout(spec, analysis, use_case),
                    value=use_case.peak_qps * use_case.spec.avg_fanout,
                    unit=FANOUT_UNIT,
                    formula="peak x avg_fanout",
                    inputs={"peak": use_case.peak_qps, "avg_fanout": use_case.spec.avg_fanout},
                    scope=scope,
                )
            )
    use_cases = analysis.use_cases
    figures += _totals(analysis, arch)
    figures += table_figures(use_cases, {u.name: database_share(arch, u.name, "write") for u in use_cases if u.is_write})
    figures += insert_figures(analysis, arch)
    jobs = job_figures(use_cases, {t.entity: t.rows_per_day for s in arch.datastores for t in s.tables if t.entity})
    known = {f.key: f.value for f in [*figures, *jobs]}
    figures += jobs
    figures += external_figures(spec, use_cases, known)
    if (split := shares_assumption(spec)) is not None:
        assumptions.append(split)
    # every table sized as it will be stored: one the partitioning rule will partition by time with the partition column in
    # its key, so the size the plan is decided by is the size every section states (issue 22-e1)
    sized = sized_as_planned(spec, analysis, arch)
    figures += _storage(spec, sized)
    figures += _rows_a_day(spec, analysis, arch)
    figures += _object_storage(spec, arch, figures, assumptions)
    figures += table_payload_figures(spec, sized)
    figures += traffic_figures(spec, analysis, arch, assumptions)
    figures = with_served_peak(figures)
    rps, basis = instance_rps(spec)
    if spec.constraints.instance_rps is None:
        assumptions.append(f"constraints.instance_rps: not given; {rps:,.0f} req/s per instance ({basis})")
    figures += _compute(arch, figures, rps)
    figures += pool_figures(analysis, arch.model_copy(update={"figures": figures}))
    return arch.model_copy(update={"figures": figures, "assumptions": assumptions})


def _rate_figures(use_case: UseCase, reading: str, factor: float) -> list[Figure]:
    """The use case's rate as given (average or peak), and the other one through the peak factor."""
    rate = use_case.spec.rate
    assert rate is not None
    given = rate.per_second
    scope = f"use case '{use_case.name}'"
    stated = "avg" if reading == "average" else "peak"
    derived = "peak" if stated == "avg" else "avg"
    names = {"avg": "average", "peak": "peak"}
    derived_value, derived_formula, derived_inputs = (
        (given * factor, "average x peak_factor", {"average": given, "peak_factor": factor})
        if derived == "peak"
        else (given / factor, "peak / peak_factor", {"peak": given, "peak_factor": factor})
    )
    return [
        Figure(
            key=f"qps.{stated}.{use_case.id}",
            quantity=f"{names[stated]} rate of {use_case.name}",
            value=given,
            unit="req/s",
            formula="count / period_s",
            inputs=_rate_inputs(rate),
            scope=scope,
        ),
        Figure(
            key=f"qps.{derived}.{use_case.id}",
            quantity=f"{names[derived]} rate of {use_case.name}",
            value=derived_value,
            unit="req/s",
            formula=derived_formula,
            inputs=derived_inputs,
            scope=scope,
        ),
    ]


def _rate_inputs(rate: Rate) -> dict[str, float]:
    """The spec's rate as written: ``2M/day`` is count 2,000,000 over period 86,400 s."""
    return {"count": rate.count, "period_s": rate.period_s}


def _totals(analysis: Analysis, arch: Architecture) -> list[Figure]:
    use_cases = [u for u in analysis.use_cases if u.spec.rate is not None]
    # an action changing no field is a read of its row (analysis.UseCase.changes_rows)
    reads = {f"peak_{u.id}": u.peak_qps for u in use_cases if not u.changes_rows}
    writes = {f"peak_{u.id}": u.peak_qps for u in use_cases if u.changes_rows}
    acting = any(u.is_write and not u.changes_rows for u in use_cases)
    figures = [
        Figure(
            key="qps.peak.read",
            quantity="peak read rate, all use cases",
            value=sum(reads.values()),
            unit="req/s",
            formula="sum of peak rates of read use cases" + (" (an action changing no field among them)" if acting else ""),
            inputs=reads,
        ),
        Figure(
            key="qps.peak.write",
            quantity="peak write rate, all use cases",
            value=sum(writes.values()),
            unit="req/s",
            formula="sum of peak rates of write use cases",
            inputs=writes,
        ),
    ]
    owner = {e: s.name for s in arch.services for e in s.entities}
    per_service: dict[str, dict[str, float]] = {s.name: {} for s in arch.services}
    for use_case in use_cases:
        per_service[owner[use_case.entity]][f"peak_{use_case.id}"] = use_case.peak_qps
    for load in readback_requests(analysis, arch):  # the GETs reading created rows back: requests the owning service serves
        if load.entity in owner:
            per_service[owner[load.entity]][load.key] = load.reads_per_s
    # other services' synchronous calls on it: their checks of its rows and their reads of its data (design/service_calls.py)
    for held, calls in call_requests(analysis, arch).items():
        per_service[held].update(calls)
    for service in arch.services:
        mine = per_service[service.name]
        figures.append(
            Figure(
                key=f"qps.peak.service.{service.name}",
                # a module is not run on its own: its peak is its share of what the one deployable serves
                quantity=f"module {service.name}'s share of the {arch.system} deployable's peak requests/s"
                if one_deployable(arch)
                else f"peak request rate of {service.name}",
                value=sum(mine.values()),
                unit="req/s",
                formula=(
                    "sum of peak rates of its use cases, of the GETs reading created rows back (readback_<operation>) "
                    "and of other services' existence checks of its rows (check_<operation>)"
                    + (
                        " and other synchronous calls on it, each call of every request of the caller (a paged list read until done, or a GET for each "
                        "row a page names, counts each page or row), answered by a cache or not: sized for "
                        "a caller's cache cold or down (call_<operation>)"
                        if any(k.startswith("call_") for k in mine)
                        else ""
                    )
                ),
                inputs=mine,
                scope=service.name,
            )
        )
    return figures


def sized_as_planned(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """``arch`` with each table the partitioning rule will partition by time keyed as it will be stored (its primary key with
    the partition column: ``partition_rule.as_planned``), for sizing only."""
    from backend_architect.design.partition_rule import as_planned  # the rule reads this module's sizes

    keyed = as_planned(spec, analysis, arch, lambda t: planned_size(spec, t))
    stores = [s.model_copy(update={"tables": [keyed(t) for t in s.tables]}) for s in arch.datastores]
    return arch.model_copy(update={"datastores": stores})


def planned_size(spec: Spec, table: Table) -> float:
    """``table``'s bytes with indexes at the horizon: the ``bytes.<horizon>y.<table>`` formula."""
    rows, _ = rows_after(table, spec.scale.retention_years or 5.0, spec.scale.growth_per_year or 0.0)
    return rows * (row_bytes(table) + index_bytes_per_row(table)) / PAGE_FILL


def row_bytes(table: Table) -> int:
    """Bytes one row takes in the heap: column averages plus tuple overhead."""
    return ROW_OVERHEAD_BYTES + sum(c.avg_bytes for c in table.columns)


def index_bytes_per_row(table: Table) -> int:
    """Bytes each row adds across its indexes, the primary key as stored included: a partitioned table's key holds its
    partition column (the partitioning stage adds it), whether or not the plan's key has been widened yet."""
    width = {c.name: c.avg_bytes for c in table.columns}
    key = [*table.primary_key, *([table.partitioning.column] if table.partitioning and table.partitioning.column not in table.primary_key else [])]
    total = INDEX_ENTRY_OVERHEAD + sum(width.get(c, 8) for c in key)
    for index in table.indexes:
        keys = sum(width.get(c.name, 8) for c in index.columns) + sum(width.get(c, 8) for c in index.include)
        total += INDEX_ENTRY_OVERHEAD + (keys if index.method == "btree" else 3 * keys)
    for unique in table.uniques:
        total += INDEX_ENTRY_OVERHEAD + sum(width.get(c, 8) for c in unique.columns)
    return total


def rows_after(table: Table, years: float, growth: float) -> tuple[float, str]:
    """Rows after ``years``, with traffic growing by ``growth`` a year and retention capping it.

    The cap holds at every horizon, a day as much as ten years: a table never holds more than its retention's days of rows,
    whatever it held today plus what it gained, so no growth stage dates a size the retention makes impossible (a 30-day
    table full today does not pass 2 TB "in about 16 days").

    >>> t = Table(name="q", columns=[], primary_key=["id"], rows_now=30e6, rows_per_day=1e6, retention_days=30)
    >>> rows_after(t, 16 / 365, 0.0)[0], rows_after(t, 10.0, 0.0)[0]
    (30000000.0, 30000000.0)
    """
    per_year = table.rows_per_day * DAYS_PER_YEAR
    whole = math.floor(years)
    added = sum(per_year * (1 + growth) ** k for k in range(whole)) + per_year * (1 + growth) ** whole * (years - whole)
    formula = "rows_now + rows_per_day x 365 x sum((1+growth)^k for each year)"
    rows = table.rows_now + added
    if table.retention_days is not None and table.rows_per_day:
        cap = table.rows_per_day * (1 + growth) ** max(years - 1, 0) * table.retention_days
        if cap < rows:
            rows, formula = cap, "rows_per_day x (1+growth)^(years-1) x retention_days (older rows expire)"
    return rows, formula


def _rows_a_day(spec: Spec, analysis: Analysis, arch: Architecture) -> list[Figure]:
    """New rows a day of each entity's table, with where the number comes from (stated growth, creating use cases, the parent's growth),
    and of each join table the creates setting its relation fill (``design/link_writes.py``).

    Every sentence that says "N rows a day" reads ``table.rows_per_day``; this figure is its working.
    """

    def working(table: Table, formula: str, inputs: dict[str, float]) -> Figure:
        return Figure(
            key=f"storage.rows_per_day.{table.name}",
            quantity=f"new rows a day in {table.name}",
            value=table.rows_per_day,
            unit="rows/day",
            formula=formula,
            scope=table.name,
            inputs=inputs,
        )

    found = []
    linked = join_rows(spec, analysis)
    for table in (t for s in arch.datastores for t in s.tables):
        join = linked.get(table.name) if table.entity is None else None
        if join is not None and table.rows_per_day and table.rows_per_day == join.rows_per_day:
            found.append(working(table, join.formula, dict(join.inputs)))
            continue
        facts = analysis.entities.get(table.entity or "")
        if facts is not None and table.rows_per_day and facts.day_formula and table.rows_per_day == facts.rows_per_day:
            found.append(working(table, facts.day_formula, dict(facts.day_inputs)))
    return found


def _storage(spec: Spec, arch: Architecture) -> list[Figure]:
    growth = spec.scale.growth_per_year or 0.0
    horizon = sizing_horizon(spec)
    figures: list[Figure] = []
    for store in arch.datastores:
        totals = {1.0: 0.0, horizon: 0.0}
        by_table: dict[tuple[str, float], float] = {}
        for table in store.tables:
            per_row = (row_bytes(table) + index_bytes_per_row(table)) / PAGE_FILL
            for years in sorted(set(totals)):
                rows, formula = rows_after(table, years, growth)
                label = f"{years:g}y"
                figures.append(
                    Figure(
                        key=f"rows.{label}.{table.name}",
                        quantity=f"rows in {table.name} after {years:g} year(s)",
                        value=rows,
                        unit="rows",
                        formula=formula,
                        scope=table.name,
                        inputs={
                            "rows_now": table.rows_now,
                            "rows_per_day": table.rows_per_day,
                            "growth": growth,
                            "years": years,
                            # stated only when rows expire: no retention means nothing is deleted
                            **({"retention_days": table.retention_days} if table.retention_days is not None else {}),
                        },
                    )
                )
                size = rows * per_row
                figures.append(
                    Figure(
                        key=f"bytes.{label}.{table.name}",
                        quantity=f"size of {table.name} with indexes after {years:g} year(s)",
                        value=size,
                        unit="bytes",
                        formula="rows x (row_bytes + index_bytes_per_row) / page_fill",
                        scope=table.name,
                        inputs={"rows": rows, "row_bytes": row_bytes(table), "index_bytes_per_row": index_bytes_per_row(table), "page_fill": PAGE_FILL},
                    )
                )
                totals[years] += size
                by_table[(table.name, years)] = size
        for years, size in sorted(totals.items()):
            parts = {t.name: by_table[(t.name, years)] for t in store.tables}
            figures.append(
                Figure(
                    key=f"bytes.{years:g}y.datastore.{store.name}",
                    quantity=f"size of {store.name} after {years:g} year(s)",
                    value=size,
                    unit="bytes",
                    formula="sum of its tables' sizes",
                    inputs=parts,
                    scope=store.name,
                )
            )
    return figures


def blob_bytes_per_row(spec: Spec) -> dict[str, float]:
    """Bytes of blob content one row of each table keeps in object storage (its blob fields' average sizes).

    A compressed copy replaces the upload: the original is stored at the share its compression keeps; an optional blob
    counts in the share of rows that set it (``share``: 5% of messages carry a file).
    """
    per_row: dict[str, float] = {}
    for name, entity in spec.entities.items():
        for field_name, field in entity.fields.items():
            if field.type.kind == "blob":
                squeezed = compression(field_name, field)
                size = (field.avg_bytes or BLOB_CONTENT_BYTES) * (squeezed.kept if squeezed else 1.0) * field.set_share
                per_row[table_name(name)] = per_row.get(table_name(name), 0.0) + size
    return per_row


def _object_storage(spec: Spec, arch: Architecture, figures: list[Figure], assumptions: list[str]) -> list[Figure]:
    """Bytes of blob content in object storage, kept apart from the database."""
    rows = {f.key: f.value for f in figures if f.key.startswith("rows.")}
    horizon = sizing_horizon(spec)
    per_row = blob_bytes_per_row(spec)
    assumptions += [
        f"entities.{name}.fields.{field_name}.avg_bytes: not given; blobs assumed {BLOB_CONTENT_BYTES // 1000} KB"
        for name, entity in spec.entities.items()
        for field_name, field in entity.fields.items()
        if field.type.kind == "blob" and field.avg_bytes is None
    ]
    result = _originals_per_day(arch, per_row)
    result += _at_today_rate(arch, per_row, horizon)
    for years in sorted({1.0, horizon}):
        label = f"{years:g}y"
        inputs = {f"{t}_rows": rows.get(f"rows.{label}.{t}", 0.0) for t in per_row} | {f"{t}_bytes_per_row": b for t, b in per_row.items()}
        if not per_row:
            continue
        # what media processing made from the blobs (renditions, thumbnails) lives beside them: one total for the store
        made = {f.key.removeprefix(f"bytes.{label}.object_store."): f.value for f in arch.figures if f.key.startswith(f"bytes.{label}.object_store.")}
        total = sum(rows.get(f"rows.{label}.{t}", 0.0) * b for t, b in per_row.items()) + sum(made.values())
        result.append(
            Figure(
                key=f"bytes.{label}.object_store",
                quantity=f"object storage after {years:g} year(s)",
                value=total,
                unit="bytes",
                formula="sum over tables of rows x blob bytes per row" + (" + the outputs processed from them" if made else ""),
                inputs=inputs | made,
                scope="object storage",
            )
        )
        if made:
            # the uploads alone, the figure a back-of-envelope of uploads x size checks (not a bytes.<N>y.<part>: those add up to the total)
            result.append(
                Figure(
                    key=f"storage.object_store.originals_{label}",
                    quantity=f"object storage of the uploaded originals after {years:g} year(s) (without what is processed from them)",
                    value=sum(rows.get(f"rows.{label}.{t}", 0.0) * b for t, b in per_row.items()),
                    unit="bytes",
                    formula="sum over tables of rows x blob bytes per row",
                    inputs=inputs,
                    scope="object storage",
                )
            )
    return result


def _at_today_rate(arch: Architecture, per_row: dict[str, float], years: float) -> list[Figure]:
    """Bytes the uploads add to object storage over the horizon at today's rate: no growth, each table's retention kept.

    The figure a back-of-envelope (10 TB a day x 365 x 10 years) checks; ``bytes.<N>y.object_store``
    beside it compounds the stated growth and counts the objects stored today.
    """
    daily = {t.name: t for s in arch.datastores for t in s.tables if t.name in per_row and t.rows_per_day > 0}
    if not daily:
        return []
    days = {name: min(years * DAYS_PER_YEAR, t.retention_days if t.retention_days is not None else years * DAYS_PER_YEAR) for name, t in daily.items()}
    terms = (
        {f"{n}_rows_per_day": t.rows_per_day for n, t in daily.items()}
        | {f"{n}_bytes_per_row": per_row[n] for n in daily}
        | {f"{n}_days": d for n, d in days.items()}
    )
    return [
        Figure(
            key=f"storage.object_store.at_today_rate_{years:g}y",
            quantity=f"object storage the uploads add over {years:g} year(s) at today's rate (no growth; the total, with the objects stored "
            f"today, any stated growth and what is processed from them, is the 'object storage after {years:g} year(s)' figure)",
            value=sum(t.rows_per_day * per_row[n] * days[n] for n, t in daily.items()),
            unit="bytes",
            formula=" + ".join(f"{n}_rows_per_day x {n}_bytes_per_row x {n}_days" for n in daily),
            inputs=terms,
            scope="object storage",
        )
    ]


def _originals_per_day(arch: Architecture, per_row: dict[str, float]) -> list[Figure]:
    """Bytes of blobs uploaded a day: rows a day x blob bytes, per table (renditions are the media figures')."""
    daily = {t.name: t.rows_per_day for s in arch.datastores for t in s.tables if t.name in per_row and t.rows_per_day > 0}
    if not daily:
        return []
    terms = {f"{t}_rows_per_day": r for t, r in daily.items()} | {f"{t}_bytes_per_row": per_row[t] for t in daily}
    return [
        Figure(
            key="storage.object_store.originals_per_day",
            quantity="bytes of uploaded originals object storage takes in a day",
            value=sum(r * per_row[t] for t, r in daily.items()),
            unit="bytes/day",
            formula=" + ".join(f"{t}_rows_per_day x {t}_bytes_per_row" for t in daily),
            inputs=terms,
            scope="object storage",
        )
    ]


def _compute(arch: Architecture, figures: list[Figure], rps: float) -> list[Figure]:
    """Instances from each deployable's requests: each service's, or the one deployable holding every module (a module is
    never sized as if it ran on its own; database connections are ``pool_figures``')."""
    by_key = {f.key: f for f in figures}
    result: list[Figure] = []
    if one_deployable(arch):
        # every module runs in one deployable: its instances carry the sum of their load, and a module has no instances of its
        # own to count (its share of the load is qps.peak.service.<module>)
        total = sum(by_key[f"qps.peak.service.{s.name}"].value for s in arch.services)
        # the peak it is sized on is a figure the document names: qps.peak.served where it differs from qps.peak.total
        sized_on = ", sized on the peak requests/s the modules serve (qps.peak.served)" if "qps.peak.served" in by_key else ""
        result.append(
            Figure(
                key=f"instances.deployable.{arch.system}",
                quantity=f"instances of the {arch.system} deployable (all modules){sized_on}",
                value=max(MIN_INSTANCES, math.ceil(total / rps) + 1),
                unit="instances",
                formula="max(min_instances, ceil(peak / instance_rps) + 1) (one spare for a failing instance)",
                scope=arch.system,
                inputs={"peak": total, "instance_rps": rps, "min_instances": MIN_INSTANCES},
            )
        )
        return result
    for service in arch.services:
        peak = by_key[f"qps.peak.service.{service.name}"].value
        needed = math.ceil(peak / rps)
        instances = max(MIN_INSTANCES, needed + 1)
        result.append(
            Figure(
                key=f"instances.{service.name}",
                quantity=f"instances of {service.name}",
                value=instances,
                unit="instances",
                formula="max(min_instances, ceil(peak / instance_rps) + 1) (one spare for a failing instance)",
                scope=service.name,
                inputs={"peak": peak, "instance_rps": rps, "min_instances": MIN_INSTANCES},
            )
        )
    return result


def _audience_of_fanout(spec: Spec, analysis: Analysis, use_case: UseCase) -> str:
    """Whom ``avg_fanout`` counts, when a feed claims it: its deliveries are to the followers' lists, not a real-time stream's."""
    counted = counted_elsewhere(spec, analysis, use_case)
    return f" (to the lists of the {counted} followers, avg_fanout)" if counted else ""
