"""Cache-aside for the reads the design caches: Redis with the designed time to live, or no cache at all.

A cached answer is keyed by the operation, the caller's tenant and subject (a read never
serves another caller's rows) and the request's path and query; it expires after the
design's TTL, the staleness the read allows. Without ``REDIS_URL`` every read goes to the
database: the same answers, fresher.
"""

from __future__ import annotations

import hashlib
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


class RedisCache:
    """Redis cache-aside; an unreachable Redis degrades to the database (logged), never to an error."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def get(self, ctx: Any, op: Operation) -> Any:
        if not op.cache_ttl:
            return None
        try:
            found = await self.client.get(cache_key(ctx, op))
        except Exception as exc:
            log.warning("cache unavailable", error=str(exc)[:200])
            return None
        return orjson.loads(found) if found is not None else None

    async def put(self, ctx: Any, op: Operation, body: Any) -> None:
        if not op.cache_ttl:
            return
        try:
            await self.client.set(cache_key(ctx, op), orjson.dumps(body), ex=max(1, round(op.cache_ttl)))
        except Exception as exc:
            log.warning("cache unavailable", error=str(exc)[:200])
