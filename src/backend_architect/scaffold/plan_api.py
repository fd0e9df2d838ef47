"""Operations of a module as the routes implement them: parameters, body models, filters, orders, events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend_architect.errors import InputError, Location
from backend_architect.ir.model import Architecture, Index, Operation, Table
from backend_architect.scaffold.naming import constant, field_name, identifier, literal, pascal
from backend_architect.scaffold.plan_data import FieldPlan, ResourcePlan, TablePlan, fields, owner_column
from backend_architect.scaffold.pytypes import Unsupported, annotation, parameter_annotation

#: Query parameters with a role of their own; every other query parameter filters.
_PAGING = {"sort", "limit", "cursor", "offset", "q"}
_TSVECTOR_CONFIG = re.compile(r"to_tsvector\('([a-z_]+)'")


@dataclass(frozen=True)
class ParamPlan:
    name: str
    location: str
    py: str
    annotation: str
    default: str | None


@dataclass(frozen=True)
class FilterPlan:
    param: str
    py: str
    column: str
    op: str


@dataclass(frozen=True)
class SortPlan:
    name: str
    keys: tuple[tuple[str, bool, str], ...]


@dataclass(frozen=True)
class EventPlan:
    name: str
    channel: str
    key: str
    fields: tuple[str, ...]

    @property
    def const(self) -> str:
        return constant(self.name)


@dataclass(frozen=True)
class ModelField:
    name: str
    attr: str
    annotation: str
    required: bool


@dataclass(frozen=True)
class ModelPlan:
    name: str
    doc: str
    fields: tuple[ModelField, ...]


@dataclass(frozen=True)
class OpPlan:
    """One operation: the IR's decisions plus what the generated route needs to carry them out."""

    op: Operation
    func: str
    const: str
    resource: ResourcePlan
    params: tuple[ParamPlan, ...]
    body_model: str | None
    body_fields: tuple[FieldPlan, ...]
    filters: tuple[FilterPlan, ...]
    sorts: tuple[SortPlan, ...]
    default_sort: str
    where: tuple[str, ...]
    search: tuple[str, tuple[str, ...]] | None
    paging: str
    owner: str | None
    events: tuple[EventPlan, ...]
    rate: tuple[str, int, int, str]
    hook: str | None

    def param(self, location: str) -> list[ParamPlan]:
        return [p for p in self.params if p.location == location]

    @property
    def key_param(self) -> ParamPlan | None:
        path = self.param("path")
        return path[-1] if path and self.op.kind not in {"list", "create"} else None

    @property
    def parent_param(self) -> ParamPlan | None:
        path = self.param("path")
        rest = path if self.op.kind in {"list", "create"} else path[:-1]
        return rest[-1] if rest and self.resource.parent else None

    @property
    def header(self) -> dict[str, ParamPlan]:
        return {p.name: p for p in self.param("header")}

    def query(self, role: str) -> ParamPlan | None:
        return next((p for p in self.param("query") if p.name == role), None)


def _marker(location: str, name: str, py: str, schema: dict[str, Any]) -> str:
    args = [] if name == py else [f"alias={literal(name)}"]
    kind = {"path": "Path", "query": "Query", "header": "Header"}[location]
    return f"{kind}({', '.join(args)})"


def parameters(op: Operation, document_op: dict[str, Any], components: dict[str, Any]) -> tuple[ParamPlan, ...]:
    """The operation's parameters as FastAPI declares them, typed from the contract's schemas."""
    out: list[ParamPlan] = []
    taken = {"request", "ctx", "body"}
    for raw in document_op.get("parameters", []):
        param = components.get("parameters", {})[raw["$ref"].rsplit("/", 1)[-1]] if "$ref" in raw else raw
        name, location, schema = param["name"], param["in"], param["schema"]
        py = identifier(name)
        if py in taken:
            py = identifier(f"{name}_{location}")
        taken.add(py)
        try:
            base = parameter_annotation(schema)
        except Unsupported as exc:
            raise ValueError(f"parameter {name}: {exc}") from None
        required = location == "path" or param.get("required", False)
        default = None if required else literal(schema["default"]) if "default" in schema else "None"
        typed = base if required or default != "None" else f"{base} | None"
        out.append(ParamPlan(name, location, py, f"Annotated[{typed}, {_marker(location, name, py, schema)}]", default))
    return tuple(out)


