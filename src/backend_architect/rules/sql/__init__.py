"""Helpers the SQL rules share: the tables to judge, their locations, and DDL for fixes.

Every name a fix puts into SQL goes through ``ident``: a table called
``t; DROP TABLE canary; --`` becomes ``"t; DROP TABLE canary; --"``, one identifier, so a fix
applied with psql changes only the object it names. Statements of the reviewed file that a fix
repeats are printed again from their parse tree (``reprinted``), never pasted as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

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


_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")


def ident(name: str, engine: str = "postgresql") -> str:
    """``name`` as one SQL identifier: quoted unless it is a plain lower-case name and no keyword (MySQL quotes with backticks).

    >>> ident("orders"), ident("Orders"), ident("user"), ident('t; DROP TABLE canary; --'), ident('a"b'), ident("a`b", "mysql")
    ('orders', '"Orders"', '"user"', '"t; DROP TABLE canary; --"', '"a""b"', '`a``b`')
    """
    from pglast.stream import maybe_double_quote_name

    if engine == "mysql":
        return name if _PLAIN.fullmatch(name) and maybe_double_quote_name(name) == name else "`" + name.replace("`", "``") + "`"
    return str(maybe_double_quote_name(name))


def idents(names: Iterable[str], engine: str = "postgresql") -> str:
    """Column names for a list in parentheses, each quoted as needed.

    >>> idents(["customer_id", "Created At"])
    'customer_id, "Created At"'
    """
    return ", ".join(ident(name, engine) for name in names)


def qualified(store: Datastore, table: Table | str) -> str:
    """A table (or another object of the schema, by name) for DDL in a fix: schema-qualified, each part quoted."""
    name = table if isinstance(table, str) else table.name
    return ".".join(ident(part, store.engine) for part in (store.schema_name, name) if part)


def qualified_text(name: str) -> str:
    """A ``schema.table`` name as the importer records it, each part quoted (the schema is the part before the first dot).

    >>> qualified_text("public.orders"), qualified_text('public.t; DROP TABLE x; --')
    ('public.orders', 'public."t; DROP TABLE x; --"')
    """
    schema, dot, bare = name.partition(".")
    return f"{ident(schema)}.{ident(bare)}" if dot else ident(name)


_TYPE = re.compile(r"[a-z][a-z0-9_ ]*(\(\d+(\s*,\s*\d+)?\))?(\[\])*")


def type_text(type_name: str) -> str:
    """A column type for DDL: a built-in spelling as it is, anything else (a user-defined type) quoted as a name.

    >>> type_text("character varying(20)"), type_text("numeric(12, 2)[]"), type_text("public.Mood"), type_text("int); DROP TABLE x; --")
    ('character varying(20)', 'numeric(12, 2)[]', 'public."Mood"', '"int); DROP TABLE x; --"')
    """
    return type_name if _TYPE.fullmatch(type_name) else qualified_text(type_name)


def reprinted(statement: str, edit: Callable[[Any], None]) -> str | None:
    """``statement`` (PostgreSQL) parsed, changed by ``edit`` on its parse tree, and printed again; None when it does not parse.

    Printing from the tree quotes every name and drops comments, so a fix that repeats a
    statement of the reviewed file can neither be cut short by a comment nor carry a second statement.

    >>> reprinted('CREATE INDEX ix ON "T" (a) -- note', lambda node: setattr(node, "concurrent", True))
    'CREATE INDEX CONCURRENTLY ix ON "T" (a)'
    """
    from pglast import parse_sql
    from pglast.parser import ParseError
    from pglast.stream import RawStream

    try:
        parsed = parse_sql(statement)
    except ParseError:
        return None
    node = parsed[0].stmt if len(parsed) == 1 else None
    if node is None:
        return None
    edit(node)
    return str(RawStream()(node))


def location(span: SourceSpan | None) -> Location | None:
    return Location(span.file, span.line, span.col, span.end_line, span.end_col) if span is not None else None


def sql_type(column: Column) -> str:
    """The column's type as format_type() spells it; designed tables have none and are named by their logical type."""
    return column.sql_type or column.type


def stored_type(store: Datastore, column: Column) -> str:
    """What two columns must share to compare without a cast: the type, or in SQLite its affinity (section 3.1 of its
    datatype document), where INT and BIGINT are both INTEGER and VARCHAR and CHAR both TEXT."""
    declared = sql_type(column)
    if store.engine != "sqlite":
        return declared
    upper = declared.upper()
    for marks, affinity in ((("INT",), "INTEGER"), (("CHAR", "CLOB", "TEXT"), "TEXT"), (("BLOB",), "BLOB"), (("REAL", "FLOA", "DOUB"), "REAL")):
        if any(mark in upper for mark in marks):
            return affinity
    return "BLOB" if not upper else "NUMERIC"


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
    last = _INDEX[0] if _INDEX else None  # read once: another thread may replace it meanwhile
    if last is not None and last[0] is arch.datastores:
        return last[1]
    index: dict[str, list[tuple[Datastore, Table]]] = {}
    for candidate in arch.datastores:
        for table in candidate.tables:
            index.setdefault(table.name, []).append((candidate, table))
    _INDEX[:] = [(arch.datastores, index)]
    return index


def concurrently(store: Datastore) -> str:
    """``CONCURRENTLY `` where the engine has it (PostgreSQL), so a fix never takes the lock it warns about."""
    return "CONCURRENTLY " if store.engine == "postgresql" else ""
