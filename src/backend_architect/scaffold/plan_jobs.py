"""The batch jobs a module runs: the use cases' own (their rule in domain.py) and those the patterns made."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend_architect.ir.model import Architecture, Table
from backend_architect.ir.runtime_tables import RUNTIME_RETENTION_DAYS
from backend_architect.scaffold.naming import identifier
from backend_architect.scaffold.plan_api import OpPlan, designed_index
from backend_architect.scaffold.plan_data import TablePlan
from backend_architect.scaffold.plan_reads import RankingPlan, SeriesPlan


@dataclass(frozen=True)
class JobPlan:
    """A designed batch job: its use case, how often it runs, and the index the design gave its reads.

    ``expression`` is the generated job (a ranking refresh, a rollup, an expiry); None for a use
    case's job, whose rule is the user's (a function seeded in domain.py).
    """

    name: str
    func: str
    interval_s: float
    index: str | None
    expression: str | None = None


def designed_jobs(arch: Architecture, service: str, tables: dict[str, Any]) -> list[JobPlan]:
    """The batch jobs the design's use cases name for this service, each with the index its reads were given."""
    flows = {f.use_case: f for f in arch.flows}
    out = []
    for figure in arch.figures:
        if not figure.key.startswith("job.rows_per_run.") or not figure.scope.startswith("use case '"):
            continue
        name = figure.scope.removeprefix("use case '").removesuffix("'")
        flow = flows.get(name)
        if flow is None or not flow.steps or flow.steps[0].target != service:
            continue
        index = next((designed_index(t, [name], method="btree") for t in tables.values() if designed_index(t, [name], method="btree")), None)
        out.append(JobPlan(name, identifier(name), float(figure.inputs.get("interval_s", 60.0)), index.name if index else None))
    return out


def generated_jobs(arch: Architecture, service: str, operations: list[OpPlan], tables: dict[str, Table], plans: dict[str, TablePlan]) -> list[JobPlan]:
    """The jobs the design's patterns made (a ranking's refresh, a series' rollup) and the expiry of rows kept shorter than the horizon."""
    out = []
    for job in arch.jobs:
        if job.service != service:
            continue
        for op in operations:
            use_case = op.op.use_cases[0] if op.op.use_cases else ""
            if isinstance(op.detail, RankingPlan) and op.detail.snapshot and job.use_case == f"refresh {use_case}":
                out.append(JobPlan(job.use_case, identifier(job.use_case), job.interval_s, None, f"ranking.refresh_job(resources.{op.const}_RANKING)"))
            if isinstance(op.detail, SeriesPlan) and op.detail.rollup and job.use_case == f"roll up {use_case}":
                expression = f"series.rollup_job(resources.{op.const}_SERIES, tables.{op.resource.table.var})"
                out.append(JobPlan(job.use_case, identifier(job.use_case), job.interval_s, None, expression))
    own = {name: t for name, t in tables.items() if t.role is None}  # the runtime's tables are pruned by the runtime
    horizon = max((t.retention_days or 0.0 for t in own.values()), default=0.0)
    for table in own.values():
        days = table.retention_days
        if not days or days >= horizon or table.partitioning is not None or not plans[table.name].has("created_at"):
            continue
        interval = max(60.0, min(86_400.0, days * 86_400 / 4))
        expression = f"expire(tables.{plans[table.name].var}, tables.{plans[table.name].var}.c['created_at'], {days})"
        out.append(JobPlan(f"expire {table.name}", identifier(f"expire {table.name}"), interval, None, expression))
    return out + runtime_expiry(service)


#: The runtime's tables (``tables.py`` variables) and the time each row is kept from: published, handled, first seen.
_RUNTIME_CLOCKS = (("outbox", "published_at"), ("runtime_deliveries", "handled_at"), ("idempotency_keys", "created_at"))


def runtime_expiry(service: str) -> list[JobPlan]:
    """The deletes the designed retention indexes serve: published events, handled-event records and stored answers past their days."""
    days = float(RUNTIME_RETENTION_DAYS)
    return [
        JobPlan(f"expire {service} {var}", identifier(f"expire {var}"), 86_400.0 / 4, None, f"expire(tables.{var}, {clock!r}, {days})")
        for var, clock in _RUNTIME_CLOCKS
    ]
