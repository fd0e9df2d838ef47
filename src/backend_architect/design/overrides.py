"""The spec author's word on a decision (``decisions:`` in the spec): choose, forbid or force, with the reason.

An override names a decision by its id (as ``handoff.json`` lists them: ``messaging``,
``feed.view-home-timeline``) or a pattern by its code or name (``PAT001``,
``feed-fan-out-on-write``). The engine honours it and re-derives what follows; the decision
then says "decided by the spec author" with the reason, and keeps what the numbers chose as
an alternative, so the critic can show where the author overruled the figures.
"""

from __future__ import annotations

from backend_architect.ir.model import NUMBERS_CHOSE, Alternative, Decision
from backend_architect.spec.model import DecisionOverride, Spec


def override_for(spec: Spec, decision_id: str | None, pattern: tuple[str, str] | None = None) -> DecisionOverride | None:
    """The override for a decision id, else for its pattern (by code, then name), else None."""
    if decision_id is not None and decision_id in spec.decisions:
        return spec.decisions[decision_id]
    if pattern is not None:
        for key in pattern:
            if key in spec.decisions:
                return spec.decisions[key]
    return None


def matches(choice: str, candidate: str) -> bool:
    """Whether an author's ``choose`` names a candidate: case-insensitive, either contained in the other.

    >>> matches("kafka", "Apache Kafka (managed)"), matches("RabbitMQ", "Apache Kafka")
    (True, False)
    """
    a, b = choice.strip().lower(), candidate.strip().lower()
    return bool(a) and (a in b or b in a)


def overruled(decision: Decision, override: DecisionOverride, new_choice: str, rationale: str | None = None) -> Decision:
    """``decision`` as the author decided it: the new choice, the reason, and what the numbers chose kept as an alternative."""
    kept = [a for a in decision.alternatives if not matches(new_choice, a.name)]
    numbers = Alternative(
        name=f"{NUMBERS_CHOSE}: {decision.choice}", why_not=f"overruled by the spec author ({override.reason}); the numbers: {decision.rationale}"
    )
    return decision.model_copy(
        update={
            "choice": new_choice,
            "rationale": rationale or f"decided by the spec author: {override.reason}",
            "alternatives": [numbers, *kept],
            "decided_by": "spec",
        }
    )


def forced(decision: Decision, override: DecisionOverride, numbers_choice: str, numbers_reason: str) -> Decision:
    """A decision the author forced where the numbers said it was not needed: both are on the record."""
    numbers = Alternative(name=f"{NUMBERS_CHOSE}: {numbers_choice}", why_not=f"overruled by the spec author ({override.reason}); the numbers: {numbers_reason}")
    return decision.model_copy(
        update={"rationale": f"forced by the spec author: {override.reason}", "alternatives": [numbers, *decision.alternatives], "decided_by": "spec"}
    )


def honoured(decision: Decision, override: DecisionOverride) -> Decision:
    """A decision the author forced or chose that the numbers also support: it says both."""
    return decision.model_copy(update={"rationale": f"{decision.rationale}; the spec author also asked for it: {override.reason}", "decided_by": "spec"})


def unused(spec: Spec, ids: set[str], patterns: set[str]) -> list[str]:
    """Overrides that name no decision of this design and no pattern: reported so a typo does not pass silently."""
    from backend_architect.spec.field_types import suggest

    return [
        f"decisions.{key}: names no decision of this design or pattern{suggest(key, sorted(ids | patterns))}; it changed nothing"
        for key in spec.decisions
        if key not in ids and key not in patterns
    ]
