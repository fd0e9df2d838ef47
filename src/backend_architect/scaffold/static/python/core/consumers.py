"""Workers that consume the outbox (the search indexer, the feed fan-out, the real-time gateway's feed), each at its own pace.

Every consumer records the events it has handled in the module's ``outbox_deliveries``
table, in the transaction that handled them, so a crash re-delivers at most the batch in
flight and no event is skipped however late its transaction committed. One instance of a
consumer works an outbox at a time (an advisory lock); events older than ``HORIZON`` are
taken as handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Table, and_, exists, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = structlog.get_logger(__name__)

BATCH = 100
HORIZON = datetime.timedelta(days=1)
Handler = Callable[[AsyncConnection, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Feed:
    """One module's outbox and the table recording what each consumer has handled of it."""

    outbox: Table
    deliveries: Table


async def consume(engine: AsyncEngine, feed: Feed, consumer: str, handle: Handler, batch: int = BATCH) -> int:
    """Handle one batch of ``feed``'s events not yet handled by ``consumer``; the number handled (0: none waiting, or locked)."""
    outbox, deliveries = feed.outbox, feed.deliveries
    lock = zlib.crc32(f"{consumer}:{outbox.schema}.{outbox.name}".encode())
    async with engine.begin() as conn:
        if not (await conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock})).scalar():
            return 0
        done = exists().where(and_(deliveries.c.consumer == consumer, deliveries.c.event_id == outbox.c.id))
        since = datetime.datetime.now(datetime.UTC) - HORIZON
        query = select(outbox).where(outbox.c.created_at > since, ~done).order_by(outbox.c.created_at, outbox.c.id).limit(batch)
        rows = [dict(r) for r in (await conn.execute(query)).mappings().all()]
        for row in rows:
            await handle(conn, row)
            await conn.execute(insert(deliveries).values(consumer=consumer, event_id=row["id"], handled_at=datetime.datetime.now(datetime.UTC)))
        return len(rows)


async def run(engine: AsyncEngine, feeds: Sequence[Feed], consumer: str, handle: Handler, stop: asyncio.Event, poll_s: float = 1.0) -> None:
    """Consume every feed until ``stop`` is set; a failing batch is logged and retried at the next poll."""
    while not stop.is_set():
        moved = 0
        for feed in feeds:
            try:
                moved += await consume(engine, feed, consumer, handle)
            except Exception:
                log.exception("consumer batch failed", consumer=consumer, outbox=feed.outbox.name)
        if not moved:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll_s)
