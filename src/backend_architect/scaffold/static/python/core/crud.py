"""Reads: one item (by key, by a lookup's filters, or the caller's own) and pages of a list.

Every read filters rows by tenant, soft delete and owner, and answers with the contract's
headers (``ETag`` where the row has a version). What the design keeps outside the database
(search documents, latest values, feeds, points in a GEO set) comes through the process's
backends (``backends``), whose local adapters answer from PostgreSQL. The writes are in
``writes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response
from sqlalchemy import false, select
from sqlalchemy.sql.elements import ColumnElement

from . import graph, pagination
from .access import caller_key, etag, matching, parent_exists, reading, require_parent, respond, typed, visible
from .db import one
from .problems import Problem
from .resources import Embedded, Operation
from .services import Context


async def read(
    ctx: Context, op: Operation, key: Any, parent_key: Any = None, *, params: Mapping[str, Any] | None = None, mine: bool = False
) -> Response:
    """GET one item (by key, by the filters of a lookup, or the caller's own): 404 when it does not exist or the caller may not see it."""
    resource = op.resource
    cached = await ctx.services.backends.cache.get(ctx, op)
    if cached is not None:
        return respond(ctx, 200, cached, cache_control(ctx, op))
    query = select(resource.table).where(*visible(ctx, resource, op.owner), *matching(op.path_filters, params or {}))
    if mine:
        query = query.where(resource.key == caller_key(ctx, resource))
    elif op.lookup:
        query = query.where(*matching(op.lookup, params or {})).order_by(resource.key.desc()).limit(1)
    else:
        query = query.where(resource.lookup == key)
    if resource.parent is not None and parent_key is not None:
        query = query.where(parent_exists(ctx, resource, parent_key))
    async with reading(ctx, resource) as conn:
        row = one(await conn.execute(query))
    if row is None:
        raise Problem(404, f"No {resource.name} with this id exists, or you may not see it.")
    row = (await ctx.services.backends.latest.merge(resource, [row]))[0]
    headers = etag(resource, row) if op.conditional else {}
    headers.update(cache_control(ctx, op))
    body = resource.to_api(row)
    for embed in op.embeds:
        body[embed.prop] = await _embedded(ctx, embed, row[resource.key.name], row)
    body = withhold(op, body)
    await ctx.services.backends.cache.put(ctx, op, body)
    return respond(ctx, 200, body, headers)


async def _embedded(ctx: Context, embed: Embedded, key: Any, row: Mapping[str, Any]) -> Any:
    """The rows a get answers inside its item: its children's newest ``limit`` by the item's key (one index range), or the row
    it references by primary key (None when it names none or the row is gone)."""
    other = embed.resource
    if embed.relation == "reference":
        named = row.get(embed.column.name)
        if named is None:
            return None
        async with reading(ctx, other) as conn:
            found = one(await conn.execute(select(other.table).where(*visible(ctx, other), other.key == named)))
        return other.to_api(found) if found is not None else None
    newest = [other.table.c["created_at"].desc()] if "created_at" in other.table.c else []
    query = select(other.table).where(*visible(ctx, other), embed.column == key).order_by(*newest, other.key.desc()).limit(embed.limit)
    async with reading(ctx, other) as conn:
        return [other.to_api(dict(r)) for r in (await conn.execute(query)).mappings()]


async def redirect(ctx: Context, op: Operation, key: Any, location: str) -> Response:
    """A short link opened: 302 to where it leads (``location`` filled from the row), cacheable at the edge; 404 for an unknown code."""
    resource = op.resource
    query = select(resource.table).where(*visible(ctx, resource, None), resource.lookup == key)
    async with reading(ctx, resource) as conn:
        row = one(await conn.execute(query))
    if row is None:
        raise Problem(404, f"No {resource.name} has this code, or it was deleted.")
    headers = {**ctx.headers, "Location": location.format(**{k: "" if v is None else str(v) for k, v in row.items()})}
    if op.cache_control:
        headers["Cache-Control"] = op.cache_control
    return Response(status_code=302, headers=headers)


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
    near: tuple[float, float, int | None] | None = None,
    depth: int | None = None,
) -> Response:
    """One page of a list, in the designed order, continuing after ``cursor``: filters, search, proximity or a graph walk applied."""
    resource = op.resource
    cached = await ctx.services.backends.cache.get(ctx, op)
    if cached is not None:
        return respond(ctx, 200, cached, cache_control(ctx, op))
    backends = ctx.services.backends
    conditions = [*visible(ctx, resource, op.owner), *op.where, *matching(op.filters, params), *matching(op.path_filters, params)]
    if resource.parent is not None and parent_key is not None:
        conditions.append(resource.parent.column == parent_key)
    if q is not None and op.search is not None:
        conditions.append(await backends.search.matches(ctx, op, q, params))
    if op.walk is not None:
        conditions.append(graph.within(op.walk, resource, caller_key(ctx, resource), depth or op.walk.depth))
    if near is not None and op.near is not None:
        async with reading(ctx, resource) as conn:
            rows, keys = await backends.geo.page(conn, ctx, op, conditions, near, limit, cursor)
        return await _answer(ctx, op, rows, limit, "", keys)
    name = sort or op.default_sort
    keys = [k.resolved(f"sort_{i}", *_joined_is_caller(ctx, op, k)) for i, k in enumerate(op.sorts[name])]
    # the list is the feed itself: a search, a filtered subset, another order or an offset is answered by the join; a reader
    # without a list is too, and the first page's query reads the list's length to rebuild it
    rebuild = False
    narrowed = q is not None or bool(matching(op.filters, params)) or bool(matching(op.path_filters, params)) or bool(offset)
    if op.feed is not None and not narrowed and name == op.default_sort:
        rows = await backends.feeds.page(ctx, op, keys, limit, cursor, name)
        if rows is not None:
            return await _answer(ctx, op, rows, limit, name, keys)
        rebuild = backends.feeds.external and cursor is None
    query = select(resource.table, *[k.expression.label(k.name) for k in keys if k.name not in resource.table.c]).where(*conditions)
    query = query.order_by(*(k.order() for k in keys)).limit(max(limit + 1, op.feed.keep) if rebuild and op.feed else limit + 1)
    if cursor is not None:
        query = query.where(pagination.after(keys, pagination.decode_cursor(cursor, name, keys)))
    if offset:
        query = query.offset(offset)
    async with reading(ctx, resource) as conn:
        if resource.parent is not None and parent_key is not None:
            await require_parent(conn, ctx, resource, parent_key)
        rows = [dict(r) for r in (await conn.execute(query)).mappings().all()]
    if rebuild:
        await backends.feeds.rebuild(ctx, op, rows)
        rows = rows[: limit + 1]
    return await _answer(ctx, op, rows, limit, name, keys)