def model_plans(names: list[str], components: dict[str, Any]) -> list[ModelPlan]:
    """Pydantic models for the request schemas (and the schemas they reference), in dependency order."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        schema = components["schemas"][name]
        for prop in schema.get("properties", {}).values():
            for ref in _refs(prop):
                visit(ref)
        ordered.append(name)

    for name in names:
        visit(name)
    plans = []
    for name in ordered:
        schema = components["schemas"][name]
        required = set(schema.get("required", []))
        model_fields = []
        for prop, prop_schema in schema.get("properties", {}).items():
            try:
                model_fields.append(ModelField(prop, field_name(prop), annotation(prop_schema, components), prop in required))
            except Unsupported as exc:
                raise ValueError(f"schema {name}, property {prop}: {exc}") from None
        plans.append(ModelPlan(pascal(name), schema.get("description", ""), tuple(model_fields)))
    return plans


def _refs(schema: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        return [schema["$ref"].rsplit("/", 1)[-1]]
    found = []
    for option in schema.get("oneOf", []):
        found += _refs(option)
    if isinstance(schema.get("items"), dict):
        found += _refs(schema["items"])
    return found


def designed_index(table: Table, use_cases: list[str], *, method: str) -> Index | None:
    """The index the design made for one of these use cases (its reasons name them)."""
    wanted = [f"use case '{name}'" for name in use_cases]
    for index in table.indexes:
        if index.method == method and any(reason.startswith(w) for reason in index.reasons for w in wanted):
            return index
    return None


def list_details(
    op: Operation, params: tuple[ParamPlan, ...], table: TablePlan, ir_table: Table, origin: str
) -> tuple[tuple[FilterPlan, ...], tuple[SortPlan, ...], str, tuple[str, ...], tuple[str, tuple[str, ...]] | None, str]:
    """Filters, orders, the designed index's constant predicate, full-text search and the paging style of a list."""
    filters = []
    path_names = {p.name for p in params if p.location == "path"}
    for param in params:
        if param.location != "query" or param.name in _PAGING:
            continue
        name = param.name
        if table.has(name):
            filters.append(FilterPlan(name, param.py, name, "eq"))
        elif name.endswith("_from") and table.has(name[: -len("_from")]):
            filters.append(FilterPlan(name, param.py, name[: -len("_from")], "ge"))
        elif name.endswith("_to") and table.has(name[: -len("_to")]):
            filters.append(FilterPlan(name, param.py, name[: -len("_to")], "lt"))
        elif name.startswith("min_") and table.has(name[4:]):
            filters.append(FilterPlan(name, param.py, name[4:], "ge"))
        elif name.startswith("max_") and table.has(name[4:]):
            filters.append(FilterPlan(name, param.py, name[4:], "lt"))
        elif name not in path_names:
            raise InputError(Location(origin), f"operation {op.operation_id}: query parameter {name} matches no column of {table.name}")
    sort_param = next((p for p in op.parameters if p.name == "sort" and p.location == "query"), None)
    key = table.column(table.key)
    sorts = []
    for value in sort_param.enum if sort_param else []:
        column = value.removeprefix("-")
        if not table.has(column):
            raise InputError(Location(origin), f"operation {op.operation_id}: sort {value} names no column of {table.name}")
        descending = value.startswith("-")
        keys = [(column, descending, table.column(column).kind)]
        if column != table.key:
            keys.append((table.key, descending, key.kind))
        sorts.append(SortPlan(value, tuple(keys)))
    if not sorts:
        sorts.append(SortPlan("", ((table.key, False, key.kind),)))
    default = str(sort_param.default) if sort_param and sort_param.default else sorts[0].name
    btree = designed_index(ir_table, op.use_cases, method="btree")
    where = tuple(w for w in [btree.where if btree else None] if w)
    search = None
    if any(p.name == "q" for p in op.parameters):
        gin = designed_index(ir_table, op.use_cases, method="gin")
        if gin is None or not gin.expression:
            raise InputError(Location(origin), f"operation {op.operation_id}: full-text search without a designed GIN index")
        config = _TSVECTOR_CONFIG.search(gin.expression)
        columns = tuple(c.name for c in gin.columns if c.name != table.tenant)
        search = (config.group(1) if config else "simple", columns)
    paging = "offset" if any(p.name == "offset" for p in op.parameters) else "cursor" if op.paginated else "none"
    return tuple(filters), tuple(sorts), default, where, search, paging


def actors(arch: Architecture, op: Operation) -> list[str]:
    """Who may own the operation's rows: the actors of its use cases (the first hop of their flows), then every other actor."""
    flows = {f.use_case: f for f in arch.flows}
    own = [flows[u].steps[0].source for u in op.use_cases if u in flows and flows[u].steps]
    others = sorted({f.steps[0].source for f in arch.flows if f.steps} - set(own))
    return [*dict.fromkeys(own), *others]


def operation_plan(
    arch: Architecture,
    op: Operation,
    document: dict[str, Any],
    resource: ResourcePlan,
    ir_table: Table,
    events: dict[str, EventPlan],
    origin: str,
) -> OpPlan:
    document_op = document["paths"][op.path][op.method]
    components = document.get("components", {})
    try:
        params = parameters(op, document_op, components)
    except ValueError as exc:
        raise InputError(Location(origin), f"operation {op.operation_id}: {exc}") from None
    table = resource.table
    body_fields: tuple[FieldPlan, ...] = ()
    if op.request_schema:
        api = next(a for a in arch.apis if any(o is op for o in a.operations))
        schema = next(s for s in api.schemas if s.name == op.request_schema)
        body_fields = fields(schema, table, ir_table, origin)
    filters, sorts, default_sort, where, search, paging = (
        list_details(op, params, table, ir_table, origin) if op.kind == "list" else ((), (), "", (), None, "none")
    )
    owner = None
    if op.owner_only:
        owner = owner_column(op, table, ir_table, actors(arch, op))
        if owner is None:
            raise InputError(Location(origin), f"operation {op.operation_id} is owner-only, but no column of {table.name} names its actor")
    limit = document_op.get("x-rate-limit") or {}
    rate = (
        str(limit.get("class", "read" if op.method == "get" else "write")),
        int(limit.get("per_minute", 0)),
        int(limit.get("burst", 0)),
        "ip" if limit.get("key") == "client IP" else "subject",
    )
    mine = tuple(events[e.name] for e in arch.events if e.use_case in op.use_cases and e.name in events)
    return OpPlan(
        op=op,
        func=identifier(op.operation_id),
        const=constant(op.operation_id),
        resource=resource,
        params=params,
        body_model=pascal(op.request_schema) if op.request_schema else None,
        body_fields=body_fields,
        filters=filters,
        sorts=sorts,
        default_sort=default_sort,
        where=where,
        search=search,
        paging=paging,
        owner=owner,
        events=mine,
        rate=rate,
        hook=identifier(op.operation_id) if op.kind == "action" else None,
    )
