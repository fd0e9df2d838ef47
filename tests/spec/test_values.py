"""Literal values in a spec: defaults fit their field's type and constraints, constant filters fit their field."""

from __future__ import annotations

import pytest
import yaml

from backend_architect.errors import InputError
from backend_architect.spec.load import load_spec_bytes


def scalar(value: object) -> str:
    """``value`` as one line of YAML."""
    return yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip().removesuffix("...").strip()


def spec_with_default(kind: str, default: object) -> bytes:
    """A one-entity spec whose field ``f`` has ``default`` (line 6, column 18) and type ``kind``."""
    return f"system: x\nentities:\n  A:\n    fields:\n      f:\n        default: {scalar(default)}\n        type: '{kind}'\n".encode()


@pytest.mark.parametrize(
    ("kind", "default"),
    [
        pytest.param("enum[draft,live]", "draft", id="enum-value"),
        pytest.param("string(3)", "abc", id="string-at-its-length"),
        pytest.param("string(3)", "été", id="string-length-in-characters-not-bytes"),
        pytest.param("string", "it's a \\ */ -- test", id="string-with-sql-punctuation"),
        pytest.param("text", "line one\nline two", id="text-with-newline"),
        pytest.param("int", 2**31 - 1, id="int-max"),
        pytest.param("int", -(2**31), id="int-min"),
        pytest.param("bigint", 2**63 - 1, id="bigint-max"),
        pytest.param("decimal(5,2)", 999.99, id="decimal-at-its-precision"),
        pytest.param("decimal(5,2)", "-999.99", id="decimal-as-text"),
        pytest.param("decimal(5,2)", 0, id="decimal-zero"),
        pytest.param("money", 1234.5, id="money"),
        pytest.param("bool", False, id="bool"),
        pytest.param("date", "2024-02-29", id="date"),
        pytest.param("date", "today", id="date-today"),
        pytest.param("datetime", "now", id="datetime-now"),
        pytest.param("datetime", "2024-01-31T09:00:00Z", id="datetime-utc"),
        pytest.param("datetime", "2024-01-31 09:00:00.5+02:00", id="datetime-offset"),
        pytest.param("uuid", "0190d5a8-7b8e-7c1d-9f00-0123456789ab", id="uuid"),
        pytest.param("json", '{"a": [1, 2]}', id="json-object"),
        pytest.param("json", "[]", id="json-array"),
        pytest.param("email", "a@example.com", id="email"),
    ],
)
def test_defaults_of_their_type_load_ok(kind: str, default: object) -> None:
    """A default of the field's type, inside its constraints, is accepted."""
    spec = load_spec_bytes(spec_with_default(kind, default), "spec.yaml").spec
    assert spec.entities["A"].fields["f"].default == default


