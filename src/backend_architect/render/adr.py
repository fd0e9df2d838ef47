"""Decisions -> Architecture Decision Records in MADR format, one file each (``adr/NNNN-title.md``)."""

from __future__ import annotations

import re

from backend_architect.ir.model import Architecture, Decision


def adr_filename(number: int, decision: Decision) -> str:
    """``adr/0003-primary-database.md``.

    >>> from backend_architect.ir.model import Decision
    >>> adr_filename(3, Decision(id="database", title="Primary database", area="data", choice="x", context="c", rationale="r"))
    'adr/0003-primary-database.md'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", decision.title.lower()).strip("-")
    return f"adr/{number:04d}-{slug}.md"


def render_adr(number: int, decision: Decision, arch: Architecture) -> str:
    """One decision record: context, the options considered, the outcome and its consequences."""
    options = [decision.choice, *(a.name for a in decision.alternatives)]
    lines = [
        f"# {number:04d}. {decision.title}",
        "",
        "- Status: accepted",
        f"- Area: {decision.area}",
        f"- System: {arch.system}",
        "",
        "## Context and Problem Statement",
        "",
        f"{decision.context[:1].upper()}{decision.context[1:]}.",
        "",
        "## Considered Options",
        "",
        *[f"- {option}" for option in options],
        "",
        "## Decision Outcome",
        "",
        # an author's reason may end its own sentence: one full stop, not two
        f'Chosen option: "{decision.choice}", because {decision.rationale.rstrip(".")}.',
        "",
    ]
    if decision.consequences:
        lines += ["### Consequences", "", decision.consequences, ""]
    if decision.alternatives:
        lines += ["## Pros and Cons of the Options", ""]
        for alternative in decision.alternatives:
            lines += [f"### {alternative.name}", "", f"- Bad, because {alternative.why_not}", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_adrs(arch: Architecture) -> dict[str, str]:
    return {adr_filename(n, d): render_adr(n, d, arch) for n, d in enumerate(arch.decisions, start=1)}
