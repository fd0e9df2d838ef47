"""Stage 9: the potential bottlenecks, ranked by how close each is to its limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.bottleneck_checks import (
    call_chains,
    chatty_calls,
    external_limits,
    hot_rows,
    indexed_writes,
    large_offsets,
    outlook,
    read_step,
    redis_operations,
    write_step,
)
from backend_architect.design.capacity import PRIMARY_READ_CEILING, PRIMARY_WRITE_CEILING
from backend_architect.design.churn import kept_out_of_database
from backend_architect.design.fanout_steps import built_fanout, fanout_step
from backend_architect.design.partition_rule import PARTITION_MIN_BYTES, SHARD_MIN_BYTES, THRESHOLD, TimeVerdict, referencing_tables, time_verdict
from backend_architect.design.partitioning_steer import kept_whole_by_author
from backend_architect.design.patterns._common import READ_HEADROOM, fmt
from backend_architect.design.patterns._common import horizon as sizing_horizon
from backend_architect.design.write_headroom import WRITE_HEADROOM
from backend_architect.ir.model import Architecture, Bottleneck, Figure, Table
from backend_architect.ir.query import busiest_read_primary, busiest_write_primary
from backend_architect.spec.model import Spec

#: Copies per second a write addresses to its recipients past which write-time fan-out needs a queue of its own.
FANOUT_MAX_PER_S = 1_000.0
#: Rows past which an unpaginated list is a risk.
UNBOUNDED_LIST_ROWS = 1_000


def _size_step(table: Table, verdict: TimeVerdict) -> str:
    """What to do about a large table: the partitioning stage's verdict on it (``partition_rule.TimeVerdict``), the same
    threshold and reason the partitioning decision states, never a plan it refused without saying when it would apply."""
    steps = []
    batched = _batched(table)
    if verdict.partitioned:
        steps.append(f"partitioned {verdict.partitioned} (see the partitioning decision)")
    elif verdict.authored:
        steps.append("kept whole by the spec author (see the partitioning decision)" + (f": {batched}" if batched else ""))
    elif verdict.kept_whole:
        steps.append(f"kept whole past {THRESHOLD} (the partitioning decision): {verdict.reason}" + (f"; meanwhile {batched}" if batched else ""))
    elif verdict.reason:
        steps.append(f"no time partitions at any size: {verdict.reason}" + (f"; {batched}" if batched else ""))
    else:
        drop = f" and drop partitions older than {table.retention_days:g} days" if table.retention_days is not None else ""
        steps.append(f"partition by created_at{drop} once it passes {THRESHOLD}")
    if table.sharding:
        steps.append(f"shard by {table.sharding.key}")
    elif not verdict.appended:
        steps.append(f"shard by its dominant key past {SHARD_MIN_BYTES / 1e12:,.0f} TB per primary")
    return "; ".join(steps)


@dataclass(frozen=True)
class _FanOut:
    value: float
    bottleneck: Bottleneck


def fanout_on_write(figures: Mapping[str, Figure], use_case: UseCase, arch: Architecture) -> _FanOut | None:
    """The fan-out risk of a write, read from the figure counting its copies: its feed's writes to the readers' lists
    (``deliveries.peak``), else its ``fanout.peak`` (the copies it addresses to its recipients). Its next step is the one
    beyond what the design built for those copies (``fanout_steps``), never a queue or a cut-off it already runs.

    A write to one recipient a message (<= 1) fans nothing out: it has no such risk. The trigger names the figure's own
    unit (list writes/s, recipient copies/s), not the deliveries to connected clients, which are a share of the copies.
    """
    found = figures.get(f"deliveries.peak.{use_case.id}") or figures.get(f"fanout.peak.{use_case.id}")
    if found is None:
        return None
    peak = found.inputs.get("peak", found.inputs.get("writes_peak", 0.0))
    recipients = found.inputs.get("avg_fanout", found.inputs.get("sources_per_reader", 0.0))
    if recipients <= 1.0:
        return None
    trigger = f"{found.value:,.0f} {found.unit} at peak ({fmt(peak)} writes/s x {fmt(recipients)} recipients; threshold {FANOUT_MAX_PER_S:,.0f}/s)"
    bottleneck = Bottleneck(
        rank=0,
        title=f"Fan-out on write in '{use_case.name}'",
        scope=use_case.name,
        trigger=trigger,
        scaling_step=fanout_step(built_fanout(arch, use_case), found.value),
        figure=found.key,
    )
    return _FanOut(found.value, bottleneck)


def _planned(ceiling: float, headroom: float, act: str) -> str:
    """The second threshold beside a ceiling: the share of it a node is planned to, past which the design acts (sharding, a
    read copy), so a figure between the two reads as what it is, within the ceiling and past the plan, never two verdicts."""
    return f" (the ceiling; a node is planned to {headroom:.0%} of it, {ceiling * headroom:,.0f}/s, past which the design {act})"


def _batched(table: Table) -> str:
    """Keeping an unpartitioned table's size down: expire or archive old rows in bounded batches, never one long DELETE. A table
    holding no created_at (an event-fed copy of pairs) has no age to batch by: its rows go when its source's do, so none is offered."""
    if all(c.name != "created_at" for c in table.columns):
        return ""
    if table.retention_days is not None:
        return f"delete rows older than {table.retention_days:g} days in batches by created_at"
    return "archive cold rows to a history table or object storage in batches by created_at"


