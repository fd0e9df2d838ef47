"""The event relay's lag: one figure every event-fed consumer's lag counts.

A change reaches a consumer of its event (a feed's fan-out worker, the search indexer, the
analytics ingest, the real-time gateway, a push provider, a local copy) only after the relay
has carried it from where it was committed (the transactional outbox or a store's CDC log) to
the broker. That hop is the same for every consumer of the events the design relays, so it is
one figure (``events.relay_seconds``), and each consumer's lag figure takes it as its
``relay_s`` input, with its own work added after it. A write that publishes itself (a value
kept in memory, ``Mechanism.publish`` direct) skips the relay: its consumers count none.
"""

from __future__ import annotations

from backend_architect.ir.model import Figure

#: Seconds from a committed change to its event on the broker: the relay's poll of the outbox, or the CDC
#: connector's read of the log and its batch; about a second either way.
RELAY_S = 1.0
#: The key of the relay's figure: the lag figures of event-fed consumers take its value as ``relay_s``.
RELAY_FIGURE = "events.relay_seconds"
#: The input name under which a consumer's lag figure counts the relay.
RELAY_INPUT = "relay_s"


def local_copy_reason(owners: list[str]) -> str:
    """Why a read of other services' data is served from an event-fed local copy, and how far that copy trails them.

    >>> local_copy_reason(["members"])
    "reads members data that may be stale: served from an event-fed local copy, about 1 s behind its owner (the event relay's lag)"
    """
    return (
        f"reads {', '.join(owners)} data that may be stale: served from an event-fed local copy, about {RELAY_S:g} s behind its owner (the event relay's lag)"
    )


def relay_figure(sources: list[str]) -> Figure:
    """The relay's lag as a figure, naming the sources it reads (the outbox, a CDC log).

    >>> relay_figure(["the transactional outbox"]).value
    1.0
    """
    return Figure(
        key=RELAY_FIGURE,
        quantity=f"time from a commit to its event being published (the event relay reading {' and '.join(sources) or 'the outbox'})",
        value=RELAY_S,
        unit="s",
        formula="relay_poll_s",
        inputs={"relay_poll_s": RELAY_S},
    )


__all__ = ["RELAY_FIGURE", "RELAY_INPUT", "RELAY_S", "local_copy_reason", "relay_figure"]
