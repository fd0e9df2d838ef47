"""PAT008: what stands between clients and the services: load balancers, and an API gateway for several services."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.overrides import settled, steer
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._clouds import named, self_run
from backend_architect.design.patterns._common import decision, fmt
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import served_parts
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec


@pattern(code="PAT008", name="edge", stage="edge", title="Load balancers, and an API gateway in front of several services")
def edge(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Every design. One deployable needs a load balancer (TLS, health checks, spreading
    requests over its instances); several services need one public entry that
    authenticates, rate-limits and routes — an API gateway — behind that load balancer.

    ## What it adds
    The load balancer and, for services, the gateway: each redundant (a managed,
    multi-zone service, or at least two instances), so the edge is no single point of failure.

    ## What it costs
    One more hop (about a millisecond) for the gateway; the load balancer is in every design.

    ## Alternatives
    Each service exposed directly (duplicates auth and rate limiting); a backend for
    frontend per client (when clients diverge).

    ## References
    C. Richardson, "Pattern: API Gateway"; AWS Well-Architected, Reliability pillar.
    """
    # the edge carries what the services serve: the read-backs of created rows too where the design counts them (qps.peak.served)
    served_figure = next((f for f in arch.figures if f.key == "qps.peak.served"), None)
    served = served_figure.value if served_figure is not None else None
    parts = served_parts(served_figure.inputs) if served_figure is not None else ""
    peak = served if served is not None else sum(u.peak_qps for u in analysis.use_cases)
    services = [s.name for s in arch.services]
    lb = Component(
        name="load-balancer",
        kind="load-balancer",
        # one technology wherever the load balancer appears (the availability plan names the same part)
        technology=named(spec, "load-balancer"),
        purpose="spreads requests over healthy instances; takes a failing one out within its health-check interval",
        services=services,
        decision="edge",
    )
    by_numbers = "gateway" if arch.deployment == "microservices" else "load-balancer"
    steered = steer(spec, "edge", by_numbers, EDGES, (edge.code, edge.name))
    deployables = 1 if arch.deployment == "modular-monolith" else len(services)
    # where the team runs every part (no cloud offers a managed one) the gateway is Envoy it runs, not a managed service
    gateway = "Envoy" if self_run(spec) else "a managed API gateway (or Envoy)"
    built = _built(steered.build, lb, services, deployables, peak, gateway, (served, parts))
    numbers = _built(by_numbers, lb, services, deployables, peak, gateway, (served, parts))
    assert built.decision is not None
    assert numbers.decision is not None
    choices = {"choices": [names[0] for names in EDGES.values()]}
    yield dataclasses.replace(built, decision=settled(steered, numbers.decision.model_copy(update=choices), built.decision.model_copy(update=choices)))


#: What ``choose:`` builds at the edge, by the names an author may use.
EDGES = {"gateway": ["API gateway", "gateway"], "load-balancer": ["a load balancer only", "each service exposed directly", "load balancer"]}


def at_peak(served: float | None, parts: str = "the use cases and the GETs reading created rows back") -> str:
    """How the edge's peak is named: the services' (use cases, read-backs and checks, ``qps.peak.served``) where it differs from the use cases'."""
    return "at peak" if served is None else f"served at peak ({parts})"


def _built(
    variant: str, lb: Component, services: list[str], deployables: int, peak: float, product: str, serving: tuple[float | None, str] = (None, "")
) -> Applied:
    """The edge of ``variant``: an API gateway behind the load balancer, or the load balancer alone; ``serving``: the peak the
    services serve where it differs from the use cases', and what it counts."""
    served, parts = serving
    if variant == "gateway":
        gateway = Component(
            name="api-gateway",
            kind="api-gateway",
            technology=f"{product.removeprefix('a ')}, at least two instances across zones",
            purpose="authenticates (JWT), rate-limits and routes every public request to its service",
            services=services,
            instances=2,
            decision="edge",
        )
        made = decision(
            "edge",
            "API gateway and load balancing",
            "architecture",
            f"{product} behind the load balancer ({lb.technology}): TLS, JWT validation, rate limits and routing in "
            "one place; redundant (at least two instances across zones, no single point of failure)",
            f"{len(services)} services behind one public API, {fmt(peak)} req/s {at_peak(served, parts)}",
            "one place for the cross-cutting edge concerns instead of one copy in every service; the load balancer health-checks the "
            "gateway instances and each service's instances",
            alternatives=[
                ("each service exposed directly", "duplicates auth and rate limiting in every service"),
                ("a backend for frontend per client", "worth it when clients diverge; none does yet"),
            ],
            subject="system",
            inputs={"peak_rps": peak, "services": len(services)},
        )
        return Applied(made, components=(lb, gateway))
    made = decision(
        "edge",
        "Edge: load balancing",
        "architecture",
        f"a load balancer ({lb.technology}) across zones in front of the instances: TLS termination, health checks, rate limits per client; redundant "
        "(no single point of failure)",
        f"{deployables} deployable(s), {fmt(peak)} req/s {at_peak(served, parts)}",
        "a gateway adds nothing over one deployable: routing and aggregation are unneeded",
        alternatives=[("API gateway", "routing and aggregation are unneeded with one deployable")],
        subject="system",
        inputs={"peak_rps": peak},
    )
    return Applied(made, components=(lb,))
