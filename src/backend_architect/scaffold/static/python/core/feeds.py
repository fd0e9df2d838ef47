"""Feeds the design precomputes per reader: a Redis list of item keys written by the fan-out worker, or the join read live.

A feed is a list read through a join to the caller (the tweets of the people I follow): the
local adapter runs that join per request (fan-out on read). With ``REDIS_URL`` set the
fan-out worker (``python -m <package> fanout``) pushes each new item's key to the lists of
the readers the same join finds that have one (``LPUSHX``, then ``LTRIM`` to the designed
length), and a read is one list range plus a lookup by key, renewing the list's expiry. Only
readers who read keep a list: a reader without one is answered by the join, whose first
``keep`` rows become the list (one ``MULTI``: delete, push, expire), and a list unread for the
design's expiry disappears, so the worker never writes lists nobody reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import pagination
from .access import visible
from .resources import Feed, Operation, Resource


@dataclass(frozen=True)
class FeedSpec:
    """A precomputed feed: the list read and the events (the item's creates) that feed it."""

    operation: Operation
    events: tuple[str, ...]


def list_key(feed: Feed, reader: Any) -> str:
    return feed.key.replace("{reader_id}", str(reader))


async def readers(conn: AsyncConnection, op: Operation, item: dict[str, Any]) -> list[Any]:
    """Whose feeds an item belongs in: the owner column found by walking the feed's join back from the item."""
    owner = op.owner
    assert owner is not None and owner.via
    first = owner.via[0]
    query = select(owner.column).select_from(first.right.table)
    for hop in owner.via[1:]:
        query = query.join_from(hop.left.table, hop.right.table, hop.left == hop.right)
    query = query.where(first.right == item[first.left.name])
    return [value for (value,) in (await conn.execute(query.distinct())).all()]


class JoinFeeds:
    """Fan-out on read: the list operation's own join answers (no precomputed lists)."""

    external = False

    async def rebuild(self, ctx: Any, op: Operation, rows: Sequence[dict[str, Any]]) -> None:
        return None

    async def page(self, ctx: Any, op: Operation, keys: Sequence[pagination.Key], limit: int, cursor: str | None, sort: str) -> list[dict[str, Any]] | None:
        return None

    async def deliver(self, conn: AsyncConnection, spec: FeedSpec, item: dict[str, Any]) -> int:
        return 0


class RedisFeeds:
    """Precomputed lists in Redis, newest first; a cursor is the position in the list."""

    external = True

    def __init__(self, client: Any, engine: AsyncEngine) -> None:
        self.client = client
        self.engine = engine

    async def page(self, ctx: Any, op: Operation, keys: Sequence[pagination.Key], limit: int, cursor: str | None, sort: str) -> list[dict[str, Any]] | None:
        feed = op.feed
        assert feed is not None
        key = list_key(feed, ctx.principal.subject)
        pipe = self.client.pipeline(transaction=False)
        pipe.lrange(key, 0, feed.keep - 1)
        if feed.ttl_s:
            pipe.expire(key, int(feed.ttl_s))
        listed = (await pipe.execute())[0]
        if not listed:
            return None
        members = [m.decode() if isinstance(m, bytes) else str(m) for m in listed]
        resource: Resource = op.resource
        wanted = [_typed(resource, m) for m in members]
        query = select(resource.table).where(resource.key.in_(wanted), *visible(ctx, resource))
        async with self.engine.connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings().all()]
        # the same order and cursors as the join: sorted by the list's keys, continuing after the cursor's values
        rows = pagination.in_order(rows, keys)
        if cursor is not None:
            rows = pagination.after_values(rows, keys, pagination.decode_cursor(cursor, sort, keys))
        return rows[: limit + 1]

    async def rebuild(self, ctx: Any, op: Operation, rows: Sequence[dict[str, Any]]) -> None:
        """The caller's list from the join's first ``keep`` rows, newest first, in one transaction (a push racing it waits)."""
        feed = op.feed
        assert feed is not None
        values = [str(r[op.resource.key.name]) for r in rows[: feed.keep]]
        if values:
            await replace_list(self.client, feed, list_key(feed, ctx.principal.subject), values)

    async def deliver(self, conn: AsyncConnection, spec: FeedSpec, item: dict[str, Any]) -> int:
        feed = spec.operation.feed
        assert feed is not None
        targets = await readers(conn, spec.operation, item)
        return await push(self.client, feed, [list_key(feed, r) for r in targets], str(item[spec.operation.resource.key.name]))


async def replace_list(client: Any, feed: Feed, name: str, values: Sequence[str]) -> None:
    """Write a whole list: delete, push in order, set its expiry, atomically."""
    pipe = client.pipeline(transaction=True)
    pipe.delete(name)
    pipe.rpush(name, *values)
    if feed.ttl_s:
        pipe.expire(name, int(feed.ttl_s))
    await pipe.execute()


async def push(client: Any, feed: Feed, names: Sequence[str], key: str) -> int:
    """Push ``key`` to the front of each list that exists (LPUSHX: a reader without a list gets none), trimmed to
    ``keep``; a key pushed twice (a redelivered event) is moved, not repeated. Returns the lists written."""
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.lrem(name, 0, key)
        pipe.lpushx(name, key)
        pipe.ltrim(name, 0, feed.keep - 1)
    done = await pipe.execute()
    return sum(1 for length in done[1::3] if length)


def _typed(resource: Resource, text: str) -> Any:
    import uuid

    return uuid.UUID(text) if resource.key_kind == "uuid" else int(text)
