"""Decisions and the topology agree: what a decision chose runs, and nothing runs that a decision rejected."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.design import families, not_applied, not_needed
from backend_architect.rules.model import Finding, Rule, Severity, rule


def _deployed(arch: Architecture) -> set[str]:
    found: set[str] = set()
    for component in arch.components:
        found |= families(f"{component.name} {component.technology}")
    return found


@rule(
    code="DES001",
    name="chosen-technology-not-deployed",
    severity=Severity.ERROR,
    title="A decision chose a technology that no component runs",
    fix="Add the component the decision needs to the topology (with its size), or change the decision.",
)
def chosen_technology_not_deployed(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reads the choice of every decision for the technologies it names (Redis, Kafka,
    RabbitMQ, OpenSearch, object storage, a CDN) and finds those no component of the
    architecture runs.

    ## Why is this bad?
    The decision records say one system and the topology, capacity figures and operations
    hand-off say another: nobody provisions the store the design depends on, or the records
    describe a design nobody built.

    ## Example
    decisions: [{id: search, choice: "OpenSearch cluster fed by an indexer"}]; components: []

    Use instead:
    components: [{name: opensearch, kind: search-engine}, {name: search-indexer, kind: worker}]

    ## References
    M. Nygard, "Documenting Architecture Decisions" (2011).
    """
    deployed = _deployed(arch)
    for decision in arch.decisions:
        if not_needed(decision.choice) or not_applied(decision.choice):
            continue
        for missing in sorted(families(decision.choice) - deployed):
            yield self.finding(f"decision {decision.id}", f"'{decision.title}' chooses {missing}, but no component runs {missing}")


@rule(
    code="DES002",
    name="rejected-technology-deployed",
    severity=Severity.ERROR,
    title="A component runs a technology a decision rejected",
    fix="Remove the component, or record the decision that chose it (and drop the one that rejected it).",
)
def rejected_technology_deployed(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds components whose technology a decision marked "not needed", or that an
    alternative rejected because the spec's constraints avoid it.

    ## Why is this bad?
    "Redis: not needed" beside "rate limits in a Redis token bucket" tells operations not to
    run what the application needs; a technology the spec avoids must not appear at all.

    ## Example
    decisions: [{id: cache, choice: "not needed"}]; components: [{name: redis, technology: Redis 7}]

    Use instead:
    decisions: [{id: cache, choice: "Redis 7 (managed)"}]; components: [{name: redis, technology: Redis 7}]

    ## References
    M. Nygard, "Documenting Architecture Decisions" (2011).
    """
    deployed = {c.name: families(f"{c.name} {c.technology}") for c in arch.components}
    serves = {c.name: set(c.use_cases) for c in arch.components}
    use_cases = {f.use_case for f in arch.flows} | {c.use_case for c in arch.caches}
    for decision in arch.decisions:
        # a decision about one read path rejects a technology for that path only: a component serving other paths may run it
        scoped = decision.subject if decision.subject in use_cases else None
        rejected: dict[str, str] = {}
        if not_needed(decision.choice):
            considered = " ".join([decision.id, decision.title, *(a.name for a in decision.alternatives)])
            rejected |= dict.fromkeys(families(considered), "not needed")
        for alternative in decision.alternatives:
            if alternative.why_not.startswith("avoided by the spec's constraints"):
                rejected |= dict.fromkeys(families(alternative.name), "avoided by the spec's constraints")
        for name, runs in deployed.items():
            if scoped is not None and scoped not in serves[name]:
                continue
            for family in sorted(runs & set(rejected)):
                yield self.finding(f"component {name}", f"{name} runs {family}, which '{decision.title}' rejected ({rejected[family]})")
