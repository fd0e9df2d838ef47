"""On a real PostgreSQL filled with synthetic rows, each list use case's query uses its derived index.

The query is built here, independently of the index stage, from the use case's filters,
sorts and search: equality for plain filters, ``>=`` for ranges, the constant for
constant filters, a cell prefix range for a proximity search, the tenant first, live rows
only under soft delete, then ORDER BY the sorts and the id, LIMIT 20.
"""

from __future__ import annotations

import json
from graphlib import TopologicalSorter
from typing import Any

import pytest

from backend_architect.api import DesignResult
from backend_architect.design.analysis import analyse
from backend_architect.ir.model import Datastore, Table
from backend_architect.spec.naming import resolve_column
from synthetic_rows import fill_sql, qualified

ROWS = 30_000
RANGE_TYPES = {"timestamptz", "date", "numeric", "integer", "bigint"}


def _fill(postgres: Any, database: str, store: Datastore) -> None:
    graph = {t.name: {fk.ref_table for fk in t.foreign_keys if fk.ref_table != t.name} for t in store.tables}
    by_name = {t.name: t for t in store.tables}
    for name in TopologicalSorter(graph).static_order():
        table = by_name[name]
        if table.entity is not None:
            postgres.psql(fill_sql(store, table, ROWS), database)
    postgres.psql("ANALYZE;", database)


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _sample(postgres: Any, database: str, store: Datastore, table: Table) -> dict[str, Any]:
    live = " WHERE deleted_at IS NULL" if table.soft_delete else ""
    out = postgres.psql(
        f"\\pset tuples_only on\n\\pset format unaligned\nSELECT row_to_json(x) FROM (SELECT * FROM {qualified(store, table.name)}{live} OFFSET 7 LIMIT 1) x;",
        database,
    )
    return dict(json.loads(out.stdout.strip()))


def _query(result: DesignResult, use_case: Any, store: Datastore, table: Table, row: dict[str, Any]) -> str:
    spec = result.spec
    types = {c.name: c.type for c in table.columns}
    where = [f"tenant_id = {_literal(row['tenant_id'])}"] if table.tenant_scoped else []
    if use_case.owner_column and use_case.entity == table.entity:
        # an owner-only read is the caller's rows: the server filters by the caller's reference
        where.append(f"{use_case.owner_column} = {_literal(row[use_case.owner_column])}")
    for raw in use_case.spec.filter:
        ref, _, constant = raw.partition("=")
        entity, dot, field = ref.partition(".")
        entity, field = (entity, field) if dot else (use_case.entity, ref)
        column = resolve_column(spec, entity, field) if entity == table.entity else None
        if column is None:
            continue
        if constant:
            where.append(f"{column} = {_literal(constant)}")
        elif types[column] in RANGE_TYPES and not column.endswith("_id"):
            where.append(f"{column} >= {_literal(row[column])}")
        else:
            where.append(f"{column} = {_literal(row[column])}")
    if use_case.spec.near:
        # a proximity search reads geohash cells as prefix ranges of the cell column
        near = use_case.spec.near.split(".")[-1]
        cell = f"{near}_cell"
        prefix = str(row[cell])[:4] or "u"
        where.append(f"{cell} >= {_literal(prefix)} AND {cell} < {_literal(prefix[:-1] + chr(ord(prefix[-1]) + 1))}")
    if use_case.spec.search:
        columns = [resolve_column(spec, table.entity or "", f.split(".")[-1]) for f in use_case.spec.search]
        document = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
        word = str(row[columns[0]]).split()[0]
        where.append(f"to_tsvector('simple', {document}) @@ plainto_tsquery('simple', {_literal(word)})")
    if table.soft_delete:
        where.append("deleted_at IS NULL")
    order = []
    for ref in use_case.spec.sort:
        column = resolve_column(spec, table.entity or "", ref.removeprefix("-").split(".")[-1])
        order.append(f"{column} {'DESC' if ref.startswith('-') else 'ASC'}")
    if order:
        order.append(f"id {order[-1].split()[-1]}")
    sql = f"SELECT * FROM {qualified(store, table.name)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if order:
        sql += " ORDER BY " + ", ".join(order)
    return sql + " LIMIT 20"


def _index_names(plan: Any) -> set[str]:
    names = set()
    if isinstance(plan, dict):
        if "Index Name" in plan:
            names.add(plan["Index Name"])
        for value in plan.values():
            names |= _index_names(value)
    elif isinstance(plan, list):
        for value in plan:
            names |= _index_names(value)
    return names


def _with_partitions(postgres: Any, database: str, index: str) -> set[str]:
    """An index on a partitioned table appears in plans under its partitions' index names."""
    out = postgres.psql(
        "\\pset tuples_only on\n\\pset format unaligned\n"
        f"SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = '{index}';",
        database,
    )
    return {index, *out.stdout.split()}


@pytest.mark.postgres
def test_list_queries_use_their_derived_index_ok(example: DesignResult, postgres: Any) -> None:
    """EXPLAIN of every indexed list or search use case's query names the index derived for it."""
    database = f"explain_{example.architecture.system.replace('-', '_')}"
    postgres.psql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database};")
    for store in example.architecture.datastores:
        postgres.psql(example.files[f"schema/{store.service}.postgresql.sql"], database)
        _fill(postgres, database, store)
    checked = 0
    for use_case in analyse(example.spec).use_cases:
        if use_case.kind != "list":
            continue
        found = [
            (s, t, i)
            for s in example.architecture.datastores
            for t in s.tables
            for i in t.indexes
            if any(r.startswith(f"use case '{use_case.name}'") for r in i.reasons)
        ]
        if not found:
            continue
        store, table, _ = found[0]
        row = _sample(postgres, database, store, table)
        sql = _query(example, use_case, store, table, row)
        plan = json.loads(postgres.psql(f"\\pset tuples_only on\n\\pset format unaligned\nEXPLAIN (FORMAT JSON) {sql};", database).stdout)
        used = _index_names(plan)
        expected = set().union(*(_with_partitions(postgres, database, i.name) for _, _, i in found))
        assert used & expected, f"{use_case.name}: {sql}\nplan used {used or 'no index'}, expected one of {sorted(expected)}"
        checked += 1
    assert checked, "every example has at least one indexed list use case"
