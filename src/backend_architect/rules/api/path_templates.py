"""Path templates a router can tell apart: no two that match the same URL, no query or fragment in a path key."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from backend_architect.ir.contract import Node
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import is_parameter, located, segments
from backend_architect.rules.model import Finding, Rule, Severity, rule


def _path_items(arch: Architecture) -> Iterator[tuple[str, list[tuple[str, Node]]]]:
    for contract in arch.contracts:
        paths = contract.top("paths")
        if paths is None or not isinstance(paths.value, dict):
            continue
        found = [(str(key), node) for key in paths.value if (node := paths.child(key)) is not None]
        yield contract.name, found


def clash(left: str, right: str) -> str | None:
    """How two path templates collide: "identical" (same shape, parameters named differently), "ambiguous" (a URL matches both
    and neither is more concrete everywhere), or None.

    >>> clash("/pets/{id}", "/pets/{name}"), clash("/{entity}/me", "/books/{id}"), clash("/pets/mine", "/pets/{id}"), clash("/a/{b}", "/a/{b}/c")
    ('identical', 'ambiguous', None, None)
    """
    a, b = segments(left), segments(right)
    if len(a) != len(b) or left == right:
        return None
    concrete_left = concrete_right = False
    for x, y in zip(a, b, strict=True):
        px, py = is_parameter(x), is_parameter(y)
        if not px and not py and x != y:
            return None
        concrete_left |= py and not px
        concrete_right |= px and not py
    if not concrete_left and not concrete_right:
        return "identical"
    return "ambiguous" if concrete_left and concrete_right else None


@rule(
    code="API007",
    name="ambiguous-paths",
    severity=Severity.ERROR,
    title="Two path templates match the same URL",
    fix="Make one path more concrete than the other everywhere, or merge them: /books/{id} and /{entity}/me cannot both route /books/me.",
)
def ambiguous_paths(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds pairs of path templates that match the same URL: identical but for the names of
    their parameters (`/pets/{id}` and `/pets/{name}`, which OpenAPI forbids), or ambiguous,
    each more concrete than the other in some segment (`/{entity}/me` and `/books/{id}`, both
    matching `/books/me`). A path that is concrete where the other is templated and nowhere
    else (`/pets/mine` beside `/pets/{id}`) is fine: routers try the concrete one first.

    ## Why is this bad?
    Which operation serves the URL depends on the router's order: frameworks, gateways and
    generated clients disagree, and a request reaches an operation its author never meant.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get: {responses: {'200': {description: The pet.}}}
      /v1/pets/{name}:
        delete: {responses: {'204': {description: Deleted.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get: {responses: {'200': {description: The pet.}}}
        delete: {responses: {'204': {description: Deleted.}}}

    ## References
    OpenAPI Specification 3.1.0, "Path Templating Matching".
    """
    for _, items in _path_items(arch):
        by_length: dict[int, list[tuple[str, Node]]] = {}
        for path, node in items:
            by_length.setdefault(len(segments(path)), []).append((path, node))
        clashes: dict[str, list[tuple[str, str, Node]]] = {}
        for group in by_length.values():
            for (left, _), (right, node) in itertools.combinations(group, 2):
                kind = clash(left, right)
                if kind is not None:
                    clashes.setdefault(right, []).append((kind, left, node))
        for right, found in clashes.items():
            kind, left, node = min(found, key=lambda c: (c[0] != "identical", c[1]))
            more = f" (and {len(found) - 1} more path(s))" if len(found) > 1 else ""
            yield located(self, node, right, f"{kind} with {left}{more}: both match the same URLs")


@rule(
    code="API008",
    name="invalid-path-key",
    severity=Severity.ERROR,
    title="Path key is not a path",
    fix="Start the path with '/', and move query parameters to `parameters` (in: query); a fragment never reaches the server.",
)
def invalid_path_key(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds keys of `paths` that do not start with `/`, or that carry a query string (`?`) or a
    fragment (`#`).

    ## Why is this bad?
    OpenAPI appends the path to the server URL as it is: a `?` there makes the "path" a query
    no router matches, and parameters written into it are invisible to clients and
    validators. A fragment is never even sent.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets?species=cat:
        get: {responses: {'200': {description: The cats.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          parameters: [{name: species, in: query, schema: {type: string}}]
          responses: {'200': {description: The pets.}}

    ## References
    OpenAPI Specification 3.1.0, "Paths Object" (the field name MUST begin with a forward slash).
    """
    for _, items in _path_items(arch):
        for path, node in items:
            if path.startswith("x-"):
                continue  # an extension of the Paths Object
            if not path.startswith("/"):
                yield located(self, node, path, "the path does not start with '/'")
            elif "?" in path or "#" in path:
                yield located(self, node, path, f"the path carries a {'query string' if '?' in path else 'fragment'}")
