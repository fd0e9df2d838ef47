"""PAT051: on a named cloud, every part of the design is that provider's managed service, by name."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.overrides import overruled
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import Part, managed, named, open_source, provider, search_service, warehouse_service
from backend_architect.design.patterns._common import decision
from backend_architect.ir.model import Architecture, Decision
from backend_architect.spec.model import Spec

#: The catalogue part for each component kind the design draws.
KIND_PART: dict[str, Part] = {
    "cache": "redis",
    "key-value": "redis",
    "object-store": "object-store",
    "cdn": "cdn",
    "search-engine": "search-engine",
    "warehouse": "warehouse",
    "load-balancer": "load-balancer",
    "queue": "work-queue",
}


@pattern(code="PAT051", name="managed-services", stage="availability", title="Name the provider's managed service for every part")
def managed_services(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    ``constraints.cloud`` names a provider the catalogue knows (aws, gcp, azure). Another
    provider is reported as stated but not used: the parts stay the open-source ones.

    ## What it adds
    One decision naming, for the database and each component, the provider's managed service
    (AWS: RDS for PostgreSQL, ElastiCache, S3, CloudFront, OpenSearch Service, Redshift, ALB;
    Google Cloud and Azure likewise), with the open-source part as the alternative.

    ## What it costs
    Provider lock-in for operations (backups, failover, patching are the provider's); the
    managed price premium over running the open-source part on virtual machines.

    ## Alternatives
    Self-managed open-source parts on the provider's machines or Kubernetes: cheaper per hour,
    paid back in on-call time for a small team.

    ## References
    AWS, "Overview of Amazon Web Services" (2023); Google Cloud and Azure product documentation.
    """
    key = provider(spec)
    if key is not None and not managed(spec):
        # forbidden: every part was named open source (_clouds.named); the record says whose word that was
        numbers = _record(spec.model_copy(update={"decisions": {}}), arch, key)
        override = spec.decisions.get("PAT051") or spec.decisions.get("managed-services") or spec.decisions["cloud"]
        yield Applied(overruled(numbers, override, "not applied: self-managed open-source parts on the provider's machines"))
        return
    if key is None:
        stated = spec.constraints.cloud
        if stated:
            yield Skipped("system", f"cloud '{stated}' is not in the catalogue (aws, gcp, azure): open-source parts")
        return
    yield Applied(_record(spec, arch, key))


def _service(spec: Spec, part: Part, technology: str) -> str:
    """The product a component runs on this provider: a search engine or column store is named for the engine its own record
    chose (the diagram draws it), as that engine's managed offering here; any other part is the provider's managed service."""
    if part == "search-engine":
        return search_service(spec, technology)
    if part == "warehouse":
        return warehouse_service(spec, technology)
    return named(spec, part)


def _record(spec: Spec, arch: Architecture, key: str) -> Decision:
    """The managed service named for the database and each component."""
    ha = arch.availability is not None and arch.availability.zones > 1
    rows = [f"database: {named(spec, 'postgresql-ha' if ha else 'postgresql')}"]
    for component in arch.components:
        part = KIND_PART.get(component.kind)
        if part is not None:
            rows.append(f"{component.kind}: {_service(spec, part, component.technology)}")
    rows = list(dict.fromkeys(rows))
    return decision(
        "cloud",
        f"Managed services on {key.upper()}",
        "operations",
        "; ".join(rows),
        f"constraints.cloud: {spec.constraints.cloud}",
        "the provider runs backups, failover and patching for each part; a small team buys that instead of operating the open-source parts",
        alternatives=[
            (
                f"self-managed {', '.join(dict.fromkeys(open_source(spec, p)[0] for p in ('postgresql', 'redis', 'object-store')))}",
                "cheaper per hour, paid back in operations work",
            )
        ],
        subject="system",
        decided_by="constraint",
        spec=spec,
    )
