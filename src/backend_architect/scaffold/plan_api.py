"""Operations of a module as the routes implement them: parameters, body models, column references, and what serves each.

Every operation the design produced gets a plan: the mechanism that implements it (a plain
CRUD call, a link, a log in, a graph walk, a series...) and the decisions it carries out.
An operation the scaffold cannot implement from the design gets the ``unavailable``
mechanism and the reason, never silence: its route answers 501 and the project's README
and the scaffold's summary list it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend_architect.ir.model import Index, MemberWrite, Operation, Table
from backend_architect.scaffold.joins import Hop
from backend_architect.scaffold.naming import constant, field_name, identifier, literal, pascal
from backend_architect.scaffold.plan_data import FieldPlan, Gap, ResourcePlan
from backend_architect.scaffold.pytypes import Unsupported, annotation, parameter_annotation


@dataclass(frozen=True)
class ParamPlan:
    name: str
    location: str
    py: str
    annotation: str
    default: str | None


@dataclass(frozen=True)
class MembersPlan:
    """A members-only operation's probe (``design/membership.py``): the membership table of this module, its scope and member
    columns, where the request names the scope (a parameter, a body attribute, or the addressed row's column) and what others get."""

    table: str
    #: The membership table's name (``table`` is its variable in the generated code).
    table_name: str
    scope_column: str
    member_column: str
    source: str
    #: The scope's column as the request or the row names it (the path or query parameter, the body property, the row's column).
    column: str
    #: The route's parameter or body attribute holding the scope's id; for ``row``, the addressed table's column naming it.
    name: str
    status: int
    scope: str


@dataclass(frozen=True)
class ColumnRef:
    """A column of one of the module's tables, and the joins from the table read to it (none: the table itself)."""

    table: str
    column: str
    via: tuple[Hop, ...] = ()


@dataclass(frozen=True)
class FilterPlan:
    param: str
    py: str
    at: ColumnRef
    op: str

    @property
    def column(self) -> str:
        return self.at.column


@dataclass(frozen=True)
class SortKeyPlan:
    at: ColumnRef
    descending: bool
    kind: str


@dataclass(frozen=True)
class SortPlan:
    name: str
    keys: tuple[SortKeyPlan, ...]


@dataclass(frozen=True)
class EventPlan:
    name: str
    channel: str
    key: str
    fields: tuple[str, ...]
    #: Fields the row does not hold, read through joins when the event is written.
    joins: tuple[tuple[str, ColumnRef], ...] = ()

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
class ListPlan:
    """What a list reads: filters (some through joins), orders, the designed index's predicate, search, and paging."""

    filters: tuple[FilterPlan, ...] = ()
    sorts: tuple[SortPlan, ...] = ()
    default_sort: str = ""
    where: tuple[str, ...] = ()
    #: Full-text search: the text configuration and the searched columns (of the table read, or through joins).
    search: tuple[str, tuple[ColumnRef, ...]] | None = None
    #: The search documents live in a search engine (fed by the indexer), not in a GIN index.
    engine: str | None = None
    paging: str = "none"
    #: The column the engine routes the documents by (the scope every search carries), when the design routes them.
    routing: str | None = None


@dataclass(frozen=True)
class EmbedPlan:
    """Rows a get answers inside its item: ``column`` of table ``table`` (the child's naming the item, or the item's naming the row)."""

    prop: str
    resource: str
    table: str
    column: str
    relation: str
    limit: int


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
    rate: tuple[str, int, int, str]
    events: tuple[EventPlan, ...] = ()
    #: Who may call it: (only other services, with a client-credentials token; (per minute, burst) each calling service has).
    callers: tuple[bool, tuple[int, int] | None] = (False, None)
    #: The core function serving it (``crud.list_page``, ``links.relate``, ``graph.network``, ... or ``unavailable``).
    mechanism: str = "crud"
    #: Why the scaffold cannot serve it (the route answers 501); None when it can.
    gap: str | None = None
    listing: ListPlan = field(default_factory=ListPlan)
    #: The caller's identity column (owner-only operations, /me reads), possibly through joins.
    owner: ColumnRef | None = None
    hook: str | None = None
    #: A get that finds its row by filters (``/me/views/by-video?video_id=``): required query parameters.
    lookup: tuple[FilterPlan, ...] = ()
    #: Mechanism details (plan_reads, plan_writes), keyed by mechanism.
    detail: Any = None
    #: Path parameters naming a column of the row besides its key and parent (``/users/{user_id}/tweets``: author_id).
    path_columns: tuple[FilterPlan, ...] = ()
    #: Seconds a cache-aside read may be served from the cache (the design's TTL); None: never cached.
    cache_ttl: float | None = None
    #: The in-process level (L1) in front of the shared cache: (seconds an entry lives, most entries); None: Redis alone.
    cache_l1: tuple[float, int] | None = None
    #: What domain.py must supply before the operation works (it answers 501 until then), when the design leaves it open.
    todo: str | None = None
    #: A geo-restricted item's read: (table var, country column, item column or None, mode, header); ``countries.refuse`` runs first.
    countries: tuple[str, str, str | None, str, str] | None = None
    #: Members only: the caller's membership is probed before anything is read or written (``members.require``).
    members: MembersPlan | None = None
    #: A link adding a member to a scope: who may add whom and the scope's size (``links.Join``, ``design/member_writes.py``).
    joins: MemberWrite | None = None
    #: A get reading several entities: the row sets it answers inside its item.
    embeds: tuple[EmbedPlan, ...] = ()

    def param(self, location: str) -> list[ParamPlan]:
        return [p for p in self.params if p.location == location]

    @property
    def key_param(self) -> ParamPlan | None:
        path = self.param("path")
        return path[-1] if path and self.op.kind not in {"list", "create"} and self.op.flow not in {"relate", "unrelate"} else None

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

    @property
    def filters(self) -> tuple[FilterPlan, ...]:
        return self.listing.filters

    @property
    def sorts(self) -> tuple[SortPlan, ...]:
        return self.listing.sorts

    @property
    def paging(self) -> str:
        return self.listing.paging


def _marker(location: str, name: str, py: str) -> str:
    args = [] if name == py else [f"alias={literal(name)}"]
    kind = {"path": "Path", "query": "Query", "header": "Header"}[location]
    return f"{kind}({', '.join(args)})"


def parameters(document_op: dict[str, Any], components: dict[str, Any]) -> tuple[ParamPlan, ...]:
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
            raise Gap(f"parameter {name}: {exc}") from None
        required = location == "path" or param.get("required", False)
        default = None if required else literal(schema["default"]) if "default" in schema else "None"
        typed = base if required or default != "None" else f"{base} | None"
        out.append(ParamPlan(name, location, py, f"Annotated[{typed}, {_marker(location, name, py)}]", default))
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
