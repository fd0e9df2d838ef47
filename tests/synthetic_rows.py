"""Synthetic rows for a designed schema, generated in PostgreSQL with generate_series.

Values respect types, CHECKs, foreign keys (children pick their parent's ids) and unique
keys (unique columns vary with the row number); non-unique columns draw from small pools
so filters are selective the way real data is.
"""

from __future__ import annotations

from backend_architect.ir.model import Column, Datastore, Table

POOL = 200
#: Few tenants with many rows each: per-tenant indexes only matter for big tenants.
TENANTS = 5


def qualified(store: Datastore, table: str) -> str:
    return f'"{store.schema_name}"."{table}"' if store.schema_name else f'"{table}"'


def _varies_with_row(column: Column, table: Table) -> bool:
    """Whether the column takes the row number so a unique key holds: the last column of each unique key.

    The other columns of a composite key keep drawing from their pools, so (book_id, customer_id)
    gives many reviews per book, as real data does, instead of one review per book that leaves
    the planner indifferent between every index starting with book_id.
    """
    keys = [u.columns for u in table.uniques] + [[c.name for c in i.columns] for i in table.indexes if i.unique]
    return any(key and key[-1] == column.name for key in keys)


def _expression(column: Column, table: Table, store: Datastore, parents: dict[str, str]) -> str | None:
    unique = _varies_with_row(column, table)
    pool = "g" if unique else f"(g % {TENANTS if column.name == 'tenant_id' else POOL})"
    if column.name in parents:
        ids = parents[column.name]
        size = TENANTS if column.name == "tenant_id" else POOL
        spread = "g" if unique else f"(g % least({size}, array_length({ids}, 1)))"
        return f"{ids}[1 + ({spread} % array_length({ids}, 1))]"
    if column.identity:
        return None
    if column.name in {"created_at", "updated_at"}:
        return "timestamptz '2024-01-01' + g * interval '1 second'"
    if column.name == "deleted_at":
        return "CASE WHEN g % 50 = 0 THEN now() END"
    if column.name == "version":
        return "1"
    kind = column.type
    if column.enum_values:
        values = ", ".join(f"'{v}'" for v in column.enum_values)
        return f"(ARRAY[{values}])[1 + (g % {len(column.enum_values)})]"
    if kind == "uuid":
        return "gen_random_uuid()" if column.name == "id" or unique else f"md5({pool}::text)::uuid"
    if kind in {"bigint", "integer", "smallint"}:
        return f"{pool} % 30000"
    if kind == "numeric":
        return f"({pool} % 10000)::numeric / 10"
    if kind == "boolean":
        return "g % 2 = 0"
    if kind == "char":
        return "'EUR'"
    if kind in {"varchar", "text"}:
        words = "g" if unique else "((g / 7) % 997)"  # words independent of the other pools
        text = f"'v' || {words}::text || ' ' || md5({words}::text)"
        return f"left({text}, {column.length})" if column.length else text
    if kind == "date":
        return f"date '2024-01-01' + ({pool} % 700)"
    if kind == "timestamptz":
        return f"timestamptz '2024-01-01' + {pool} * interval '17 minutes'"
    if kind == "jsonb":
        return "'{}'::jsonb"
    if kind == "vector":
        return "NULL" if column.nullable else f"array_fill(0.5::real, ARRAY[{column.dims}])"
    if kind == "bytea":
        return "NULL" if column.nullable else "'\\x00'::bytea"
    return "NULL"


def fill_sql(store: Datastore, table: Table, rows: int) -> str:
    """An INSERT ... SELECT producing ``rows`` rows for ``table`` (its parents must be filled first)."""
    parents: dict[str, str] = {}
    sources = []
    for i, fk in enumerate(table.foreign_keys):
        if fk.ref_table == table.name:
            continue  # self references stay NULL: they are nullable by construction
        alias = f"p{i}"
        parents[fk.columns[0]] = f"{alias}.ids"
        sources.append(f"(SELECT array_agg({fk.ref_columns[0]}) AS ids FROM {qualified(store, fk.ref_table)}) {alias}")
    self_refs = {fk.columns[0] for fk in table.foreign_keys if fk.ref_table == table.name}
    columns, values = [], []
    for column in table.columns:
        expression = "NULL" if column.name in self_refs else _expression(column, table, store, parents)
        if expression is not None:
            columns.append(f'"{column.name}"')
            values.append(expression)
    source = ", ".join([f"generate_series(1, {rows}) g", *sources])
    return f"INSERT INTO {qualified(store, table.name)} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source};"
