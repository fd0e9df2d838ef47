"""What a GEO set of positions kept in memory (PAT020, PAT021) answers for a proximity read, decided from the spec alone.

A moving point written faster than a primary takes (``latest: true``, past PAT020's threshold) lives only in a Redis GEO
set, split into one set per value of each bool or enum field its searches filter by (``_geo_sets``). A proximity read
filtering the point's entity only by those fields and by constants gets its answer, the ids of the matching points, from
the set alone: the entity's rows are never read for it. Asking the entity's owner for "the rows the read filters by near
the point" would count a database search for positions the database does not hold (its point columns keep only the
position as created). The communication stage reads this before the patterns run, so it is decided here from the spec,
by the same rules the patterns apply.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.patterns._geo_sets import split_columns
from backend_architect.spec.model import Spec


def kept_points(spec: Spec, analysis: Analysis) -> set[tuple[str, str]]:
    """The (entity, point field) pairs whose latest position lives in memory, not in the entity's row."""
    # the patterns import the stages' helpers (graph reads among them): imported here, when the stage runs, not at load
    from backend_architect.design.patterns.latest import in_memory, latest_of

    found: set[tuple[str, str]] = set()
    for use_case in analysis.use_cases:
        if use_case.spec.latest and use_case.is_write and use_case.entity in spec.entities and in_memory(spec, use_case):
            latest = latest_of(spec, use_case)
            if latest.geo is not None and not latest.appends:
                found.add((latest.entity, latest.geo))
    return found


def answered_by_set(spec: Spec, analysis: Analysis, use_case: UseCase, entity: str) -> bool:
    """Whether ``use_case``'s filters on ``entity`` are all answered by the in-memory GEO set it searches: its point is on
    ``entity`` and kept in memory, and each filter on ``entity`` is a constant or a field the set is split by."""
    near = use_case.spec.near or ""
    owner, dot, field = near.partition(".")
    if not dot:
        owner, field = use_case.entity, near
    if owner != entity or (entity, field) not in kept_points(spec, analysis):
        return False
    sets = split_columns(spec, entity, field)
    return all(f.constant is not None or f.column in sets for f in use_case.filters if f.entity == entity)


__all__ = ["answered_by_set", "kept_points"]
