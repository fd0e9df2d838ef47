"""The generated project's tests: the design as test data (design.py), and the tests that read it.

The behaviour checked lives in static files (tests/checks.py and friends); what differs
between designs is data: each operation's path, auth, owner, filters, orders, designed
index and events, and each table's columns, so a scenario can seed rows the caller may see.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from backend_architect.ir.model import Table
from backend_architect.scaffold.naming import doc, identifier, literal
from backend_architect.scaffold.plan import DeployablePlan, ModulePlan, ProjectPlan
from backend_architect.scaffold.plan_api import OpPlan

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
    if op.parent_param and parent_column:
        parent = {"param": op.parent_param.name, "column": parent_column, "table": foreign.get(parent_column) or table_key(module.schema, table.name)}
    return {
        "module": module.name,
        "method": ir.method,
        "path": base_path + ir.path,
        "contract_path": ir.path,
        "kind": ir.kind,
        "table": table_key(module.schema, table.name),
        "auth": ir.auth,
        "scopes": list(ir.scopes),
        "owner": op.owner,
        "conditional": bool(ir.conditional and table.version),
        "idempotent": ir.idempotency_key,
        "events": [e.name for e in op.events],
        "parent": parent,
        "key_param": op.key_param.name if op.key_param else None,
        "example": ir.example_request,
        "has_body": bool(ir.request_schema),
        "required": list(request.get("required", [])),
        "unique": {p: {k: v for k, v in s.items() if k in {"type", "format", "maxLength"}} for p, s in props.items() if p in uniques},
        "props": {p: {k: v for k, v in s.items() if k in {"type", "format", "maxLength", "enum", "pattern"}} for p, s in props.items()},
        "references": {p: foreign[p] for p in props if p in foreign and p != parent_column},
        "filters": [{"param": f.param, "column": f.column, "op": f.op} for f in op.filters],
        "sorts": {s.name: [[name, descending] for name, descending, _kind in s.keys] for s in op.sorts},
        "paging": op.paging,
        "where_values": where_values(" AND ".join(op.where)),
        "search": list(op.search[1]) if op.search else None,
        "indexes": indexes,
        "outbox": table_key(module.schema, module.outbox),
        "use_cases": list(ir.use_cases),
        "summary": ir.summary,
        "rate": list(op.rate),
        "declared": [str(s) for s in ir.error_statuses],
        "func": op.func,
        "path_kinds": {p.name: "uuid" if "Uuid" in p.annotation else "int" for p in op.params if p.location == "path"},
    }


def design_module(deployable: DeployablePlan) -> str:
    operations: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for module in deployable.modules:
        mine = {t.name: t for t in module.ir_tables}
        for table in mine.values():
            tables[table_key(module.schema, table.name)] = _table_data(module, table)
        for runtime in (module.outbox, module.idempotency):
            tables[table_key(module.schema, runtime)] = {
                "schema": module.schema,
                "name": runtime,
                "key": "id",
                "key_kind": "uuid",
                "tenant": None,
                "columns": [],
                "foreign": {},
                "uniques": [],
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


def use_case_tests(deployable: DeployablePlan, module: ModulePlan) -> str:
    """One test per operation, in the order a user would perform them: create, read, list, change, act, delete."""
    order = {"create": 0, "get": 1, "list": 2, "update": 3, "replace": 3, "action": 4, "delete": 5}
    check = {"create": "create", "get": "read", "list": "listing", "update": "change", "replace": "change", "action": "change", "delete": "remove"}
    ops = sorted(module.operations, key=lambda o: order[o.op.kind])
    lines = [
        f'"""Use cases of the {doc(module.name)} module, in the order a user performs them, against the running service and a real PostgreSQL."""',
        "",
        "from __future__ import annotations",
        "",
        "import checks",
        "from support import Scenario",
    ]
    for op in ops:
        ir = op.op
        tenant = op.resource.table.tenant
        what = doc(f"use case '{ir.use_cases[0]}'" if ir.use_cases else f"'{ir.summary}'")
        behaviour = {
            "create": "creates it (201, Location), replays a retry with the same Idempotency-Key, refuses the key for another body",
            "get": "reads it (200), and 404 for unknown ids" + (", others' rows" if op.owner else "") + (", other tenants' rows" if tenant else ""),
            "list": "lists every visible row once across cursor pages, in the designed order, through the designed index",
            "update": "changes it with If-Match (200, new ETag), 412 when stale",
            "replace": "replaces it with If-Match (200, new ETag), 412 when stale",
            "action": "acts on it with If-Match and an Idempotency-Key, 412 when stale",
            "delete": "deletes it (204), after which it cannot be read",
        }[ir.kind]
        lines += [
            "",
            "",
            f"def test_{op.func}_ok(scenario: Scenario) -> None:",
            '    """' + textwrap.fill(f"{ir.method.upper()} {doc(ir.path)}, {what}: {behaviour}.", width=150, subsequent_indent="    ") + '"""',
            f"    checks.{check[ir.kind]}(scenario, {literal(ir.operation_id)})",
        ]
        if ir.auth == "required":
            refused = f", and without {' '.join(ir.scopes)} 403" if ir.scopes else ""
            lines += [
                "",
                "",
                f"def test_{op.func}_without_credentials_err(scenario: Scenario) -> None:",
                '    """' + textwrap.fill(f"{ir.method.upper()} {doc(ir.path)} without a token is 401{refused}.", width=150, subsequent_indent="    ") + '"""',
                f"    checks.guarded(scenario, {literal(ir.operation_id)})",
            ]
    return "\n".join(lines) + "\n"


def test_files(project: ProjectPlan, deployable: DeployablePlan, static: dict[str, str], render: Any) -> dict[str, str]:
    """tests/ of one deployable: static helpers, the design as data, one use-case file per module, contract and runtime tests."""
    files = {f"{deployable.name}/tests/{name}": text for name, text in static.items()}
    files[f"{deployable.name}/tests/design.py"] = design_module(deployable)
    for module in deployable.modules:
        files[f"{deployable.name}/tests/test_{identifier(module.name)}_use_cases.py"] = use_case_tests(deployable, module)
    context = {"deployable": deployable, "project": project}
    for name in ("conftest.py", "test_contract.py", "test_boundaries.py", "test_runtime.py"):
        files[f"{deployable.name}/tests/{name}"] = render(f"python/tests/{name}.j2", **context)
    return files
