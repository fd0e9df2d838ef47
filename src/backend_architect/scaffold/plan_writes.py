"""How each write is served: bodies and their parts, totals, public keys, links, accounts, uploads, latest values, heartbeats.

One function per mechanism, each reading what the design recorded (the request schema, the
server-owned fields' notes, the pattern's decision, placement or note) and returning what
the generated code needs; ``Gap`` when the module cannot do it from its own tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend_architect.ir.model import ApiSchema, Architecture, Operation, Table
from backend_architect.scaffold.context import ModuleContext, heartbeat, ttl_seconds
from backend_architect.scaffold.joins import column_of, references
from backend_architect.scaffold.naming import field_name, identifier, pascal
from backend_architect.scaffold.plan_data import FieldPlan, Gap, fields, secret_column

_TOTAL_NOTE = "a total the server computes from the parts of"
_QUANTITY = ("quantity", "qty", "count", "units", "amount")


@dataclass(frozen=True)
class ChildPlan:
    """Parts written with their parent in one transaction: the part's resource, its column pointing at the parent, its body."""

    prop: str
    attr: str
    resource: str
    table: str
    parent_column: str
    schema: str
    model: str
    fields: tuple[FieldPlan, ...]


@dataclass(frozen=True)
class TotalPlan:
    """A server-computed total: its columns, and the parts' price and quantity it sums (None: domain.py decides)."""

    amount: str
    currency: str
    hook: str
    price: tuple[str, str] | None
    quantity: str | None


@dataclass(frozen=True)
class KeyPlan:
    """A public short key the server makes: its column, how (random, ranges or slug) and how long; a slug's source column."""

    column: str
    method: str
    length: int
    source: str | None


def children_of(ctx: ModuleContext, schema: ApiSchema) -> dict[str, str]:
    """Array properties of ``schema`` whose items create a part of this module: item schema -> the part's entity."""
    out = {}
    for prop in schema.properties:
        if prop.type != "array" or not prop.items:
            continue
        item = next((s for s in ctx.api.schemas if s.name == prop.items), None)
        if item is not None and item.entity and ctx.table_of(item.entity) is not None and item.name.endswith("Create"):
            out[item.name] = item.entity
    return out


def body_fields(ctx: ModuleContext, schema_name: str, table: Table) -> tuple[FieldPlan, ...]:
    schema = next(s for s in ctx.api.schemas if s.name == schema_name)
    return fields(schema, ctx.plans[table.name], table, children_of(ctx, schema))