def derive_bottlenecks(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Risks with the number that triggers each, most pressing first, and the 10x outlook."""
    found: list[tuple[float, Bottleneck]] = []
    figures = {f.key: f for f in arch.figures}
    write = figures.get("db.write_utilisation")
    read = figures.get("db.read_utilisation")
    if write:
        found.append(
            (
                write.value,
                Bottleneck(
                    rank=0,
                    title="Write ceiling of one database primary",
                    scope="database",
                    trigger=f"peak writes on the busiest primary ({busiest_write_primary(write.quantity)}) {write.inputs['peak_write']:,.1f}/s "
                    f"= {write.value:.1%} of {PRIMARY_WRITE_CEILING:,}/s"
                    + _planned(PRIMARY_WRITE_CEILING, WRITE_HEADROOM, "shards the table carrying most of them"),
                    scaling_step=write_step(arch),
                    figure=write.key,
                ),
            )
        )
    if read:
        share = read.value
        found.append(
            (
                share,
                Bottleneck(
                    rank=0,
                    title="Read load on the primary",
                    scope="database",
                    trigger=f"peak reads reaching the busiest primary ({busiest_read_primary(read.quantity)}) after caches {read.inputs['peak_reads']:,.1f}/s "
                    f"= {share:.1%} of {PRIMARY_READ_CEILING:,}/s" + _planned(PRIMARY_READ_CEILING, READ_HEADROOM, "adds a read copy"),
                    scaling_step=read_step(arch),
                    figure=read.key,
                ),
            )
        )
    horizon = sizing_horizon(spec)
    referenced = referencing_tables(arch)
    for store in arch.datastores:
        for table in store.tables:
            size = figures.get(f"bytes.{horizon:g}y.{table.name}")
            # a wide-column store holds it (PAT055): its size is that store's nodes, not a primary's disk
            if size and size.value > PARTITION_MIN_BYTES / 10 and table.wide_column is None:
                verdict = time_verdict(analysis, table, size.value, horizon, referenced, kept_whole_by_author(spec, table.name), kept_out_of_database(arch))
                found.append(
                    (
                        size.value / SHARD_MIN_BYTES,  # pressure against what one primary holds, the hard limit
                        Bottleneck(
                            rank=0,
                            title=f"Size of {table.name}",
                            scope=table.name,
                            trigger=f"{verdict.size_said} ({verdict.threshold_said})",
                            scaling_step=_size_step(table, verdict),
                            figure=size.key,
                        ),
                    )
                )
    rows = {t.entity: t.rows_now for s in arch.datastores for t in s.tables if t.entity}
    for use_case in analysis.use_cases:
        if (copies := fanout_on_write(figures, use_case, arch)) is not None:
            found.append((copies.value / FANOUT_MAX_PER_S, copies.bottleneck))
        if use_case.kind == "list" and use_case.spec.page.style == "none" and rows.get(use_case.entity, 0) > UNBOUNDED_LIST_ROWS:
            found.append(
                (
                    rows[use_case.entity] / UNBOUNDED_LIST_ROWS,
                    Bottleneck(
                        rank=0,
                        title=f"List without pages in '{use_case.name}'",
                        scope=use_case.name,
                        # the contract bounds the answer at the page maximum: past it, rows are not lost but unreachable
                        trigger=f"{rows[use_case.entity]:,.0f} rows to list and one answer of at most {use_case.spec.page.max} items: "
                        f"the rest cannot be reached (threshold {UNBOUNDED_LIST_ROWS:,} rows)",
                        scaling_step="paginate with a cursor (page: cursor)",
                    ),
                )
            )
    use_cases = analysis.use_cases
    found += hot_rows(spec, use_cases, rows)
    found += large_offsets(use_cases, rows)
    found += indexed_writes(arch)
    found += chatty_calls(arch, use_cases)
    found += external_limits(spec, arch)
    found += call_chains(spec, arch)
    found += redis_operations(arch)
    found += outlook(arch)
    ranked = sorted(found, key=lambda item: (-item[0], item[1].title))
    bottlenecks = [b.model_copy(update={"rank": i + 1}) for i, (_, b) in enumerate(ranked)]
    return arch.model_copy(update={"bottlenecks": bottlenecks})
