"""The compact field-type grammar."""

from __future__ import annotations

import re

import pytest

from backend_architect.spec.field_types import parse_field_type


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        pytest.param("string(100)", "string(100)", id="string"),
        pytest.param("string", "string(255)", id="string-default-length"),
        pytest.param("text", "text", id="text"),
        pytest.param("int", "int", id="int"),
        pytest.param("bigint", "bigint", id="bigint"),
        pytest.param("decimal(12,2)", "decimal(12,2)", id="decimal"),
        pytest.param("decimal", "decimal(18,4)", id="decimal-default"),
        pytest.param("money", "money", id="money"),
        pytest.param("bool", "bool", id="bool"),
        pytest.param("date", "date", id="date"),
        pytest.param("datetime?", "datetime?", id="nullable"),
        pytest.param("uuid", "uuid", id="uuid"),
        pytest.param("email", "email", id="email"),
        pytest.param("url", "url", id="url"),
        pytest.param("json", "json", id="json"),
        pytest.param("blob", "blob", id="blob"),
        pytest.param("vector(384)", "vector(384)", id="vector"),
        pytest.param("enum[a, b ,c]", "enum[a,b,c]", id="enum"),
        pytest.param("ref(User)?", "ref(User)?", id="ref"),
        pytest.param("boolean", "bool", id="alias-boolean"),
        pytest.param("timestamp", "datetime", id="alias-timestamp"),
    ],
)
def test_parse_field_type_ok(text: str, rendered: str) -> None:
    """Every type of the grammar parses and prints back in canonical form."""
    assert str(parse_field_type(text)) == rendered


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("strnig(100)", "unknown field type 'strnig' (did you mean 'string'?)", id="typo"),
        pytest.param("decimal(2,5)", "decimal takes (precision, scale)", id="scale-over-precision"),
        pytest.param("string(0)", "positive whole numbers", id="zero-length"),
        pytest.param("string(1,2)", "string takes one length", id="two-lengths"),
        pytest.param("enum[]", "enum needs its values", id="empty-enum"),
        pytest.param("enum[a,a]", "enum lists a value twice", id="duplicate-enum"),
        pytest.param("ref()", "ref needs one entity name", id="empty-ref"),
        pytest.param("int(4)", "'int' takes no parameters", id="int-params"),
        pytest.param("vector", "vector takes its dimension count", id="vector-no-dims"),
        pytest.param("string[a]", "only enum[a,b] does", id="brackets-on-string"),
        pytest.param("(((", "cannot read field type", id="garbage"),
        pytest.param("decimal(12", "quote types with commas", id="comma-split-by-flow-mapping"),
    ],
)
def test_parse_field_type_err(text: str, message: str) -> None:
    """Malformed types are refused with a message that says what to write."""
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_field_type(text)
