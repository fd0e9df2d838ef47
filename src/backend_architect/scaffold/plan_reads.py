"""How each read is served: a list's filters, orders and search; a lookup; the caller's rows; and the reads patterns reshape.

One function per mechanism, each reading what the design recorded for the use case (its
designed indexes, the pattern's decision and figures, the reshaped response schema) and
returning what the generated code needs. A read the module cannot serve from its own
tables raises ``Gap`` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend_architect.ir.model import Operation, Table
from backend_architect.scaffold.context import ModuleContext
from backend_architect.scaffold.joins import FieldAt, path_to, references
from backend_architect.scaffold.plan_api import ColumnRef, EmbedPlan, FilterPlan, ListPlan, ParamPlan, SortKeyPlan, SortPlan, designed_index
from backend_architect.scaffold.plan_data import Gap, ResourcePlan, owner_column, people_entity

#: Query parameters with a role of their own; every other query parameter filters.
PAGING = frozenset({"sort", "limit", "cursor", "offset", "q"})
_NEAR = frozenset({"lat", "lon", "radius"})
_TSVECTOR_CONFIG = re.compile(r"to_tsvector\('([a-z_]+)'")
_BUCKET_VALUE = re.compile(r"^(avg|sum|min|max|count|last) of ([a-z0-9_]+) in the bucket\.$")
_GEOSEARCH = re.compile(r"GEOSEARCH (\S+) FROMLONLAT")


def _spec_ref(op: Operation, name: str) -> str | None:
    return next((p.spec_ref for p in op.parameters if p.name == name and p.location != "header"), None)


def _by_name(ctx: ModuleContext, table: Table, name: str) -> tuple[str, str] | None:
    """A parameter named for a column of the table read: equality, or one end of a range (``x_from``, ``min_x``)."""
    plan = ctx.plans[table.name]
    if plan.has(name):
        return name, "eq"
    for prefix, suffix, op in (("", "_from", "ge"), ("", "_to", "lt"), ("min_", "", "ge"), ("max_", "", "lt")):
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix):
            column = name[len(prefix) : len(name) - len(suffix)]
            if plan.has(column):
                return column, op
    return None


def filter_plan(ctx: ModuleContext, op: Operation, param: ParamPlan, table: Table) -> FilterPlan:
    """One query parameter as a filter: a column of the table read by name, else the spec field it carries, through joins."""
    own = _by_name(ctx, table, param.name)
    if own is not None:
        return FilterPlan(param.name, param.py, ColumnRef(ctx.plans[table.name].var, own[0]), own[1])
    spec_ref = _spec_ref(op, param.name)
    if spec_ref is None:
        # an ancestor's key in a nested path (/hosts/{host_id}/series/{series_id}/points): the column of that name, through joins
        holders = [t for t in ctx.tables.values() if t.name != table.name and any(c.name == param.name for c in t.columns)]
        for holder in holders:
            via = path_to(list(ctx.tables.values()), table.name, holder.name)
            if via:
                return FilterPlan(param.name, param.py, ctx.ref(FieldAt(holder.name, param.name, via)), "eq")
        raise Gap(f"query parameter {param.name} matches no column of {table.name}")
    ranged = param.name.endswith(("_from", "_to")) or param.name.startswith(("min_", "max_"))
    kind = "eq" if not ranged else "ge" if param.name.endswith("_from") or param.name.startswith("min_") else "lt"
    return FilterPlan(param.name, param.py, ctx.locate(table, spec_ref, f"filter {param.name}:"), kind)


def owner_ref(ctx: ModuleContext, op: Operation, table: Table, actors: list[str]) -> ColumnRef | None:
    """The caller's identity in the rows: a filter the token fills (``/me`` reads), the row itself (``/me``), or an owner column."""
    plan = ctx.plans[table.name]
    if op.caller_filters:
        return ctx.locate(table, op.caller_filters[0], "the caller's filter")
    if op.flow in {"me", "password"}:
        return ColumnRef(plan.var, plan.key)
    if not op.owner_only:
        return None
    every = [t for d in ctx.arch.datastores for t in d.tables]
    entity_of = {t.name: t.entity for t in every if t.entity}
    column = owner_column(op, plan, table, actors, people_entity(every), entity_of)
    if column is None:
        raise Gap(f"it is owner-only, but no column of {table.name} names its actor")
    return ColumnRef(plan.var, column)


