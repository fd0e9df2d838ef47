"""Time series: an aggregate per bucket of a time range, from the design's rollup table or grouped from the raw rows.

``GET .../series?from=&to=`` answers ``{every_s, buckets: [{bucket_start, value}]}``, oldest
first, at most ``MAX_BUCKETS`` (the newest of the range when it holds more). With a rollup
table (count, sum, min, max[, last] per series key and bucket) the read takes one row a
bucket and series; the rollup job (``python -m <package> jobs``) fills it from the raw rows
of each closed bucket, rewriting the last one for late points. Without one the raw rows are
grouped at read time; either way a bucket's value is the same aggregate of the same rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Response
from sqlalchemy import Column, Float, Table, cast, func, literal, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .access import matching, reading, respond, visible
from .resources import Operation
from .services import Context

MAX_BUCKETS = 100
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
Aggregate = Literal["avg", "sum", "min", "max", "count", "last"]


@dataclass(frozen=True)
class Series:
    """The raw rows' time and value columns, the aggregate and bucket, the default range, and the rollup (if any)."""

    time: Column[Any]
    value: Column[Any]
    aggregate: Aggregate
    every_s: float
    over_s: float
    rollup: Table | None = None
    #: The rollup's series key columns (the raw table's columns of the same names).
    keys: tuple[str, ...] = ()


def _bucket(column: Any, every_s: float) -> Any:
    return func.date_bin(literal(datetime.timedelta(seconds=every_s)), column, literal(EPOCH))


def _raw_value(series: Series) -> Any:
    value = cast(series.value, Float)
    if series.aggregate == "avg":
        return func.avg(value)
    if series.aggregate == "count":
        return cast(func.count(series.value), Float)
    if series.aggregate == "last":
        return _newest(series)
    return getattr(func, series.aggregate)(value)


def _newest(series: Series) -> Any:
    """The value of the newest row in the bucket."""
    return func.array_agg(aggregate_order_by(cast(series.value, Float), series.time.desc()))[1]


def _rollup_value(series: Series, rollup: Table) -> Any:
    c = rollup.c
    if series.aggregate == "avg":
        return cast(func.sum(c["sum"]), Float) / func.nullif(func.sum(c["count"]), 0)
    if series.aggregate == "count":
        return cast(func.sum(c["count"]), Float)
    if series.aggregate == "sum":
        return cast(func.sum(c["sum"]), Float)
    if series.aggregate == "last" and "last" in c:
        return cast(func.max(c["last"]), Float)
    return cast(getattr(func, series.aggregate)(c[series.aggregate]), Float)


async def read(
    ctx: Context, op: Operation, series: Series, params: Mapping[str, Any], start: datetime.datetime | None, end: datetime.datetime | None
) -> Response:
    """The buckets of ``[start, end)`` (default: the design's range up to now), oldest first."""
    now = datetime.datetime.now(datetime.UTC)
    end = end or now
    start = start or end - datetime.timedelta(seconds=series.over_s)
    if start >= end:
        return respond(ctx, 200, {"every_s": int(series.every_s), "buckets": []})
    resource = op.resource
    if series.rollup is not None:
        rollup = series.rollup
        bucket = rollup.c["bucket_start"]
        wheres = [rollup.c[f.at.column.name] == params[f.param] for f in op.filters if params.get(f.param) is not None and f.at.column.name in rollup.c]
        query = select(bucket.label("bucket"), _rollup_value(series, rollup).label("value")).where(bucket >= start, bucket < end, *wheres)
    else:
        bucket = _bucket(series.time, series.every_s)
        conditions = [*visible(ctx, resource, op.owner), *matching(op.filters, params), series.time >= start, series.time < end]
        query = select(bucket.label("bucket"), _raw_value(series).label("value")).where(*conditions)
    query = query.group_by(text("bucket")).order_by(text("bucket DESC")).limit(MAX_BUCKETS)
    async with reading(ctx, resource) as conn:
        rows = (await conn.execute(query)).all()
    buckets = [{"bucket_start": b.isoformat(), "value": float(v) if v is not None else None} for b, v in reversed(rows)]
    return respond(ctx, 200, {"every_s": int(series.every_s), "buckets": buckets})


def rollup_job(series: Series, raw: Table) -> Any:
    """The job that fills the rollup: every bucket since the last one written (rewritten, for late points) up to the open one."""
    rollup = series.rollup
    assert rollup is not None
    every = datetime.timedelta(seconds=series.every_s)

    async def run(conn: AsyncConnection) -> int:
        latest = (await conn.execute(select(func.max(rollup.c["bucket_start"])))).scalar()
        now = datetime.datetime.now(datetime.UTC)
        since = (latest - every) if latest is not None else now - datetime.timedelta(seconds=series.over_s)
        until = EPOCH + ((now - EPOCH) // every) * every
        bucket = _bucket(series.time, series.every_s).label("bucket_start")
        value = series.value
        keys = [raw.c[k] for k in series.keys]
        columns = [*keys, bucket, func.count(value).label("count"), func.sum(value).label("sum"), func.min(value).label("min"), func.max(value).label("max")]
        names = [*series.keys, "bucket_start", "count", "sum", "min", "max"]
        if "last" in rollup.c:
            columns.append(_newest(series).label("last"))
            names.append("last")
        source = select(*columns).where(series.time >= since, series.time < until).group_by(*keys, text("bucket_start"))
        statement = pg_insert(rollup).from_select(names, source)
        upsert = statement.on_conflict_do_update(
            index_elements=[*series.keys, "bucket_start"], set_={n: statement.excluded[n] for n in names if n not in {*series.keys, "bucket_start"}}
        )
        result = await conn.execute(upsert)
        return max(0, int(result.rowcount or 0))

    return run
