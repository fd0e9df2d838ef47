"""PAT021: proximity reads (``near``) over a geohash cell index, or over the Redis GEO set moving points are written to."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.data import constraint_name
from backend_architect.design.overrides import settled, steer
from backend_architect.design.paths import unserved
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._api import integer, number, own_operation, with_parameters
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, decision, figure, fmt, owner_of, table_of
from backend_architect.design.patterns._geo_sets import set_constants, set_key, split_columns
from backend_architect.design.patterns._widening import Widening, km, widening
from backend_architect.design.region_homes import serving_regions
from backend_architect.design.searched_states import unkept_states
from backend_architect.design.usecases import found_by_search
from backend_architect.ir.model import Architecture, CachePlan, Figure, Index, IndexColumn, Operation, Table
from backend_architect.ir.runtime import Component, Mechanism
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import resolve_column, snake, split_filter

#: Width and height (km, at the equator) of a geohash cell by precision (characters): each character halves both
#: sides in turn (Niemeyer's geohash; the widths every geohash library documents).
GEOHASH_KM: dict[int, tuple[float, float]] = {
    1: (5009.4, 4992.6),
    2: (1252.3, 624.1),
    3: (156.5, 156.0),
    4: (39.1, 19.5),
    5: (4.89, 4.89),
    6: (1.22, 0.61),
    7: (0.153, 0.153),
    8: (0.0382, 0.0191),
    9: (0.00477, 0.00477),
}
#: Area the points of one region concentrate in (a metropolitan area: Greater London is 1,572 km², Greater Tokyo 13,500 km²).
SERVICE_AREA_KM2 = 10_000.0
#: Index entries of (cell, lat, lon, id) one 8 KB B-tree leaf page holds, read together.
ENTRIES_PER_PAGE = 100
#: The smallest search radius a k-nearest query starts from.
MIN_RADIUS_KM = 0.1


@dataclass(frozen=True)
class Search:
    """One proximity read: the point field, the radius and density, the cell precision and what a query costs."""

    entity: str
    field: str
    radius_km: float
    radius_given: bool
    density: float
    precision: int
    cells: int
    candidates: float
    pages: float
    within: float
    #: The radii a k-nearest search widens through (None: the spec's radius, one search).
    widening: Widening | None = None
    #: Index pages one search reads on average, every radius it tries counted (``pages`` where it tries one).
    searched_pages: float = 0.0


def _cost(radius: float, density: float, precision: int) -> tuple[int, float, float]:
    """(cells, candidates, pages) of one search of ``radius`` km at ``precision``: range scans, rows read, index pages."""
    width, height = GEOHASH_KM[precision]
    cells = (math.ceil(2 * radius / width) + 1) * (math.ceil(2 * radius / height) + 1)
    candidates = density * cells * width * height
    return cells, candidates, cells + candidates / ENTRIES_PER_PAGE


def plan_search(spec: Spec, analysis: Analysis, use_case: UseCase) -> Search:
    """The cell precision that reads the fewest index pages for this radius and density, and the cost at that precision."""
    near = use_case.spec.near or ""
    entity, dot, field = near.partition(".")
    if not dot:
        entity, field = use_case.entity, near
    points = analysis.rows(entity)
    density = points / (SERVICE_AREA_KM2 * serving_regions(spec, analysis))
    given = use_case.spec.radius is not None
    if given:
        radius = (use_case.spec.radius or 0.0) / 1000
    else:
        radius = max(MIN_RADIUS_KM, math.sqrt((picked(use_case) or use_case.spec.page.limit) / (math.pi * density)) if density else MIN_RADIUS_KM)
    best: tuple[float, int, int, float] | None = None
    for precision in GEOHASH_KM:
        cells, candidates, pages = _cost(radius, density, precision)
        if best is None or pages < best[0]:
            best = (pages, precision, cells, candidates)
    assert best is not None
    pages, precision, cells, candidates = best
    within = math.pi * radius**2 * density
    k = picked(use_case)
    # the first radius and its precision are the figures'; each wider step reads its own cells at that precision, when reached
    steps = None if given or not k else widening(radius, k, within)
    searched = pages if steps is None else sum(r * _cost(s, density, precision)[2] for r, s in zip(steps.reach, steps.radii_km, strict=True))
    return Search(entity, field, radius, given, density, precision, cells, candidates, pages, within, steps, searched)


def picked(use_case: UseCase) -> int | None:
    """Points one search returns: a read's page; for a write picking its recipients, its ``avg_fanout``, else the page size where it
    asks for the k nearest (no radius: a count is all that bounds it); None: every point within the spec's radius."""
    if not use_case.is_write:
        return use_case.spec.page.limit
    if use_case.spec.avg_fanout:
        return math.ceil(use_case.spec.avg_fanout)
    return use_case.spec.page.limit if use_case.spec.radius is None else None


