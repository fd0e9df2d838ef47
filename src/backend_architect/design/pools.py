"""Connection pools: per service, the PostgreSQL connections its requests need at peak, from the requests that reach PostgreSQL.

Sized once after capacity (every request counted) and again once the storage stage has placed
every table (a wide-column store's requests hold no PostgreSQL connection): one function, so
the two sizings cannot disagree in how they count.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import database_share
from backend_architect.design.service_calls import call_requests
from backend_architect.ir.model import Architecture, Figure

#: Planned database time per request, for Little's law on connections.
DB_TIME_PER_REQUEST_S = 0.005


def pool_figures(analysis: Analysis, arch: Architecture) -> list[Figure]:
    """Per service, the PostgreSQL connections its requests need at peak: sized from the requests that reach PostgreSQL
    (its use cases' and the synchronous calls other services make on it).

    A pool is sized per store from what reaches that store: a path a mechanism serves from memory
    holds no connection, and a use case whose rows a wide-column store holds (placed by the storage
    stage, after the first sizing: the partitioning stage re-derives these) talks to that store's
    driver, not to a PostgreSQL connection.
    """
    owner = {e: s.name for s in arch.services for e in s.entities}
    held = {t.entity for s in arch.datastores for t in s.tables if t.wide_column is not None and t.entity}
    reaching: dict[str, float] = {}
    for u in analysis.use_cases:
        if u.spec.rate is not None and u.entity in owner:
            share = 0.0 if u.entity in held else database_share(arch, u.name, "write" if u.is_write else "read")
            reaching[owner[u.entity]] = reaching.get(owner[u.entity], 0.0) + u.peak_qps * share
    # other services' synchronous calls on it read or write its rows in PostgreSQL too (design/service_calls.py)
    for callee, calls in call_requests(analysis, arch).items():
        callee_entities = next((set(s.entities) for s in arch.services if s.name == callee), set())
        if callee_entities - held:
            reaching[callee] = reaching.get(callee, 0.0) + sum(calls.values())
    peaks = {f.key: f.value for f in arch.figures}
    result = []
    for service in arch.services:
        elsewhere = ", ".join(sorted(held & set(service.entities)))
        peak = peaks[f"qps.peak.service.{service.name}"]
        db_peak = min(peak, reaching.get(service.name, peak))
        busy = db_peak * DB_TIME_PER_REQUEST_S
        pool = max(5, math.ceil(busy * 2))
        result.append(
            Figure(
                key=f"connections.{service.name}",
                quantity=f"database connections needed by {service.name} at peak",
                value=pool,
                unit="connections",
                formula="max(5, ceil(2 x peak x db_time_per_request)) (Little's law, 2x headroom; peak: its requests that reach PostgreSQL"
                + (f", none of those to {elsewhere}, which the wide-column store holds" if elsewhere else "")
                + ")",
                inputs={"peak": db_peak, "db_time_per_request": DB_TIME_PER_REQUEST_S},
                scope=service.name,
            )
        )
    return result
