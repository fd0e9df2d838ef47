"""Connection pools: per service, the PostgreSQL connections its requests need at peak, from the requests that reach PostgreSQL.

Sized once after capacity (every request counted) and again once the storage stage has placed
every table (a wide-column store's requests hold no PostgreSQL connection): one function, so
the two sizings cannot disagree in how they count.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import DatabaseLoad, database_share
from backend_architect.design.service_calls import call_requests
from backend_architect.ir.model import Architecture, Figure
from backend_architect.ir.query import database_of

#: Planned database time per request, for Little's law on connections.
DB_TIME_PER_REQUEST_S = 0.005
#: The pool's formula once the database load is known: the quantity the pool sees is what reaches PostgreSQL after every cache.
REACHING_FORMULA = (
    "max(5, ceil(2 x (reads + writes) x db_time_per_request)) (Little's law, 2x headroom; reads and writes: the service's share of "
    "what reaches its PostgreSQL database at peak after CDNs, caches and in-memory mechanisms, as db.reads.peak and db.writes.peak count it)"
)


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


def reaching_pool_figures(arch: Architecture, ledger: dict[str, DatabaseLoad]) -> list[Figure]:
    """Per service, the PostgreSQL connections sized from what reaches its database once caches are placed: its share of the
    reads after CDNs and caches and of the writes, the very terms of ``db.reads.peak.<db>`` and ``db.writes.peak.<db>``.

    A connection is held by a request that reaches PostgreSQL: a CDN or Redis hit holds none, so the pool takes the
    quantity the database sees, never the service's request rate (6,074 requests/s a service takes of which 1,818
    reach the database size a pool for 1,818). A database one service holds gives it every term; a modular monolith's
    one database gives each module the terms on its own tables (its outbox and key rows included).
    """
    owner = {e: s.name for s in arch.services for e in s.entities}
    owner |= {t.name: st.service for st in arch.datastores if st.service for t in st.tables}
    users: dict[str, set[str]] = {}
    for store in arch.datastores:
        if store.service is not None and store.engine == "postgresql":
            db = database_of(arch, store)
            users.setdefault(db, set()).add(store.service)
    reads: dict[str, float] = {}
    writes: dict[str, float] = {}
    for db, load in ledger.items():
        services = users.get(db, set())
        for terms, into in ((load.reads, reads), (load.writes, writes)):
            for key, rate in terms.items():
                entity = load.entity_of.get(key, "")
                holder = next(iter(services)) if len(services) == 1 else owner.get(entity) or entity.partition(":")[2]
                if holder:
                    into[holder] = into.get(holder, 0.0) + rate
    held = {t.entity for s in arch.datastores for t in s.tables if t.wide_column is not None and t.entity}
    result = []
    for service in arch.services:
        if service.name not in reads and service.name not in writes:
            continue
        read, write = reads.get(service.name, 0.0), writes.get(service.name, 0.0)
        elsewhere = ", ".join(sorted(held & set(service.entities)))
        result.append(
            Figure(
                key=f"connections.{service.name}",
                quantity=f"database connections needed by {service.name} at peak",
                value=max(5, math.ceil(2 * (read + write) * DB_TIME_PER_REQUEST_S)),
                unit="connections",
                formula=REACHING_FORMULA[:-1] + (f"; none to {elsewhere}, which the wide-column store holds)" if elsewhere else ")"),
                inputs={"reads": read, "writes": write, "db_time_per_request": DB_TIME_PER_REQUEST_S},
                scope=service.name,
            )
        )
    return result
