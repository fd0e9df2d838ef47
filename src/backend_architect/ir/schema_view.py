"""How a schema of a contract reads once ``$ref`` and ``allOf`` are followed.

A schema in a real document is rarely one object: it is ``allOf`` of a base and an
extension, a ``$ref`` to a component, a ``oneOf`` of variants. Rules and the diff read
schemas through these views, never the literal node alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from backend_architect.ir.contract import ApiContract, Node


@dataclass
class ObjectView:
    """An object schema as a validator sees it: ``allOf`` parts merged."""

    properties: dict[str, Node] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    closed: bool = False
    typed_object: bool = False
    composed: bool = False


def object_view(contract: ApiContract, schema: Node | None, depth: int = 0) -> ObjectView:
    """The properties, required names and closedness of ``schema``, through ``$ref`` and ``allOf``."""
    view = ObjectView()
    schema = contract.resolve(schema)
    if schema is None or not isinstance(schema.value, dict) or depth > 16:
        return view
    value = schema.value
    view.typed_object = value.get("type") == "object" or (isinstance(value.get("type"), list) and "object" in value["type"]) or "properties" in value
    properties = contract.resolve(schema.child("properties"))  # `properties: {$ref}` is not OpenAPI, but documents write it
    if properties is not None and isinstance(properties.value, dict):
        for name in properties.value:
            child = properties.child(name)
            if child is not None:
                view.properties[str(name)] = child
    required = value.get("required")
    if isinstance(required, list):
        view.required.update(str(r) for r in required)
    view.closed = value.get("additionalProperties") is False or value.get("unevaluatedProperties") is False
    for key in ("oneOf", "anyOf"):
        if isinstance(value.get(key), list):
            view.composed = True
    parts = schema.child("allOf")
    if parts is not None and isinstance(parts.value, list):
        for i in range(len(parts.value)):
            part = object_view(contract, parts.child(i), depth + 1)
            view.properties.update({k: v for k, v in part.properties.items() if k not in view.properties})
            view.required |= part.required
            view.closed = view.closed or part.closed
            view.typed_object = view.typed_object or part.typed_object
            view.composed = view.composed or part.composed
    return view


def subschemas(
    contract: ApiContract, schema: Node | None, *, limit: int = 10_000, seen: set[tuple[str, tuple[str | int, ...]]] | None = None
) -> Iterator[tuple[str, Node]]:
    """Every schema reachable from ``schema`` (following ``$ref`` once each), with its property path.

    ``seen`` may be shared between calls, to visit each schema of several roots once.
    """
    seen = set() if seen is None else seen
    start = len(seen)
    stack: list[tuple[str, Node | None]] = [("", schema)]
    while stack and len(seen) - start < limit:
        path, node = stack.pop()
        node = contract.resolve(node)
        if node is None or not isinstance(node.value, dict):
            continue
        key = (node.file, node.pointer)
        if key in seen:
            continue
        seen.add(key)
        yield path, node
        properties = contract.resolve(node.child("properties"))
        if properties is not None and isinstance(properties.value, dict):
            for name in reversed(list(properties.value)):
                stack.append((f"{path}.{name}" if path else str(name), properties.child(name)))
        for keyword in ("items", "additionalProperties", "not"):
            child = node.child(keyword)
            if child is not None and isinstance(child.value, dict):
                stack.append((f"{path}[]" if keyword == "items" else path, child))
        for keyword in ("allOf", "oneOf", "anyOf"):
            parts = node.child(keyword)
            if parts is not None and isinstance(parts.value, list):
                stack.extend((path, parts.child(i)) for i in range(len(parts.value)))


def schema_type(contract: ApiContract, schema: Node | None) -> str | None:
    """The single JSON type a schema declares (the non-null one of a type list), or None."""
    schema = contract.resolve(schema)
    if schema is None or not isinstance(schema.value, dict):
        return None
    declared = schema.value.get("type")
    if isinstance(declared, list):
        kinds = [t for t in declared if t != "null"]
        return str(kinds[0]) if len(kinds) == 1 else None
    if declared is None and "properties" in schema.value:
        return "object"
    return str(declared) if isinstance(declared, str) else None
