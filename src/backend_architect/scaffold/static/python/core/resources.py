"""What the routes operate on: a resource (a table and its designed traits) and an operation's decisions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Column, Table
from sqlalchemy.sql.elements import ColumnElement, TextClause

from .auth import Policy
from .outbox import EventSpec
from .pagination import SortKey


@dataclass(frozen=True)
class Resource:
    """An entity's table with the traits the design gave it."""

    name: str
    table: Table
    key: Column[Any]
    key_kind: Literal["uuid", "int"]
    to_api: Callable[[dict[str, Any]], dict[str, Any]]
    #: The item's URL path, for Location headers (None when it has no GET).
    location: Callable[[dict[str, Any]], str] | None
    outbox: Table
    idempotency: Table
    #: Keys the service makes (UUIDv7); None when the database generates them (identity).
    new_key: Callable[[], uuid.UUID] | None = None
    version: Column[Any] | None = None
    tenant: Column[Any] | None = None
    deleted_at: Column[Any] | None = None
    updated_at: Column[Any] | None = None
    #: Composition: the parent resource and this table's column pointing at it.
    parent: Parent | None = None


@dataclass(frozen=True)
class Parent:
    resource: Resource
    column: Column[Any]


@dataclass(frozen=True)
class Filter:
    """A query parameter narrowing a list: equality, or one bound of a range."""

    param: str
    column: Column[Any]
    op: Literal["eq", "ge", "lt"] = "eq"


@dataclass(frozen=True)
class Search:
    """Full-text search over the designed GIN index's document."""

    param: str
    document: ColumnElement[Any]
    config: str


@dataclass(frozen=True)
class Operation:
    """One operation of the contract, with every decision the design made for it."""

    policy: Policy
    resource: Resource
    kind: Literal["list", "get", "create", "update", "replace", "delete", "action"]
    owner: Column[Any] | None = None
    conditional: bool = False
    events: Sequence[EventSpec] = ()
    cache_control: str | None = None
    #: Lists: filters, the designed index's constant predicate, the orders offered, full-text search.
    filters: Sequence[Filter] = ()
    where: Sequence[TextClause] = ()
    sorts: Mapping[str, Sequence[SortKey]] = field(default_factory=dict)
    default_sort: str = ""
    search: Search | None = None
    paging: Literal["cursor", "offset", "none"] = "cursor"


def document(config: str, *columns: Column[Any]) -> ColumnElement[Any]:
    """``to_tsvector('config', coalesce(a, '') || ' ' || coalesce(b, ''))``: the designed GIN index's expression, so the planner uses it."""
    from sqlalchemy import func, literal_column

    parts = [func.coalesce(c, literal_column("''")) for c in columns]
    joined: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        joined = joined.op("||")(literal_column("' '")).op("||")(part)
    return func.to_tsvector(literal_column(f"'{config}'"), joined)
