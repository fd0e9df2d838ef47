"""Two versions of an API contract → every change, classified by what it does to existing clients.

The direction of a schema decides the verdict: a client *sends* request schemas and *reads*
response schemas, so narrowing is breaking in a request (the client's data no longer passes)
and widening is breaking in a response (the client meets values it cannot handle). The
checks follow oasdiff's catalogue in its four categories: paths, parameters, schemas
(request and response) and security.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from backend_architect.diff.model import Anchor, Change, Impact
from backend_architect.ir.contract import ApiContract, ContractOperation, ContractParameter, MediaBody, Node
from backend_architect.ir.schema_view import object_view

Direction = Literal["request", "response"]
_PARAMETER = re.compile(r"{[^}/]*}")
#: Bounds that, raised (max) or lowered (min), accept more.
_UPPER = ("maxLength", "maximum", "maxItems", "maxProperties", "exclusiveMaximum")
_LOWER = ("minLength", "minimum", "minItems", "minProperties", "exclusiveMinimum")
_MAX_DEPTH = 24


def diff_contracts(old: ApiContract, new: ApiContract) -> list[Change]:
    """Every change from ``old`` to ``new``, sorted by where it is."""
    differ = _Differ(old, new)
    differ.servers()
    differ.operations()
    return sorted(differ.changes)


def path_key(path: str) -> str:
    """A path with its parameters unnamed: renaming ``{id}`` to ``{pet_id}`` is not a new path.

    >>> path_key("/v1/pets/{pet_id}/toys/{toy}")
    '/v1/pets/{}/toys/{}'
    """
    return _PARAMETER.sub("{}", path.rstrip("/") or "/")


@dataclass
class _Differ:
    old: ApiContract
    new: ApiContract
    changes: list[Change] = field(default_factory=list)
    memo: dict[tuple[Any, ...], list[tuple[str, str, str, Impact, Anchor | None, Anchor | None]]] = field(default_factory=dict)

    def add(self, where: str, code: str, message: str, impact: Impact, old: Node | None = None, new: Node | None = None) -> None:
        self.changes.append(Change(where, code, message, impact, _anchor(old), _anchor(new)))

    # --- paths ---------------------------------------------------------------------------

    def servers(self) -> None:
        before, after = _bases(self.old), _bases(self.new)
        if before and after and not before & after:
            self.add(
                "/servers",
                "server-url-changed",
                f"base path {', '.join(sorted(before))} became {', '.join(sorted(after))}",
                Impact.BREAKING,
                self.old.top("servers"),
                self.new.top("servers"),
            )

    def operations(self) -> None:
        before = {(op.method, path_key(op.path)): op for op in self.old.operations}
        after = {(op.method, path_key(op.path)): op for op in self.new.operations}
        old_paths = {path_key(op.path) for op in self.old.operations}
        new_paths = {path_key(op.path) for op in self.new.operations}
        for key, op in before.items():
            if key not in after:
                if key[1] not in new_paths:
                    code, what = "path-removed", f"path {op.path} was removed"
                else:
                    code, what = "operation-removed", "the operation was removed"
                impact = Impact.POSSIBLY_BREAKING if op.node.get("deprecated") is True else Impact.BREAKING
                self.add(op.label, code, what + (" (it was deprecated)" if impact is Impact.POSSIBLY_BREAKING else ""), impact, op.node, None)
        for key, op in after.items():
            if key not in before:
                code = "path-added" if key[1] not in old_paths else "operation-added"
                self.add(op.label, code, "new operation", Impact.SAFE, None, op.node)
        for key, op in before.items():
            if key in after:
                self.operation(op, after[key])

    # --- one operation -------------------------------------------------------------------------

    def operation(self, old: ContractOperation, new: ContractOperation) -> None:
        where = new.label
        if old.operation_id and new.operation_id and old.operation_id != new.operation_id:
            self.add(
                where,
                "operation-id-changed",
                f"operationId {old.operation_id} became {new.operation_id} (SDK method names change)",
                Impact.POSSIBLY_BREAKING,
                old.node,
                new.node,
            )
        if old.node.get("deprecated") is not True and new.node.get("deprecated") is True:
            self.add(where, "operation-deprecated", "the operation is now deprecated", Impact.SAFE, old.node, new.node)
        self.parameters(where, old, new)
        self.request(where, old, new)
        self.responses(where, old, new)
        self.security(where, old, new)

    def parameters(self, where: str, old: ContractOperation, new: ContractOperation) -> None:
        before, after = _parameters(old), _parameters(new)
        for key, param in before.items():
            if key not in after and param.location != "path":
                self.add(
                    where, "request-parameter-removed", f"{param.location} parameter '{param.name}' was removed", Impact.POSSIBLY_BREAKING, param.node, new.node
                )
        for key, param in after.items():
            if key in before:
                continue
            if param.required:
                self.add(
                    where, "new-required-request-parameter", f"new required {param.location} parameter '{param.name}'", Impact.BREAKING, old.node, param.node
                )
            elif param.location != "path":
                self.add(where, "new-optional-request-parameter", f"new optional {param.location} parameter '{param.name}'", Impact.SAFE, old.node, param.node)
        for key, param in before.items():
            changed = after.get(key)
            if changed is None:
                continue
            label = f"{param.location} parameter '{param.name}'"
            if not param.required and changed.required:
                self.add(where, "request-parameter-became-required", f"{label} became required", Impact.BREAKING, param.node, changed.node)
            elif param.required and not changed.required:
                self.add(where, "request-parameter-became-optional", f"{label} became optional", Impact.SAFE, param.node, changed.node)
            self.schema(where, label, param.schema, changed.schema, "request")

    def request(self, where: str, old: ContractOperation, new: ContractOperation) -> None:
        if not old.request_bodies and new.request_bodies and new.request_required:
            self.add(where, "request-body-added-required", "a required request body was added", Impact.BREAKING, old.node, new.node)
            return
        if old.request_bodies and not new.request_bodies:
            self.add(where, "request-body-removed", "the request body was removed", Impact.BREAKING, old.node, new.node)
            return
        if old.request_bodies and not old.request_required and new.request_required:
            self.add(where, "request-body-became-required", "the request body became required", Impact.BREAKING, old.node, new.node)
        self.bodies(where, "request body", old.request_bodies, new.request_bodies, "request", old.node, new.node)

    def responses(self, where: str, old: ContractOperation, new: ContractOperation) -> None:
        after = {r.status: r for r in new.responses}
        before = {r.status: r for r in old.responses}
        for status, response in before.items():
            if status not in after:
                success = status[:1] in {"2", "3"}
                impact = Impact.BREAKING if success else Impact.SAFE
                self.add(
                    where,
                    "response-success-status-removed" if success else "response-non-success-status-removed",
                    f"response {status} was removed",
                    impact,
                    response.node,
                    new.node,
                )
        for status, response in after.items():
            if status not in before:
                success = status[:1] == "2"
                impact = Impact.POSSIBLY_BREAKING if success else Impact.SAFE
                self.add(
                    where,
                    "response-success-status-added" if success else "response-non-success-status-added",
                    f"new response {status}",
                    impact,
                    old.node,
                    response.node,
                )
        for status, response in before.items():
            changed = after.get(status)
            if changed is None:
                continue
            for header in response.headers:
                if header not in changed.headers and status[:1] == "2":
                    self.add(
                        where,
                        "response-header-removed",
                        f"response {status} no longer declares header {header}",
                        Impact.POSSIBLY_BREAKING,
                        response.node,
                        changed.node,
                    )
            self.bodies(where, f"response {status}", response.bodies, changed.bodies, "response", response.node, changed.node)

    def bodies(
        self, where: str, label: str, old: tuple[MediaBody, ...], new: tuple[MediaBody, ...], direction: Direction, old_node: Node, new_node: Node
    ) -> None:
        before = {b.media_type.lower(): b for b in old}
        after = {b.media_type.lower(): b for b in new}
        for media in before:
            if media not in after and after:
                impact = Impact.BREAKING
                self.add(where, f"{direction}-media-type-removed", f"{label}: media type {media} was removed", impact, old_node, new_node)
        for media in after:
            if media not in before and before:
                self.add(where, f"{direction}-media-type-added", f"{label}: media type {media} was added", Impact.SAFE, old_node, new_node)
        for media, body in before.items():
            if media in after:
                self.schema(where, label, body.schema, after[media].schema, direction)

    def security(self, where: str, old: ContractOperation, new: ContractOperation) -> None:
        before, after = _requirements(old), _requirements(new)
        if before == after:
            return
        if not before and after:
            self.add(where, "security-added", f"the operation now requires {_describe(after)}", Impact.BREAKING, old.node, new.node)
            return
        if before and not after:
            self.add(where, "security-removed", "the operation no longer requires authentication", Impact.SAFE, old.node, new.node)
            return
        for requirement in after:
            covered = any(set(requirement) <= set(old_req) and all(set(requirement[s]) <= set(old_req[s]) for s in requirement) for old_req in before)
            if not covered:
                self.add(where, "security-requirement-tightened", f"new requirement {_describe([requirement])}", Impact.BREAKING, old.node, new.node)
        for requirement in before:
            if requirement not in after:
                self.add(
                    where, "security-requirement-removed", f"requirement {_describe([requirement])} was removed", Impact.POSSIBLY_BREAKING, old.node, new.node
                )

    # --- schemas ---------------------------------------------------------------------------

    def schema(self, where: str, label: str, old: Node | None, new: Node | None, direction: Direction) -> None:
        for relative, code, message, impact, old_anchor, new_anchor in self._schema(old, new, direction, 0, frozenset()):
            prefix = f"{label}{'.' + relative if relative and not relative.startswith('[') else relative}"
            self.changes.append(Change(where, code, f"{prefix}: {message}", impact, old_anchor, new_anchor))

    def _schema(
        self, old: Node | None, new: Node | None, direction: Direction, depth: int, path: frozenset[Any]
    ) -> list[tuple[str, str, str, Impact, Anchor | None, Anchor | None]]:
        old, new = self.old.resolve(old), self.new.resolve(new)
        if old is None or new is None or not isinstance(old.value, dict) or not isinstance(new.value, dict) or depth > _MAX_DEPTH:
            return []
        key = (old.file, old.pointer, new.file, new.pointer, direction)
        if key in self.memo:
            return self.memo[key]
        if key in path:
            return []  # a recursive schema: its changes are found on the way in
        found = list(self._compare(old, new, direction, depth, path | {key}))
        self.memo[key] = found
        return found

    def _compare(
        self, old: Node, new: Node, direction: Direction, depth: int, path: frozenset[Any]
    ) -> Iterator[tuple[str, str, str, Impact, Anchor | None, Anchor | None]]:
        request = direction == "request"
        o, n = old.value, new.value
        anchors = (_anchor(old), _anchor(new))
        old_types, new_types = _types(o), _types(n)
        if old_types and new_types and old_types != new_types:
            narrowed = not new_types >= old_types
            widened = not new_types <= old_types
            if (request and narrowed) or (not request and widened):
                yield "", f"{direction}-type-changed", f"type {_show(old_types)} became {_show(new_types)}", Impact.BREAKING, *anchors
            else:
                yield "", f"{direction}-type-changed", f"type {_show(old_types)} became {_show(new_types)}", Impact.SAFE, *anchors
        yield from _enum_changes(o, n, direction, anchors)
        yield from _bound_changes(o, n, direction, anchors)
        if o.get("format") != n.get("format") and o.get("format") and n.get("format"):
            yield "", f"{direction}-format-changed", f"format {o.get('format')} became {n.get('format')}", Impact.POSSIBLY_BREAKING, *anchors
        if o.get("pattern") != n.get("pattern") and n.get("pattern") and request:
            yield "", "request-pattern-changed", f"pattern became /{n.get('pattern')}/", Impact.POSSIBLY_BREAKING, *anchors
        yield from self._properties(old, new, direction, depth, path)
        old_items, new_items = old.child("items"), new.child("items")
        if old_items is not None and new_items is not None:
            for relative, *rest in self._schema(old_items, new_items, direction, depth + 1, path):
                yield (f"[]{'.' + relative if relative and not relative.startswith('[') else relative}", *rest)  # type: ignore[misc]
        for keyword in ("oneOf", "anyOf"):
            before, after = o.get(keyword), n.get(keyword)
            if isinstance(before, list) and isinstance(after, list) and len(before) != len(after):
                fewer = len(after) < len(before)
                impact = Impact.BREAKING if (request and fewer) or (not request and not fewer) else Impact.SAFE
                yield "", f"{direction}-{keyword.lower()}-changed", f"{keyword} has {len(after)} variants instead of {len(before)}", impact, *anchors

    def _properties(
        self, old: Node, new: Node, direction: Direction, depth: int, path: frozenset[Any]
    ) -> Iterator[tuple[str, str, str, Impact, Anchor | None, Anchor | None]]:
        before, after = object_view(self.old, old), object_view(self.new, new)
        if not before.properties and not after.properties:
            return
        request = direction == "request"
        anchors = (_anchor(old), _anchor(new))
        for name, node in before.properties.items():
            if name in after.properties:
                continue
            impact = (Impact.BREAKING if after.closed else Impact.POSSIBLY_BREAKING) if request else Impact.BREAKING
            yield name, f"{direction}-property-removed", "property was removed", impact, _anchor(node), anchors[1]
        for name, node in after.properties.items():
            if name in before.properties:
                continue
            if request and name in after.required:
                yield name, "new-required-request-property", "new required property", Impact.BREAKING, anchors[0], _anchor(node)
            else:
                yield name, f"{direction}-property-added", "new property", Impact.SAFE, anchors[0], _anchor(node)
        for name in before.properties.keys() & after.properties.keys():
            was, now = name in before.required, name in after.required
            if request and not was and now:
                yield name, "request-property-became-required", "became required", Impact.BREAKING, *anchors
            elif not request and was and not now:
                yield name, "response-property-became-optional", "became optional (clients may rely on it)", Impact.BREAKING, *anchors
            for relative, *rest in self._schema(before.properties[name], after.properties[name], direction, depth + 1, path):
                yield (name + (("." + relative) if relative and not relative.startswith("[") else relative), *rest)  # type: ignore[misc]
        if request and after.closed and not before.closed:
            yield "", "request-additional-properties-closed", "unknown properties are now refused", Impact.POSSIBLY_BREAKING, *anchors


def _anchor(node: Node | None) -> Anchor | None:
    return (node.file, node.pointer) if node is not None else None


def _bases(contract: ApiContract) -> set[str]:
    from urllib.parse import urlparse

    if contract.version == "2.0":
        return {str(contract.document.get("basePath", "/")).rstrip("/") or "/"}
    servers = contract.document.get("servers")
    if not isinstance(servers, list):
        return set()
    return {urlparse(str(s.get("url", ""))).path.rstrip("/") or "/" for s in servers if isinstance(s, dict) and "{" not in str(s.get("url", ""))}


def _parameters(operation: ContractOperation) -> dict[tuple[str, str], ContractParameter]:
    """Parameters by what identifies them to a client: headers by lowercase name, path parameters by position."""
    template = _PARAMETER.findall(operation.path)
    found = {}
    for param in operation.parameters:
        if param.location == "path":
            name = str(template.index("{" + param.name + "}")) if "{" + param.name + "}" in template else param.name
        else:
            name = param.name.lower() if param.location == "header" else param.name
        found[(param.location, name)] = param
    return found


def _requirements(operation: ContractOperation) -> list[dict[str, list[str]]]:
    requirements = [r for r in operation.security or () if isinstance(r, dict)]
    if any(not r for r in requirements):
        return []  # an empty requirement makes the operation public
    return [{k: sorted(v) if isinstance(v, list) else [] for k, v in r.items()} for r in requirements]


def _describe(requirements: list[dict[str, list[str]]]) -> str:
    return " or ".join(" + ".join(f"{name}{'(' + ', '.join(scopes) + ')' if scopes else ''}" for name, scopes in sorted(r.items())) for r in requirements)


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    types = set(declared) if isinstance(declared, list) else {declared} if isinstance(declared, str) else set()
    if types and (schema.get("nullable") is True or schema.get("x-nullable") is True):
        types.add("null")
    if "integer" in types and "number" in types:
        types.discard("integer")
    return frozenset(types)


def _show(types: frozenset[str]) -> str:
    return "|".join(sorted(types))


def _enum_changes(
    o: dict[str, Any], n: dict[str, Any], direction: Direction, anchors: tuple[Anchor | None, Anchor | None]
) -> Iterator[tuple[str, str, str, Impact, Anchor | None, Anchor | None]]:
    before, after = o.get("enum"), n.get("enum")
    if not isinstance(before, list) and isinstance(after, list) and direction == "request":
        yield "", "request-enum-added", f"values restricted to {after[:8]}", Impact.BREAKING, *anchors
        return
    if not isinstance(before, list) or not isinstance(after, list):
        return
    removed = [v for v in before if v not in after]
    added = [v for v in after if v not in before]
    if removed:
        impact = Impact.BREAKING if direction == "request" else Impact.SAFE
        yield "", f"{direction}-enum-value-removed", f"enum values removed: {removed[:8]}", impact, *anchors
    if added:
        impact = Impact.SAFE if direction == "request" else Impact.POSSIBLY_BREAKING
        yield "", f"{direction}-enum-value-added", f"enum values added: {added[:8]}", impact, *anchors


def _bound_changes(
    o: dict[str, Any], n: dict[str, Any], direction: Direction, anchors: tuple[Anchor | None, Anchor | None]
) -> Iterator[tuple[str, str, str, Impact, Anchor | None, Anchor | None]]:
    for keyword in (*_UPPER, *_LOWER):
        before, after = o.get(keyword), n.get(keyword)
        if before == after or isinstance(before, bool) or isinstance(after, bool):
            continue
        if not isinstance(before, int | float | None) or not isinstance(after, int | float | None):
            continue
        upper = keyword in _UPPER
        if before is None:
            tighter = True
        elif after is None:
            tighter = False
        else:
            tighter = after < before if upper else after > before
        impact = (Impact.BREAKING if tighter else Impact.SAFE) if direction == "request" else Impact.SAFE if tighter else Impact.POSSIBLY_BREAKING
        what = f"{keyword} {'set to ' + str(after) if before is None else 'removed' if after is None else f'{before} became {after}'}"
        yield "", f"{direction}-{_kebab(keyword)}-{'tightened' if tighter else 'relaxed'}", what, impact, *anchors


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
