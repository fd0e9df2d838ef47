"""oneOf, anyOf and allOf: variants compared one to one, wrapping and unwrapping judged by what each side accepts."""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.diff.model import Impact
from diff.helpers import diff, document, operation

B, P, S = Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE
STR, INT = {"type": "string"}, {"type": "integer"}
ref = {"$ref": "#/components/schemas/Cat"}
SCHEMAS = {
    "Cat": {"type": "object", "required": ["meow"], "properties": {"meow": STR}},
    "Dog": {"type": "object", "required": ["bark"], "properties": {"bark": STR}},
    "Base": {"type": "object", "required": ["id"], "properties": {"id": STR}},
    "Audit": {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}},
}


def one_of(*names: str, keyword: str = "oneOf") -> dict[str, Any]:
    return {keyword: [{"$ref": f"#/components/schemas/{n}"} for n in names]}


def placed(schema: Any, where: str) -> dict[str, Any]:
    op = operation(body=schema) if where == "request" else operation(response=schema)
    return document(op, components={"schemas": SCHEMAS})


ROWS = [
    pytest.param(one_of("Cat", "Dog"), one_of("Cat"), "one-of-variant-removed", B, S, id="variant-removed"),
    pytest.param(one_of("Cat"), one_of("Cat", "Dog"), "one-of-variant-added", S, B, id="variant-added"),
    pytest.param(one_of("Cat", keyword="anyOf"), one_of("Cat", "Dog", keyword="anyOf"), "any-of-variant-added", S, P, id="any-of-variant-added"),
    pytest.param(one_of("Cat", "Dog"), one_of("Cat", "Dog", keyword="anyOf"), "one-of-became-any-of", S, B, id="one-of-to-any-of"),
    pytest.param(one_of("Cat", "Dog", keyword="anyOf"), one_of("Cat", "Dog"), "any-of-became-one-of", B, S, id="any-of-to-one-of"),
    # a type replaced by a oneOf of types: wider for readers, still accepting for senders
    pytest.param(STR, {"oneOf": [STR, INT]}, "", S, B, id="type-to-one-of-types"),
    pytest.param({"oneOf": [STR, INT]}, STR, "", B, S, id="one-of-types-to-type"),
    pytest.param(
        {"anyOf": [STR, {"type": "string", "maxLength": 3}]},
        {"anyOf": [STR, {"type": "string", "maxLength": 2}]},
        "max-length-decreased",
        B,
        S,
        id="variant-narrowed",
    ),
    # wrapped in oneOf: values that match two variants are refused
    pytest.param(
        {"type": "object", "required": ["foo", "bar"], "properties": {"foo": STR, "bar": STR}},
        {
            "oneOf": [
                {"type": "object", "required": ["foo"], "properties": {"foo": STR, "bar": STR}},
                {"type": "object", "required": ["bar"], "properties": {"foo": STR, "bar": STR}},
            ]
        },
        "",
        B,
        B,
        id="wrapped-in-ambiguous-one-of",
    ),
    pytest.param(ref, {"oneOf": [ref, {"type": "null"}]}, "became-nullable", S, B, id="nullable-by-one-of"),
    pytest.param({"anyOf": [ref, {"type": "null"}]}, ref, "became-not-nullable", B, S, id="null-variant-dropped"),
    pytest.param(ref, one_of("Cat", "Dog"), "wrapped-in-one-of", S, B, id="body-wrapped-in-one-of"),
    # allOf: a new part constrains, splitting a schema into parts does not
    pytest.param(
        {"allOf": [{"$ref": "#/components/schemas/Base"}]}, one_of("Base", "Audit", keyword="allOf"), "all-of-part-added", B, S, id="all-of-part-added"
    ),
    pytest.param(
        one_of("Base", "Audit", keyword="allOf"), {"allOf": [{"$ref": "#/components/schemas/Base"}]}, "property-removed", P, P, id="all-of-part-removed"
    ),
    pytest.param(
        {"allOf": [{"$ref": "#/components/schemas/Base"}]},
        {"allOf": [{"$ref": "#/components/schemas/Base"}, {"description": "a note"}]},
        "all-of-part-added",
        S,
        S,
        id="annotation-part-added",
    ),
]


@pytest.mark.parametrize(("old", "new", "code", "sent", "read"), ROWS)
def test_composition_change_err(old: Any, new: Any, code: str, sent: Impact, read: Impact) -> None:
    """Each composition change, judged for senders (request body) and readers (response body)."""
    for where, expected in (("request", sent), ("response", read)):
        changes = diff(placed(old, where), placed(new, where))
        shown = [(c.code, c.impact, c.message) for c in changes]
        assert max((c.impact for c in changes), default=None) == expected, (where, shown)
        assert any(c.code.endswith(code) for c in changes), (where, shown)


def test_split_into_all_of_parts_is_no_change_ok() -> None:
    """A schema refactored into allOf of a base and an extension accepts the same values: nothing is breaking."""
    flat = {"type": "object", "required": ["id"], "properties": {"id": STR, "at": {"type": "string", "format": "date-time"}}}
    for where in ("request", "response"):
        changes = diff(placed(flat, where), placed(one_of("Base", "Audit", keyword="allOf"), where))
        assert all(c.impact is S for c in changes), changes


def test_renamed_inline_variant_is_no_change_ok() -> None:
    """An inline variant moved into a component with the same content is the same variant."""
    inline = {"anyOf": [{"type": "string", "enum": ["user", "admin"]}, INT]}
    moved = {"anyOf": [{"$ref": "#/components/schemas/Role"}, INT]}
    schemas = {**SCHEMAS, "Role": {"type": "string", "enum": ["user", "admin"]}}
    for where in ("request", "response"):
        op_old = operation(body=inline) if where == "request" else operation(response=inline)
        op_new = operation(body=moved) if where == "request" else operation(response=moved)
        assert all(c.impact is S for c in diff(document(op_old, components={"schemas": schemas}), document(op_new, components={"schemas": schemas})))
