from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.deployment import one_deployable, part_noun
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="TOP002",
    name="cyclic-dependency",
    severity=Severity.ERROR,
    title="Services call each other in a cycle",
    fix="Break the cycle: move the shared data to one side, or replace one direction by events.",
)
def cyclic_dependency(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds cycles in the synchronous call graph between services.

    ## Why is this bad?
    Services in a cycle cannot be deployed, scaled or fail independently: an outage in one
    propagates around the cycle, and a request can recurse until it times out.

    ## Example
    services: {orders: {owns: [Order], calls: [catalog]}, catalog: {owns: [Product], calls: [orders]}}

    Use instead:
    services: {orders: {owns: [Order], calls: [catalog]}, catalog: {owns: [Product]}}

    ## References
    Newman, *Building Microservices*, 2nd ed., ch. 4; the Acyclic Dependencies Principle.
    """
    if not any(s.depends_on for s in arch.services):
        return
    import networkx as nx  # loaded only when there are calls to follow, not by every review

    graph = nx.DiGraph()
    graph.add_nodes_from(s.name for s in arch.services)
    graph.add_edges_from((s.name, callee) for s in arch.services for callee in s.depends_on)
    for cycle in sorted(sorted(c) for c in nx.simple_cycles(graph) if len(c) > 1):
        calls = "in-process calls" if one_deployable(arch) else "synchronous calls"
        yield self.finding(f"{part_noun(arch)}s {', '.join(cycle)}", f"{calls} form a cycle through {' -> '.join([*cycle, cycle[0]])}")
