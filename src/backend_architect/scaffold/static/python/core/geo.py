"""Points and proximity: geohash cells the database indexes, exact distances, and the Redis GEO sets the design may search.

A point is stored as latitude, longitude and its 12-character geohash cell. A proximity read
covers the search circle with the cells of the design's precision, reads each as a prefix
range of the cell index, keeps the rows within the radius by exact (haversine) distance and
orders them by it; the k nearest widen the cells until k rows are found. Where the design
searches a Redis GEO set (``GEOSEARCH``), the Redis adapter asks it for the keys and
distances and the database applies everything else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, and_, cast, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from . import pagination
from .resources import Near, Operation, Resource

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
EARTH_RADIUS_M = 6_371_008.8
#: Cells one query reads at most; a radius needing more is searched at a coarser precision.
MAX_CELLS = 64
#: Candidates asked of a GEO set at most (the database applies the rest of the read to them).
MAX_GEO_CANDIDATES = 1_000


def encode(lat: float, lon: float, precision: int = 12) -> str:
    """The geohash of a point (Niemeyer's interleaving of longitude and latitude bits).

    >>> encode(57.64911, 10.40744, 11)
    'u4pruydqqvj'
    """
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    bits, bit, even, out = 0, 0, True, []
    while len(out) < precision:
        span = lon_range if even else lat_range
        value = lon if even else lat
        middle = (span[0] + span[1]) / 2
        if value >= middle:
            bits = bits * 2 + 1
            span[0] = middle
        else:
            bits *= 2
            span[1] = middle
        even = not even
        bit += 1
        if bit == 5:
            out.append(_BASE32[bits])
            bits, bit = 0, 0
    return "".join(out)


def cell_size(precision: int) -> tuple[float, float]:
    """(height, width) of a cell in degrees."""
    lon_bits = math.ceil(5 * precision / 2)
    lat_bits = 5 * precision - lon_bits
    return 180.0 / 2**lat_bits, 360.0 / 2**lon_bits


def covering(lat: float, lon: float, radius_m: float, precision: int) -> list[str]:
    """The cells of ``precision`` the circle's bounding box touches (coarser when that would be more than ``MAX_CELLS``)."""
    while True:
        height, width = cell_size(precision)
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        rows = math.ceil(2 * dlat / height) + 1
        columns = math.ceil(2 * dlon / width) + 1
        if rows * columns <= MAX_CELLS or precision == 1:
            break
        precision -= 1
    cells = set()
    for i in range(rows + 1):
        for j in range(columns + 1):
            y = max(-90.0, min(90.0, lat - dlat + i * min(height, 2 * dlat + 1e-12)))
            x = ((lon - dlon + j * min(width, 2 * dlon + 1e-12)) + 180.0) % 360.0 - 180.0
            cells.add(encode(y, x, precision))
    return sorted(cells)


def in_cells(near: Near, cells: Sequence[str]) -> ColumnElement[bool]:
    """Prefix ranges of the cell index (``cell >= 'u4pr' AND cell < 'u4pr~'``), one per cell."""
    return or_(*(and_(near.cell >= cell, near.cell < cell + "~") for cell in cells))


def distance(near: Near, lat: float, lon: float) -> ColumnElement[Any]:
    """Metres from (lat, lon) to the row's point, by the haversine formula."""
    row_lat, row_lon = func.radians(cast(near.lat, Float)), func.radians(cast(near.lon, Float))
    lat0, lon0 = math.radians(lat), math.radians(lon)
    a = func.power(func.sin((row_lat - lat0) / 2), 2) + math.cos(lat0) * func.cos(row_lat) * func.power(func.sin((row_lon - lon0) / 2), 2)
    return literal(2 * EARTH_RADIUS_M) * func.asin(func.sqrt(func.least(literal(1.0), a)))


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def point(lat: Any, lon: Any) -> dict[str, float] | None:
    """A GeoPoint from its two columns (None when the point is unset)."""
    if lat is None or lon is None:
        return None
    return {"lat": float(lat), "lon": float(lon)}


def columns_of(value: Any, prefix: str) -> dict[str, Any]:
    """A GeoPoint (or None) as its three columns: latitude, longitude and the cell the server computes."""
    if value is None:
        return {f"{prefix}_lat": None, f"{prefix}_lon": None, f"{prefix}_cell": None}
    lat, lon = float(value.lat), float(value.lon)
    return {f"{prefix}_lat": Decimal(str(round(lat, 6))), f"{prefix}_lon": Decimal(str(round(lon, 6))), f"{prefix}_cell": encode(lat, lon)}


@dataclass(frozen=True)
class GeoSet:
    """A Redis GEO set a proximity read searches: its key, the point's columns, and the constant filters its members meet."""

    resource: Resource
    near: Near
    members: Mapping[str, Any]


def _keys(op: Operation, near: Near) -> list[pagination.Key]:
    key = op.resource.key
    return [pagination.Key(literal(0.0), "distance", False, "numeric", False), pagination.Key(key, key.name, False, op.resource.key_kind, False)]


def _after(rows: list[dict[str, Any]], keys: list[pagination.Key], cursor: str | None) -> list[dict[str, Any]]:
    if cursor is None:
        return rows
    last = pagination.decode_cursor(cursor, "", keys)
    return [r for r in rows if (r["distance"], r[keys[1].name]) > (float(last[0]), last[1])]


class CellIndex:
    """Proximity in the database: the geohash cell index, exact distance, ordered by it."""

    external = False

    async def page(
        self,
        conn: AsyncConnection,
        ctx: Any,
        op: Operation,
        conditions: list[ColumnElement[bool]],
        near: tuple[float, float, int | None],
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], list[pagination.Key]]:
        spec = op.near
        assert spec is not None
        lat, lon, radius = near
        keys = _keys(op, spec)
        table = op.resource.table
        metres = distance(spec, lat, lon)
        precision = spec.precision
        after: list[ColumnElement[bool]] = []
        if cursor is not None:
            last = pagination.decode_cursor(cursor, "", keys)
            after.append(tuple_(metres, op.resource.key) > tuple_(literal(float(last[0])), last[1]))
        while True:
            reach = float(radius) if radius is not None else max(cell_size(precision)) * 111_320.0
            found = and_(in_cells(spec, covering(lat, lon, reach, precision)), metres <= reach)
            query = select(table, metres.label("distance")).where(*conditions, *after, found).order_by(metres, op.resource.key).limit(limit + 1)
            rows = [dict(r) for r in (await conn.execute(query)).mappings().all()]
            if radius is not None or len(rows) >= limit or precision <= 1:
                break
            precision -= 1
        return (rows if radius is not None else rows[:limit]), keys

    async def place(self, geo_set: GeoSet, row: dict[str, Any]) -> None:
        return None

    async def forget(self, geo_set: GeoSet, row: dict[str, Any]) -> None:
        return None

    async def rebuild(self, conn: AsyncConnection, geo_set: GeoSet, latest: Any) -> int:
        return 0


