"""The API changes patterns make, in one place: query parameters, re-keyed paths, new operations and response shapes.

Private to the pattern family. Each function reads the API the API stage built and returns
the operations and schemas to merge (``Applied.operations`` / ``Applied.schemas``); nothing
here mutates, and nothing outside the patterns builds operations this way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend_architect.design.api.examples import EXAMPLE_POINT
from backend_architect.design.api.paths import collection
from backend_architect.design.examples import EXAMPLE_TIME, example_uuid
from backend_architect.ir.model import ApiProperty, ApiSchema, Architecture, Operation, Parameter
from backend_architect.spec.model import slug
from backend_architect.spec.naming import snake

#: The characters example codes are drawn from, in order: base62, so any length reads as a code.
_EXAMPLE_CODE_CHARACTERS = "A1B2C3D4E5F6G7H8J9K0LmNpQrStUvWxYz"


def example_code(length: int) -> str:
    """The example of a short code of ``length`` characters: every example shows the length the key decision states."""
    repeats = _EXAMPLE_CODE_CHARACTERS * (length // len(_EXAMPLE_CODE_CHARACTERS) + 1)
    return repeats[: max(1, length)]


def with_key_example(example: Any, column: str, value: str) -> Any:
    """``example`` with every string ``column`` (an item's, or each item's of a page) showing ``value``: the key's one example."""
    if isinstance(example, list):
        return [with_key_example(e, column, value) for e in example]
    if isinstance(example, dict):
        return {k: value if k == column and isinstance(v, str) else with_key_example(v, column, value) for k, v in example.items()}
    return example


def operation_of(arch: Architecture, use_case: str) -> tuple[str, Operation] | None:
    """The service and the operation serving ``use_case``."""
    for api in arch.apis:
        for op in api.operations:
            if use_case in op.use_cases:
                return api.service, op
    return None


def schema_of(arch: Architecture, service: str, name: str) -> ApiSchema | None:
    api = next((a for a in arch.apis if a.service == service), None)
    return next((s for s in api.schemas if s.name == name), None) if api else None


def with_parameters(op: Operation, parameters: Iterable[Parameter], drop: Iterable[str] = ()) -> Operation:
    """``op`` with query parameters added (replacing ones of the same name) and others dropped; 400 among its errors.

    A replaced parameter keeps the example the operation's example request sent (the filter its example answer
    satisfies); a point's lat and lon are the point the examples stand at.
    """
    sent = {p.name: p.example for p in op.parameters if p.example is not None} | ({**EXAMPLE_POINT} if op.method == "get" else {})
    added = [p if p.example is not None or p.name not in sent else p.model_copy(update={"example": sent[p.name]}) for p in parameters]
    names = {p.name for p in added} | set(drop)
    kept = [p for p in op.parameters if p.name not in names]
    path = [p for p in kept if p.location == "path"]
    rest = [p for p in kept if p.location != "path"]
    errors = sorted({*op.error_statuses, 400}) if added else op.error_statuses
    return op.model_copy(update={"parameters": [*path, *added, *rest], "error_statuses": errors})


def rekey_item_paths(arch: Architecture, service: str, entity: str, column: str, description: str, value: str) -> tuple[tuple[str, Operation], ...]:
    """Every operation addressing one ``entity`` by id addresses it by ``column`` (a short code or slug, shown as ``value``) instead."""
    old = f"{snake(entity)}_id"
    api = next((a for a in arch.apis if a.service == service), None)
    if api is None:
        return ()
    param = Parameter(name=column, location="path", type="string", required=True, description=description)
    changed = []
    for op in api.operations:
        if "{" + old + "}" not in op.path:
            continue
        params = [param if p.name == old and p.location == "path" else p for p in op.parameters]
        error = op.example_error
        if isinstance(error, dict) and isinstance(error.get("instance"), str):
            error = {**error, "instance": error["instance"].replace(example_uuid(entity), value)}
        update = {
            "path": op.path.replace("{" + old + "}", "{" + column + "}"),
            "parameters": params,
            "example_error": error,
            "example_request": with_key_example(op.example_request, column, value),
            "example_response": with_key_example(op.example_response, column, value),
        }
        changed.append((service, op.model_copy(update=update)))
    return tuple(changed)


def unconditional(op: Operation, note: str) -> Operation:
    """``op`` without If-Match (a value replaced by the last writer, not edited): no 412, and a note on why."""
    errors = [s for s in op.error_statuses if s != 412]
    return op.model_copy(update={"conditional": False, "error_statuses": errors, "description": f"{op.description} {note}".strip()})


def number(name: str, description: str, minimum: int, maximum: int, required: bool = True) -> Parameter:
    return Parameter(name=name, location="query", type="number", format="double", required=required, minimum=minimum, maximum=maximum, description=description)


def integer(name: str, description: str, minimum: int, maximum: int, default: int | None = None) -> Parameter:
    return Parameter(name=name, location="query", type="integer", format="int32", minimum=minimum, maximum=maximum, default=default, description=description)


def string(name: str, description: str, required: bool = False, fmt: str | None = None) -> Parameter:
    return Parameter(name=name, location="query", type="string", format=fmt, required=required, description=description)


