"""A schema as the diff compares it: ``$ref`` followed and ``allOf`` merged into one conjunction.

``allOf: [{$ref: Base}, {properties: ...}]`` accepts what every part accepts, so moving
properties between a schema and its parts, or splitting a schema into a base and an
extension, changes nothing a client sees. The diff compares the merged view — types
intersected, bounds tightest, properties and ``required`` united, each property the
conjunction of its definitions — and judges the parts only when one is added to or
removed from an existing ``allOf``.

Every node is reached through the contract's resolver (``ApiContract.resolve``), so a
description split over files compares exactly like its bundled copy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backend_architect.ir.contract import ApiContract, Node

#: Keywords whose value is one subschema; the merged view keeps every conjunct's.
SINGLE = ("items", "contains", "propertyNames", "not", "if", "then", "else", "contentSchema", "unevaluatedItems", "unevaluatedProperties")
#: Keywords whose value maps names to subschemas.
MAPS = ("properties", "patternProperties", "dependentSchemas")
_LOWER = ("minimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER = ("maximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_FIRST = (
    "format",
    "pattern",
    "const",
    "default",
    "discriminator",
    "contentMediaType",
    "contentEncoding",
    "multipleOf",
    "x-sunset",
    "x-stability-level",
    "title",
)
_ANY_TRUE = ("readOnly", "writeOnly", "deprecated", "uniqueItems")
_MAX_PARTS = 64
_MAX_DEPTH = 16


@dataclass(slots=True)
class SchemaView:
    """The conjunction of a schema and its ``allOf`` parts, resolved."""

    nodes: list[Node]
    keywords: dict[str, Any] = field(default_factory=dict)
    #: The JSON types accepted; None when no conjunct restricts them.
    types: frozenset[str] | None = None
    #: Lower and upper numeric bounds as (value, exclusive).
    lower: tuple[float, bool] | None = None
    upper: tuple[float, bool] | None = None
    patterns: set[str] = field(default_factory=set)
    enum: list[Any] | None = None
    required: set[str] = field(default_factory=set)
    dependent_required: dict[str, set[str]] = field(default_factory=dict)
    maps: dict[str, dict[str, list[Node]]] = field(default_factory=dict)
    single: dict[str, list[Node]] = field(default_factory=dict)
    #: ``additionalProperties``: False when closed, else the value schemas (empty when open).
    additional: list[Node] | bool = field(default_factory=list)
    prefix_items: list[Node] | None = None
    #: ("oneOf" | "anyOf", the node holding the list) of every conjunct.
    compositions: list[tuple[str, Node]] = field(default_factory=list)
    #: The direct ``allOf`` parts of the top schema, by identity.
    parts: dict[str, Node] = field(default_factory=dict)

    @property
    def anchor(self) -> Node:
        return self.nodes[0]

    def holder(self, keyword: str) -> Node:
        """The conjunct that declares ``keyword`` (the top schema when none does)."""
        return next((n for n in self.nodes if isinstance(n.value, dict) and keyword in n.value), self.nodes[0])

    @property
    def closed(self) -> bool:
        return self.additional is False or self.keywords.get("unevaluatedProperties") is False

    def flag(self, keyword: str) -> bool:
        return bool(self.keywords.get(keyword))


def view(contract: ApiContract, nodes: Sequence[Node | None] | Node | None) -> SchemaView | None:
    """The merged view of one schema, or of several that must all hold; None when none resolves."""
    pending = list(nodes) if isinstance(nodes, Sequence) else [nodes]
    conjuncts: list[Node] = []
    seen: set[tuple[str, tuple[str | int, ...]]] = set()
    top_parts: dict[str, Node] = {}
    first = True
    stack = [(n, 0) for n in reversed(pending)]
    while stack and len(conjuncts) < _MAX_PARTS:
        raw, depth = stack.pop()
        node = _as_schema(contract.resolve(raw))
        if node is None or (node.file, node.pointer) in seen or depth > _MAX_DEPTH:
            continue
        seen.add((node.file, node.pointer))
        conjuncts.append(node)
        parts = node.child("allOf")
        if parts is not None and isinstance(parts.value, list):
            for i in reversed(range(len(parts.value))):
                part = parts.child(i)
                if first and part is not None:
                    top_parts[identity(contract, part, i)] = part
                stack.append((part, depth + 1))
        first = False
    if not conjuncts:
        return None
    merged = SchemaView(conjuncts)
    merged.parts = dict(reversed(list(top_parts.items())))
    for node in conjuncts:
        _merge(merged, node)
    return merged


def identity(contract: ApiContract, node: Node | None, index: int) -> str:
    """How a subschema is recognised across versions: the component it references, its title, or its place."""
    if node is not None and isinstance(node.value, dict):
        ref = node.value.get("$ref")
        if isinstance(ref, str):
            return ref.rpartition("/")[2] or ref
        title = node.value.get("title")
        if isinstance(title, str):
            return title
        target = contract.resolve(node)
        kind = target.value.get("type") if target is not None and isinstance(target.value, dict) else None
        if isinstance(kind, str) and kind not in ("object", "array"):
            return kind
    return f"#{index}"


def canonical(value: Any) -> str:
    """A key for a JSON value, so enum members compare by value (``1`` and ``1.0`` alike)."""
    return json.dumps(value, sort_keys=True, default=str)


def _as_schema(node: Node | None) -> Node | None:
    """Boolean schemas read as their object form: ``true`` is ``{}``, ``false`` is ``{not: {}}``."""
    if node is None:
        return None
    if node.value is True:
        return Node({}, node.file, node.pointer)
    if node.value is False:
        return Node({"not": {}}, node.file, node.pointer)
    return node if isinstance(node.value, dict) else None


def declared_types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The types one schema object declares (``nullable`` as ``null``), or None when it declares none.

    >>> sorted(declared_types({"type": "string", "nullable": True}))
    ['null', 'string']
    >>> declared_types({"properties": {}}) is None
    True
    """
    declared = schema.get("type")
    if isinstance(declared, list):
        types = {str(t) for t in declared}
    elif isinstance(declared, str):
        types = {declared}
    else:
        return None
    if schema.get("nullable") is True or schema.get("x-nullable") is True:
        types.add("null")
    return frozenset(types)


