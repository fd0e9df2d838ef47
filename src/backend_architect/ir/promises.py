"""How a text names an external system, and which external systems a use case's flows reach in a finished design.

A description promising "the fare is charged through the payment processor" names ``PaymentProcessor``: its
name as written, or split into words. The design stage keeps such a sentence out of a contract whose flows
never reach the system (``design.promises``), and the critic checks any architecture for it (DES029), both by
these two functions.
"""

from __future__ import annotations

import re

from backend_architect.ir.model import Architecture


def spoken_names(name: str) -> tuple[str, ...]:
    """The ways a description says an external system's name: as written, and split into lower-case words.

    >>> spoken_names("PaymentProcessor")
    ('paymentprocessor', 'payment processor')
    >>> spoken_names("FCM")
    ('fcm',)
    """
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)
    return tuple(dict.fromkeys([name.lower(), " ".join(w.lower() for w in words)]))


def names_external(text: str, name: str) -> bool:
    """Whether ``text`` names the external system ``name`` (whole words, any case).

    >>> names_external("The fare is charged through the payment processor.", "PaymentProcessor")
    True
    >>> names_external("Payments are recorded.", "PaymentProcessor")
    False
    """
    lowered = text.lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(said)}(?![a-z0-9])", lowered) for said in spoken_names(name) if said)


def flow_externals(arch: Architecture, use_case: str) -> set[str]:
    """The external systems ``use_case`` reaches in ``arch``: the ones its flow's steps call or are called by, those the workers consuming its
    events call, and those the flows started by its events (a reaction, ``after``) reach in turn.

    Why: a charge a reaction to the trip's end makes keeps the end's promise that the fare is charged, though the end's own
    request never calls the processor.
    """
    externals = {e.name for e in arch.externals}
    calls = {c.name: set(c.calls or ()) for c in arch.components}
    flows = {f.use_case: f for f in arch.flows}
    reached: set[str] = set()
    todo, seen = [use_case], {use_case}
    while todo:
        current = todo.pop()
        flow = flows.get(current)
        if flow is None:
            continue
        for step in flow.steps:
            # an external calling in (a webhook's provider) is reached as surely as one called
            reached |= {step.source, step.target} & externals
            if step.kind == "event" and step.source != step.target:
                reached |= calls.get(step.target, set()) & externals
        published = {e.name for e in arch.events if current in (e.use_case, *e.published_by)}
        for other in arch.flows:
            first = other.steps[0] if other.steps else None
            started = first is not None and first.kind == "event" and other.use_case not in seen
            if started and any(re.search(rf"\b{re.escape(name)}\b", s.description) for s in other.steps if s.kind == "event" for name in published):
                seen.add(other.use_case)
                todo.append(other.use_case)
    return reached


__all__ = ["flow_externals", "names_external", "spoken_names"]
