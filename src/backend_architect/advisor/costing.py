"""Costing candidates with HypoPG on a live PostgreSQL, and the greedy choice under a budget.

Everything runs in one read-only session: EXPLAIN never executes the query, and HypoPG's
hypothetical indexes live in the session's memory only. Parameterised queries (``$1``, as
pg_stat_statements records them) are prepared and explained with a generic plan.
"""

from __future__ import annotations

import json
import re
from typing import Any

from backend_architect.advisor import COST_PER_MIB, MAX_INDEXES, MAX_WRITE_CHARGE, MIN_SAVING, Advice, QueryCost, Recommendation
from backend_architect.advisor.candidates import Candidate, Query, accesses, candidates_for, parse_workload
from backend_architect.errors import InputError, Location
from backend_architect.importers.live import connect_read_only, import_live, redacted
from backend_architect.ir.model import Architecture

_PARAMETER = re.compile(r"\$\d+")


def advise(url: str, workload: str | None = None, budget_mb: float = 1024.0) -> Advice:
    """Recommend indexes for ``workload`` (SQL text; pg_stat_statements when None) on the database at ``url``."""
    arch = import_live(url)
    columns_of = {f"{s.name}.{t.name}": [c.name for c in t.columns] for s in arch.datastores for t in s.tables}
    connection = connect_read_only(url)
    try:
        with connection.transaction(), connection.cursor() as cursor:
            queries = parse_workload(workload) if workload is not None else _statements_workload(cursor, url)
            if not queries:
                raise InputError(Location(redacted(url)), "the workload has no queries")
            if _has_hypopg(cursor):
                return _costed(cursor, arch, columns_of, queries, budget_mb)
            return _by_rule(arch, columns_of, queries)
    finally:
        connection.close()


def _has_hypopg(cursor: Any) -> bool:
    cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'")
    return bool(cursor.fetchone()[0])


def _statements_workload(cursor: Any, url: str) -> list[Query]:
    cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")
    if not cursor.fetchone()[0]:
        raise InputError(Location(redacted(url)), "no workload given and pg_stat_statements is not installed: pass --workload FILE")
    cursor.execute(
        "SELECT query, calls FROM pg_stat_statements WHERE query ~* '^\\s*(select|update|delete)' AND dbid = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 50"
    )
    return [Query(text, float(calls)) for text, calls in cursor.fetchall()]


def _cost(cursor: Any, query: str) -> float | None:
    """The planner's total cost of ``query`` (generic plan when it has parameters); None when it cannot be planned."""
    try:
        cursor.execute("SAVEPOINT advisor_cost")
        if _PARAMETER.search(query):
            count = max(int(p[1:]) for p in _PARAMETER.findall(query))
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute(f"PREPARE advisor_query AS {query}")
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE advisor_query({', '.join(['NULL'] * count)})")
            plan = cursor.fetchone()[0]
            cursor.execute("DEALLOCATE advisor_query")
        else:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {query}")
            plan = cursor.fetchone()[0]
        cursor.execute("RELEASE SAVEPOINT advisor_cost")
    except Exception:  # noqa: BLE001 - a query the planner refuses is reported as unplanned, the rest still advised
        cursor.execute("ROLLBACK TO SAVEPOINT advisor_cost")
        return None
    document = plan if isinstance(plan, list) else json.loads(plan)
    return float(document[0]["Plan"]["Total Cost"])


def _candidates(arch: Architecture, columns_of: dict[str, list[str]], queries: list[Query]) -> tuple[list[Candidate], dict[str, list[int]]]:
    """Every candidate of the workload not already an existing index's leading keys, and which queries touch each table."""
    existing = {
        f"{s.name}.{t.name}": [[c.expression or c.name for c in i.columns] for i in t.indexes] + [t.primary_key] for s in arch.datastores for t in s.tables
    }
    found: list[Candidate] = []
    touching: dict[str, list[int]] = {}
    for number, query in enumerate(queries):
        for access in accesses(query.text, columns_of):
            touching.setdefault(access.table, []).append(number)
            for candidate in candidates_for(access):
                keys = [c.removesuffix(" DESC") for c in candidate.columns]
                served = any(ix[: len(keys)] == keys for ix in existing.get(candidate.table, [])) and not candidate.where and not candidate.include
                if not served and candidate not in found:
                    found.append(candidate)
    return found, touching


def _write_shares(cursor: Any) -> dict[str, float]:
    """Per table, the share of its row operations that are writes (each index is written again)."""
    cursor.execute(
        "SELECT schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del, COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) "
        "FROM pg_stat_user_tables"
    )
    return {name: writes / (writes + reads) if writes + reads else 0.0 for name, writes, reads in cursor.fetchall()}


