"""Cache-aside for the reads the design caches: Redis with the designed time to live, or no cache at all.

A cached answer is keyed by the operation, the caller's tenant and subject (a read never
serves another caller's rows) and the request's path and query; it expires after the
design's TTL, the staleness the read allows. Without ``REDIS_URL`` every read goes to the
database: the same answers, fresher. A read the design gives an in-process level (L1) keeps
its hottest answers in this instance's memory for the L1's few seconds, at most its entry
count (least recently used evicted), in front of Redis (L2).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Any

import orjson
import structlog

from .resources import Operation

log = structlog.get_logger(__name__)


def cache_key(ctx: Any, op: Operation) -> str:
    request = ctx.request
    identity = f"{ctx.principal.tenant}|{ctx.principal.subject}|{request.url.path}?{request.url.query}"
    return f"cache:{op.policy.operation_id}:{hashlib.sha256(identity.encode()).hexdigest()}"


class NoCache:
    async def get(self, ctx: Any, op: Operation) -> Any:
        return None

    async def put(self, ctx: Any, op: Operation, body: Any) -> None:
        return None


class LocalCache:
    """One operation's in-process level (L1): entries live ``ttl`` seconds, at most ``size`` of them, least recently used evicted."""

    def __init__(self, ttl: float, size: int) -> None:
        self.ttl = ttl
        self.size = max(1, size)
        self.entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        found = self.entries.get(key)
        if found is None:
            return None
        if found[0] <= time.monotonic():
            del self.entries[key]
            return None
        self.entries.move_to_end(key)
        return found[1]

    def put(self, key: str, value: bytes) -> None:
        self.entries[key] = (time.monotonic() + self.ttl, value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


class RedisCache:
    """Redis cache-aside (L2), with an in-process level (L1) where the design gives one; an unreachable Redis degrades to the database
    (logged), never to an error."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.local: dict[str, LocalCache] = {}

    def _l1(self, op: Operation) -> LocalCache | None:
        if not op.cache_l1:
            return None
        ttl, size = op.cache_l1
        return self.local.setdefault(op.policy.operation_id, LocalCache(ttl, size))

    async def get(self, ctx: Any, op: Operation) -> Any:
        if not op.cache_ttl:
            return None
        key = cache_key(ctx, op)
        local = self._l1(op)
        near = local.get(key) if local is not None else None
        if near is not None:
            return orjson.loads(near)
        try:
            found = await self.client.get(key)
        except Exception as exc:
            log.warning("cache unavailable", error=str(exc)[:200])
            return None
        if found is not None and local is not None:
            local.put(key, found)
        return orjson.loads(found) if found is not None else None

    async def put(self, ctx: Any, op: Operation, body: Any) -> None:
        if not op.cache_ttl:
            return
        key, value = cache_key(ctx, op), orjson.dumps(body)
        local = self._l1(op)
        if local is not None:
            local.put(key, value)
        try:
            await self.client.set(key, value, ex=max(1, round(op.cache_ttl)))
        except Exception as exc:
            log.warning("cache unavailable", error=str(exc)[:200])
