"""An operation another service calls names every service calling it, in its description as in ``x-consumers``.

An internal operation is made for its first caller (``ServiceApi.add_for_consumer``, ``internal_lists``) and gains the
others later, one need at a time; a description written when it was made would name the first alone, while the design
and the sequences show the others calling it too (a membership probe made for one service and called by another on
every send). So the sentence naming the callers is written once, after every need has been answered, from the
operation's consumers.
"""

from __future__ import annotations

from backend_architect.ir.model import Operation
from backend_architect.ir.part_calls import how_services_call

#: What every internal operation says of its callers after naming them.
INTERNAL_LEAD = "not by clients: service-to-service, with a client-credentials token."
#: What an internal operation of a modular monolith says instead of ``INTERNAL_LEAD``: its callers are modules of its deployable.
IN_PROCESS_LEAD = "not by clients: a function call, not an HTTP request, so no token and no rate limit."


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


def _modules(consumers: list[str]) -> str:
    """What the consumers of a modular monolith's operation are.

    >>> _modules(["a"]), _modules(["a", "b"])
    ('a module of the same deployable', 'modules of the same deployable')
    """
    return "a module of the same deployable" if len(consumers) == 1 else "modules of the same deployable"


def with_callers_named(op: Operation, *, in_process: bool = False) -> Operation:
    """``op`` with its description naming every consumer: an internal one opens with them, a client one adds them.

    A client operation another service also calls says so, as the service's token is no user's, and by what its limit counts
    that service (``part_calls.how_services_call``: the contract's ``x-rate-limit`` says the same). ``in_process``: the
    consumers are modules of one deployable, calling it as a function, so no token or HTTP request is said of them.

    >>> op = Operation(operation_id="getUser", method="get", path="/users/{id}", summary="s", tag="t", kind="get",
    ...     description=called_by(["follows"]), internal=True, consumers=["follows"])
    >>> with_callers_named(op, in_process=True).description
    'Called in process by follows (a module of the same deployable), not by clients: a function call, not an HTTP request, so no token and no rate limit.'
    >>> with_callers_named(op.model_copy(update={"internal": False, "description": "Reads a User."}), in_process=True).description
    'Reads a User. Also called in process by follows (a module of the same deployable): a function call, not an HTTP request.'
    """
    if not op.consumers:
        return op
    names = listed(sorted(op.consumers))
    if op.internal:
        _, found, rest = op.description.partition(INTERNAL_LEAD)
        lead = f"Called in process by {names} ({_modules(op.consumers)}), {IN_PROCESS_LEAD}" if in_process else called_by(op.consumers)
        return op.model_copy(update={"description": lead + (rest if found else f" {op.description}".rstrip())})
    if in_process:
        also = f"Also called in process by {names} ({_modules(op.consumers)}): a function call, not an HTTP request."
    else:
        also = f"Also called by {names}, service-to-service, {how_services_call(op)}."
    return op.model_copy(update={"description": f"{op.description} {also}".strip()})


__all__ = ["INTERNAL_LEAD", "IN_PROCESS_LEAD", "called_by", "listed", "with_callers_named"]
