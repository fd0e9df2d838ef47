"""Accounts: passwords stored as Argon2id hashes, sessions that issue access tokens, log out and password change.

Logging in checks the password against the stored hash (a missing account costs the same
hash check, so timing tells nothing) and opens a session: an access token signed with
``AUTH_SIGNING_KEY`` (a private JWK; its public half is served at ``/.well-known/jwks.json``
and verifies like any provider's token) and a refresh token stored only as its SHA-256. A
retried log in with the same ``Idempotency-Key`` renews that session instead of opening a
second. Log out revokes the session; a password change revokes the caller's other sessions.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
import uuid
from typing import Any

import anyio
import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Request, Response
from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from .access import reading, respond, transaction, typed
from .problems import Problem
from .resources import Operation
from .services import Context

ACCESS_TOKEN_S = 900
REFRESH_TOKEN_TTL = datetime.timedelta(days=30)
_HASHER = PasswordHasher()
#: Verified against when the account does not exist, so a wrong login costs what a wrong password does.
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def hash_secret(plaintext: str) -> str:
    """An Argon2id hash of ``plaintext`` (salted, memory-hard), as stored in the ``*_hash`` column."""
    return _HASHER.hash(plaintext)


async def _verify(stored: str | None, plaintext: str) -> bool:
    def check() -> bool:
        try:
            return _HASHER.verify(stored or _DUMMY, plaintext) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


def sessions_table(metadata: MetaData, name: str, schema: str | None) -> Table:
    """Open sessions: the refresh token's hash, who it is for, until when; revoked at log out."""
    return Table(
        name,
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("subject", Text, nullable=False),
        Column("refresh_hash", Text, nullable=False),
        Column("idempotency_key", Text),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Column("revoked_at", DateTime(timezone=True)),
        schema=schema,
    )


def _signing_key(ctx: Context) -> jwt.PyJWK:
    configured = ctx.services.settings.auth_signing_key
    if not configured or not ctx.services.settings.auth_issuer or not ctx.services.settings.auth_audience:
        raise Problem(500, "Sessions are not configured on this server (AUTH_SIGNING_KEY, AUTH_ISSUER, AUTH_AUDIENCE).")
    return jwt.PyJWK.from_json(configured)


def _issue(ctx: Context, subject: str, session: uuid.UUID, scopes: tuple[str, ...], tenant: Any) -> str:
    key = _signing_key(ctx)
    settings = ctx.services.settings
    now = int(datetime.datetime.now(datetime.UTC).timestamp())
    claims: dict[str, Any] = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": subject,
        "sid": str(session),
        "iat": now,
        "exp": now + ACCESS_TOKEN_S,
        "scope": " ".join(scopes),
    }
    if tenant is not None:
        claims[settings.auth_tenant_claim] = str(tenant)
    headers = {"kid": key.key_id} if key.key_id else None
    return jwt.encode(claims, key.key, algorithm=key.algorithm_name or "RS256", headers=headers)


def _refresh() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()


async def login(
    ctx: Context,
    op: Operation,
    sessions: Table,
    login_column: Column[Any],
    secret_column: Column[Any],
    value: Any,
    password: str,
    scopes: tuple[str, ...],
    *,
    idempotency_key: str | None = None,
) -> Response:
    """``POST /sessions``: 201 with an access and a refresh token; 400 (``invalid_grant``) for any wrong login or password."""
    resource = op.resource
    async with reading(ctx, resource) as conn:
        found = (await conn.execute(select(resource.table).where(login_column == value).limit(1))).mappings().first()
    row = dict(found) if found is not None else None
    if not await _verify(row[secret_column.name] if row else None, password) or row is None:  # the same check either way
        raise Problem(400, "invalid_grant: the login or the password is wrong.")
    subject = str(row[resource.key.name])
    tenant = row[resource.tenant.name] if resource.tenant is not None else None
    token, digest = _refresh()
    now = datetime.datetime.now(datetime.UTC)
    table = sessions
    async with transaction(ctx, resource) as conn:
        session = uuid.uuid4()
        if idempotency_key is not None:
            previous = select(table.c.id).where(table.c.subject == subject, table.c.idempotency_key == idempotency_key, table.c.revoked_at.is_(None))
            again = (await conn.execute(previous)).first()
            if again is not None:
                session = again[0]
        values = {"subject": subject, "refresh_hash": digest, "idempotency_key": idempotency_key, "created_at": now, "expires_at": now + REFRESH_TOKEN_TTL}
        await conn.execute(pg_insert(table).values(id=session, **values).on_conflict_do_update(index_elements=["id"], set_=values))
    body = {"access_token": _issue(ctx, subject, session, scopes, tenant), "token_type": "Bearer", "expires_in": ACCESS_TOKEN_S, "refresh_token": token}
    return respond(ctx, 201, body, {"Cache-Control": "no-store"})


async def _session_claim(ctx: Context) -> uuid.UUID | None:
    header = ctx.request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip()
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return uuid.UUID(str(claims["sid"]))
    except (jwt.PyJWTError, KeyError, ValueError):
        return None


async def logout(ctx: Context, op: Operation, sessions: Table) -> Response:
    """``DELETE /sessions/current``: the token's session is revoked (204 also when it names none: it is gone either way)."""
    resource = op.resource
    session = await _session_claim(ctx)
    if session is not None:
        table = sessions
        async with transaction(ctx, resource) as conn:
            await conn.execute(
                update(table).where(table.c.id == session, table.c.subject == ctx.principal.subject).values(revoked_at=datetime.datetime.now(datetime.UTC))
            )
    return Response(status_code=204, headers=ctx.headers)


async def change_password(ctx: Context, op: Operation, sessions: Table, secret_column: Column[Any], current: str, new: str) -> Response:
    """``PUT /me/password``: the current password proves it is the owner; the new one is stored hashed; other sessions end."""
    resource = op.resource
    key = typed(resource.key, ctx.principal.subject)
    async with transaction(ctx, resource) as conn:
        found = (await conn.execute(select(resource.table).where(resource.key == key).with_for_update())).mappings().first()
        if found is None:
            raise Problem(404, f"No {resource.name} is yours, or you may not see it.")
        if not await _verify(found[secret_column.name], current):
            raise Problem(400, "The current password is wrong.")
        values: dict[str, Any] = {secret_column.name: await anyio.to_thread.run_sync(hash_secret, new)}
        if resource.version is not None:
            values[resource.version.name] = resource.version + 1
        await conn.execute(update(resource.table).where(resource.key == key).values(values))
        table = sessions
        keep = await _session_claim(ctx)
        others = update(table).where(table.c.subject == str(key), table.c.revoked_at.is_(None))
        if keep is not None:
            others = others.where(table.c.id != keep)
        await conn.execute(others.values(revoked_at=datetime.datetime.now(datetime.UTC)))
    return Response(status_code=204, headers=ctx.headers)


def jwks_router() -> APIRouter:
    """``/.well-known/jwks.json``: the public half of AUTH_SIGNING_KEY, for the services that verify the tokens it signs."""
    routes = APIRouter()

    async def jwks(request: Request) -> Response:
        configured = request.app.state.services.settings.auth_signing_key
        if not configured:
            raise Problem(404, "This service signs no tokens.")
        private = json.loads(configured)
        public = {k: v for k, v in private.items() if k not in {"d", "p", "q", "dp", "dq", "qi", "k"}}
        return Response(json.dumps({"keys": [public]}), media_type="application/json")

    routes.add_api_route("/.well-known/jwks.json", jwks, methods=["GET"], include_in_schema=False)
    return routes