@pattern(code="PAT021", name="geo-proximity-index", stage="access_paths", title="Index points by cell for proximity reads")
def proximity(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A read says ``near: Entity.field`` over a ``geo`` field, within ``radius`` or the k nearest
    (k = the page size), or a write with ``deliver`` does (its query picks the recipients: the
    nearby drivers a ride is offered to; no query parameters, no read path of its own). Points are assumed to concentrate in 10,000 km² per region (a
    metropolitan area), which gives their density; a k-nearest query (no ``radius``; k = the page's
    limit, or a write's ``avg_fanout``) starts at the radius that holds k points on average with
    COUNT k, and repeats at twice the radius while it finds fewer than k (4 searches at most:
    ``_widening``), since one search at that radius falls short about half the time.

    ## What it adds
    The geohash precision whose cells cover the search circle in the fewest index pages (range
    scans + candidates / 100 entries a page); a B-tree on ``<field>_cell`` (with the constant
    filters as its predicate and the coordinates included, for index-only scans); ``lat``,
    ``lon`` and ``radius`` (metres) query parameters. Points written with ``latest: true`` at a rate
    that put them in a Redis GEO set (PAT020) are searched there (GEOSEARCH); so are reads past
    what one database node serves.

    ## What it costs
    Per query: cells range scans, candidates = density x cells x cell area rows read, of which
    pi r² x density are within the radius. Index reads/s = peak x pages. A k-nearest query's figures
    are its first radius's; its pages, Redis operations and latency count each wider radius by the
    share of searches reaching it (``geo.steps``: 1 + P(fewer than k within r) + P(fewer within 2r) ...).

    ## Alternatives
    Two B-trees on latitude and longitude (one range per index: a band across the whole area);
    PostGIS with GiST (an extension to run, no SQLite); H3 or S2 cells (a library in every
    client, for hexagon aggregation); a quadtree service (adaptive, but a service to build).

    ## References
    G. Niemeyer, geohash (2008); Redis documentation, GEOSEARCH; Uber engineering, "H3: Uber's
    Hexagonal Hierarchical Spatial Index" (2018); PostGIS documentation, ST_DWithin.
    """
    changed: list[tuple[str, Table]] = []
    for use_case in analysis.use_cases:
        # a write searches too when its proximity query picks the recipients of its delivery (the nearby drivers), or finds
        # the rows it reads (a fare estimate reads the drivers near its pickup: no id in the request to read them by)
        if not use_case.spec.near or (use_case.is_write and use_case.spec.deliver is None and found_by_search(use_case) is None):
            continue
        # two searches of one table each change it (an index dropped, one added): the second starts from the first's table
        arch = _with_tables(arch, changed)
        search = plan_search(spec, analysis, use_case)
        if search.entity not in spec.entities or table_of(arch, search.entity) is None:
            continue
        found = table_of(arch, search.entity)
        assert found is not None
        moving = _moving(arch, found[1].name, search.field)
        by_numbers = "redis" if moving or use_case.peak_qps * search.searched_pages > PRIMARY_READ_CEILING else "database"
        steered = steer(spec, f"geo.{use_case.id}", by_numbers, PLACES, (proximity.code, proximity.name))
        if steered.build == "database" and moving:
            note = (
                f"decisions.geo.{use_case.id}: {search.entity}.{search.field} positions live in Redis (latest values in memory): the database's "
                f"cells would be stale; keep them in the row first (decisions: latest.<use case>: in place); it changed nothing"
            )
            kept = _applied(spec, analysis, arch, use_case, search, True)
            changed += kept.tables
            yield kept
            yield Applied(None, assumptions=(note,))
            continue
        built = _applied(spec, analysis, arch, use_case, search, steered.build == "redis")
        numbers = _applied(spec, analysis, arch, use_case, search, by_numbers == "redis") if steered.overruled else built
        assert built.decision is not None
        assert numbers.decision is not None
        choices = {"choices": [names[0] for key, names in PLACES.items() if key == "redis" or not moving]}
        changed += built.tables
        yield dataclasses.replace(built, decision=settled(steered, numbers.decision.model_copy(update=choices), built.decision.model_copy(update=choices)))


def _count(use_case: UseCase, k: int | None) -> str:
    """GEOSEARCH's COUNT: the recipients a write picks, or the page a read asks for (its default, up to the contract's max)."""
    if not k:
        return ""
    if use_case.is_write:
        return f" COUNT {k}"
    return f" COUNT {{limit}} (the page's limit: {k} by default, at most {use_case.spec.page.max})"


def _with_tables(arch: Architecture, tables: Sequence[tuple[str, Table]]) -> Architecture:
    """``arch`` with the tables earlier searches changed, each in its store."""
    if not tables:
        return arch
    latest = {(store, t.name): t for store, t in tables}
    stores = [s.model_copy(update={"tables": [latest.get((s.name, t.name), t) for t in s.tables]}) for s in arch.datastores]
    return arch.model_copy(update={"datastores": stores})


#: What ``choose:`` builds for a proximity search, by the names an author may use.
PLACES = {"database": ["the geohash B-tree in PostgreSQL", "geohash cells", "in the database"], "redis": ["Redis GEO", "Redis"]}


def _moving(arch: Architecture, table: str, field: str) -> bool:
    """Whether the points' latest positions live in a Redis GEO set (PAT020 put them there)."""
    return any(p.data == f"{table}.{field}" and "GEO" in p.store for p in arch.placements)


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, search: Search, in_redis: bool) -> Applied:
    found = table_of(arch, search.entity)
    assert found is not None
    store, table = found
    cell = f"{search.field}_cell"
    load = use_case.peak_qps * search.searched_pages
    steps = search.widening
    moving = _moving(arch, table.name, search.field)
    width, height = GEOHASH_KM[search.precision]
    constants, equality = _filters(spec, use_case, search.entity)
    where = " AND ".join(constants) or None
    subject = use_case.name
    scope = f"use case '{subject}'"
    area = SERVICE_AREA_KM2 * serving_regions(spec, analysis)
    k = picked(use_case) if use_case.is_write else use_case.spec.page.limit
    nearest = k or use_case.spec.page.limit
    radius_text = f"{search.radius_km:g} km" if search.radius_given else f"{search.radius_km:.2f} km (holds {nearest} points on average: k nearest)"
    # a k-nearest search says its radii once, the same clause in the decision, the flow step and the mechanism
    widens = f", {steps.said(_wanted(use_case, steps))}" if steps else ""
    # with Redis serving, the index figures size the database alternative (GEOSEARCH scans its own 9 cells)
    alt = "the database's geohash index (the alternative): " if in_redis else ""
    figures = (
        figure(
            f"geo.density.{use_case.id}",
            f"{search.entity} points per km²",
            search.density,
            "points/km²",
            "rows / (service_area_km2 x serving_regions)",
            {"rows": analysis.rows(search.entity), "service_area_km2": SERVICE_AREA_KM2, "serving_regions": float(serving_regions(spec, analysis))},
            scope,
        ),
        figure(
            f"geo.precision.{use_case.id}",
            f"{alt}geohash precision of {subject}",
            search.precision,
            "characters",
            "argmin over precision of cells + candidates / entries_per_page",
            {"radius_km": search.radius_km, "density": search.density, "entries_per_page": ENTRIES_PER_PAGE},
            scope,
        ),
        figure(
            f"geo.cells_per_query.{use_case.id}",
            f"{alt}cells (range scans) one {subject} reads",
            search.cells,
            "cells",
            "(ceil(2 x r_km / cell_width_km) + 1) x (ceil(2 x r_km / cell_height_km) + 1)",
            {"r_km": search.radius_km, "cell_width_km": width, "cell_height_km": height},
            scope,
        ),
        figure(
            f"geo.candidates_per_query.{use_case.id}",
            f"{alt}rows one {subject} reads before the exact distance check",
            search.candidates,
            "rows",
            "density x cells x cell_width_km x cell_height_km",
            {"density": search.density, "cells": search.cells, "cell_width_km": width, "cell_height_km": height},
            scope,
        ),
        _index_reads(use_case, search, load, f"{alt}index pages/s {subject} reads at peak", scope),
        *_steps_figure(use_case, search, scope),
    )
    band = search.density * 2 * search.radius_km * math.sqrt(area)
    alternatives = [
        ("latitude and longitude B-trees", f"one range per index: a band of {fmt(2 * search.radius_km)} km across the area, about {fmt(band)} rows a query"),
        (
            "PostGIS (geography + GiST)",
            f"an extension every environment must install (SQLite has none); the cell index reads {fmt(search.pages)} pages a query",
        ),
        ("H3 or S2 cells", "even neighbours, worth it to aggregate by area (pricing, heat maps); a library in every writer, where a geohash is a text prefix"),
        ("a quadtree service", "cells that adapt to density, but a service to build, shard and keep current"),
    ]
    if in_redis:
        sets = split_columns(spec, search.entity, search.field)
        after = [c for c in equality if c not in sets]
        key = search_key(spec, use_case, search.entity, search.field)
        fixed = set_constants(spec, use_case.spec.filter, search.entity, search.field)
        # a constant on a split column reads the set of that value (the writer's key names it): no set of its own
        constants = [c for c in constants if c.split(" = ")[0] not in fixed]
        source = "the GEO set the positions are written to (latest: true)" if moving else f"a GEO set kept current from {search.entity} changes"
        choice = (
            f"Redis GEO: GEOSEARCH {key} FROMLONLAT lon lat BYRADIUS {search.radius_km:g} km ASC{_count(use_case, k)}{widens} on {source}"
            + (f", one set per constant filter ({', '.join(constants)}): a member moves between sets when that changes" if constants else "")
            + (
                f", one set per value of {', '.join(sets)} ({_picks(use_case, equality, sets, fixed)}): a member moves between sets when its value changes"
                if sets
                else ""
            )
            + (f"; the points found are kept only where {', '.join(after)} match, read with them by id" if after else "")
            + (
                # positions kept in memory never reach the table: the next reports refill a lost set
                f"; a lost set refills from the next position reports (positions are not written to {table.name} per update, and the "
                "database holds no index for this search)"
                if moving
                else f"; a lost set is rebuilt by one scan of {table.name} (the database holds no index for this search)"
            )
        )
        why = (
            "the points move: their positions are in memory already"
            if moving
            else f"{fmt(load)} index pages/s is more than one node's {fmt(PRIMARY_READ_CEILING)}"
        )
        rationale = (
            f"{why}; GEOSEARCH scans the 9 geohash cells around the point (52-bit scores in a sorted set): about {fmt(search.candidates)} "
            f"candidates for {fmt(search.within)} points within {radius_text}"
            + (f"; {steps.expected_steps:g} searches a request on average (the geo.steps figure)" if steps else "")
        )
        alternatives.insert(
            0, ("the geohash B-tree in PostgreSQL", f"{'every position update would rewrite the indexed cell' if moving else f'{fmt(load)} pages/s'}")
        )
    else:
        choice = (
            f"geohash cells: a B-tree on {table.name}.{cell} (coordinates included for index-only scans"
            + (f", WHERE {where}" if where else "")
            + f"); a query reads the {search.cells} cells of precision {search.precision} ({width:g} x {height:g} km) around the point as prefix "
            "ranges, keeps the rows within the radius by exact distance and orders them by it" + widens
        )
        rationale = (
            f"{fmt(search.density)} points/km² and a search radius of {radius_text}: precision {search.precision} reads the fewest pages "
            f"({search.cells} range scans + {fmt(search.candidates)} candidates / {ENTRIES_PER_PAGE} a page = {fmt(search.pages)}); "
            + (f"with its wider radii, {fmt(search.searched_pages)} pages a search on average; " if steps else "")
            + f"{fmt(use_case.peak_qps)} searches/s at peak read {fmt(load)} pages/s, within one node's {fmt(PRIMARY_READ_CEILING)}"
        )
        alternatives.append(("Redis GEO", "another store to keep current; the points do not move fast enough to need memory"))
    made = decision(
        f"geo.{use_case.id}",
        f"Proximity index for {subject}",
        "read paths",
        choice,
        f"{subject}: {fmt(use_case.peak_qps)} searches/s at peak near {search.entity}.{search.field} ({fmt(analysis.rows(search.entity))} points)",
        rationale,
        alternatives=alternatives,
        consequences=(
            f"The nearest {search.entity}s are picked first{f', {k} at most' if k else ', every one within the radius'}: the rows the write reads. "
            if use_case.is_write and _reads_found(use_case)
            else f"The nearest {search.entity}s are picked first{f', {k} at most' if k else ', every one within the radius'}: the write's recipients. "
            if use_case.is_write
            else f"Results are sorted by distance; pages hold at most {use_case.spec.page.max} points. "
        )
        + (
            f"Where fewer than {_wanted(use_case, steps)} lie within {km(steps.radii_km[-1])} km (the widest radius), the search returns those it found. "
            if steps
            else ""
        )
        + "Cells are computed by the server from the coordinates (read-only in the API).",
        subject=subject,
        inputs={"peak_reads": use_case.peak_qps, "radius_km": search.radius_km, "density": search.density, "pages_per_query": search.pages},
        spec=spec,
    )
    # a write's search picks its recipients on the server: no query parameters, no cached answer, no read path to serve
    # a state the description promises and the filter does not name: the contract says what the search returns instead
    unkept = " ".join(s.note() for s in unkept_states(spec, use_case))
    operations = _near_parameters(arch, use_case, search, unkept) if not use_case.is_write else _noted(arch, use_case, unkept)
    # a search another store answers needs no index in the database (and nothing writes the positions there per update)
    coordinates = [f"{search.field}_lat", f"{search.field}_lon"]
    tables = (
        (
            store,
            _unindexed(table, use_case, search.field, set_key(spec, search.entity, search.field), moving)
            if in_redis
            else _indexed(table, use_case, cell, coordinates, equality, where, search),
        ),
    )
    components: tuple[Component, ...] = ()
    caches: tuple[CachePlan, ...] = ()
    # the set holds the points alone: what else the response shows is read from the database, one query a page, and counted there
    rest = unserved(use_case.reads, [search.entity])
    beside = f"; {', '.join(rest)} of the page's points read from the database by their {search.entity} ids" if rest else ""
    if in_redis and not use_case.is_write:
        caches = (
            CachePlan(
                use_case=subject,
                strategy="read-model",
                key=key,
                invalidation="positions overwritten as they are written",
                rationale=f"served by GEOSEARCH on the Redis GEO set: {fmt(use_case.peak_qps)} searches/s "
                + (f"read {', '.join(rest)} rows of each page from the database" if rest else "never reach the database"),
            ),
        )
    if in_redis:
        components = (
            Component(
                name="redis",
                kind="cache",
                technology=named(spec, "redis"),
                purpose=f"proximity searches of {search.entity} (GEOSEARCH)",
                services=[owner_of(arch, search.entity)],
                use_cases=[subject],
                decision=made.id,
                # a write that picks its recipients by distance searches the set too: one GEOSEARCH a request either way, one per
                # radius tried where it widens (the k nearest)
                operations={f"geo_widened_searches_{use_case.id}": use_case.peak_qps * steps.expected_steps}
                if steps
                else {f"geo_searches_{use_case.id}": use_case.peak_qps},
            ),
        )
    mechanisms = (
        (
            Mechanism(
                use_case=subject,
                pattern=proximity.code,
                decision=made.id,
                serves="read",
                store="redis",
                entities=[search.entity],
                how=f"GEOSEARCH {key} BYRADIUS {search.radius_km:g} km{_doubling(use_case, steps)}{beside}",
                database_share=1.0 if rest else 0.0,
            ),
        )
        if in_redis and (not use_case.is_write or _reads_found(use_case))
        else ()
    )
    assumptions = (
        f"use case '{subject}': {search.entity} points spread over {SERVICE_AREA_KM2:,.0f} km² per region serving users (a metropolitan area; "
        "a standby region holds none)",
    )
    return Applied(
        made, figures=figures, tables=tables, operations=operations, components=components, caches=caches, assumptions=assumptions, mechanisms=mechanisms
    )


