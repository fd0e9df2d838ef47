"""The operations the design's contracts use, over any resource: read, list, create, change, delete.

Each runs in one transaction with the tenant set (row-level security), filters rows by
tenant, soft delete and owner, and answers with the contract's headers: ``Location`` and an
idempotent replay on creates, ``ETag`` and ``If-Match`` where the row has a version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Response
from sqlalchemy import Column, delete, exists, false, func, insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Integer, Uuid

from . import idempotency, outbox, pagination
from .db import one
from .problems import Problem
from .resources import Operation, Resource
from .services import Context
from .values import dumps

Changes = Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]]


def _typed(column: Column[Any], value: str | None) -> Any:
    """A token claim as the column's type; None when it cannot be one (so it matches nothing)."""
    if value is None:
        return None
    try:
        if isinstance(column.type, Uuid):
            return uuid.UUID(value)
        if isinstance(column.type, Integer):
            return int(value)
    except ValueError:
        return None
    return value


def _tenant(ctx: Context, resource: Resource) -> Any:
    if resource.tenant is None:
        return None
    tenant = _typed(resource.tenant, ctx.principal.tenant)
    if tenant is None:
        raise Problem(403, "This data belongs to a tenant, and the token names no valid one.")
    return tenant


def _visible(ctx: Context, resource: Resource, owner: Column[Any] | None = None) -> list[ColumnElement[bool]]:
    """Rows this caller may see: their tenant's, not soft-deleted, their own where the operation is owner-only."""
    conditions: list[ColumnElement[bool]] = []
    if resource.tenant is not None:
        conditions.append(resource.tenant == _tenant(ctx, resource))
    if resource.deleted_at is not None:
        conditions.append(resource.deleted_at.is_(None))
    if owner is not None:
        subject = _typed(owner, ctx.principal.subject)
        conditions.append(owner == subject if subject is not None else false())
    return conditions


def _parent_exists(ctx: Context, resource: Resource, parent_key: Any) -> ColumnElement[bool]:
    assert resource.parent is not None
    parent = resource.parent.resource
    return exists().where(parent.key == parent_key, resource.parent.column == parent.key, *_visible(ctx, parent))


async def _require_parent(conn: AsyncConnection, ctx: Context, resource: Resource, parent_key: Any, *, lock: bool = False) -> None:
    """404 unless the parent is visible; ``lock`` keeps it from being deleted until this transaction ends."""
    assert resource.parent is not None
    parent = resource.parent.resource
    query = select(parent.key).where(parent.key == parent_key, *_visible(ctx, parent))
    if lock:
        query = query.with_for_update(key_share=True)
    if (await conn.execute(query)).first() is None:
        raise Problem(404, f"No {parent.name} with this id exists, or you may not see it.")


def _etag(resource: Resource, row: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'"{row[resource.version.name]}"'} if resource.version is not None else {}


def _matches(if_match: str, etag: str) -> bool:
    """RFC 9110 If-Match: ``*`` or any listed strong tag equal to the current one."""
    if if_match.strip() == "*":
        return True
    return any(tag.strip() == etag for tag in if_match.split(","))


