"""Graph walks over an edge table (adjacency lists), always bounded by the designed depth.

A neighbourhood (``GET .../network?depth=``) is a recursive query from the start node, one
index range read per node and hop; a path (``GET .../path?to=``) is a breadth-first search
from both ends at once, one query per hop and side, which stops at the depth or when a
frontier passes ``MAX_FRONTIER`` nodes. The design may plan an in-memory graph service or a
graph database past what one node walks; the walks here are the same answers from the
edge table, which stays the truth either way.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response
from sqlalchemy import literal, select
from sqlalchemy.sql.elements import ColumnElement

from .access import reading, respond, visible
from .db import one
from .problems import Problem
from .resources import Operation, Resource, Walk
from .services import Context
from .values import to_json

#: Nodes one side's frontier may hold before a path search gives up (the walk stays a bounded request).
MAX_FRONTIER = 10_000


def within(walk: Walk, resource: Resource, start: Any, depth: int) -> ColumnElement[bool]:
    """The rows 1 to ``depth`` hops from ``start`` along the edges (``start`` itself excluded)."""
    edges = walk.source.table
    seed = select(walk.target.label("node"), literal(1).label("hops")).where(walk.source == start)
    reach = seed.cte("reach", recursive=True)
    step = select(walk.target, reach.c.hops + 1).select_from(edges.join(reach, walk.source == reach.c.node)).where(reach.c.hops < depth)
    reach = reach.union(step)
    return resource.key.in_(select(reach.c.node).where(reach.c.node != start))


async def _hop(conn: Any, walk: Walk, frontier: set[Any], forward: bool) -> dict[Any, Any]:
    """One hop from every node of ``frontier``: neighbour -> the node it was reached from."""
    near, far = (walk.source, walk.target) if forward else (walk.target, walk.source)
    rows = (await conn.execute(select(near, far).where(near.in_(list(frontier))))).all()
    reached: dict[Any, Any] = {}
    for origin, neighbour in rows:
        reached.setdefault(neighbour, origin)
    return reached


async def path(ctx: Context, op: Operation, key: Any, to: Any, max_depth: int) -> Response:
    """The shortest path from ``key`` to ``to`` within ``max_depth`` hops: ``{degrees, path: [{hop, id}]}`` (null degrees when farther)."""
    resource = op.resource
    walk = op.walk
    assert walk is not None
    depth = min(max_depth, walk.depth)
    async with reading(ctx, resource) as conn:
        if one(await conn.execute(select(resource.key).where(resource.lookup == key, *visible(ctx, resource, op.owner)))) is None:
            raise Problem(404, f"No {resource.name} with this id exists, or you may not see it.")
        ahead: dict[Any, Any] = {key: None}
        behind: dict[Any, Any] = {to: None}
        front, back = {key}, {to}
        meeting = key if key == to else None
        hops = 0
        while meeting is None and hops < depth and front and back and len(front) <= MAX_FRONTIER and len(back) <= MAX_FRONTIER:
            forward = len(front) <= len(back)
            reached = await _hop(conn, walk, front if forward else back, forward)
            seen, other = (ahead, behind) if forward else (behind, ahead)
            fresh = {n: o for n, o in reached.items() if n not in seen}
            seen.update(fresh)
            if forward:
                front = set(fresh)
            else:
                back = set(fresh)
            hops += 1
            meeting = next((n for n in sorted(fresh, key=str) if n in other), None)
    if meeting is None:
        return respond(ctx, 200, {"degrees": None, "path": []})
    route = []
    node = meeting
    while node is not None:
        route.append(node)
        node = ahead[node]
    route.reverse()
    node = behind[meeting]
    while node is not None:
        route.append(node)
        node = behind[node]
    return respond(ctx, 200, {"degrees": len(route) - 1, "path": [{"hop": i, "id": to_json(n)} for i, n in enumerate(route)]})
