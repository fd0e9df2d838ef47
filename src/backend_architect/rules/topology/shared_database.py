from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="TOP004",
    name="shared-database",
    severity=Severity.WARNING,
    title="Several services use one database",
    fix="Give each service its own database (or schema and role); share data through APIs and events.",
)
def shared_database(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds databases that more than one service connects to.

    ## Why is this bad?
    A shared database couples the services through its schema: one service's migration can
    break another, load from one slows the other, and neither can be deployed or scaled alone.

    ## Example
    orders and billing both set DATABASE_URL to postgres://app@main-db/app

    Use instead:
    orders uses orders-db, billing uses billing-db; billing reads orders through the orders API

    ## References
    Richardson, *Microservices Patterns*, "Database per service"; Newman, *Building Microservices*, ch. 3.
    """
    if arch.deployment == "modular-monolith":
        return
    users: dict[str, list[str]] = {}
    for service in arch.services:
        if service.datastore:
            users.setdefault(service.datastore, []).append(service.name)
    for store, names in sorted(users.items()):
        if len(names) > 1:
            yield self.finding(f"database {store}", f"{store} is used by {len(names)} services: {', '.join(sorted(names))}")
