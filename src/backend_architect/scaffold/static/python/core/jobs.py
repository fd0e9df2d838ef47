"""The scheduler: each designed batch job runs every interval, on one instance at a time.

A job takes a PostgreSQL advisory lock for its run, so starting the scheduler on several
instances (for availability) never runs a job twice at once. A failing run is logged and
retried at the next interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = structlog.get_logger(__name__)

JobRun = Callable[[AsyncConnection], Awaitable[int]]


@dataclass(frozen=True)
class Job:
    """A designed job: its name (the use case), how often it runs, and what a run does (returns rows handled)."""

    name: str
    interval_s: float
    run: JobRun


async def run_once(engine: AsyncEngine, job: Job) -> int | None:
    """One run of ``job`` in one transaction; None when another instance holds its lock."""
    async with engine.begin() as conn:
        locked = (await conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": zlib.crc32(job.name.encode())})).scalar()
        if not locked:
            return None
        started = time.perf_counter()
        handled = await job.run(conn)
        log.info("job ran", job=job.name, rows=handled, duration_ms=round((time.perf_counter() - started) * 1000, 1))
        return handled


async def schedule(engine: AsyncEngine, jobs: Sequence[Job], stop: asyncio.Event) -> None:
    """Run every job at its interval until ``stop`` is set."""
    due = {job.name: 0.0 for job in jobs}
    while not stop.is_set():
        now = time.monotonic()
        for job in jobs:
            if now >= due[job.name]:
                due[job.name] = now + job.interval_s
                try:
                    await run_once(engine, job)
                except Exception:
                    log.exception("job failed", job=job.name)
        wait = max(0.05, min(due.values()) - time.monotonic()) if due else 60.0
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)


def expire(table: Any, column: Any, days: float, batch: int = 10_000) -> JobRun:
    """A job deleting the rows older than the table's retention, a batch at a time (the design keeps them ``days`` days).

    ``column`` is the table's column the age is read from, or its name.
    """
    from sqlalchemy import delete, literal_column, select

    column = table.c[column] if isinstance(column, str) else column

    async def run(conn: AsyncConnection) -> int:
        cutoff = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)
        oldest = select(literal_column("ctid")).select_from(table).where(column < cutoff).limit(batch)
        result = await conn.execute(delete(table).where(literal_column("ctid").in_(oldest)))
        return int(result.rowcount or 0)

    return run
