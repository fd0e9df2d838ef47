"""Stage 1: service boundaries, and whether to deploy them as one modular monolith.

Entities that must change together form one aggregate cluster: a child and its
``belongs_to`` parent, and entities written together by a strongly consistent use case.
Each cluster becomes a module (or a service). Explicit ``services`` in the spec win.
"""

from __future__ import annotations

from collections import Counter

from backend_architect.design.coupling import all_scores, coupling_graph
from backend_architect.design.usecases import analyse
from backend_architect.ir.model import Alternative, Architecture, Decision, External, Service
from backend_architect.spec.model import Spec, slug
from backend_architect.spec.naming import kebab, plural

#: Below this many engineers, run the modules as one deployable. Two-pizza teams
#: (~8 people) can own one service each; a single team gains nothing from a network
#: between its own modules (Fowler, "MonolithFirst"; Newman, *Building Microservices*).
MONOLITH_MAX_TEAM = 8
#: Assumed when the spec gives no team size.
DEFAULT_TEAM_SIZE = 5


def derive_boundaries(spec: Spec, arch: Architecture) -> Architecture:
    """Services (or modules) with the entities they own, and the deployment shape."""
    externals = [
        External(name=name, kind=ext.kind or "other", latency_ms=ext.latency_ms, availability=ext.availability, description=ext.description or "")
        for name, ext in spec.external.items()
    ]
    assumptions = list(arch.assumptions)
    team = spec.team.size if spec.team else DEFAULT_TEAM_SIZE
    if spec.team is None:
        assumptions.append(f"team.size: not given; assumed {DEFAULT_TEAM_SIZE} engineers (one team)")
    if spec.services is not None:
        clusters = {name: list(s.owns) for name, s in spec.services.items()}
        reasons = {name: [f"declared in the spec: {s.description or 'owns ' + ', '.join(s.owns)}"] for name, s in spec.services.items()}
        calls = {name: list(s.calls) for name, s in spec.services.items()}
    else:
        clusters, reasons = _clusters(spec)
        calls = {name: [] for name in clusters}
    deployment = "modular-monolith" if team <= MONOLITH_MAX_TEAM else "microservices"
    kind = "module" if deployment == "modular-monolith" else "service"
    scored = all_scores(coupling_graph(spec), clusters)
    services = [
        Service(
            name=name,
            kind=kind,
            entities=entities,
            rationale=reasons[name],
            depends_on=calls[name],
            description=f"Owns {', '.join(entities)}.",
            datastore=f"{name}-db" if kind == "service" else f"{slug(spec.system)}-db.{name.replace('-', '_')}",
            port=8080,
            cohesion=scored[name][0],
            coupling=scored[name][1],
        )
        for name, entities in clusters.items()
    ]
    decision = _deployment_decision(deployment, team, len(services))
    return arch.model_copy(
        update={"services": services, "externals": externals, "deployment": deployment, "decisions": [*arch.decisions, decision], "assumptions": assumptions}
    )


def _clusters(spec: Spec) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    parent = {name: name for name in spec.entities}
    why: dict[tuple[str, str], str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str, reason: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            order = list(spec.entities)
            keep, drop = sorted((ra, rb), key=order.index)
            parent[drop] = keep
            why[(a, b)] = reason

    for name, entity in spec.entities.items():
        if entity.belongs_to:
            union(entity.belongs_to, name, f"{name} belongs to {entity.belongs_to} (composition)")
        for other in entity.many_to_many:
            union(name, other, f"{name} and {other} are linked many-to-many (the join table needs both)")
    for use_case in analyse(spec):
        if use_case.spec.consistency == "strong" and len(use_case.writes) > 1:
            first = use_case.writes[0]
            for other in use_case.writes[1:]:
                union(first, other, f"{first} and {other} are written together by '{use_case.name}' under strong consistency")
    groups: dict[str, list[str]] = {}
    for name in spec.entities:
        groups.setdefault(find(name), []).append(name)
    clusters: dict[str, list[str]] = {}
    reasons: dict[str, list[str]] = {}
    focus = Counter(u.entity for u in analyse(spec))
    for root, members in groups.items():
        # name the cluster after the entity most use cases are about; ties go to the root
        named = max(members, key=lambda m: (focus[m], m == root, -members.index(m)))
        name = plural(kebab(named))
        clusters[name] = members
        found = [r for (a, b), r in why.items() if find(a) == root]
        reasons[name] = [f"aggregate root {root}", *sorted(found)]
    return clusters, reasons


def _deployment_decision(deployment: str, team: int, count: int) -> Decision:
    if deployment == "modular-monolith":
        return Decision(
            id="deployment-shape",
            area="architecture",
            title="Deploy as a modular monolith",
            choice=f"one deployable with {count} modules, one database with a schema per module",
            context=f"team of {team} engineers (threshold for separate services: more than {MONOLITH_MAX_TEAM})",
            rationale="A single team pays the costs of distribution (network failures, sagas, versioned contracts, "
            "separate pipelines) without the benefit of independent teams. Modules keep the boundaries: each owns "
            "its tables and talks to others through its API, never their tables.",
            alternatives=[Alternative(name="microservices", why_not=f"{count} services for {team} people: operational load with no team autonomy to gain")],
            consequences="Extract a module into a service when a second team takes it over, or when its load or "
            "release cadence differs by an order of magnitude from the rest.",
        )
    return Decision(
        id="deployment-shape",
        area="architecture",
        title="Deploy as microservices",
        choice=f"{count} services, each with its own database",
        context=f"team of {team} engineers, more than the {MONOLITH_MAX_TEAM} one team can hold",
        rationale="Independent teams need independent deployables and data ownership; services talk through APIs and events.",
        alternatives=[Alternative(name="modular monolith", why_not="teams would block each other on one release train")],
        consequences="Cross-service consistency becomes eventual: sagas and the outbox carry multi-service writes.",
    )
