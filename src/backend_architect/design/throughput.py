"""Requests per second one instance sustains, by runtime: measured where a scaffold target exists, planned elsewhere.

For Python the figure is measured, not assumed: ``benchmarks/scaffold_throughput.py``
scaffolds a design, serves it with one uvicorn worker process against PostgreSQL and
drives a mixed load (reads by id, list pages, creates) over loopback; ``--record`` writes
the result, with the machine and date, to ``measured_throughput.json`` beside this module.
Other runtimes keep the planning constant until the scaffold generates them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: Requests per second one instance of a typical JSON API (2 vCPU, I/O bound, p99 < 100 ms)
#: sustains; TechEmpower's "multiple queries" results for mainstream frameworks sit at 1-5k,
#: we plan at the low end to leave room for business logic. Used where nothing was measured.
PLANNING_RPS = 500


@dataclass(frozen=True)
class InstanceThroughput:
    """The figure and where it comes from, for the design's assumptions."""

    requests_per_second: float
    note: str


@cache
def _measured() -> dict[str, dict[str, object]]:
    text = resources.files("backend_architect.design").joinpath("measured_throughput.json").read_text(encoding="utf-8")
    record = json.loads(text)
    return {str(record["runtime"]): record}


def instance_throughput(language: str) -> InstanceThroughput:
    """What one instance of ``language``'s runtime serves, with its provenance.

    >>> instance_throughput("rust").requests_per_second
    500
    >>> "measured" in instance_throughput("python").note
    True
    """
    record = _measured().get(language.lower())
    if record is None:
        return InstanceThroughput(PLANNING_RPS, f"instance_rps: {PLANNING_RPS} req/s per instance, a planning constant (nothing measured for {language} yet)")
    rps = float(record["requests_per_second"])  # type: ignore[arg-type]
    note = (
        f"instance_rps: {rps:,.0f} req/s per instance, measured: one {language} process of the scaffolded service served {rps:,.0f} requests "
        f"per second of its own CPU time ({record['workload']}; {record['command']}, {record['measured_on']}, on {record['machine']}, "
        f"load average {record['load_average']}, where it answered {record['observed_requests_per_second']} req/s at p50 {record['p50_ms']} ms, "
        f"p99 {record['p99_ms']} ms)"
    )
    return InstanceThroughput(rps, note)