class RedisGeo(CellIndex):
    """Proximity from the design's Redis GEO sets (GEOSEARCH); reads the design did not put in Redis use the cell index."""

    external = True

    def __init__(self, client: Any) -> None:
        self.client = client

    async def page(
        self,
        conn: AsyncConnection,
        ctx: Any,
        op: Operation,
        conditions: list[ColumnElement[bool]],
        near: tuple[float, float, int | None],
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], list[pagination.Key]]:
        spec = op.near
        assert spec is not None
        if spec.geo_key is None:
            return await super().page(conn, ctx, op, conditions, near, limit, cursor)
        lat, lon, radius = near
        keys = _keys(op, spec)
        count = MAX_GEO_CANDIDATES if radius is not None else limit
        shape = {"radius": radius, "unit": "m"} if radius is not None else {"radius": 20_037_508, "unit": "m"}
        found = await self.client.geosearch(spec.geo_key, longitude=lon, latitude=lat, sort="ASC", count=count, withdist=True, **shape)
        distances = {(m.decode() if isinstance(m, bytes) else str(m)): float(d) for m, d in found}
        if not distances:
            return [], keys
        resource = op.resource
        members = [_member(resource, m) for m in distances]
        rows = [dict(r) for r in (await conn.execute(select(resource.table).where(*conditions, resource.key.in_(members)))).mappings().all()]
        for row in rows:
            row["distance"] = distances[str(row[resource.key.name])]
        rows.sort(key=lambda r: (r["distance"], r[resource.key.name]))
        return _after(rows, keys, cursor)[: limit + 1], keys

    async def place(self, geo_set: GeoSet, row: dict[str, Any]) -> None:
        near, key = geo_set.near, str(row[geo_set.resource.key.name])
        if near.geo_key is None:
            return
        lat, lon = row.get(near.lat.name), row.get(near.lon.name)
        if lat is None or lon is None or any(row.get(c) != v for c, v in geo_set.members.items()):
            await self.client.zrem(near.geo_key, key)
        else:
            await self.client.geoadd(near.geo_key, (float(lon), float(lat), key))

    async def forget(self, geo_set: GeoSet, row: dict[str, Any]) -> None:
        if geo_set.near.geo_key is not None:
            await self.client.zrem(geo_set.near.geo_key, str(row[geo_set.resource.key.name]))

    async def rebuild(self, conn: AsyncConnection, geo_set: GeoSet, latest: Any, batch: int = 1_000) -> int:
        """Every row meeting the set's constant filters, with its latest position, back in the GEO set."""
        resource = geo_set.resource
        table = resource.table
        query = select(table).where(*(table.c[c] == v for c, v in geo_set.members.items())).execution_options(yield_per=batch)
        placed = 0
        result = await conn.stream(query)
        async for partition in result.mappings().partitions(batch):
            for row in await latest.merge(resource, [dict(r) for r in partition]):
                await self.place(geo_set, row)
                placed += 1
        return placed


def _member(resource: Resource, text: str) -> Any:
    import uuid

    if resource.key_kind == "uuid":
        return uuid.UUID(text)
    return int(text)