def list_plan(ctx: ModuleContext, op: Operation, params: tuple[ParamPlan, ...], resource: ResourcePlan, table: Table, skip: frozenset[str]) -> ListPlan:
    """Filters, orders, the designed index's constant predicate, full-text search and the paging style of a list."""
    filters = tuple(filter_plan(ctx, op, p, table) for p in params if p.location == "query" and p.name not in PAGING and p.name not in skip)
    plan = resource.table
    sort_param = next((p for p in op.parameters if p.name == "sort" and p.location == "query"), None)
    refs = (sort_param.spec_ref or "").split(", ") if sort_param else []
    sorts = []
    for index, value in enumerate(sort_param.enum if sort_param else []):
        name = value.removeprefix("-")
        if plan.has(name):
            at = ColumnRef(plan.var, name)
        elif index < len(refs):
            at = ctx.locate(table, refs[index].removeprefix("-"), "sort")
        else:
            raise Gap(f"sort {value} names no column of {table.name}")
        kind = ctx.plans[next(t for t, p in ctx.plans.items() if p.var == at.table)].column(at.column).kind
        keys = [SortKeyPlan(at, value.startswith("-"), kind)]
        if at != ColumnRef(plan.var, plan.key):
            keys.append(SortKeyPlan(ColumnRef(plan.var, plan.key), value.startswith("-"), plan.key_kind))
        sorts.append(SortPlan(value, tuple(keys)))
    if not sorts:
        sorts.append(SortPlan("", (SortKeyPlan(ColumnRef(plan.var, plan.key), False, plan.key_kind),)))
    default = str(sort_param.default) if sort_param and sort_param.default else sorts[0].name
    btree = designed_index(table, op.use_cases, method="btree")
    where = tuple(w for w in [btree.where if btree else None] if w)
    search, engine = _search(ctx, op, table) if any(p.name == "q" for p in op.parameters) else (None, None)
    paging = "offset" if any(p.name == "offset" for p in op.parameters) else "cursor" if op.paginated else "none"
    return ListPlan(filters, tuple(sorts), default, where, search, engine, paging, _routing(ctx, op) if engine else None)


#: How the design's search mechanism says its documents are routed (design/patterns/search.py).
_ROUTED = re.compile(r"routed by (\w+) to one shard")


def _routing(ctx: ModuleContext, op: Operation) -> str | None:
    """The column the design routes the searched documents by, from the search mechanism of the operation's use case."""
    how = next((m.how for m in ctx.arch.mechanisms if m.use_case in op.use_cases and m.store == "search-engine"), "")
    found = _ROUTED.search(how)
    return found.group(1) if found else None


def _search(ctx: ModuleContext, op: Operation, table: Table) -> tuple[tuple[str, tuple[ColumnRef, ...]], str | None]:
    """The searched columns and text configuration: the designed GIN index's, or (documents in a search engine) the fields ``q`` names."""
    plan = ctx.plans[table.name]
    gin = designed_index(table, op.use_cases, method="gin")
    if gin is not None and gin.expression:
        config = _TSVECTOR_CONFIG.search(gin.expression)
        return (config.group(1) if config else "simple", tuple(ColumnRef(plan.var, c.name) for c in gin.columns if c.name != plan.tenant)), None
    fields = [f.strip() for f in (_spec_ref(op, "q") or "").split(",") if f.strip()]
    if not fields:
        raise Gap("full-text search names no fields and has no designed GIN index")
    columns = tuple(ctx.locate(table, f, "search over") for f in fields)
    placed = ctx.placement(f"{table.name}.search")
    engine = placed.store if placed is not None and placed.data_class == "search" and "postgres" not in placed.store.lower() else None
    return ("simple", columns), engine


