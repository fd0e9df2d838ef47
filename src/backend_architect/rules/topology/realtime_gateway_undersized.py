from __future__ import annotations

import math
from collections.abc import Iterator

from backend_architect.ir.gateway_limits import CONNECTIONS_PER_NODE, MIN_NODES
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="TOP020",
    name="realtime-without-gateway-capacity",
    severity=Severity.WARNING,
    title="Real-time channels without a gateway that holds their connections",
    fix="Run a real-time gateway of its own with ceil(connections / 100,000) nodes (at least two), or state fewer concurrent connections.",
)
def realtime_without_gateway_capacity(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds designs that push to connected clients (real-time channels) but have no gateway
    component, or a gateway with fewer nodes than the open connections need at 100,000 a node
    (the ``connections.realtime`` figure), or a single node.

    ## Why is this bad?
    Connections held by the API services are dropped by every deploy and make the services scale
    by sockets instead of requests; an undersized gateway runs out of file descriptors and
    memory (about 20 KB a connection) at peak, and one node is an outage on every restart.

    ## Example
    use_cases:
      - {name: send message, writes: [Message], deliver: realtime}   # a design with the channel but no gateway

    Use instead:
    use_cases:
      - {name: send message, writes: [Message], deliver: realtime}   # PAT029 adds the gateway, sized by connections

    ## References
    RFC 6455 (WebSocket); Stack Overflow, "The Architecture - 2016 Edition" (socket servers of their own).
    """
    if not arch.channels:
        return
    gateways = [c for c in arch.components if c.kind == "realtime-gateway"]
    where = "real-time gateway"
    if not gateways:
        names = ", ".join(c.address for c in arch.channels)
        yield self.finding(where, f"{len(arch.channels)} real-time channel(s) ({names}) and no gateway component to hold their connections")
        return
    connections = next((f.value for f in arch.figures if f.key == "connections.realtime"), 0.0)
    nodes = sum(g.instances or 0 for g in gateways)
    # the gateway pattern's own planning figures (PAT029): the critic never judges a node by another number than the one it was sized on
    needed = max(MIN_NODES, math.ceil(connections / CONNECTIONS_PER_NODE))
    if nodes < needed:
        yield self.finding(
            where,
            f"{nodes} gateway node(s) for {connections:,.0f} connections at peak; {needed} needed at {CONNECTIONS_PER_NODE:,} a node (at least {MIN_NODES})",
        )