def respond(ctx: Context, status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json", headers={**ctx.headers, **(headers or {})})


def _transaction(ctx: Context, resource: Resource) -> Any:
    return ctx.services.db.transaction(ctx.principal.tenant, tenant_scoped=resource.tenant is not None)


def _reading(ctx: Context, resource: Resource) -> Any:
    return ctx.services.db.reading(ctx.principal.tenant, tenant_scoped=resource.tenant is not None)


def _scope(ctx: Context, op: Operation) -> str:
    return f"{op.policy.operation_id}:{ctx.principal.subject or ctx.principal.address}"


def _replay(ctx: Context, stored: idempotency.StoredResponse) -> Response:
    return Response(stored.body, status_code=stored.status, media_type="application/json", headers={**ctx.headers, **stored.headers})


async def read(ctx: Context, op: Operation, key: Any, parent_key: Any = None) -> Response:
    """GET one item: 404 when it does not exist or the caller may not see it (so ids cannot be probed)."""
    resource = op.resource
    query = select(resource.table).where(resource.key == key, *_visible(ctx, resource, op.owner))
    if resource.parent is not None:
        query = query.where(resource.parent.column == parent_key, _parent_exists(ctx, resource, parent_key))
    async with _reading(ctx, resource) as conn:
        row = one(await conn.execute(query))
    if row is None:
        raise Problem(404, f"No {resource.name} with this id exists, or you may not see it.")
    headers = _etag(resource, row) if op.conditional else {}
    if op.cache_control:
        headers["Cache-Control"] = op.cache_control
    return respond(ctx, 200, resource.to_api(row), headers)


async def list_page(
    ctx: Context,
    op: Operation,
    params: Mapping[str, Any],
    *,
    limit: int,
    sort: str | None = None,
    cursor: str | None = None,
    offset: int | None = None,
    q: str | None = None,
    parent_key: Any = None,
) -> Response:
    """One page of a list, in the designed order, continuing after ``cursor``."""
    resource = op.resource
    conditions = [*_visible(ctx, resource, op.owner), *op.where]
    for item in op.filters:
        value = params.get(item.param)
        if value is not None:
            conditions.append(item.column == value if item.op == "eq" else item.column >= value if item.op == "ge" else item.column < value)
    if resource.parent is not None:
        conditions.append(resource.parent.column == parent_key)
    if q is not None and op.search is not None:
        conditions.append(op.search.document.op("@@")(func.websearch_to_tsquery(literal_column(f"'{op.search.config}'"), q)))
    name = sort or op.default_sort
    keys = op.sorts[name]
    query = select(resource.table).where(*conditions).order_by(*(k.order() for k in keys)).limit(limit + 1)
    if cursor is not None:
        query = query.where(pagination.after(keys, pagination.decode_cursor(cursor, name, keys)))
    if offset:
        query = query.offset(offset)
    async with _reading(ctx, resource) as conn:
        if resource.parent is not None:
            await _require_parent(conn, ctx, resource, parent_key)
        rows = [dict(r) for r in (await conn.execute(query)).mappings().all()]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = pagination.encode_cursor(name, keys, rows[-1]) if more and op.paging == "cursor" else None
    headers = {"Cache-Control": op.cache_control} if op.cache_control else {}
    return respond(ctx, 200, {"items": [resource.to_api(r) for r in rows], "next_cursor": next_cursor}, headers)


async def create(ctx: Context, op: Operation, values: Mapping[str, Any], body: Any, *, idempotency_key: str | None = None, parent_key: Any = None) -> Response:
    """POST to a collection: the row, its events and the stored answer commit together; a retry replays the answer."""
    resource = op.resource
    async with _transaction(ctx, resource) as conn:
        if idempotency_key is not None:
            fingerprint = idempotency.fingerprint("POST", ctx.request.url.path, body)
            stored = await idempotency.claim(conn, resource.idempotency, _scope(ctx, op), idempotency_key, fingerprint)
            if stored is not None:
                return _replay(ctx, stored)
        row_values = dict(values)
        if resource.new_key is not None:
            row_values[resource.key.name] = resource.new_key()
        if resource.tenant is not None:
            row_values[resource.tenant.name] = _tenant(ctx, resource)
        if op.owner is not None and ctx.principal.subject is not None:
            _claim_ownership(ctx, op.owner, row_values)
        if resource.parent is not None:
            await _require_parent(conn, ctx, resource, parent_key, lock=True)
            row_values[resource.parent.column.name] = parent_key
        row = one(await conn.execute(insert(resource.table).values(row_values).returning(*resource.table.c)))
        assert row is not None
        await outbox.enqueue(conn, resource.outbox, op.events, row)
        headers = {"Location": resource.location(row)} if resource.location else {}
        answer = idempotency.StoredResponse(201, dumps(resource.to_api(row)), headers)
        if idempotency_key is not None:
            await idempotency.remember(conn, resource.idempotency, _scope(ctx, op), idempotency_key, answer)
    return _replay(ctx, answer)


def _claim_ownership(ctx: Context, owner: Column[Any], row_values: dict[str, Any]) -> None:
    """A caller creates rows they own: the owner column is theirs (set when left out, 403 when it names someone else)."""
    subject = _typed(owner, ctx.principal.subject)
    given = row_values.setdefault(owner.name, subject)
    if subject is None or given != subject:
        raise Problem(403, f"{owner.name} must be your own id: you may only create what you own.")


async def change(
    ctx: Context,
    op: Operation,
    key: Any,
    changes: Changes,
    *,
    if_match: str | None = None,
    body: Any = None,
    idempotency_key: str | None = None,
    parent_key: Any = None,
) -> Response:
    """PATCH/PUT or an action: lock the row, check If-Match, apply ``changes``, bump the version, write the events."""
    resource = op.resource
    async with _transaction(ctx, resource) as conn:
        if idempotency_key is not None:
            fingerprint = idempotency.fingerprint(ctx.request.method, ctx.request.url.path, [body, if_match])
            stored = await idempotency.claim(conn, resource.idempotency, _scope(ctx, op), idempotency_key, fingerprint)
            if stored is not None:
                return _replay(ctx, stored)
        row = await _locked(conn, ctx, op, key, parent_key)
        _precondition(resource, row, if_match)
        values = dict(changes(row) if callable(changes) else changes)
        if resource.version is not None:
            values[resource.version.name] = resource.version + 1
        if resource.updated_at is not None:
            values[resource.updated_at.name] = func.now()
        if values:
            row = one(await conn.execute(update(resource.table).where(resource.key == key).values(values).returning(*resource.table.c)))
            assert row is not None
        await outbox.enqueue(conn, resource.outbox, op.events, row)
        answer = idempotency.StoredResponse(200, dumps(resource.to_api(row)), _etag(resource, row) if op.conditional else {})
        if idempotency_key is not None:
            await idempotency.remember(conn, resource.idempotency, _scope(ctx, op), idempotency_key, answer)
    return _replay(ctx, answer)


async def remove(ctx: Context, op: Operation, key: Any, *, if_match: str | None = None, parent_key: Any = None) -> Response:
    """DELETE: a soft delete where the design keeps deleted rows, else the row and (by cascade) its children."""
    resource = op.resource
    async with _transaction(ctx, resource) as conn:
        row = await _locked(conn, ctx, op, key, parent_key)
        _precondition(resource, row, if_match)
        if resource.deleted_at is not None:
            values: dict[str, Any] = {resource.deleted_at.name: func.now()}
            if resource.version is not None:
                values[resource.version.name] = resource.version + 1
            await conn.execute(update(resource.table).where(resource.key == key).values(values))
        else:
            await conn.execute(delete(resource.table).where(resource.key == key))
        await outbox.enqueue(conn, resource.outbox, op.events, row)
    return Response(status_code=204, headers=ctx.headers)


async def _locked(conn: AsyncConnection, ctx: Context, op: Operation, key: Any, parent_key: Any) -> dict[str, Any]:
    resource = op.resource
    query = select(resource.table).where(resource.key == key, *_visible(ctx, resource, op.owner))
    if resource.parent is not None:
        query = query.where(resource.parent.column == parent_key, _parent_exists(ctx, resource, parent_key))
    row = one(await conn.execute(query.with_for_update(of=resource.table)))
    if row is None:
        raise Problem(404, f"No {resource.name} with this id exists, or you may not see it.")
    return row


def _precondition(resource: Resource, row: dict[str, Any], if_match: str | None) -> None:
    if if_match is None or resource.version is None:
        return
    current = _etag(resource, row)["ETag"]
    if not _matches(if_match, current):
        raise Problem(412, f"The {resource.name} changed since you read it (its ETag is now {current}); read it again and retry.")
