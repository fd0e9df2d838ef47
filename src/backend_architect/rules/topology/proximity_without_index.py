from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Table
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="TOP021",
    name="proximity-read-without-spatial-index",
    severity=Severity.WARNING,
    title="A proximity search has no spatial index behind it",
    fix="Index the points by cell (a B-tree on a geohash column, or GiST on a PostGIS geography), or search them in a Redis GEO set.",
)
def proximity_read_without_spatial_index(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations that search around a point (``lat`` and ``lon`` query parameters) whose
    entity's table has no spatial index (an index on a ``*_cell`` column, or a GiST/SP-GiST
    index) and whose points are not placed in a Redis GEO set, nor searched by a read mechanism
    that answers the use case from one (GEOSEARCH).

    ## Why is this bad?
    Without a cell index the database can use one range per B-tree: latitude alone selects a
    band across the whole service area, thousands of rows per search where a few cells hold
    the answer; every search then sorts the band by distance.

    ## Example
    use_cases:
      - {name: find nearby drivers, reads: [Driver], near: Driver.location}   # table without the cell index

    Use instead:
    use_cases:
      - {name: find nearby drivers, reads: [Driver], near: Driver.location}   # PAT021 indexes location_cell

    ## References
    G. Niemeyer, geohash (2008); PostGIS documentation, "Spatial indexing".
    """
    tables = {t.entity: t for store in arch.datastores for t in store.tables if t.entity}
    pointed = [t for t in tables.values() if _has_points(t)]
    placed = {p.data.split(".", 1)[0] for p in arch.placements if "GEO" in p.store}
    # a GEO set that answers the search itself needs no index in the database behind it
    served = {m.use_case for m in arch.mechanisms if m.serves == "read" and "GEOSEARCH" in m.how}
    for api in arch.apis:
        for op in api.operations:
            names = {p.name for p in op.parameters if p.location == "query"}
            table = tables.get(op.entity or "")
            if not {"lat", "lon"} <= names or table is None or served & set(op.use_cases):
                continue
            # the points may be a related row's (cabs near their drivers' positions): then any table holding points may serve it
            candidates = [table] if _has_points(table) else pointed
            if any(t.name in placed or _spatially_indexed(t) for t in candidates):
                continue
            where = ", ".join(t.name for t in candidates) or table.name
            yield self.finding(f"operation {op.operation_id}", f"{op.method.upper()} {op.path} searches around a point; {where} has no spatial index")


def _has_points(table: Table) -> bool:
    return any(c.name.endswith(("_cell", "_lat")) for c in table.columns)


def _spatially_indexed(table: Table) -> bool:
    return any(i.method in {"gist", "spgist"} or any(c.name.endswith("_cell") for c in i.columns) for i in table.indexes)
