"""Feeds the design precomputes per reader: a Redis list of item keys written by the fan-out worker, or the join read live.

A feed is a list read through a join to the caller (the tweets of the people I follow): the
local adapter runs that join per request (fan-out on read). With ``REDIS_URL`` set the
fan-out worker (``python -m <package> fanout``) pushes each new item's key to the lists of
the readers the same join finds (``LPUSH`` and ``LTRIM`` to the designed length), and a read
is one list range plus a lookup by key; a reader without a list falls back to the join.
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
        if not await self.client.exists(key):
            return None
        members = [m.decode() if isinstance(m, bytes) else str(m) for m in await self.client.lrange(key, 0, feed.keep - 1)]
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

    async def deliver(self, conn: AsyncConnection, spec: FeedSpec, item: dict[str, Any]) -> int:
        feed = spec.operation.feed
        assert feed is not None
        key = str(item[spec.operation.resource.key.name])
        targets = await readers(conn, spec.operation, item)
        pipe = self.client.pipeline(transaction=False)
        for reader in targets:
            name = list_key(feed, reader)
            pipe.lrem(name, 0, key)
            pipe.lpush(name, key)
            pipe.ltrim(name, 0, feed.keep - 1)
        await pipe.execute()
        return len(targets)


def _typed(resource: Resource, text: str) -> Any:
    import uuid

    return uuid.UUID(text) if resource.key_kind == "uuid" else int(text)
