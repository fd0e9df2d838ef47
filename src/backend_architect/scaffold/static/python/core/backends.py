"""The stores beside PostgreSQL the design chose, behind small ports, and the adapters this process uses.

Each port has a production adapter for the designed technology, configured by an
environment variable, and a local adapter that answers the same from PostgreSQL:

| port | production (variable) | local |
|---|---|---|
| search | OpenSearch over HTTP (``SEARCH_URL``) | ``to_tsvector`` over the searched columns, GIN-indexed by the runtime migration |
| latest values | Redis hashes / GEO sets (``REDIS_URL``) | the row's own columns |
| presence | Redis keys with a TTL (``REDIS_URL``) | the row's last-seen column and the ``presence`` table |
| proximity | Redis GEOSEARCH (``REDIS_URL``) | the geohash cell index and exact distance in SQL |
| feeds | Redis lists written by the fan-out worker (``REDIS_URL``) | the join the feed is defined by, read at request time |
| cache-aside | Redis (``REDIS_URL``) | none: the database answers every read |
| rankings | Redis sorted sets (``REDIS_URL``) | counted at read time over the window |
| objects | S3 pre-signed URLs (``OBJECT_STORE_URL``) | the ``stored_objects`` table, uploaded through ``/objects`` |

What the design placed in Redis is written there only when ``REDIS_URL`` is set; without it
the database holds it, so the service and its tests run on PostgreSQL alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from . import cache, feeds, geo, latest, objects, presence, ranking, search
from .config import Settings
from .outbox import EventSpec, Publisher, make_publisher, payload
from .resources import Operation, Resource


@dataclass(frozen=True)
class Registry:
    """What this deployable's modules keep outside their rows: GEO sets, search documents, feeds and rankings."""

    geo_sets: Sequence[geo.GeoSet] = ()
    searches: Sequence[search.Indexed] = ()
    feeds: Sequence[feeds.FeedSpec] = ()
    #: Rankings counted in sorted sets, with the resource whose new rows they count.
    rankings: Sequence[tuple[Resource, ranking.Ranking]] = ()


@dataclass
class Backends:
    """The adapters of one process."""

    search: Any
    latest: Any
    presence: Any
    geo: Any
    feeds: Any
    cache: Any
    objects: Any
    rankings: Any
    publisher: Publisher
    registry: Registry = field(default_factory=Registry)

    def keeps(self, op: Operation) -> bool:
        """Whether this write goes to Redis instead of the row (a latest value or heartbeat the design placed there, Redis configured)."""
        return bool((op.latest is not None and op.latest.structure and self.latest.external) or (op.presence is not None and self.presence.external))

    async def write_outside(self, op: Operation, row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        written = {**row, **values}
        if op.latest is not None and op.latest.structure:
            await self.latest.write(op.latest, op.resource, written, values)
        if op.presence is not None:
            seen = values.get(op.presence.last_seen.name) if op.presence.last_seen is not None else None
            await self.presence.beat_outside(op.resource, written, op.presence, seen)
        await self.after_write(op.resource, written)
        return written

    async def after_write(self, resource: Resource, row: dict[str, Any]) -> None:
        """Keep the GEO sets a proximity read searches in step with the row (Redis only; the cell index needs nothing)."""
        for geo_set in self.registry.geo_sets:
            if geo_set.resource is resource:
                merged = (await self.latest.merge(resource, [row]))[0]
                await self.geo.place(geo_set, merged)

    async def after_create(self, resource: Resource, row: dict[str, Any]) -> None:
        """A new row also counts toward the rankings the design keeps in sorted sets."""
        for counted, spec in self.registry.rankings:
            if counted is resource:
                await self.rankings.record(spec, resource, row)
        await self.after_write(resource, row)

    async def after_delete(self, resource: Resource, row: dict[str, Any]) -> None:
        for geo_set in self.registry.geo_sets:
            if geo_set.resource is resource:
                await self.geo.forget(geo_set, row)

    async def rebuild(self, engine: AsyncEngine) -> int:
        """Refill what Redis keeps from the database (a new or lost Redis): the GEO sets and the rankings' sorted sets.

        Latest values and presence need nothing (the rows answer until the next write or heartbeat),
        nor do feeds (a reader without a list is served by the join and its list rebuilt by new items).
        """
        placed = 0
        async with engine.connect() as conn:
            for geo_set in self.registry.geo_sets:
                placed += await self.geo.rebuild(conn, geo_set, self.latest)
            for resource, spec in self.registry.rankings:
                placed += await self.rankings.rebuild(conn, spec, resource)
        return placed

    async def publish(self, events: Sequence[EventSpec], row: dict[str, Any]) -> None:
        """Events of a write that has no database transaction (a latest value in Redis): published from the write path."""
        import datetime
        import uuid

        for event in events:
            event_id = str(uuid.uuid4())
            body = payload(event, row, event_id, datetime.datetime.now(datetime.UTC))
            await self.publisher.publish(event.channel, event.name, str(row["id"]), json.dumps(body, default=str).encode())


def build(settings: Settings, engine: AsyncEngine, registry: Registry, exchange: str) -> Backends:
    """The adapters the settings name: Redis, OpenSearch and object storage where configured, PostgreSQL otherwise."""
    client = None
    if settings.redis_url:
        import redis.asyncio as aioredis  # optional: the [redis] extra

        client = aioredis.from_url(settings.redis_url, socket_timeout=settings.backend_timeout_s, socket_connect_timeout=settings.backend_timeout_s)
    return Backends(
        search=search.OpenSearchIndex(settings.search_url, settings.backend_timeout_s) if settings.search_url else search.PostgresSearch(),
        latest=latest.RedisLatest(client) if client is not None else latest.RowLatest(),
        presence=presence.RedisPresence(client) if client is not None else presence.TablePresence(),
        geo=geo.RedisGeo(client) if client is not None else geo.CellIndex(),
        feeds=feeds.RedisFeeds(client, engine) if client is not None else feeds.JoinFeeds(),
        cache=cache.RedisCache(client) if client is not None else cache.NoCache(),
        objects=objects.S3Objects(settings) if settings.object_store_url else objects.TableObjects(settings, engine),
        rankings=ranking.RedisRankings(client) if client is not None else ranking.CountedRankings(),
        publisher=make_publisher(settings.broker_url, engine, exchange),
        registry=registry,
    )
