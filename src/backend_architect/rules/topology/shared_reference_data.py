from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule

#: Services reading one entity synchronously before it is worth replicating.
SHARED_READERS = 3


@rule(
    code="TOP003",
    name="shared-reference-data",
    severity=Severity.INFO,
    title="Many services read one service's data synchronously",
    fix="Replicate it to the readers through events, or cache it close to them.",
)
def shared_reference_data(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds services whose data three or more other services query synchronously.

    ## Why is this bad?
    Reference data everybody reads makes its owner a dependency of every request path: its
    latency adds to theirs and its outages become theirs. Modules of one deployable read each
    other in process (no latency or outage of their own), so there the finding names the coupling
    an extraction would turn into network calls.

    ## Example
    three services each call catalog to read Product on their request paths.

    Use instead:
    catalog publishes ProductChanged; the readers keep local copies.

    ## References
    Richardson, *Microservices Patterns*, ch. 7 (CQRS views); Service Cutter ("shared owner").
    """
    readers: dict[str, set[str]] = {}
    for flow in arch.flows:
        for step in flow.steps:
            if step.kind == "query":
                readers.setdefault(step.target, set()).add(step.source)
    for owner, callers in sorted(readers.items()):
        if len(callers) < SHARED_READERS:
            continue
        if one_deployable(arch):
            # modules read each other in process: no latency or outage is added today, the coupling is what an extraction pays
            yield self.finding(
                f"module {owner}",
                f"{owner} is called in process by {len(callers)} modules: {', '.join(sorted(callers))}; extracting {owner} would put a network "
                "call on each of their request paths",
            )
        else:
            yield self.finding(f"service {owner}", f"{owner} is read synchronously by {len(callers)} services: {', '.join(sorted(callers))}")
