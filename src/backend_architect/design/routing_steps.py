"""The step a write's flow draws to read the row its event's recipients are found on (``recipient_reads``), and how the
records counting calls recognise it: the callee's request rate and database reads (``service_calls``) and the operation
answering it (``callee_operations``) read the row it names here, from the one wording the step is made with."""

from __future__ import annotations

from backend_architect.ir.model import FlowStep

#: What the step says after the row it reads: the id the payload carries, which the gateway routes by.
_FOR = " for its "


def routing_read(source: str, target: str, row: str, by: str, reference: str, event: str, field: str) -> FlowStep:
    """The query ``source`` makes of ``target`` for the ``row`` its written row names by ``by``, for the event's routing ``field``.

    >>> routing_read("receipts", "chats", "Message", "the Receipt's message_id", "sender", "ReceiptMarked", "message_sender_id").description
    "read Message by the Receipt's message_id for its sender: the ReceiptMarked's message_sender_id, which the gateway routes by"
    """
    said = f"read {row} by {by}{_FOR}{reference}: the {event}'s {field}, which the gateway routes by"
    return FlowStep(source=source, target=target, kind="query", description=said)


def routing_row(step: FlowStep) -> str | None:
    """The entity a routing read (``routing_read``) reads, or None for any other step.

    >>> plain = FlowStep(source="r", target="c", kind="query", description="read Message")
    >>> routing_row(routing_read("r", "c", "Message", "x", "sender", "E", "f")), routing_row(plain)
    ('Message', None)
    """
    if step.kind != "query" or not step.description.startswith("read ") or not step.description.endswith(", which the gateway routes by"):
        return None
    return step.description.split(" ", 2)[1]


__all__ = ["routing_read", "routing_row"]
