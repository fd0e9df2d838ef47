"""Token-bucket rate limits per client and class of operation, as the design sized them.

Each process keeps its own buckets (bounded in memory) unless ``REDIS_URL`` is set: then the
buckets live in Redis (one atomic script per request), shared by every instance, as the
design places them when it runs more instances than local buckets can police. An
unreachable Redis lets requests through (logged) rather than failing them.

A service's token (``Principal.service``) carries all its users' requests, so where the contract
sizes a limit for calling services (``Policy.service_rate``) a service is charged that, in a
bucket of its own per operation; a person, and a service where none is sized, the people's.
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


@dataclass(frozen=True)
class Quota:
    """The limit one request is charged: its RateLimit-Policy name, size, and the bucket it spends from beside the caller's key."""

    name: str
    per_minute: int
    burst: int
    bucket: str


def quota(policy: Policy, principal: Principal) -> Quota:
    """The services' limit for a service's token where the contract sizes one (its own bucket per operation: the design sizes
    each calling service's limit on one operation), else the people's limit of the operation's class.

    A service-only operation's limit keeps the class's name, as its contract states it; beside a people's limit it is named
    ``<class>-services`` so the RateLimit-Policy header says which one a client was charged.
    """
    if principal.service and policy.service_rate is not None:
        name = policy.rate_class if policy.services_only else f"{policy.rate_class}-services"
        return Quota(name, policy.service_rate[0], policy.service_rate[1], f"{name}:{policy.operation_id}")
    return Quota(policy.rate_class, policy.per_minute, policy.burst, policy.rate_class)


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
        charged = quota(policy, principal)
        if charged.per_minute <= 0:
            return {}
        capacity, per_second = _shape(charged, self.scale)
        key = (charged.bucket, _who(policy, principal))
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
        return _headers(charged, self.scale, bucket.tokens, allowed, capacity, per_second)


def _shape(charged: Quota, scale: float) -> tuple[float, float]:
    return max(1.0, charged.burst * scale), charged.per_minute * scale / 60.0


def _who(policy: Policy, principal: Principal) -> str:
    return principal.subject if policy.rate_key == "subject" and principal.subject else principal.address


def _headers(charged: Quota, scale: float, tokens: float, allowed: bool, capacity: float, per_second: float) -> dict[str, str]:
    """The RateLimit headers of an answer, or the 429 problem when the bucket was empty."""
    policy_header = f'"{charged.name}";q={round(charged.per_minute * scale)};w=60'
    if not allowed:
        retry = max(1, math.ceil((1.0 - tokens) / per_second))
        headers = {"RateLimit": f'"{charged.name}";r=0;t={retry}', "RateLimit-Policy": policy_header, "Retry-After": str(retry)}
        raise Problem(429, f"Rate limit of {charged.per_minute} {charged.name} requests a minute exceeded; retry in {retry} s.", headers=headers)
    reset = math.ceil((capacity - tokens) / per_second) if per_second else 0
    return {"RateLimit": f'"{charged.name}";r={math.floor(tokens)};t={reset}', "RateLimit-Policy": policy_header}


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
        charged = quota(policy, principal)
        if charged.per_minute <= 0:
            return {}
        capacity, per_second = _shape(charged, self.scale)
        key = f"ratelimit:{charged.bucket}:{_who(policy, principal)}"
        try:
            left, allowed = await self.script(keys=[key], args=[capacity, per_second, time.time()])
        except Exception as exc:  # an unreachable Redis lets requests through rather than failing them
            log.warning("rate-limit store unavailable", error=str(exc)[:200])
            return {}
        return _headers(charged, self.scale, int(left) / 1000.0, bool(allowed), capacity, per_second)
