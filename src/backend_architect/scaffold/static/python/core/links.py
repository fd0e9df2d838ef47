"""Relationships made with an idempotent PUT and unmade with DELETE on the same path, both 204.

The link is a row of the link table (a link entity such as Follow, or a many-to-many join
table) holding the two ends' keys from the path. Making an existing link changes nothing;
removing a missing one is not an error. The source end must exist (and be visible) when this
module holds it: 404 otherwise, so a link never points from nowhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Response
from sqlalchemy import Column, Table, and_, delete, insert, select, update

from . import idempotency, outbox
from .access import replay, scope_of, tenant_of, transaction, typed, visible
from .db import one
from .problems import Problem
from .resources import Operation, Resource
from .services import Context


@dataclass(frozen=True)
class Link:
    """A link table and the columns its two ends go in; the source's resource when this module holds it."""

    table: Table
    source: Column[Any]
    target: Column[Any]
    source_resource: Resource | None = None


@dataclass(frozen=True)
class Join:
    """A link that adds a member to a scope (``design/member_writes.py``): its member column, the role column and the roles that
    may add others (none: one adds only oneself), and the scope's most members (None: no stated size)."""

    member: str
    role: str | None = None
    admins: tuple[str, ...] = ()
    most: int | None = None


async def _may_join(ctx: Context, conn: Any, link: Link, join: Join, source: Any, target: Any) -> None:
    """Raise 403 unless the caller adds themselves or holds a role of the scope that may add others; 409 when the scope is full.

    Checked in the write's transaction, the scope's member rows locked, so two joins cannot both take the last place."""
    member = link.table.c[join.member]
    scope = link.source if member is link.target else link.target
    scope_key = source if member is link.target else target
    added = target if member is link.target else source
    subject = typed(member, ctx.principal.subject)
    if subject is None or subject != added:
        role = link.table.c[join.role] if join.role else None
        admin = None
        if role is not None and join.admins:
            query = select(member).where(scope == scope_key, member == subject, role.in_(join.admins))
            admin = (await conn.execute(query)).first()
        if admin is None:
            raise Problem(403, "Only the caller may be added by this request, unless the caller holds a role of the scope that may add others.")
    if join.most is not None:
        rows = (await conn.execute(select(member).where(scope == scope_key).with_for_update())).all()
        if len(rows) >= join.most:
            raise Problem(409, f"The scope already holds its most members ({join.most}).")


def _as_caller(ctx: Context, link: Link, caller: str | None, source: Any, target: Any) -> None:
    """Raise 403 unless the end of the pair that is the caller's own (``caller``: 'source' or 'target') is the token's subject.

    A vote or a follow names its voter or follower in the path: without this any user votes or follows as anyone."""
    if caller is None:
        return
    column, value = (link.source, source) if caller == "source" else (link.target, target)
    subject = typed(column, ctx.principal.subject)
    if subject is None or subject != typed(column, str(value)):
        raise Problem(403, f"{column.name} must be the caller's own id.")


async def relate(
    ctx: Context,
    op: Operation,
    link: Link,
    source: Any,
    target: Any,
    values: Mapping[str, Any],
    *,
    body: Any = None,
    idempotency_key: str | None = None,
    join: Join | None = None,
    caller: str | None = None,
) -> Response:
    """``PUT``: the link exists afterwards (made once, however often it is asked for)."""
    _as_caller(ctx, link, caller, source, target)
    resource = op.resource
    async with transaction(ctx, resource) as conn:
        if idempotency_key is not None:
            fingerprint = idempotency.fingerprint("PUT", ctx.request.url.path, body)
            stored = await idempotency.claim(conn, resource.idempotency, scope_of(ctx, op), idempotency_key, fingerprint)
            if stored is not None:
                return replay(ctx, stored)
        owner = link.source_resource
        if owner is not None:
            query = select(owner.key).where(owner.lookup == source, *visible(ctx, owner)).with_for_update(key_share=True)
            found = (await conn.execute(query)).first()
            if found is None:
                raise Problem(404, f"No {owner.name} with this id exists, or you may not see it.")
            source = found[0]
        where = and_(link.source == source, link.target == target)
        existing = one(await conn.execute(select(link.table).where(where).with_for_update()))
        if existing is None and join is not None:
            await _may_join(ctx, conn, link, join, source, target)
        if existing is None:
            row_values = {**values, link.source.name: source, link.target.name: target}
            if link.table is resource.table:
                if resource.tenant is not None:
                    row_values[resource.tenant.name] = tenant_of(ctx, resource)
                if resource.new_key is not None:
                    row_values[resource.key.name] = resource.make_key(row_values)
            row = one(await conn.execute(insert(link.table).values(row_values).returning(*link.table.c)))
            assert row is not None
            if "id" in row:
                await outbox.enqueue(conn, resource.outbox, op.events, row)
        else:
            # a PUT stores what it says: a link made in one state ('delivered') moves to the one asked for ('read')
            # ... but a member's role is granted, never reset by joining again (an admin re-joining stays one)
            kept = {join.role} if join is not None and join.role else set()
            moved = {k: v for k, v in values.items() if k in existing and existing[k] != v and k not in kept}
            if moved:
                await conn.execute(update(link.table).where(where).values(moved))
        answer = idempotency.StoredResponse(204, b"", {})
        if idempotency_key is not None:
            await idempotency.remember(conn, resource.idempotency, scope_of(ctx, op), idempotency_key, answer)
    return Response(status_code=204, headers=ctx.headers)


async def unrelate(ctx: Context, op: Operation, link: Link, source: Any, target: Any, *, caller: str | None = None) -> Response:
    """``DELETE``: the link is gone afterwards (204 whether or not it existed)."""
    _as_caller(ctx, link, caller, source, target)
    resource = op.resource
    async with transaction(ctx, resource) as conn:
        owner = link.source_resource
        if owner is not None:
            found = (await conn.execute(select(owner.key).where(owner.lookup == source, *visible(ctx, owner)))).first()
            if found is None:
                raise Problem(404, f"No {owner.name} with this id exists, or you may not see it.")
            source = found[0]
        removed = one(await conn.execute(delete(link.table).where(link.source == source, link.target == target).returning(*link.table.c)))
        if removed is not None and "id" in removed:
            await outbox.enqueue(conn, resource.outbox, op.events, removed)
    return Response(status_code=204, headers=ctx.headers)
