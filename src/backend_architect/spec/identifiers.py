"""SQL names a design derives from a spec: their limits, how they are quoted and shortened, and the checks.

Three rules, one per kind of name (docs/spec.md, "Names in SQL", says the same for users):

- A reserved word is never an error: every statement quotes a name its dialect would
  read as a keyword (and SQL the design writes once for both dialects, such as a
  partial index predicate, quotes it if either would), so a field called ``order``,
  ``user`` or ``current_user`` is that column and not the session role.
- A name a person writes and later types in queries (a table, a column, a join table, a
  module's schema) is checked here, with a located error when PostgreSQL would truncate
  it (more than 63 bytes), refuse it (a ``pg_`` schema) or read it as something else (an
  unqualified ``pg_`` table resolves to the system catalog first; SQLite refuses
  ``sqlite_`` tables), or when two of them would be one table.
- A name the design makes up (keys, indexes, checks, partitions, policies) is shortened
  to 63 bytes with a stable hash of the whole name, so it stays unique and the same from
  run to run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from backend_architect.spec.model import Spec
from backend_architect.spec.naming import VERSION_COLUMN, blob_meta_columns, column_names, join_columns, join_table, snake, table_name

if TYPE_CHECKING:
    from backend_architect.spec.check import Problem
    from backend_architect.spec.positions import Path

#: PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and drops the rest with a NOTICE.
MAX_IDENTIFIER_BYTES = 63
#: Hex digits of the hash that ends a shortened name: 32 bits, so two long names that share
#: their first 54 bytes collide once in four billion.
HASH_DIGITS = 8
#: Table-name prefixes with a meaning in a dialect, and why a user table cannot take them.
SYSTEM_PREFIXES = {
    "pg_": "PostgreSQL looks up unqualified pg_ names in its system catalog first, so queries would reach pg_catalog",
    "sqlite_": "SQLite reserves sqlite_ names for its own tables and refuses to create them",
}
#: Prefixes of the key and index names the design derives, which share one namespace with tables in PostgreSQL.
DERIVED_PREFIXES = ("pk_", "uq_", "ix_")
#: Schemas a module may not be: they exist in every PostgreSQL database.
SYSTEM_SCHEMAS = {
    "public": "the default schema: the module's down migration would drop it",
    "information_schema": "PostgreSQL's catalog views live there",
}
#: SQLite keywords newer than SQLAlchemy's list of them (UPSERT 3.24, window functions 3.25, generated columns
#: 3.31, RETURNING and MATERIALIZED 3.35; sqlite.org/lang_keywords.html). tests/spec/test_identifiers.py checks
#: the union against the keyword list of the SQLite library in use (sqlite3_keyword_name).
SQLITE_NEWER_KEYWORDS = frozenset(
    "abort action always current do exclude filter first following generated groups last materialized no nothing nulls "
    "others over partition preceding range recursive regexp release returning rows savepoint ties unbounded window with without".split()
)
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")


def bounded_name(name: str) -> str:
    """``name``, or its first bytes and a stable hash when it is longer than PostgreSQL keeps.

    >>> bounded_name("ix_orders_customer_id")
    'ix_orders_customer_id'
    >>> bounded_name("ck_" + "x" * 70)
    'ck_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_aca2af72'
    >>> len(bounded_name("é" * 40).encode())
    63
    """
    raw = name.encode()
    if len(raw) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.sha1(raw).hexdigest()[:HASH_DIGITS]
    head = raw[: MAX_IDENTIFIER_BYTES - HASH_DIGITS - 1].decode(errors="ignore").rstrip("_")
    return f"{head}_{digest}"


def primary_key_name(table: str) -> str:
    """The primary key constraint (and its index) of ``table``.

    >>> primary_key_name("orders")
    'pk_orders'
    """
    return bounded_name(f"pk_{table}")


def partition_maintenance_name(table: str) -> str:
    """The function that creates ``table``'s partitions ahead and moves, drops or detaches old ones.

    >>> partition_maintenance_name("trips")
    'maintain_trips_partitions'
    """
    return bounded_name(f"maintain_{table}_partitions")


def partition_prefix(table: str) -> str:
    """What ``table``'s time partitions are named by, before ``_pYYYYMMDD``: the name, hashed short enough for the suffix.

    >>> partition_prefix("trips")
    'trips'
    >>> len(partition_prefix("t" * 70).encode()) + len("_p20260101")
    63
    """
    room = MAX_IDENTIFIER_BYTES - len("_p20260101")
    raw = table.encode()
    if len(raw) <= room:
        return table
    head = raw[: room - HASH_DIGITS - 1].decode(errors="ignore")
    return f"{head}_{hashlib.sha1(raw).hexdigest()[:HASH_DIGITS]}"


@lru_cache(maxsize=3)
def reserved_words(dialect: Literal["postgresql", "sqlite"] | None = None) -> frozenset[str]:
    """Words ``dialect`` (default: either dialect) may read as syntax where a name stands, from the dialects' own lists.

    PostgreSQL's ``quote_ident`` quotes every keyword that is not *unreserved* (its parser's
    keyword categories, as pglast ships them), and SQLAlchemy quotes a few more; SQLite's
    are SQLAlchemy's list of SQLite keywords and those SQLite added since.
    """
    if dialect is None:
        return reserved_words("postgresql") | reserved_words("sqlite")
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite.base import SQLiteIdentifierPreparer

        return frozenset(SQLiteIdentifierPreparer.reserved_words) | SQLITE_NEWER_KEYWORDS
    from pglast import keywords
    from sqlalchemy.dialects.postgresql.base import RESERVED_WORDS

    return frozenset(keywords.RESERVED_KEYWORDS | keywords.COL_NAME_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS) | frozenset(RESERVED_WORDS)


def needs_quotes(name: str) -> bool:
    """Whether ``name`` must be double-quoted to mean itself in both PostgreSQL and SQLite.

    >>> [needs_quotes(n) for n in ["title", "order", "current_user", "row", "Title", "2fa"]]
    [False, True, True, True, True, True]
    """
    return _PLAIN.fullmatch(name) is None or name in reserved_words()


def quote_name(name: str) -> str:
    """``name`` as SQL both dialects read as that name: double-quoted when it needs it.

    >>> print(quote_name("status"), quote_name("user"), quote_name("Status"))
    status "user" "Status"
    """
    return '"' + name.replace('"', '""') + '"' if needs_quotes(name) else name


# --- checks (registered in spec/check.py) ----------------------------------------------


def check_identifiers(spec: Spec) -> Iterator[Problem]:
    """Every table, column, join table and schema name the spec makes, checked against the dialects' limits."""
    yield from _table_names(spec)
    yield from _column_names(spec)
    yield from _design_columns(spec)
    yield from _join_tables(spec)
    yield from _schema_names(spec)