def lookup_plan(ctx: ModuleContext, op: Operation, params: tuple[ParamPlan, ...], table: Table) -> tuple[FilterPlan, ...]:
    """A get that finds its row by required query filters (``/by-video?video_id=``), each a filter."""
    return tuple(filter_plan(ctx, op, p, table) for p in params if p.location == "query")


def embed_plans(ctx: ModuleContext, op: Operation, table: Table) -> tuple[EmbedPlan, ...]:
    """The rows a get answers inside its item (the design's ``embeds``), each from a table of this module: its children by the
    item's key, or the row it references. Another service's rows are its call's, which the scaffold does not make: a ``Gap``."""
    out = []
    for embed in op.embeds:
        if embed.relation == "links":
            raise Gap(f"it answers {embed.name}, the {embed.entity} links in {embed.table}: the scaffold reads no link list yet")
        other = ctx.table_of(embed.entity)
        if other is None or embed.entity not in ctx.resources:
            raise Gap(f"it answers {embed.name} ({embed.entity} rows), which live in service {embed.service}: this service does not call it")
        holder = other if embed.relation == "children" else table
        out.append(EmbedPlan(embed.name, ctx.resources[embed.entity].var, ctx.plans[holder.name].var, embed.column, embed.relation, embed.max_items))
    return tuple(out)


@dataclass(frozen=True)
class NearPlan:
    """A proximity read: the point's columns, the geohash precision of the cell index, radius or k nearest, and the Redis GEO set."""

    lat: str
    lon: str
    cell: str
    precision: int
    radius: bool
    #: The Redis GEO key the design searches (GEOSEARCH) when the points live there or the load needs it; None: the cell index.
    geo_key: str | None


def near_plan(ctx: ModuleContext, op: Operation, table: Table) -> NearPlan:
    """The geo field searched (the one whose cell the design indexed for this use case), precision and where the points live."""
    use_case = op.use_cases[0] if op.use_cases else ""
    names = {c.name for c in table.columns}
    points = [c.name.removesuffix("_cell") for c in table.columns if c.name.endswith("_cell") and {c.name[:-5] + "_lat", c.name[:-5] + "_lon"} <= names]
    index = designed_index(table, op.use_cases, method="btree")
    indexed = [p for p in points if index is not None and any(c.name == f"{p}_cell" for c in index.columns)]
    field = (indexed or points)[0] if len(indexed or points) >= 1 else None
    if field is None:
        raise Gap(f"a proximity read over a point {table.name} does not hold (the point lives in another service's rows)")
    precision = ctx.figure("geo.precision.", use_case)
    made = ctx.decision("geo.", use_case)
    key = _GEOSEARCH.search(made.choice) if made is not None else None
    return NearPlan(
        f"{field}_lat",
        f"{field}_lon",
        f"{field}_cell",
        int(precision[0]) if precision else 6,
        any(p.name == "radius" for p in op.parameters),
        # one set per constant filter; the caller's per-value sets (``:{column}``) become a check on the rows it loads
        re.sub(r":\{[^}]+\}", "", key.group(1)) if key else None,
    )


@dataclass(frozen=True)
class WalkPlan:
    """A graph walk over an edge table: its source and target columns, the deepest walk, and what the design would run it on."""

    edges: str
    source: str
    target: str
    depth: int
    #: The design's store when it is not this database (an in-memory graph service, a graph database); SQL serves it here.
    elsewhere: str | None