def _wanted(use_case: UseCase, steps: Widening) -> str:
    """The count a widening search stops at: the write's k, or the page's limit a read asks for."""
    return str(steps.k) if use_case.is_write else "{limit}"


def _doubling(use_case: UseCase, steps: Widening | None) -> str:
    """A mechanism's line for a widening search: the radius it may reach and its searches on average (the latency times each)."""
    if steps is None:
        return ""
    wanted = _wanted(use_case, steps)
    return f" ASC COUNT {wanted}, the radius doubling up to {km(steps.radii_km[-1])} km until {wanted} are found: {steps.expected_steps:g} searches on average"


def _index_reads(use_case: UseCase, search: Search, load: float, quantity: str, scope: str) -> Figure:
    """Index pages/s at peak: one search's pages, or, for a widening search, each radius's pages by the share of searches reaching it."""
    if search.widening is None:
        inputs = {"peak": use_case.peak_qps, "cells": search.cells, "candidates": search.candidates, "entries_per_page": ENTRIES_PER_PAGE}
        return figure(f"geo.index_reads.{use_case.id}", quantity, load, "pages/s", "peak x (cells + candidates / entries_per_page)", inputs, scope)
    inputs = {"peak": use_case.peak_qps}
    for i, (reach, radius) in enumerate(zip(search.widening.reach, search.widening.radii_km, strict=True), start=1):
        inputs |= {f"reach_{i}": reach, f"pages_{i}": _cost(radius, search.density, search.precision)[2]}
    formula = "peak x sum over radii i of reach_i x pages_i (pages_i = cells + candidates / entries_per_page at radius i)"
    return figure(f"geo.index_reads.{use_case.id}", quantity, load, "pages/s", formula, inputs, scope)


