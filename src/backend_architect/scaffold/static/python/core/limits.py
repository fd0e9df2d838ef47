"""Token-bucket rate limits per client and class of operation, as the design sized them.

Each process keeps its own buckets (bounded in memory) unless ``REDIS_URL`` is set: then the
buckets live in Redis (one atomic script per request), shared by every instance, as the
design places them when it runs more instances than local buckets can police. An
unreachable Redis lets requests through (logged) rather than failing them.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import structlog

from .auth import Policy, Principal
from .problems import Problem

log = structlog.get_logger(__name__)

#: Buckets kept per process; the least recently used go first (a full bucket is the default anyway).
MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``take`` spends one token of the caller's bucket for the operation's class, or raises 429."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self.buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()

    async def take(self, policy: Policy, principal: Principal) -> dict[str, str]:
        """The RateLimit headers for this request; raises a 429 problem (with Retry-After) when the bucket is empty."""
        if policy.per_minute <= 0:
            return {}
        capacity, per_second = _shape(policy, self.scale)
        key = (policy.rate_class, _who(policy, principal))
        now = time.monotonic()
        bucket = self.buckets.pop(key, None) or _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * per_second)
        bucket.updated = now
        self.buckets[key] = bucket
        if len(self.buckets) > MAX_BUCKETS:
            self.buckets.popitem(last=False)
        allowed = bucket.tokens >= 1.0
        if allowed:
            bucket.tokens -= 1.0
        return _headers(policy, self.scale, bucket.tokens, allowed, capacity, per_second)


def _shape(policy: Policy, scale: float) -> tuple[float, float]:
    return max(1.0, policy.burst * scale), policy.per_minute * scale / 60.0


def _who(policy: Policy, principal: Principal) -> str:
    return principal.subject if policy.rate_key == "subject" and principal.subject else principal.address


def _headers(policy: Policy, scale: float, tokens: float, allowed: bool, capacity: float, per_second: float) -> dict[str, str]:
    """The RateLimit headers of an answer, or the 429 problem when the bucket was empty."""
    policy_header = f'"{policy.rate_class}";q={round(policy.per_minute * scale)};w=60'
    if not allowed:
        retry = max(1, math.ceil((1.0 - tokens) / per_second))
        headers = {"RateLimit": f'"{policy.rate_class}";r=0;t={retry}', "RateLimit-Policy": policy_header, "Retry-After": str(retry)}
        raise Problem(429, f"Rate limit of {policy.per_minute} {policy.rate_class} requests a minute exceeded; retry in {retry} s.", headers=headers)
    reset = math.ceil((capacity - tokens) / per_second) if per_second else 0
    return {"RateLimit": f'"{policy.rate_class}";r={math.floor(tokens)};t={reset}', "RateLimit-Policy": policy_header}


#: One bucket's refill and spend, atomically: KEYS[1] the bucket; ARGV capacity, tokens a second, now (s). Returns tokens left x 1000, allowed.
_BUCKET = """
local capacity, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - updated) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', tokens, 'u', now)
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {math.floor(tokens * 1000), allowed}
"""


class RedisRateLimiter:
    """The same token buckets, shared by every instance through Redis (``REDIS_URL``)."""

    def __init__(self, client: Any, scale: float = 1.0) -> None:
        self.client = client
        self.scale = scale
        self.script = client.register_script(_BUCKET)

    async def take(self, policy: Policy, principal: Principal) -> dict[str, str]:
        if policy.per_minute <= 0:
            return {}
        capacity, per_second = _shape(policy, self.scale)
        key = f"ratelimit:{policy.rate_class}:{_who(policy, principal)}"
        try:
            left, allowed = await self.script(keys=[key], args=[capacity, per_second, time.time()])
        except Exception as exc:  # an unreachable Redis lets requests through rather than failing them
            log.warning("rate-limit store unavailable", error=str(exc)[:200])
            return {}
        return _headers(policy, self.scale, int(left) / 1000.0, bool(allowed), capacity, per_second)
