"""Latest values (a courier's position, a device's last reading): in the row, or in Redis where the design put them.

The design moves a value to Redis when its overwrite rate would load the primary: a hash
per key (``HSET``), or for a point a GEO set (``GEOADD``). With ``REDIS_URL`` set the write
goes there and the row is left alone; every read merges the Redis values into the row, so
the answer is the latest value either way. Without Redis the row holds it.
"""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Column

from .resources import Latest, Resource
from .values import to_json


def hash_key(resource: Resource, key: Any) -> str:
    return f"latest:{resource.table.name}:{key}"


def _decode(column: Column[Any], text: Any) -> Any:
    value = json.loads(text)
    if value is None:
        return None
    try:
        python = column.type.python_type
    except NotImplementedError:
        return value
    if python is Decimal:
        return Decimal(str(value))
    if python is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    if python is datetime.date:
        return datetime.date.fromisoformat(value)
    if python is uuid.UUID:
        return uuid.UUID(value)
    return value


class RowLatest:
    """The row holds the latest value (an in-place UPDATE per write): nothing to merge."""

    external = False

    async def merge(self, resource: Resource, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return rows

    async def write(self, latest: Latest, resource: Resource, row: dict[str, Any], values: dict[str, Any]) -> None:
        return None


class RedisLatest:
    """Latest values in Redis: a hash per row (``latest:<table>:<id>``), and the GEO set for points; merged into every read."""

    external = True

    def __init__(self, client: Any) -> None:
        self.client = client

    async def write(self, latest: Latest, resource: Resource, row: dict[str, Any], values: dict[str, Any]) -> None:
        key = row[resource.key.name]
        fields = {name: json.dumps(to_json(value)) for name, value in values.items()}
        pipe = self.client.pipeline(transaction=False)
        if fields:
            pipe.hset(hash_key(resource, key), mapping=fields)
            if latest.ttl_s is not None:
                # NX: the first write starts the clock, so the hash dies with its row, not a retention after its last update
                pipe.expire(hash_key(resource, key), int(latest.ttl_s), nx=True)
        if latest.structure == "geo":
            lat, lon = _point(latest)
            if values.get(lat) is not None and values.get(lon) is not None:
                pipe.geoadd(latest.key, (float(values[lon]), float(values[lat]), str(key)))
        await pipe.execute()

    async def merge(self, resource: Resource, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not resource.latest or not rows:
            return rows
        pipe = self.client.pipeline(transaction=False)
        for row in rows:
            pipe.hgetall(hash_key(resource, row[resource.key.name]))
        columns = {c.name: c for c in resource.latest}
        merged = []
        for row, stored in zip(rows, await pipe.execute(), strict=True):
            values = {k.decode() if isinstance(k, bytes) else k: v for k, v in (stored or {}).items()}
            merged.append({**row, **{name: _decode(columns[name], text) for name, text in values.items() if name in columns}})
        return merged


def _point(latest: Latest) -> tuple[str, str]:
    names = [c.name for c in latest.columns]
    lat = next(n for n in names if n.endswith("_lat"))
    return lat, lat.removesuffix("_lat") + "_lon"
