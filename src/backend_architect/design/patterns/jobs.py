"""PAT005: a scheduled use case is a batch job: what it reads and writes, its throughput, workers and retries."""

from __future__ import annotations

import math
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.call_chains import DEFAULT_EXTERNAL_MS
from backend_architect.design.job_keys import key_for
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._common import decision, figure, figures, fmt, owner_of, table_of
from backend_architect.design.workload import JOB_WINDOW_SHARE, schedule_interval
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Component, Job
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import TENANT_COLUMN

#: Rows/s one job worker processes when it reads in keyset batches and writes in bulk (COPY or multi-row upserts).
JOB_WORKER_ROWS_PER_S = 5_000.0
#: External calls one job worker keeps in flight (an async HTTP client's connection pool): a worker calling a
#: system that answers in L seconds processes at most this / L rows/s.
JOB_CALLS_IN_FLIGHT = 100.0
RETRIES = "3 attempts with exponential backoff; a run that still fails alerts and is retried whole by the next trigger"


@pattern(code="PAT005", name="batch-job", stage="write_paths", title="Scheduled work as a batch job, sized to finish within its window")
def batch_jobs(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Every use case with a ``schedule``. It is started by the scheduler, never by a public
    endpoint, and reads its input in its own store (an event-fed copy for other services'
    data), never another service's public API one row at a time.

    ## What it adds
    A job: the rows each run handles (the input's new rows per interval), the throughput that finishes within half its interval, workers
    (``ceil(rows/s / 5,000)``, or ``ceil(rows/s / (100 calls in flight / the callee's latency))``
    for a job that calls an external system once a row: it calls at its throughput), a queue of
    partitions when more than one worker runs, retries and the idempotency key (the window it
    covers), and the tables it writes; its writes count as database writes.

    ## What it costs
    ``rows_per_run = rows_per_day x interval / 86,400`` (a run of the day's average: the worked exercises size it so;
    the run in the busiest hour holds the peak factor times more, an open finding); ``rows/s = rows_per_run / (interval x 0.5)``.

    ## Alternatives
    A stream processor updating results continuously (when the interval would fall under a
    minute); doing the work inside requests (it would add latency to every write).

    ## References
    M. Kleppmann, Designing Data-Intensive Applications, ch. 10 (batch processing).
    """
    by_key = {f.key: f for f in arch.figures}
    for use_case in analysis.use_cases:
        if not use_case.is_job:
            continue
        interval = schedule_interval(use_case.spec.schedule or "daily")
        inputs = list(use_case.reads) or list(use_case.writes)
        # the capacity stage's figures for the run, so the job and its figures can never disagree
        run = by_key.get(f"job.rows_per_run.{use_case.id}")
        per_run = run.value if run is not None else 0.0
        per_day = run.inputs.get("rows_per_day", 0.0) if run is not None else 0.0
        peak = run.inputs.get("peak_factor", 1.0) if run is not None else 1.0
        rate = figures(arch).get(f"job.rows_per_s.{use_case.id}", 0.0)
        per_worker, basis = _worker_rows_per_s(arch, use_case.spec.calls)
        workers = max(1, math.ceil(rate / per_worker))
        service = owner_of(arch, use_case.entity)
        reads = [t[1].name for e in use_case.reads if (t := table_of(arch, e))]
        writes = [t[1].name for e in use_case.writes if (t := table_of(arch, e))]
        queue = "one work item per partition of the input (a key range) on the job queue" if workers > 1 else "the scheduler starts one run"
        job = Job(
            use_case=use_case.name,
            service=service,
            schedule=use_case.spec.schedule or "daily",
            interval_s=interval,
            reads=reads,
            writes=writes,
            rows_per_run=per_run,
            rows_per_s=rate,
            workers=workers,
            queue=queue,
            retries=RETRIES,
            idempotency=_idempotency(spec, arch, use_case.name),
        )
        scope = f"use case '{use_case.name}'"
        calls = f"; calls {', '.join(use_case.spec.calls)} once a row, at {fmt(rate)} calls/s while it runs" if use_case.spec.calls else ""
        made = decision(
            f"job.{use_case.id}",
            f"Batch job {use_case.name}",
            "write paths",
            f"a scheduled job every {fmt(interval)}s ({use_case.spec.schedule}): {fmt(per_run)} rows a run at "
            f"{fmt(rate)} rows/s on {workers} worker(s){', ' + queue if workers > 1 else ''}{calls}; writes {', '.join(writes) or 'nothing'}; "
            "started by the scheduler, not an endpoint",
            f"{', '.join(inputs)} grow by {fmt(per_day)} rows a day"
            + (f"; the run in the busiest hour holds {fmt(peak)}x the average, {fmt(per_run)} rows" if peak > 1 else ""),
            f"a run must finish within half its interval ({fmt(interval * JOB_WINDOW_SHARE)}s) so a late one never overlaps the next; one "
            f"worker handles {fmt(per_worker)} rows/s ({basis})",
            alternatives=[("a stream processor", f"continuous results are not asked for: the schedule allows {fmt(interval)}s")],
            consequences=f"{RETRIES}. {job.idempotency[:1].upper()}{job.idempotency[1:]}.",
            subject=use_case.name,
            inputs={"rows_per_run": per_run, "interval_s": interval, "rows_per_s": rate},
        )
        component = Component(
            name="scheduler",
            kind="scheduler",
            technology="a cron-like scheduler (Kubernetes CronJob or the platform's)",
            purpose=f"starts {use_case.name}",
            services=[service],
            use_cases=[use_case.name],
            decision=made.id,
        )
        workers_component = Component(
            name=f"{use_case.id}-worker",
            kind="worker",
            technology="job workers",
            purpose=f"runs {use_case.name}",
            services=[service],
            use_cases=[use_case.name],
            instances=workers,
            decision=made.id,
        )
        yield Applied(
            made,
            components=(component, workers_component),
            jobs=(job,),
            figures=(
                figure(
                    f"job.workers.{use_case.id}",
                    f"workers {use_case.name} needs",
                    workers,
                    "workers",
                    "max(1, ceil(rows_per_s / worker_rows_per_s))",
                    {"rows_per_s": rate, "worker_rows_per_s": per_worker},
                    scope,
                ),
            ),
        )


def _worker_rows_per_s(arch: Architecture, calls: list[str]) -> tuple[float, str]:
    """Rows/s one worker processes: bulk database work, or the external calls it keeps in flight over the slowest callee's latency."""
    called = [e for e in arch.externals if e.name in calls]
    if not called:
        return JOB_WORKER_ROWS_PER_S, "keyset reads and bulk writes"
    slowest = max(called, key=lambda e: e.latency_ms or DEFAULT_EXTERNAL_MS)
    latency_ms = slowest.latency_ms or DEFAULT_EXTERNAL_MS
    per_worker = min(JOB_WORKER_ROWS_PER_S, JOB_CALLS_IN_FLIGHT * 1000 / latency_ms)
    return per_worker, f"{fmt(JOB_CALLS_IN_FLIGHT)} calls in flight to {slowest.name} at {fmt(latency_ms)} ms each"


def _idempotency(spec: Spec, arch: Architecture, job: str) -> str:
    """The key a rerun meets, named as the DDL holds it: a promise of idempotency the schema does not keep is none.

    A job whose rows refer to its input inserts each under the unique key ``design/job_keys.py`` adds; a
    job whose rows do not (nothing ties a written row to the input row that made it) is kept from
    doing a window twice by the window it records as done, which is all it can promise.
    """
    held = []
    for key in key_for(spec, job):
        found = table_of(arch, key.entity)
        table = found[1] if found else None
        unique = next((u for u in table.uniques if set(u.columns) <= {TENANT_COLUMN, *key.columns}), None) if table else None
        if table is not None and unique is not None:
            held.append(f"{table.name} rows are inserted ON CONFLICT ({', '.join(unique.columns)}) DO NOTHING, the unique key {unique.name}")
    if held:
        calls = next(u.calls for u in spec.use_cases if u.name == job)
        columns = ", ".join(key_for(spec, job)[0].columns)
        # a run that fails between the call and its commit calls again: the far side de-duplicates by the same key
        carried = f"; each call to {', '.join(calls)} carries the row's key ({columns}) as its idempotency key, so a retried call acts once" if calls else ""
        return f"each run takes the input rows that have no output row yet; {'; '.join(held)}, so a rerun inserts nothing twice{carried}"
    if not any("." not in w for u in spec.use_cases if u.name == job for w in u.writes):
        return (
            "each run records the window it covers when it completes; its writes set fields to values computed from its input, "
            "so a rerun of a window sets the same values again"
        )
    return (
        "each run records the window it covers when it completes, and a rerun starts after the last completed window; "
        "its writes carry no key of their own, so a run that fails midway redoes its window"
    )
