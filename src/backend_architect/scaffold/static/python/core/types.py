"""Value types for request bodies and parameters, checked the way the contract's JSON Schema reads.

Pydantic's defaults are more forgiving than JSON Schema (a UUID without hyphens, a date-time
without an offset, a float for an integer): each type here accepts exactly what the schema
does, and strings PostgreSQL cannot store (U+0000) are refused with a reason.
"""

from __future__ import annotations

import datetime
import math
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

#: Every request body model: unknown properties refused (additionalProperties: false), no type coercion.
STRICT = ConfigDict(extra="forbid", strict=True, populate_by_name=False, validate_default=False)

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")


def storable(value: str) -> str:
    """A string PostgreSQL can store: no U+0000."""
    if "\x00" in value:
        raise ValueError("must not contain U+0000 (PostgreSQL text cannot hold it)")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if not _UUID.fullmatch(_text(value)):
        raise ValueError("must be a UUID (8-4-4-4-12 hexadecimal digits)")
    return uuid.UUID(value)


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not _DATE.fullmatch(_text(value)):
        raise ValueError("must be a date (YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a real calendar date") from None


def _date_time(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    if not _DATE_TIME.fullmatch(_text(value)):
        raise ValueError("must be an RFC 3339 date-time with an offset (e.g. 2026-03-14T09:26:53Z)")
    try:
        return datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be a real date and time") from None


def _integer(value: Any) -> int:
    """JSON Schema's integer: any number with no fractional part (``5.0`` is 5); never a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


def _email(value: str) -> str:
    if "@" not in value:
        raise ValueError("must be an email address")
    return value


def _ecma(pattern: str) -> re.Pattern[str]:
    """A JSON Schema (ECMA-262) pattern in Python: ``\\d`` is ASCII only there and ``$`` ends the input only.

    >>> bool(_ecma(r"^\\d{2}$").search("12\\n")), bool(_ecma(r"^\\d{2}$").search("12"))
    (False, True)
    """
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            out.append("[0-9]" if char == "d" and not in_class else "0-9" if char == "d" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            in_class = (in_class or char == "[") and char != "]"
            out.append(r"\Z" if char == "$" and not in_class else char)
    return re.compile("".join(out))


def decimal_text(pattern: str) -> BeforeValidator:
    """A decimal sent as a string matching ``pattern`` (never a float), as money and decimals are."""
    compiled = _ecma(pattern)

    def check(value: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        text = _text(value)
        if compiled.search(text) is None:
            raise ValueError(f"must be a decimal string matching {pattern}")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError("must be a decimal number") from None

    return BeforeValidator(check)


def pattern(regex: str) -> AfterValidator:
    """A string matching ``regex`` with JSON Schema's semantics."""
    compiled = _ecma(regex)

    def check(value: str) -> str:
        if compiled.search(value) is None:
            raise ValueError(f"must match {regex}")
        return value

    return AfterValidator(check)


Uuid = Annotated[uuid.UUID, BeforeValidator(_uuid)]
Date = Annotated[datetime.date, BeforeValidator(_date)]
DateTime = Annotated[datetime.datetime, BeforeValidator(_date_time)]
Text = Annotated[str, AfterValidator(storable)]
Email = Annotated[str, AfterValidator(storable), AfterValidator(_email)]
Integer = Annotated[int, BeforeValidator(_integer)]


def _number(value: Any) -> float:
    """JSON Schema's number: an integer or a finite float, never a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number")
    if not math.isfinite(value):
        raise ValueError("must be finite")
    return float(value)


Number = Annotated[float, BeforeValidator(_number)]
Int32 = Annotated[int, BeforeValidator(_integer), Field(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, BeforeValidator(_integer), Field(ge=-(2**63), le=2**63 - 1)]


def storable_json(value: Any) -> Any:
    """A JSON value PostgreSQL's jsonb can store: no U+0000 in keys or strings, no infinite numbers."""
    if isinstance(value, str):
        storable(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite")
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key)
            storable_json(item)
    elif isinstance(value, list):
        for item in value:
            storable_json(item)
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(storable_json)]
