"""Stage 3: a contract-first REST API per service, from the use cases.

Collections are plural kebab-case nouns, children nest under their parent once
(``/books/{book_id}/reviews``), custom commands are ``POST /orders/{order_id}:cancel``
(Google AIP-136: the verb stays out of the resource path), lists are cursor-paginated,
creates are idempotent through ``Idempotency-Key`` and updates of racing entities are
conditional on ``If-Match``. Examples are generated here so the IR carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.examples import EXAMPLE_TIME, example_uuid, example_value
from backend_architect.design.usecases import by_primary, remote_access
from backend_architect.ir.model import Api, ApiProperty, ApiSchema, Architecture, Operation, Parameter, Table
from backend_architect.spec.model import DEFAULT_PAGE_LIMIT, DEFAULT_PAGE_MAX, Spec
from backend_architect.spec.naming import VERSION_COLUMN, kebab, plural, resolve_column, snake, split_filter

API_VERSION = "v1"
DEFAULT_PAGE_SIZE = DEFAULT_PAGE_LIMIT
MAX_PAGE_SIZE = DEFAULT_PAGE_MAX
#: Offset pagination is allowed only below this many rows: deeper offsets scan and skip.
OFFSET_MAX_ROWS = 10_000
AUDIT_COLUMNS = frozenset({"created_at", "updated_at", "deleted_at"})
STATE_METHODS = {"create": "post", "get": "get", "list": "get", "update": "patch", "replace": "put", "delete": "delete", "action": "post"}


def derive_api(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """An ``Api`` per service with schemas, operations, scopes and examples."""
    grouped = by_primary([u for u in analysis.use_cases if u.kind != "job"])
    lookups = _Lookups(
        owner={entity: s.name for s in arch.services for entity in s.entities},
        tables={t.entity: t for store in arch.datastores for t in store.tables if t.entity},
        by_snake={snake(e): e for e in spec.entities},
    )
    needs = _cross_service_needs(analysis, lookups.owner)
    apis = []
    for service in arch.services:
        mine = [u for entity in service.entities for u in grouped.get(entity, ())]
        mine.sort(key=lambda u: u.index)
        if not mine and not needs.get(service.name):
            continue
        builder = _ApiBuilder(spec, lookups, service.name)
        for use_case in mine:
            builder.add(use_case)
        builder.add_missing_gets()
        for consumer, entity, mode in needs.get(service.name, []):
            builder.add_for_consumer(consumer, entity, mode)
        apis.append(builder.build())
    return arch.model_copy(update={"apis": apis})


def _cross_service_needs(analysis: Analysis, owner: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    """Per service, what other services call it for: (consumer, entity, "read" or "write")."""
    needs: dict[str, list[tuple[str, str, str]]] = {}
    for use_case in analysis.use_cases:
        reads, writes = remote_access(use_case, owner)
        home = owner[use_case.entity]
        for mode, wanted in (("read", reads), ("write", writes)):
            for service, entities in wanted.items():
                for entity in entities:
                    need = (home, entity, mode)
                    if need not in needs.setdefault(service, []):
                        needs[service].append(need)
    return needs


def collection(entity: str) -> str:
    return plural(kebab(entity))


def id_param(entity: str) -> str:
    return f"{snake(entity)}_id"


def camel(text: str) -> str:
    words = [w for w in text.replace("-", " ").replace("_", " ").split() if w]
    return words[0].lower() + "".join(w.capitalize() for w in words[1:]) if words else "op"


@dataclass(frozen=True)
class _Lookups:
    """Look-up tables shared by every service's builder: who owns what, and each entity's table."""

    owner: dict[str, str]
    tables: dict[str, Table]
    by_snake: dict[str, str]


class _ApiBuilder:
    def __init__(self, spec: Spec, lookups: _Lookups, service: str) -> None:
        self.spec = spec
        self.service = service
        self.schemas: dict[str, ApiSchema] = {}
        self.operations: dict[tuple[str, str], Operation] = {}
        self.scopes: dict[str, str] = {}
        self.owner = lookups.owner
        self.tables = lookups.tables
        self.by_snake = lookups.by_snake

    # --- resources ---------------------------------------------------------------------

    def table(self, entity: str) -> Table:
        return self.tables[entity]

    def parent(self, entity: str) -> str | None:
        parent = self.spec.entities[entity].part_of
        return parent if parent and self.owner.get(parent) == self.service else None

    def collection_path(self, entity: str) -> str:
        parent = self.parent(entity)
        if parent:
            return f"/{collection(parent)}/{{{id_param(parent)}}}/{collection(entity)}"
        return f"/{collection(entity)}"

    def item_path(self, entity: str) -> str:
        return f"{self.collection_path(entity)}/{{{id_param(entity)}}}"

    def path_params(self, entity: str, item: bool) -> list[Parameter]:
        params = []
        parent = self.parent(entity)
        if parent:
            params.append(self._id_parameter(parent))
        if item:
            params.append(self._id_parameter(entity))
        return params

    def _id_parameter(self, entity: str) -> Parameter:
        id_type = self.table(entity).columns[0].type
        fmt = {"type": "string", "format": "uuid"} if id_type == "uuid" else {"type": "integer", "format": "int64"}
        return Parameter(name=id_param(entity), location="path", required=True, description=f"Id of the {entity}.", **fmt)

    # --- schemas -----------------------------------------------------------------------

    def properties(self, entity: str) -> list[ApiProperty]:
        table = self.table(entity)
        props = []
        seen_money: set[str] = set()
        for column in table.columns:
            if column.type == "vector" or column.name == VERSION_COLUMN:
                continue
            if column.source_field and column.name.endswith(("_amount", "_currency")) and column.type in {"numeric", "char"}:
                field = self.spec.entities[entity].fields.get(column.source_field)
                if field is not None and field.type.kind == "money":
                    if column.source_field not in seen_money:
                        seen_money.add(column.source_field)
                        props.append(
                            ApiProperty(
                                name=column.source_field,
                                type="object",
                                ref="Money",
                                nullable=column.nullable,
                                required=not column.nullable,
                                description=column.comment,
                            )
                        )
                    continue
            field = self.spec.entities[entity].fields.get(column.source_field or "")
            props.append(_property(column, field.type.kind if field else None))
        return props

    def ensure_schemas(self, entity: str) -> None:
        if entity in self.schemas:
            return
        props = self.properties(entity)
        read = [p.model_copy(update={"required": not p.write_only and (p.required or p.read_only)}) for p in props if not p.write_only]
        writable = [p for p in props if not p.read_only and p.name not in self._implicit(entity)]
        self.schemas[entity] = ApiSchema(name=entity, entity=entity, properties=read)
        self.schemas[f"{entity}Create"] = ApiSchema(name=f"{entity}Create", entity=entity, properties=writable)
        self.schemas[f"{entity}Update"] = ApiSchema(
            name=f"{entity}Update", entity=entity, properties=[p.model_copy(update={"required": False}) for p in writable]
        )
        self.schemas[f"{entity}Page"] = ApiSchema(
            name=f"{entity}Page",
            entity=entity,
            properties=[
                ApiProperty(name="items", type="array", items=entity, required=True),
                ApiProperty(
                    name="next_cursor",
                    type="string",
                    nullable=True,
                    required=True,
                    max_length=512,
                    description="Opaque cursor for the next page; null on the last page.",
                ),
            ],
        )

    def _implicit(self, entity: str) -> set[str]:
        """Columns set by the server or the path, never by the request body."""
        implicit = {"tenant_id"}
        parent = self.parent(entity)
        if parent:
            implicit.add(id_param(parent))
        return implicit

    # --- operations --------------------------------------------------------------------

    def add(self, use_case: UseCase) -> None:
        entity = use_case.entity
        self.ensure_schemas(entity)
        kind = use_case.kind
        method = STATE_METHODS[kind]
        item = kind in {"get", "update", "replace", "delete", "action"}
        path = self.item_path(entity) if item else self.collection_path(entity)
        if kind == "action":
            path += f":{use_case.action}"
        key = (method, path)
        if key in self.operations:
            existing = self.operations[key]
            if kind in {"list", "get"}:
                self.operations[key] = self._merge(existing, use_case)
                return
            path = f"{path}:{use_case.action or use_case.spec.name.split()[0].lower()}"
            key = (method, path)
            if key in self.operations:
                path = f"{path}-{use_case.index}"
                key = (method, path)
        self.operations[key] = self._operation(use_case, method, path, item)

    def add_missing_gets(self) -> None:
        """A created resource's ``Location`` must be readable: add its GET where missing."""
        for (_method, _path), op in list(self.operations.items()):
            if op.kind != "create" or not op.entity:
                continue
            item = self.item_path(op.entity)
            if ("get", item) not in self.operations:
                resource = collection(op.entity)
                public = any(o.auth == "none" and o.entity == op.entity and o.kind in {"get", "list"} for o in self.operations.values())
                personal = any(c.pii for c in self.table(op.entity).columns)
                self.operations[("get", item)] = self._finish(
                    Operation(
                        operation_id=camel(f"get {snake(op.entity)}"),
                        method="get",
                        path=item,
                        summary=f"Get one {op.entity}",
                        description=f"Reads the {op.entity} created by '{op.use_cases[0]}'."
                        + (" Only its owner may read it (it holds personal data)." if personal and not public else ""),
                        use_cases=[],
                        entity=op.entity,
                        kind="get",
                        tag=resource,
                        parameters=self.path_params(op.entity, True),
                        response_schema=op.entity,
                        auth="none" if public else "required",
                        scopes=[] if public else [f"{resource}:read"],
                        owner_only=op.owner_only or personal,
                        conditional=op.conditional,
                    )
                )

    def add_for_consumer(self, consumer: str, entity: str, mode: str) -> None:
        """The operation another service calls: an existing one gains a consumer, else an internal one is added."""
        self.ensure_schemas(entity)
        resource = collection(entity)
        key = ("get", self.item_path(entity)) if mode == "read" else ("post", self.collection_path(entity))
        existing = self.operations.get(key)
        if existing is not None:
            self.operations[key] = existing.model_copy(update={"consumers": sorted({*existing.consumers, consumer})})
            return
        write = mode == "write"
        scope = f"{resource}:{'write' if write else 'read'}"
        op = Operation(
            operation_id=camel(f"{'create' if write else 'get'} {snake(entity)} for services"),
            method=key[0],
            path=key[1],
            summary=f"{'Create' if write else 'Get'} one {entity} (internal)",
            description=f"Called by {consumer}, not by clients: service-to-service, with a client-credentials token."
            + (" Idempotent by Idempotency-Key, so a saga step can be retried safely." if write else ""),
            entity=entity,
            kind="create" if write else "get",
            tag=resource,
            parameters=self.path_params(entity, not write),
            request_schema=f"{entity}Create" if write else None,
            response_schema=entity,
            success_status=201 if write else 200,
            auth="required",
            scopes=[scope],
            idempotency_key=write,
            internal=True,
            consumers=[consumer],
        )
        self.operations[key] = self._finish(op)

    def _operation(self, use_case: UseCase, method: str, path: str, item: bool) -> Operation:
        entity = use_case.entity
        resource = collection(entity)
        kind = use_case.kind
        table = self.table(entity)
        versioned = any(c.name == VERSION_COLUMN for c in table.columns)
        params = self.path_params(entity, item)
        request: str | None = None
        response: str | None = entity
        status = 200
        if kind == "list":
            params += self._list_params(use_case, table)
            response = f"{entity}Page"
        elif kind == "create":
            request, status = f"{entity}Create", 201
        elif kind in {"update", "replace"}:
            request = f"{entity}Update" if kind == "update" else f"{entity}Create"
        elif kind == "delete":
            response, status = None, 204
        elif kind == "action":
            request = self._action_schema(use_case)
        write = kind not in {"list", "get"}
        scopes = [] if use_case.spec.auth == "none" else [f"{resource}:{'write' if write else 'read'}"]
        for scope in scopes:
            self.scopes[scope] = f"{'Change' if write else 'Read'} {resource.replace('-', ' ')}"
        description = use_case.spec.description or f"Use case '{use_case.name}' (actor: {use_case.spec.actor})."
        constants = [f"{field} = {value}" for field, value in map(split_filter, use_case.spec.filter) if value is not None]
        if constants:
            description += f" Returns only items where {' and '.join(c.split('.')[-1] for c in constants)}."
        if use_case.spec.owner_only:
            description += " Only the owner of the resource may do this; others get 404, so ids cannot be probed."
        reads, writes = remote_access(use_case, self.owner)
        upstreams = sorted({*reads, *writes, *use_case.spec.calls})
        op = Operation(
            operation_id=camel(use_case.id),
            method=method,
            path=path,
            summary=use_case.name[:1].upper() + use_case.name[1:],
            description=description,
            use_cases=[use_case.name],
            entity=entity,
            kind=kind,
            tag=resource,
            parameters=params,
            request_schema=request,
            response_schema=response,
            success_status=status,
            auth=use_case.spec.auth,
            scopes=scopes,
            owner_only=use_case.spec.owner_only,
            paginated=kind == "list" and use_case.spec.page.style != "none",
            idempotency_key=method == "post",
            conditional=versioned and kind in {"get", "update", "replace", "action", "delete"},
            upstreams=upstreams,
        )
        return self._finish(op)

    def _merge(self, existing: Operation, use_case: UseCase) -> Operation:
        params = list(existing.parameters)
        names = {p.name for p in params}
        for param in self._list_params(use_case, self.table(use_case.entity)) if existing.kind == "list" else []:
            if param.name == "sort":
                current = next(p for p in params if p.name == "sort") if "sort" in names else None
                if current is not None:
                    merged = current.model_copy(update={"enum": list(dict.fromkeys([*current.enum, *param.enum]))})
                    params[params.index(current)] = merged
                    continue
            if param.name not in names:
                params.append(param)
                names.add(param.name)
        description = existing.description + f" Also serves '{use_case.name}'."
        # one operation serving two use cases: the same auth when they agree, else anonymous callers allowed with scopes honoured
        auth: Literal["required", "optional", "none"] = existing.auth if existing.auth == use_case.spec.auth else "optional"
        return self._finish(
            existing.model_copy(
                update={
                    "parameters": params,
                    "use_cases": [*existing.use_cases, use_case.name],
                    "description": description,
                    "auth": auth,
                }
            )
        )

    def _list_params(self, use_case: UseCase, table: Table) -> list[Parameter]:
        params: list[Parameter] = []
        for raw in use_case.spec.filter:
            ref, constant = split_filter(raw)
            if constant is not None:
                continue  # applied by the operation itself, not chosen by the client
            entity, dot, field = ref.partition(".")
            if not dot:
                entity, field = use_case.entity, ref
            column = resolve_column(self.spec, entity, field)
            if entity != use_case.entity or column is None:
                continue
            col = next(c for c in table.columns if c.name == column)
            if col.type in {"timestamptz", "date", "numeric", "integer", "bigint"} and not column.endswith("_id"):
                for bound, word in (("min", "from"), ("max", "to")):
                    params.append(
                        Parameter(
                            name=f"{column}_{word}" if col.type in {"timestamptz", "date"} else f"{bound}_{column}",
                            location="query",
                            description=f"Only items whose {column} is {'at least' if bound == 'min' else 'below'} this.",
                            **_param_type(col.type),
                        )
                    )
            else:
                params.append(
                    Parameter(name=column, location="query", description=f"Only items with this {column}.", enum=list(col.enum_values), **_param_type(col.type))
                )
        sorts = [s.removeprefix("-").split(".")[-1] for s in use_case.spec.sort]
        if sorts:
            allowed = [
                f"{'-' if s.startswith('-') else ''}{resolve_column(self.spec, use_case.entity, s.removeprefix('-').split('.')[-1])}"
                for s in use_case.spec.sort
            ]
            params.append(Parameter(name="sort", location="query", enum=allowed, default=allowed[0], description="Sort order; a leading '-' sorts descending."))
        if use_case.spec.search:
            params.append(
                Parameter(name="q", location="query", description="Full-text search over " + ", ".join(use_case.spec.search) + ".", minimum=None, maximum=None)
            )
        if use_case.spec.page.style != "none":
            params.append(
                Parameter(
                    name="limit",
                    location="query",
                    type="integer",
                    format="int32",
                    minimum=1,
                    maximum=use_case.spec.page.max,
                    default=use_case.spec.page.limit,
                    description=f"Page size, at most {use_case.spec.page.max}.",
                )
            )
            if use_case.spec.page.style == "offset" and table.rows_now <= OFFSET_MAX_ROWS:
                params.append(
                    Parameter(
                        name="offset",
                        location="query",
                        type="integer",
                        format="int32",
                        minimum=0,
                        maximum=OFFSET_MAX_ROWS,
                        default=0,
                        description=f"Items to skip; offset paging is used because the table stays under {OFFSET_MAX_ROWS:,} rows.",
                    )
                )
            else:
                params.append(Parameter(name="cursor", location="query", description="Opaque cursor from the previous page's next_cursor."))
        return params

    def _action_schema(self, use_case: UseCase) -> str | None:
        entity = use_case.entity
        props = {p.name: p for p in self.properties(entity)}
        fields = [props[c] for c in use_case.written_columns if c in props and not props[c].enum and not props[c].read_only]
        if not fields:
            return None
        name = f"{entity}{use_case.action.capitalize() if use_case.action else 'Action'}Request"
        self.schemas[name] = ApiSchema(name=name, entity=entity, properties=[f.model_copy(update={"required": not f.nullable}) for f in fields])
        return name

    def _finish(self, op: Operation) -> Operation:
        """Error statuses and examples follow from the operation's shape."""
        errors = {429, 500}
        if op.upstreams:
            errors.add(503)
        if op.parameters or op.request_schema:
            errors.add(400)
        if op.auth != "none":
            errors |= {401, 403}
        if any(p.location == "path" for p in op.parameters):
            errors.add(404)
        if op.kind in {"create", "action", "update", "replace"}:
            errors |= {409, 422}
        if op.conditional and op.kind != "get":
            errors.add(412)
        op = op.model_copy(update={"error_statuses": sorted(errors)})
        return self._examples(op)

    # --- examples ----------------------------------------------------------------------

    def example_object(self, schema_name: str) -> dict[str, Any]:
        schema = self.schemas[schema_name]
        result: dict[str, Any] = {}
        for prop in schema.properties:
            if not prop.required and schema_name.endswith("Update") and len(result) >= 1:
                continue
            if prop.ref == "Money":
                result[prop.name] = {"amount": "19.99", "currency": "EUR"}
            elif prop.type == "array" and prop.items:
                result[prop.name] = [self.example_object(prop.items)]
            else:
                result[prop.name] = example_value(prop, schema.entity or schema_name)
        return result

    def _examples(self, op: Operation) -> Operation:
        request = self.example_object(op.request_schema) if op.request_schema else None
        response: Any = None
        if op.response_schema:
            response = self.example_object(op.response_schema)
            if op.paginated and op.response_schema.endswith("Page"):
                response["next_cursor"] = "eyJpZCI6IjAxOTUwZjZiIn0"
            if request and op.kind in {"create", "update", "replace", "action"}:
                target = response
                for key, value in request.items():
                    if key in target:
                        target[key] = value
        error_status = 404 if 404 in op.error_statuses else 422 if 422 in op.error_statuses else 400 if 400 in op.error_statuses else 401
        instance = self._example_path(op)
        problem: dict[str, Any] = {
            "type": f"https://problems.example.com/{_PROBLEM_SLUGS[error_status]}",
            "title": _PROBLEM_TITLES[error_status],
            "status": error_status,
            "detail": _problem_detail(op, error_status),
            "instance": instance,
        }
        if error_status == 422 and op.request_schema:
            first = next((p.name for p in self.schemas[op.request_schema].properties), "body")
            problem["errors"] = [{"pointer": f"/{first}", "detail": "must not be empty"}]
        return op.model_copy(update={"example_request": request, "example_response": response, "example_error": problem, "example_error_status": error_status})

    def _example_path(self, op: Operation) -> str:
        path = op.path
        for param in op.parameters:
            if param.location == "path":
                entity = param.name.removesuffix("_id")
                owner = self.by_snake.get(entity, entity)
                value = example_uuid(owner) if param.format == "uuid" else str(example_value(ApiProperty(name="id", type="integer"), owner))
                path = path.replace("{" + param.name + "}", value)
        return f"/{API_VERSION}{path}"

    def used_schemas(self) -> list[ApiSchema]:
        """Schemas the operations reference, directly or through properties (no unused components)."""
        pending = [name for op in self.operations.values() for name in (op.request_schema, op.response_schema) if name]
        used: set[str] = set()
        while pending:
            name = pending.pop()
            if name in used or name not in self.schemas:
                continue
            used.add(name)
            pending += [p.items or p.ref or "" for p in self.schemas[name].properties]
        return sorted((s for s in self.schemas.values() if s.name in used), key=lambda s: s.name)

    def build(self) -> Api:
        title = self.service.replace("-", " ").title()
        ops = sorted(self.operations.values(), key=lambda o: (o.path, _METHOD_ORDER[o.method]))
        for op in ops:
            for scope in op.scopes:
                self.scopes.setdefault(scope, f"{'Change' if scope.endswith(':write') else 'Read'} {scope.split(':')[0].replace('-', ' ')}")
        return Api(
            service=self.service,
            title=f"{self.spec.system} {title} API",
            version="1.0.0",
            base_path=f"/{API_VERSION}",
            schemas=self.used_schemas(),
            operations=ops,
            scopes=dict(sorted(self.scopes.items())),
        )


_METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
_PROBLEM_SLUGS = {400: "bad-request", 401: "unauthenticated", 404: "not-found", 422: "validation-failed"}
_PROBLEM_TITLES = {400: "Bad request", 401: "Authentication required", 404: "Not found", 422: "Validation failed"}


def _problem_detail(op: Operation, status: int) -> str:
    if status == 404:
        return f"No {op.entity} with this id exists, or you may not see it."
    if status == 422:
        return "The request body has invalid fields."
    if status == 400:
        return "Query parameter 'limit' must be between 1 and 100." if op.paginated else "The request is malformed."
    return "A valid bearer token is required."


def _param_type(column_type: str) -> dict[str, str]:
    if column_type == "uuid":
        return {"type": "string", "format": "uuid"}
    if column_type in {"integer", "bigint"}:
        return {"type": "integer", "format": "int64" if column_type == "bigint" else "int32"}
    if column_type == "numeric":
        return {"type": "string", "format": "decimal"}
    if column_type == "boolean":
        return {"type": "boolean"}
    if column_type == "timestamptz":
        return {"type": "string", "format": "date-time"}
    if column_type == "date":
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def decimal_pattern(precision: int | None, scale: int | None) -> str:
    """The pattern of a decimal string that fits numeric(precision, scale): bounded, so the input is too.

    >>> decimal_pattern(12, 4)
    '^-?\\\\d{1,8}(\\\\.\\\\d{1,4})?$'
    >>> decimal_pattern(None, None)
    '^-?\\\\d{1,131072}(\\\\.\\\\d{1,16383})?$'
    """
    if precision is None:
        return r"^-?\d{1,131072}(\.\d{1,16383})?$"  # PostgreSQL's unconstrained numeric
    digits = max(precision - (scale or 0), 1)
    return rf"^-?\d{{1,{digits}}}(\.\d{{1,{scale}}})?$" if scale else rf"^-?\d{{1,{digits}}}$"