def prop(
    name: str, kind: str, description: str, *, fmt: str | None = None, items: str | None = None, nullable: bool = False, max_length: int | None = None
) -> ApiProperty:
    """A required, read-only response property."""
    return ApiProperty(
        name=name,
        type=kind,
        format=fmt,
        items=items,
        nullable=nullable,
        required=True,
        read_only=True,
        max_length=max_length,
        description=description,
    )


def example_of(schema: ApiSchema, nested: dict[str, ApiSchema] | None = None) -> dict[str, Any]:
    """An example object for a response schema these helpers build (timestamps, ids, counts and one nested item)."""
    result: dict[str, Any] = {}
    for p in schema.properties:
        if p.type == "array" and p.items and nested and p.items in nested:
            result[p.name] = [example_of(nested[p.items])]
        elif p.type == "array":
            result[p.name] = [example_uuid(schema.name)] if p.items == "uuid" else []
        elif p.format == "date-time":
            result[p.name] = EXAMPLE_TIME
        elif p.format == "uuid":
            result[p.name] = example_uuid(f"{schema.name}.{p.name}")
        elif p.type == "integer":
            result[p.name] = 1 if p.name in {"rank", "degrees"} else 42
        elif p.type == "number":
            result[p.name] = 21.5
        elif p.type == "boolean":
            result[p.name] = True
        else:
            result[p.name] = "example" if p.max_length is None else "example"[: p.max_length]
    return result


_PROBLEMS = {
    400: ("bad-request", "Bad request", "The request is malformed."),
    401: ("unauthenticated", "Authentication required", "A valid bearer token is required."),
    404: ("not-found", "Not found", "No such item exists, or you may not see it."),
    422: ("validation-failed", "Validation failed", "The request body has invalid fields."),
}


def new_operation(
    *,
    operation_id: str,
    method: str,
    path: str,
    summary: str,
    description: str,
    entity: str,
    kind: str,
    tag: str,
    parameters: list[Parameter],
    scopes: list[str],
    use_cases: list[str] | None = None,
    request_schema: str | None = None,
    response_schema: str | None = None,
    success_status: int = 200,
    example_request: Any = None,
    example_response: Any = None,
    owner_only: bool = False,
    idempotency_key: bool = False,
    shown_by: Operation | None = None,
) -> Operation:
    """An operation a pattern adds, with the error statuses and the problem example its shape calls for (as the API stage makes them);
    its path parameters show the examples ``shown_by`` (the operation whose path it extends) shows."""
    errors = {429, 500, 401, 403}
    if parameters or request_schema:
        errors.add(400)
    if any(p.location == "path" for p in parameters):
        errors.add(404)
    if kind in {"create", "action", "update", "replace"} and request_schema:
        errors |= {409, 422}
    status = 404 if 404 in errors else 422 if 422 in errors else 400 if 400 in errors else 401
    instance = _instance(path, parameters, entity, shown_by)
    slug, title, detail = _PROBLEMS[status]
    problem: dict[str, Any] = {"type": f"https://problems.example.com/{slug}", "title": title, "status": status, "detail": detail, "instance": instance}
    if status == 422:
        problem["errors"] = [{"pointer": "/", "detail": "must not be empty"}]
    return Operation(
        operation_id=operation_id,
        method=method,
        path=path,
        summary=summary,
        description=description,
        use_cases=use_cases or [],
        entity=entity,
        kind=kind,
        tag=tag,
        parameters=parameters,
        request_schema=request_schema,
        response_schema=response_schema,
        success_status=success_status,
        error_statuses=sorted(errors),
        auth="required",
        scopes=scopes,
        owner_only=owner_only,
        idempotency_key=idempotency_key,
        example_request=example_request,
        example_response=example_response,
        example_error=problem,
        example_error_status=status,
    )


def item_parameter(arch: Architecture, service: str, entity: str) -> Parameter | None:
    """The path parameter the API stage uses for one ``entity`` (its id), taken from an existing operation."""
    name = f"{snake(entity)}_id"
    api = next((a for a in arch.apis if a.service == service), None)
    for op in api.operations if api else []:
        for p in op.parameters:
            if p.location == "path" and p.name == name:
                return p
    key = next((t.columns[0] for s in arch.datastores for t in s.tables if t.entity == entity), None)
    if key is None:
        return None
    kind = {"type": "string", "format": "uuid"} if key.type == "uuid" else {"type": "integer", "format": "int64"}
    return Parameter(name=name, location="path", required=True, description=f"Id of the {entity}.", **kind)


def collection_path(arch: Architecture, service: str, entity: str) -> str | None:
    """The collection path of ``entity`` in its service's API (from its list or create operation, else an item path)."""
    api = next((a for a in arch.apis if a.service == service), None)
    item = "{" + f"{snake(entity)}_id" + "}"
    for op in api.operations if api else []:
        if op.entity == entity and op.kind in {"list", "create"} and not op.internal:
            return op.path
    for op in api.operations if api else []:
        if op.entity == entity and item in op.path:
            return op.path.split("/" + item)[0]
    return None


