"""What a use case's description promises about external systems, against what its flow does.

"The driver ends the trip; the fare is charged through the payment processor" on a use case that calls no
payment processor is a promise the design does not keep: written into the contract, client teams wait for a
charge that never happens (the charge was a separate call from the driver's app). A description names an
external system when it says its name, as written or split into words (``PaymentProcessor``: "payment
processor"). The promise is kept when the use case calls it, tells it (``notify``), or a reaction following
it (``after``, at any depth) does. An unkept sentence stays out of the contract and the design warns, so the
author either adds the reaction that makes it true or rewords the description.
"""

from __future__ import annotations

import re

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.ir.promises import names_external
from backend_architect.spec.model import Spec

#: Sentence ends: a full stop, semicolon, question or exclamation mark followed by a space or the end.
_SENTENCE = re.compile(r"(?<=[.;!?])\s+")


def reached_externals(spec: Spec, analysis: Analysis, use_case: UseCase) -> set[str]:
    """The external systems the use case reaches: those it calls or tells, and those the reactions following it reach.

    Why: a charge made by a reaction to the trip's end (``after: [end trip]``) keeps the end's promise that the fare
    is charged, though the end's own request never calls the processor.
    """
    reached: set[str] = set()
    todo, seen = [use_case], {use_case.name}
    while todo:
        current = todo.pop()
        # the external a use case is called by (a webhook's provider) is reached as surely as one it calls
        reached |= {n for n in [*current.spec.calls, *current.spec.notify, current.spec.actor] if n in spec.external}
        for follower in (u for u in analysis.use_cases if current.name in u.reacts_to and u.name not in seen):
            seen.add(follower.name)
            todo.append(follower)
    return reached


def unkept_externals(spec: Spec, analysis: Analysis, use_case: UseCase) -> tuple[str, ...]:
    """The external systems the use case's description names that neither it nor a reaction following it reaches."""
    text = use_case.spec.description or ""
    reached = reached_externals(spec, analysis, use_case)
    return tuple(n for n in spec.external if n not in reached and names_external(text, n))


def kept_description(spec: Spec, analysis: Analysis, use_case: UseCase) -> str | None:
    """The description as the contract may state it: without the sentences naming an external system the flow never reaches
    (None when nothing is left)."""
    text = use_case.spec.description
    unkept = unkept_externals(spec, analysis, use_case)
    if text is None or not unkept:
        return text
    kept = [s for s in _SENTENCE.split(text.strip()) if not any(names_external(s, n) for n in unkept)]
    said = " ".join(kept).rstrip(";,: ")
    return f"{said}." if said and said[-1] not in ".!?" else said or None


def promise_warnings(spec: Spec, analysis: Analysis) -> list[str]:
    """One warning per use case whose description names an external system its flow never reaches."""
    found = []
    for use_case in analysis.use_cases:
        unkept = unkept_externals(spec, analysis, use_case)
        if unkept:
            found.append(
                f"use case '{use_case.name}': its description names {', '.join(unkept)}, which neither it nor a reaction following it "
                f"(after: [{use_case.name}]) calls; the contract leaves that sentence out (add calls:, or a use case with "
                f"after: [{use_case.name}] and calls: [{unkept[0]}])"
            )
    return found


__all__ = ["kept_description", "promise_warnings", "reached_externals", "unkept_externals"]
