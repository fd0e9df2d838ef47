"""Fresh reads that would call each other in a cycle: the one whose data changes least is served from an event-fed copy.

A write reading another service's row within its request calls that service (``usecases.remote_access``).
Two services whose use cases read each other's rows that way (a fare quote reading the cabs the trips
service owns, a ride booking reading the quote) call each other: a synchronous cycle (TOP002, an error),
where neither can be deployed, scaled or fail apart. The design must not build what its critic flags, so
the cycle is broken by the rule the reference checks follow (``design.reference_checks``): one edge takes
an event-fed local copy of the rows it reads, fed by the owner's events (the relay's lag behind it).

- Only edges of reads can yield: a cross-service write is a saga step and stays a call; a read of an entity
  no use case writes has no events to feed a copy and stays a call.
- Of the yielding edges on a cycle, the one whose entities change least (their writes/s at peak) takes the
  copy: it costs its keeper the fewest rows, and it is the freshest copy (a row written once, as a quote is,
  is exact once its event has arrived). Ties go to the caller and owner names, so the choice is deterministic.
- Repeat until no cycle is left, or none of its edges can yield (then the critic says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx

from backend_architect.design.analysis import UseCase
from backend_architect.design.relay import RELAY_S
from backend_architect.design.usecases import remote_access


def changes_per_s(use_cases: Iterable[UseCase], entity: str) -> float:
    """Writes/s at peak that change ``entity``'s rows: what a copy of it consumes and how often it can trail its owner."""
    return sum(u.peak_qps for u in use_cases if u.is_write and (u.entity == entity or entity in u.writes))


def copied_reads(use_cases: Sequence[UseCase], owner: dict[str, str]) -> dict[tuple[str, str], str]:
    """(use case, entity) -> reason, for each fresh cross-service read served from an event-fed copy to break a call cycle.

    >>> copied_reads([], {})
    {}
    """
    fed = {u.entity for u in use_cases if u.is_write} | {e for u in use_cases for e in u.writes}
    reads: dict[tuple[str, str], list[tuple[str, str]]] = {}
    graph: nx.DiGraph[str] = nx.DiGraph()
    unbreakable: set[tuple[str, str]] = set()
    for use_case in use_cases:
        if use_case.entity not in owner:
            continue
        home = owner[use_case.entity]
        fresh, writes = remote_access(use_case, owner, copied=())
        for service, entities in fresh.items():
            graph.add_edge(home, service)
            reads.setdefault((home, service), []).extend((use_case.name, e) for e in entities)
            if any(e not in fed for e in entities):
                unbreakable.add((home, service))
        for service in writes:
            graph.add_edge(home, service)
            unbreakable.add((home, service))
    copied: dict[tuple[str, str], str] = {}
    while True:
        candidates = []
        for component in nx.strongly_connected_components(graph):
            for edge in sorted(graph.subgraph(component).edges):
                if edge not in unbreakable and edge in reads:
                    entities = sorted({e for _, e in reads[edge]})
                    candidates.append((sum(changes_per_s(use_cases, e) for e in entities), edge, entities))
        if not candidates:
            return copied
        rate, (caller, callee), entities = min(candidates)
        cycle = " -> ".join([caller, *_path(graph, callee, caller)])
        others = [f"{c[1][0]} reading {', '.join(c[2])} from {c[1][1]} ({c[0]:,.0f}/s)" for c in sorted(candidates) if c[1] != (caller, callee)]
        against = f"; of the cycle's reads it changes least (the others: {'; '.join(others)})" if others else ""
        reason = (
            f"reads {', '.join(entities)} from an event-fed local copy kept in {caller}, about {RELAY_S:g} s behind {callee} (the event relay's lag): "
            f"a synchronous read would close the call cycle {cycle}; {', '.join(entities)} changes {rate:,.0f} times/s at peak{against}"
        )
        for name, entity in reads[(caller, callee)]:
            copied[(name, entity)] = reason
        graph.remove_edge(caller, callee)


def _path(graph: nx.DiGraph[str], start: str, goal: str) -> list[str]:
    """The services from ``start`` to ``goal`` along synchronous calls (the rest of the cycle being broken)."""
    return list(nx.shortest_path(graph, start, goal))


__all__ = ["changes_per_s", "copied_reads"]
