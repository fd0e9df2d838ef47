"""What the storage-placement patterns share: the sizes of the hot store, who reads an entity and how,
and the storage figures of a table the placement changed.

Private to the storage, availability and growth patterns. The ceilings are the ones the
partitioning stage plans with, imported rather than restated, so a table never fits one
store by one pattern's numbers and not by another's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.capacity import PAGE_FILL, index_bytes_per_row, planned_size, row_bytes, rows_after
from backend_architect.design.partition_rule import PARTITION_COLUMN, PARTITION_MIN_BYTES, SHARD_MIN_BYTES, as_planned
from backend_architect.design.patterns._common import DEFAULT_HORIZON_YEARS as DEFAULT_HORIZON_YEARS
from backend_architect.design.patterns._common import figure
from backend_architect.design.patterns._common import horizon as horizon
from backend_architect.design.payload import DISK_PER_DAY, disk_per_day, disk_total
from backend_architect.design.wide_column_sizes import HELD_FORMULA, held_row_bytes, held_said, held_where
from backend_architect.design.workload import schedule_interval
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.units import DAYS_PER_YEAR, SECONDS_PER_DAY

#: What one PostgreSQL primary holds before backups, restores, vacuum and upgrades take too long
#: (the partitioning stage's sharding threshold): the hot store's size.
HOT_STORE_BYTES = float(SHARD_MIN_BYTES)
#: Memory of the database server the design plans for: data and indexes past it no longer fit in RAM.
NODE_RAM_BYTES = float(PARTITION_MIN_BYTES)
#: Share of the hot store a tiered table's hot window may fill, leaving room for the other tables and growth.
HOT_SHARE = 0.5
#: The hot window of a tiered table stays between a week (one backup cycle) and a year.
HOT_WINDOW_DAYS = (7.0, 365.0)


def is_log(table: Table, mutability: str) -> bool:
    """Rows only ever appended: declared ``append_only``, or only created and without a unique key (a log, not a set of things)."""
    return table.append_only or (mutability in {"immutable", "append_only"} and not table.uniques)


def per_row_bytes(table: Table) -> float:
    """Bytes one row takes with its index entries, as the capacity stage counts them."""
    return (row_bytes(table) + index_bytes_per_row(table)) / PAGE_FILL


def day_bytes(table: Table) -> float:
    """Bytes one day of ``table``'s new rows takes as time partitions store it: its key with the partition column.

    A table's last days (a hot window on fast storage, the raw rows kept beside an analytics store) are only ever held
    in day partitions, so every figure of "N days of rows" reads this one function and a table's hot week is one size
    in every section (issue 22, h2: 1.6 TB in one record, 1.71 TB in another).
    """
    return table.rows_per_day * partitioned_row_bytes(table)


def partitioned_row_bytes(table: Table) -> float:
    """Bytes one row takes in day partitions (its key widened by the partition column): what ``day_bytes`` counts a row at, and
    what a record weighing those days against the whole horizon counts it at too (issue 22, j4: 130 B a row beside 137.8 B)."""
    keyed = table if PARTITION_COLUMN in table.primary_key else table.model_copy(update={"primary_key": [*table.primary_key, PARTITION_COLUMN]})
    return per_row_bytes(keyed)


def window_bytes(table: Table, days: float) -> float:
    """Bytes ``days`` of ``table``'s rows take in day partitions (``day_bytes``)."""
    return days * day_bytes(table)


@dataclass(frozen=True)
class Readers:
    """Who reads an entity: requests that look rows up, and aggregates that scan them."""

    lookups: tuple[UseCase, ...]
    scans: tuple[UseCase, ...]

    @property
    def none(self) -> bool:
        return not self.lookups and not self.scans

    def scan_window_days(self) -> float | None:
        """Days of raw rows the aggregates need: their windows, or two runs of a job; None when none states one."""
        windows: list[float] = []
        for use_case in self.scans:
            spec = use_case.spec
            if spec.top is not None and spec.top.window:
                windows.append(spec.top.window / SECONDS_PER_DAY)
            elif spec.series is not None and spec.series.over:
                windows.append(spec.series.over / SECONDS_PER_DAY)
            elif spec.schedule:
                windows.append(2 * schedule_interval(spec.schedule) / SECONDS_PER_DAY)
        return max(windows) if windows else None


def is_scan(use_case: UseCase) -> bool:
    """A read that aggregates rows instead of returning them: a job, a ranking or a time series."""
    return use_case.is_job or use_case.spec.top is not None or use_case.spec.series is not None


def reader_index(analysis: Analysis) -> dict[str, Readers]:
    """For every entity, the use cases that read it (not only write it), split into lookups and scans; one pass over the use cases."""
    found: dict[str, tuple[list[UseCase], list[UseCase]]] = {}
    for use_case in analysis.use_cases:
        read = set(use_case.reads) | ({use_case.entity} if not use_case.is_write else set())
        for entity in sorted(read):
            lookups, scans = found.setdefault(entity, ([], []))
            (scans if is_scan(use_case) else lookups).append(use_case)
    return {entity: Readers(tuple(lookups), tuple(scans)) for entity, (lookups, scans) in found.items()}


NO_READERS = Readers((), ())


