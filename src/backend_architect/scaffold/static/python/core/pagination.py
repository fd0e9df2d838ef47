"""Cursor (keyset) pagination: each page continues after the last row of the previous one, along the designed index.

A cursor is the sort key of the last row returned, base64url-encoded JSON, so a page costs
one index range scan however deep the client goes (OFFSET would read and discard every row
before it). Sort columns may hold NULLs: PostgreSQL puts them last ascending and first
descending, and the predicate below follows that order exactly.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Column, and_, false, or_, true, tuple_
from sqlalchemy.sql.elements import ColumnElement

from .problems import Problem
from .refs import Hop, Ref, joined_value


@dataclass(frozen=True)
class SortKey:
    """One column of the order (of the row, or of a joined row through ``via``), its direction, and its value kind."""

    column: Column[Any]
    descending: bool
    kind: str  # uuid, int, text, numeric, date, timestamp, bool
    via: tuple[Hop, ...] = ()

    def order(self) -> ColumnElement[Any]:
        return self.column.desc() if self.descending else self.column.asc()

    def resolved(self, name: str, *conditions: ColumnElement[bool]) -> Key:
        """The key a query orders by: the column itself, or the joined row's value (meeting ``conditions``) labelled ``name``."""
        if not self.via:
            return Key(self.column, self.column.name, self.descending, self.kind, bool(self.column.nullable))
        return Key(joined_value(Ref(self.column, self.via), *conditions), name, self.descending, self.kind, True)


@dataclass(frozen=True)
class Key:
    """What a page is ordered by: an expression, the name its value has in a row, direction, value kind and whether it may be NULL."""

    expression: ColumnElement[Any]
    name: str
    descending: bool
    kind: str
    nullable: bool

    def order(self) -> ColumnElement[Any]:
        ordered: ColumnElement[Any] = self.expression.desc() if self.descending else self.expression.asc()
        return ordered


def _dump(value: Any) -> Any:
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _load(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "uuid":
        return uuid.UUID(value)
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("not an integer")
        return value
    if kind == "numeric":
        return Decimal(value)
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "timestamp":
        parsed = datetime.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("no offset")
        return parsed
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("not a boolean")
        return value
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def encode_cursor(sort: str, keys: Sequence[Key], row: dict[str, Any]) -> str:
    """The cursor after ``row`` for the order named ``sort``."""
    payload = orjson.dumps([sort, [_dump(row[k.name]) for k in keys]])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, keys: Sequence[Key]) -> list[Any]:
    """The sort key a cursor holds; 400 for a cursor this API did not issue for this order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, values = orjson.loads(raw)
        if name != sort or not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("another order")
        return [_load(k.kind, v) for k, v in zip(keys, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise Problem(400, "The cursor is not one this API issued for this sort order; start again without it.") from None


def _after(key: Key, value: Any) -> ColumnElement[bool]:
    """Rows strictly after ``value`` in this column's order (NULLS LAST ascending, NULLS FIRST descending)."""
    column = key.expression
    if key.descending:
        return column.is_not(None) if value is None else column < value
    return false() if value is None else or_(column > value, column.is_(None)) if key.nullable else column > value


def _equal(key: Key, value: Any) -> ColumnElement[bool]:
    return key.expression.is_(None) if value is None else key.expression == value


def after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after the position ``values``, for any mix of directions and NULLs.

    When every key is NOT NULL and shares one direction this is the row comparison
    ``(a, b) < (x, y)``, which PostgreSQL matches to the index; otherwise the expanded form.
    """
    if all(not k.nullable for k in keys) and len({k.descending for k in keys}) == 1 and None not in values:
        left = tuple_(*(k.expression for k in keys))
        right = tuple_(*values)
        return left < right if keys[0].descending else left > right
    branches: list[ColumnElement[bool]] = []
    for i, key in enumerate(keys):
        equal = [_equal(k, v) for k, v in zip(keys[:i], values[:i], strict=True)]
        branches.append(and_(true(), *equal, _after(key, values[i])))
    return or_(*branches)


def _sortable(key: Key, value: Any) -> tuple[Any, ...]:
    """A value's place in ``key``'s order as a Python tuple: NULLs last ascending and first descending, as PostgreSQL sorts."""
    missing = value is None
    if key.descending:
        return (not missing, _Descending(value) if not missing else 0)
    return (missing, value if not missing else 0)


class _Descending:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return bool(self.value > other.value)

    def __gt__(self, other: _Descending) -> bool:
        return bool(self.value < other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)


def in_order(rows: list[dict[str, Any]], keys: Sequence[Key]) -> list[dict[str, Any]]:
    """Rows sorted as the query with these keys would return them (for pages assembled outside the database)."""
    return sorted(rows, key=lambda row: tuple(part for k in keys for part in _sortable(k, row[k.name])))


def after_values(rows: list[dict[str, Any]], keys: Sequence[Key], values: Sequence[Any]) -> list[dict[str, Any]]:
    """The rows of an ordered list that come after the position ``values``."""
    position = tuple(part for k, v in zip(keys, values, strict=True) for part in _sortable(k, v))
    return [row for row in rows if tuple(part for k in keys for part in _sortable(k, row[k.name])) > position]
