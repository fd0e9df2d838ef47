"""Security: requirements of operations and the security schemes clients are built around."""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.diff.model import Impact
from diff.helpers import diff, document, operation

B, P, S = Impact.BREAKING, Impact.POSSIBLY_BREAKING, Impact.SAFE
OAUTH = {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://a.example/token", "scopes": {"read": "r", "write": "w"}}}}
KEY = {"type": "apiKey", "in": "header", "name": "X-Api-Key"}


def secured(security: Any = None, schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    op = operation(security=security) if security is not None else operation()
    return document(op, components={"securitySchemes": schemes or {"oauth": OAUTH, "key": KEY}})


ROWS = [
    pytest.param(secured([{}]), secured([{"oauth": ["read"]}]), "security-added", B, id="security-added"),
    pytest.param(secured([{"oauth": ["read"]}]), secured([{}]), "security-removed", S, id="made-public"),
    pytest.param(secured([{"oauth": ["read"]}]), secured([{"oauth": ["read", "write"]}]), "security-requirement-tightened", B, id="scope-added"),
    pytest.param(secured([{"oauth": ["read"]}]), secured([{"oauth": ["read"]}, {"key": []}]), "security-requirement-added", S, id="alternative-added"),
    pytest.param(secured([{"oauth": ["read"]}, {"key": []}]), secured([{"oauth": ["read"]}]), "security-requirement-removed", B, id="alternative-removed"),
    pytest.param(
        secured(), secured(schemes={"oauth": OAUTH, "key": {**KEY, "name": "Authorization"}}), "security-scheme-name-changed", B, id="api-key-renamed"
    ),
    pytest.param(secured(), secured(schemes={"oauth": OAUTH, "key": {**KEY, "in": "query"}}), "security-scheme-in-changed", B, id="api-key-moved"),
    pytest.param(
        secured(), secured(schemes={"oauth": OAUTH, "key": {"type": "http", "scheme": "bearer"}}), "security-scheme-type-changed", B, id="type-changed"
    ),
    pytest.param(
        secured(),
        secured(
            schemes={
                "oauth": {"type": "oauth2", "flows": {"clientCredentials": {**OAUTH["flows"]["clientCredentials"], "tokenUrl": "https://b.example/t"}}},
                "key": KEY,
            }
        ),
        "security-scheme-token-url-changed",
        P,
        id="token-url",
    ),
    pytest.param(
        secured(),
        secured(
            schemes={
                "oauth": {"type": "oauth2", "flows": {"authorizationCode": {"authorizationUrl": "https://a/x", "tokenUrl": "https://a/t", "scopes": {}}}},
                "key": KEY,
            }
        ),
        "security-scheme-flow-removed",
        B,
        id="flow-removed",
    ),
]


@pytest.mark.parametrize(("old", "new", "code", "impact"), ROWS)
def test_security_change_err(old: dict[str, Any], new: dict[str, Any], code: str, impact: Impact) -> None:
    """Each security change with its impact on callers, and nothing worse beside it."""
    changes = diff(old, new)
    shown = [(c.code, c.impact, c.message) for c in changes]
    assert any(c.code.endswith(code) and c.impact is impact for c in changes) or (not code and all(c.impact is impact for c in changes)), shown
    assert max((c.impact for c in changes), default=S) is impact, shown
