from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule

#: Synchronous hops to other services in one request beyond which a use case is chatty.
MAX_SYNC_HOPS = 3
_SYNC = frozenset({"call", "query"})


@rule(
    code="TOP006",
    name="chatty-call-path",
    severity=Severity.WARNING,
    title="A request makes many synchronous calls to other services",
    fix="Fetch in one call (a composite endpoint or a batch read), keep a local read model fed by events, or move the data together.",
)
def chatty_call_path(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Follows each use case through the services and counts the synchronous calls and reads
    one request makes to other services; reports paths with more than three, and paths that
    call the same service more than once.

    ## Why is this bad?
    Every hop adds its latency and multiplies in its failure rate: four hops of 50 ms at
    99.9% availability cost 200 ms and 0.4% of requests before any work is done, and a
    service called twice in one request is a join done over the network. Modules of one
    deployable call each other in process, so a modular monolith has no such hops.

    ## Example
    services:
      web: {owns: [Page], calls: [a]}
      a: {owns: [A], calls: [b]}
      b: {owns: [B], calls: [c]}
      c: {owns: [C], calls: [d]}
      d: {owns: [D]}

    Use instead:
    services:
      web: {owns: [Page, A, B], calls: [c]}
      c: {owns: [C, D]}

    ## References
    Sam Newman, *Building Microservices* (2nd ed.), chapter 4 ("chatty" interfaces); Google SRE book on
    the availability of serial dependencies.
    """
    if one_deployable(arch):
        return  # modules call each other in process: no hop adds latency or a failure rate (ir/deployment.py)
    for flow in arch.flows:
        hops = [s for s in flow.steps if s.kind in _SYNC and s.source != s.target]
        repeated = sorted(target for target, n in Counter(s.target for s in hops).items() if n > 1)
        if len(hops) > MAX_SYNC_HOPS:
            calls = "; ".join(f"{source} -> {', '.join(s.target for s in hops if s.source == source)}" for source in dict.fromkeys(s.source for s in hops))
            yield self.finding(f"use case {flow.use_case}", f"{len(hops)} synchronous calls in one request: {calls}")
        elif repeated:
            yield self.finding(f"use case {flow.use_case}", f"calls {', '.join(repeated)} more than once in one request")
