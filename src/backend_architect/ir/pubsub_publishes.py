"""How many PUBLISH commands a real-time channel costs the gateway's pub/sub: one per channel a message is published on.

A message is published once on its topic's channel (a text channel, a trip, the whole stream) and Redis carries it to the
nodes holding that channel's subscribers. A message whose write names its recipients (``recipient_ids``: the drivers a
proximity query picked, a room's members on their own channels) is published once on each recipient's channel: the
gateway cannot publish one message for many channels. The Redis operations table, the gateway's pub/sub figure, the
delivery's decision and the AsyncAPI channel all read this one count, so none says one PUBLISH a message while another
says the gateway publishes on each recipient's channel.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import RealtimeChannel


def per_recipient(arch: Architecture, channel: RealtimeChannel) -> bool:
    """Whether ``channel`` is addressed per recipient: an event on it names several ids that fill the channel's parameter.

    >>> from backend_architect.ir.model import Column, Event, EventRecipients
    >>> ids = EventRecipients(field="recipient_ids", parameter="driver_id", column=Column(name="id", type="uuid"), many=True, reached="r")
    >>> arch = Architecture(system="s", events=[Event(name="E", producer="p", entity="T", key="id", use_case="u", recipients=[ids])])
    >>> per_recipient(arch, RealtimeChannel(name="c", address="drivers/{driver_id}/trips", parameters=["driver_id"],
    ...     transport="websocket", entity="T", events=["E"], recipients="r"))
    True
    """
    named = {e.name: e for e in arch.events if e.name in channel.events}
    return any(r.many and r.parameter in channel.parameters for e in named.values() for r in e.recipients)


def pubsub_publishes(arch: Architecture, channel: RealtimeChannel) -> float:
    """PUBLISH commands/s at peak for ``channel``: its messages x the recipients of each when addressed per recipient, else its messages.

    Every recipient named is published to, connected or not: the gateway reads no registry before it publishes.
    """
    if per_recipient(arch, channel):
        return channel.publishes_per_s * channel.recipients_per_message
    return channel.publishes_per_s


def publish_basis(arch: Architecture, channel: RealtimeChannel) -> str:
    """The PUBLISH count of ``channel`` in words, for the texts that state it."""
    if per_recipient(arch, channel):
        return f"{channel.publishes_per_s:,.0f} messages/s x {channel.recipients_per_message:,.4g} recipient(s), one PUBLISH on each recipient's channel"
    return f"one PUBLISH a message on {channel.address}"


__all__ = ["per_recipient", "publish_basis", "pubsub_publishes"]