def _steps_figure(use_case: UseCase, search: Search, scope: str) -> tuple[Figure, ...]:
    """The searches a k-nearest request makes on average (``_widening``): read by the Redis operations and the latency."""
    steps = search.widening
    if steps is None:
        return ()
    formula = "1 + sum over i = 1..max_steps-1 of P(Poisson(within x 4^(i-1)) < k), rounded up to a tenth (the radius doubles while fewer than k are found)"
    inputs = {"within": steps.within, "k": float(steps.k), "max_steps": float(len(steps.radii_km))}
    return (figure(f"geo.steps.{use_case.id}", f"searches one {use_case.name} makes on average", steps.expected_steps, "searches", formula, inputs, scope),)


def _reads_found(use_case: UseCase) -> bool:
    """A write whose search finds rows it reads, picking no recipients: the flow draws its search as a read (``paths.served_read``)."""
    return use_case.spec.deliver is None and found_by_search(use_case) is not None


def _filters(spec: Spec, use_case: UseCase, entity: str) -> tuple[list[str], list[str]]:
    """The use case's constant filters on ``entity`` as SQL predicates, and its other equality filters' columns."""
    constants: list[str] = []
    equality: list[str] = []
    for raw in use_case.spec.filter:
        ref, constant = split_filter(raw)
        owner, dot, field = ref.partition(".")
        if not dot:
            owner, field = use_case.entity, ref
        column = resolve_column(spec, owner, field)
        if owner != entity or column is None:
            continue
        if constant is None:
            equality.append(column)
            continue
        kind = spec.entities[entity].fields[field].type.kind if field in spec.entities[entity].fields else None
        literal = (
            constant.lower() if kind == "bool" or (kind in {"int", "bigint"} and constant.lstrip("-").isdigit()) else "'" + constant.replace("'", "''") + "'"
        )
        constants.append(f"{column} = {literal}")
    return constants, equality