def _property(column: Any, field_kind: str | None) -> ApiProperty:
    read_only = column.name in AUDIT_COLUMNS or column.name == "id" or column.identity or column.generated
    base: dict[str, Any] = {"name": column.name, "nullable": column.nullable, "pii": column.pii, "description": column.comment}
    base["required"] = not column.nullable and column.default is None and not read_only
    base["read_only"] = read_only
    base["write_only"] = column.secret
    kind = column.type
    if kind == "uuid":
        return ApiProperty(type="string", format="uuid", **base)
    if kind in {"bigint", "integer", "smallint"}:
        return ApiProperty(type="integer", format="int64" if kind == "bigint" else "int32", **base)
    if kind == "numeric":
        return ApiProperty(type="string", format="decimal", pattern=decimal_pattern(column.precision, column.scale), **base)
    if kind == "boolean":
        return ApiProperty(type="boolean", **base)
    if kind == "timestamptz":
        return ApiProperty(type="string", format="date-time", **base)
    if kind == "date":
        return ApiProperty(type="string", format="date", **base)
    if kind == "jsonb":
        return ApiProperty(type="object", **base)
    if kind in {"varchar", "char"}:
        fmt = {"email": "email", "url": "uri"}.get(field_kind or "")
        pattern = "^[A-Z]{3}$" if kind == "char" and column.length == 3 else None
        return ApiProperty(type="string", format=fmt, max_length=column.length, enum=list(column.enum_values), pattern=pattern, **base)
    return ApiProperty(type="string", max_length=100_000 if kind == "text" else None, **base)


__all__ = ["EXAMPLE_TIME", "collection", "derive_api", "id_param"]