def _problem(path: Path, message: str, at_key: bool = False) -> Problem:
    # spec/check.py imports this module to register the checks, so its Problem is imported when a check runs
    from backend_architect.spec.check import Problem

    return Problem(path, message, at_key)


def _too_long(kind: str, name: str) -> str | None:
    size = len(name.encode())
    if size <= MAX_IDENTIFIER_BYTES:
        return None
    return f"{kind} '{name}' is {size} bytes; PostgreSQL keeps only the first {MAX_IDENTIFIER_BYTES}, so shorten it by {size - MAX_IDENTIFIER_BYTES}"


def _system_prefix(kind: str, name: str) -> str | None:
    for prefix, why in SYSTEM_PREFIXES.items():
        if name.startswith(prefix):
            return f"{kind} '{name}' starts with {prefix}: {why}; rename it"
    if name.startswith(DERIVED_PREFIXES):
        why = "which begins the names of the keys and indexes the design derives, and PostgreSQL keeps those in one namespace with tables"
        return f"{kind} '{name}' starts with {name[:3]}, {why}; rename it"
    return None


def _table_names(spec: Spec) -> Iterator[Problem]:
    """An entity's table fits in 63 bytes and stays out of the dialects' system prefixes."""
    for name in spec.entities:
        table = table_name(name)
        for message in (_too_long("table", table), _system_prefix("table", table)):
            if message:
                yield _problem(("entities", name), f"entity '{name}': {message}", True)


