"""Schema changes in request and response bodies: every keyword and subschema, in both directions of change.

Each row is one schema change and what it does to a client that *sends* the schema (a
request body) and to one that *reads* it (a response body). The same pair is run in both
places, so each row pins both directions of the wire; most families also appear reversed.
"""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.diff.model import Impact
from diff.helpers import FUTURE, PAST, diff, in_body

B, P, S = Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        found["required"] = required
    return found


STR, INT = {"type": "string"}, {"type": "integer"}

KEYWORDS = [
    # types and nullability
    pytest.param({"type": "integer"}, {"type": "number"}, "type-widened", S, B, id="integer-to-number"),
    pytest.param({"type": "number"}, {"type": "integer"}, "type-narrowed", B, S, id="number-to-integer"),
    pytest.param(STR, INT, "type-changed", B, B, id="string-to-integer"),
    pytest.param(STR, {"type": ["string", "integer"]}, "type-widened", S, B, id="type-list-widened"),
    pytest.param({"type": ["string", "integer"]}, STR, "type-narrowed", B, S, id="type-list-narrowed"),
    pytest.param(STR, {"type": ["string", "null"]}, "became-nullable", S, B, id="became-nullable"),
    pytest.param({"type": ["string", "null"]}, STR, "became-not-nullable", B, S, id="became-not-nullable"),
    pytest.param(STR, {}, "type-widened", S, B, id="type-removed"),
    pytest.param({}, STR, "type-narrowed", B, S, id="type-added"),
    # formats
    pytest.param({"type": "integer", "format": "int32"}, {"type": "integer", "format": "int64"}, "format-changed", S, B, id="int32-to-int64"),
    pytest.param({"type": "integer", "format": "int64"}, {"type": "integer", "format": "int32"}, "format-changed", B, S, id="int64-to-int32"),
    pytest.param(STR, {"type": "string", "format": "uuid"}, "format-added", B, S, id="format-added"),
    pytest.param({"type": "string", "format": "uuid"}, STR, "format-removed", S, B, id="format-removed"),
    # enumerations and constants
    pytest.param({"enum": ["a", "b"]}, {"enum": ["a"]}, "enum-value-removed", B, S, id="enum-value-removed"),
    pytest.param({"enum": ["a"]}, {"enum": ["a", "b"]}, "enum-value-added", S, P, id="enum-value-added"),
    pytest.param(STR, {"type": "string", "enum": ["a"]}, "became-enum", B, S, id="became-enum"),
    pytest.param({"type": "string", "enum": ["a"]}, STR, "enum-removed", S, B, id="enum-removed"),
    pytest.param(
        {"type": "string", "x-extensible-enum": ["a", "b"]},
        {"type": "string", "x-extensible-enum": ["a"]},
        "extensible-enum-value-removed",
        B,
        S,
        id="x-ext-removed",
    ),
    pytest.param(
        {"type": "string", "x-extensible-enum": ["a"]},
        {"type": "string", "x-extensible-enum": ["a", "b"]},
        "extensible-enum-value-added",
        S,
        S,
        id="x-ext-added",
    ),
    pytest.param(STR, {"type": "string", "const": "a"}, "const-added", B, S, id="const-added"),
    pytest.param({"const": "a"}, {"const": "b"}, "const-changed", B, B, id="const-changed"),
    pytest.param({"type": "string", "const": "a"}, STR, "const-removed", S, B, id="const-removed"),
    # numeric bounds, both kinds of minimum and maximum, in both directions
    pytest.param({"type": "integer", "maximum": 10}, {"type": "integer", "maximum": 5}, "maximum-decreased", B, S, id="max-decreased"),
    pytest.param({"type": "integer", "maximum": 5}, {"type": "integer", "maximum": 10}, "maximum-increased", S, B, id="max-increased"),
    pytest.param({"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 1}, "minimum-increased", B, S, id="min-increased"),
    pytest.param({"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 0}, "minimum-decreased", S, B, id="min-decreased"),
    pytest.param({"type": "number", "exclusiveMinimum": 1}, {"type": "number", "exclusiveMinimum": 0}, "minimum-decreased", S, B, id="exclusive-min-decreased"),
    pytest.param({"type": "number", "minimum": 0}, {"type": "number", "exclusiveMinimum": 0}, "minimum-increased", B, S, id="min-made-exclusive"),
    pytest.param({"type": "number", "exclusiveMaximum": 5}, {"type": "number", "maximum": 5}, "maximum-increased", S, B, id="max-made-inclusive"),
    pytest.param({"type": "integer"}, {"type": "integer", "maximum": 10}, "maximum-set", P, S, id="max-set"),
    pytest.param({"type": "integer", "maximum": 10}, {"type": "integer"}, "maximum-removed", S, B, id="max-removed"),
    # length, item, property and contains counts
    pytest.param({"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 5}, "max-length-decreased", B, S, id="max-length-decreased"),
    pytest.param({"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 10}, "max-length-increased", S, B, id="max-length-increased"),
    pytest.param({"type": "string", "maxLength": 5}, STR, "max-length-removed", S, B, id="max-length-removed"),
    pytest.param({"type": "string", "minLength": 1}, {"type": "string", "minLength": 3}, "min-length-increased", B, S, id="min-length-increased"),
    pytest.param(
        {"type": "array", "items": STR, "minItems": 2}, {"type": "array", "items": STR, "minItems": 1}, "min-items-decreased", S, B, id="min-items-decreased"
    ),
    pytest.param({"type": "array", "items": STR}, {"type": "array", "items": STR, "maxItems": 10}, "max-items-set", P, S, id="max-items-set"),
    pytest.param({"type": "object", "maxProperties": 5}, {"type": "object", "maxProperties": 3}, "max-properties-decreased", B, S, id="max-properties"),
    pytest.param(
        {"type": "array", "contains": INT, "minContains": 1},
        {"type": "array", "contains": INT, "minContains": 2},
        "min-contains-increased",
        B,
        S,
        id="min-contains",
    ),
    pytest.param(
        {"type": "array", "contains": INT, "maxContains": 2},
        {"type": "array", "contains": INT, "maxContains": 3},
        "max-contains-increased",
        S,
        B,
        id="max-contains",
    ),
    pytest.param({"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 4}, "multiple-of-changed", B, S, id="multiple-of-narrowed"),
    pytest.param({"type": "integer", "multipleOf": 4}, {"type": "integer", "multipleOf": 2}, "multiple-of-changed", S, B, id="multiple-of-widened"),
    pytest.param({"type": "array", "items": STR}, {"type": "array", "items": STR, "uniqueItems": True}, "unique-items-added", B, S, id="unique-items"),
    # patterns: senders are checked against them, readers rarely are
    pytest.param(STR, {"type": "string", "pattern": "^[a-z]+$"}, "pattern-added", B, S, id="pattern-added"),
    pytest.param({"type": "string", "pattern": "^[a-z]+$"}, STR, "pattern-removed", S, S, id="pattern-removed"),
    pytest.param({"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": "^[0-9]+$"}, "pattern-changed", P, S, id="pattern-changed"),
    pytest.param({"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": ".*"}, "pattern-removed", S, S, id="pattern-to-any"),
    # string contents
    pytest.param(
        {"type": "string", "contentMediaType": "image/png"},
        {"type": "string", "contentMediaType": "image/jpeg"},
        "content-media-type-changed",
        B,
        B,
        id="content-type",
    ),
    pytest.param({"type": "string"}, {"type": "string", "contentEncoding": "base64"}, "content-encoding-added", B, S, id="content-encoding-added"),
    pytest.param(
        {"type": "string", "contentMediaType": "application/json", "contentSchema": obj({"a": STR})},
        {"type": "string", "contentMediaType": "application/json", "contentSchema": obj({"a": INT})},
        "type-changed",
        B,
        B,
        id="content-schema",
    ),
]


@pytest.mark.parametrize(("old", "new", "code", "sent", "read"), KEYWORDS)
def test_keyword_change_in_request_and_response_err(old: Any, new: Any, code: str, sent: Impact | None, read: Impact | None) -> None:
    """Each keyword change is judged for the sender (request body) and the reader (response body), with no worse alarm beside it."""
    for where, expected in (("request", sent), ("response", read)):
        changes = diff(in_body(old, where), in_body(new, where))
        if expected is None:  # a property this side of the wire never meets
            assert changes == [], (where, [(c.code, c.impact) for c in changes])
            continue
        matching = [c for c in changes if c.code.endswith(code) and c.code.startswith(where)]
        assert matching, (where, [(c.code, c.impact) for c in changes])
        assert {c.impact for c in matching} == {expected}, (where, [(c.code, c.impact, c.message) for c in changes])
        assert max(c.impact for c in changes) == expected, (where, [(c.code, c.impact, c.message) for c in changes])


PET = obj({"id": STR, "name": STR, "tag": STR}, ["id", "name"])

STRUCTURE = [
    # properties and requiredness
    pytest.param(PET, obj({"id": STR, "name": STR}, ["id", "name"]), "property-removed", P, P, id="optional-property-removed"),
    pytest.param(PET, obj({"id": STR, "tag": STR}, ["id"]), "property-removed", P, B, id="required-property-removed"),
    pytest.param(
        obj({"id": STR, "tag": STR}, additionalProperties=False),
        obj({"id": STR}, additionalProperties=False),
        "property-removed",
        B,
        P,
        id="closed-property-removed",
    ),
    pytest.param(PET, obj({"id": STR, "name": STR, "tag": STR, "age": INT}, ["id", "name"]), "property-added", S, S, id="optional-property-added"),
    pytest.param(
        PET, obj({"id": STR, "name": STR, "tag": STR, "age": INT}, ["id", "name", "age"]), "required-property-added", B, S, id="required-property-added"
    ),
    pytest.param(PET, obj({"id": STR, "name": STR, "tag": STR}, ["id", "name", "tag"]), "property-became-required", B, S, id="became-required"),
    pytest.param(PET, obj({"id": STR, "name": STR, "tag": STR}, ["id"]), "property-became-optional", S, B, id="became-optional"),
    pytest.param(
        obj({"name": {"type": "string", "maxLength": 10}}),
        obj({"name": {"type": "string", "maxLength": 5}}),
        "property-max-length-decreased",
        B,
        S,
        id="nested-bound",
    ),
    # readOnly / writeOnly: what a client never sends or never reads does not break it
    pytest.param(
        obj({"name": STR}, ["name"]),
        obj({"name": STR, "id": {"type": "string", "readOnly": True}}, ["name", "id"]),
        "required-property-added",
        None,
        S,
        id="required-read-only-added",
    ),
    pytest.param(
        obj({"name": STR, "secret": {"type": "string", "writeOnly": True}}, ["name", "secret"]),
        obj({"name": STR, "secret": {"type": "string", "writeOnly": True}}, ["name"]),
        "property-became-optional",
        S,
        None,
        id="write-only-became-optional",
    ),
    pytest.param(
        obj({"id": {"type": "string", "readOnly": True}}, ["id"]), obj({"id": STR}, ["id"]), "property-became-not-read-only", B, None, id="no-longer-read-only"
    ),
    pytest.param(obj({"id": STR}), obj({"id": {"type": "string", "readOnly": True}}), "property-became-read-only", S, None, id="became-read-only"),
    pytest.param(
        obj({"name": STR, "old": {"type": "string", "deprecated": True}}), obj({"name": STR}), "property-removed", S, S, id="deprecated-property-removed"
    ),
    pytest.param(
        obj({"name": STR, "old": {"type": "string", "deprecated": True, "x-sunset": FUTURE}}),
        obj({"name": STR}),
        "property-removed-before-sunset",
        B,
        B,
        id="property-removed-before-sunset",
    ),
    pytest.param(
        obj({"name": STR, "old": {"type": "string", "deprecated": True, "x-sunset": PAST}}),
        obj({"name": STR}),
        "property-removed",
        S,
        S,
        id="property-sunset-passed",
    ),
    pytest.param(obj({"name": STR}), obj({"name": {"type": "string", "deprecated": True}}), "property-deprecated", S, S, id="property-deprecated"),
    pytest.param(
        obj({"name": STR}),
        obj({"name": {"type": "string", "deprecated": True, "x-sunset": "soon"}}),
        "property-sunset-invalid",
        B,
        B,
        id="property-sunset-invalid",
    ),
    pytest.param(
        obj({"name": {"type": "string", "deprecated": True, "x-sunset": FUTURE}}),
        obj({"name": {"type": "string", "deprecated": True}}),
        "property-sunset-removed",
        B,
        B,
        id="property-sunset-removed",
    ),
    # maps and property names
    pytest.param(obj({"a": STR}, additionalProperties=False), obj({"a": STR}), "additional-properties-allowed", S, P, id="opened"),
    pytest.param(obj({"a": STR}), obj({"a": STR}, additionalProperties=False), "additional-properties-closed", P, S, id="closed"),
    pytest.param({"type": "object", "additionalProperties": STR}, {"type": "object", "additionalProperties": INT}, "type-changed", B, B, id="map-value-type"),
    pytest.param(
        {"type": "object", "additionalProperties": obj({"a": STR})},
        {"type": "object", "additionalProperties": obj({"a": STR}, ["a"])},
        "property-became-required",
        B,
        S,
        id="map-value-required",
    ),
    pytest.param({"type": "object", "additionalProperties": STR}, {"type": "object"}, "additional-properties-unrestricted", S, B, id="map-unrestricted"),
    pytest.param({"type": "object"}, {"type": "object", "patternProperties": {"^x-": STR}}, "pattern-property-added", B, S, id="pattern-property-added"),
    pytest.param({"type": "object", "patternProperties": {"^x-": STR}}, {"type": "object"}, "pattern-property-removed", S, B, id="pattern-property-removed"),
    pytest.param(
        {"type": "object", "patternProperties": {"^x-": STR}},
        {"type": "object", "patternProperties": {"^x-": INT}},
        "type-changed",
        B,
        B,
        id="pattern-property-type",
    ),
    pytest.param({"type": "object"}, {"type": "object", "propertyNames": {"maxLength": 8}}, "property-names-added", B, S, id="property-names-added"),
    pytest.param(
        {"type": "object", "propertyNames": {"maxLength": 8}},
        {"type": "object", "propertyNames": {"maxLength": 4}},
        "max-length-decreased",
        B,
        S,
        id="property-names-narrowed",
    ),
    pytest.param(obj({"a": STR}), obj({"a": STR}, unevaluatedProperties=False), "unevaluated-properties-added", B, S, id="unevaluated-properties"),
    pytest.param(
        {"type": "array", "prefixItems": [STR]},
        {"type": "array", "prefixItems": [STR], "unevaluatedItems": False},
        "unevaluated-items-added",
        B,
        S,
        id="unevaluated-items",
    ),
    pytest.param(
        obj({"a": STR, "b": STR}), obj({"a": STR, "b": STR}, dependentRequired={"a": ["b"]}), "dependent-required-added", B, S, id="dependent-required"
    ),
    pytest.param(obj({"a": STR}, dependentRequired={"a": ["b"]}), obj({"a": STR}), "dependent-required-removed", S, B, id="dependent-required-removed"),
    pytest.param(obj({"a": STR}), obj({"a": STR}, dependentSchemas={"a": {"required": ["b"]}}), "dependent-schema-added", B, S, id="dependent-schemas"),
    # arrays
    pytest.param({"type": "array", "items": STR}, {"type": "array", "items": INT}, "type-changed", B, B, id="items-type"),
    pytest.param({"type": "array", "items": STR}, {"type": "array", "prefixItems": [INT], "items": STR}, "type-changed", B, B, id="prefix-items-added"),
    pytest.param({"type": "array", "prefixItems": [STR, INT]}, {"type": "array", "prefixItems": [STR]}, "schema-removed", S, P, id="prefix-items-removed"),
    pytest.param({"type": "array"}, {"type": "array", "contains": INT}, "contains-added", B, S, id="contains-added"),
    pytest.param({"type": "array", "contains": INT}, {"type": "array"}, "contains-removed", S, B, id="contains-removed"),
    # not, and conditionals
    pytest.param(STR, {"type": "string", "not": {"const": "admin"}}, "not-added", B, S, id="not-added"),
    pytest.param({"type": "string", "not": {"const": "admin"}}, STR, "not-removed", S, B, id="not-removed"),
    pytest.param({"type": "string", "not": {"maxLength": 3}}, {"type": "string", "not": {"maxLength": 5}}, "max-length-increased", B, S, id="not-inverts"),
    pytest.param(obj({"a": STR}), obj({"a": STR}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}), "if-added", B, S, id="if-added"),
    pytest.param(obj({"a": STR}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}), obj({"a": STR}), "if-removed", S, B, id="if-removed"),
    pytest.param(
        obj({"a": STR}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
        obj({"a": STR}, **{"if": {"required": ["a"]}, "then": {"required": ["b", "c"]}}),
        "required-property-added",
        B,
        S,
        id="then-narrowed",
    ),
    pytest.param(
        obj({"a": STR}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
        obj({"a": STR}, **{"if": {"required": ["c"]}, "then": {"required": ["b"]}}),
        "if-changed",
        P,
        P,
        id="condition-changed",
    ),
]


@pytest.mark.parametrize(("old", "new", "code", "sent", "read"), STRUCTURE)
def test_structure_change_in_request_and_response_err(old: Any, new: Any, code: str, sent: Impact | None, read: Impact | None) -> None:
    """Properties (readOnly ones unseen by senders, writeOnly ones by readers), maps, arrays, ``not`` and conditionals, both ways."""
    test_keyword_change_in_request_and_response_err(old, new, code, sent, read)


def test_unchanged_schema_written_differently_is_no_change_ok() -> None:
    """Moving properties into allOf parts, or 3.0's exclusiveMinimum into 3.1's, changes nothing a client sees."""
    split = {"allOf": [obj({"id": STR}, ["id"]), obj({"name": STR, "tag": STR}, ["name"])]}
    for where in ("request", "response"):
        assert [c for c in diff(in_body(PET, where), in_body(split, where)) if c.impact is not Impact.SAFE] == []
        assert diff(in_body(PET, where), in_body(PET, where)) == []
