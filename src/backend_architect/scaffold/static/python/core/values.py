"""Values between PostgreSQL rows and the contract's JSON: decimals as strings, times in RFC 3339."""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal
from typing import Any

import orjson


def to_json(value: Any) -> Any:
    """A column value as the contract writes it.

    >>> to_json(Decimal("19.9900")), to_json(datetime.date(2026, 3, 14))
    ('19.9900', '2026-03-14')
    """
    if value is None or isinstance(value, (str, bool, int, float, dict, list)):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return str(value)


def money(amount: Any, currency: Any) -> dict[str, Any] | None:
    """A Money object from its two columns (None when the amount is NULL)."""
    if amount is None:
        return None
    return {"amount": format(amount, "f"), "currency": currency}


def dumps(body: Any) -> bytes:
    """JSON bytes; integers beyond 64 bits (possible inside a JSON column) fall back to the standard library."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
