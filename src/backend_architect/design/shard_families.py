"""A family's shard key chosen from its traffic: a parent whose children are keyed by its id is sharded by that id.

A parent (a chat, a video) whose children hold its id (messages, members; tags, renditions, views)
and outweigh it in rows, and whose hot paths reach it by that id (a get of the parent, a child
created under it, a child listed by it, a parent field written beside a child), shares one shard map
with those children only when its own rows hash by that id: sharded by its owner (``created_by_id``,
``uploader_id``) instead, the children hash by a value the parent row does not hold, the family lands
on two maps, and the write that touches a child with its parent spans shards. So such a parent is
sharded by ``id`` (the children then follow it by their reference: ``co_writes.shard_map``), unless a
read selects the parent by another column more often than the family's paths address it by id. A
read of the parent by that other column ("list my chats") then visits every shard: it is listed
among the table's cross-shard reads (``Sharding.cross_shard``) with its rate, as every such read is.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase
from backend_architect.ir.model import Architecture, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import resolve_column, split_filter


def children_by_id(arch: Architecture, table: Table) -> list[tuple[Table, str]]:
    """The tables whose rows hold ``table``'s id in a required column (a foreign key to its key), with that column."""
    found = []
    for store in arch.datastores:
        for child in store.tables:
            if child.name == table.name or child.entity is None:
                continue
            for fk in child.foreign_keys:
                column = next((c for c in child.columns if c.name == fk.columns[0]), None)
                if fk.ref_table == table.name and fk.ref_columns == table.primary_key == ["id"] and column is not None and not column.nullable:
                    found.append((child, fk.columns[0]))
                    break
    return found


def _filters(spec: Spec, use_case: UseCase, entity: str) -> set[str]:
    """The columns of ``entity`` a use case selects its rows by."""
    columns = set()
    for raw in use_case.spec.filter:
        ref, _ = split_filter(raw)
        owner, dot, field = ref.partition(".")
        if not dot:
            owner, field = use_case.entity, ref
        if owner == entity:
            column = resolve_column(spec, entity, field)
            if column:
                columns.add(column)
    return columns


def by_id_traffic(spec: Spec, table: Table, children: list[tuple[Table, str]], use_cases: list[UseCase]) -> tuple[float, float]:
    """Peak requests/s that reach the family by the parent's id, and those that select the parent by another column.

    By id: a get of the parent, a write of the parent's fields that does not create it, a child created
    (its row carries the parent's id) or read by its reference. Otherwise: a read of the parent by its own
    other columns (its owner, a status).
    """
    entity = table.entity or ""
    kids: dict[str | None, str] = {child.entity: column for child, column in children}
    by_id = by_other = 0.0
    for use_case in use_cases:
        if use_case.is_job:
            continue
        own = _filters(spec, use_case, entity) - {"id"}
        if use_case.entity == entity and not use_case.is_write and own:
            by_other += use_case.peak_qps
        elif _by_id(spec, use_case, entity, kids):
            by_id += use_case.peak_qps
    return by_id, by_other


def _by_id(spec: Spec, use_case: UseCase, entity: str, kids: dict[str | None, str]) -> bool:
    """Whether ``use_case`` reaches the family by the parent's id: a get or an update of the parent, a child created or read by
    its reference, or a parent field written beside another row."""
    if use_case.entity == entity:
        return use_case.kind == "get" or (use_case.is_write and use_case.kind != "create")
    if use_case.entity in kids:
        return use_case.is_write or kids[use_case.entity] in _filters(spec, use_case, use_case.entity)
    return entity in use_case.writes


def family_key(spec: Spec, arch: Architecture, table: Table, use_cases: list[UseCase], rows: dict[str, float]) -> str | None:
    """``'id'`` when ``table`` heads a family its children outweigh and its traffic addresses by id, else ``None`` (another rule decides).

    ``rows`` are each table's rows at the horizon; the children outweigh the parent in rows there or in new rows a day.
    """
    if table.primary_key != ["id"] or table.tenant_scoped:
        return None
    children = children_by_id(arch, table)
    if not children:
        return None
    # the children carry most of the family's rows at the horizon, or of its new rows a day (a child kept a short while
    # elsewhere still takes most of the writes)
    heavier = sum(rows.get(child.name, 0.0) for child, _ in children) > rows.get(table.name, 0.0)
    busier = sum(child.rows_per_day for child, _ in children) > table.rows_per_day
    if not (heavier or busier):
        return None
    by_id, by_other = by_id_traffic(spec, table, children, use_cases)
    return "id" if by_id > by_other else None


__all__ = ["by_id_traffic", "children_by_id", "family_key"]
