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


@dataclass(frozen=True)
class SortKey:
    """One column of the order, its direction, and how to read its value back from a cursor."""

    column: Column[Any]
    descending: bool
    kind: str  # uuid, int, text, numeric, date, timestamp, bool

    def order(self) -> ColumnElement[Any]:
        return self.column.desc() if self.descending else self.column.asc()


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


def encode_cursor(sort: str, keys: Sequence[SortKey], row: dict[str, Any]) -> str:
    """The cursor after ``row`` for the order named ``sort``."""
    payload = orjson.dumps([sort, [_dump(row[k.column.name]) for k in keys]])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, keys: Sequence[SortKey]) -> list[Any]:
    """The sort key a cursor holds; 400 for a cursor this API did not issue for this order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, values = orjson.loads(raw)
        if name != sort or not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("another order")
        return [_load(k.kind, v) for k, v in zip(keys, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise Problem(400, "The cursor is not one this API issued for this sort order; start again without it.") from None


def _after(key: SortKey, value: Any) -> ColumnElement[bool]:
    """Rows strictly after ``value`` in this column's order (NULLS LAST ascending, NULLS FIRST descending)."""
    column = key.column
    if key.descending:
        return column.is_not(None) if value is None else column < value
    return false() if value is None else or_(column > value, column.is_(None)) if column.nullable else column > value


def _equal(key: SortKey, value: Any) -> ColumnElement[bool]:
    return key.column.is_(None) if value is None else key.column == value


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after the position ``values``, for any mix of directions and NULLs.

    When every key is NOT NULL and shares one direction this is the row comparison
    ``(a, b) < (x, y)``, which PostgreSQL matches to the index; otherwise the expanded form.
    """
    if all(not k.column.nullable for k in keys) and len({k.descending for k in keys}) == 1 and None not in values:
        left = tuple_(*(k.column for k in keys))
        right = tuple_(*values)
        return left < right if keys[0].descending else left > right
    branches: list[ColumnElement[bool]] = []
    for i, key in enumerate(keys):
        equal = [_equal(k, v) for k, v in zip(keys[:i], values[:i], strict=True)]
        branches.append(and_(true(), *equal, _after(key, values[i])))
    return or_(*branches)
