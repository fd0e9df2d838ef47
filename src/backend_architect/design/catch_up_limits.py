"""A catch-up read's rate limit: a client paging through a stream must be allowed to read faster than the stream produces.

A list read that serves what a real-time channel's subscriber missed since its last cursor
(``RealtimeChannel.catch_up``) pages through items produced at the rate one client receives
them: ``min(publishes, deliveries / clients)`` a second at peak (every message at most, the
client's share of the deliveries otherwise). At ``page_max`` items a request, keeping up takes
``items / page_max`` requests a second; catching up takes more, since the backlog drains only
at what is read beyond the production: at ``CATCH_UP_HEADROOM`` times the production a
client that missed T seconds is caught up after T / (headroom - 1) seconds. The actor's read
limit is at least that (``rate_limit.catch_up.<read>``), so no limit derived from the average
client's share (a partner polling once a minute) leaves a subscriber that missed anything
behind for good.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.audience import Audiences
from backend_architect.ir.model import Architecture, Figure
from backend_architect.ir.runtime import RealtimeChannel

#: Times the production rate a catching-up client may read: at 2 it drains a backlog of T seconds in T seconds while keeping up.
CATCH_UP_HEADROOM = 2.0
#: The formula every catch-up figure states (evaluated by the tests from its inputs).
FORMULA = "min(publishes, deliveries / clients) / page_max x 60 x headroom"


@dataclass(frozen=True)
class CatchUp:
    """One catch-up read of one channel: the items one client receives a second at peak, and the page it reads them in."""

    read: UseCase
    channel: RealtimeChannel
    clients: float

    @property
    def items_per_s(self) -> float:
        """Items one connected client receives a second at peak: its share of the deliveries, never more than every message."""
        return min(self.channel.publishes_per_s, self.channel.deliveries_per_s / self.clients)

    @property
    def page_max(self) -> int:
        return self.read.spec.page.max

    @property
    def per_minute(self) -> float:
        """Requests a minute one client needs to catch up while the stream keeps producing."""
        return self.items_per_s / self.page_max * 60 * CATCH_UP_HEADROOM

    def figure(self) -> Figure:
        return Figure(
            key=f"rate_limit.catch_up.{self.read.id}",
            quantity=f"requests/min one {self.read.spec.actor} client needs to catch up on channel {self.channel.address} through "
            f"{self.read.name} (pages of at most {self.page_max}, read faster than the stream produces)",
            value=self.per_minute,
            unit="req/min",
            formula=FORMULA,
            inputs={
                "publishes": self.channel.publishes_per_s,
                "deliveries": self.channel.deliveries_per_s,
                "clients": self.clients,
                "page_max": float(self.page_max),
                "headroom": CATCH_UP_HEADROOM,
            },
            scope=f"use case '{self.read.name}'",
        )

    def said(self) -> str:
        """The need in words, for the rate limit's rationale (a need under one request a minute said as such, not as 0.00)."""
        if self.per_minute < 1:
            received = "under one item" if self.items_per_s * 60 < 1 else f"{self.items_per_s * 60:,.1f} items"
            where = f"catch-up: {self.read.name} pages through channel {self.channel.address}"
            return f"{where}, {received} a minute a client receives at peak: under one request a minute"
        return (
            f"catch-up: {self.read.name} pages through channel {self.channel.address}, {self.items_per_s:,.1f} items/s a client "
            f"receives at peak, {self.page_max} a page: {self.items_per_s / self.page_max:,.2f} req/s to keep up, "
            f"x{CATCH_UP_HEADROOM:g} to catch up = {math.ceil(self.per_minute):,}/min"
        )


def catch_ups(analysis: Analysis, arch: Architecture, audience: Audiences) -> list[CatchUp]:
    """Every catch-up read of every channel whose readers' clients the spec grounds (without a client count there is no share)."""
    by_name = {u.name: u for u in analysis.use_cases}
    found = []
    for channel in arch.channels:
        for name in channel.catch_up:
            read = by_name.get(name)
            if read is None or read.kind != "list":
                continue
            readers = audience.of(read.spec.actor)
            if readers.grounded and readers.clients > 0 and channel.publishes_per_s > 0:
                found.append(CatchUp(read, channel, readers.clients))
    return found
