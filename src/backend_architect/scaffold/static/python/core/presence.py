"""Presence from heartbeats: whether a row (a person, a device) is online now, and when it was last seen.

The design keeps a key with a time to live per row in Redis (``SET presence:<table>:<id> EX
ttl``): online while it exists, offline once heartbeats stop; last seen goes to the row's
latest values (merged into reads). Without Redis the row's last-seen column is updated and
the ``presence`` table holds when each row's presence expires.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, Table, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .latest import hash_key
from .resources import Presence, Resource


def presence_table(metadata: MetaData, name: str, schema: str | None) -> Table:
    """One row per row that sent a heartbeat: until when it counts as online."""
    return Table(
        name,
        metadata,
        Column("resource", Text, primary_key=True),
        Column("key", Text, primary_key=True),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        schema=schema,
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class TablePresence:
    """Heartbeats in PostgreSQL: the presence table's expiry (and the row's last-seen column, set by the write itself)."""

    external = False

    async def beat(self, conn: AsyncConnection, resource: Resource, row: dict[str, Any], presence: Presence) -> None:
        table = presence.table
        assert table is not None
        expires = _now() + datetime.timedelta(seconds=presence.ttl_s)
        statement = pg_insert(table).values(resource=resource.table.name, key=str(row[resource.key.name]), expires_at=expires)
        await conn.execute(statement.on_conflict_do_update(index_elements=["resource", "key"], set_={"expires_at": expires}))

    async def online(self, conn: AsyncConnection, resource: Resource, presence: Presence, keys: list[Any]) -> set[str]:
        table = presence.table
        assert table is not None
        query = select(table.c.key).where(table.c.resource == resource.table.name, table.c.key.in_([str(k) for k in keys]), table.c.expires_at > _now())
        return {k for (k,) in (await conn.execute(query)).all()}

    async def beat_outside(self, resource: Resource, row: dict[str, Any], presence: Presence, seen: Any = None) -> None:
        raise AssertionError("the table adapter keeps heartbeats in the database")


class RedisPresence:
    """Heartbeats in Redis: a key that expires after the design's silence, and last seen among the row's latest values."""

    external = True

    def __init__(self, client: Any) -> None:
        self.client = client

    async def beat(self, conn: AsyncConnection, resource: Resource, row: dict[str, Any], presence: Presence) -> None:
        await self.beat_outside(resource, row, presence)

    async def beat_outside(self, resource: Resource, row: dict[str, Any], presence: Presence, seen: Any = None) -> None:
        """Refresh the presence key; last seen is the time the heartbeat carries, else now."""
        key = row[resource.key.name]
        pipe = self.client.pipeline(transaction=False)
        pipe.set(f"presence:{resource.table.name}:{key}", "1", ex=max(1, round(presence.ttl_s)))
        if presence.last_seen is not None:
            at = seen.isoformat() if isinstance(seen, datetime.datetime) else _now().isoformat()
            pipe.hset(hash_key(resource, key), mapping={presence.last_seen.name: json.dumps(at)})
        await pipe.execute()

    async def online(self, conn: AsyncConnection, resource: Resource, presence: Presence, keys: list[Any]) -> set[str]:
        if not keys:
            return set()
        found = await self.client.mget([f"presence:{resource.table.name}:{k}" for k in keys])
        return {str(k) for k, v in zip(keys, found, strict=True) if v is not None}
