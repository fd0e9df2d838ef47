"""Requests/s one instance of each runtime sustains: the figure instances are sized by.

A stated planning assumption per runtime (2 vCPU, an I/O-bound JSON API doing a few indexed
queries per request, p99 under 100 ms), which a spec overrides with
``constraints.instance_rps`` (measured on its own service). The design lists which one it
used under Assumptions.
"""

from __future__ import annotations

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


def instance_rps(spec: Spec) -> tuple[float, str]:
    """Requests/s one instance serves, and where the number comes from."""
    if spec.constraints.instance_rps is not None:
        return spec.constraints.instance_rps, "constraints.instance_rps (stated)"
    runtime = (spec.constraints.language or DEFAULT_RUNTIME).lower()
    value = INSTANCE_RPS_BY_RUNTIME.get(runtime, INSTANCE_RPS_BY_RUNTIME[DEFAULT_RUNTIME])
    return value, f"planning figure for {runtime if runtime in INSTANCE_RPS_BY_RUNTIME else DEFAULT_RUNTIME}"
