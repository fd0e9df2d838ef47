"""Who may do what: API keys with scopes and owners, checked by FastAPI ``Security`` dependencies.

A key is configured as ``id:secret:scopes:owner`` (``scopes`` joined by ``+`` from read, write
and admin; ``owner`` defaults to the id, and keys that share an owner share a workspace), or
as a bare secret (read and write, its own owner). Every design belongs to the owner of the key
that created it:

- **read** lists and reads the owner's designs; a design marked shared can be read by anyone,
  without a key;
- **write** creates designs, saves versions, shares, deletes, and runs reviews;
- **admin** reads and writes every owner's designs.

Keys are sent as ``Authorization: Bearer <key>`` and nothing else: another scheme, or a bare
key, is 401. Keys are kept as SHA-256 digests; a lookup compares digests, not secrets.
A design the caller may not read is answered 404, as if it did not exist.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from starlette.exceptions import HTTPException

SCOPES = {"read": "Read the owner's designs", "write": "Create and change designs, run reviews", "admin": "Read and write every owner's designs"}
_TOKEN = re.compile(r"Bearer ([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Principal:
    """The caller a key stands for."""

    key_id: str
    owner: str
    scopes: frozenset[str]

    @property
    def admin(self) -> bool:
        return "admin" in self.scopes

    def may_read(self, design: dict[str, Any]) -> bool:
        return self.admin or design["owner"] == self.owner

    def may_write(self, design: dict[str, Any]) -> bool:
        return "write" in self.scopes and (self.admin or design["owner"] == self.owner)


def parse_keys(text: str) -> dict[str, Principal]:
    """Keys from ``BACKEND_ARCHITECT_API_KEYS``: comma-separated ``id:secret:scopes:owner`` entries (or bare secrets), by digest.

    >>> keys = parse_keys("alice:alice-secret-0001:read+write, ops:ops-secret-00001:admin+read:platform, legacy-secret-0001")
    >>> sorted((p.key_id, p.owner, sorted(p.scopes)) for p in keys.values())
    [('alice', 'alice', ['read', 'write']), ('key-21e6dac8', 'key-21e6dac8', ['read', 'write']), ('ops', 'platform', ['admin', 'read'])]
    """
    keys: dict[str, Principal] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        parts = entry.split(":")
        if len(parts) == 1:
            secret, key_id, scopes, owner = parts[0], "key-" + _digest(parts[0]).hex()[:8], {"read", "write"}, ""
        elif 2 <= len(parts) <= 4:
            key_id, secret = parts[0], parts[1]
            scopes = set(parts[2].split("+")) if len(parts) > 2 and parts[2] else {"read", "write"}
            owner = parts[3] if len(parts) > 3 else ""
        else:
            raise ValueError(f"an API key entry is id:secret:scopes:owner, got {len(parts)} parts")
        unknown = scopes - set(SCOPES)
        if unknown:
            raise ValueError(f"key {key_id}: unknown scope(s) {', '.join(sorted(unknown))} (known: {', '.join(SCOPES)})")
        if not _ID.fullmatch(key_id) or (owner and not _ID.fullmatch(owner)):
            raise ValueError(f"key {key_id[:64]!r}: ids and owners are letters, digits, '.', '_' and '-'")
        if len(secret) < 16 or not _TOKEN.fullmatch(f"Bearer {secret}"):
            raise ValueError(f"key {key_id}: a secret is at least 16 characters of A-Z a-z 0-9 - . _ ~ + /")
        keys[_digest(secret).hex()] = Principal(key_id, owner or key_id, frozenset(scopes))
    return keys


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key as `Authorization: Bearer <key>`. Keys carry the scopes read, write and admin.",
)


class Authorizer:
    """The key table, and the dependencies routes declare with ``Security(..., scopes=[...])``."""

    def __init__(self, keys: dict[str, Principal]) -> None:
        self.keys = keys

    def peek(self, header: str | None) -> Principal | None:
        """The caller an Authorization header names, or None (for choosing a rate-limit budget; never raises)."""
        match = _TOKEN.fullmatch(header.strip()) if header else None
        return self.keys.get(_digest(match[1]).hex()) if match else None

    def identify(self, request: Request) -> Principal | None:
        """The caller, from a strict ``Authorization: Bearer <key>``; None without the header; 401 for anything else."""
        header = request.headers.get("authorization")
        if header is None:
            return None
        principal = self.peek(header)
        if principal is None:
            raise HTTPException(401, "the Authorization header must be 'Bearer <key>' with a key this server knows", headers=_CHALLENGE)
        return principal

    def required(self) -> Any:
        """A dependency: the caller, who must send a key holding every scope the route asks for."""

        def dependency(security_scopes: SecurityScopes, request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
            principal = self.identify(request)
            if principal is None:
                raise HTTPException(401, "this needs an API key: Authorization: Bearer <key>", headers=_CHALLENGE)
            missing = [s for s in security_scopes.scopes if s not in principal.scopes and not principal.admin]
            if missing:
                raise HTTPException(403, f"key {principal.key_id} lacks the scope(s) {', '.join(missing)}")
            return principal

        return dependency

    def optional(self) -> Any:
        """A dependency: the caller when a key is sent (holding the route's scopes), None for an anonymous read of a shared design."""
        required = self.required()

        def dependency(
            security_scopes: SecurityScopes, request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
        ) -> Principal | None:
            if request.headers.get("authorization") is None:
                return None
            return required(security_scopes, request, credentials)  # type: ignore[no-any-return]

        return dependency


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="backend-architect"'}
