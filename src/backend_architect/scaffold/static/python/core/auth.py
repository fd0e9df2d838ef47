"""Bearer JWT verification (issuer, audience and signing keys from configuration) and scopes per operation."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import jwt
from fastapi import Request

from .config import Settings
from .problems import Problem

#: Refetch the provider's keys at most this often when a token names a key we do not know.
JWKS_REFRESH_S = 60.0
#: Verified tokens remembered per process (a client sends the same token until it expires), and for how long at most.
TOKEN_CACHE_SIZE = 4096
TOKEN_CACHE_S = 300.0


@dataclass(frozen=True)
class Policy:
    """What an operation demands of its caller, from the design: authentication, scopes, rate limit class."""

    operation_id: str
    auth: Literal["required", "optional", "none"]
    scopes: tuple[str, ...]
    rate_class: str
    per_minute: int
    burst: int
    #: "subject" limits each token holder; "ip" each client address (public operations).
    rate_key: Literal["subject", "ip"]
    #: The error statuses the contract declares for the operation.
    statuses: frozenset[int] = field(default_factory=frozenset)
    #: Only other services call it (the contract's ``x-internal``, security ``serviceOAuth2`` alone): a person's token is refused.
    services_only: bool = False
    #: (per minute, burst) each calling service has on this operation, in a bucket of its own per service: the contract's
    #: ``x-rate-limit.services``, or the operation's own limit when that is sized for services (``actor: service``). None: the
    #: people's limit applies to services too.
    service_rate: tuple[int, int] | None = None
    #: The external system calling it back (a webhook): its signature of the body authenticates it (``core.signatures``).
    signed_by: str | None = None


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, scopes and tenant (all None/empty when anonymous)."""

    subject: str | None
    scopes: frozenset[str]
    tenant: str | None
    address: str
    #: The token was issued to a service of the system by the client-credentials grant (``is_service``), not to a person.
    service: bool = False

    @property
    def authenticated(self) -> bool:
        return self.subject is not None


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    """Scopes as providers send them: ``scope`` (RFC 9068, space-separated), ``scp`` or ``permissions`` (lists)."""
    found: set[str] = set()
    for name in ("scope", "scp", "permissions"):
        value = claims.get(name)
        if isinstance(value, str):
            found.update(value.split())
        elif isinstance(value, list):
            found.update(v for v in value if isinstance(v, str))
    return frozenset(found)


def is_service(claims: dict[str, Any], rule: str | None = None) -> bool:
    """The token was issued by the client-credentials grant: a service calls, on its own behalf, not a person.

    RFC 9068 (JWT access tokens) section 2.2 requires ``client_id`` in every token and, where no resource owner is
    involved, makes ``sub`` the client's own identifier: ``sub == client_id`` is that standard's signal. A provider that
    marks those tokens otherwise is named by ``rule`` (``AUTH_SERVICE_CLAIM``): ``claim=value`` (the claim equals, or as a
    list holds, the value: Auth0's ``gty=client-credentials``) or ``claim`` alone (present and not empty).

    >>> is_service({"sub": "billing", "client_id": "billing"}), is_service({"sub": "u-1", "client_id": "web-app"}), is_service({"sub": "u-1"})
    (True, False, False)
    >>> is_service({"sub": "x@clients", "gty": "client-credentials"}, "gty=client-credentials")
    True
    """
    if rule:
        name, equals, value = (part.strip() for part in rule.partition("="))
        found = claims.get(name)
        if not equals:
            return bool(found)
        return found == value or (isinstance(found, list) and value in found)
    client = claims.get("client_id")
    return isinstance(client, str) and bool(client) and claims.get("sub") == client


