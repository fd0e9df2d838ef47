"""Writes: create (with its parts, total and public key), change (with latest values and heartbeats) and delete.

Each runs in one transaction with the tenant set: the row, its parts, its events in the
outbox and the stored answer of an ``Idempotency-Key`` commit together or not at all. A
latest value or heartbeat the design keeps in Redis skips the database when Redis is
configured (``REDIS_URL``); without it the row holds the value, which every read returns.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from fastapi import Response
from sqlalchemy import Column, Date, delete, exists, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import idempotency, keys, outbox
from .access import etag, matching, reading, replay, require_parent, scope_of, tenant_of, transaction, typed, visible
from .db import one
from .problems import Problem
from .resources import Child, LinkSet, Made, Operation, Resource, Total
from .services import Context
from .values import dumps

Changes = Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]]
#: Inserts retried when a random public code is already taken (one in a thousand at the design's horizon).
CODE_ATTEMPTS = 5


def _claim_ownership(ctx: Context, owner: Column[Any], row_values: dict[str, Any]) -> None:
    """A caller creates rows they own: the owner column is theirs (set when left out, 403 when it names someone else)."""
    subject = typed(owner, ctx.principal.subject)
    given = row_values.setdefault(owner.name, subject)
    if subject is None or given != subject:
        raise Problem(403, f"{owner.name} must be your own id: you may only create what you own.")


async def _ancestors(conn: AsyncConnection, op: Operation, row_values: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    """Path parameters of a parent's own parents (``/hosts/{host_id}/series/{series_id}/points``) must name the parent's: else 404."""
    for item in op.path_filters:
        if not item.at.via:
            continue
        first = item.at.via[0]
        query = select(literal(1)).select_from(first.right.table)
        for hop in item.at.via[1:]:
            query = query.join_from(hop.left.table, hop.right.table, hop.left == hop.right)
        query = query.where(first.right == row_values.get(first.left.name), item.at.column == params.get(item.param))
        if (await conn.execute(query)).first() is None:
            raise Problem(404, f"No such {item.param.removesuffix('_id')} holds this item, or you may not see it.")


def _total(total: Total, values: dict[str, Any], parts: list[dict[str, Any]]) -> None:
    """The total of the parts, in their one currency: Σ price x quantity (or domain.py's rule)."""
    if total.compute is not None:
        amount, currency = total.compute(values, parts)
    elif total.price is not None:
        currencies = {p[total.price[1]] for p in parts}
        if len(currencies) > 1:
            raise Problem(409, "The parts are priced in more than one currency; a total needs one.")
        amount = sum((Decimal(p[total.price[0]]) * (p[total.quantity] if total.quantity else 1) for p in parts), Decimal(0))
        currency = next(iter(currencies), None)
    else:
        return
    precision, scale = getattr(total.amount.type, "precision", None), getattr(total.amount.type, "scale", None)
    if precision is not None and abs(amount) >= Decimal(10) ** (precision - (scale or 0)):
        raise Problem(409, f"The parts add up to more than a {total.amount.name} can hold.")
    values[total.amount.name] = amount
    values[total.currency.name] = currency


async def _insert(conn: AsyncConnection, resource: Resource, row_values: dict[str, Any]) -> dict[str, Any]:
    """Insert the row; a random public code that is taken is drawn again (a savepoint keeps the transaction)."""
    short = resource.short_key
    for attempt in range(CODE_ATTEMPTS):
        if short is not None and (short.column.name not in row_values or attempt):
            row_values[short.column.name] = await keys.make(conn, short, row_values)
        try:
            async with conn.begin_nested():
                row = one(await conn.execute(insert(resource.table).values(row_values).returning(*resource.table.c)))
        except IntegrityError as exc:
            if short is None or short.method == "ranges" or short.column.name not in str(exc.orig):
                raise
            continue
        assert row is not None
        return row
    raise Problem(409, f"Could not find a free {resource.short_key.column.name if resource.short_key else 'key'}; retry.")


async def _children(
    conn: AsyncConnection, ctx: Context, parent_key: Any, children: Sequence[Child], parts: Mapping[str, list[dict[str, Any]]]
) -> None:
    """The parts sent with the parent, each pointing at it, in the parent's transaction."""
    for child in children:
        for values in parts.get(child.prop, []):
            row_values = dict(values)
            if child.resource.tenant is not None:
                row_values[child.resource.tenant.name] = tenant_of(ctx, child.resource)
            row_values[child.column.name] = parent_key
            if child.resource.new_key is not None:
                row_values[child.resource.key.name] = child.resource.make_key(row_values)
            await conn.execute(insert(child.resource.table).values(row_values))


async def _made(conn: AsyncConnection, ctx: Context, parent_key: Any, made: Sequence[Made]) -> None:
    """The rows the design says the server writes with the new row, in its transaction: the creator's membership (so the creator
    passes the scope's members-only check at once), a part every field of which the server sets."""
    now = datetime.datetime.now(datetime.UTC)
    for item in made:
        resource = item.resource
        row_values: dict[str, Any] = {**item.values, item.column.name: parent_key}
        # a DATE column takes the day: asyncpg refuses a datetime for it
        row_values |= {name: now.date() if isinstance(resource.table.c[name].type, Date) else now for name in item.stamped}
        if item.caller is not None:
            subject = typed(item.caller, ctx.principal.subject)
            if subject is None:
                raise Problem(401, f"Sign in: the {resource.name} row this writes is the caller's.")
            row_values[item.caller.name] = subject
        if resource.tenant is not None:
            row_values[resource.tenant.name] = tenant_of(ctx, resource)
        if resource.new_key is not None:
            row_values[resource.key.name] = resource.make_key(row_values)
        await conn.execute(insert(resource.table).values(row_values))


async def _links(conn: AsyncConnection, parent_key: Any, links: Sequence[LinkSet], sent: Mapping[str, Sequence[Any]]) -> None:
    """The links sent with the new row, in its transaction: names not yet known inserted first, each link once; an unknown id is a 422."""
    for link in links:
        values = list(dict.fromkeys(sent.get(link.prop, [])))
        if not values:
            continue
        if link.key is not None and link.name is not None:
            table = link.name.table
            rows = [{link.name.name: v, **({link.key.name: link.new_key()} if link.new_key else {})} for v in values]
            await conn.execute(pg_insert(table).values(rows).on_conflict_do_nothing(index_elements=[link.name.name]))
            found = dict((await conn.execute(select(link.name, link.key).where(link.name.in_(values)))).tuples().all())
            values = [found[v] for v in values]
        try:
            async with conn.begin_nested():
                await conn.execute(insert(link.source.table).values([{link.source.name: parent_key, link.target.name: v} for v in values]))
        except IntegrityError:
            raise Problem(422, f"{link.prop} names a row that does not exist.") from None


async def create(
    ctx: Context,
    op: Operation,
    values: Mapping[str, Any],
    body: Any,
    *,
    idempotency_key: str | None = None,
    parent_key: Any = None,
    params: Mapping[str, Any] | None = None,
    parts: Mapping[str, list[dict[str, Any]]] | None = None,
    links: Mapping[str, Sequence[Any]] | None = None,
) -> Response:
    """POST to a collection: the row, its parts and links, its events and the stored answer commit together; a retry replays the answer."""
    resource = op.resource
    params = params or {}
    async with transaction(ctx, resource) as conn:
        if idempotency_key is not None:
            fingerprint = idempotency.fingerprint("POST", ctx.request.url.path, body)
            stored = await idempotency.claim(conn, resource.idempotency, scope_of(ctx, op), idempotency_key, fingerprint)
            if stored is not None:
                return replay(ctx, stored)
        row_values = dict(values)
        if resource.tenant is not None:
            row_values[resource.tenant.name] = tenant_of(ctx, resource)
        if op.owner is not None and not op.owner.via and ctx.principal.subject is not None:
            _claim_ownership(ctx, op.owner.column, row_values)
        if resource.parent is not None and parent_key is not None:
            row_values[resource.parent.column.name] = await require_parent(conn, ctx, resource, parent_key, lock=True)
        for item in op.path_filters:
            if not item.at.via:
                row_values[item.at.column.name] = params.get(item.param)
        await _ancestors(conn, op, row_values, params)
        if resource.new_key is not None:
            # made last: an id carrying its shard holds the logical shard of the shard key set above
            row_values[resource.key.name] = resource.make_key(row_values)
        if op.total is not None:
            _total(op.total, row_values, list((parts or {}).get(op.children[0].prop, [])) if op.children else [])
        row = await _insert(conn, resource, row_values)
        await _children(conn, ctx, row[resource.key.name], op.children, parts or {})
        await _made(conn, ctx, row[resource.key.name], op.made)
        await _links(conn, row[resource.key.name], op.links, links or {})
        await outbox.enqueue(conn, resource.outbox, op.events, row)
        headers = {"Location": resource.location(row, {**params, **_path_of(ctx)})} if resource.location else {}
        answer = idempotency.StoredResponse(201, dumps(resource.to_api(row)), headers)
        if idempotency_key is not None:
            await idempotency.remember(conn, resource.idempotency, scope_of(ctx, op), idempotency_key, answer)
    await ctx.services.backends.after_create(resource, row)
    return replay(ctx, answer)


def _path_of(ctx: Context) -> dict[str, Any]:
    """The request's path parameters, by name (the ancestors' keys a Location needs)."""
    return dict(ctx.request.path_params)


async def _locked(
    conn: AsyncConnection, ctx: Context, op: Operation, key: Any, parent_key: Any, params: Mapping[str, Any], lock: bool = True
) -> dict[str, Any]:
    resource = op.resource
    query = select(resource.table).where(resource.lookup == key, *visible(ctx, resource, op.owner), *matching(op.path_filters, params))
    if resource.parent is not None and parent_key is not None:
        parent = resource.parent.resource
        query = query.where(exists().where(parent.lookup == parent_key, resource.parent.column == parent.key, *visible(ctx, parent)))
    row = one(await conn.execute(query.with_for_update(of=resource.table) if lock else query))
    if row is None:
        raise Problem(404, f"No {resource.name} with this id exists, or you may not see it.")
    return row


def _precondition(resource: Resource, row: dict[str, Any], if_match: str | None) -> None:
    if if_match is None or resource.version is None:
        return
    current = etag(resource, row)["ETag"]
    if not any(tag.strip() in {"*", current} for tag in if_match.split(",")):
        raise Problem(412, f"The {resource.name} changed since you read it (its ETag is now {current}); read it again and retry.")


def _done(ctx: Context, op: Operation, resource: Resource, row: dict[str, Any], status: int) -> idempotency.StoredResponse:
    if status == 204:
        return idempotency.StoredResponse(204, b"", {})
    return idempotency.StoredResponse(200, dumps(resource.to_api(row)), etag(resource, row) if op.conditional else {})


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
    params: Mapping[str, Any] | None = None,
    mine: bool = False,
    status: int = 200,
) -> Response:
    """PATCH/PUT or an action: lock the row, check If-Match, apply ``changes``, bump the version, write the events.

    A latest value or a heartbeat the design keeps in Redis (with ``REDIS_URL`` set) leaves the row alone: the
    value goes to Redis, last writer wins, and every read merges it into the row.
    """
    resource = op.resource
    params = params or {}
    backends = ctx.services.backends
    if mine:
        key = typed(resource.key, ctx.principal.subject)
    if backends.keeps(op):
        async with reading(ctx, resource) as conn:
            row = await _locked(conn, ctx, op, key, parent_key, params, lock=False)
        values = dict(changes(row) if callable(changes) else changes)
        row = await backends.write_outside(op, row, values)
        await backends.publish(op.events, row)
        answer = _done(ctx, op, resource, (await backends.latest.merge(resource, [row]))[0], status)
        return replay(ctx, answer)
    async with transaction(ctx, resource) as conn:
        if idempotency_key is not None:
            fingerprint = idempotency.fingerprint(ctx.request.method, ctx.request.url.path, [body, if_match])
            stored = await idempotency.claim(conn, resource.idempotency, scope_of(ctx, op), idempotency_key, fingerprint)
            if stored is not None:
                return replay(ctx, stored)
        row = await _locked(conn, ctx, op, key, parent_key, params)
        _precondition(resource, row, if_match)
        values = dict(changes(row) if callable(changes) else changes)
        if op.presence is not None and op.presence.last_seen is not None:
            values.setdefault(op.presence.last_seen.name, datetime.datetime.now(datetime.UTC))
        if resource.version is not None:
            values[resource.version.name] = resource.version + 1
        if resource.updated_at is not None:
            values[resource.updated_at.name] = func.now()
        if values:
            row = one(await conn.execute(update(resource.table).where(resource.key == row[resource.key.name]).values(values).returning(*resource.table.c)))
            assert row is not None
        if op.presence is not None:
            await backends.presence.beat(conn, resource, row, op.presence)
        await outbox.enqueue(conn, resource.outbox, op.events, row)
        answer = _done(ctx, op, resource, row, status)
        if idempotency_key is not None:
            await idempotency.remember(conn, resource.idempotency, scope_of(ctx, op), idempotency_key, answer)
    await backends.after_write(resource, row)
    return replay(ctx, answer)


async def remove(
    ctx: Context, op: Operation, key: Any, *, if_match: str | None = None, parent_key: Any = None, params: Mapping[str, Any] | None = None, mine: bool = False
) -> Response:
    """DELETE: a soft delete where the design keeps deleted rows, else the row and (by cascade) its children."""
    resource = op.resource
    if mine:
        key = typed(resource.key, ctx.principal.subject)
    async with transaction(ctx, resource) as conn:
        row = await _locked(conn, ctx, op, key, parent_key, params or {})
        _precondition(resource, row, if_match)
        where = resource.key == row[resource.key.name]
        if resource.deleted_at is not None:
            values: dict[str, Any] = {resource.deleted_at.name: func.now()}
            if resource.version is not None:
                values[resource.version.name] = resource.version + 1
            await conn.execute(update(resource.table).where(where).values(values))
        else:
            await conn.execute(delete(resource.table).where(where))
        await outbox.enqueue(conn, resource.outbox, op.events, row)
    await ctx.services.backends.after_delete(resource, row)
    return Response(status_code=204, headers=ctx.headers)
