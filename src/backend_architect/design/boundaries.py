"""Stage 1: service boundaries, and whether to deploy them as one modular monolith.

First the hard groups — entities that must change together: a child and its ``part_of``
parent, many-to-many partners, entities written together by a strongly consistent use case,
reference data read together by a query, and a lookup table nobody writes referenced by one
aggregate only. Then the coupling graph between those groups
(design/coupling.py: Service Cutter's criteria) is clustered by Louvain community detection
(networkx), so the number of services is the algorithm's outcome, bounded by what the team
can own. Each community becomes a module (or a service). Explicit ``services`` in the spec win.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

from backend_architect.design.aggregate_parts import own_aggregate_said, own_creators
from backend_architect.design.analysis import Analysis
from backend_architect.design.audience import caught_up
from backend_architect.design.boundary_moves import boundaries_decision, settled_boundaries, steered_boundaries
from backend_architect.design.coupling import all_scores, coupling_graph
from backend_architect.design.overrides import honoured, override_for, overruled, steer_variant
from backend_architect.ir.model import Alternative, Architecture, Decision, External, Service
from backend_architect.spec.model import Spec, slug
from backend_architect.spec.naming import kebab, plural

#: Below this many engineers, run the modules as one deployable. Two-pizza teams
#: (~8 people) can own one service each; a single team gains nothing from a network
#: between its own modules (Fowler, "MonolithFirst"; Newman, *Building Microservices*).
MONOLITH_MAX_TEAM = 8
#: Assumed when the spec gives no team size and the load is that of one team's system.
DEFAULT_TEAM_SIZE = 5
#: With no team size given, a system past this many requests/s at peak is assumed to be built by several
#: teams (and to need parts that scale apart): services, sized for this many engineers.
SERVICES_FROM_PEAK_RPS = 10_000.0
ASSUMED_TEAMS_SIZE = 24
#: Louvain's resolution. At 1 every aggregate with one read link is absorbed by its neighbour; from 6 upwards
#: only aggregates whose coupling dominates their other links merge (benchmarks/decomposition: MoJoFM plateau 6-10+).
RESOLUTION = 8.0
#: Louvain is randomised; a fixed seed keeps designs byte-identical.
SEED = 7
ENGINEERS_PER_SERVICE = 2
#: What ``choose:`` builds for the deployment shape.
SHAPES = ("modular monolith", "microservices")
MODULES_PER_ENGINEER = 3


def derive_boundaries(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Services (or modules) with the entities they own, and the deployment shape."""
    externals = [
        External(name=name, kind=ext.kind or "other", latency_ms=ext.latency_ms, availability=ext.availability, description=ext.description or "")
        for name, ext in spec.external.items()
    ]
    assumptions = list(arch.assumptions)
    peak = system_peak(spec, analysis)
    team = spec.team.size if spec.team else (ASSUMED_TEAMS_SIZE if peak >= SERVICES_FROM_PEAK_RPS else DEFAULT_TEAM_SIZE)
    if spec.team is None:
        assumptions.append(
            f"team.size: not given; assumed {team} engineers ("
            + (
                f"several teams: {peak:,.0f} req/s at peak, past {SERVICES_FROM_PEAK_RPS:,.0f}, is a system whose parts scale apart)"
                if team > DEFAULT_TEAM_SIZE
                else "one team)"
            )
        )
    teams = spec.team.teams if spec.team else None
    # the teams the spec states decide; else the engineers, a two-pizza team holding at most MONOLITH_MAX_TEAM
    deployment = (
        ("modular-monolith" if teams == 1 else "microservices") if teams is not None else ("modular-monolith" if team <= MONOLITH_MAX_TEAM else "microservices")
    )
    groups, why = hard_groups(spec, analysis)
    graph = coupling_graph(spec, analysis)
    limit = _max_services(team, "module" if deployment == "modular-monolith" else "service", len(groups))
    if spec.services is not None:
        clusters = {name: list(s.owns) for name, s in spec.services.items()}
        reasons = {name: [f"declared in the spec: {s.description or 'owns ' + ', '.join(s.owns)}"] for name, s in spec.services.items()}
        calls = {name: list(s.calls) for name, s in spec.services.items()}
    else:
        clusters, reasons = _clusters(spec, analysis, (groups, why, graph), limit)
        calls = {name: [] for name in clusters}
    numbers_boundaries = boundaries_decision(clusters, groups, graph, spec.services is not None, limit)
    by_numbers_clusters = clusters
    clusters, problems = steered_boundaries(spec, clusters, groups)
    assumptions += problems
    if clusters != by_numbers_clusters:
        moved_by = f"placed by the spec author ({spec.decisions['boundaries'].reason})"
        reasons = {name: [*(r for r in reasons.get(name, []) if not r.startswith("aggregate root")), moved_by] for name in clusters}
        calls = {name: [c for c in calls.get(name, []) if c in clusters] for name in clusters}
    boundaries = settled_boundaries(
        spec, numbers_boundaries, boundaries_decision(clusters, groups, graph, spec.services is not None, limit), clusters, by_numbers_clusters
    )
    override = override_for(spec, "deployment-shape")
    by_numbers = deployment
    wanted = (
        steer_variant(override.choose, {"modular-monolith": ["modular monolith", "monolith"], "microservices": ["microservices", "services"]})
        if override and override.choose
        else None
    )
    if wanted is None:
        override = None  # a choice naming neither shape is reported (overrides.report), and the numbers decide
    else:
        deployment = wanted
    kind = "module" if deployment == "modular-monolith" else "service"
    scored = all_scores(graph, clusters)
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
    decision = _deployment_decision(deployment, team, len(services), None if spec.team else peak, teams).model_copy(update={"choices": list(SHAPES)})
    if override is not None and override.choose is not None:
        numbers = _deployment_decision(by_numbers, team, len(services), None if spec.team else peak, teams).model_copy(update={"choices": list(SHAPES)})
        decision = (
            # the shape built names the record (title, consequences); the context stays the numbers' inputs, and what the
            # numbers chose stays as an alternative
            overruled(numbers, override, decision.choice, consequences=decision.consequences).model_copy(update={"title": decision.title})
            if deployment != by_numbers
            else honoured(decision, override)
        )
    return arch.model_copy(
        update={
            "services": services,
            "externals": externals,
            "deployment": deployment,
            "decisions": [*arch.decisions, decision, boundaries],
            "assumptions": assumptions,
        }
    )