def walk_plan(ctx: ModuleContext, op: Operation, table: Table) -> WalkPlan:
    """The edge table of a ``traverse`` read: the adjacency index the design made for it, else a self reference of the node table."""
    use_case = op.use_cases[0] if op.use_cases else ""
    made = ctx.decision("graph.", use_case)
    if made is None:
        raise Gap("a graph walk without the design's graph decision")
    depth = int(made.inputs.get("depth", 1))
    elsewhere = None if made.choice.startswith("adjacency lists in the database") else made.choice.split(":")[0]
    wanted = f"use case '{use_case}' (adjacency"
    for candidate in ctx.tables.values():
        for index in candidate.indexes:
            if any(r.startswith(wanted) for r in index.reasons) and len(index.columns) == 2:
                source, target = (c.name for c in index.columns)
                return WalkPlan(ctx.plans[candidate.name].var, source, target, depth, elsewhere)
    plan = ctx.plans[table.name]
    own = [(t, c) for t, c, ref, _ in references(list(ctx.tables.values())) if t == table.name and ref == table.name]
    if len(own) == 1:
        return WalkPlan(plan.var, plan.key, own[0][1], depth, elsewhere)
    links = [t for t, c, ref, _ in references(list(ctx.tables.values())) if ref == table.name and t != table.name]
    for link in dict.fromkeys(links):
        columns = [c for t, c, ref, _ in references(list(ctx.tables.values())) if t == link and ref == table.name]
        if len(columns) == 2:
            return WalkPlan(ctx.plans[link].var, columns[0], columns[1], depth, elsewhere)
    raise Gap(f"no table of this module holds the edges between {table.name} rows")


@dataclass(frozen=True)
class SeriesPlan:
    """A time series: the raw rows' time and value columns, the aggregate, the bucket and range, and the rollup it reads."""

    time: str
    value: str
    aggregate: str
    every_s: float
    over_s: float
    #: The rollup table (variable) the design keeps per bucket, and its key columns; None: grouped from the raw rows.
    rollup: str | None
    rollup_keys: tuple[str, ...]
    last: bool


def series_plan(ctx: ModuleContext, op: Operation, table: Table) -> SeriesPlan:
    """From the reshaped response (``<Entity>Bucket``'s value says the aggregate and column), the figures and the cache plan."""
    use_case = op.use_cases[0] if op.use_cases else ""
    bucket = next((s for s in ctx.api.schemas if s.name == f"{table.entity}Bucket"), None)
    value = next((p for p in bucket.properties if p.name == "value"), None) if bucket else None
    parsed = _BUCKET_VALUE.match(value.description or "") if value else None
    sizes = ctx.figure("series.buckets_per_query.", use_case)
    if parsed is None or sizes is None:
        raise Gap("a time series whose aggregate, column or bucket size the design does not record")
    index = designed_index(table, op.use_cases, method="btree")
    times = {c.name for c in table.columns if c.type == "timestamptz"}
    time = next((c.name for c in index.columns if c.name in times), None) if index else None
    time = time or ("created_at" if "created_at" in times else None)
    if time is None:
        raise Gap(f"a time series over {table.name}, which has no time column")
    cache = ctx.cache(use_case)
    rollup = ctx.tables.get(cache.key) if cache is not None and cache.strategy == "read-model" and cache.key else None
    measures = {"bucket_start", "count", "sum", "min", "max", "last"}
    keys = tuple(c.name for c in rollup.columns if c.name not in measures) if rollup else ()
    return SeriesPlan(
        time,
        parsed.group(2),
        parsed.group(1),
        sizes[1]["every_s"],
        sizes[1]["over_s"],
        ctx.plans[rollup.name].var if rollup else None,
        keys,
        bool(rollup and any(c.name == "last" for c in rollup.columns)),
    )


@dataclass(frozen=True)
class RankingPlan:
    """A top-k read: what is ranked, by what, over which window; the snapshot table a job refreshes, or sorted sets."""

    column: str
    by: str
    k: int
    window_s: float | None
    interval_s: float
    time: str
    #: The snapshot table (variable); None when the design counts in Redis sorted sets (the local adapter counts at read time).
    snapshot: str | None
    sorted_set: str | None