def reshaped(
    op: Operation, response: str, example: Any, parameters: Iterable[Parameter], drop: Iterable[str] = ("cursor", "offset", "sort", "limit")
) -> Operation:
    """``op`` answering another shape (a ranking, a series, a path): its response, example and query parameters replaced, no paging."""
    changed = with_parameters(op, parameters, drop)
    return changed.model_copy(update={"response_schema": response, "example_response": example, "paginated": False})


def column_parameter_type(column_type: str) -> tuple[str, str | None]:
    """The JSON type and format of a column, for a response property built from it."""
    if column_type == "uuid":
        return "string", "uuid"
    if column_type in {"integer", "bigint", "smallint"}:
        return "integer", "int64"
    if column_type == "timestamptz":
        return "string", "date-time"
    if column_type == "numeric":
        return "string", "decimal"
    if column_type == "boolean":
        return "boolean", None
    return "string", None


def own_operation(
    arch: Architecture, use_case: str, segment: str | None, filters: Iterable[str] = ()
) -> tuple[str, Operation, tuple[tuple[str, Operation], ...]] | None:
    """The operation ``use_case`` gets to itself, at ``<path>/<segment>`` when a segment is given (a ranking, a series, a path).

    Lists and gets of one resource share an operation in the API stage; a pattern that changes
    the shape of one use case's answer splits it off, leaving the others theirs. Returns the
    service, the operation to shape, and the shared operation without this use case (if any).
    A parent in the path that the use case does not filter by (``filters``: its columns) is
    dropped (a global ranking is not under one order).
    """
    found = operation_of(arch, use_case)
    if found is None:
        return None
    service, op = found
    rest: tuple[tuple[str, Operation], ...] = ()
    if len(op.use_cases) > 1:
        others = [u for u in op.use_cases if u != use_case]
        # the shared operation was named after its first use case: if that is this one, it takes the next one's name
        renamed = use_case_id(others[0]) if op.operation_id == use_case_id(use_case) else op.operation_id
        rest = ((service, op.model_copy(update={"use_cases": others, "operation_id": renamed})),)
    if segment is None:
        if not rest:
            return service, op, ()
        segment = "nearby"
    path = op.path.split(":", 1)[0]
    parts = path.strip("/").split("/")
    own = collection(op.entity) if op.entity else ""
    named = not rest and len(parts) >= 2 and not parts[-1].startswith("{") and parts[-1] != own
    if named and (parts[-2].startswith("{") or parts[-2] == own):
        # the API stage named this read's own path after its use case (/queries/trending-searches): the pattern's segment replaces that name
        parts = parts[:-1]
    if op.kind == "list" and len(parts) >= 3 and parts[-2].startswith("{") and parts[-2].strip("{}") not in set(filters):
        parts = parts[-1:]
    path = "/" + "/".join([*parts, segment])
    kept = [p for p in op.parameters if p.location != "path" or "{" + p.name + "}" in path]
    operation_id = op.operation_id if not rest else use_case_id(use_case)
    errors = op.error_statuses if any(p.location == "path" for p in kept) else [s for s in op.error_statuses if s != 404]
    problem = op.example_error
    if isinstance(problem, dict):
        status = 404 if 404 in errors else 400 if 400 in errors else 401
        slug, title, detail = _PROBLEMS[status]
        problem = {
            "type": f"https://problems.example.com/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": _instance(path, kept, op.entity or "", op),
        }
    update = {"path": path, "parameters": kept, "use_cases": [use_case], "operation_id": operation_id, "error_statuses": errors, "example_error": problem}
    if isinstance(problem, dict):
        update["example_error_status"] = problem["status"]
    return service, op.model_copy(update=update), rest


def _instance(path: str, parameters: list[Parameter], entity: str, before: Operation | None = None) -> str:
    """The problem's instance on ``path``: each path parameter shows the example it showed on the operation it came from
    (a short code its key decision sized), else an example id."""
    shown = _shown_values(before) if before is not None else {}
    instance = "/v1" + path
    for p in parameters:
        if p.location == "path":
            instance = instance.replace("{" + p.name + "}", shown.get(p.name) or (example_uuid(entity) if p.format == "uuid" else "1"))
    return instance


def _shown_values(op: Operation) -> dict[str, str]:
    """The values ``op``'s problem example shows for its path parameters, read by aligning its path with its instance."""
    error = op.example_error
    instance = error.get("instance") if isinstance(error, dict) else None
    if not isinstance(instance, str):
        return {}
    template, shown = op.path.strip("/").split("/"), instance.removeprefix("/v1").strip("/").split("/")
    if len(template) != len(shown):
        return {}
    return {t.strip("{}"): v for t, v in zip(template, shown, strict=True) if t.startswith("{") and not v.startswith("{")}


def use_case_id(name: str) -> str:
    """The operation id the API stage gives a use case: ``list trending dishes`` -> ``listTrendingDishes``."""
    words = [w for w in slug(name).split("-") if w]
    return words[0].lower() + "".join(w.capitalize() for w in words[1:]) if words else "op"
