from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="TOP001",
    name="strong-consistency-split",
    severity=Severity.WARNING,
    title="A strongly consistent use case writes across services",
    fix="Put the entities it writes in one service, or accept eventual consistency with a saga and compensations.",
)
def strong_consistency_split(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds use cases that require strong consistency but write data owned by more than one
    service.

    ## Why is this bad?
    Across services there is no shared transaction: the write becomes a saga whose steps
    commit one by one, so other requests can observe the half-done state, and failures need
    compensations. The use case asked for the opposite.

    ## Example
    services: {orders: {owns: [Order]}, payments: {owns: [Payment]}}
    use_cases: [{name: place order, writes: [Order, Payment], consistency: strong}]

    Use instead:
    services: {orders: {owns: [Order, Payment]}}

    ## References
    Service Cutter coupling criteria ("consistency constraint"); Richardson, *Microservices Patterns*, ch. 4 (sagas).
    """
    for flow in arch.flows:
        if flow.style == "saga" and flow.consistency == "strong":
            services = sorted({flow.steps[0].target, *(s.target for s in flow.steps if s.kind == "call")})
            yield self.finding(f"use case '{flow.use_case}'", f"'{flow.use_case}' needs strong consistency but writes in {', '.join(services)}")
