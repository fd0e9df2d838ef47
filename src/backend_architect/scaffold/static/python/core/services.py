"""The long-lived objects a process shares across requests, and the per-request context built from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from . import signatures
from .auth import Policy, Principal, TokenVerifier, authenticate, client_address
from .config import Settings
from .db import Database
from .problems import Problem


@dataclass
class Services:
    settings: Settings
    db: Database
    verifier: TokenVerifier
    limiter: Any
    #: The stores beside PostgreSQL (core.backends): production adapters where configured, local ones otherwise.
    backends: Any = None


@dataclass(frozen=True)
class Context:
    """One request: who calls, the headers every answer carries, and the services."""

    request: Request
    principal: Principal
    services: Services
    headers: dict[str, str]


async def begin(request: Request, policy: Policy) -> Context:
    """Authenticate and rate-limit the request as its operation's policy says."""
    request.state.declared_statuses = policy.statuses
    services: Services = request.app.state.services
    try:
        if policy.signed_by is not None:
            await signatures.require(request, policy.signed_by, services.settings.webhook_secrets)
        principal = await authenticate(request, policy, services.verifier, services.settings.auth_tenant_claim)
    except Problem as refused:
        if refused.status == 401:
            # failed logins spend the client address's tokens too, so guessing tokens hits the limit like any caller
            await services.limiter.take(policy, Principal(None, frozenset(), None, client_address(request)))
        raise
    headers = await services.limiter.take(policy, principal)
    request.state.response_headers = headers
    return Context(request, principal, services, headers)
