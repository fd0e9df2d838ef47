"""PAT044: whether someone is online is ephemeral state: a key with a time to live in memory, not a row updated per heartbeat."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING, decision, figure, fmt, owner_of, size
from backend_architect.design.security import CONCURRENT_SHARE
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.model import Spec

#: Bytes one presence key takes in Redis: the key (~40 B), a timestamp value and per-key overhead with its expiry.
PRESENCE_ENTRY_BYTES = 96
#: Clients refresh their presence at half the silence that makes them offline, so one lost heartbeat is tolerated.
HEARTBEATS_PER_TIMEOUT = 2


def online(spec: Spec, rows: float) -> tuple[float, str]:
    """How many are online at the peak, and the figure it comes from."""
    if spec.scale.concurrent_users:
        return spec.scale.concurrent_users, "scale.concurrent_users"
    if spec.scale.daily_active:
        return spec.scale.daily_active * CONCURRENT_SHARE, f"{CONCURRENT_SHARE:.0%} of scale.daily_active"
    return rows, "every row (no concurrent or daily figure)"


@pattern(code="PAT044", name="presence-in-memory", stage="placement", title="Keep presence as keys with a time to live")
def presence_in_memory(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    An entity with ``presence``: whether each row (a person, a device) is online now, from
    heartbeats, gone after ``offline_after`` of silence.

    ## What it adds
    One key per online row in Redis (or the store the cloud and constraints name), its TTL the
    ``offline_after``; each heartbeat refreshes it, a missing key means offline. The last-seen
    time reaches the database when the key expires or the client disconnects, not per heartbeat.

    ## What it costs
    Heartbeats/s = online x 2 / offline_after (a client pings at half the timeout); memory =
    online x 96 bytes. Online comes from ``concurrent_users``, else 10% of ``daily_active``.

    ## Alternatives
    A column updated per heartbeat: a write per online client every few seconds, against the
    primary's ``PRIMARY_WRITE_CEILING`` (5,000 writes/s), for state that is worthless a minute later.

    ## References
    Redis documentation, "EXPIRE" and "Keyspace notifications"; Discord engineering, "How Discord Scaled Elixir to 5,000,000 Concurrent Users" (2017).
    """
    placed = {p.data for p in arch.placements}
    for store in arch.datastores:
        for table in store.tables:
            entity = spec.entities.get(table.entity or "")
            if entity is None or entity.presence is None:
                continue
            subject = f"{table.name}.presence"
            if subject in placed:
                yield Skipped(subject, "placed by an earlier pattern")
                continue
            timeout = entity.presence.offline_after
            count, basis = online(spec, table.rows_now)
            beats = count * HEARTBEATS_PER_TIMEOUT / timeout
            memory = count * PRESENCE_ENTRY_BYTES
            redis = named(spec, "redis")
            name = table.entity or table.name
            figures = (
                figure(
                    f"presence.heartbeats.{table.name}",
                    f"presence heartbeats of {name} per second",
                    beats,
                    "req/s",
                    "online x heartbeats_per_timeout / offline_after_s",
                    {"online": count, "heartbeats_per_timeout": HEARTBEATS_PER_TIMEOUT, "offline_after_s": timeout},
                    subject,
                ),
                figure(
                    f"presence.bytes.{table.name}",
                    f"memory of {name} presence",
                    memory,
                    "bytes",
                    "online x entry_bytes",
                    {"online": count, "entry_bytes": PRESENCE_ENTRY_BYTES},
                    subject,
                ),
            )
            choice = (
                f"presence of {name} in {redis}: one key per online {name} with a {timeout:g} s TTL, refreshed by each heartbeat (every "
                f"{timeout / HEARTBEATS_PER_TIMEOUT:g} s); a missing key is offline; last seen reaches the row when the key expires, not per heartbeat"
            )
            rationale = (
                f"{fmt(count)} online ({basis}) send {fmt(beats)} heartbeats/s; as row updates they would use {beats / PRIMARY_WRITE_CEILING:.0%} of one "
                f"primary's {fmt(PRIMARY_WRITE_CEILING)} writes/s for state stale within {timeout:g} s; in memory they take {size(memory)}"
            )
            made = decision(
                f"presence.{table.name}",
                f"Presence of {name} in memory",
                "storage",
                choice,
                f"{name}: presence with offline_after {timeout:g} s",
                rationale,
                alternatives=[("a column updated per heartbeat", f"{fmt(beats)} writes/s of state worthless after {timeout:g} s")],
                subject=subject,
                inputs={"online": count, "heartbeats_per_s": beats, "offline_after_s": timeout},
                spec=spec,
            )
            place = Placement(
                data=subject,
                data_class="ephemeral",
                store=redis,
                reason=rationale,
                retention=f"{timeout:g} s after the last heartbeat (TTL)",
                component="redis",
                decision=made.id,
                alternatives=["a column updated per heartbeat"],
            )
            component = Component(
                name="redis",
                kind="cache",
                technology=redis,
                purpose=f"presence of {name}",
                services=[owner_of(arch, name)],
                memory_bytes=memory,
                decision=made.id,
            )
            yield Applied(made, components=(component,), placements=(place,), figures=figures)
