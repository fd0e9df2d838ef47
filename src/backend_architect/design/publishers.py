"""The use cases that publish an event: one list, read by every record that names them.

Several writes may publish one event (a receipt marked delivered and marked read both publish ``ReceiptMarked``):
the events table, the AsyncAPI summary, the failure table and the broker's figures must name the same writes, or the
contract says one use case publishes what the broker is sized for two. The list is read off the flows, which every
mechanism has rewritten by then (``paths.with_mechanisms``):

- every write whose flow publishes the event through the producer's relay (an outbox row or a CDC log);
- but a write that publishes to pub/sub itself (a value kept in memory, no transaction) reaches the broker only for the
  event that is its own (``Event.use_case``), which its flow's consumers take from the broker;
- and where no flow publishes it through a relay, the write that made it (``Event.use_case``);
- and every write a pattern recorded when it merged two events of one name (``Event.published_by`` before it is settled:
  an event only a worker consumes, such as a search indexer's feed, has no step in any flow).

``derive_publishers`` settles the list into ``Event.published_by`` once the design is done, so the hand-off and every
renderer read it there (``ir.query.published_by``); the broker's figures, computed before, read this same function.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.paths import outbox_publishers, publishes_directly
from backend_architect.ir.model import Architecture, Event
from backend_architect.spec.model import Spec


def event_publishers(arch: Architecture, event: Event) -> list[str]:
    """The use cases publishing ``event`` onto the broker, in flow order.

    >>> from backend_architect.ir.model import Flow, FlowStep
    >>> step = FlowStep(source="receipts", target="gateway", kind="event", description="ReceiptMarked via the outbox: deliver")
    >>> flows = [Flow(use_case=u, style="event", rationale="", steps=[FlowStep(source="u", target="receipts", kind="request", description=u), step])
    ...     for u in ("mark delivered", "mark read")]
    >>> e = Event(name="ReceiptMarked", producer="receipts", entity="Receipt", key="receipt_id", use_case="mark delivered")
    >>> event_publishers(Architecture(system="s", flows=flows, events=[e]), e)
    ['mark delivered', 'mark read']
    """
    # the writes a pattern named when it merged two events of one name (design.event_fields.merged_event): an event only a
    # worker consumes shows in no flow, yet each of its writers commits it
    relayed = [*(outbox_publishers(arch.flows, event) or [event.use_case]), *event.published_by]
    return [n for n in dict.fromkeys(relayed) if not publishes_directly(arch, n) or n == event.use_case]


def derive_publishers(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Each event with every use case publishing it (``Event.published_by``), settled from the finished flows."""
    events = [e.model_copy(update={"published_by": event_publishers(arch, e)}) for e in arch.events]
    return arch.model_copy(update={"events": events})


__all__ = ["derive_publishers", "event_publishers"]
