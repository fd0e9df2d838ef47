"""An operation another service calls names every service calling it, in its description as in ``x-consumers``.

An internal operation is made for its first caller (``ServiceApi.add_for_consumer``, ``internal_lists``) and gains the
others later, one need at a time; a description written when it was made would name the first alone, while the design
and the sequences show the others calling it too (a membership probe made for one service and called by another on
every send). So the sentence naming the callers is written once, after every need has been answered, from the
operation's consumers.
"""

from __future__ import annotations

from backend_architect.ir.model import Operation

#: What every internal operation says of its callers after naming them.
INTERNAL_LEAD = "not by clients: service-to-service, with a client-credentials token."


def listed(names: list[str]) -> str:
    """Names joined as prose.

    >>> listed(["guilds"]), listed(["guilds", "messages"]), listed(["a", "b", "c"])
    ('guilds', 'guilds and messages', 'a, b and c')
    """
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def called_by(consumers: list[str]) -> str:
    """The sentence an internal operation opens with: every service calling it, and how it is called.

    >>> called_by(["messages", "guilds"])
    'Called by guilds and messages, not by clients: service-to-service, with a client-credentials token.'
    """
    return f"Called by {listed(sorted(consumers))}, {INTERNAL_LEAD}"


def with_callers_named(op: Operation) -> Operation:
    """``op`` with its description naming every consumer: an internal one opens with them, a client one adds them.

    A client operation another service also calls says so, as the service's token is no user's."""
    if not op.consumers:
        return op
    if op.internal:
        _, found, rest = op.description.partition(INTERNAL_LEAD)
        return op.model_copy(update={"description": called_by(op.consumers) + (rest if found else f" {op.description}".rstrip())})
    # a public operation asks no caller for a token, a service included
    how = "as any caller, with no token" if op.auth == "none" else "with a client-credentials token"
    also = f"Also called by {listed(sorted(op.consumers))}, service-to-service, {how}."
    return op.model_copy(update={"description": f"{op.description} {also}".strip()})


__all__ = ["INTERNAL_LEAD", "called_by", "listed", "with_callers_named"]