def intersect_types(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """Types both accept; ``integer`` is inside ``number``."""
    if a is None:
        return b
    if b is None:
        return a
    found = set(a & b)
    if ("number" in a and "integer" in b) or ("number" in b and "integer" in a):
        found.add("integer")
    return frozenset(found)


def _merge(merged: SchemaView, node: Node) -> None:
    value: dict[str, Any] = node.value
    merged.types = intersect_types(merged.types, declared_types(value))
    for keyword in value.keys() & _KNOWN:
        handler = _HANDLERS.get(keyword)
        if handler is not None:
            handler(merged, node, value[keyword])
        elif keyword in _FIRST_SET:
            merged.keywords.setdefault(keyword, value[keyword])
        elif keyword in _ANY_TRUE_SET:
            if value[keyword] is True:
                merged.keywords[keyword] = True
        elif keyword in _LOWER_SET:
            _tighten(merged.keywords, keyword, value[keyword], max)
        elif keyword in _UPPER_SET:
            _tighten(merged.keywords, keyword, value[keyword], min)
    if value.keys() & _BOUNDS:
        merged.lower = _bound(merged.lower, value, "minimum", "exclusiveMinimum", lower=True)
        merged.upper = _bound(merged.upper, value, "maximum", "exclusiveMaximum", lower=False)


def _pattern(merged: SchemaView, node: Node, value: Any) -> None:
    if isinstance(value, str):
        merged.patterns.add(value)


def _enum(merged: SchemaView, node: Node, value: Any) -> None:
    if not isinstance(value, list):
        return
    if merged.enum is None:
        merged.enum = list(value)
    else:
        keep = {canonical(v) for v in value}
        merged.enum = [v for v in merged.enum if canonical(v) in keep]


def _extensible(merged: SchemaView, node: Node, value: Any) -> None:
    if isinstance(value, list):
        merged.keywords.setdefault("x-extensible-enum", value)


def _required(merged: SchemaView, node: Node, value: Any) -> None:
    if isinstance(value, list):
        merged.required.update(str(r) for r in value)


def _dependent(merged: SchemaView, node: Node, value: Any) -> None:
    if isinstance(value, dict):
        for key, names in value.items():
            if isinstance(names, list):
                merged.dependent_required.setdefault(str(key), set()).update(str(n) for n in names)


def _map(keyword: str) -> Any:
    def merge(merged: SchemaView, node: Node, value: Any) -> None:
        holder = node.child(keyword)
        if holder is not None and isinstance(holder.value, dict):
            target = merged.maps.setdefault(keyword, {})
            for name in holder.value:
                child = holder.child(name)
                if child is not None:
                    target.setdefault(str(name), []).append(child)

    return merge


def _single(keyword: str) -> Any:
    def merge(merged: SchemaView, node: Node, value: Any) -> None:
        child = node.child(keyword)
        if child is not None:
            merged.single.setdefault(keyword, []).append(child)

    return merge


def _additional(merged: SchemaView, node: Node, value: Any) -> None:
    if merged.additional is False:
        return
    if value is False:
        merged.additional = False
    elif isinstance(value, dict) and isinstance(merged.additional, list):
        child = node.child("additionalProperties")
        if child is not None:
            merged.additional.append(child)


def _prefix(merged: SchemaView, node: Node, value: Any) -> None:
    prefix = node.child("prefixItems")
    if prefix is not None and isinstance(value, list) and merged.prefix_items is None:
        merged.prefix_items = [c for c in (prefix.child(i) for i in range(len(value))) if c is not None]


def _composition(keyword: str) -> Any:
    def merge(merged: SchemaView, node: Node, value: Any) -> None:
        holder = node.child(keyword)
        if holder is not None and isinstance(value, list) and value:
            merged.compositions.append((keyword, holder))

    return merge


_HANDLERS: dict[str, Any] = {
    "pattern": _pattern,
    "enum": _enum,
    "x-extensible-enum": _extensible,
    "required": _required,
    "dependentRequired": _dependent,
    "additionalProperties": _additional,
    "prefixItems": _prefix,
    **{k: _map(k) for k in MAPS},
    **{k: _single(k) for k in SINGLE},
    **{k: _composition(k) for k in ("oneOf", "anyOf")},
}
_FIRST_SET = frozenset(_FIRST) - {"pattern"}
_ANY_TRUE_SET = frozenset(_ANY_TRUE)
_LOWER_SET = frozenset(_LOWER[1:])
_UPPER_SET = frozenset(_UPPER[1:])
_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_KNOWN = frozenset(_HANDLERS) | _FIRST_SET | _ANY_TRUE_SET | _LOWER_SET | _UPPER_SET


def _tighten(keywords: dict[str, Any], keyword: str, value: Any, pick: Any) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        keywords[keyword] = pick(keywords[keyword], value) if keyword in keywords else value


def _bound(current: tuple[float, bool] | None, value: dict[str, Any], inclusive: str, exclusive: str, *, lower: bool) -> tuple[float, bool] | None:
    """The tightest numeric bound so far, with OpenAPI 3.0's boolean ``exclusiveMinimum`` read as 3.1's number."""
    candidates: list[tuple[float, bool]] = []
    number = value.get(inclusive)
    flag = value.get(exclusive)
    if isinstance(number, int | float) and not isinstance(number, bool):
        candidates.append((float(number), flag is True))
    if isinstance(flag, int | float) and not isinstance(flag, bool):
        candidates.append((float(flag), True))
    if current is not None:
        candidates.append(current)
    if not candidates:
        return None
    # the tighter bound: for a lower bound the larger value, an exclusive one beating an inclusive one at equal value
    return max(candidates, key=lambda b: (b[0], b[1])) if lower else min(candidates, key=lambda b: (b[0], not b[1]))
