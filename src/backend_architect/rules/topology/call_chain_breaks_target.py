from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="TOP008",
    name="call-chain-breaks-target",
    severity=Severity.WARNING,
    title="A synchronous call chain breaks the latency or availability target",
    fix="Shorten the chain: read from an event-fed local copy, call in parallel, or make the slow hop asynchronous.",
)
def call_chain_breaks_target(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    For each use case, adds up the expected latency of its synchronous hops (calls, queries,
    external systems) and multiplies their availabilities; reports chains whose latency passes
    the use case's budget, or whose composite availability is below the system's target. When
    only an external system falls short, the finding is information: there is no chain of ours
    to shorten. Scheduled jobs are judged on latency only: they retry, and nobody waits on them.

    ## Why is this bad?
    Serial dependencies multiply: four hops at 99.9% give 99.6%, below a 99.9% target before
    the service itself fails once, and each hop's tail latency adds to the request's.

    ## Example
    services:
      web: {owns: [Page], calls: [a]}
      a: {owns: [A], calls: [payments]}
    external:
      payments: {latency_ms: 900, availability: 99.5%}

    Use instead:
    external:
      payments: {latency_ms: 200, availability: 99.99%}

    ## References
    Google SRE book, "The calculus of service availability".
    """
    for flow in arch.flows:
        if flow.depth and flow.expected_latency_ms > flow.latency_budget_ms:
            yield self.finding(
                f"use case {flow.use_case}",
                f"{flow.depth} synchronous hop(s) take {flow.expected_latency_ms:,.0f} ms, over the {flow.latency_budget_ms:,.0f} ms budget",
            )
        scheduled = bool(flow.steps) and flow.steps[0].source == "scheduler"  # a job retries; no user waits on its availability
        if flow.depth and flow.availability_target and flow.availability < flow.availability_target and not scheduled:
            found = self.finding(
                f"use case {flow.use_case}",
                f"composite availability {flow.availability:.4%} is below the {flow.availability_target:.3%} target",
            )
            if not any(s.kind in {"call", "query"} for s in flow.steps):
                # only an external system's availability is short: the chain cannot be shortened, the dependency must be wrapped
                found = dataclasses.replace(
                    found, severity=Severity.INFO, fix="Call the external system asynchronously (queue and retry), or agree a better SLA with its provider."
                )
            yield found
