"""The security schemes a contract declares: the clients' (the design's auth decision) and the services' client credentials.

Each scheme is declared only where an operation names it, so what a description promises ("called by
another service with a client-credentials token") is a flow the document declares.
"""

from __future__ import annotations

from typing import Any

from backend_architect.ir.model import Api, Architecture
from backend_architect.ir.part_calls import services_call_over_http
from backend_architect.ir.signatures import SCHEME_NAME, SECRETS_SETTING, SIGNATURE_HEADER, TOLERANCE_S

AUTH_URL = "https://auth.example.com"

#: The scheme name each authentication flow declares in ``components.securitySchemes``.
SCHEME_NAMES = {"oauth2": "oauth2", "session-cookie": "sessionCookie", "api-key": "apiKey"}


def scheme_name(arch: Architecture) -> str:
    return SCHEME_NAMES[arch.security.scheme if arch.security else "oauth2"]


def _client_scheme(arch: Architecture, scopes: dict[str, str]) -> dict[str, Any]:
    """The security scheme of the design's authentication flow (the auth decision)."""
    scheme = arch.security.scheme if arch.security else "oauth2"
    if scheme == "session-cookie":
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "__Host-session",
            "description": "Opaque session id set by `POST /sessions` (HttpOnly, Secure, SameSite=Lax); state-changing requests also send "
            "`X-CSRF-Token`. The requirement lists the permissions the session's user needs.",
        }
    if scheme == "api-key":
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "A client's API key, stored hashed by the server. The requirement lists the permissions the key needs.",
        }
    return {
        "type": "oauth2",
        "description": "OAuth 2.0 authorization code flow with PKCE; access tokens are JWTs sent as `Authorization: Bearer`.",
        "flows": {"authorizationCode": {"authorizationUrl": f"{AUTH_URL}/authorize", "tokenUrl": f"{AUTH_URL}/oauth/token", "scopes": scopes}},
    }


#: The scheme other services' calls name: what handoff's security review says crosses the service -> service boundary.
SERVICE_SCHEME = "serviceOAuth2"


def security_schemes(api: Api, arch: Architecture) -> dict[str, Any]:
    """The schemes the operations name: the clients' (the auth decision) where a client calls with a token, and the services'."""
    schemes: dict[str, Any] = {}
    clients = [op for op in api.operations if op.auth != "none" and not op.internal]
    if clients:
        scopes = {s: api.scopes.get(s, s) for s in sorted({s for op in clients for s in op.scopes})}
        schemes[scheme_name(arch)] = _client_scheme(arch, scopes)
    # modules of one deployable call each other in process: no token is issued to them
    services = _service_scheme(api) if services_call_over_http(arch) else {}
    return {**schemes, **services, **_signature_scheme(api)}


#: The scheme an external system's callbacks name (``design.callbacks``).
SIGNATURE_SCHEME = SCHEME_NAME
#: The 401 of a signed operation: the signature, not a token, was refused.
SIGNATURE_REFUSED = f"Missing, stale (more than {TOLERANCE_S // 60} minutes old) or invalid {SIGNATURE_HEADER}."


def _signature_scheme(api: Api) -> dict[str, Any]:
    """The signature header, declared when an external system calls an operation (``Operation.signed_by``).

    OpenAPI has no HMAC scheme; an API key in a header is the shape a client generator and a gateway understand, and the
    description says how the value is made, so the provider's integration can be checked against it.
    """
    systems = sorted({op.signed_by for op in api.operations if op.signed_by})
    if not systems:
        return {}
    return {
        SIGNATURE_SCHEME: {
            "type": "apiKey",
            "in": "header",
            "name": SIGNATURE_HEADER,
            "description": f'Callbacks from {", ".join(systems)}: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` keyed with the '
            f"secret shared with that system ({SECRETS_SETTING}); verified in constant time over the bytes received, refused (401) "
            f"when wrong or more than {TOLERANCE_S // 60} minutes from the server's clock.",
        }
    }


def _service_scheme(api: Api) -> dict[str, Any]:
    """The client-credentials flow, declared when other services call an operation (``Operation.consumers``).

    Their calls carry a token the identity provider issued to the calling service, not a user's; a contract promising
    that in prose declares the flow (same provider, the scopes those operations require) and those operations name it.
    """
    called = [op for op in api.operations if op.internal or (op.consumers and op.auth != "none")]
    if not called:
        return {}
    granted = sorted({s for op in called for s in op.scopes})
    return {
        SERVICE_SCHEME: {
            "type": "oauth2",
            "description": "OAuth 2.0 client credentials flow: another service of the system calls with a token issued to it, carrying the "
            "scopes of the operations it calls.",
            "flows": {"clientCredentials": {"tokenUrl": f"{AUTH_URL}/oauth/token", "scopes": {s: api.scopes.get(s, s) for s in granted}}},
        }
    }
