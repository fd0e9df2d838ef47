"""The entities of a spec as a graph of relations, and the join paths between them.

A use case may filter, sort or search on an entity it does not read directly: tweets by
``Follow.follower`` (the tweets of the people someone follows), articles by ``Tag.name``.
Such a reference is a join through the relations the spec declares; this module finds the
shortest one, deterministically (relations in declaration order), so the checker, the
analysis and the stages all read the same join.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

Via = Literal["ref", "part_of", "many"]


@dataclass(frozen=True)
class Hop:
    """One join: from ``source`` to ``target`` through ``relation``, declared on ``owner``.

    ``forward`` is True when the relation is declared on ``source`` (a child's reference to
    its parent, a join table read from the side that names it), False when walked backwards
    (from a parent to the children that reference it).
    """

    source: str
    target: str
    owner: str
    relation: str
    via: Via
    forward: bool

    def __str__(self) -> str:
        arrow = "->" if self.forward else "<-"
        return (
            f"{self.source} {arrow} {self.owner}.{self.relation} {arrow} {self.target}"
            if self.owner not in {self.source, self.target}
            else (f"{self.source}.{self.relation} -> {self.target}" if self.forward else f"{self.source} <- {self.target}.{self.relation}")
        )


def declared(spec: Spec, entity: str) -> list[tuple[str, str, Via]]:
    """The relations ``entity`` declares, in order: (name, target, how)."""
    body = spec.entities[entity]
    found: list[tuple[str, str, Via]] = []
    if body.part_of:
        found.append((snake(body.part_of), body.part_of, "part_of"))
    for name, field in body.fields.items():
        if field.type.kind == "ref" and field.type.target:
            found.append((name, field.type.target, "ref"))
    for name, target in body.many_to_many.items():
        found.append((name, target, "many"))
    return found


def hops(spec: Spec) -> dict[str, list[Hop]]:
    """Every hop out of every entity: its own relations forward, then others' relations to it backwards."""
    out: dict[str, list[Hop]] = {name: [] for name in spec.entities}
    for owner in spec.entities:
        for relation, target, via in declared(spec, owner):
            if target not in out:
                continue
            out[owner].append(Hop(owner, target, owner, relation, via, True))
            out[target].append(Hop(target, owner, owner, relation, via, False))
    return out


def join_path(spec: Spec, start: str, goal: str, *, avoid: tuple[str, str] | None = None) -> tuple[Hop, ...] | None:
    """The shortest chain of hops from ``start`` to ``goal`` (empty when they are the same), or None.

    ``avoid`` = (entity, relation) is a relation the path may not use: a filter on
    ``Follow.follower`` joins Follow through its *other* reference, since ``follower`` is
    the value compared, not the link.
    """
    if start == goal:
        return ()
    graph = hops(spec)
    seen = {start}
    queue: deque[tuple[str, tuple[Hop, ...]]] = deque([(start, ())])
    while queue:
        entity, path = queue.popleft()
        for hop in graph.get(entity, ()):
            if avoid is not None and (hop.owner, hop.relation) == avoid:
                continue
            if hop.target in seen:
                continue
            if hop.target == goal:
                return (*path, hop)
            seen.add(hop.target)
            queue.append((hop.target, (*path, hop)))
    return None
