"""Request bodies as a whole, response statuses, response headers and media types."""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.diff.model import Impact
from diff.helpers import diff, document

B, P, S = Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE
PET = {"type": "object", "properties": {"name": {"type": "string"}}}


def op(responses: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"responses": responses or {"200": {"description": "ok", "content": {"application/json": {"schema": PET}}}}}
    if body is not None:
        found["requestBody"] = body
    return document(found)


def body(*media: str, required: bool = True, schema: Any = PET) -> dict[str, Any]:
    return {"required": required, "content": {m: {"schema": schema} if schema is not None else {} for m in media}}


def ok(*media: str, headers: dict[str, Any] | None = None, status: str = "200", schema: Any = PET) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if media:
        response["content"] = {m: {"schema": schema} if schema is not None else {} for m in media}
    if headers:
        response["headers"] = headers
    return {status: response}


JSON = "application/json"
HEADER = {"schema": {"type": "string"}}

ROWS = [
    # request bodies
    pytest.param(op(), op(body=body(JSON)), "request-body-added", B, id="required-body-added"),
    pytest.param(op(), op(body=body(JSON, required=False)), "request-body-added", S, id="optional-body-added"),
    pytest.param(op(body=body(JSON)), op(), "request-body-removed", B, id="body-removed"),
    pytest.param(op(body=body(JSON, required=False)), op(body=body(JSON)), "request-body-became-required", B, id="body-became-required"),
    pytest.param(op(body=body(JSON)), op(body=body(JSON, required=False)), "request-body-became-optional", S, id="body-became-optional"),
    pytest.param(op(body=body(JSON, "application/xml")), op(body=body(JSON)), "request-media-type-removed", B, id="request-media-removed"),
    pytest.param(op(body=body(JSON)), op(body=body(JSON, "application/xml")), "request-media-type-added", S, id="request-media-added"),
    pytest.param(op(body=body(JSON, schema=None)), op(body=body(JSON)), "request-body-schema-added", B, id="request-schema-added"),
    pytest.param(op(body=body(JSON)), op(body=body("application/*")), "request-media-type-generalized", S, id="request-media-wildcard"),
    pytest.param(op(body=body(JSON)), op(body=body("application/json; charset=utf-8")), "", None, id="media-parameters-ignored"),
    # response statuses
    pytest.param(op(ok(JSON)), op(ok(JSON, status="201")), "response-success-status-removed", B, id="success-removed"),
    pytest.param(op(ok(JSON)), op({**ok(JSON), **ok(JSON, status="202")}), "response-success-status-added", P, id="success-added"),
    pytest.param(op({**ok(JSON), "404": {"description": "no"}}), op(ok(JSON)), "response-non-success-status-removed", S, id="error-removed"),
    pytest.param(op(ok(JSON)), op({**ok(JSON), "429": {"description": "slow"}}), "response-non-success-status-added", S, id="error-added"),
    pytest.param(op(ok(JSON)), op(ok(JSON, status="2XX")), "", None, id="status-range-covers"),
    # response bodies and media types
    pytest.param(op(ok(JSON)), op(ok()), "response-body-removed", B, id="response-body-removed"),
    pytest.param(op(ok(JSON, "application/xml")), op(ok(JSON)), "response-media-type-removed", B, id="response-media-removed"),
    pytest.param(op(ok(JSON)), op(ok(JSON, "text/csv")), "response-media-type-added", S, id="response-media-added"),
    pytest.param(op(ok(JSON)), op(ok("application/*")), "response-media-type-generalized", B, id="response-media-wildcard"),
    pytest.param(op(ok(JSON)), op(ok(JSON, schema=None)), "response-body-schema-removed", P, id="response-schema-removed"),
    pytest.param(
        op(ok("text/plain", schema={"type": "integer"})), op(ok("text/plain", schema={"type": "string"})), "response-body-type-widened", B, id="text-widened"
    ),
    pytest.param(
        op(ok("text/plain", schema={"type": "string"})), op(ok("text/plain", schema={"type": "integer"})), "response-body-type-narrowed", S, id="text-narrowed"
    ),
    # response headers
    pytest.param(
        op(ok(JSON, headers={"ETag": {**HEADER, "required": True}})), op(ok(JSON)), "response-required-header-removed", B, id="required-header-removed"
    ),
    pytest.param(op(ok(JSON, headers={"ETag": HEADER})), op(ok(JSON)), "response-optional-header-removed", P, id="optional-header-removed"),
    pytest.param(
        op(ok(JSON, headers={"ETag": {**HEADER, "required": True}})),
        op(ok(JSON, headers={"etag": HEADER})),
        "response-header-became-optional",
        B,
        id="header-optional",
    ),
    pytest.param(op(ok(JSON)), op(ok(JSON, headers={"ETag": HEADER})), "response-header-added", S, id="header-added"),
    pytest.param(
        op(ok(JSON, headers={"X-Rate": {"schema": {"type": "integer", "maximum": 10}}})),
        op(ok(JSON, headers={"X-Rate": {"schema": {"type": "integer", "maximum": 100}}})),
        "response-header-maximum-increased",
        B,
        id="header-schema-widened",
    ),
]


@pytest.mark.parametrize(("old", "new", "code", "impact"), ROWS)
def test_body_status_header_media_change_err(old: dict[str, Any], new: dict[str, Any], code: str, impact: Impact | None) -> None:
    """Each change of a body, status, header or media type, with its impact and nothing worse beside it."""
    changes = diff(old, new)
    shown = [(c.code, c.impact, c.message) for c in changes]
    if impact is None:
        assert changes == [], shown
        return
    assert any(c.code == code and c.impact is impact for c in changes), shown
    assert max(c.impact for c in changes) is impact, shown
