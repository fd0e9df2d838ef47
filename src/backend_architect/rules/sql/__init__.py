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
    stores = [s for s in arch.datastores if s.name == schema] if schema else [store, *(s for s in arch.datastores if s is not store)]
    for candidate in stores:
        table = next((t for t in candidate.tables if t.name == bare), None)
        if table is not None:
            return candidate, table
    return None


def concurrently(store: Datastore) -> str:
    """``CONCURRENTLY `` where the engine has it (PostgreSQL), so a fix never takes the lock it warns about."""
    return "CONCURRENTLY " if store.engine == "postgresql" else ""
