"""Who is connected at peak: the number real-time gateways and presence are sized by.

The stated total, else the people online from the daily actives with a stated share (listed under
Assumptions). :mod:`backend_architect.design.audience` hands it out per actor: every stage reads that.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.semantics import has_password, is_link
from backend_architect.ir.model import Figure
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

#: Share of the daily actives connected at the busiest moment. Messaging and ride apps keep a
#: connection open while in the foreground; published peak-concurrent to daily-active ratios of
#: consumer apps sit between 10% and 30%. We plan at 20%.
PEAK_ONLINE_SHARE = 0.2
#: Daily actives per registered user when only ``scale.users`` is given (a DAU/MAU-like 20%).
DAILY_PER_USER = 0.2
#: Connections assumed when the spec gives no people figure at all.
DEFAULT_CONNECTIONS = 10_000.0

_PEOPLE = frozenset("user customer member account person player subscriber rider driver courier patient student reader viewer buyer seller".split())


@dataclass(frozen=True)
class Online:
    """Connections open at peak, how the number was found, and the assumption it rests on (if any)."""

    connections: float
    formula: str
    inputs: dict[str, float]
    assumption: str | None

    def figure(self) -> Figure:
        return Figure(
            key="connections.realtime",
            quantity="client connections open at peak (real-time gateway)",
            value=self.connections,
            unit="connections",
            formula=self.formula,
            inputs=self.inputs,
        )


def online(spec: Spec) -> Online:
    """Connections at peak: stated, else concurrent users, else a share of the daily actives (stated as an assumption).

    >>> from backend_architect.spec.model import Spec
    >>> online(Spec.model_validate({"system": "s", "scale": {"daily_active": 1000}, "entities": {"A": {}}})).connections
    200.0
    """
    scale = spec.scale
    if scale.concurrent_connections:
        return Online(scale.concurrent_connections, "concurrent_connections", {"concurrent_connections": scale.concurrent_connections}, None)
    if scale.concurrent_users:
        return Online(scale.concurrent_users, "concurrent_users (one connection each)", {"concurrent_users": scale.concurrent_users}, None)
    if scale.daily_active:
        value = scale.daily_active * PEAK_ONLINE_SHARE
        note = f"scale.concurrent_connections: not given; {PEAK_ONLINE_SHARE:.0%} of the {scale.daily_active:,.0f} daily actives connected at peak"
        return Online(value, "daily_active x peak_online_share", {"daily_active": scale.daily_active, "peak_online_share": PEAK_ONLINE_SHARE}, note)
    if scale.users:
        value = scale.users * DAILY_PER_USER * PEAK_ONLINE_SHARE
        note = (
            f"scale.concurrent_connections: not given; {DAILY_PER_USER:.0%} of the {scale.users:,.0f} users active a day, "
            f"{PEAK_ONLINE_SHARE:.0%} of those connected at peak"
        )
        inputs = {"users": scale.users, "daily_per_user": DAILY_PER_USER, "peak_online_share": PEAK_ONLINE_SHARE}
        return Online(value, "users x daily_per_user x peak_online_share", inputs, note)
    note = f"scale.concurrent_connections: not given (nor users or daily actives); {DEFAULT_CONNECTIONS:,.0f} connections assumed at peak"
    return Online(DEFAULT_CONNECTIONS, "default_connections", {"default_connections": DEFAULT_CONNECTIONS}, note)


def people_entity(spec: Spec) -> str | None:
    """The entity of the people who connect: the one they log in as, else the one named for people.

    >>> from backend_architect.spec.model import Spec
    >>> people_entity(Spec.model_validate({"system": "s", "entities": {"Order": {}, "Customer": {}}}))
    'Customer'
    """
    for name, body in spec.entities.items():
        if has_password(body):
            return name
    for name in spec.entities:
        if snake(name) in _PEOPLE and not is_link(spec, name):
            return name
    return None
