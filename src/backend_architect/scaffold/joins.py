"""Joins within one module's tables: which column of which table a spec field names, and the path of references to it.

A filter, sort or owner naming another entity's field (``Tag.name`` on questions,
``Membership.user`` on conversations) reads that field through the references between the
two tables. The references are the design's foreign keys, and, where a key was left out
(partitioned or sharded tables keep none), the ``<entity>_id`` columns that name another
table's entity. The path is the shortest one, and never runs through the filtered column
itself: ``Follow.follower`` on tweets joins through the follow's *other* reference.

Only tables of the same module join: another module's or service's rows live behind its
API, so a filter reaching them is a gap the scaffold reports (see ``mechanisms``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from backend_architect.ir.model import Table
from backend_architect.scaffold.naming import identifier


@dataclass(frozen=True)
class Hop:
    """One join: ``left_table.left_column = right_table.right_column``; the first hop's left table is the one read."""

    left_table: str
    left_column: str
    right_table: str
    right_column: str


@dataclass(frozen=True)
class FieldAt:
    """Where a spec field lives: its table and column, and the hops from the table read to it (none: the table itself)."""

    table: str
    column: str
    via: tuple[Hop, ...] = ()


def _key(table: Table) -> str:
    names = [c.name for c in table.columns]
    return "id" if "id" in names else table.primary_key[0]


def references(tables: list[Table]) -> list[tuple[str, str, str, str]]:
    """Every reference between ``tables`` as (table, column, referenced table, its key): foreign keys, then ``<entity>_id`` columns.

    >>> from backend_architect.ir.model import Column
    >>> videos = Table(name="videos", entity="Video", columns=[Column(name="id", type="uuid")], primary_key=["id"])
    >>> links = Table(name="video_tags", columns=[Column(name="video_id", type="uuid"), Column(name="tag_id", type="uuid")], primary_key=["video_id"])
    >>> references([videos, links])
    [('video_tags', 'video_id', 'videos', 'id')]
    """
    by_name = {t.name: t for t in tables}
    by_entity = {identifier(t.entity): t for t in tables if t.entity}
    found: list[tuple[str, str, str, str]] = []
    for table in tables:
        for fk in table.foreign_keys:
            target = by_name.get(fk.ref_table)
            if target is not None and len(fk.columns) == 1:
                found.append((table.name, fk.columns[0], target.name, fk.ref_columns[0] if fk.ref_columns else _key(target)))
        taken = {c for t, c, _, _ in found if t == table.name}
        for column in table.columns:
            if column.name in taken or not column.name.endswith("_id"):
                continue
            target = by_entity.get(column.name.removesuffix("_id")) or by_entity.get(identifier(column.source_field or ""))
            if target is not None and target.name != table.name and column.type == next(c.type for c in target.columns if c.name == _key(target)):
                found.append((table.name, column.name, target.name, _key(target)))
    return found


def column_of(table: Table, field: str) -> str | None:
    """The column holding spec field ``field`` of ``table``: by name, by source field (``author`` -> ``author_id``), or ``<field>_id``."""
    names = {c.name for c in table.columns}
    if field in names:
        return field
    by_source = [c.name for c in table.columns if c.source_field == field]
    if len(by_source) == 1:
        return by_source[0]
    return f"{field}_id" if f"{field}_id" in names else None


def path_to(tables: list[Table], start: str, goal: str, avoid: str | None = None) -> tuple[Hop, ...] | None:
    """The shortest chain of references from ``start`` to ``goal`` (both table names), not through ``goal``'s column ``avoid``."""
    if start == goal:
        return ()
    edges: dict[str, list[Hop]] = {}
    for table, column, target, key in references(tables):
        if (table == goal and column == avoid) or (target == goal and key == avoid):
            continue
        edges.setdefault(target, []).append(Hop(target, key, table, column))
        edges.setdefault(table, []).append(Hop(table, column, target, key))
    seen = {start}
    queue: deque[tuple[str, tuple[Hop, ...]]] = deque([(start, ())])
    while queue:
        node, hops = queue.popleft()
        for hop in sorted(edges.get(node, []), key=lambda h: (h.right_table, h.right_column, h.left_column)):
            if hop.right_table in seen:
                continue
            route = (*hops, hop)
            if hop.right_table == goal:
                return route
            seen.add(hop.right_table)
            queue.append((hop.right_table, route))
    return None


def locate(tables: list[Table], start: Table, ref: str) -> FieldAt | None:
    """Where the spec reference ``ref`` (``field`` of the table read, or ``Entity.field``) lives, with the hops to it.

    A many-to-many relation of the table read (``tags``) is its link table's column; None when
    the entity is not among ``tables`` or no chain of references reaches it.
    """
    entity, dot, field = ref.partition(".")
    if not dot:
        entity, field = start.entity or "", ref
    target = next((t for t in tables if t.entity == entity), None)
    if target is None:
        return None
    column = column_of(target, field)
    if column is None and target.name == start.name:
        return _link_column(tables, start, field)
    if column is None:
        return None
    if target.name == start.name:
        return FieldAt(target.name, column)
    via = path_to(tables, start.name, target.name, avoid=column)
    return FieldAt(target.name, column, via) if via is not None else None


def _link_column(tables: list[Table], start: Table, relation: str) -> FieldAt | None:
    """A many-to-many relation's far column (``tags`` -> ``book_tags.tag_id``), through the link table that references ``start``."""
    for table, column, target, key in references(tables):
        if target != start.name:
            continue
        link = next(t for t in tables if t.name == table)
        if link.entity is not None:
            continue
        others = [c.name for c in link.columns if c.name.endswith("_id") and c.name != column]
        wanted = [c for c in others if c.removesuffix("_id") in {relation, relation.removesuffix("s"), relation.removesuffix("es")}]
        if len(wanted) == 1:
            return FieldAt(link.name, wanted[0], (Hop(start.name, key, link.name, column),))
    return None