class TokenVerifier:
    """Checks signature, expiry, issuer and audience; without issuer, audience and keys configured every token is refused."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.algorithms = [a.strip() for a in settings.auth_algorithms.split(",") if a.strip()]
        self.keys: dict[str, jwt.PyJWK] = {}
        self.single_key: jwt.PyJWK | None = None
        self.fetched_at = 0.0
        self.client = jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=False, timeout=5) if settings.auth_jwks_url else None
        #: token -> (claims, monotonic time it stops being trusted without a new check)
        self.verified: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        if settings.auth_jwks:
            self._load(jwt.PyJWKSet.from_json(settings.auth_jwks).keys)

    @property
    def configured(self) -> bool:
        return bool(self.settings.auth_issuer and self.settings.auth_audience and (self.settings.auth_jwks or self.client))

    def _load(self, keys: list[jwt.PyJWK]) -> None:
        self.keys = {k.key_id: k for k in keys if k.key_id}
        self.single_key = keys[0] if len(keys) == 1 else None
        self.fetched_at = time.monotonic()

    async def _key(self, token: str) -> jwt.PyJWK:
        kid = jwt.get_unverified_header(token).get("kid")
        if kid in self.keys:
            return self.keys[kid]
        if kid is None and self.single_key is not None:
            return self.single_key
        if self.client is not None and time.monotonic() - self.fetched_at > JWKS_REFRESH_S:
            client = self.client
            self._load(await anyio.to_thread.run_sync(client.get_signing_keys))
            return await self._key(token) if kid in self.keys else self._unknown()
        return self._unknown()

    @staticmethod
    def _unknown() -> jwt.PyJWK:
        raise jwt.InvalidKeyError("unknown signing key")

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, checked once and then remembered until it expires (at most TOKEN_CACHE_S)."""
        now = time.monotonic()
        known = self.verified.get(token)
        if known is not None and known[1] > now:
            self.verified.move_to_end(token)
            return known[0]
        claims = await self._verify(token)
        lifetime = min(TOKEN_CACHE_S, float(claims["exp"]) - time.time())
        if lifetime > 0:
            self.verified[token] = (claims, now + lifetime)
            if len(self.verified) > TOKEN_CACHE_SIZE:
                self.verified.popitem(last=False)
        return claims

    async def _verify(self, token: str) -> dict[str, Any]:
        if not self.configured:
            raise Problem(401, "Token verification is not configured on this server.", headers=_challenge("invalid_token"))
        try:
            key = await self._key(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=self.algorithms,
                audience=self.settings.auth_audience,
                issuer=self.settings.auth_issuer,
                leeway=self.settings.auth_leeway_s,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise Problem(401, f"Invalid bearer token: {exc}"[:300], headers=_challenge("invalid_token")) from None
        return claims


def _challenge(error: str, scope: str = "") -> dict[str, str]:
    value = f'Bearer error="{error}"' + (f', scope="{scope}"' if scope else "")
    return {"WWW-Authenticate": value}


def client_address(request: Any) -> str:
    return request.client.host if request.client else "unknown"


async def authenticate(request: Request, policy: Policy, verifier: TokenVerifier, tenant_claim: str) -> Principal:
    """The caller, as the operation's policy requires: 401 without a valid token, 403 without the scopes."""
    address = client_address(request)
    anonymous = Principal(None, frozenset(), None, address)
    header = request.headers.get("authorization")
    if policy.auth == "none":
        return await _anonymous_service(header, policy, verifier, address) if header and policy.service_rate else anonymous
    if not header:
        if policy.auth == "optional":
            return anonymous
        raise Problem(401, "This operation needs a bearer token.", headers={"WWW-Authenticate": "Bearer"})
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Send the token as 'Authorization: Bearer <token>'.", headers=_challenge("invalid_request"))
    return await principal_of(token.strip(), policy, verifier, tenant_claim, address)


async def _anonymous_service(header: str, policy: Policy, verifier: TokenVerifier, address: str) -> Principal:
    """A public operation's caller stays anonymous, but a service sending its own token is charged the services' limit the
    contract sizes (still per client address, as it keys public limits); any other token, valid or not, is ignored, never refused."""
    scheme, _, token = header.partition(" ")
    service = False
    if scheme.lower() == "bearer" and token.strip():
        try:
            service = is_service(await verifier.verify(token.strip()), verifier.settings.auth_service_claim)
        except Problem:
            service = False
    return Principal(None, frozenset(), None, address, service)


async def principal_of(token: str, policy: Policy, verifier: TokenVerifier, tenant_claim: str, address: str) -> Principal:
    """The caller a bearer token names, as the policy requires (401 when invalid, 403 without the scopes, 403 when only services
    may call and a person's token came: the scope alone would let any user with it in, at the calling service's limit)."""
    claims = await verifier.verify(token)
    service = is_service(claims, verifier.settings.auth_service_claim)
    if policy.services_only and not service:
        raise Problem(403, "Only the system's services call this operation, with a token issued to them (client credentials).")
    scopes = _scopes(claims)
    missing = [s for s in policy.scopes if s not in scopes]
    if missing and policy.auth == "required":
        raise Problem(403, f"The token lacks the scope(s) {', '.join(missing)}.", headers=_challenge("insufficient_scope", " ".join(policy.scopes)))
    tenant = claims.get(tenant_claim)
    return Principal(str(claims["sub"]), scopes, str(tenant) if tenant is not None else None, address, service)
