"""Python snippets the module templates insert: resources, operations and their mechanisms' details.

Kept out of the templates so each decision's translation to code is one small function a
test can read, and every value read from the design goes through ``literal``. The routes'
signatures and bodies are in ``code_routes``.
"""

from __future__ import annotations

from backend_architect.scaffold.joins import Hop
from backend_architect.scaffold.naming import constant, identifier, literal
from backend_architect.scaffold.plan_api import ColumnRef, FilterPlan, OpPlan
from backend_architect.scaffold.plan_data import FieldPlan, ResourcePlan
from backend_architect.scaffold.plan_reads import FeedPlan, NearPlan, PlaybackPlan, RankingPlan, SeriesPlan, WalkPlan
from backend_architect.scaffold.plan_writes import ChangePlan, CreatePlan, DownloadPlan, LinkPlan, UploadPlan


def snippet_tuple(items: list[str], indent: int = 4) -> str:
    """A tuple of code snippets, one item a line when it would be long.

    >>> snippet_tuple([]), snippet_tuple(["a"]), snippet_tuple(["a", "b"])
    ('()', '(a,)', '(a, b)')
    """
    flat = "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if len(flat) <= 110:
        return flat
    pad = " " * indent
    return "(\n" + "".join(f"{pad}    {item},\n" for item in items) + pad + ")"


def column(resource: ResourcePlan, name: str) -> str:
    return f"{resource.table.var}.c[{literal(name)}]"


def col(table: str, name: str) -> str:
    return f"{table}.c[{literal(name)}]"


def hops(via: tuple[Hop, ...]) -> str:
    return snippet_tuple([f"Hop({col(h.left_table, h.left_column)}, {col(h.right_table, h.right_column)})" for h in via], 8)


def ref(at: ColumnRef) -> str:
    """``Ref(table.c["column"])``, with the joins to it."""
    target = col(at.table, at.column)
    return f"Ref({target}, {hops(at.via)})" if at.via else f"Ref({target})"


def filter_(item: FilterPlan) -> str:
    return f"Filter({literal(item.param)}, {ref(item.at)}, {literal(item.op)})"


def policy(op: OpPlan) -> str:
    rate_class, per_minute, burst, key = op.rate
    statuses = "frozenset({" + ", ".join(str(s) for s in op.op.error_statuses) + "})" if op.op.error_statuses else "frozenset()"
    args = [
        literal(op.op.operation_id),
        literal(op.op.auth),
        literal(tuple(op.op.scopes)),
        literal(rate_class),
        str(per_minute),
        str(burst),
        literal(key),
        statuses,
    ]
    services_only, service_rate = op.callers
    if services_only:
        args.append("services_only=True")
    if service_rate is not None:
        args.append(f"service_rate={service_rate}")
    if op.op.signed_by:
        args.append(f"signed_by={literal(op.op.signed_by)}")
    flat = f"Policy({', '.join(args)})"
    return flat if len(flat) <= 130 else "Policy(\n" + "".join(f"        {a},\n" for a in args) + "    )"


def resource(plan: ResourcePlan, parent_var: str | None, latest: tuple[str, ...] = ()) -> list[str]:
    """The keyword arguments of a ``Resource(...)``."""
    table = plan.table
    args = [
        f"name={literal(plan.entity)}",
        f"table={table.var}",
        f"key={column(plan, table.key)}",
        f"key_kind={literal(table.key_kind)}",
        f"to_api={plan.to_api}",
        f"location=(lambda row, path: f{literal(plan.location)})" if plan.location else "location=None",
        "outbox=outbox",
        "idempotency=idempotency_keys",
    ]
    if table.app_keys:
        args.append("new_key=new_uuid")
    if table.app_keys and table.id_shard:
        args.append(f"id_shard={column(plan, table.id_shard)}")
    for trait in ("version", "tenant", "deleted_at", "updated_at"):
        name = getattr(table, trait)
        if name:
            args.append(f"{trait}={column(plan, name)}")
    if plan.parent and parent_var:
        args.append(f"parent=Parent({parent_var}, {column(plan, plan.parent[1])})")
    if plan.pair is not None:
        args.append(f"address={column(plan, plan.pair)}")
    if plan.key is not None:
        args.append(f"address={column(plan, plan.key.column)}")
        source = f", source={column(plan, plan.key.source)}" if plan.key.source else ""
        ranges = f", ranges={table.var}_key_ranges" if plan.key.method == "ranges" else ""
        args.append(f"short_key=ShortKey({column(plan, plan.key.column)}, {literal(plan.key.method)}, {plan.key.length}{source}{ranges})")
    if latest:
        args.append(f"latest={snippet_tuple([column(plan, c) for c in latest])}")
    return args


