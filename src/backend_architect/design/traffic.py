"""The whole system's traffic: requests/s in all (stated or summed) and the bytes/s clients send in.

Figure builders used by the capacity stage. ``scale.requests`` is a stated figure: when the
spec gives it, it is the system's rate, and a sum of the use cases' rates far from it is
reported (the use cases then leave traffic unaccounted for, or count it twice).
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.spec.model import Spec

#: Bytes a request carries besides the row it writes: headers, JSON keys and the auth token.
REQUEST_OVERHEAD_BYTES = 500
#: Blob bytes assumed when the spec gives no avg_bytes (the capacity stage's object-storage figure uses the same).
BLOB_BYTES = 250_000
#: A stated total and the use cases' sum further apart than this factor are reported.
MISMATCH_FACTOR = 2.0


def _row_bytes(table: Table) -> int:
    return sum(c.avg_bytes for c in table.columns)


def traffic_figures(spec: Spec, analysis: Analysis, arch: Architecture, assumptions: list[str]) -> list[Figure]:
    """``qps.avg.total`` / ``qps.peak.total`` and ``bandwidth.ingress`` (with its per-use-case parts)."""
    summed_avg = {f"avg_{u.id}": u.avg_qps for u in analysis.use_cases if u.spec.rate is not None}
    figures: list[Figure] = []
    if spec.scale.requests is not None:
        stated = spec.scale.requests.per_second
        avg, peak = (stated / analysis.peak_factor, stated) if spec.scale.rates == "peak" else (stated, stated * analysis.peak_factor)
        inputs = {"count": spec.scale.requests.count, "period_s": spec.scale.requests.period_s}
        figures.append(
            Figure(
                key="qps.avg.total",
                quantity="average requests/s, whole system (scale.requests)",
                value=avg,
                unit="req/s",
                formula="count / period_s" if spec.scale.rates != "peak" else "peak / peak_factor",
                inputs=inputs if spec.scale.rates != "peak" else {"peak": peak, "peak_factor": analysis.peak_factor},
            )
        )
        total = sum(summed_avg.values())
        if total and not (1 / MISMATCH_FACTOR <= total / avg <= MISMATCH_FACTOR):
            assumptions.append(
                f"scale.requests ({avg:,.0f}/s on average) and the use cases' rates ({total:,.0f}/s) differ by more than "
                f"{MISMATCH_FACTOR:g}x: use cases without a rate carry the rest, or the total counts other traffic (assets, health checks)"
            )
    else:
        avg = sum(summed_avg.values())
        figures.append(
            Figure(
                key="qps.avg.total",
                quantity="average requests/s, whole system",
                value=avg,
                unit="req/s",
                formula="sum of the use cases' average rates",
                inputs=summed_avg,
            )
        )
        peak = avg * analysis.peak_factor
    figures.append(
        Figure(
            key="qps.peak.total",
            quantity="peak requests/s, whole system",
            value=peak,
            unit="req/s",
            formula="average x peak_factor",
            inputs={"average": avg, "peak_factor": analysis.peak_factor},
        )
    )
    tables = {t.entity: t for s in arch.datastores for t in s.tables if t.entity}
    parts: dict[str, float] = {}
    for use_case in analysis.use_cases:
        if not use_case.is_write or use_case.spec.rate is None or use_case.kind == "delete":
            continue
        table = tables.get(use_case.entity)
        body = _row_bytes(table) if table is not None and use_case.kind == "create" else 100
        blobs = sum((f.avg_bytes or BLOB_BYTES) for f in spec.entities[use_case.entity].fields.values() if f.type.kind == "blob" and use_case.kind == "create")
        parts[f"{use_case.id}"] = use_case.avg_qps * (REQUEST_OVERHEAD_BYTES + body + blobs)
    if parts:
        figures.append(
            Figure(
                key="bandwidth.ingress",
                quantity="bytes/s clients send in, on average (writes and uploads)",
                value=sum(parts.values()),
                unit="bytes/s",
                formula="sum over writes of avg_rate x (request overhead + row bytes + blob bytes)",
                inputs=parts,
            )
        )
    return figures
