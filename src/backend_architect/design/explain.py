"""One decision explained: what it chose and from which numbers, the alternatives, and what choosing each would change.

"What choosing each would change" is computed, not described: the spec is designed again
with a ``decisions:`` override choosing that alternative, and the two architectures are
compared (components, tables, operations, the decision's own choice).
"""

from __future__ import annotations

from typing import Any

from backend_architect.ir.model import NUMBERS_CHOSE, Architecture, Decision
from backend_architect.spec.model import DecisionOverride, Spec

#: Alternatives designed again to show their consequences; the rest are listed only.
MAX_REDESIGNS = 4


def find(arch: Architecture, key: str) -> list[Decision]:
    """Decisions by id, or every decision a pattern (code or name) made."""
    exact = [d for d in arch.decisions if d.id == key]
    if exact:
        return exact
    from backend_architect.design.patterns.registry import pattern_by_code

    pattern = pattern_by_code(key)
    return [d for d in arch.decisions if pattern is not None and d.pattern == pattern.code]


def _shape(arch: Architecture) -> dict[str, set[str]]:
    return {
        "components": {f"{c.name} ({c.technology})" for c in arch.components},
        "tables": {f"{s.name}.{t.name}" for s in arch.datastores for t in s.tables},
        "operations": {f"{o.method.upper()} {o.path}" for a in arch.apis for o in a.operations},
        "services": {s.name for s in arch.services},
    }


def explain(spec: Spec, arch: Architecture, decision: Decision) -> dict[str, Any]:
    """The decision as data, with each alternative's consequences from a design that chooses it."""
    from backend_architect.design.pipeline import design

    figures = {f.key: f for f in arch.figures}
    base = _shape(arch)
    alternatives = []
    redesigned = 0
    for alternative in decision.alternatives:
        entry: dict[str, Any] = {"name": alternative.name, "why_not": alternative.why_not, "buildable": buildable(decision, alternative.name)}
        if redesigned < MAX_REDESIGNS and entry["buildable"]:
            redesigned += 1
            override = DecisionOverride(choose=alternative.name, reason="explain: what this alternative would change")
            other = design(spec.model_copy(update={"decisions": {**spec.decisions, decision.id: override}}))
            chosen = next((d.choice for d in other.decisions if d.id == decision.id), decision.choice)
            shape = _shape(other)
            entry["would_change"] = {
                "choice": chosen if chosen != decision.choice else None,
                **{f"{k}_added": sorted(shape[k] - base[k]) for k in base if shape[k] - base[k]},
                **{f"{k}_removed": sorted(base[k] - shape[k]) for k in base if base[k] - shape[k]},
            }
        alternatives.append(entry)
    return {
        "id": decision.id,
        "title": decision.title,
        "pattern": decision.pattern,
        "subject": decision.subject,
        "decided_by": decision.decided_by,
        "author_reason": decision.author_reason,
        "choice": decision.choice,
        "choices": decision.choices,
        "context": decision.context,
        "inputs": decision.inputs,
        "figures": {k: {"value": f.value, "unit": f.unit, "formula": f.formula} for k, f in figures.items() if _cited(k, decision)},
        "rationale": decision.rationale,
        "alternatives": alternatives,
        "consequences": decision.consequences,
    }


def buildable(decision: Decision, name: str) -> bool:
    """Whether choosing the alternative ``name`` builds something: it names one of the decision's choices (or a boundary move)."""
    from backend_architect.design.overrides import matches

    if name.startswith(NUMBERS_CHOSE):
        return False
    if decision.id == "boundaries":
        return True
    return any(matches(name, choice) for choice in decision.choices if "<" not in choice)


def _cited(key: str, decision: Decision) -> bool:
    """Figures about the decision's subject (its use case or system-wide keys it names)."""
    subject = (decision.subject or "").replace(" ", "-").lower()
    return bool(subject) and key.endswith(f".{subject}")


def render_text(explained: dict[str, Any]) -> str:
    """The explanation for a terminal."""
    lines = [f"{explained['id']}: {explained['title']}" + (f" ({explained['pattern']})" if explained["pattern"] else ""), ""]
    lines.append(f"Choice: {explained['choice']}")
    lines.append(f"Decided by: {explained['decided_by']}")
    lines.append(f"Context: {explained['context']}")
    if explained["inputs"]:
        lines.append("Inputs: " + ", ".join(f"{k} = {v:,.4g}" for k, v in explained["inputs"].items()))
    for key, figure in explained["figures"].items():
        lines.append(f"  {key} = {figure['value']:,.4g} {figure['unit']}  ({figure['formula']})")
    lines += [f"Why: {explained['rationale']}", "", "Alternatives:"]
    for alternative in explained["alternatives"]:
        built = "" if alternative.get("buildable", True) else " (listed for the record: the engine does not build it)"
        lines.append(f"  - {alternative['name']}: {alternative['why_not']}{built}")
        for what, change in (alternative.get("would_change") or {}).items():
            if change:
                lines.append(f"      would change {what.replace('_', ' ')}: {change if isinstance(change, str) else ', '.join(change)}")
    if explained.get("choices"):
        lines += ["", "choose: " + " | ".join(explained["choices"])]
    if explained["consequences"]:
        lines += ["", f"Consequences: {explained['consequences']}"]
    return "\n".join(lines) + "\n"
