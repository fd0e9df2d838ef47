from __future__ import annotations

from collections.abc import Iterator

from backend_architect.errors import Location
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="TOP005",
    name="single-point-of-failure",
    severity=Severity.WARNING,
    title="A service runs one replica or has no health check",
    fix="Run at least two replicas behind a health-checked load balancer.",
)
def single_point_of_failure(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds services declared with a single replica, or without a health check, in a
    deployment description.

    ## Why is this bad?
    One replica means every deploy, crash or node loss is an outage; without a health check
    the orchestrator keeps routing to an instance that has stopped answering.

    ## Example
    api: {image: api:1.4, deploy: {replicas: 1}}

    Use instead:
    api: {image: api:1.4, deploy: {replicas: 2}, healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8080/healthz"]}}

    ## References
    Google SRE book, "Eliminating single points of failure"; Docker Compose healthcheck reference.
    """
    for service in arch.services:
        where = f"service {service.name}"
        location = Location(arch.description.removeprefix("imported from "), service.source_line) if service.source_line else None
        if service.replicas is not None and service.replicas < 2:
            yield self.finding(where, f"{service.name} runs {service.replicas} replica", location)
        if service.health_check is False:
            yield self.finding(where, f"{service.name} declares no health check", location)
