"""Path templates a router can tell apart: no two that match the same URL, no query or fragment in a path key."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.contract import Node
from backend_architect.ir.model import Architecture
from backend_architect.nouns import singular
from backend_architect.rules.api import is_parameter, located, segments
from backend_architect.rules.api.paths import words
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
        clashes: dict[str, list[tuple[str, str, Node]]] = {}
        for left, right, node in _candidates(items):
            kind = clash(left, right)
            if kind is not None:
                clashes.setdefault(right, []).append((kind, left, node))
        for right, found in clashes.items():
            kind, left, node = min(found, key=lambda c: (c[0] != "identical", c[1]))
            more = f" (and {len(found) - 1} more path(s))" if len(found) > 1 else ""
            yield located(self, node, right, f"{kind} with {left}{more}: both match the same URLs")


_PARAMETER = "{}"


def _candidates(items: list[tuple[str, Node]]) -> Iterator[tuple[str, str, Node]]:
    """Pairs (earlier path, later path, later path's node) that could match one URL: every segment equal or a parameter.

    A trie of the earlier paths' segments (parameters folded into one key) is walked for each path, so a document's
    paths are compared with the few that share their literals rather than with every other path (120,000 paths: all
    pairs is 7 billion comparisons).

    >>> [(a, b) for a, b, _ in _candidates([("/pets/{id}", None), ("/pets/mine", None), ("/users/{id}", None), ("/{x}/{id}", None)])]
    [('/pets/{id}', '/pets/mine'), ('/pets/{id}', '/{x}/{id}'), ('/pets/mine', '/{x}/{id}'), ('/users/{id}', '/{x}/{id}')]
    """
    root = _Trie()
    for index, (path, node) in enumerate(items):
        keys = [_PARAMETER if is_parameter(s) else s for s in segments(path)]
        earlier: list[int] = []
        root.matching(keys, 0, earlier)
        for other in sorted(earlier):
            yield items[other][0], path, node
        root.add(keys, index)


class _Trie:
    """Path templates by segment; a parameter is one key whatever its name."""

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.ends: list[int] = []

    def add(self, keys: list[str], index: int) -> None:
        trie = self
        for key in keys:
            trie = trie.children.setdefault(key, _Trie())
        trie.ends.append(index)

    def matching(self, keys: list[str], depth: int, found: list[int]) -> None:
        """The templates of exactly ``len(keys)`` segments that agree with ``keys`` wherever both are literal."""
        if depth == len(keys):
            found += self.ends
            return
        key = keys[depth]
        children = self.children.values() if key == _PARAMETER else [c for c in (self.children.get(key), self.children.get(_PARAMETER)) if c is not None]
        for child in children:
            child.matching(keys, depth + 1, found)


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


def _own_key(name: str, collection: str) -> bool:
    """The parameter names the collection's own key whatever its spelling: ``id``, ``membership_id``, ``membershipId``, ``membership``.

    >>> _own_key("membershipId", "memberships"), _own_key("id", "pets"), _own_key("user_id", "memberships")
    (True, True, False)
    """
    said = words(name)
    own = words(singular(collection))
    return said in (["id"], ["key"], ["uuid"], own, [*own, "id"], [*own, "key"], [*own, "uuid"])


def _item_parameter(segment: str) -> str | None:
    """The parameter naming an item, custom method or not: ``{order_id}`` and ``{order_id}:cancel`` -> order_id."""
    head = segment.split(":", 1)[0]
    return head[1:-1] if is_parameter(head) else None


@rule(
    code="API061",
    name="item-addressed-two-ways",
    severity=Severity.WARNING,
    title="One collection's items are addressed by two different keys",
    fix="Choose one key per resource (its id, or the natural pair of a link) and use it in every path, custom methods included.",
)
def item_addressed_two_ways(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds a collection whose items appear under differently named parameters across paths,
    custom methods included: `/chats/{chat_id}/memberships/{user_id}` (PUT, DELETE) beside
    `/chats/{chat_id}/memberships/{membership_id}:mark-read`. Spellings of the collection's own
    id (`{id}`, `{chat_id}`, `{chatId}`) count as one key, and parents are compared by position.

    ## Why is this bad?
    A client holding the key one operation answers cannot call the other: it must know a
    second identifier of the same row and how to find it. Generated clients get two item
    types, caches two entries, and authorization two code paths for one resource.

    ## Example
    openapi: 3.1.0
    info: {title: Chat, version: 1.0.0}
    paths:
      /v1/chats/{chat_id}/memberships/{user_id}:
        put: {responses: {'204': {description: Joined.}}}
      /v1/chats/{chat_id}/memberships/{membership_id}:mark-read:
        post: {responses: {'204': {description: Marked.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Chat, version: 1.0.0}
    paths:
      /v1/chats/{chat_id}/memberships/{user_id}:
        put: {responses: {'204': {description: Joined.}}}
      /v1/chats/{chat_id}/memberships/{user_id}:mark-read:
        post: {responses: {'204': {description: Marked.}}}

    ## References
    Google AIP-122, "Resource names" (one canonical name per resource); AIP-136, "Custom methods".
    """
    for _, items in _path_items(arch):
        first: dict[tuple[str, ...], tuple[str, str]] = {}
        for path, node in items:
            parts = segments(path)
            for index, segment in enumerate(parts):
                name = _item_parameter(segment)
                if name is None or index == 0 or is_parameter(parts[index - 1]) or ":" in parts[index - 1]:
                    continue
                collection = tuple(_PARAMETER if is_parameter(s) else s for s in parts[:index])
                seen = first.setdefault(collection, (name, path))
                if seen[0] != name and not (_own_key(name, parts[index - 1]) and _own_key(seen[0], parts[index - 1])):
                    yield located(self, node, path, f"items of /{'/'.join(collection)} are {{{name}}} here but {{{seen[0]}}} in {seen[1]}")
                    break
