"""Request parameters: presence, requiredness, defaults, serialisation, deprecation and their schemas (values travel as text)."""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.diff.model import Impact
from diff.helpers import FUTURE, PAST, diff, document, operation

B, P, S = Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE


def query(name: str = "limit", *, required: bool = False, schema: Any = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema or {"type": "integer"}, **extra}


def with_params(*params: dict[str, Any]) -> dict[str, Any]:
    return document(operation(parameters=list(params)))


ROWS = [
    pytest.param([], [query(required=True)], "request-required-parameter-added", B, id="required-added"),
    pytest.param([], [query()], "request-optional-parameter-added", S, id="optional-added"),
    pytest.param([query()], [], "request-parameter-removed", P, id="removed"),
    pytest.param([query(deprecated=True)], [], "request-parameter-removed", S, id="deprecated-removed"),
    pytest.param([query(deprecated=True, **{"x-sunset": PAST})], [], "request-parameter-removed", S, id="removed-after-sunset"),
    pytest.param([query(deprecated=True, **{"x-sunset": FUTURE})], [], "request-parameter-removed-before-sunset", B, id="removed-before-sunset"),
    pytest.param([query()], [query(required=True)], "request-parameter-became-required", B, id="became-required"),
    pytest.param([query(required=True)], [query()], "request-parameter-became-optional", S, id="became-optional"),
    pytest.param([query()], [query(deprecated=True)], "request-parameter-deprecated", S, id="deprecated"),
    pytest.param([query(deprecated=True, **{"x-sunset": FUTURE})], [query(deprecated=True)], "request-parameter-sunset-removed", B, id="sunset-removed"),
    pytest.param(
        [query(deprecated=True, **{"x-sunset": FUTURE})],
        [query(deprecated=True, **{"x-sunset": PAST})],
        "request-parameter-sunset-moved-earlier",
        B,
        id="sunset-earlier",
    ),
    pytest.param(
        [query(deprecated=True, **{"x-sunset": PAST})],
        [query(deprecated=True, **{"x-sunset": FUTURE})],
        "request-parameter-sunset-postponed",
        S,
        id="sunset-later",
    ),
    pytest.param([query()], [query(deprecated=True, **{"x-sunset": "next spring"})], "request-parameter-sunset-invalid", B, id="sunset-invalid"),
    # defaults decide what calls that leave the parameter out get
    pytest.param(
        [query(schema={"type": "integer", "default": 20})],
        [query(schema={"type": "integer", "default": 50})],
        "request-parameter-default-changed",
        B,
        id="default-changed",
    ),
    pytest.param([query()], [query(schema={"type": "integer", "default": 50})], "request-parameter-default-added", P, id="default-added"),
    pytest.param([query(schema={"type": "integer", "default": 20})], [query()], "request-parameter-default-removed", P, id="default-removed"),
    # schemas: narrowing is breaking for the caller; as text, any value reads as a string
    pytest.param(
        [query(schema={"type": "integer", "maximum": 100})],
        [query(schema={"type": "integer", "maximum": 50})],
        "request-parameter-maximum-decreased",
        B,
        id="max",
    ),
    pytest.param([query(schema={"type": "integer"})], [query(schema={"type": "number"})], "request-parameter-type-widened", S, id="integer-to-number"),
    pytest.param([query(schema={"type": "integer"})], [query(schema={"type": "string"})], "request-parameter-type-widened", S, id="integer-to-string"),
    pytest.param([query(schema={"type": "string"})], [query(schema={"type": "integer"})], "request-parameter-type-narrowed", B, id="string-to-integer"),
    pytest.param(
        [query(schema={"type": "string"})], [query(schema={"type": "string", "pattern": "^[a-z]+$"})], "request-parameter-pattern-added", B, id="pattern-added"
    ),
    pytest.param(
        [query(schema={"type": "string", "pattern": "^[a-z]+$"})],
        [query(schema={"type": "string", "pattern": "^[a-f]+$"})],
        "request-parameter-pattern-changed",
        P,
        id="pattern-changed",
    ),
    pytest.param(
        [query(schema={"type": "string", "enum": ["a", "b"]})],
        [query(schema={"type": "string", "enum": ["a"]})],
        "request-parameter-enum-value-removed",
        B,
        id="enum",
    ),
    pytest.param(
        [query(schema={"type": "string", "x-extensible-enum": ["a", "b"]})],
        [query(schema={"type": "string", "x-extensible-enum": ["a"]})],
        "request-parameter-extensible-enum-value-removed",
        B,
        id="x-extensible-enum",
    ),
    # serialisation of arrays
    pytest.param(
        [query("ids", schema={"type": "array", "items": {"type": "integer"}})],
        [query("ids", schema={"type": "array", "items": {"type": "integer"}}, explode=False)],
        "request-parameter-serialization-changed",
        B,
        id="explode-changed",
    ),
    pytest.param([query(explode=True)], [query(explode=False)], "", None, id="scalar-explode-no-change"),
    # headers match without case; a path parameter renamed with its template is the same
    pytest.param(
        [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}}],
        [{"name": "x-trace", "in": "header", "required": True, "schema": {"type": "string"}}],
        "request-parameter-became-required",
        B,
        id="header-case",
    ),
    pytest.param(
        [{"name": "v", "in": "query", "content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}}],
        [{"name": "v", "in": "query", "content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "integer"}}}}}}],
        "request-parameter-type-changed",
        B,
        id="content-parameter",
    ),
]


@pytest.mark.parametrize(("old", "new", "code", "impact"), ROWS)
def test_parameter_change_err(old: list[Any], new: list[Any], code: str, impact: Impact | None) -> None:
    """Each parameter change is found with its impact on callers, and nothing worse beside it."""
    changes = diff(with_params(*old), with_params(*new))
    shown = [(c.code, c.impact, c.message) for c in changes]
    if impact is None:
        assert changes == [], shown
        return
    assert any(c.code == code and c.impact is impact for c in changes), shown
    assert max(c.impact for c in changes) is impact, shown


def test_renamed_path_parameter_is_no_change_ok() -> None:
    """Renaming ``{id}`` to ``{pet_id}`` (with its declaration) changes no call."""
    param = {"in": "path", "required": True, "schema": {"type": "string"}}
    old = document(operation(parameters=[{"name": "id", **param}]), path="/pets/{id}")
    new = document(operation(parameters=[{"name": "pet_id", **param}]), path="/pets/{pet_id}")
    assert diff(old, new) == []


def test_swagger_parameter_change_err() -> None:
    """Swagger 2.0 parameters carry their schema inline; a narrowed one is found the same way."""

    def swagger(maximum: int) -> dict[str, Any]:
        op = {"parameters": [{"name": "limit", "in": "query", "type": "integer", "maximum": maximum}], "responses": {"200": {"description": "ok"}}}
        return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/pets": {"get": op}}}

    assert [(c.code, c.impact) for c in diff(swagger(100), swagger(10))] == [("request-parameter-maximum-decreased", B)]