def _costed(cursor: Any, arch: Architecture, columns_of: dict[str, list[str]], queries: list[Query], budget_mb: float) -> Advice:
    advice = Advice(method="hypopg")
    base = [_cost(cursor, q.text) for q in queries]
    for query, cost in zip(queries, base, strict=True):
        if cost is None:
            advice.notes.append(f"not planned (left out): {query.text[:80]}")
    current = [c or 0.0 for c in base]
    candidates, touching = _candidates(arch, columns_of, queries)
    shares = _write_shares(cursor)
    chosen: list[tuple[Candidate, int]] = []
    spent = 0.0
    while len(chosen) < MAX_INDEXES and candidates:
        best: tuple[float, Candidate, list[float], int, float] | None = None
        total = sum(q.calls * c for q, c in zip(queries, current, strict=True))
        for candidate in candidates:
            tried = _with_indexes(cursor, [c for c, _ in chosen] + [candidate], queries, current, touching.get(candidate.table, []), base)
            if tried is None:
                continue
            costs, size = tried
            if spent + size / 2**20 > budget_mb:
                continue
            gain = sum(q.calls * (before - after) for q, before, after in zip(queries, current, costs, strict=True))
            share = min(shares.get(candidate.table, 0.0), MAX_WRITE_CHARGE)
            net = gain * (1 - share) - COST_PER_MIB * size / 2**20
            if net > MIN_SAVING * total and (best is None or net > best[0]):
                best = (net, candidate, costs, size, share)
        if best is None:
            break
        net, candidate, costs, size, share = best
        helped = [QueryCost(queries[i].text, queries[i].calls, current[i], costs[i]) for i in range(len(queries)) if costs[i] < current[i] - 1e-9]
        advice.recommendations.append(Recommendation(candidate, candidate.ddl() + ";", size, net, share, helped))
        chosen.append((candidate, size))
        spent += size / 2**20
        current = costs
        candidates = [c for c in candidates if c != candidate]
    cursor.execute("SELECT hypopg_reset()")
    advice.queries = [QueryCost(q.text, q.calls, b or 0.0, a) for q, b, a in zip(queries, base, current, strict=True)]
    advice.total_before = sum(q.calls * (b or 0.0) for q, b in zip(queries, base, strict=True))
    advice.total_after = sum(q.calls * a for q, a in zip(queries, current, strict=True))
    return advice


def _with_indexes(
    cursor: Any, indexes: list[Candidate], queries: list[Query], current: list[float], relevant: list[int], base: list[float | None]
) -> tuple[list[float], int] | None:
    """Costs of the queries with ``indexes`` hypothetically in place, and the size of the last one."""
    cursor.execute("SELECT hypopg_reset()")
    size = 0
    for index in indexes:
        try:
            cursor.execute("SAVEPOINT advisor_index")
            cursor.execute("SELECT indexrelid FROM hypopg_create_index(%s)", (index.ddl(),))
            relid = cursor.fetchone()[0]
            cursor.execute("SELECT hypopg_relation_size(%s)", (relid,))
            size = int(cursor.fetchone()[0])
            cursor.execute("RELEASE SAVEPOINT advisor_index")
        except Exception:  # noqa: BLE001 - a candidate PostgreSQL refuses (an expression it cannot index) is skipped
            cursor.execute("ROLLBACK TO SAVEPOINT advisor_index")
            return None
    costs = list(current)
    for number in relevant:
        if base[number] is None:
            continue
        cost = _cost(cursor, queries[number].text)
        if cost is not None:
            costs[number] = min(cost, current[number])
    return costs, size


def _by_rule(arch: Architecture, columns_of: dict[str, list[str]], queries: list[Query]) -> Advice:
    """Without HypoPG: for each table access, the most specific candidate no existing index serves; not costed."""
    advice = Advice(method="rules", notes=["HypoPG is not installed in this database: recommendations follow the equality-sort-range rule and are not costed"])
    candidates, _ = _candidates(arch, columns_of, queries)
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.where or candidate.include or candidate.table in seen:
            continue
        seen.add(candidate.table)
        helped = [QueryCost(q.text, q.calls, 0.0, 0.0) for q in queries if any(a.table == candidate.table for a in accesses(q.text, columns_of))]
        advice.recommendations.append(Recommendation(candidate, candidate.ddl() + ";", 0, 0.0, 0.0, helped))
    return advice
