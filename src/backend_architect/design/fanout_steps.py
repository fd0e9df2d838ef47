"""The next scaling step of a write's fan-out, read from what the design already built for it.

A bottleneck's "next step" that names a mechanism the design already runs tells the reader the design lacks it, and
contradicts the decision that built it. So the step is a ladder read against the design, each rung naming the next
mechanism beyond those built, with the number that calls for it:

1. nothing takes the copies off the request path: deliver them through a queue (a worker consuming the write's events,
   in batches); where only provider senders (email, chat, push) consume the events, more senders past their capacity and
   the provider's batches;
2. a worker (or the real-time gateway) makes them from the broker's events, every audience in full: fan out on read
   past an audience size (a hybrid cut-off), once one write's largest audience takes the worker longer than its readers'
   staleness allows;
3. the worker fans out below a cut-off and the rest is merged at read time: add workers (and broker partitions) when
   the copies/s pass what the workers built push, then lower the cut-off, moving authors to the read-time merge.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import UseCase
from backend_architect.design.deliverers import SENDS_PER_INSTANCE
from backend_architect.design.patterns._common import fmt
from backend_architect.ir.model import Architecture, Decision

#: The feed decision's inputs naming its fan-out cut-off and one worker's pushes/s (``patterns/feed.py``).
_CUTOFF = "cutoff_followers"
_WORKER_RATE = "worker_rate"
_STALENESS = "staleness_s"
#: The id of a provider sender's decision, before the worker's name (``patterns/delivery.py``).
_SENDER = "delivery."


@dataclass(frozen=True)
class BuiltFanOut:
    """What the design already does about one write's copies."""

    #: The worker making the copies off the request path ('' where none does), with its instances.
    worker: str = ""
    instances: int = 0
    #: The broker carrying the write's events to it ('' where none is named).
    broker: str = ""
    #: Copies one worker makes a second (0 where not stated).
    worker_rate: float = 0.0
    #: The audience past which the write is not fanned out but merged at read time (0: every audience in full).
    cutoff: float = 0.0
    #: Seconds the readers' copies may trail the write (0 where not stated).
    staleness: float = 0.0
    #: The real-time gateway copying each published write to its connected recipients ('' where none does).
    gateway: str = ""
    #: The workers sending the write's notices to providers from its events (email, chat, push), with their instances.
    senders: tuple[tuple[str, int], ...] = ()

    @property
    def queued(self) -> bool:
        """The copies are made off the request path, from the write's events."""
        return bool(self.worker or self.gateway or self.senders)


def built_fanout(arch: Architecture, use_case: UseCase) -> BuiltFanOut:
    """The worker, broker, cut-off and gateway the design built for ``use_case``'s copies, read from its mechanisms and
    decisions (never assumed from the write's shape)."""
    workers = {c.name: c.instances or 0 for c in arch.components if c.kind == "worker"}
    decisions = {d.id: d for d in arch.decisions}
    # a worker the write's mechanism runs makes its copies only where its decision sizes it by copies a second (a feed's
    # fan-out worker), not a search indexer or another consumer of the same events
    mechanism = next(
        (
            m
            for m in arch.mechanisms
            if m.use_case == use_case.name and m.serves == "write" and m.store in workers and _WORKER_RATE in _inputs(decisions.get(m.decision or ""))
        ),
        None,
    )
    inputs = _inputs(decisions.get(mechanism.decision or "")) if mechanism is not None else {}
    broker = decisions.get("messaging")
    realtime = decisions.get(f"realtime.{use_case.id}")
    return BuiltFanOut(
        worker=mechanism.store if mechanism is not None else "",
        instances=workers.get(mechanism.store, 0) if mechanism is not None else 0,
        # the broker record's choice opens with the product ("Apache Kafka, 46 partitions ...")
        # a gateway's copies travel by pub/sub, not the broker: only a worker's events are said to come through it
        broker=broker.choice.split(",")[0] if broker is not None and mechanism is not None else "",
        worker_rate=inputs.get(_WORKER_RATE, 0.0),
        cutoff=inputs.get(_CUTOFF, 0.0),
        staleness=inputs.get(_STALENESS, 0.0),
        gateway="the real-time gateway" if realtime is not None else "",
        senders=tuple(
            (c.name, c.instances or 0) for c in arch.components if c.kind == "worker" and f"{_SENDER}{c.name}" in decisions and use_case.name in c.use_cases
        ),
    )


def fanout_step(built: BuiltFanOut, copies: float) -> str:
    """The next step beyond what is ``built`` for a write making ``copies`` copies/s at peak, with its trigger.

    >>> fanout_step(BuiltFanOut(), 5_000.0)[:35]
    'deliver the copies through a queue:'
    >>> step = fanout_step(BuiltFanOut(worker="fanout", instances=3, broker="RabbitMQ", worker_rate=20_000.0), 50_000.0)
    >>> step.startswith("built: RabbitMQ feeds fanout (3 workers"), "next, fan out on read" in step
    (True, True)
    """
    if not built.queued:
        return "deliver the copies through a queue: a worker consuming the write's events makes them off the request path, in batches"
    sent = ", ".join(f"{name} ({instances:,} instances)" for name, instances in built.senders)
    if not built.worker and not built.gateway:
        past = ", ".join(f"{name} past {fmt(instances * SENDS_PER_INSTANCE)} sends/s" for name, instances in built.senders)
        return (
            f"built: {sent} {_verb(built.senders)} the write's notices from its events, off the request path; next, add instances to "
            f"{past} ({fmt(SENDS_PER_INSTANCE)} an instance; now {fmt(copies)} copies/s in all), and send in the provider's batches "
            "(one call for many recipients) once its rate limit binds"
        )
    via = f"{built.broker} feeds " if built.broker else ""
    made = (
        f"{via}{built.worker} ({built.instances:,} workers"
        + (f" at {fmt(built.worker_rate)} copies/s each" if built.worker_rate else "")
        + ") off the request path"
        if built.worker
        else f"each write published once to {built.gateway}, which copies it to its connected recipients"
    ) + (f"; {sent} {_verb(built.senders)} notices to the others" if sent else "")
    if not built.cutoff:
        within = (
            f" ({fmt(built.staleness)} s x {fmt(built.worker_rate)}/s = {fmt(built.staleness * built.worker_rate)} recipients)"
            if built.staleness and built.worker_rate
            else ""
        )
        return (
            f"built: {made}; next, fan out on read for the largest audiences (a cut-off on audience size, merged at read time) "
            f"once one write's audience takes longer to copy than its readers' staleness allows{within}"
        )
    capacity = built.instances * built.worker_rate
    more = (
        f" past {fmt(capacity)} copies/s ({built.instances:,} workers x {fmt(built.worker_rate)}/s; now {fmt(copies)}/s, {copies / capacity:.0%})"
        if capacity
        else " as the copies/s grow"
    )
    return (
        f"built: {made}, and fan-out on read for audiences past {fmt(built.cutoff)} (merged at read time); "
        f"next, add workers and broker partitions{more}, then lower the cut-off below {fmt(built.cutoff)}, "
        "moving more of the largest audiences to the read-time merge, once the copies outgrow the store holding them"
    )


def _inputs(decision: Decision | None) -> dict[str, float]:
    """A decision's inputs, none where there is no decision."""
    return decision.inputs if decision is not None else {}


def _verb(senders: tuple[tuple[str, int], ...]) -> str:
    """'sends' after one sender, 'send' after several."""
    return "sends" if len(senders) == 1 else "send"


__all__ = ["BuiltFanOut", "built_fanout", "fanout_step"]
