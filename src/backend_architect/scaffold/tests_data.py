"""The generated project's tests: the design as test data (design.py), and the tests that read it.

The behaviour checked lives in static files (tests/checks.py and friends); what differs
between designs is data: each operation's path, auth, owner, filters, orders, designed
index and events, and each table's columns, so a scenario can seed rows the caller may see.
"""

from __future__ import annotations

import re
from typing import Any

from backend_architect.ir.model import Operation, Table
from backend_architect.scaffold.naming import identifier, literal
from backend_architect.scaffold.plan import DeployablePlan, ModulePlan, ProjectPlan
from backend_architect.scaffold.plan_api import ColumnRef, FilterPlan, OpPlan
from backend_architect.scaffold.plan_reads import FeedPlan, NearPlan, PlaybackPlan, RankingPlan, RedirectPlan, SeriesPlan, WalkPlan
from backend_architect.scaffold.plan_writes import ChangePlan, CreatePlan, DownloadPlan, LinkPlan, LoginPlan, PasswordPlan, UploadPlan
from backend_architect.scaffold.tests_cases import use_case_tests

_CONSTANT = re.compile(r"\b([a-z_][a-z0-9_]*) = (?:'((?:[^']|'')*)'|(true|false|-?\d+(?:\.\d+)?))(?![\w.])")


def where_values(where: str | None) -> dict[str, Any]:
    """Constants a partial index's predicate fixes (``state = 'firing'``), so seeded rows satisfy it.

    >>> where_values("deleted_at IS NULL AND state = 'firing' AND level = 3")
    {'state': 'firing', 'level': 3}
    """
    out: dict[str, Any] = {}
    for match in _CONSTANT.finditer(where or ""):
        column, text, other = match.groups()
        if text is not None:
            out[column] = text.replace("''", "'")
        elif other in {"true", "false"}:
            out[column] = other == "true"
        else:
            out[column] = float(other) if "." in other else int(other)
    return out


