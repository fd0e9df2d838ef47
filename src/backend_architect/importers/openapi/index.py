"""Index a contract's operations the same way whichever OpenAPI version wrote them.

Swagger 2.0 keeps the request body among the parameters (``in: body``) and a response's
media types in ``produces``; OpenAPI 3 has ``requestBody`` and ``content``. Rules read the
normalised ``ContractOperation`` and never ask which version they are looking at.
"""

from __future__ import annotations

from typing import Any

from backend_architect.ir.contract import HTTP_METHODS, ApiContract, ContractOperation, ContractParameter, ContractResponse, MediaBody, Node

_DEFAULT_MEDIA = "application/json"


def index_operations(contract: ApiContract) -> list[ContractOperation]:
    """Every operation under ``paths``, in document order."""
    return index_path_items(contract, contract.resolve(contract.top("paths")))


def index_webhooks(contract: ApiContract) -> list[ContractOperation]:
    """Every operation under ``webhooks`` (OpenAPI 3.1), keyed by the webhook's name where a path would be."""
    return index_path_items(contract, contract.resolve(contract.top("webhooks")))


def index_path_items(contract: ApiContract, paths: Node | None, depth: int = 0) -> list[ContractOperation]:
    """The operations of a map of path items (``paths``, ``webhooks``, or one callback's expressions)."""
    if paths is None or not isinstance(paths.value, dict):
        return []
    operations = []
    global_security = contract.document.get("security")
    for path in paths.value:
        item = contract.resolve(paths.child(path))
        if item is None or not isinstance(item.value, dict):
            continue
        shared = _parameters(contract, contract.resolve(item.child("parameters")))
        for method in HTTP_METHODS:
            node = contract.resolve(item.child(method))  # `get: {$ref: get.yml}` is not OpenAPI, but large split documents do it
            if node is None or not isinstance(node.value, dict):
                continue
            own = _parameters(contract, contract.resolve(node.child("parameters")))
            merged = {(p.name, p.location): p for p in (*shared, *own)}
            parameters = tuple(p for p in merged.values() if p.location != "body")
            bodies, required = _request(contract, node, tuple(merged.values()))
            security = node.value.get("security", global_security)
            operations.append(
                ContractOperation(
                    path=str(path),
                    method=method,
                    node=node,
                    parameters=parameters,
                    request_bodies=bodies,
                    request_required=required,
                    responses=_responses(contract, node),
                    security=security if isinstance(security, list) else None,
                    callbacks=_callbacks(contract, node, depth),
                )
            )
    return operations


def _callbacks(contract: ApiContract, operation: Node, depth: int) -> tuple[tuple[str, ContractOperation], ...]:
    """The operations of an operation's callbacks, each with its callback's name; callbacks of callbacks stop at two levels."""
    holder = operation.child("callbacks")
    if holder is None or not isinstance(holder.value, dict) or depth >= 2:
        return ()
    found = []
    for name in holder.value:
        callback = contract.resolve(holder.child(name))
        found += [(str(name), op) for op in index_path_items(contract, callback, depth + 1)]
    return tuple(found)


def _parameters(contract: ApiContract, holder: Node | None) -> list[ContractParameter]:
    found: list[ContractParameter] = []
    if holder is None or not isinstance(holder.value, list):
        return found
    for i in range(len(holder.value)):
        node = contract.resolve(holder.child(i))
        if node is None or not isinstance(node.value, dict):
            continue
        name, location = node.value.get("name"), node.value.get("in")
        if not isinstance(name, str) or not isinstance(location, str):
            continue
        schema = node.child("schema") if "schema" in node.value or location == "body" else node
        found.append(ContractParameter(name, location, bool(node.value.get("required", location == "path")), node, contract.resolve(schema)))
    return found


def _request(contract: ApiContract, operation: Node, parameters: tuple[ContractParameter, ...]) -> tuple[tuple[MediaBody, ...], bool]:
    if contract.version == "2.0":
        body = next((p for p in parameters if p.location == "body"), None)
        if body is None:
            return (), False
        media = _media_types(contract, operation, "consumes")
        return tuple(MediaBody(m, body.schema) for m in media), body.required
    request = contract.resolve(operation.child("requestBody"))
    if request is None or not isinstance(request.value, dict):
        return (), False
    return _content(contract, contract.resolve(request.child("content"))), bool(request.value.get("required", False))


def _responses(contract: ApiContract, operation: Node) -> tuple[ContractResponse, ...]:
    holder = contract.resolve(operation.child("responses"))
    if holder is None or not isinstance(holder.value, dict):
        return ()
    found = []
    for status in holder.value:
        node = contract.resolve(holder.child(status))
        if node is None or not isinstance(node.value, dict):
            continue
        held = contract.resolve(node.child("headers"))
        headers = held.value if held is not None else None
        names = tuple(sorted(str(h).lower() for h in headers)) if isinstance(headers, dict) else ()
        if contract.version == "2.0":
            schema = contract.resolve(node.child("schema"))
            examples = node.child("examples")
            bodies = (
                tuple(MediaBody(media, schema, _swagger_examples(examples, media)) for media in _media_types(contract, operation, "produces"))
                if schema is not None
                else ()
            )
        else:
            bodies = _content(contract, contract.resolve(node.child("content")))
        found.append(ContractResponse(str(status), node, bodies, names))
    return tuple(found)


def _swagger_examples(examples: Node | None, media: str) -> tuple[Node, ...]:
    example = examples.child(media) if examples is not None else None
    return (example,) if example is not None else ()


def _media_types(contract: ApiContract, operation: Node, key: str) -> list[str]:
    declared: Any = operation.value.get(key, contract.document.get(key))
    if isinstance(declared, list) and declared:
        return [str(m) for m in declared]
    return [_DEFAULT_MEDIA]


def _content(contract: ApiContract, content: Node | None) -> tuple[MediaBody, ...]:
    if content is None or not isinstance(content.value, dict):
        return ()
    bodies = []
    for media in content.value:
        node = contract.resolve(content.child(media))
        if node is None or not isinstance(node.value, dict):
            continue
        examples: list[Node] = []
        single = node.child("example")
        if single is not None:
            examples.append(single)
        named = contract.resolve(node.child("examples"))
        if named is not None and isinstance(named.value, dict):
            for key in named.value:
                example = contract.resolve(named.child(key))
                value = example.child("value") if example is not None else None
                if value is not None:
                    examples.append(value)
        bodies.append(MediaBody(str(media), contract.resolve(node.child("schema")), tuple(examples)))
    return tuple(bodies)
