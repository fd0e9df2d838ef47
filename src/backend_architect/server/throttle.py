"""Rate limits per caller, with bounded memory, and the caller's address as a trusted proxy reports it.

Counting uses the ``limits`` library's sliding-window counter in memory: one counter per
caller, dropped when its window passes, so made-up addresses cannot grow it for good. A known
API key is its own budget; anything else counts against the address it came from, an IPv6
address by its /64 (one host holds a whole /64).

``X-Forwarded-For`` is read only when the connection comes from a configured proxy
(``--trusted-proxy``), and then from the right: the first address not itself a trusted proxy
is the client. Without trusted proxies the header is ignored, so a client cannot name itself.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int


class Limiter:
    """Requests per minute per caller."""

    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.storage = MemoryStorage()
        self.strategy = SlidingWindowCounterRateLimiter(self.storage)

    def take(self, caller: str) -> Verdict:
        allowed = self.strategy.hit(self.item, caller)
        stats = self.strategy.get_window_stats(self.item, caller)
        reset = max(0, int(stats.reset_time - time.time()) + 1)
        return Verdict(allowed, self.item.amount, stats.remaining, reset)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy, then the nearest untrusted hop of X-Forwarded-For.

    >>> proxies = (ipaddress.ip_network("10.0.0.0/8"),)
    >>> client_address("10.0.0.5", "203.0.113.7, 10.0.0.9", proxies), client_address("198.51.100.2", "203.0.113.7", proxies)
    ('203.0.113.7', '198.51.100.2')
    """
    address = peer or "unknown"
    if not trusted or not forwarded_for or not _within(address, trusted):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if not _within(hop, trusted):
            return hop if _parses(hop) else address
    return address


def bucket_of(address: str) -> str:
    """The budget an address counts against: itself, or its /64 for IPv6.

    >>> bucket_of("2001:db8::1"), bucket_of("192.0.2.1")
    ('2001:db8::/64', '192.0.2.1')
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def trusted_networks(values: list[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Networks from ``--trusted-proxy`` values (addresses or CIDR ranges); ValueError names a bad one."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _within(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def _parses(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