def _clusters(
    spec: Spec, analysis: Analysis, coupling: tuple[dict[str, list[str]], dict[tuple[str, str], str], dict[tuple[str, str], float]], limit: int
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Entities grouped into services: hard groups first, then community detection over their coupling, at most ``limit`` of them."""
    groups, why, graph = coupling
    communities = _communities(groups, graph, limit)
    clusters: dict[str, list[str]] = {}
    reasons: dict[str, list[str]] = {}
    # a catch-up read the design added (design/catch_up.py) follows from a delivery: it does not say what a service is about
    focus = Counter(u.entity for u in analysis.use_cases if not caught_up(u.spec.description))
    order = list(spec.entities)
    for members in sorted((sorted(c, key=order.index) for c in communities), key=lambda c: order.index(c[0])):
        # name the cluster after the entity most use cases are about; ties go to the first declared
        named = max(members, key=lambda m: (focus[m], -order.index(m)))
        name = plural(kebab(named))
        clusters[name] = members
        roots = [g for g, ms in groups.items() if set(ms) <= set(members)]
        found = sorted(reason for (a, _), reason in why.items() if a in members)
        joined = _joined_by(members, groups, graph) if len(roots) > 1 else []
        reasons[name] = [f"aggregate root{'s' if len(roots) > 1 else ''} {', '.join(roots)}", *found, *joined]
    return clusters, reasons


def hard_groups(spec: Spec, analysis: Analysis) -> tuple[dict[str, list[str]], dict[tuple[str, str], str]]:
    """Entities that must live in one service, and why each pair was joined.

    Composition (``part_of``), many-to-many links, writes in one strongly consistent use case,
    and reference data read together by a query that writes nothing (a read-only catalog: Flight,
    FlightSegment and Airport are one service's data even if no use case writes them together),
    and lookup tables referenced by one aggregate only (``_private_lookups``). The people entity
    that a use case reads (and any entity with presence) is never reference data, written by a use case or not.
    """
    parent = {name: name for name in spec.entities}
    why: dict[tuple[str, str], str] = {}
    order = list(spec.entities)

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str, reason: str, absorb: bool = False) -> None:
        """Join a's group and b's; the earlier declared root names the group, or a's when b is ``absorb``ed into it."""
        ra, rb = find(a), find(b)
        if ra != rb:
            keep, drop = (ra, rb) if absorb else sorted((ra, rb), key=order.index)
            parent[drop] = keep
            why[(a, b)] = reason

    for name, entity in spec.entities.items():
        if entity.part_of:
            # a part some request creates alone keeps its parent's service, yet is no part of its aggregate (design/aggregate_parts.py)
            alone = own_creators(analysis, name, entity.part_of)
            own = f" (composition), yet {own_aggregate_said(entity.part_of, alone)}" if alone else " (composition)"
            union(entity.part_of, name, f"{name} is part of {entity.part_of}{own}")
        for other in entity.many_to_many.values():
            union(name, other, f"{name} and {other} are linked many-to-many (the join table needs both)")
    use_cases = analysis.use_cases
    # people with a use case of their own (last seen, a profile) change their rows (sign-up, presence) even where no use case
    # writes them, as does anything with presence: never reference data, so never another aggregate's lookup nor a catalog
    people = {analysis.people} if any(u.entity == analysis.people for u in use_cases) else set()
    written = {e for u in use_cases for e in u.writes} | {e for e in people if e} | {n for n, body in spec.entities.items() if body.presence}
    for use_case in use_cases:
        if use_case.spec.consistency == "strong" and len(use_case.writes) > 1:
            first = use_case.writes[0]
            for other in use_case.writes[1:]:
                union(first, other, written_together(first, other, use_case.name))
        catalog = [e for e in use_case.entities if e not in written] if not use_case.writes else []
        for a, b in itertools.pairwise(catalog):
            union(a, b, f"{a} and {b} are reference data no use case writes, read together by '{use_case.name}'")
    for lookup, referrer in _private_lookups(spec, written, find):
        union(referrer, lookup, f"{lookup} is reference data no use case writes, referenced only by {referrer}'s aggregate (its lookup table)", absorb=True)
    groups: dict[str, list[str]] = {}
    for name in spec.entities:
        groups.setdefault(find(name), []).append(name)
    return groups, why


def written_together(first: str, other: str, use_case: str, how: str = "under strong consistency") -> str:
    """The boundary's reason for two entities one strongly consistent write puts in one service.

    The cross-shard write pattern (PAT053) restates it with ``how`` when a relay applies one side: one sentence, one source.
    """
    return f"{first} and {other} are written together by '{use_case}' {how}"


def _private_lookups(spec: Spec, written: set[str], find: Callable[[str], str]) -> list[tuple[str, str]]:
    """Lookup tables owned by the one aggregate that references them: (lookup, its referrer).

    A group nobody writes (CatalogBrand, CardType) whose foreign-key referrers all sit in one
    other group is that aggregate's reference data: a service of its own would own nothing that
    changes. Referenced from several groups it is shared reference data (Online Boutique's
    Product, read by carts and orders) and stays apart for community detection and TOP003.
    Only declared ``ref`` fields count: reading a catalog in a use case (Acme Air's flights,
    read when booking) is a query across services, not ownership.
    """
    referrers: dict[str, list[str]] = {}
    for name, entity in spec.entities.items():
        for field in entity.fields.values():
            if field.type.kind == "ref" and field.type.target and field.type.target != name:
                referrers.setdefault(field.type.target, []).append(name)
        if entity.tenant_scoped and spec.tenant and spec.tenant != name:
            referrers.setdefault(spec.tenant, []).append(name)  # tenant_id is a reference too
    members: dict[str, list[str]] = {}
    for name in spec.entities:
        members.setdefault(find(name), []).append(name)
    found: list[tuple[str, str]] = []
    for root, group in members.items():
        if any(m in written for m in group):
            continue
        outside = [(m, r) for m in group for r in referrers.get(m, []) if find(r) != root]
        if outside and len({find(r) for _, r in outside}) == 1:
            found.append(outside[0])
    return found


def _communities(groups: dict[str, list[str]], graph: dict[tuple[str, str], float], limit: int) -> list[list[str]]:
    """Louvain communities over the hard groups, merged down to ``limit`` along the strongest coupling."""
    import networkx as nx
    from networkx.algorithms.community import louvain_communities

    group_of = {member: root for root, members in groups.items() for member in members}
    contracted = nx.Graph()
    contracted.add_nodes_from(groups)
    for (a, b), weight in graph.items():
        ga, gb = group_of[a], group_of[b]
        if ga != gb:
            contracted.add_edge(ga, gb, weight=contracted.get_edge_data(ga, gb, {"weight": 0.0})["weight"] + weight)
    found = louvain_communities(contracted, weight="weight", resolution=RESOLUTION, seed=SEED) if contracted.number_of_edges() else []
    communities = [sorted(c) for c in found] or [[g] for g in groups]
    covered = {g for c in communities for g in c}
    communities += [[g] for g in groups if g not in covered]
    while len(communities) > limit:
        communities = _merge_closest(communities, contracted)
    return [[m for g in c for m in groups[g]] for c in communities]


def _merge_closest(communities: list[list[str]], graph: Any) -> list[list[str]]:
    """Two communities joined: the pair with the most coupling between them (the first two when none is coupled).

    The coupling between communities is summed over the graph's edges once (linear in the edges),
    not over every pair of members of every pair of communities.
    """
    index = {member: k for k, community in enumerate(communities) for member in community}
    between: dict[tuple[int, int], float] = {}
    for a, b, data in graph.edges(data=True):
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None and i != j:
            key = (min(i, j), max(i, j))
            between[key] = between.get(key, 0.0) + data.get("weight", 0.0)
    # the strongest coupling, earliest pair on ties; with none above zero, the first two (as a pairwise scan would)
    pair = min((key for key, weight in between.items() if weight > 0), key=lambda key: (-between[key], key), default=(0, 1))
    i, j = pair
    merged = sorted(communities[i] + communities[j])
    return [c for k, c in enumerate(communities) if k not in pair] + [merged]


def _max_services(team: int, kind: str, groups: int) -> int:
    """How many services a team can own: about two engineers per service, or two modules per engineer in a monolith."""
    per_team = max(1, team // ENGINEERS_PER_SERVICE) if kind == "service" else max(1, team * MODULES_PER_ENGINEER)
    return min(groups, per_team)


def _joined_by(members: list[str], groups: dict[str, list[str]], graph: dict[tuple[str, str], float]) -> list[str]:
    """Why community detection put separate aggregates together: their strongest coupling."""
    inside = set(members)
    group_of = {m: root for root, ms in groups.items() for m in ms}
    links = sorted(((w, a, b) for (a, b), w in graph.items() if a in inside and b in inside and group_of[a] != group_of[b]), reverse=True)
    return [f"{a} and {b} are coupled (weight {w:g}: shared use cases and references); community detection keeps them together" for w, a, b in links[:2]]


def system_peak(spec: Spec, analysis: Analysis) -> float:
    """Requests/s at peak for the whole system: ``scale.requests`` when stated, else the sum of the use cases' peaks."""
    if spec.scale.requests is not None:
        given = spec.scale.requests.per_second
        return given if spec.scale.rates == "peak" else given * analysis.peak_factor
    return sum(u.peak_qps for u in analysis.use_cases)


def _deployment_decision(deployment: str, team: int, count: int, peak: float | None, teams: int | None = None) -> Decision:
    if deployment == "microservices" and peak is not None:
        return Decision(
            id="deployment-shape",
            area="architecture",
            title="Deploy as microservices",
            choice=f"{count} services, each with its own database and its own scaling",
            context=f"no team size given; {peak:,.0f} requests/s at peak (services from {SERVICES_FROM_PEAK_RPS:,.0f})",
            rationale="At this load the parts scale apart (the hottest path needs many instances, the rest few) and such a system is "
            "built by several teams; each service owns its data and scales on its own figures.",
            alternatives=[
                Alternative(
                    name="modular monolith",
                    why_not="every instance would carry every module's memory and deploy cadence; state the team size if one team builds it",
                )
            ],
            consequences="Cross-service consistency becomes eventual: sagas and the outbox carry multi-service writes.",
            inputs={"peak_rps": peak, "threshold": SERVICES_FROM_PEAK_RPS},
        )
    if deployment == "modular-monolith":
        return Decision(
            id="deployment-shape",
            area="architecture",
            title="Deploy as a modular monolith",
            choice=f"one deployable with {count} modules, one database with a schema per module",
            context=f"one team of {team} engineers, as the spec states (team.teams = 1)"
            if teams == 1
            else f"team of {team} engineers (threshold for separate services: more than {MONOLITH_MAX_TEAM})",
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
        context=f"a team of {team} engineers in {teams} teams, as the spec states (team.teams)"
        if teams is not None
        else f"team of {team} engineers, more than the {MONOLITH_MAX_TEAM} one team can hold",
        rationale="Independent teams need independent deployables and data ownership; services talk through APIs and events.",
        alternatives=[Alternative(name="modular monolith", why_not="teams would block each other on one release train")],
        consequences="Cross-service consistency becomes eventual: sagas and the outbox carry multi-service writes.",
    )
