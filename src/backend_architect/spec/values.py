"""Literal values a spec puts into SQL: field defaults and constant filters, checked against their field.

A default is compiled into the column (``DEFAULT ...``) and PostgreSQL checks most of it
only when a row first relies on it: a default of the wrong type, outside the column's
own CHECK (an enum value, a string length) or wider than its numeric precision makes
every such insert fail long after the schema applied. A constant filter becomes a
partial index predicate. Both are checked here, each at the value that is wrong.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from backend_architect.spec.field_types import DEFAULT_STRING_LENGTH, EMAIL_LENGTH, URL_LENGTH, FieldType
from backend_architect.spec.model import FieldSpec, Spec
from backend_architect.spec.naming import split_filter

if TYPE_CHECKING:
    from backend_architect.spec.check import Problem
    from backend_architect.spec.positions import Path

#: Inclusive bounds of PostgreSQL's integer (int4) and bigint (int8).
INTEGER_RANGES = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
#: money is stored as numeric(19,4) (the data stage's amount column).
MONEY_DIGITS = (19, 4)
#: Default values PostgreSQL would evaluate once, when the table is created, if written as strings.
FROZEN_WORDS = frozenset({"now", "today", "tomorrow", "yesterday", "epoch", "infinity", "-infinity", "allballs"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_INTEGER = re.compile(r"-?[0-9]+")


def check_values(spec: Spec) -> Iterator[Problem]:
    """Every field default and constant filter, against the type and constraints of its field."""
    yield from _defaults(spec)
    yield from _filter_constants(spec)


def _problem(path: Path, message: str) -> Problem:
    # spec/check.py imports this module to register the checks, so its Problem is imported when a check runs
    from backend_architect.spec.check import Problem

    return Problem(path, message)


def _defaults(spec: Spec) -> Iterator[Problem]:
    """A field's default is a value of its type that its own constraints accept."""
    for name, entity in spec.entities.items():
        for field_name, field in entity.fields.items():
            message = default_problem(field)
            if message:
                yield _problem(("entities", name, "fields", field_name, "default"), f"{name}.{field_name}: {message}")


def default_problem(field: FieldSpec) -> str | None:
    """What is wrong with ``field``'s default, or None.

    >>> from backend_architect.spec.field_types import parse_field_type as t
    >>> default_problem(FieldSpec(type=t("enum[a,b]"), default="c"))
    "'default' 'c' is not one of the enum's values (a, b)"
    >>> default_problem(FieldSpec(type=t("decimal(5,2)"), default=1234.5))
    "'default' 1234.5 has 4 digits before the point; decimal(5,2) holds 3"
    >>> default_problem(FieldSpec(type=t("string(3)"), default="abc")) is None
    True
    """
    value, kind = field.default, field.type.kind
    if value is None or kind == "ref":  # a ref's default is refused with the references
        return None
    if kind in {"vector", "blob"}:
        return f"a {kind} field takes no default"
    if kind == "bool":
        return None if isinstance(value, bool) else f"'default' {value!r} is not a bool: write true or false, unquoted"
    if isinstance(value, bool):
        return f"'default' {str(value).lower()} is a bool, and this field is {field.type}: write a value of the field's type"
    if kind in INTEGER_RANGES:
        return _integer_problem(value, kind)
    if kind in {"decimal", "money"}:
        digits = MONEY_DIGITS if kind == "money" else (field.type.precision or 0, field.type.scale or 0)
        return _decimal_problem(value, digits, field.type)
    if not isinstance(value, str):
        return f"'default' {value!r} is a number, and this field is {field.type}: write the default in quotes"
    return _text_problem(value, field.type)


def _integer_problem(value: str | int | float, kind: str, what: str = "'default'") -> str | None:
    low, high = INTEGER_RANGES[kind]
    if not isinstance(value, int):
        return f"{what} {value!r} is not a whole number, and this field is {kind}"
    if not low <= value <= high:
        return f"{what} {value} is outside {kind}'s range ({low} to {high})"
    return None