@pytest.mark.parametrize(
    ("kind", "default", "expected"),
    [
        pytest.param("enum[draft,live]", "gone", "'default' 'gone' is not one of the enum's values (draft, live)", id="enum-outside-values"),
        pytest.param("enum[1,2]", 1, "'default' 1 is a number, and this field is enum[1,2]: write the default in quotes", id="enum-unquoted-number"),
        pytest.param("string(3)", "abcd", "'default' is 4 characters; string(3) holds at most 3", id="string-too-long"),
        pytest.param("email", "a" * 321, "'default' is 321 characters; email holds at most 320", id="email-too-long"),
        pytest.param("string", 42, "'default' 42 is a number, and this field is string(255): write the default in quotes", id="string-given-a-number"),
        pytest.param("string", "nul\x00byte", "a default cannot contain a NUL character", id="string-with-nul"),
        pytest.param("int", 2**31, "'default' 2147483648 is outside int's range", id="int-overflow"),
        pytest.param("bigint", -(2**63) - 1, "'default' -9223372036854775809 is outside bigint's range", id="bigint-underflow"),
        pytest.param("int", 1.5, "'default' 1.5 is not a whole number, and this field is int", id="int-given-a-fraction"),
        pytest.param("int", "7", "'default' '7' is not a whole number, and this field is int", id="int-given-text"),
        pytest.param("int", True, "'default' true is a bool, and this field is int", id="int-given-a-bool"),
        pytest.param("decimal(5,2)", 1000, "'default' 1000 has 4 digits before the point; decimal(5,2) holds 3", id="decimal-overflow"),
        pytest.param("decimal(5,2)", 1.005, "'default' 1.005 has 3 digits after the point; decimal(5,2) keeps 2", id="decimal-rounded"),
        pytest.param("decimal(5,2)", float("nan"), "'default' nan is not a number a database stores", id="decimal-nan"),
        pytest.param("decimal(5,2)", float("inf"), "'default' inf is not a number a database stores", id="decimal-infinity"),
        pytest.param("decimal(5,2)", "12,5", "'default' '12,5' is not a number", id="decimal-with-comma"),
        pytest.param("money", 10**16, "has 17 digits before the point; money holds 15", id="money-overflow"),
        pytest.param("bool", "yes", "'default' 'yes' is not a bool: write true or false, unquoted", id="bool-given-text"),
        pytest.param("bool", 1, "'default' 1 is not a bool", id="bool-given-a-number"),
        pytest.param("date", "2023-02-29", "'default' '2023-02-29' is not a date", id="date-that-does-not-exist"),
        pytest.param("date", "31/01/2024", "'default' '31/01/2024' is not a date", id="date-in-another-format"),
        pytest.param("date", "tomorrow", "'default' 'tomorrow' would be fixed when the table is created", id="date-frozen-word"),
        pytest.param("datetime", "2024-01-31T09:00:00", "is not an instant with its time zone", id="datetime-without-zone"),
        pytest.param("datetime", "epoch", "'default' 'epoch' would be fixed when the table is created", id="datetime-frozen-word"),
        pytest.param("uuid", "not-a-uuid", "'default' 'not-a-uuid' is not a UUID", id="uuid-malformed"),
        pytest.param("json", "{a: 1}", "'default' is not a JSON document", id="json-malformed"),
        pytest.param("json", "NaN", "'default' is not a JSON document", id="json-nan"),
        pytest.param("json", 5, "'default' 5 is a number, and this field is json: write the default in quotes", id="json-unquoted"),
        pytest.param("vector(3)", "[0,0,0]", "a vector field takes no default", id="vector"),
        pytest.param("blob", "key", "a blob field takes no default", id="blob"),
    ],
)
def test_defaults_outside_their_field_err(kind: str, default: object, expected: str) -> None:
    """A default the column would refuse (or silently change) is a located error at the default."""
    with pytest.raises(InputError) as info:
        load_spec_bytes(spec_with_default(kind, default), "spec.yaml")
    assert any(line.startswith("spec.yaml:6:18: A.f: ") and expected in line for line in str(info.value).splitlines()), str(info.value)


CONSTANT_SPEC = """\
system: x
entities:
  A:
    fields: {{code: string(4), size: int, big: bigint, state: 'enum[on,off]'}}
use_cases:
  - name: list some
    reads: [A]
    filter: [{constant}]
"""


@pytest.mark.parametrize(
    "constant",
    [
        pytest.param("code=abcd", id="string-at-its-length"),
        pytest.param("code=it's", id="string-with-quote"),
        pytest.param("size=-2147483648", id="int-min"),
        pytest.param("big=9223372036854775807", id="bigint-max"),
        pytest.param("state=on", id="enum"),
    ],
)
def test_constant_filters_their_field_holds_ok(constant: str) -> None:
    """A constant filter its field can hold is accepted."""
    load_spec_bytes(CONSTANT_SPEC.format(constant=scalar(constant)).encode(), "spec.yaml")


@pytest.mark.parametrize(
    ("constant", "expected"),
    [
        pytest.param("code=abcde", "spec.yaml:8:14: 'abcde' is longer than string(4): no row can match it", id="string-too-long"),
        pytest.param("size=2147483648", "spec.yaml:8:14: filter value 2147483648 is outside int's range", id="int-overflow"),
        pytest.param("size=٣", "spec.yaml:8:14: '٣' is not written with the digits 0-9", id="int-in-arabic-digits"),
        pytest.param("code=a\x00b", "spec.yaml:8:14: a filter value cannot contain a NUL character", id="nul"),
    ],
)
def test_constant_filters_their_field_cannot_hold_err(constant: str, expected: str) -> None:
    """A constant no row can hold, or that SQL cannot carry, is a located error at the filter."""
    text = CONSTANT_SPEC.format(constant=scalar(constant))
    with pytest.raises(InputError) as info:
        load_spec_bytes(text.encode(), "spec.yaml")
    assert any(line.startswith(expected) for line in str(info.value).splitlines()), str(info.value)
