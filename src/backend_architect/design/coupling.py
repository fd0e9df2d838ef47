"""How strongly entities are coupled, from the spec: the weighted graph boundaries are judged by.

Weights follow Service Cutter's coupling criteria, strongest first: composition, writes
in one strongly consistent use case, many-to-many links, writes in one eventually
consistent use case, reads in one use case, and plain references.
"""

from __future__ import annotations

from itertools import combinations

from backend_architect.design.analysis import Analysis
from backend_architect.spec.model import Spec

COMPOSITION = 10.0
STRONG_CO_WRITE = 8.0
MANY_TO_MANY = 5.0
EVENTUAL_CO_WRITE = 3.0
READ_TOGETHER = 1.0
REFERENCE = 0.5

Edge = tuple[str, str]


def _edge(a: str, b: str) -> Edge:
    return (a, b) if a < b else (b, a)


def coupling_graph(spec: Spec, analysis: Analysis) -> dict[Edge, float]:
    """Entity pairs and how strongly they are coupled (weights add up over criteria and use cases)."""
    weights: dict[Edge, float] = {}

    def add(a: str, b: str, weight: float) -> None:
        if a != b:
            key = _edge(a, b)
            weights[key] = weights.get(key, 0.0) + weight

    for name, entity in spec.entities.items():
        if entity.part_of:
            add(name, entity.part_of, COMPOSITION)
        for other in entity.many_to_many.values():
            add(name, other, MANY_TO_MANY)
        for field in entity.fields.values():
            if field.type.kind == "ref" and field.type.target:
                add(name, field.type.target, REFERENCE)
    for use_case in analysis.use_cases:
        written = STRONG_CO_WRITE if use_case.spec.consistency == "strong" else EVENTUAL_CO_WRITE
        for a, b in combinations(use_case.writes, 2):
            add(a, b, written)
        for a, b in combinations(use_case.entities, 2):
            if not (a in use_case.writes and b in use_case.writes):
                add(a, b, READ_TOGETHER)
    return dict(sorted(weights.items()))


def all_scores(graph: dict[Edge, float], groups: dict[str, list[str]]) -> dict[str, tuple[float, float]]:
    """(cohesion, coupling) of every group, in one pass over the edges.

    >>> all_scores({("A", "B"): 8.0, ("B", "C"): 2.0}, {"ab": ["A", "B"], "c": ["C"]})
    {'ab': (0.8, 2.0), 'c': (1.0, 2.0)}
    """
    group_of = {member: name for name, members in groups.items() for member in members}
    internal = dict.fromkeys(groups, 0.0)
    external = dict.fromkeys(groups, 0.0)
    for (a, b), weight in graph.items():
        ga, gb = group_of.get(a), group_of.get(b)
        if ga is not None and ga == gb:
            internal[ga] += weight
            continue
        for group in (ga, gb):
            if group is not None:
                external[group] += weight
    result = {}
    for name, members in groups.items():
        total = internal[name] + external[name]
        cohesion = 1.0 if len(members) == 1 or not total else internal[name] / total  # one entity has nothing inside to split
        result[name] = (round(cohesion, 3), round(external[name], 3))
    return result