def _decimal_problem(value: str | int | float, digits: tuple[int, int], kind: FieldType) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return f"'default' {value} is not a number a database stores in {kind}"
    text = repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        return f"'default' {value!r} is not a number, and this field is {kind}"
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return f"'default' {value!r} is not a number, and this field is {kind}"
    precision, scale = digits
    _sign, figures, exponent = number.normalize().as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    decimals = max(0, -exponent)
    whole = max(0, len(figures) + exponent) if figures != (0,) else 0
    if decimals > scale:
        return f"'default' {value} has {decimals} digits after the point; {kind} keeps {scale}, so it would be rounded"
    if whole > precision - scale:
        return f"'default' {value} has {whole} digits before the point; {kind} holds {precision - scale}"
    return None


def _text_problem(value: str, kind: FieldType) -> str | None:
    """A string default: storable text, within the column's length, and readable as the field's type."""
    if "\x00" in value:
        return "a default cannot contain a NUL character: PostgreSQL text cannot store it"
    limit = {"string": kind.length or DEFAULT_STRING_LENGTH, "email": EMAIL_LENGTH, "url": URL_LENGTH}.get(kind.kind)
    if limit is not None and len(value) > limit:
        return f"'default' is {len(value)} characters; {kind} holds at most {limit}"
    if kind.kind == "enum" and value not in kind.values:
        return f"'default' {value!r} is not one of the enum's values ({', '.join(kind.values)})"
    if kind.kind == "uuid" and not _UUID.fullmatch(value):
        return f"'default' {value!r} is not a UUID (8-4-4-4-12 hex digits)"
    if kind.kind == "date":
        return _date_problem(value)
    if kind.kind == "datetime":
        return _datetime_problem(value)
    if kind.kind == "json":
        return _json_problem(value)
    return None


def _date_problem(value: str) -> str | None:
    if value.lower() in {"today", "now"}:
        return None  # CURRENT_DATE, evaluated per row
    if value.lower() in FROZEN_WORDS:
        return f"'default' {value!r} would be fixed when the table is created; write a date such as 2024-01-31, or today"
    try:
        if _DATE.fullmatch(value):
            date.fromisoformat(value)
            return None
    except ValueError:
        pass
    return f"'default' {value!r} is not a date: write it as YYYY-MM-DD, or today"


def _datetime_problem(value: str) -> str | None:
    if value.lower() == "now":
        return None  # CURRENT_TIMESTAMP, evaluated per row
    if value.lower() in FROZEN_WORDS:
        return f"'default' {value!r} would be fixed when the table is created; write an instant such as 2024-01-31T09:00:00Z, or now"
    try:
        if _TIMESTAMP.fullmatch(value):
            datetime.fromisoformat(value)
            return None
    except ValueError:
        pass
    return f"'default' {value!r} is not an instant with its time zone: write it as 2024-01-31T09:00:00Z, or now"


def _json_problem(value: str) -> str | None:
    def refuse(word: str) -> object:
        raise ValueError(word)

    try:
        json.loads(value, parse_constant=refuse)
    except ValueError as exc:
        return f"'default' is not a JSON document ({str(exc).split(':')[0]}): write it as a quoted JSON text, such as '{{}}'"
    return None


def _filter_constants(spec: Spec) -> Iterator[Problem]:
    """A constant filter (``status=open``) is a value its field can hold, written into a partial index."""
    from backend_architect.spec.subject import primary_entity

    for i, use_case in enumerate(spec.use_cases):
        main = primary_entity(spec, use_case)
        for j, ref in enumerate(use_case.filter):
            field_ref, constant = split_filter(ref)
            if constant is None:
                continue
            entity, dot, name = field_ref.partition(".")
            if not dot:
                entity, name = main or "", field_ref
            field = spec.entities[entity].fields.get(name) if entity in spec.entities else None
            message = _constant_problem(constant, field.type) if field is not None else None
            if message:
                yield _problem(("use_cases", i, "filter", j), message)


def _constant_problem(constant: str, kind: FieldType) -> str | None:
    if "\x00" in constant:
        return "a filter value cannot contain a NUL character"
    if kind.kind in INTEGER_RANGES and constant.lstrip("-").isdigit():
        if not _INTEGER.fullmatch(constant):
            return f"{constant!r} is not written with the digits 0-9"
        return _integer_problem(int(constant), kind.kind, "filter value")
    if kind.kind == "string" and len(constant) > (kind.length or DEFAULT_STRING_LENGTH):
        return f"{constant!r} is longer than {kind}: no row can match it"
    return None