def readers(analysis: Analysis, entity: str) -> Readers:
    """The use cases that read ``entity``, split into lookups and scans (see ``reader_index`` for many entities)."""
    return reader_index(analysis).get(entity, NO_READERS)


def hot_window_days(bytes_per_day: float, horizon_days: float) -> float:
    """Days of rows the hot store keeps: what fits in its share of one primary, within a week and a year.

    >>> hot_window_days(200e9, 3650)
    7.0
    >>> hot_window_days(1e9, 3650)
    365.0
    """
    low, high = HOT_WINDOW_DAYS
    fits = HOT_STORE_BYTES * HOT_SHARE / bytes_per_day if bytes_per_day else high
    return float(min(horizon_days, max(low, min(high, int(fits)))))


def storage_figures(spec: Spec, arch: Architecture, changed: Iterable[Table], analysis: Analysis | None = None) -> list[Figure]:
    """Rows and bytes at 1 year and the horizon for the tables a placement changed, and their datastores' totals.

    The figures keep the capacity stage's keys and formulas, so they replace its figures for
    the same tables when merged. Given ``analysis``, a table the partitioning rule will partition by time is sized as it will
    be stored, as the capacity stage sizes it (``capacity.sized_as_planned``).
    """
    growth = spec.scale.growth_per_year or 0.0
    years_list = sorted({1.0, horizon(spec)})
    keyed = as_planned(spec, analysis, arch, lambda t: planned_size(spec, t)) if analysis is not None else None
    by_name = {t.name: keyed(t) if keyed else t for t in changed}
    known = {f.key: f.value for f in arch.figures}
    result: list[Figure] = []
    for store in arch.datastores:
        if not any(t.name in by_name for t in store.tables):
            continue
        totals = dict.fromkeys(years_list, 0.0)
        parts: dict[float, dict[str, float]] = {years: {} for years in years_list}
        for current in store.tables:
            table = by_name.get(current.name, current)
            for years in years_list:
                label = f"{years:g}y"
                if table.name in by_name:
                    rows, formula = rows_after(table, years, growth)
                    held = held_row_bytes(table)
                    size = rows * (held if held is not None else per_row_bytes(table))
                    inputs = {"rows_now": table.rows_now, "rows_per_day": table.rows_per_day, "growth": growth, "years": years}
                    result.append(
                        figure(
                            f"rows.{label}.{table.name}",
                            f"rows in {table.name} after {years:g} year(s)",
                            rows,
                            "rows",
                            formula,
                            inputs | ({"retention_days": table.retention_days} if table.retention_days is not None else {}),
                            table.name,
                        )
                    )
                    result.append(
                        figure(
                            f"bytes.{label}.{table.name}",
                            f"size of {table.name} after {years:g} year(s){held_where(table)}",
                            size,
                            "bytes",
                            HELD_FORMULA,
                            {"rows": rows, "row_bytes": held},
                            table.name,
                        )
                        if held is not None
                        else figure(
                            f"bytes.{label}.{table.name}",
                            f"size of {table.name} with indexes after {years:g} year(s)",
                            size,
                            "bytes",
                            "rows x (row_bytes + index_bytes_per_row) / page_fill",
                            {"rows": rows, "row_bytes": row_bytes(table), "index_bytes_per_row": index_bytes_per_row(table), "page_fill": PAGE_FILL},
                            table.name,
                        )
                    )
                else:
                    size = known.get(f"bytes.{label}.{table.name}", 0.0)
                if table.wide_column is not None:
                    continue  # a wide-column store holds it (its own figures): the database keeps only a development stand-in
                totals[years] += size
                parts[years][table.name] = size
        result += [f for t in store.tables if t.name in by_name and (f := disk_per_day(by_name[t.name])) is not None]
        for years in years_list:
            result.append(
                figure(
                    f"bytes.{years:g}y.datastore.{store.name}",
                    f"size of {store.name} after {years:g} year(s)",
                    totals[years],
                    "bytes",
                    "sum of its tables' sizes",
                    parts[years],
                    store.name,
                )
            )
    return [*result, *_disk_total(arch, by_name, result)]


def _disk_total(arch: Architecture, changed: Mapping[str, Table], fresh: list[Figure]) -> list[Figure]:
    """The bytes all tables add a day, again: a changed table's own figure replaced, a table no store holds any more left out."""
    held = {t.name for s in arch.datastores for t in s.tables} | set(changed)
    per_table = {f.scope: f.value for f in arch.figures if f.key.startswith(DISK_PER_DAY + ".") and f.scope not in changed}
    per_table |= {str(f.scope): f.value for f in fresh if f.key.startswith(DISK_PER_DAY + ".")}
    tables = {t.name: t for s in arch.datastores for t in s.tables} | dict(changed)
    parts = {t: v for t, v in per_table.items() if t in held}
    total = disk_total(parts, held_said(tables[t] for t in parts))
    return [total] if total is not None else []


def bytes_at(known: Mapping[str, float], table: str, years: float) -> float:
    """A table's size after ``years``, from the figures by key (built once per pattern: designs hold tens of thousands)."""
    return known.get(f"bytes.{years:g}y.{table}", 0.0)


def days(years: float) -> float:
    return years * DAYS_PER_YEAR
