"""Examples of every operation: a request, a response and a problem, each valid against its own schema."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from backend_architect.design import blob_contract
from backend_architect.design.api.paths import API_VERSION
from backend_architect.design.examples import example_uuid, example_value
from backend_architect.design.lifecycle_examples import Lifecycle, present
from backend_architect.design.named_state import wanted_values
from backend_architect.ir.model import ApiProperty, ApiSchema, Operation
from backend_architect.spec.naming import DELETED_AT, TENANT_COLUMN

_PROBLEM_SLUGS = {400: "bad-request", 401: "unauthenticated", 404: "not-found", 422: "validation-failed"}
_PROBLEM_TITLES = {400: "Bad request", 401: "Authentication required", 404: "Not found", 422: "Validation failed"}
#: A session's example access token: the shape of a JWT, signed by no one.
EXAMPLE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIwMTk1MGY2YiJ9.c2lnbmF0dXJl"
#: The point every example stands at: a GeoPoint's value, and the point a proximity read searches around.
EXAMPLE_POINT = {"lat": 51.5072, "lon": -0.1276}
#: Seconds an access token lives (15 minutes, the security model's lifetime).
EXAMPLE_EXPIRES_IN = 900


#: Per entity, the values its examples show whatever the schema (``design.blob_contract.example_story``).
Stories = Mapping[str, Mapping[str, Any]]


def example_object(schemas: dict[str, ApiSchema], name: str, stories: Stories | None = None) -> dict[str, Any]:
    """An example of schema ``name``: every required property, and one optional one in a merge patch; an entity's ``stories``
    values where it has them (a file's size as the upload declared it, in the confirming write and every read)."""
    schema = schemas[name]
    story = (stories or {}).get(schema.entity or "", {})
    result: dict[str, Any] = {}
    for prop in schema.properties:
        if not prop.required and name.endswith("Update") and len(result) >= 1:
            continue
        if prop.ref == "Money":
            result[prop.name] = {"amount": "19.99", "currency": "EUR"}
        elif prop.ref == "GeoPoint":
            result[prop.name] = dict(EXAMPLE_POINT)
        elif prop.type == "array" and prop.items:
            result[prop.name] = [example_object(schemas, prop.items, stories)]
        elif prop.type == "object" and prop.ref in schemas:
            # a row a get answers inside its item (design/embeds.py): shown whole, as its own read shows it
            result[prop.name] = example_object(schemas, prop.ref, stories)
        elif prop.type == "array" and prop.links is not None:
            result[prop.name] = link_items(prop, schema.entity or name)
        elif prop.name in story and not prop.enum:
            result[prop.name] = story[prop.name]
        elif prop.name in {"access_token", "refresh_token"}:
            result[prop.name] = EXAMPLE_TOKEN
        elif prop.name == "expires_in":
            result[prop.name] = EXAMPLE_EXPIRES_IN
        else:
            result[prop.name] = example_value(prop, schema.entity or name)
    return result


def with_examples(
    op: Operation,
    schemas: dict[str, ApiSchema],
    path_entities: dict[str, str],
    stories: Stories | None = None,
    constants: Mapping[str, str] | None = None,
    lifecycles: Mapping[str, Lifecycle] | None = None,
    reporting: bool = False,
) -> Operation:
    """``op`` with its request, response and error examples; ``constants``: the read's constant filters (status=live), which
    every item it answers shows; ``lifecycles``: per entity, the one state each of its examples shows (``design.lifecycle_examples``);
    ``reporting``: the write is the row's own actor reporting itself (a driver's location), so it shows no away state."""
    request = example_object(schemas, op.request_schema, stories) if op.request_schema else None
    life = (lifecycles or {}).get(op.entity or "")
    if request is not None and life is not None and op.kind == "create" and op.request_schema:
        # a create sends no field only a later write sets (a trip's cancel reason, a message's edited_at)
        optional = {p.name for p in schemas[op.request_schema].properties if not p.required}
        for name in life.later & optional:
            request.pop(name, None)
    if request is not None and op.request_schema and op.kind in _SETTERS and op.flow not in {"login", "password"}:
        # the value a write is named for is the value its example sends ('mark read' sends read), and so the one it answers;
        # a merge patch named for a value ('close ticket') sends that field
        _outcome_states(request, schemas[op.request_schema], op.use_cases, add=op.kind in {"update", "replace"})
    response: Any = None
    if op.response_schema and op.success_status != 204:
        response = example_object(schemas, op.response_schema, stories)
        if op.paginated and op.response_schema.endswith("Page"):
            response["next_cursor"] = "eyJpZCI6IjAxOTUwZjZiIn0"
        if request and op.kind in _SETTERS and op.flow != "login":
            for key, value in request.items():
                if key in response:
                    response[key] = value
        if op.kind == "action" and isinstance(response, dict):
            # an action sets its outcome itself; other writes answer what they were sent (echoed above), never a state they cannot set
            _outcome_states(response, schemas[op.response_schema], op.use_cases)
        if op.kind == "create" and isinstance(response, dict) and request is not None:
            _not_yet_set(response, schemas[op.response_schema], request)
            if life is not None:
                response.update({name: None for name in life.later if name in response and name not in request})
        if reporting and isinstance(response, dict):
            for prop in schemas[op.response_schema].properties:
                if prop.enum and prop.name in response and prop.name not in _request_keys(request):
                    response[prop.name] = present(prop.enum, response[prop.name])
        if isinstance(response, dict):
            # the state the write is named for is the one it stored ('mark message read' answers status: read)
            response.update({k: v for k, v in op.sets.items() if k in response})
            if not op.paginated and "next_cursor" in response:
                response["next_cursor"] = None  # one answer, no further page (page: none, the k nearest)
        _live(response)
        _tied(response, op)
    op = _filtered(op, response, constants or {})
    sent = _request_keys(request) if op.kind in _SETTERS else set()
    # a write naming no state (a correction of a later field) answers one having what it sent; a named one keeps its own
    _one_state(response, op.response_schema, schemas, lifecycles or {}, sent, reach=op.kind in {"update", "replace"} and not op.sets)
    error_status = 404 if 404 in op.error_statuses else 422 if 422 in op.error_statuses else 400 if 400 in op.error_statuses else 401
    problem: dict[str, Any] = {
        "type": f"https://problems.example.com/{_PROBLEM_SLUGS[error_status]}",
        "title": _PROBLEM_TITLES[error_status],
        "status": error_status,
        "detail": _problem_detail(op, error_status, _addressed(op, path_entities)),
        "instance": _example_path(op, path_entities),
    }
    if error_status == 422 and op.request_schema:
        first = next((p.name for p in schemas[op.request_schema].properties), "body")
        problem["errors"] = [{"pointer": f"/{first}", "detail": "must not be empty"}]
    return op.model_copy(update={"example_request": request, "example_response": response, "example_error": problem, "example_error_status": error_status})


#: Query parameters that choose how much or where, never which rows by a field's value.
_NOT_FILTERS = frozenset({"limit", "cursor", "offset", "sort", "q", "radius"})


def _filtered(op: Operation, response: Any, constants: Mapping[str, str]) -> Operation:
    """A list's example request names a value for each exact-match filter, and every item it answers carries that value.

    An example answering ``status=available`` with an ``offline`` item contradicts the filter it was asked with (and a
    design keeping one set per status value). The value is the one the read's name or description says ('cabs of
    available drivers' -> available), else the one the item shows; the item is then given it, so request and answer agree.
    A proximity read's point is the one its items stand at; a constant filter (``status=live``) holds for every item.
    """
    items = response.get("items") if isinstance(response, dict) else response if isinstance(response, list) else None
    if op.method != "get" or not isinstance(items, list):
        return op
    rows = [row for row in items if isinstance(row, dict)]
    for row in rows:
        row.update({field: _typed(value, row[field]) for field, value in constants.items() if field in row})
    said = wanted_values(" ".join([*op.use_cases, op.description]))
    params = []
    for param in op.parameters:
        value: Any = None
        if param.location == "query" and param.name in {"lat", "lon"}:
            value = EXAMPLE_POINT[param.name]
        elif param.location == "query" and param.spec_ref and param.name not in _NOT_FILTERS and rows and param.name in rows[0]:
            shown = rows[0][param.name]
            value = next((v for w in said for v in param.enum if v.lower() == w), shown) if param.enum else shown
            if value is None or isinstance(value, (dict, list)):
                value = None
            else:
                for row in rows:
                    row[param.name] = value
        params.append(param.model_copy(update={"example": value}) if value is not None else param)
    return op.model_copy(update={"parameters": params})


def _typed(value: str, shown: Any) -> Any:
    """A spec constant (``featured=true``, ``seats=4``) as the JSON value of the property it compares (the example's type)."""
    if isinstance(shown, bool):
        return value.strip().lower() in {"true", "yes", "1"}
    if isinstance(shown, int) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def _tied(response: Any, op: Operation) -> None:
    """The rows a get answers inside its item name that item, and the item names the rows it references: one story, not ids
    that match nothing (``design/embeds.py``)."""
    if not isinstance(response, dict) or "id" not in response:
        return
    for embed in op.embeds:
        value = response.get(embed.name)
        rows = value if isinstance(value, list) else [value]
        for row in (r for r in rows if isinstance(r, dict) and TENANT_COLUMN in r and TENANT_COLUMN in response):
            row[TENANT_COLUMN] = response[TENANT_COLUMN]  # one tenant's rows: a read never answers another's
        if embed.relation == "children" and isinstance(value, list):
            for row in (r for r in value if isinstance(r, dict) and embed.column in r):
                row[embed.column] = response["id"]
        elif isinstance(value, dict) and "id" in value and embed.column in response:
            value["id"] = response[embed.column]


def _request_keys(request: Any) -> set[str]:
    """The properties a request example sends (none when it has no body)."""
    return set(request) if isinstance(request, dict) else set()


def _one_state(
    response: Any,
    schema_name: str | None,
    schemas: dict[str, ApiSchema],
    lifecycles: Mapping[str, Lifecycle],
    sent: set[str] | None = None,
    reach: bool = False,
) -> None:
    """Every row an answer shows of an entity with a lifecycle is one state of it (a page's items, the resource itself); a
    write's answer keeps the values its request ``sent``, which it stored whatever the state, and when it may (``reach``)
    shows the first state having them."""
    if not isinstance(response, dict) or not schema_name or schema_name not in schemas:
        return
    schema = schemas[schema_name]
    life = lifecycles.get(schema.entity or "")
    if life is not None:
        kept = {name: response[name] for name in sent or set() if name in response}
        if reach and life.state and life.state in response and life.state not in kept:
            response[life.state] = life.reaching(set(kept), str(response[life.state]))
        life.settle(response)
        response.update(kept)
    for prop in schema.properties:
        value = response.get(prop.name)
        if prop.type == "array" and prop.items and isinstance(value, list):
            for item in value:
                _one_state(item, prop.items, schemas, lifecycles)


def _live(response: Any) -> None:
    """Rows an answer shows are live: a soft-deleted row is never read back, so its ``deleted_at`` is null in every example."""
    items = response.get("items") if isinstance(response, dict) else None
    rows: list[Any] = items if isinstance(items, list) else [response]
    for row in rows:
        if isinstance(row, dict) and row.get(DELETED_AT) is not None:
            row[DELETED_AT] = None


def _not_yet_set(response: dict[str, Any], schema: ApiSchema, request: dict[str, Any]) -> None:
    """A created resource shows the server-set fields that later actions fill (a trip's driver, accepted_at) as null.

    Server-set and nullable means something after the create sets it: the example of a just-created row must not
    show it set (a 'requested' trip with its driver and acceptance time).
    """
    # an uploaded file's size, type and checksum are confirmed when the row is created: they are set already
    confirmed = {column for key in request for column in blob_contract.meta_columns(key)}
    for prop in schema.properties:
        if prop.read_only and prop.nullable and prop.name in response and prop.name not in request and prop.name not in confirmed:
            response[prop.name] = None


#: Kinds of operation that set what they are named for.
_SETTERS = frozenset({"create", "update", "replace", "action"})


def _outcome_states(example: dict[str, Any], schema: ApiSchema, use_cases: list[str], add: bool = False) -> None:
    """A write's example shows the state its name says, in its request and its answer: the enum value ('accept ride' -> accepted,
    'mark a message read' -> read, 'create a group' -> group) and the flag ('archive chat' -> archived: true, 'unpublish post' ->
    published: false), whatever the write's shape (an action, an update of one field, a create).

    The first enum value would show another state (a read receipt sending 'delivered', an accepted offer answering 'offered').
    ``add``: the example is a patch, which sends the field it is named for even when it would show another one.
    """
    from backend_architect.design.communication import past_tense

    words = [w for name in use_cases for w in name.lower().replace("-", " ").split()]
    if not words:
        return
    verb = words[0]
    undo = verb.startswith("un") and len(verb) > 4
    stem = verb[2:] if undo else verb
    wanted = wanted_values(" ".join(words))
    flags = {past_tense(stem).lower(), stem, *(w for w in words[1:] if len(w) > 2)}
    for prop in schema.properties:
        if prop.name not in example and not (add and not prop.read_only):
            continue
        if prop.enum:
            found = next((v for w in wanted for v in prop.enum if str(v).lower() == w), None)
            if found is not None:
                example[prop.name] = found
        elif prop.type == "boolean" and prop.name.removeprefix("is_").removeprefix("has_") in flags:
            example[prop.name] = not undo


def _example_path(op: Operation, path_entities: dict[str, str]) -> str:
    path = op.path
    for param in op.parameters:
        if param.location == "path":
            owner = path_entities.get(param.name, param.name.removesuffix("_id"))
            if param.format == "uuid":
                value = example_uuid(owner)
            elif param.type == "integer":
                value = str(example_value(ApiProperty(name="id", type="integer"), owner))
            else:
                value = "Ab3xK9q"
            path = path.replace("{" + param.name + "}", value)
    return f"/{API_VERSION}{path}"


def _addressed(op: Operation, path_entities: dict[str, str]) -> str:
    """The entity the last path parameter names: the one a 404 is about (the requester of ``/requesters/{id}/tickets``)."""
    last = [p.name for p in op.parameters if p.location == "path"][-1:]
    return path_entities.get(last[0], op.entity or "resource") if last else op.entity or "resource"


def _problem_detail(op: Operation, status: int, addressed: str) -> str:
    if status == 404:
        return f"No {addressed} with this id exists, or you may not see it."
    if status == 422:
        return "The request body has invalid fields."
    if status == 400:
        if op.flow == "login":
            return "The credentials are not valid."
        if op.paginated:
            # the bound the operation's own limit parameter declares, not a stock one
            limit = next((q for q in op.parameters if q.name == "limit" and q.location == "query"), None)
            top = int(limit.maximum) if limit is not None and limit.maximum is not None else 100
            return f"Query parameter 'limit' must be between 1 and {top}."
        return "The request is malformed."
    return "A valid bearer token is required."


#: Names an example of a set of named links sends (a video's tags).
EXAMPLE_NAMES = ("jazz", "live")


def link_items(prop: ApiProperty, owner: str) -> list[Any]:
    """Two items of an array of links: names (a video's tags) cut to their length, or ids of the linked rows.

    >>> from backend_architect.ir.model import LinkItems
    >>> link_items(ApiProperty(name="tags", type="array", links=LinkItems(by="name", max_length=3)), "Video")
    ['jaz', 'liv']
    """
    links = prop.links
    if links is None:
        return []
    if links.type == "integer":
        return [1 + int(hashlib.sha256(f"{owner}.{prop.name}.{i}".encode()).hexdigest()[:4], 16) % 9000 for i in range(2)]
    if links.by == "id":
        return [example_uuid(f"{owner}.{prop.name}.{i}") for i in range(2)]
    return [n[: links.max_length] if links.max_length else n for n in EXAMPLE_NAMES]
