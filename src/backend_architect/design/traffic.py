"""The whole system's traffic: requests/s in all (stated or summed) and the bytes/s clients send in.

Figure builders used by the capacity stage. ``scale.requests`` is a stated figure: when the
spec gives it, it is the system's rate, and a sum of the use cases' rates far from it is
reported (the use cases then leave traffic unaccounted for, or count it twice).
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.link_writes import link_write
from backend_architect.design.payload import blob_columns, payload_columns
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.ir.query import served_parts
from backend_architect.spec.model import Spec

#: Bytes a request carries besides its body: the request line and headers with the auth token (a JWT is 300-800 B),
#: as HTTP/1.1 sends them; HTTP/2's header compression (HPACK) sends repeated headers in a few bytes, so this is the ceiling.
REQUEST_OVERHEAD_BYTES = 500
#: JSON bytes a body adds to each field it carries: the quoted key, the colon and comma, quotes around the value.
JSON_FIELD_BYTES = 8
#: Blob bytes assumed when the spec gives no avg_bytes (the capacity stage's object-storage figure uses the same).
BLOB_BYTES = 250_000
#: A stated total and the use cases' sum further apart than this factor are reported.
MISMATCH_FACTOR = 2.0


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
    figures += ingress_figures(spec, analysis, arch)
    return figures


#: What ``qps.peak.total`` says beside ``qps.peak.served`` when the two differ: the term that separates them.
TOTAL_BESIDE_SERVED = (
    "peak requests/s of the use cases, whole system (the GETs reading created rows back and the checks services make of each other's rows come on top: "
    "the peak requests/s the services serve, qps.peak.served)"
)

#: The same, where services also call each other synchronously beyond checks (a fresh read, a saga step).
TOTAL_BESIDE_CALLS = (
    "peak requests/s of the use cases, whole system (the GETs reading created rows back and the synchronous calls services make on each other "
    "come on top: the peak requests/s the services serve, qps.peak.served)"
)


#: The same, where ``scale.requests`` states the total: it is the stated figure, and the use cases' own peaks are summed apart.
STATED_BESIDE_SERVED = (
    "peak requests/s, whole system, as scale.requests states it (not the use cases' sum: the use cases' own peaks, with the requests "
    "services make of each other, are the peak requests/s the services serve, qps.peak.served)"
)


def with_served_peak(figures: list[Figure]) -> list[Figure]:
    """``figures`` with ``qps.peak.served``: the requests/s the services serve at peak, the figure a deployable's instances are sized on.

    It is the sum of the services' peaks (``qps.peak.service.*``): the use cases' peaks and the GETs reading created
    rows back (``readback_*``), which no use case rates. Stated only when it differs from ``qps.peak.total`` (a read-back
    counted, or a stated ``scale.requests``), whose quantity then says what separates the two, so the document names
    one system peak per meaning and the instances' ``peak`` is one of them.
    """
    services = [f for f in figures if f.key.startswith("qps.peak.service.")]
    total = next((f for f in figures if f.key == "qps.peak.total"), None)
    terms = [(k, v) for f in services for k, v in f.inputs.items()]
    use_cases = sum(v for k, v in terms if not k.startswith(("readback_", "check_", "call_")))
    readbacks = sum(v for k, v in terms if k.startswith("readback_"))
    # the existence checks one service makes of another's rows (design/reference_checks.py): requests the owner serves
    checks = sum(v for k, v in terms if k.startswith("check_"))
    # the other synchronous calls one service makes on another (a fresh read, a saga step; design/service_calls.py)
    calls = sum(v for k, v in terms if k.startswith("call_"))
    if total is None or math.isclose(use_cases + readbacks + checks + calls, total.value, rel_tol=1e-9, abs_tol=1e-9):
        return figures
    average = next((f for f in figures if f.key == "qps.avg.total"), None)
    stated = average is not None and "scale.requests" in average.quantity
    # a total stated by scale.requests is not the use cases' sum: it says where it comes from, and the served peak is the sum
    quantity = STATED_BESIDE_SERVED if stated else TOTAL_BESIDE_CALLS if calls else TOTAL_BESIDE_SERVED
    told = total.model_copy(update={"quantity": quantity}) if readbacks or checks or calls or stated else total
    inputs = {"use_cases_peak": use_cases, "readbacks_peak": readbacks} | ({"checks_peak": checks} if checks else {})
    inputs |= {"calls_peak": calls} if calls else {}
    return [told if f is total else f for f in figures] + [
        Figure(
            key="qps.peak.served",
            quantity=f"peak requests/s the services serve, whole system: {served_parts(inputs)} "
            f"({', '.join(k for k in inputs if k != 'use_cases_peak')}); instances are sized on it",
            value=use_cases + readbacks + checks + calls,
            unit="req/s",
            formula=" + ".join(inputs),
            inputs=inputs,
        )
    ]


def body_bytes(spec: Spec, use_case: UseCase, table: Table | None, tables: dict[str, Table] | None = None) -> tuple[float, float]:
    """(body bytes, blob bytes) one request of a write carries: a create sends its entity's fields (the blob's
    content beside them), an update the columns it names (or the whole payload when it names none), and the links
    it sets (links_per_row names or ids each, ``design/link_writes.py``)."""
    if table is None:
        return 0.0, 0.0
    blobs = blob_columns(spec, table)
    columns = [c for c in payload_columns(spec, table) if c.name not in blobs]
    fields = {w.split(".", 1)[1] for w in use_case.spec.writes if w.startswith(use_case.entity + ".")}
    named = [c for c in columns if c.name in use_case.written_columns or c.source_field in fields]
    if use_case.kind != "create" and named:
        columns = named
    body = sum(c.avg_bytes + JSON_FIELD_BYTES for c in columns) + sum(_link_bytes(spec, use_case.entity, r, tables or {}) for r in use_case.links)
    content = 0.0
    if use_case.kind == "create":
        declared = spec.entities[use_case.entity].fields.values()
        # an optional blob rides in the share of requests that set it
        content = float(sum((f.avg_bytes or BLOB_BYTES) * f.set_share for f in declared if f.type.kind == "blob"))
    return float(body), content


def sends_body(arch: Architecture, use_case: UseCase) -> bool:
    """Whether the operation serving ``use_case`` takes a request body: the contract, not the columns the use case
    touches, says what a request carries, so a call whose operation has no request schema (an action on a row named by
    its path, a signed callback) is sized at 0 body bytes (uber run 20 C4). A use case no operation serves keeps its columns."""
    ops = [o for a in arch.apis for o in a.operations if use_case.name in o.use_cases]
    return not ops or any(o.request_schema is not None for o in ops)


#: Bytes of one id in a JSON array: a UUID's 36 characters and its quotes and comma.
LINK_ID_BYTES = 39


def _link_bytes(spec: Spec, entity: str, relation: str, tables: dict[str, Table]) -> float:
    """The links a create sets, in its body: the key, then links_per_row names (the name column's average) or ids."""
    link = link_write(spec, entity, relation)
    target = tables.get(link.target)
    named = next((c for c in target.columns if c.name == link.name_field), None) if target is not None and link.name_field else None
    each = named.avg_bytes + 3 if named is not None else LINK_ID_BYTES
    return JSON_FIELD_BYTES + link.avg * each


def ingress_figures(spec: Spec, analysis: Analysis, arch: Architecture) -> list[Figure]:
    """``bandwidth.in.<use case>`` (avg rate x bytes a request: body, blob, headers); ``bandwidth.ingress_payload``, the bodies
    and uploads alone, the figure a back-of-envelope (uploads x size) checks, stated first; then ``bandwidth.ingress``, their
    sum with the headers.

    The parts are a family of their own: a reader summing ``bandwidth.ingress`` and ``bandwidth.ingress.*`` counts each byte once.
    """
    tables = {t.entity: t for s in arch.datastores for t in s.tables if t.entity and t.role is None}
    parts: list[Figure] = []
    for use_case in analysis.use_cases:
        if not use_case.is_write or use_case.spec.rate is None or use_case.kind == "delete":
            continue
        body, blob = body_bytes(spec, use_case, tables.get(use_case.entity), tables)
        body = body if sends_body(arch, use_case) else 0.0
        parts.append(
            Figure(
                key=f"bandwidth.in.{use_case.id}",
                quantity=f"bytes/s {use_case.name} sends in, on average ({body + blob + REQUEST_OVERHEAD_BYTES:,.0f} B a request)",
                value=use_case.avg_qps * (body + blob + REQUEST_OVERHEAD_BYTES),
                unit="bytes/s",
                formula="avg_rate x (body_bytes + blob_bytes + header_bytes)",
                inputs={"avg_rate": use_case.avg_qps, "body_bytes": body, "blob_bytes": blob, "header_bytes": float(REQUEST_OVERHEAD_BYTES)},
                scope=f"use case '{use_case.name}'",
            )
        )
    if not parts:
        return []
    ids = [p.key.removeprefix("bandwidth.in.") for p in parts]
    payload = {i: p.inputs["avg_rate"] * (p.inputs["body_bytes"] + p.inputs["blob_bytes"]) for i, p in zip(ids, parts, strict=True)}
    return [
        *parts,
        Figure(
            key="bandwidth.ingress_payload",
            quantity="bytes/s of request bodies and uploads, on average (without headers)",
            value=sum(payload.values()),
            unit="bytes/s",
            formula="sum over writes of avg_rate x (body_bytes + blob_bytes)",
            inputs=payload,
            scope="system",
        ),
        Figure(
            key="bandwidth.ingress",
            quantity="bytes/s clients send in, on average (writes and uploads, headers included)",
            value=sum(p.value for p in parts),
            unit="bytes/s",
            formula="sum over writes of avg_rate x (body_bytes + blob_bytes + header_bytes)",
            inputs={i: p.value for i, p in zip(ids, parts, strict=True)},
            scope="system",
        ),
    ]