def _picks(use_case: UseCase, equality: list[str], sets: list[str], fixed: dict[str, str]) -> str:
    """Which of the split sets a search reads: the one its filter names (a constant's, or the caller's), or every one (merged by
    distance) where it names none."""
    unfiltered = [c for c in sets if c not in equality and c not in fixed]
    if unfiltered:
        names = ", ".join(unfiltered)
        return f"this search names no {names}: it reads every set and merges them by distance, so it returns points of every {names}"
    if fixed:
        said = ", ".join(f"{c} = {v}" for c, v in fixed.items())
        named = [c for c in sets if c not in fixed]
        whose = "its filter names" if use_case.is_write else "the caller names"
        also = f" and of the {', '.join(named)} {whose}" if named else ""
        return f"the search reads the set of {said}{also} alone, so every point it returns matches"
    return "the search reads the set its filter names" if use_case.is_write else "the caller's filter picks the set, so every point returned matches it"


def search_key(spec: Spec, use_case: UseCase, entity: str, field: str) -> str:
    """The GEO set key a search reads: the writer's key (``set_key``) with each split column a constant fixes set to its value,
    ``true`` for a bool a write names (available cabs), ``{column}`` where the caller names it or every set is read; a constant
    on any other column keeps a set of its own, named before the split."""
    constants, equality = _filters(spec, use_case, entity)
    fixed = set_constants(spec, use_case.spec.filter, entity, field)
    sets = split_columns(spec, entity, field)
    # a write picks its recipients on the server: a bool filter it names holds (available cabs: the true set)
    values = {c: fixed[c] if c in fixed else "true" if use_case.is_write and c in equality and _is_bool(spec, entity, c) else "{" + c + "}" for c in sets}
    others = [c.split(" = ")[1].strip("'") for c in constants if c.split(" = ")[0] not in fixed]
    return f"{snake(entity)}:{field}" + (":" + ":".join(others) if others else "") + "".join(f":{values[c]}" for c in sets)


