"""What every operation shares: the caller's rows (tenant, soft delete, owner), filters, transactions and answers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Response
from sqlalchemy import Column, exists, false, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Integer, Uuid

from . import idempotency
from .problems import Problem
from .refs import Ref, holds
from .resources import Filter, Operation, Resource
from .services import Context
from .values import dumps


def typed(column: Column[Any], value: str | None) -> Any:
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


def tenant_of(ctx: Context, resource: Resource) -> Any:
    if resource.tenant is None:
        return None
    tenant = typed(resource.tenant, ctx.principal.tenant)
    if tenant is None:
        raise Problem(403, "This data belongs to a tenant, and the token names no valid one.")
    return tenant


def is_caller(ctx: Context, ref: Ref) -> ColumnElement[bool]:
    """The referenced column (of the row, or through joins) holds the caller's identity."""
    subject = typed(ref.column, ctx.principal.subject)
    return holds(ref, lambda column: column == subject) if subject is not None else false()


def visible(ctx: Context, resource: Resource, owner: Ref | None = None) -> list[ColumnElement[bool]]:
    """Rows this caller may see: their tenant's, not soft-deleted, their own where the operation is owner-only."""
    conditions: list[ColumnElement[bool]] = []
    if resource.tenant is not None:
        conditions.append(resource.tenant == tenant_of(ctx, resource))
    if resource.deleted_at is not None:
        conditions.append(resource.deleted_at.is_(None))
    if owner is not None:
        conditions.append(is_caller(ctx, owner))
    return conditions


def matching(filters: Any, params: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """The filters a request gave a value for, each on its column (through joins where it is another table's)."""
    conditions: list[ColumnElement[bool]] = []
    for item in filters:
        value = params.get(item.param)
        if value is None:
            continue
        conditions.append(holds(item.at, _compare(item, value)))
    return conditions


def _compare(item: Filter, value: Any) -> Callable[[Column[Any]], ColumnElement[bool]]:
    if item.op == "ge":
        return lambda column: column >= value
    if item.op == "lt":
        return lambda column: column < value
    return lambda column: column == value


def parent_exists(ctx: Context, resource: Resource, parent_key: Any) -> ColumnElement[bool]:
    assert resource.parent is not None
    parent = resource.parent.resource
    return exists().where(parent.lookup == parent_key, resource.parent.column == parent.key, *visible(ctx, parent))


async def require_parent(conn: AsyncConnection, ctx: Context, resource: Resource, parent_key: Any, *, lock: bool = False) -> Any:
    """The parent's key, 404 unless it is visible; ``lock`` keeps it from being deleted until this transaction ends."""
    assert resource.parent is not None
    parent = resource.parent.resource
    query = select(parent.key).where(parent.lookup == parent_key, *visible(ctx, parent))
    if lock:
        query = query.with_for_update(key_share=True)
    found = (await conn.execute(query)).first()
    if found is None:
        raise Problem(404, f"No {parent.name} with this id exists, or you may not see it.")
    return found[0]


def etag(resource: Resource, row: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'"{row[resource.version.name]}"'} if resource.version is not None else {}


def _matches(if_match: str, etag: str) -> bool:
    """RFC 9110 If-Match: ``*`` or any listed strong tag equal to the current one."""
    if if_match.strip() == "*":
        return True
    return any(tag.strip() == etag for tag in if_match.split(","))


def respond(ctx: Context, status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json", headers={**ctx.headers, **(headers or {})})


def transaction(ctx: Context, resource: Resource) -> Any:
    return ctx.services.db.transaction(ctx.principal.tenant, tenant_scoped=resource.tenant is not None)


def reading(ctx: Context, resource: Resource) -> Any:
    return ctx.services.db.reading(ctx.principal.tenant, tenant_scoped=resource.tenant is not None)


def scope_of(ctx: Context, op: Operation) -> str:
    return f"{op.policy.operation_id}:{ctx.principal.subject or ctx.principal.address}"


def replay(ctx: Context, stored: idempotency.StoredResponse) -> Response:
    return Response(stored.body, status_code=stored.status, media_type="application/json", headers={**ctx.headers, **stored.headers})


def caller_key(ctx: Context, resource: Resource) -> Any:
    """The caller's own row (``/me``): the token's subject as the table's key."""
    key = typed(resource.key, ctx.principal.subject)
    if key is None:
        raise Problem(404, f"No {resource.name} is yours, or you may not see it.")
    return key