def _joined_is_caller(ctx: Context, op: Operation, key: pagination.SortKey) -> list[ColumnElement[bool]]:
    """A sort on the joined rows the caller is found through (``-Membership.last_read_at``) orders by the caller's own joined row."""
    if not key.via or op.owner is None or not op.owner.via or op.owner.column.table is not key.column.table:
        return []
    subject = typed(op.owner.column, ctx.principal.subject)
    return [op.owner.column == subject] if subject is not None else [false()]


async def _answer(ctx: Context, op: Operation, rows: list[dict[str, Any]], limit: int, name: str, keys: list[pagination.Key]) -> Response:
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = pagination.encode_cursor(name, keys, rows[-1]) if more and op.paging == "cursor" else None
    rows = await ctx.services.backends.latest.merge(op.resource, rows)
    headers = cache_control(ctx, op)
    body = {"items": [withhold(op, op.resource.to_api(r)) for r in rows], "next_cursor": next_cursor}
    await ctx.services.backends.cache.put(ctx, op, body)
    return respond(ctx, 200, body, headers)


def cache_control(ctx: Context, op: Operation) -> dict[str, str]:
    """The designed Cache-Control; a shared cache keeps only anonymous responses, so a caller with a token gets theirs private."""
    if not op.cache_control:
        return {}
    if op.cache_control.startswith("public") and ctx.principal.subject is not None:
        return {"Cache-Control": "private, no-store"}
    return {"Cache-Control": op.cache_control}


def withhold(op: Operation, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` less the personal fields the operation never answers: it serves other users' rows (nested ones by ``a.b``)."""
    for name in op.withheld:
        _drop(body, name.split("."))
    return body


def _drop(value: Any, path: list[str]) -> None:
    """Remove ``path`` from ``value``, through nested rows and lists of rows."""
    if isinstance(value, list):
        for item in value:
            _drop(item, path)
    elif isinstance(value, dict):
        if len(path) == 1:
            value.pop(path[0], None)
        else:
            _drop(value.get(path[0]), path[1:])