def table_key(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _table_data(module: ModulePlan, table: Table) -> dict[str, Any]:
    plan = next(t for t in module.tables if t.name == table.name)
    read = next((s for s in module.api.schemas if table.entity and s.name == table.entity), None)
    formats = {p.name: p.format for p in read.properties if p.format} if read else {}
    patterns = {p.name: p.pattern for p in read.properties if p.pattern} if read else {}
    columns = [
        {
            "name": c.name,
            "type": c.type,
            "nullable": c.nullable,
            "length": c.length,
            "enum": list(c.enum_values),
            "dims": c.dims,
            "identity": c.identity,
            "has_default": c.default is not None,
            "format": formats.get(c.name),
            "pattern": patterns.get(c.name),
        }
        for c in table.columns
    ]
    foreign = {fk.columns[0]: table_key(module.schema, fk.ref_table) for fk in table.foreign_keys if len(fk.columns) == 1}
    return {
        "schema": module.schema,
        "name": table.name,
        "key": plan.key,
        "key_kind": plan.key_kind,
        "tenant": plan.tenant,
        "columns": columns,
        "foreign": foreign,
        "uniques": [list(u.columns) for u in table.uniques] + [[c.name for c in i.columns] for i in table.indexes if i.unique],
    }


def _designed_indexes(table: Table, use_cases: list[str]) -> list[dict[str, Any]]:
    """The indexes the design made for these use cases, which their queries must use."""
    wanted = [f"use case '{name}'" for name in use_cases]
    return [
        {"name": index.name, "method": index.method, "columns": [c.name for c in index.columns]}
        for index in table.indexes
        if any(reason.startswith(w) for reason in index.reasons for w in wanted)
    ]


def _unique_columns(table: Table) -> set[str]:
    found = {c for u in table.uniques for c in u.columns}
    return found | {c.name for i in table.indexes if i.unique for c in i.columns}


def _chain(module: ModulePlan, at: ColumnRef) -> dict[str, Any]:
    """A column reached through joins, as the tests seed and read it: its table, column and the hops to it (qualified table names)."""
    names = {t.var: table_key(module.schema, t.name) for t in module.tables}
    return {
        "table": names[at.table],
        "column": at.column,
        "hops": [[names[h.left_table], h.left_column, names[h.right_table], h.right_column] for h in at.via],
    }


def _filter(module: ModulePlan, item: FilterPlan) -> dict[str, Any]:
    return {"param": item.param, "column": item.column, "op": item.op, "chain": _chain(module, item.at) if item.at.via else None}


def _required_query(module: ModulePlan, op: Operation) -> dict[str, Any]:
    """A valid value for each required query parameter (so a refused request is refused for its token, not its parameters)."""
    out: dict[str, Any] = {}
    for param in op.parameters:
        if param.location != "query" or not param.required:
            continue
        if param.format == "uuid":
            out[param.name] = "01950f6b-8a3c-7212-aa9e-20949ffca0ac"
        elif param.type in {"number", "integer"}:
            out[param.name] = param.minimum if param.minimum is not None and param.minimum > 0 else 1 if param.type == "integer" else 0.5
        elif param.enum:
            out[param.name] = param.enum[0]
        elif param.format == "date-time":
            out[param.name] = "2026-03-14T09:26:53Z"
        else:
            out[param.name] = "x"
    return out


def _mechanism_data(module: ModulePlan, op: OpPlan) -> dict[str, Any]:
    """What a mechanism's check needs beyond the operation's shape: the walk, the series, the ranking, the link, the log in..."""
    names = {t.var: table_key(module.schema, t.name) for t in module.tables}
    detail = op.detail
    out: dict[str, Any] = {}
    if isinstance(detail, FeedPlan):
        out["feed"] = True
    if isinstance(detail, NearPlan):
        out["near"] = {"lat": detail.lat, "lon": detail.lon, "cell": detail.cell, "radius": detail.radius}
    if isinstance(detail, WalkPlan):
        out["walk"] = {"table": names[detail.edges], "source": detail.source, "target": detail.target, "depth": detail.depth}
    if isinstance(detail, SeriesPlan):
        job = next((j.name for j in module.jobs if j.expression and f"{op.const}_SERIES" in j.expression), None)
        rollup = next((names[t.var] for t in module.tables if t.var == detail.rollup), None)
        out["series"] = {"time": detail.time, "value": detail.value, "aggregate": detail.aggregate, "every_s": detail.every_s, "rollup": rollup, "job": job}
    if isinstance(detail, RankingPlan):
        job = next((j.name for j in module.jobs if j.expression and f"{op.const}_RANKING" in j.expression), None)
        snapshot = next((names[t.var] for t in module.tables if t.var == detail.snapshot), None)
        out["ranking"] = {"column": detail.column, "by": detail.by, "k": detail.k, "time": detail.time, "snapshot": snapshot, "job": job}
    if isinstance(detail, LinkPlan):
        # the end naming the caller's own id (design/api/caller_rows.py): the checks make the link as the caller, and as another (403)
        caller = next((e for e, p in (("source", detail.source_param), ("target", detail.target_param)) if p in op.op.caller_params), None)
        source = next((table_key(module.schema, r.table.name) for r in module.resources if r.var == detail.source_resource), None)
        out["link"] = {"table": names[detail.table], "source": detail.source_column, "target": detail.target_column,
                       "source_param": detail.source_param, "target_param": detail.target_param, "source_table": source,
                       "caller": caller}  # fmt: skip
    if isinstance(detail, LoginPlan):
        out["login"] = {"column": detail.login_column, "secret": detail.secret_column, "prop": detail.login_attr, "secret_prop": detail.secret_attr}
    if isinstance(detail, PasswordPlan):
        out["password"] = {"secret": detail.secret_column, "current": detail.current_attr, "new": detail.new_attr}
    if isinstance(detail, UploadPlan):
        out["upload"] = {"field": detail.field, "max_bytes": detail.max_bytes}
    if isinstance(detail, DownloadPlan):
        out["download"] = {"column": detail.column}
        if detail.renditions:
            picks = next((p.enum for p in op.op.parameters if p.name == "rendition"), [])
            out["download"] |= {"renditions": names[detail.renditions], "owner": detail.owner, "status": detail.status,
                                "outputs": [p for p in picks if p != "original"], "default": picks[0] if picks else "original"}  # fmt: skip
    if isinstance(detail, PlaybackPlan):
        out["playback"] = {"column": detail.column, "status": detail.status, "renditions": names[detail.renditions], "owner": detail.owner,
                           "bandwidth": [list(b) for b in detail.bandwidth]}  # fmt: skip
    if isinstance(detail, RedirectPlan):
        out["redirect"] = {"location": detail.location}
    if isinstance(detail, CreatePlan):
        out["children"] = [{"prop": c.prop, "table": names[c.table], "column": c.parent_column} for c in detail.children]
        out["made"] = [
            {"table": names[m.table], "column": m.parent_column, "caller": m.caller, "values": dict(m.values), "stamped": list(m.stamped)} for m in detail.made
        ]
        out["links"] = [
            {"prop": k.prop, "table": names[k.table], "column": k.parent_column, "target": names[k.target] if k.target else None, "name": k.name}
            for k in detail.links
        ]
    if isinstance(detail, ChangePlan):
        out["latest"] = detail.latest is not None
        out["heartbeat"] = detail.presence is not None
    return out


def _countries(module: ModulePlan, op: OpPlan) -> dict[str, Any] | None:
    """Where a geo-restricted read's countries live, for the check that a refused country gets 451."""
    rule = op.op.country_rule
    if rule is None or op.countries is None:
        return None
    return {"table": table_key(module.schema, rule.table), "column": rule.column, "item_column": rule.item_column, "mode": rule.mode, "header": rule.header}


def _members(module: ModulePlan, op: OpPlan) -> dict[str, Any] | None:
    """A members-only operation's membership, so every call makes the caller a member first and checks a stranger is refused."""
    rule = op.members
    if rule is None:
        return None
    return {
        "table": table_key(module.schema, rule.table_name),
        "scope_column": rule.scope_column,
        "member_column": rule.member_column,
        "source": rule.source,
        "name": rule.column,
        "status": rule.status,
    }


def _joins(op: OpPlan) -> dict[str, Any] | None:
    """A link adding a member: who may add whom and the scope's size, so the checks join as the caller and are refused otherwise."""
    rule = op.joins
    if rule is None or op.mechanism != "links.relate":
        return None
    return {"member": rule.member_column, "role": rule.role, "admins": list(rule.admin_roles), "most": rule.max_members}


def _operation_data(module: ModulePlan, op: OpPlan, ir_table: Table, base_path: str) -> dict[str, Any]:
    ir = op.op
    table = op.resource.table
    schemas = module.document.get("components", {}).get("schemas", {})
    request = schemas.get(ir.request_schema or "", {})
    props = request.get("properties", {})
    uniques = _unique_columns(ir_table)
    foreign = {fk.columns[0]: table_key(module.schema, fk.ref_table) for fk in ir_table.foreign_keys if len(fk.columns) == 1}
    parent_column = op.resource.parent[1] if op.resource.parent else None
    indexes = _designed_indexes(ir_table, list(ir.use_cases)) if ir.kind == "list" else []
    parent = None
    if op.parent_param and parent_column and op.resource.parent:
        holder = next(r for r in module.resources if r.var == op.resource.parent[0])
        parent = {"param": op.parent_param.name, "column": parent_column, "table": table_key(module.schema, holder.table.name)}
    owner = op.owner if op.owner and not op.owner.via else None
    sorts = {}
    for sort in op.sorts:
        sorts[sort.name] = [[k.at.column, k.descending, _chain(module, k.at) if k.at.via else None] for k in sort.keys]
    return {
        "module": module.name,
        "method": ir.method,
        "path": base_path + ir.path,
        "contract_path": ir.path,
        "kind": ir.kind,
        "mechanism": op.mechanism,
        "gap": op.gap,
        "todo": op.todo,
        "flow": ir.flow,
        "success": ir.success_status,
        "table": table_key(module.schema, table.name),
        "address": op.resource.address,
        "auth": ir.auth,
        "signed_by": ir.signed_by,
        "withheld": list(ir.withheld),
        "scopes": list(ir.scopes),
        "owner": owner.column if owner else None,
        "owner_chain": _chain(module, op.owner) if op.owner and op.owner.via else None,
        "conditional": bool(ir.conditional and table.version),
        "cache_control": ir.cache_control,
        "idempotent": ir.idempotency_key,
        "events": [e.name for e in op.events],
        "parent": parent,
        "key_param": op.key_param.name if op.key_param else None,
        "example": ir.example_request,
        "sets": dict(sorted(ir.sets.items())),
        "has_body": bool(ir.request_schema),
        "required": list(request.get("required", [])),
        "unique": {p: {k: v for k, v in s.items() if k in {"type", "format", "maxLength"}} for p, s in props.items() if p in uniques},
        "props": {p: {k: v for k, v in s.items() if k in {"type", "format", "maxLength", "enum", "pattern"}} for p, s in props.items()},
        "references": {p: foreign[p] for p in props if p in foreign and (p != parent_column or parent is None)},
        "filters": [_filter(module, f) for f in op.filters],
        "path_filters": [_filter(module, f) for f in op.path_columns],
        "lookup": [_filter(module, f) for f in op.lookup],
        "sorts": sorts,
        "paging": op.paging,
        "where_values": where_values(" AND ".join(op.listing.where)),
        "search": [c.column for c in op.listing.search[1] if not c.via] if op.listing.search else None,
        "engine": op.listing.engine,
        "indexes": indexes,
        "outbox": table_key(module.schema, module.outbox),
        "use_cases": list(ir.use_cases),
        "summary": ir.summary,
        "rate": list(op.rate),
        "services_only": op.callers[0],
        "service_rate": list(op.callers[1]) if op.callers[1] else None,
        "declared": [str(s) for s in ir.error_statuses],
        "func": op.func,
        "path_kinds": {p.name: "uuid" if "Uuid" in p.annotation else "int" if "int" in p.annotation else "text" for p in op.params if p.location == "path"},
        "required_query": _required_query(module, ir),
        "countries": _countries(module, op),
        "members": _members(module, op),
        "joins": _joins(op),
        **_mechanism_data(module, op),
    }


def design_module(deployable: DeployablePlan) -> str:
    operations: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for module in deployable.modules:
        mine = {t.name: t for t in module.ir_tables if t.role is None}  # the runtime tables follow
        for table in mine.values():
            tables[table_key(module.schema, table.name)] = _table_data(module, table)
        runtime = {"outbox": module.outbox, "idempotency": module.idempotency, "deliveries": module.runtime_names["deliveries"]}
        runtime |= {kind: module.runtime_names[kind] for kind in ("sessions", "presence", "objects") if kind in module.runtime}
        for kind, name in runtime.items():
            tables[table_key(module.schema, name)] = {
                "schema": module.schema,
                "name": name,
                "key": "key" if kind in {"objects"} else "id",
                "key_kind": "uuid",
                "tenant": None,
                "columns": [],
                "foreign": {},
                "uniques": [],
                "runtime": kind,
            }
        for op in module.operations:
            data = _operation_data(module, op, mine[op.resource.table.name], module.api.base_path)
            operations[op.op.operation_id] = data
    lines = [
        '"""The design, as data the tests read: every operation and table of this deployable (generated; do not edit)."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any",
        "",
        f"from {deployable.package}.core.contracts import CONTRACT_DIR as CONTRACT_DIR",
        "",
        f"PACKAGE = {literal(deployable.package)}",
        f"MODULES = {literal(tuple(m.name for m in deployable.modules))}",
        f"MODULE_PACKAGES = {literal(tuple(m.package for m in deployable.modules))}",
        f"OPERATIONS: dict[str, dict[str, Any]] = {_pretty(operations)}",
        f"TABLES: dict[str, dict[str, Any]] = {_pretty(tables)}",
        "",
    ]
    return "\n".join(lines)


def _pretty(value: Any, indent: int = 0) -> str:
    """A Python literal, one key a line for dicts (readable diffs when the design changes)."""
    pad = "    " * (indent + 1)
    flat = literal(value)
    if isinstance(value, dict) and value and len(flat) + 4 * indent > 120:
        items = [f"{pad}{literal(k)}: {_pretty(v, indent + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + "    " * indent + "}"
    if isinstance(value, list) and value and len(flat) + 4 * indent > 120:
        return "[\n" + "\n".join(f"{pad}{_pretty(v, indent + 1)}," for v in value) + "\n" + "    " * indent + "]"
    return flat


def test_files(project: ProjectPlan, deployable: DeployablePlan, static: dict[str, str], render: Any) -> dict[str, str]:
    """tests/ of one deployable: static helpers, the design as data, one use-case file per module, contract and runtime tests."""
    files = {f"{deployable.name}/tests/{name}": text for name, text in static.items()}
    files[f"{deployable.name}/tests/design.py"] = design_module(deployable)
    for module in deployable.modules:
        files[f"{deployable.name}/tests/test_{identifier(module.name)}_use_cases.py"] = use_case_tests(module)
    context = {"deployable": deployable, "project": project}
    for name in ("conftest.py", "test_contract.py", "test_boundaries.py", "test_runtime.py"):
        files[f"{deployable.name}/tests/{name}"] = render(f"python/tests/{name}.j2", **context)
    return files
