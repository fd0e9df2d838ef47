"""The boundaries as a decision: which service owns which entities, the moves the coupling suggests, and the author's moves.

The record lists each service with its entities; its alternatives are the moves the coupling
graph makes plausible (an aggregate to the service it is most coupled to outside its own),
one service per aggregate, and one service for everything. ``decisions: {boundaries: {choose:
"Review in orders; Customer in accounts", reason: ...}}`` moves aggregates: an entity moves
with everything it must change with (its hard group: composition, many-to-many partners,
strongly consistent co-writes), and a service name not yet used makes a new service.
"""

from __future__ import annotations

import re

from backend_architect.design.overrides import honoured, override_for, overruled
from backend_architect.ir.model import Alternative, Decision
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import kebab, plural

#: Moves listed as alternatives, strongest coupling first (the rest are reachable by ``choose`` all the same).
MAX_MOVES = 3
ONE_PER_AGGREGATE = "one service per aggregate"
ALL_IN_ONE = "all in one service"
_MOVE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s+(?:in|to|into)\s+([a-z][a-z0-9-]*)\s*$")

Clusters = dict[str, list[str]]


def boundaries_decision(clusters: Clusters, groups: dict[str, list[str]], graph: dict[tuple[str, str], float], declared: bool, limit: int) -> Decision:
    """The record of the boundaries as built: services and entities, and the moves the coupling suggests."""
    choice = "; ".join(f"{name}: {', '.join(entities)}" for name, entities in clusters.items())
    if declared:
        return Decision(
            id="boundaries",
            area="architecture",
            title="Service boundaries",
            choice=choice,
            context=f"{sum(len(e) for e in clusters.values())} entities in {len(clusters)} services declared in the spec (services:)",
            rationale="the spec declares the services and what each owns",
            alternatives=[Alternative(name=ONE_PER_AGGREGATE, why_not="the spec declares the services")],
            decided_by="spec",
            choices=["<Entity> in <service>[; ...]", ONE_PER_AGGREGATE, ALL_IN_ONE],
        )
    moves = _plausible_moves(clusters, groups, graph)
    return Decision(
        id="boundaries",
        area="architecture",
        title="Service boundaries",
        choice=choice,
        context=f"{sum(len(e) for e in clusters.values())} entities in {len(groups)} aggregates (entities that must change together); "
        f"at most {limit} services the team can own",
        rationale="aggregates grouped by Louvain community detection over the coupling graph (composition, co-writes, many-to-many "
        "links, reads together, references), so each service keeps what changes together and talks to the others least",
        alternatives=[
            *moves[:MAX_MOVES],
            *(
                [Alternative(name=ONE_PER_AGGREGATE, why_not=f"{len(groups)} services: reads across aggregates become calls")]
                if len(groups) > len(clusters)
                else []
            ),
            *([Alternative(name=ALL_IN_ONE, why_not="one module owns everything: no boundary keeps unrelated changes apart")] if len(clusters) > 1 else []),
        ],
        inputs={"entities": float(sum(len(e) for e in clusters.values())), "aggregates": float(len(groups)), "max_services": float(limit)},
        choices=["<Entity> in <service>[; ...]", ONE_PER_AGGREGATE, ALL_IN_ONE],
    )


def _plausible_moves(clusters: Clusters, groups: dict[str, list[str]], graph: dict[tuple[str, str], float]) -> list[Alternative]:
    """Each aggregate's strongest pull towards another service, as a move, strongest first."""
    service_of = {e: name for name, entities in clusters.items() for e in entities}
    moves: list[tuple[float, str, Alternative]] = []
    for root, members in groups.items():
        own = service_of[root]
        pull: dict[str, float] = {}
        for (a, b), weight in graph.items():
            inside, other = (a, b) if a in members else (b, a) if b in members else (None, None)
            if inside is None or other is None or other in members:
                continue
            pull[service_of[other]] = pull.get(service_of[other], 0.0) + weight
        home = pull.pop(own, 0.0)
        if not pull:
            continue
        target = max(pull, key=lambda name: (pull[name], name))
        if len(clusters[own]) == len(members):
            why = f"merges {own} into {target} (coupling {pull[target]:g}): one owner for data that changes apart"
        else:
            why = f"coupling to {target} {pull[target]:g} against {home:g} to the rest of {own}: it would call {own} for what stays behind"
        moves.append((pull[target] - home, root, Alternative(name=f"{root} in {target}", why_not=why)))
    return [m for _, _, m in sorted(moves, key=lambda m: (-m[0], m[1]))]


def steered_boundaries(spec: Spec, clusters: Clusters, groups: dict[str, list[str]]) -> tuple[Clusters, list[str]]:
    """The clusters with the author's moves made, and the problems with any move (reported, the rest still made)."""
    override = override_for(spec, "boundaries")
    if override is None or override.choose is None:
        return clusters, []
    choose = override.choose.strip()
    if choose.lower() == ONE_PER_AGGREGATE:
        return {plural(kebab(root)): members for root, members in groups.items()}, []
    if choose.lower() == ALL_IN_ONE:
        return {next(iter(clusters)): [e for entities in clusters.values() for e in entities]}, []
    group_of = {m: root for root, members in groups.items() for m in members}
    by_lower = {e.lower(): e for e in group_of}
    moved = {name: list(entities) for name, entities in clusters.items()}
    problems = []
    for part in re.split(r"[;,]", choose):
        found = _MOVE.match(part)
        entity = by_lower.get(found[1].lower()) if found else None
        if found is None or entity is None:
            problems.append(f"decisions.boundaries: '{part.strip()}' is not '<Entity> in <service>' naming an entity of the spec; that move was not made")
            continue
        members = groups[group_of[entity]]
        for entities in moved.values():
            entities[:] = [e for e in entities if e not in members]
        moved.setdefault(found[2], []).extend(members)
    return {name: entities for name, entities in moved.items() if entities}, problems


def settled_boundaries(spec: Spec, numbers: Decision, built: Decision, clusters: Clusters, by_numbers: Clusters) -> Decision:
    """The record as the author steered it: the numbers' grouping kept as an alternative."""
    override = override_for(spec, "boundaries")
    if override is None or override.choose is None:
        return built
    return honoured(built, override) if clusters == by_numbers else overruled(numbers, override, built.choice, consequences=built.consequences)