def _column_names(spec: Spec) -> Iterator[Problem]:
    """Every column a field or relation makes fits in 63 bytes, reported at the field that makes it."""
    for name, entity in spec.entities.items():
        made_by: dict[str, Path] = {}
        if entity.part_of:
            made_by[f"{snake(entity.part_of)}_id"] = ("entities", name, "part_of")
        for field_name, field in entity.fields.items():
            kind = field.type.kind
            made = (
                [f"{field_name}_id"]
                if kind == "ref"
                else [f"{field_name}_amount", f"{field_name}_currency"]
                if kind == "money"
                else [f"{field_name}_lat", f"{field_name}_lon", f"{field_name}_cell"]
                if kind == "geo"
                else [field_name, *blob_meta_columns(field_name)]
                if kind == "blob"
                else [field_name]
            )
            for column in made:
                made_by.setdefault(column, ("entities", name, "fields", field_name))
        for column in dict.fromkeys(column_names(spec, name)):
            message = _too_long("column", column)
            if message and column in made_by:
                yield _problem(made_by[column], message, made_by[column][-1] != "part_of")


def _design_columns(spec: Spec) -> Iterator[Problem]:
    """A field may take neither the name of the design's concurrency column nor that of the relation to its parent."""
    for name, entity in spec.entities.items():
        parent = snake(entity.part_of) if entity.part_of else None
        if parent in entity.fields:
            why = f"the name of the relation to {entity.part_of} (part_of), so a filter, sort or search naming it would mean {parent}_id"
            yield _problem(("entities", name, "fields", parent), f"field '{parent}' has {why}; rename the field", True)
        if VERSION_COLUMN in entity.fields:
            why = "the column the design adds for optimistic concurrency (bumped on every update, sent as the ETag)"
            yield _problem(("entities", name, "fields", VERSION_COLUMN), f"'{VERSION_COLUMN}' is {why}; name this field otherwise, e.g. revision", True)


def _join_tables(spec: Spec) -> Iterator[Problem]:
    """A many-to-many join table is a table like any other: bounded, unprefixed, and nobody else's."""
    owners = {
        table_name(name): f"the table of entity '{name}'; if {name} is the link, drop this many_to_many and give {name} a ref to each side"
        for name in spec.entities
    }
    for name, entity in spec.entities.items():
        for relation, other in entity.many_to_many.items():
            if other not in spec.entities:
                continue  # reported by the reference checks
            table = join_table(name, relation)
            path: Path = ("entities", name, "many_to_many", relation)
            columns = list(join_columns(name, relation, other))
            messages = [_too_long("join table", table), _system_prefix("join table", table), *(_too_long("join column", c) for c in columns)]
            if table in owners:
                messages.append(f"the join table of {name} and {other} would be '{table}', already {owners[table]}")
            owners.setdefault(table, f"the join table of {name} and {other}; list the pair once")
            for message in messages:
                if message:
                    yield _problem(path, message)


def _schema_names(spec: Spec) -> Iterator[Problem]:
    """A declared service may become a module with a schema of its name: one PostgreSQL accepts as new."""
    for name in spec.services or {}:
        schema = name.replace("-", "_")
        messages = [_too_long("schema", schema)]
        if schema.startswith("pg_"):
            messages.append(f"service '{name}' would be schema '{schema}', and PostgreSQL reserves pg_ schema names for itself; rename the service")
        if schema in SYSTEM_SCHEMAS:
            messages.append(f"service '{name}' would be schema '{schema}', {SYSTEM_SCHEMAS[schema]}; rename the service")
        for message in messages:
            if message:
                yield _problem(("services", name), message, True)
