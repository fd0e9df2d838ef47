"""The design document's sections for where data lives, how the system survives failure, how it grows,
and where each stated input went: one short section each, every line with its number."""

from __future__ import annotations

from collections.abc import Sequence

from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import GrowthStage
from backend_architect.render.numbers import human


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return [*out, *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows), ""]


def _share(value: float) -> str:
    """An availability with the nines it has: ``99.95%``, ``99.9993%``.

    >>> _share(0.9995), _share(0.99999251), _share(0.99)
    ('99.95%', '99.9993%', '99%')
    """
    text = f"{value * 100:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def storage_section(arch: Architecture) -> list[str]:
    """Each table, field and state with its store, the number that put it there, and how long it is kept."""
    if not arch.placements:
        return []
    rows = [[f"`{p.data}`", p.data_class, p.store, p.reason, p.retention or "-"] for p in arch.placements]
    return ["## Storage", "", *_table(["data", "class", "store", "why (the number)", "kept"], rows)]


def availability_section(arch: Architecture) -> list[str]:
    """The target, the composite from its parts, failover with RTO and RPO, and what each dependency's failure does."""
    plan = arch.availability
    if plan is None:
        return []
    parts = " x ".join(f"{name} {_share(value)}" for name, value in plan.parts.items())
    target = _share(plan.target) if plan.target else "none"
    lines = [
        "## Availability",
        "",
        f"- Target {target}; composite {_share(plan.composite)} ({parts}); {plan.topology}, {plan.zones} zone(s)"
        + (f", regions {', '.join(plan.regions)}" if plan.regions else "")
        + ".",
        f"- Database: {plan.database}; {plan.failover} failover, RTO {human(plan.rto_seconds, 's')}, RPO {human(plan.rpo_seconds, 's')}.",
        f"- Load balancing: {plan.load_balancer}.",
        "- Copies: " + "; ".join(f"{name}: {text}" for name, text in plan.redundancy.items()) + ".",
    ]
    if plan.rationale:
        lines.append(f"- Regions: {plan.rationale}.")
    lines.append("")
    if plan.impacts:
        rows = [[i.dependency, i.effect, ", ".join(i.use_cases), i.detail] for i in plan.impacts]
        lines += ["When a dependency fails:", "", *_table(["dependency", "effect", "use cases", "what happens"], rows)]
    return lines


def growth_section(arch: Architecture) -> list[str]:
    """The stages in order: what is built now, and what waits for which figure."""
    if not arch.stages:
        return []
    rows = [[s.order, s.name, when_built(s), s.trigger, "; ".join(s.adds)] for s in arch.stages]
    return ["## Growth", "", *_table(["#", "stage", "when", "trigger", "builds"], rows)]


def when_built(stage: GrowthStage) -> str:
    """``now``, ``later``, or per part when a stage built now leaves some parts for later (each with its own trigger).

    >>> when_built(GrowthStage(order=5, name="sharding", now=True, trigger="", later=["follows"]))
    'now, except follows: later'
    """
    if stage.now and stage.later:
        return f"now, except {', '.join(stage.later)}: later"
    return "now" if stage.now else "later"


def _where(used_by: list[str]) -> str:
    """The first two places an input was used; the hand-off lists them all."""
    if not used_by:
        return "-"
    return ", ".join(used_by[:2]) + (f" (+{len(used_by) - 2})" if len(used_by) > 2 else "")


def requirements_section(arch: Architecture) -> list[str]:
    """Every stated input with where it was used, the unused ones first."""
    if not arch.requirements:
        return []
    unused = [r for r in arch.requirements if r.status == "not used"]
    ordered = [*unused, *(r for r in arch.requirements if r.status == "used")]
    rows = [[f"`{r.input}`", r.value, r.status, _where(r.used_by), r.how] for r in ordered]
    summary = f"{len(arch.requirements) - len(unused)} of {len(arch.requirements)} stated inputs used" + (
        f"; stated but not used: {', '.join(f'`{r.input}`' for r in unused)}." if unused else "."
    )
    return ["## Requirements", "", summary, "", *_table(["input", "value", "status", "used by", "how"], rows)]
