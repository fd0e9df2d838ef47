"""Top-k reads: the newest snapshot a job wrote, or the design's Redis sorted sets, or a count over the window.

``GET .../top`` answers ``{window_end, items: [{rank, <value>, score}]}``, highest first. With
a snapshot table the refresh job (``python -m <package> jobs``) counts the window's rows every
interval and writes the top k (snapshots older than a day are deleted); the read takes the
newest. Where the design counts in sorted sets instead, each new row adds to its value's
score in the current bucket (``ZINCRBY``, with ``REDIS_URL``) and the read merges the
window's buckets; without Redis the read counts the window's rows: the same ranking.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Response
from sqlalchemy import Column, Float, Table, cast, delete, desc, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .access import reading, respond, visible
from .resources import Operation, Resource
from .services import Context
from .values import to_json

#: Snapshots kept, for "what was trending at" reads and debugging.
SNAPSHOT_DAYS = 1
#: Buckets a sliding window is cut into in sorted sets.
BUCKETS = 60


@dataclass(frozen=True)
class Ranking:
    """What is ranked (``column`` of the counted rows), by what, over which window, and where the ranking is kept."""

    column: Column[Any]
    by: Literal["count", "sum", "score"]
    k: int
    window_s: float | None
    time: Column[Any]
    snapshot: Table | None = None
    sorted_set: str | None = None


def _score(ranking: Ranking) -> Any:
    if ranking.by == "count":
        return func.count()
    if ranking.by == "sum":
        return func.sum(cast(ranking.column, Float))
    return func.max(cast(ranking.column, Float))


def _counted(ranking: Ranking, now: datetime.datetime, limit: int, extra: list[Any]) -> Any:
    score = _score(ranking).label("score")
    query = select(ranking.column.label("value"), score).where(ranking.column.is_not(None), *extra)
    if ranking.window_s:
        query = query.where(ranking.time >= now - datetime.timedelta(seconds=ranking.window_s), ranking.time < now)
    return query.group_by(ranking.column).order_by(desc("score"), ranking.column).limit(limit)


def _answer(ranking: Ranking, window_end: datetime.datetime, rows: list[Any], score_int: bool) -> dict[str, Any]:
    items = [
        {"rank": i + 1, ranking.column.name: to_json(value), "score": int(score) if score_int else float(score)} for i, (value, score) in enumerate(rows)
    ]
    return {"window_end": window_end.isoformat(), "items": items}


async def read(ctx: Context, op: Operation, ranking: Ranking, limit: int) -> Response:
    """The top ``limit`` (at most the designed k), highest first."""
    limit = min(limit, ranking.k)
    now = datetime.datetime.now(datetime.UTC)
    resource = op.resource
    if ranking.snapshot is not None:
        table = ranking.snapshot
        async with reading(ctx, resource) as conn:
            newest = (await conn.execute(select(func.max(table.c.window_end)))).scalar()
            rows = []
            if newest is not None:
                query = select(table.c[ranking.column.name], table.c.score).where(table.c.window_end == newest).order_by(table.c.rank).limit(limit)
                rows = list((await conn.execute(query)).all())
        return respond(ctx, 200, _answer(ranking, newest or now, rows, ranking.by == "count"))
    stored = await ctx.services.backends.rankings.top(ranking, limit, now)
    if stored is not None:
        return respond(ctx, 200, _answer(ranking, now, stored, ranking.by == "count"))
    async with reading(ctx, resource) as conn:
        rows = list((await conn.execute(_counted(ranking, now, limit, visible(ctx, resource)))).all())
    return respond(ctx, 200, _answer(ranking, now, rows, ranking.by == "count"))


def refresh_job(ranking: Ranking) -> Any:
    """The job that writes a snapshot: the window's top k now, and old snapshots deleted."""
    table = ranking.snapshot
    assert table is not None

    async def run(conn: AsyncConnection) -> int:
        now = datetime.datetime.now(datetime.UTC)
        rows = (await conn.execute(_counted(ranking, now, ranking.k, []))).all()
        if rows:
            values = [{"window_end": now, "rank": i + 1, ranking.column.name: v, "score": s} for i, (v, s) in enumerate(rows)]
            await conn.execute(table.insert(), values)
        await conn.execute(delete(table).where(table.c.window_end < now - datetime.timedelta(days=SNAPSHOT_DAYS)))
        return len(rows)

    return run


class CountedRankings:
    """No sorted sets: the read counts the window's rows."""

    async def top(self, ranking: Ranking, limit: int, now: datetime.datetime) -> list[Any] | None:
        return None

    async def record(self, ranking: Ranking, resource: Resource, row: dict[str, Any]) -> None:
        return None

    async def rebuild(self, conn: AsyncConnection, ranking: Ranking, resource: Resource) -> int:
        return 0


class RedisRankings:
    """Sorted sets per bucket of the window (``ZINCRBY`` on each write, expiring as the window passes), merged on read."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @staticmethod
    def _bucket_s(ranking: Ranking) -> int:
        return max(1, math.ceil((ranking.window_s or 86_400 * 365) / BUCKETS))

    async def record(self, ranking: Ranking, resource: Resource, row: dict[str, Any]) -> None:
        value = row.get(ranking.column.name)
        if ranking.sorted_set is None or value is None:
            return
        size = self._bucket_s(ranking)
        bucket = int(datetime.datetime.now(datetime.UTC).timestamp()) // size
        key = f"{ranking.sorted_set}:{bucket}"
        increment = 1.0 if ranking.by == "count" else float(value)
        pipe = self.client.pipeline(transaction=False)
        pipe.zincrby(key, increment, str(to_json(value)))
        pipe.expire(key, size * (BUCKETS + 1))
        await pipe.execute()

    async def rebuild(self, conn: AsyncConnection, ranking: Ranking, resource: Resource) -> int:
        """The window's rows counted into their buckets again (a new or lost Redis)."""
        if ranking.sorted_set is None:
            return 0
        size = self._bucket_s(ranking)
        since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=size * BUCKETS)
        query = select(ranking.column, ranking.time).where(ranking.column.is_not(None), ranking.time >= since)
        rows = (await conn.execute(query)).all()
        pipe = self.client.pipeline(transaction=False)
        for value, at in rows:
            key = f"{ranking.sorted_set}:{int(at.timestamp()) // size}"
            pipe.zincrby(key, 1.0 if ranking.by == "count" else float(value), str(to_json(value)))
            pipe.expire(key, size * (BUCKETS + 1))
        await pipe.execute()
        return len(rows)

    async def top(self, ranking: Ranking, limit: int, now: datetime.datetime) -> list[Any] | None:
        if ranking.sorted_set is None:
            return None
        size = self._bucket_s(ranking)
        current = int(now.timestamp()) // size
        keys = [f"{ranking.sorted_set}:{b}" for b in range(current - BUCKETS + 1, current + 1)]
        merged = f"{ranking.sorted_set}:merged"
        pipe = self.client.pipeline(transaction=True)
        pipe.zunionstore(merged, keys)
        pipe.zrevrange(merged, 0, limit - 1, withscores=True)
        pipe.expire(merged, 5)
        found = (await pipe.execute())[1]
        return [(m.decode() if isinstance(m, bytes) else m, s) for m, s in found]
