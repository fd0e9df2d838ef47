"""Python snippets the module templates insert: policies, operations, signatures and calls.

Kept out of the templates so each decision's translation to code is one small function a
test can read, and every value read from the design goes through ``literal``.
"""

from __future__ import annotations

from backend_architect.scaffold.naming import identifier, literal
from backend_architect.scaffold.plan_api import OpPlan
from backend_architect.scaffold.plan_data import FieldPlan, ResourcePlan

_CRUD = {"list": "list_page", "get": "read", "create": "create", "update": "change", "replace": "change", "action": "change", "delete": "remove"}


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
    flat = f"Policy({', '.join(args)})"
    return flat if len(flat) <= 130 else "Policy(\n" + "".join(f"        {a},\n" for a in args) + "    )"


def resource(plan: ResourcePlan, parent_var: str | None) -> list[str]:
    """The keyword arguments of a ``Resource(...)``."""
    table = plan.table
    args = [
        f"name={literal(plan.entity)}",
        f"table={table.var}",
        f"key={column(plan, table.key)}",
        f"key_kind={literal(table.key_kind)}",
        f"to_api={plan.to_api}",
        f"location=(lambda row: f{literal(plan.location)})" if plan.location else "location=None",
        "outbox=outbox",
        "idempotency=idempotency_keys",
    ]
    if table.app_keys:
        args.append("new_key=new_uuid")
    for trait in ("version", "tenant", "deleted_at", "updated_at"):
        name = getattr(table, trait)
        if name:
            args.append(f"{trait}={column(plan, name)}")
    if plan.parent and parent_var:
        args.append(f"parent=Parent({parent_var}, {column(plan, plan.parent[1])})")
    return args


def operation(op: OpPlan) -> list[str]:
    """The keyword arguments of an ``Operation(...)``: the design's decisions for this operation."""
    res = op.resource
    args = [f"policy={policy(op)}", f"resource={res.var}", f"kind={literal(op.op.kind)}"]
    if op.owner:
        args.append(f"owner={column(res, op.owner)}")
    if op.op.conditional and res.table.version:
        args.append("conditional=True")
    if op.events:
        args.append(f"events={snippet_tuple([e.const for e in op.events])}")
    if op.op.cache_control:
        args.append(f"cache_control={literal(op.op.cache_control)}")
    if op.op.kind == "list":
        filters = [f"Filter({literal(f.param)}, {column(res, f.column)}, {literal(f.op)})" for f in op.filters]
        args.append(f"filters={snippet_tuple(filters)}")
        if op.where:
            args.append(f"where={snippet_tuple([f'text({literal(w)})' for w in op.where])}")
        sorts = []
        for sort in op.sorts:
            keys = [f"SortKey({column(res, name)}, {descending}, {literal(kind)})" for name, descending, kind in sort.keys]
            sorts.append(f"{literal(sort.name)}: {snippet_tuple(keys, 8)}")
        args.append("sorts={" + ", ".join(sorts) + "}" if sum(map(len, sorts)) < 100 else "sorts={\n" + "".join(f"        {s},\n" for s in sorts) + "    }")
        args.append(f"default_sort={literal(op.default_sort)}")
        if op.search:
            config, columns = op.search
            document = ", ".join(column(res, c) for c in columns)
            args.append(f"search=Search('q', document({literal(config)}, {document}), {literal(config)})")
        args.append(f"paging={literal(op.paging)}")
    return args


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
    return [f"values[{literal(field.columns[0])}] = {attr}"]


def signature(op: OpPlan) -> list[str]:
    """The route function's parameters after ``request``."""
    lines = []
    for param in sorted(op.params, key=lambda p: p.default is not None):
        default = f" = {param.default}" if param.default is not None else ""
        lines.append(f"{param.py}: {param.annotation}{default},")
    return lines


def wrapped(head: str, args: list[str], indent: str = "    ") -> list[str]:
    """``head(arg, ...)`` on one line, or one argument a line when that passes 140 characters.

    >>> wrapped("return f", ["a", "b=1"])
    ['return f(a, b=1)']
    """
    line = f"{head}({', '.join(args)})"
    if len(line) + len(indent) <= 150:
        return [line]
    return [f"{head}(", *(f"    {a}," for a in args), ")"]


def call(op: OpPlan) -> list[str]:
    """The route's body: authenticate, parse the body, hand over to ``crud`` with the operation's decisions."""
    kind = op.op.kind
    const = f"resources.{op.const}"
    lines = [f"ctx = await begin(request, {const}.policy)"]
    key = op.key_param.py if op.key_param else "None"
    tail = [f"parent_key={op.parent_param.py}"] if op.parent_param else []
    headers = op.header
    if_match = [f"if_match={headers['If-Match'].py}"] if "If-Match" in headers else []
    idem = [f"idempotency_key={headers['Idempotency-Key'].py}"] if "Idempotency-Key" in headers else []
    values = "{}"
    if op.body_model:
        lines.append(f"body, sent = await parse(request, schemas.{op.body_model}, ctx.services.settings.max_body_bytes)")
        values = f"resources.{values_function(op.op.request_schema or '')}(body)"
    sent = "sent" if op.body_model else "None"
    if kind == "list":
        params = "{" + ", ".join(f"{literal(f.param)}: {f.py}" for f in op.filters) + "}"
        limit = op.query("limit")
        args = [f"limit={limit.py if limit else 100}"]
        args += [f"{role}={param.py}" for role in ("sort", "cursor", "offset", "q") for param in [op.query(role)] if param]
        lines += wrapped("return await crud.list_page", ["ctx", const, params, *args, *tail])
    elif kind == "get":
        lines += wrapped("return await crud.read", ["ctx", const, key, *tail])
    elif kind == "create":
        lines += wrapped("return await crud.create", ["ctx", const, values, sent, *idem, *tail])
    elif kind == "delete":
        lines += wrapped("return await crud.remove", ["ctx", const, key, *if_match, *tail])
    else:
        changes = values
        if op.hook and op.body_model:
            lines.append(f"values = {values}")
            changes = f"lambda row: {{**values, **domain.{op.hook}(row, body)}}"
        elif op.hook:
            changes = f"lambda row: domain.{op.hook}(row, None)"
        lines += wrapped("return await crud.change", ["ctx", const, key, changes, *if_match, f"body={sent}", *idem, *tail])
    return lines