def child_plans(ctx: ModuleContext, parent: Table, plans: tuple[FieldPlan, ...]) -> tuple[ChildPlan, ...]:
    """Each ``children`` property: the part's table, the column referencing the parent (its foreign key or ``<parent>_id``)."""
    out = []
    for field in plans:
        if field.kind != "children" or field.child is None:
            continue
        table = ctx.table_of(field.child)
        assert table is not None
        refs = [c for t, c, target, _ in references(list(ctx.tables.values())) if t == table.name and target == parent.name]
        if len(refs) != 1:
            raise Gap(f"the parts {field.prop} ({table.name}) do not reference {parent.name} by one column")
        schema = next(s for s in ctx.api.schemas if s.entity == field.child and s.name.endswith("Create") and s.name in _items(ctx, parent, field.prop))
        out.append(
            ChildPlan(
                field.prop,
                field.attr,
                ctx.resources[field.child].var if field.child in ctx.resources else identifier(field.child).upper(),
                ctx.plans[table.name].var,
                refs[0],
                schema.name,
                pascal(schema.name),
                fields(schema, ctx.plans[table.name], table, children_of(ctx, schema)),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class LinkSetPlan:
    """Links a create sets in its body (``tags``): the join table and its two columns, and when sent by name the linked
    table, its key and unique name column (missing names are inserted first)."""

    prop: str
    attr: str
    table: str
    parent_column: str
    target_column: str
    target: str | None = None
    target_key: str | None = None
    name: str | None = None
    #: The linked table's keys are made by the service (UUIDv7), not by the database.
    app_keys: bool = False


def link_plans(ctx: ModuleContext, schema_name: str, plans: tuple[FieldPlan, ...]) -> tuple[LinkSetPlan, ...]:
    """Each ``links`` property of the body: where its rows go (``design/link_writes.py`` recorded it on the property)."""
    schema = next(s for s in ctx.api.schemas if s.name == schema_name)
    out = []
    for field in (f for f in plans if f.kind == "links"):
        links = next(p.links for p in schema.properties if p.name == field.prop)
        join = ctx.plans.get(links.table) if links is not None else None
        if links is None or join is None or len(links.columns) != 2:
            raise Gap(f"the links {field.prop} go to a join table outside this module")
        target = ctx.plans.get(links.target) if links.target else None
        if links.by == "name" and (target is None or links.name is None):
            raise Gap(f"the links {field.prop} name rows of a table outside this module")
        out.append(
            LinkSetPlan(
                field.prop,
                field.attr,
                join.var,
                links.columns[0],
                links.columns[1],
                target.var if target is not None else None,
                target.key if target is not None else None,
                links.name if links.by == "name" else None,
                bool(target is not None and target.app_keys),
            )
        )
    return tuple(out)


def _items(ctx: ModuleContext, parent: Table, prop: str) -> set[str]:
    return {p.items or "" for s in ctx.api.schemas if s.entity == parent.entity for p in s.properties if p.name == prop}


def total_plan(ctx: ModuleContext, table: Table, children: tuple[ChildPlan, ...]) -> TotalPlan | None:
    """The total the read shape says the server computes from the parts: Σ price x quantity when the parts carry a price."""
    read = next((s for s in ctx.api.schemas if s.name == table.entity), None)
    total = next((p for p in read.properties if _TOTAL_NOTE in (p.description or "")), None) if read else None
    if total is None or total.ref != "Money":
        return None
    amount, currency = f"{total.name}_amount", f"{total.name}_currency"
    hook = f"{identifier(total.name)}_of_{identifier(table.entity or table.name)}"
    for child in children:
        price = next((f for f in child.fields if f.money), None)
        if price is None:
            continue
        plan = ctx.plans[next(t for t, p in ctx.plans.items() if p.var == child.table)]
        ints = [c.name for c in plan.columns if c.kind == "int" and c.name not in {plan.key, child.parent_column, "version"}]
        quantity = next((c for c in ints if c in _QUANTITY), ints[0] if len(ints) == 1 else None)
        return TotalPlan(amount, currency, hook, (price.columns[0], price.columns[1]), quantity)
    return TotalPlan(amount, currency, hook, None, None)


def key_plan(table: Table) -> KeyPlan | None:
    """The server-made public key of a table (``code`` or ``slug``), from the column the short-key pattern added."""
    for column in table.columns:
        if column.name in {"code", "short_code"} and column.generated and column.length:
            method = "ranges" if "(ranges)" in (column.comment or "") else "random"
            return KeyPlan(column.name, method, column.length, None)
        if column.name == "slug" and column.generated:
            source = next((c.name for name in ("title", "name", "label", "headline") for c in table.columns if c.name == name), None)
            return KeyPlan("slug", "slug", column.length or 65, source)
    return None


@dataclass(frozen=True)
class LinkPlan:
    """A relationship made with PUT and unmade with DELETE: the link table, its two ends' columns, the path parameters filling them."""

    table: str
    source_column: str
    target_column: str
    source_param: str
    target_param: str
    #: The source's resource (404 when it does not exist), when this module holds it.
    source_resource: str | None


def link_plan(ctx: ModuleContext, op: Operation, entity_table: Table) -> LinkPlan:
    """The link entity's table (``Follow``), or the join table of a many-to-many relation (``ticket_tags``), and its two columns."""
    path = [p for p in op.parameters if p.location == "path"]
    source, target = path[-2], path[-1]
    if entity_table.entity == op.entity and len(path) >= 2 and _link_entity(entity_table, source.spec_ref, target.spec_ref):
        link = entity_table
        source_column = column_of(link, (source.spec_ref or "").partition(".")[2]) or source.name
        target_column = column_of(link, (target.spec_ref or "").partition(".")[2]) or target.name
    else:
        candidates = [t for t in ctx.tables.values() if t.entity is None and {source.name, target.name} <= {c.name for c in t.columns}]
        if len(candidates) != 1:
            raise Gap(f"no table of this module links {source.name} to {target.name}")
        link, source_column, target_column = candidates[0], source.name, target.name
    names = {c.name for c in link.columns}
    if source_column not in names or target_column not in names:
        raise Gap(f"{link.name} has no columns for {source.name} and {target.name}")
    owner = next((t for t2, c, t, _key in references(list(ctx.tables.values())) if t2 == link.name and c == source_column), None)
    entity = ctx.tables[owner].entity if owner else None
    return LinkPlan(
        ctx.plans[link.name].var,
        source_column,
        target_column,
        source.name,
        target.name,
        ctx.resources[entity].var if entity and entity in ctx.resources else None,
    )


def _link_entity(table: Table, source_ref: str | None, target_ref: str | None) -> bool:
    return bool(source_ref and target_ref and source_ref.startswith(f"{table.entity}.") and target_ref.startswith(f"{table.entity}."))


@dataclass(frozen=True)
class LoginPlan:
    """Logging in: the column people sign in with, the hashed secret, the body's two attributes, and the scopes a token carries."""

    login_column: str
    secret_column: str
    login_attr: str
    secret_attr: str
    scopes: tuple[str, ...]


def login_plan(ctx: ModuleContext, op: Operation, table: Table) -> LoginPlan:
    request = next(s for s in ctx.api.schemas if s.name == op.request_schema)
    login = next((p for p in request.properties if p.format != "password"), None)
    secret = next((p for p in request.properties if p.format == "password"), None)
    hashed = secret_column(table, secret.name) if secret else None
    column = column_of(table, login.name) if login else None
    if login is None or secret is None or hashed is None or column is None:
        raise Gap(f"log in by {login.name if login else '?'}, which {table.name} does not hold with a hashed secret")
    return LoginPlan(column, hashed, field_name(login.name), field_name(secret.name), granted_scopes(ctx.arch, op))


@dataclass(frozen=True)
class PasswordPlan:
    """Changing a password: the hashed column, and the body's attributes for the current and the new one."""

    secret_column: str
    current_attr: str
    new_attr: str


def password_plan(ctx: ModuleContext, op: Operation, table: Table) -> PasswordPlan:
    request = next(s for s in ctx.api.schemas if s.name == op.request_schema)
    names = [p.name for p in request.properties]
    new = "password" if "password" in names else names[-1]
    current = next((n for n in names if n != new), None)
    hashed = secret_column(table, new)
    if hashed is None or current is None:
        raise Gap(f"{table.name} holds no hashed {new} to change")
    return PasswordPlan(hashed, field_name(current), field_name(new))


def granted_scopes(arch: Architecture, login: Operation) -> tuple[str, ...]:
    """What a session's token may do: the scopes of every operation whose use cases the logging-in actor performs."""
    flows = {f.use_case: f for f in arch.flows}
    actors = {flows[u].steps[0].source for u in login.use_cases if u in flows and flows[u].steps}
    scopes = {
        s
        for api in arch.apis
        for op in api.operations
        if not op.internal and any(u in flows and flows[u].steps and flows[u].steps[0].source in actors for u in op.use_cases)
        for s in op.scopes
    }
    return tuple(sorted(scopes))


@dataclass(frozen=True)
class UploadPlan:
    """A direct upload: the object-key prefix, the field it becomes, and the largest object accepted."""

    prefix: str
    field: str
    max_bytes: int


@dataclass(frozen=True)
class DownloadPlan:
    """A signed download URL for a row's file: the column holding the object's key; for a processed file, where its renditions are."""

    column: str
    #: The renditions table (its variable), its column naming the row, and the row's processing status column.
    renditions: str | None = None
    owner: str | None = None
    status: str | None = None


def download_plan(ctx: ModuleContext, op: Operation, table: Table) -> DownloadPlan:
    """The blob whose URL the operation answers: the one blob key column of the table, or the one its path names (``/avatar-download-url``)."""
    names = {c.name for c in table.columns}
    # a blob is its key column beside the size, content type and checksum the design's blob contract records
    keys = [c.name for c in table.columns if {f"{c.name}_bytes", f"{c.name}_content_type", f"{c.name}_sha256"} <= names]
    named = [k for k in keys if op.path.endswith(f"/{k.replace('_', '-')}-download-url")]
    if not (named or len(keys) == 1):
        raise Gap(f"cannot tell which file of {table.name} {op.path} answers")
    column = (named or keys)[0]
    renditions = ctx.tables.get(f"{table.name}_{column}_renditions")
    if renditions is None:
        return DownloadPlan(column)
    owner = next((c.name for c in renditions.columns if c.name.endswith("_id")), "id")
    return DownloadPlan(column, ctx.plans[renditions.name].var, owner, f"{column}_status")


_MAX_BYTES = re.compile(r"at most ([0-9.]+) (B|KB|MB|GB|TB)\b")
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}


def upload_plan(ctx: ModuleContext, op: Operation, table: Table) -> UploadPlan:
    request = next((s for s in ctx.api.schemas if s.name == op.request_schema), None)
    response = next((s for s in ctx.api.schemas if s.name == op.response_schema), None)
    size = next((p for p in request.properties if p.name == "bytes"), None) if request else None
    key = next((p for p in response.properties if p.name == "object_key"), None) if response else None
    field = re.search(r"send it as (\w+) when", key.description or "") if key else None
    found = _MAX_BYTES.search(size.description or "") if size else None
    limit = int(float(found.group(1)) * _UNITS[found.group(2)]) if found else 10_000_000
    return UploadPlan(f"{table.name}/{field.group(1) if field else 'file'}", field.group(1) if field else "file", limit)


@dataclass(frozen=True)
class LatestPlan:
    """A latest-value write: the columns it overwrites, and the Redis structure the design keeps them in (None: the row)."""

    columns: tuple[str, ...]
    structure: str | None
    key: str
    #: Seconds a row's hash lives (its entity's retention): set once, at the first write (EXPIRE NX); None: no expiry.
    ttl_s: float | None = None


def latest_plan(ctx: ModuleContext, op: Operation, table: Table, body: tuple[FieldPlan, ...]) -> LatestPlan | None:
    use_case = op.use_cases[0] if op.use_cases else ""
    made = ctx.decision("latest.", use_case)
    if made is None:
        return None
    columns = tuple(c for f in body for c in f.columns)
    if "lives in memory" not in made.choice:
        return LatestPlan(columns, None, "")
    geo = " GEO set" in made.choice
    key = re.search(r"(?:GEOADD|HSET) (\S+)", made.choice)
    ttl = made.inputs.get("key_expiry_s")
    return LatestPlan(columns, "geo" if geo else "hash", key.group(1).rstrip(");,.") if key else f"latest:{table.name}", ttl)


@dataclass(frozen=True)
class PresencePlan:
    """A heartbeat: the presence key's time to live, and the row's last-seen column it refreshes (None when it has none)."""

    ttl_s: float
    last_seen: str | None


def presence_plan(ctx: ModuleContext, op: Operation, table: Table) -> PresencePlan | None:
    if not heartbeat(op):
        return None
    placed = ctx.placement(f"{table.name}.presence")
    ttl = ttl_seconds(placed.retention) if placed is not None else None
    seen = next((c.name for c in table.columns if c.type == "timestamptz" and c.name.startswith("last_") and c.name.endswith("_at")), None)
    return PresencePlan(ttl or 60.0, seen)


@dataclass(frozen=True)
class MadePlan:
    """A row the create writes that the body does not list (``Operation.made_rows``): its resource and table, the column naming
    the new row, the caller's column, the constants and the request-time columns."""

    resource: str
    table: str
    parent_column: str
    caller: str | None
    values: tuple[tuple[str, str], ...]
    stamped: tuple[str, ...]


def made_plans(ctx: ModuleContext, op: Operation) -> tuple[MadePlan, ...]:
    """The rows the design says the server writes in the create's transaction; a ``Gap`` when the module cannot write one.

    Why: a creator left without the membership row the contract promises was refused by the scope's own members-only reads, and
    a part the design sized and the contract said the server makes was never written.
    """
    out = []
    for made in op.made_rows:
        plan = ctx.plans.get(made.table)
        if plan is None:
            raise Gap(f"the {made.entity} row it makes lives outside this module")
        if made.unfilled:
            raise Gap(f"the server makes its {made.entity} row, whose {', '.join(made.unfilled)} only domain code can compute")
        resource = ctx.resources[made.entity].var if made.entity in ctx.resources else identifier(made.entity).upper()
        out.append(MadePlan(resource, plan.var, made.parent_column, made.caller, tuple(sorted(made.values.items())), tuple(made.stamped)))
    return tuple(out)


@dataclass(frozen=True)
class CreatePlan:
    """A create's parts and total, and the rows the server makes with it."""

    children: tuple[ChildPlan, ...] = ()
    total: TotalPlan | None = None
    links: tuple[LinkSetPlan, ...] = ()
    made: tuple[MadePlan, ...] = ()


@dataclass(frozen=True)
class ChangePlan:
    """A change's latest value and heartbeat, where the design made it one."""

    latest: LatestPlan | None = None
    presence: PresencePlan | None = None