def _is_bool(spec: Spec, entity: str, column: str) -> bool:
    return any(resolve_column(spec, entity, name) == column and f.type.kind == "bool" for name, f in spec.entities[entity].fields.items())


def _indexed(table: Table, use_case: UseCase, cell: str, include: list[str], equality: list[str], where: str | None, search: Search) -> Table:
    """The table with the cell index; indexes only this use case needed (its filters without the point) give way to it."""
    reason = f"use case '{use_case.name}'"
    columns = [IndexColumn(name=c) for c in [*equality, cell]]
    index = Index(
        name=constraint_name("ix", table.name, [c.name for c in columns] + (["partial"] if where else [])),
        columns=columns,
        include=include,
        where=where,
        reasons=[f"{reason} (proximity: geohash prefix ranges at precision {search.precision}, index-only)"],
    )
    kept = [i for i in table.indexes if i.name != index.name and not (i.reasons and all(r.startswith(reason) for r in i.reasons))]
    return table.model_copy(update={"indexes": [*kept, index]})


def _unindexed(table: Table, use_case: UseCase, field: str, key: str, moving: bool) -> Table:
    """The table without the indexes only this use case asked for: another store answers it, so the database is never searched for it.

    Its point columns say so: the cell indexes nothing here, and moving points' current positions live in the set only."""
    reason = f"use case '{use_case.name}'"
    kept = [i for i in table.indexes if not (i.reasons and all(r.startswith(reason) for r in i.reasons))]
    cell = f"{field}_cell"
    if any(c.name == cell for i in kept for c in i.columns):
        return table.model_copy(update={"indexes": kept})
    said = {cell: f"geohash cell of the point; no database index: proximity searches read the Redis GEO set {key}"}
    if moving:
        where = f"the position as created; the current position lives only in the Redis GEO set {key} (not written here per update)"
        said |= {f"{field}_lat": where, f"{field}_lon": where}
    columns = [c.model_copy(update={"comment": said[c.name]}) if c.name in said else c for c in table.columns]
    return table.model_copy(update={"indexes": kept, "columns": columns})


