"""Token-bucket rate limits per client and class of operation, as the design sized them.

Each process keeps its own buckets (bounded in memory); behind a load balancer the limit a
client sees is per instance, which is why the design's limits leave headroom. A shared
limiter (Redis, the gateway) replaces this class without touching the routes.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from .auth import Policy, Principal
from .problems import Problem

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

    def take(self, policy: Policy, principal: Principal) -> dict[str, str]:
        """The RateLimit headers for this request; raises a 429 problem (with Retry-After) when the bucket is empty."""
        if policy.per_minute <= 0:
            return {}
        capacity = max(1.0, policy.burst * self.scale)
        per_second = policy.per_minute * self.scale / 60.0
        who = principal.subject if policy.rate_key == "subject" and principal.subject else principal.address
        key = (policy.rate_class, who)
        now = time.monotonic()
        bucket = self.buckets.pop(key, None) or _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * per_second)
        bucket.updated = now
        self.buckets[key] = bucket
        if len(self.buckets) > MAX_BUCKETS:
            self.buckets.popitem(last=False)
        policy_header = f'"{policy.rate_class}";q={round(policy.per_minute * self.scale)};w=60'
        if bucket.tokens < 1.0:
            retry = max(1, math.ceil((1.0 - bucket.tokens) / per_second))
            headers = {"RateLimit": f'"{policy.rate_class}";r=0;t={retry}', "RateLimit-Policy": policy_header, "Retry-After": str(retry)}
            raise Problem(429, f"Rate limit of {policy.per_minute} {policy.rate_class} requests a minute exceeded; retry in {retry} s.", headers=headers)
        bucket.tokens -= 1.0
        reset = math.ceil((capacity - bucket.tokens) / per_second) if per_second else 0
        return {"RateLimit": f'"{policy.rate_class}";r={math.floor(bucket.tokens)};t={reset}', "RateLimit-Policy": policy_header}
