"""Helpers the SQL rules share: the tables to judge, their locations, and DDL for fixes."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.errors import Location
from backend_architect.ir.model import Architecture, Column, Datastore, SourceSpan, Table


def design_tables(arch: Architecture) -> Iterator[tuple[Datastore, Table]]:
    """Tables whose design is judged: partitions are judged through their partitioned table."""
    for store in arch.datastores:
        for table in store.tables:
            if table.partition_of is None:
                yield store, table


def where(store: Datastore, table: Table) -> str:
    """How findings name a table: schema-qualified."""
    return f"{store.name}.{table.name}"


def qualified(store: Datastore, table: Table) -> str:
    """The table's name for DDL in a fix."""
    return f"{store.schema_name}.{table.name}" if store.schema_name else table.name


def location(span: SourceSpan | None) -> Location | None:
    return Location(span.file, span.line, span.col, span.end_line, span.end_col) if span is not None else None


def sql_type(column: Column) -> str:
    """The column's type as format_type() spells it; designed tables have none and are named by their logical type."""
    return column.sql_type or column.type


def find_table(arch: Architecture, store: Datastore, name: str) -> tuple[Datastore, Table] | None:
    """The table a foreign key names: ``schema.table``, or a bare name looked up in the same schema first."""
    schema, _, bare = name.rpartition(".")
    found = _tables_by_name(arch).get(bare, ())
    if schema:
        return next(((s, t) for s, t in found if s.name == schema), None)
    return next(((s, t) for s, t in found if s is store), None) or (found[0] if found else None)


#: The last architecture's tables by bare name, in declaration order: a review asks once per foreign key (1.5M-column
#: schemas have hundreds of thousands), and the architecture does not change during a review.
_INDEX: list[tuple[object, dict[str, list[tuple[Datastore, Table]]]]] = []


def _tables_by_name(arch: Architecture) -> dict[str, list[tuple[Datastore, Table]]]:
    if _INDEX and _INDEX[0][0] is arch.datastores:
        return _INDEX[0][1]
    index: dict[str, list[tuple[Datastore, Table]]] = {}
    for candidate in arch.datastores:
        for table in candidate.tables:
            index.setdefault(table.name, []).append((candidate, table))
    _INDEX[:] = [(arch.datastores, index)]
    return index


def concurrently(store: Datastore) -> str:
    """``CONCURRENTLY `` where the engine has it (PostgreSQL), so a fix never takes the lock it warns about."""
    return "CONCURRENTLY " if store.engine == "postgresql" else ""