def _list_args(op: OpPlan) -> list[str]:
    res = op.resource
    listing = op.listing
    args = [f"filters={snippet_tuple([filter_(f) for f in listing.filters])}"]
    if listing.where:
        args.append(f"where={snippet_tuple([f'text({literal(w)})' for w in listing.where])}")
    sorts = []
    for sort in listing.sorts:
        keys = []
        for key in sort.keys:
            via = f", {hops(key.at.via)}" if key.at.via else ""
            keys.append(f"SortKey({col(key.at.table, key.at.column)}, {key.descending}, {literal(key.kind)}{via})")
        sorts.append(f"{literal(sort.name)}: {snippet_tuple(keys, 8)}")
    args.append("sorts={" + ", ".join(sorts) + "}" if sum(map(len, sorts)) < 100 else "sorts={\n" + "".join(f"        {s},\n" for s in sorts) + "    }")
    args.append(f"default_sort={literal(listing.default_sort)}")
    if listing.search:
        config, columns = listing.search
        engine = f", engine_index={literal(res.table.name)}" if listing.engine else ""
        engine += f", routing={literal(listing.routing)}" if listing.routing else ""
        args.append(f"search=Search('q', {snippet_tuple([ref(c) for c in columns], 8)}, {literal(config)}{engine})")
    args.append(f"paging={literal(listing.paging)}")
    detail = op.detail
    if isinstance(detail, NearPlan):
        geo_key = f", geo_key={literal(detail.geo_key)}" if detail.geo_key else ""
        args.append(
            f"near=Near({column(res, detail.lat)}, {column(res, detail.lon)}, {column(res, detail.cell)}, {detail.precision}, {detail.radius}{geo_key})"
        )
    elif isinstance(detail, WalkPlan):
        args.append(f"walk={walk(detail)}")
    elif isinstance(detail, FeedPlan):
        ttl = f", ttl_s={detail.ttl_s!r}" if detail.ttl_s else ""
        args.append(f"feed=Feed({literal(detail.key)}, {detail.keep}{ttl})")
    return args


def walk(detail: WalkPlan) -> str:
    return f"Walk({col(detail.edges, detail.source)}, {col(detail.edges, detail.target)}, {detail.depth})"