def ranking_plan(ctx: ModuleContext, op: Operation, table: Table) -> RankingPlan:
    use_case = op.use_cases[0] if op.use_cases else ""
    made = ctx.decision("top.", use_case)
    item = next((s for s in ctx.api.schemas if s.name == f"{table.entity}Rank"), None)
    if made is None or item is None:
        raise Gap("a ranking without the design's top-k decision")
    column = next(p.name for p in item.properties if p.name not in {"rank", "score"})
    score = next(p for p in item.properties if p.name == "score")
    by = "count" if score.type == "integer" else "sum" if "sum" in made.choice.split(" over ")[0] else "score"
    span = ctx.figure("top.rows_per_run.", use_case)
    window = re.search(r" over the last ", made.choice)
    limit = next((p for p in op.parameters if p.name == "limit"), None)
    cache = ctx.cache(use_case)
    snapshot = ctx.tables.get(cache.key) if cache is not None and cache.key else None
    if not ctx.plans[table.name].has(column):
        raise Gap(f"a ranking of {column}, which {table.name} does not hold")
    return RankingPlan(
        column,
        by,
        int(limit.maximum) if limit and limit.maximum else 10,
        span[1]["span_s"] if span and window else None,
        float(made.inputs.get("interval_s", 60.0)),
        "created_at" if ctx.plans[table.name].has("created_at") else ctx.plans[table.name].key,
        ctx.plans[snapshot.name].var if snapshot else None,
        None if snapshot else (cache.key if cache is not None else f"top:{op.operation_id}"),
    )


@dataclass(frozen=True)
class FeedPlan:
    """A feed the design precomputes per reader (fan-out on write into Redis lists); the join it is rebuilt from is the list's owner."""

    key: str
    keep: int
    worker: str
    #: Seconds a list lives after its last read (only active readers keep one); None where the design sets no expiry.
    ttl_s: float | None = None


def feed_plan(ctx: ModuleContext, op: Operation) -> FeedPlan | None:
    use_case = op.use_cases[0] if op.use_cases else ""
    cache = ctx.cache(use_case)
    if cache is None or cache.strategy != "read-model" or not (cache.key or "").startswith("feed:"):
        return None
    keep = re.search(r"trimmed to ([0-9,]+)", cache.invalidation)
    worker = re.search(r"written by (\S+) on", cache.invalidation)
    expiry = re.search(r"expiry \(([0-9,]+) s\)", cache.invalidation)
    return FeedPlan(
        cache.key or "",
        int(keep.group(1).replace(",", "")) if keep else 500,
        worker.group(1) if worker else "fanout",
        float(expiry.group(1).replace(",", "")) if expiry else None,
    )


@dataclass(frozen=True)
class RedirectPlan:
    """A short link opened: the Location template the design gives (``{column}`` filled from the row)."""

    location: str


@dataclass(frozen=True)
class PlaybackPlan:
    """A processed video played: its key and status columns, the renditions table and owner column, and each rendition's bandwidth."""

    column: str
    status: str
    renditions: str
    owner: str
    bandwidth: tuple[tuple[str, str, int], ...]


def playback_plan(ctx: ModuleContext, op: Operation, table: Table) -> PlaybackPlan:
    """The field the operation plays (the one with a renditions table) and the bandwidths of the contract's example (the design's ladder)."""
    for column in table.columns:
        renditions = ctx.tables.get(f"{table.name}_{column.name}_renditions")
        if renditions is None:
            continue
        owner = next((c.name for c in renditions.columns if c.name.endswith("_id")), "id")
        example = op.example_response if isinstance(op.example_response, dict) else {}
        rates = tuple((str(r["resolution"]), str(r["codec"]), int(r["bandwidth"])) for r in example.get("renditions", []))
        return PlaybackPlan(column.name, f"{column.name}_status", ctx.plans[renditions.name].var, owner, rates)
    raise Gap(f"{op.operation_id}: {table.name} has no renditions table to play from")
