"""PAT045: a value rewritten faster than one primary should take (a position, a reading) is held in memory; the row keeps a snapshot."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING, decision, figure, fmt, owner_of, size
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: Latest-value writes past this share of one primary's write ceiling go to memory: row rewrites
#: (a new tuple, WAL, index updates) at that rate crowd out the transactional writes.
LATEST_SHARE = 0.2
#: Seconds between snapshots of the latest value into the row (write-behind).
SNAPSHOT_SECONDS = 60
#: Bytes one latest value takes in Redis: key, value and overhead.
ENTRY_BYTES = 128


@pattern(code="PAT045", name="latest-values-in-memory", stage="placement", title="Hold fast-changing latest values in memory")
def latest_values(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A use case marked ``latest`` (each write replaces the row's current value; the history is
    not read) whose peak rate passes ``LATEST_SHARE`` (20%) of one primary's write ceiling.

    ## What it adds
    The latest value per row in Redis (or the cloud's equivalent), read from there; the row's
    column becomes a snapshot written at most every 60 s per row (write-behind), so a restart
    loses at most a minute of positions that the next write replaces anyway.

    ## What it costs
    Memory = rows x 128 bytes; database writes drop from the peak rate to rows / 60 per second.

    ## Alternatives
    Updating the row on every write (each update is a new tuple, WAL and index maintenance);
    appending every value (history nobody reads).

    ## References
    Redis documentation, "GEOADD" and "SET"; PostgreSQL documentation, "Heap-Only Tuples (HOT)".
    """
    placed = {p.data for p in arch.placements}
    ceiling = PRIMARY_WRITE_CEILING * LATEST_SHARE
    for use_case in analysis.use_cases:
        if not use_case.spec.latest:
            continue
        table = table_name(use_case.entity)
        fields = [w.split(".", 1)[1] for w in use_case.spec.writes if w.startswith(use_case.entity + ".")]
        for column in fields:
            subject = f"{table}.{column}"
            if subject in placed:
                yield Skipped(subject, "placed by an earlier pattern")
                continue
            if use_case.peak_qps < ceiling:
                given = "no rate given" if use_case.spec.rate is None else f"{fmt(use_case.peak_qps)} writes/s at peak"
                yield Skipped(subject, f"{given} < {fmt(ceiling)} ({LATEST_SHARE:.0%} of one primary's writes): updated in the row")
                continue
            rows = analysis.rows(use_case.entity)
            memory = rows * ENTRY_BYTES
            redis = named(spec, "redis")
            snapshots = rows / SNAPSHOT_SECONDS
            choice = (
                f"latest {column} of each {use_case.entity} in {redis}, written by '{use_case.name}' and read from there; the column is a snapshot "
                f"written at most every {SNAPSHOT_SECONDS} s per row"
            )
            rationale = (
                f"{fmt(use_case.peak_qps)} writes/s at peak pass {fmt(ceiling)} ({LATEST_SHARE:.0%} of one primary's {fmt(PRIMARY_WRITE_CEILING)}); only the "
                f"latest value is read, so memory holds it ({size(memory)} for {fmt(rows)} rows) and the database takes {fmt(snapshots)} snapshot writes/s"
            )
            made = decision(
                f"latest.{subject}",
                f"Latest {column} of {use_case.entity} in memory",
                "storage",
                choice,
                f"'{use_case.name}': latest value, {fmt(use_case.peak_qps)} writes/s",
                rationale,
                alternatives=[("update the row on every write", f"{fmt(use_case.peak_qps)} row rewrites/s"), ("append every value", "history nobody reads")],
                subject=subject,
                inputs={"writes_peak": use_case.peak_qps, "ceiling": ceiling, "rows": rows},
                spec=spec,
            )
            place = Placement(
                data=subject,
                data_class="ephemeral",
                store=redis,
                reason=rationale,
                retention=f"the latest value; snapshot in the row every {SNAPSHOT_SECONDS} s",
                component="redis",
                decision=made.id,
                alternatives=["updated in the row"],
            )
            component = Component(
                name="redis",
                kind="cache",
                technology=redis,
                purpose=f"latest {column} of {use_case.entity}",
                services=[owner_of(arch, use_case.entity)],
                use_cases=[use_case.name],
                memory_bytes=memory,
                decision=made.id,
            )
            fig = figure(
                f"latest.snapshot_writes.{subject}",
                f"snapshot writes of {subject}",
                snapshots,
                "req/s",
                "rows / snapshot_s",
                {"rows": rows, "snapshot_s": SNAPSHOT_SECONDS},
                subject,
            )
            yield Applied(made, components=(component,), placements=(place,), figures=(fig,))