def operation(op: OpPlan) -> list[str]:
    """The keyword arguments of an ``Operation(...)``: the design's decisions for this operation."""
    res = op.resource
    kind = op.op.kind if op.op.kind != "job" else "get"
    args = [f"policy={policy(op)}", f"resource={res.var}", f"kind={literal(kind)}"]
    if op.gap is not None:
        return args
    if op.owner:
        args.append(f"owner={ref(op.owner)}")
    if op.op.conditional and res.table.version:
        args.append("conditional=True")
    if op.events:
        args.append(f"events={snippet_tuple([e.const for e in op.events])}")
    if op.op.cache_control:
        args.append(f"cache_control={literal(op.op.cache_control)}")
    if op.path_columns:
        args.append(f"path_filters={snippet_tuple([filter_(f) for f in op.path_columns])}")
    if op.mechanism == "crud.list_page":
        args += _list_args(op)
    elif op.mechanism in {"series.read", "ranking.read"}:
        args.append(f"filters={snippet_tuple([filter_(f) for f in op.listing.filters])}")
    elif op.mechanism == "graph.path" and isinstance(op.detail, WalkPlan):
        args.append(f"walk={walk(op.detail)}")
    if op.lookup:
        args.append(f"lookup={snippet_tuple([filter_(f) for f in op.lookup])}")
    if op.embeds:
        embeds = [f"Embedded({literal(e.prop)}, {e.resource}, {col(e.table, e.column)}, {literal(e.relation)}, {e.limit})" for e in op.embeds]
        args.append(f"embeds={snippet_tuple(embeds, 8)}")
    if isinstance(op.detail, CreatePlan):
        args += _create_args(op, op.detail)
    if isinstance(op.detail, ChangePlan):
        if op.detail.latest is not None:
            latest = op.detail.latest
            structure = literal(latest.structure)
            ttl = f", ttl_s={latest.ttl_s}" if latest.ttl_s is not None else ""
            args.append(f"latest=Latest({snippet_tuple([column(res, c) for c in latest.columns], 8)}, {structure}, {literal(latest.key)}{ttl})")
        if op.detail.presence is not None:
            seen = f", {column(res, op.detail.presence.last_seen)}" if op.detail.presence.last_seen else ""
            args.append(f"presence=Presence({op.detail.presence.ttl_s}{seen}, table=runtime_presence)")
    if op.countries is not None:
        table, country, item, mode, header = op.countries
        args.append(f"countries=Countries({col(table, country)}, {col(table, item) if item else 'None'}, {literal(mode)}, {literal(header)})")
    if op.members is not None:
        rule = op.members
        row = col(res.table.var, rule.name) if rule.source == "row" else "None"
        columns = f"{col(rule.table, rule.scope_column)}, {col(rule.table, rule.member_column)}"
        args.append(f"members=Members({columns}, {row}, {rule.status}, {literal(rule.scope)})")
    if op.op.withheld:
        args.append(f"withheld={literal(tuple(op.op.withheld))}")
    if op.cache_ttl:
        args.append(f"cache_ttl={op.cache_ttl}")
    if op.cache_l1:
        args.append(f"cache_l1=({op.cache_l1[0]}, {op.cache_l1[1]})")
    return args


def _create_args(op: OpPlan, detail: CreatePlan) -> list[str]:
    args = []
    if detail.children:
        children = [f"Child({literal(c.prop)}, {c.resource}, {col(c.table, c.parent_column)}, {values_function(c.schema)})" for c in detail.children]
        args.append(f"children={snippet_tuple(children, 8)}")
    if detail.links:
        links = [
            f"LinkSet({literal(k.prop)}, {col(k.table, k.parent_column)}, {col(k.table, k.target_column)}"
            + (f", {col(k.target, k.target_key or '')}, {col(k.target, k.name)}, new_key={'new_uuid' if k.app_keys else 'None'}" if k.target and k.name else "")
            + ")"
            for k in detail.links
        ]
        args.append(f"links={snippet_tuple(links, 8)}")
    if detail.made:
        made = [
            f"Made({m.resource}, {col(m.table, m.parent_column)}, {col(m.table, m.caller) if m.caller else 'None'}, {literal(dict(m.values))}, "
            f"{literal(m.stamped)})"
            for m in detail.made
        ]
        args.append(f"made={snippet_tuple(made, 8)}")
    total = detail.total
    if total is not None:
        res = op.resource
        parts = f", price={literal(total.price)}, quantity={literal(total.quantity)}" if total.price else f", compute=domain.{total.hook}"
        args.append(f"total=Total({column(res, total.amount)}, {column(res, total.currency)}{parts})")
    return args