def _noted(arch: Architecture, use_case: UseCase, note: str) -> tuple[tuple[str, Operation], ...]:
    """A write's operation with ``note`` after its description (nothing to change without one)."""
    found = own_operation(arch, use_case.name, None) if note else None
    if found is None:
        return ()
    service, op, rest = found
    return ((service, op.model_copy(update={"description": f"{op.description} {note}".strip()})), *rest)


def _near_parameters(arch: Architecture, use_case: UseCase, search: Search, unkept: str = "") -> tuple[tuple[str, Operation], ...]:
    found = own_operation(arch, use_case.name, None)
    if found is None:
        return ()
    service, op, rest = found
    params = [
        number("lat", "Latitude of the point to search around (WGS 84).", -90, 90),
        number("lon", "Longitude of the point to search around (WGS 84).", -180, 180),
    ]
    if search.radius_given:
        metres = round(search.radius_km * 1000)
        params.append(integer("radius", f"Search radius in metres, at most {metres}.", 1, metres, metres))
    note = "Sorted by distance from (lat, lon)" + (
        f", within radius ({round(search.radius_km * 1000)} m at most)." if search.radius_given else ": the nearest first."
    )
    changed = with_parameters(op, params).model_copy(update={"description": f"{op.description} {note}" + (f" {unkept}" if unkept else "")})
    return ((service, changed), *rest)
