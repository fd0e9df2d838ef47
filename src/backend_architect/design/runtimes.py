"""Requests/s one instance of each runtime sustains: the figure instances are sized by.

Where the scaffold generates the runtime (Python today), the figure is measured, not
assumed: ``benchmarks/scaffold_throughput.py --record`` scaffolds a design, serves it with
one worker process against PostgreSQL, drives a mixed load and writes the result, with the
machine and date, to ``measured_throughput.json`` beside this module. Other runtimes keep
a stated planning figure (2 vCPU, an I/O-bound JSON API doing a few indexed queries per
request, p99 under 100 ms). A spec overrides either with ``constraints.instance_rps``
(measured on its own service). The design lists which one it used under Assumptions.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from backend_architect.spec.model import Spec

#: TechEmpower's "multiple queries" and "fortunes" rounds put mainstream frameworks at 1-10k req/s on
#: far larger machines; we plan at a fraction of that for business logic, per runtime family.
INSTANCE_RPS_BY_RUNTIME: dict[str, float] = {
    "python": 500.0,
    "typescript": 800.0,
    "kotlin": 1_500.0,
    "java": 1_500.0,
    "csharp": 1_500.0,
    "go": 2_000.0,
    "rust": 2_500.0,
}
DEFAULT_RUNTIME = "python"


@cache
def measured() -> dict[str, dict[str, object]]:
    """The recorded measurements, by runtime (one record today: the scaffolded Python service)."""
    text = resources.files("backend_architect.design").joinpath("measured_throughput.json").read_text(encoding="utf-8")
    record = json.loads(text)
    return {str(record["runtime"]): record}


def instance_rps(spec: Spec) -> tuple[float, str]:
    """Requests/s one instance serves, and where the number comes from.

    >>> spec = Spec.model_validate({"system": "x", "entities": {"A": {"fields": {"n": "int"}}}, "constraints": {"language": "go"}})
    >>> instance_rps(spec)
    (2000.0, 'planning figure for go')
    >>> instance_rps(spec.model_copy(update={"constraints": spec.constraints.model_copy(update={"language": "python"})}))[1][:9]
    'measured:'
    """
    if spec.constraints.instance_rps is not None:
        return spec.constraints.instance_rps, "constraints.instance_rps (stated)"
    runtime = (spec.constraints.language or DEFAULT_RUNTIME).lower()
    record = measured().get(runtime)
    if record is not None:
        rps = float(str(record["requests_per_second"]))
        return rps, (
            f"measured: one {runtime} process of the scaffolded service served {rps:,.0f} requests per second of its own CPU time "
            f"({record['workload']}; {record['command']}, {record['measured_on']}, on {record['machine']}, load average {record['load_average']}, "
            f"where it answered {record['observed_requests_per_second']} req/s at p50 {record['p50_ms']} ms, p99 {record['p99_ms']} ms)"
        )
    value = INSTANCE_RPS_BY_RUNTIME.get(runtime, INSTANCE_RPS_BY_RUNTIME[DEFAULT_RUNTIME])
    return value, f"planning figure for {runtime if runtime in INSTANCE_RPS_BY_RUNTIME else DEFAULT_RUNTIME}"