def extras(op: OpPlan, objects_table: str = "stored_objects") -> list[tuple[str, str]]:
    """Module-level objects an operation's mechanism needs besides its ``Operation``: (name, expression)."""
    detail = op.detail
    if isinstance(detail, LinkPlan):
        source = f", {detail.source_resource}" if detail.source_resource else ""
        return [(f"{op.const}_LINK", f"Link({detail.table}, {col(detail.table, detail.source_column)}, {col(detail.table, detail.target_column)}{source})")]
    if isinstance(detail, SeriesPlan):
        res = op.resource
        rollup = f", rollup={detail.rollup}, keys={literal(detail.rollup_keys)}" if detail.rollup else ""
        expression = f"Series({column(res, detail.time)}, {column(res, detail.value)}, {literal(detail.aggregate)}, {detail.every_s}, {detail.over_s}{rollup})"
        return [(f"{op.const}_SERIES", expression)]
    if isinstance(detail, RankingPlan):
        res = op.resource
        where = f", snapshot={detail.snapshot}" if detail.snapshot else f", sorted_set={literal(detail.sorted_set)}"
        expression = f"Ranking({column(res, detail.column)}, {literal(detail.by)}, {detail.k}, {detail.window_s}, {column(res, detail.time)}{where})"
        return [(f"{op.const}_RANKING", expression)]
    if isinstance(detail, UploadPlan):
        return [(f"{op.const}_UPLOAD", f"Upload({literal(detail.prefix)}, {literal(detail.field)}, {detail.max_bytes}, SCHEMA, {literal(objects_table)})")]
    if isinstance(detail, DownloadPlan):
        args = [literal(detail.column), "SCHEMA", literal(objects_table)]
        if detail.renditions:
            args += [f"renditions={detail.renditions}", f"owner={literal(detail.owner)}", f"status={literal(detail.status)}"]
        return [(f"{op.const}_DOWNLOAD", _call("Download", args, f"{op.const}_DOWNLOAD"))]
    if isinstance(detail, PlaybackPlan):
        entries = [f"({literal(r)}, {literal(c)}): {b}" for r, c, b in detail.bandwidth]
        rates = "{" + ", ".join(entries) + "}"
        if len(rates) > 100:
            rates = "{\n" + "".join(f"        {e},\n" for e in entries) + "    }"
        args = [literal(detail.column), literal(detail.status), detail.renditions, literal(detail.owner), rates, "SCHEMA", literal(objects_table)]
        return [(f"{op.const}_PLAYBACK", _call("Playback", args, f"{op.const}_PLAYBACK"))]
    return []


def _call(name: str, args: list[str], target: str) -> str:
    """``name(a, b)`` on one line when ``target = name(a, b)`` fits 120 characters, else one argument a line (as ruff formats it)."""
    flat = f"{name}({', '.join(args)})"
    return flat if len(target) + 3 + len(flat) <= 120 and "\n" not in flat else f"{name}(\n" + "".join(f"    {a},\n" for a in args) + ")"


def values_function(schema: str) -> str:
    return f"{identifier(schema)}_values"


def assignments(field: FieldPlan) -> list[str]:
    """Lines setting ``values[column]`` from the request body's property."""
    attr = f"body.{field.attr}"
    if field.money:
        amount, currency = field.columns
        return [
            f"money_value = {attr}",
            f"values[{literal(amount)}] = Decimal(money_value.amount) if money_value is not None else None",
            f"values[{literal(currency)}] = money_value.currency if money_value is not None else None",
        ]
    if field.kind == "geo":
        return [f"values.update(columns_of({attr}, {literal(field.columns[0].removesuffix('_lat'))}))"]
    if field.kind == "secret":
        return [f"values[{literal(field.columns[0])}] = hash_secret({attr}) if {attr} is not None else None"]
    if field.kind in {"children", "links"}:
        return []
    return [f"values[{literal(field.columns[0])}] = {attr}"]


def const_of(entity: str) -> str:
    return constant(entity)
