"""Endpoints, webhooks and callbacks appearing and going, and the deprecation lifecycle (x-sunset, stability levels)."""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.diff.model import Impact
from diff.helpers import FUTURE, PAST, diff, document, operation

B, P, S = Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE
PET = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}


def api(**op_fields: Any) -> dict[str, Any]:
    return document(operation(response=PET, **op_fields))


EMPTY = document()

ROWS = [
    pytest.param(api(), EMPTY, "path-removed", B, id="removed-without-deprecation"),
    pytest.param(api(deprecated=True), EMPTY, "path-removed", S, id="deprecated-removed"),
    pytest.param(api(deprecated=True, **{"x-sunset": PAST}), EMPTY, "path-removed", S, id="removed-after-sunset"),
    pytest.param(api(deprecated=True, **{"x-sunset": FUTURE}), EMPTY, "path-removed-before-sunset", B, id="removed-before-sunset"),
    pytest.param(api(deprecated=True, **{"x-sunset": "Sun, 31 Jan 2027 00:00:00 GMT"}), EMPTY, "path-removed-before-sunset", B, id="http-date-sunset"),
    pytest.param(EMPTY, api(), "path-added", S, id="added"),
    pytest.param(api(), api(deprecated=True), "operation-deprecated", S, id="deprecated"),
    pytest.param(api(deprecated=True), api(), "operation-reactivated", S, id="reactivated"),
    pytest.param(api(deprecated=True, **{"x-sunset": FUTURE}), api(deprecated=True), "operation-sunset-removed", B, id="sunset-removed"),
    pytest.param(
        api(deprecated=True, **{"x-sunset": FUTURE}), api(deprecated=True, **{"x-sunset": PAST}), "operation-sunset-moved-earlier", B, id="sunset-earlier"
    ),
    pytest.param(api(), api(deprecated=True, **{"x-sunset": "2027-13-45"}), "operation-sunset-invalid", B, id="sunset-invalid"),
    # stability levels: lowering one is breaking; draft and alpha operations promise nothing
    pytest.param(api(), api(**{"x-stability-level": "beta"}), "operation-stability-decreased", B, id="stability-decreased"),
    pytest.param(api(**{"x-stability-level": "beta"}), api(), "operation-stability-increased", S, id="stability-increased"),
    pytest.param(api(), api(**{"x-stability-level": "experimental"}), "operation-stability-invalid", B, id="stability-invalid"),
    pytest.param(api(**{"x-stability-level": "alpha"}), EMPTY, "path-removed", S, id="alpha-removed"),
    pytest.param(
        api(**{"x-stability-level": "draft"}),
        document(operation(response={**PET, "required": []}, **{"x-stability-level": "draft"})),
        "response-property-became-optional",
        S,
        id="draft-changed",
    ),
    pytest.param(
        api(**{"x-stability-level": "beta"}),
        document(operation(response={**PET, "required": []}, **{"x-stability-level": "beta"})),
        "response-property-became-optional",
        B,
        id="beta-changed",
    ),
    pytest.param(api(operationId="a"), api(operationId="b"), "operation-id-changed", P, id="operation-id"),
]


@pytest.mark.parametrize(("old", "new", "code", "impact"), ROWS)
def test_endpoint_and_lifecycle_change_err(old: dict[str, Any], new: dict[str, Any], code: str, impact: Impact) -> None:
    """Removals are judged by deprecation and sunset; lowered stability breaks; draft and alpha operations never break."""
    changes = diff(old, new)
    shown = [(c.code, c.impact, c.message) for c in changes]
    assert any(c.code == code and c.impact is impact for c in changes), shown
    assert max(c.impact for c in changes) is impact, shown


def webhooks(payload: Any, answer: Any = None, *, required: bool = True, name: str = "petAdopted") -> dict[str, Any]:
    hook = operation(response=answer)
    hook["requestBody"] = {"required": required, "content": {"application/json": {"schema": payload}}}
    return document(webhooks={name: {"post": hook}})


WEBHOOKS = [
    pytest.param(webhooks(PET), document(webhooks={}), "webhook-removed", B, id="webhook-removed"),
    pytest.param(document(webhooks={}), webhooks(PET), "webhook-added", S, id="webhook-added"),
    # the API sends the request: a subscriber reads it like a response
    pytest.param(webhooks(PET), webhooks({**PET, "required": []}), "request-property-became-optional", B, id="payload-field-optional"),
    pytest.param(webhooks(PET), webhooks({**PET, "required": ["id", "name"]}), "request-property-became-required", S, id="payload-field-required"),
    pytest.param(webhooks(PET, required=False), webhooks(PET), "request-body-became-required", S, id="payload-always-sent"),
    pytest.param(webhooks(PET), webhooks(PET, required=False), "request-body-became-optional", B, id="payload-sometimes-missing"),
    # and the subscriber sends the answer
    pytest.param(
        webhooks(PET, {"type": "object", "properties": {"ok": {"type": "boolean"}}}),
        webhooks(PET, {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}),
        "response-property-became-required",
        B,
        id="answer-field-required",
    ),
]


@pytest.mark.parametrize(("old", "new", "code", "impact"), WEBHOOKS)
def test_webhook_change_err(old: dict[str, Any], new: dict[str, Any], code: str, impact: Impact) -> None:
    """Webhooks diff like paths with the roles swapped: the subscriber reads the request and writes the response."""
    changes = diff(old, new)
    shown = [(c.code, c.impact, c.where, c.message) for c in changes]
    assert any(c.code == code and c.impact is impact for c in changes), shown
    assert max(c.impact for c in changes) is impact, shown
    assert all(c.where.startswith("POST webhook petAdopted") for c in changes), shown


def test_callback_payload_field_removed_err() -> None:
    """A callback's request is sent by the API: a field its subscribers read that goes away breaks them."""

    def with_callback(payload: Any) -> dict[str, Any]:
        hook = {"post": {"requestBody": {"content": {"application/json": {"schema": payload}}}, "responses": {"200": {"description": "ok"}}}}
        return document(operation(callbacks={"onAdopted": {"{$request.body#/callbackUrl}": hook}}))

    changes = diff(with_callback(PET), with_callback({"type": "object", "properties": {"name": {"type": "string"}}}))
    assert [(c.where, c.code, c.impact) for c in changes] == [
        ("POST /pets callback onAdopted POST {$request.body#/callbackUrl}", "request-property-removed", B),
    ]
