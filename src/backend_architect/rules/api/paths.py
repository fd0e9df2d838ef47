"""Path naming: kebab-case, plural collections, no verbs, no trailing slash, no file extensions."""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.contract import ApiContract, Node
from backend_architect.ir.model import Architecture
from backend_architect.nouns import is_plural, singular
from backend_architect.rules.api import is_parameter, is_version, located, segments
from backend_architect.rules.model import Finding, Rule, Severity, rule

_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_EXTENSION = re.compile(r"\.(json|xml|yaml|yml|html?|csv|txt|php|aspx?|jsp)$", re.IGNORECASE)
#: Verbs that name a CRUD action the HTTP method already says; custom actions (``cancel``, ``search``) are sub-resources.
CRUD_VERBS = frozenset(
    {"get", "create", "update", "delete", "remove", "add", "fetch", "list", "set", "insert", "modify", "edit", "retrieve", "save", "put", "post"}
)
#: Verbs that are nouns as often (a blog post, a put option): only a segment made of the word alone is an action.
_NOUN_VERBS = frozenset({"post", "put"})
#: Particles that make a verb a noun (an add-on, a set-up, a get-together).
_PARTICLES = frozenset({"on", "up", "in", "out", "off", "over", "back", "together"})
#: Singleton sub-resources, words that name no collection, and standing relationships named by a participle
#: (GitHub's /user/following/{username}).
_SINGLETONS = frozenset(
    {"me", "self", "info", "status", "health", "search", "config", "configuration", "auth", "login", "logout", "oauth", "graphql", "openapi", "api", "admin"}
    | {"following", "blocking", "muting", "watching", "billing", "feedback"}
)
#: Parameter names that identify an item of whatever collection they follow.
_GENERIC_IDS = frozenset({"id", "uuid", "guid", "key", "name", "slug", "sid", "code", "number", "handle", "identifier"})
_WORD = re.compile(r"[-_.]|(?<=[a-z0-9])(?=[A-Z])")


def words(segment: str) -> list[str]:
    """The lowercase words of a path segment or parameter name, in any casing.

    >>> words("AddOnResults"), words("post_updates"), words("{pet_id}")
    (['add', 'on', 'results'], ['post', 'updates'], ['pet', 'id'])
    """
    return [w.lower() for w in _WORD.split(segment.strip("{}")) if w]


def _paths(arch: Architecture) -> Iterator[tuple[ApiContract, str, Node]]:
    for contract in arch.contracts:
        paths = contract.top("paths")
        if paths is None or not isinstance(paths.value, dict):
            continue
        for path in paths.value:
            node = paths.child(path)
            if node is not None:
                yield contract, str(path), node


def static_segments(path: str) -> list[str]:
    """The named parts of a path: no parameters, no version; a custom method (``{id}:cancel``) counts as its verb.

    >>> static_segments("/v1/orders/{order_id}:cancel")
    ['orders', 'cancel']
    """
    found = []
    for segment in segments(path):
        for part in segment.split(":"):
            if part and not is_parameter(part) and not is_version(part):
                found.append(part)
    return found


@rule(
    code="API016",
    name="path-not-kebab-case",
    severity=Severity.WARNING,
    title="Path segment is not kebab-case",
    fix="Write path segments in lowercase words joined by hyphens: /shipping-addresses.",
)
def path_not_kebab_case(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds static path segments that are not lowercase kebab-case (`shippingAddresses`,
    `shipping_addresses`, `ShippingAddresses`).

    ## Why is this bad?
    URLs are case-sensitive: mixed conventions produce 404s from clients that guessed the
    other style, and a document that mixes styles reads as several APIs glued together.

    ## Example
    openapi: 3.1.0
    info: {title: Shop, version: 1.0.0}
    paths:
      /v1/shippingAddresses:
        get: {responses: {'200': {description: The addresses.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Shop, version: 1.0.0}
    paths:
      /v1/shipping-addresses:
        get: {responses: {'200': {description: The addresses.}}}

    ## References
    Zalando RESTful API Guidelines 129 (kebab-case for path segments).
    """
    for _, path, node in _paths(arch):
        bad = [s for s in static_segments(path) if not _KEBAB.match(_EXTENSION.sub("", s) or "x")]
        if bad:
            yield located(self, node, path, f"segment{'s' if len(bad) > 1 else ''} {', '.join(repr(s) for s in bad)} not kebab-case")


@rule(
    code="API017",
    name="trailing-slash",
    severity=Severity.WARNING,
    title="Path ends with a slash",
    fix="Drop the trailing slash; /pets and /pets/ are different URLs to caches and routers.",
)
def trailing_slash(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds paths (other than `/`) that end with `/`.

    ## Why is this bad?
    `/pets/` and `/pets` are different resources to HTTP caches, routers and signature
    schemes; clients that normalise the URL get redirects or 404s.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/:
        get: {responses: {'200': {description: The pets.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}

    ## References
    Zalando RESTful API Guidelines 136 (avoid trailing slashes).
    """
    for _, path, node in _paths(arch):
        if len(path) > 1 and path.endswith("/"):
            yield located(self, node, path, "path ends with '/'")


@rule(
    code="API018",
    name="verb-in-path",
    severity=Severity.WARNING,
    title="Path names an action the HTTP method already says",
    fix="Let the method carry the action: GET /pets, not GET /getPets; POST /pets, not POST /pets/create.",
)
def verb_in_path(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds path segments made of CRUD verbs (`get`, `create`, `update`, `delete`, `list`...),
    alone or as the first word of a segment (`/getPets`, `/pets/delete`). A verb made a noun
    by a particle (`add-ons`, `AddOnResults`) is not one, nor is a word that is a noun as
    often as a verb (`post`) followed by more words (`post_updates`).

    ## Why is this bad?
    The URL stops naming a resource, so caching, authorization by resource and hypermedia
    stop working, and the API grows an RPC surface next to the REST one.
    Actions that are not CRUD (`/orders/{id}/cancel`) are fine as sub-resources.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/create:
        post: {responses: {'201': {description: Created.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post: {responses: {'201': {description: Created.}}}

    ## References
    Zalando RESTful API Guidelines 141 (resource names are nouns).
    """
    for _, path, node in _paths(arch):
        for segment in static_segments(path):
            verb = crud_verb(_EXTENSION.sub("", segment))
            if verb:
                yield located(self, node, path, f"segment '{segment}' is the verb '{verb}'")
                break


def crud_verb(segment: str) -> str | None:
    """The CRUD verb a segment starts with, when it reads as an action rather than a noun.

    >>> [crud_verb(s) for s in ("getPets", "delete", "add-ons", "AddOnResults", "post_updates", "post", "update-branch")]
    ['get', 'delete', None, None, None, 'post', 'update']
    """
    parts = words(segment)
    if not parts or parts[0] not in CRUD_VERBS:
        return None
    if len(parts) > 1 and (parts[1] in _PARTICLES or singular(parts[1]) in _PARTICLES or parts[0] in _NOUN_VERBS):
        return None
    return parts[0]


@rule(
    code="API019",
    name="singular-collection",
    severity=Severity.INFO,
    title="Collection is named in the singular",
    fix="Name collections with plural nouns: /pets/{pet_id}, not /pet/{pet_id}.",
)
def singular_collection(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds a static segment followed by the parameter of one of its items (`/pet/{id}`,
    `/pet/{pet_id}`) whose last word is not a plural noun (by the noun rules the designer
    uses: `people` is plural). A segment that qualifies the collection before it
    (`/integrations/slack/{integration_id}`) or selects by something it does not hold
    (`/tarball/{ref}`) is no collection.

    ## Why is this bad?
    `/pet/{id}` next to `/pets` makes clients guess which form each resource uses; the
    plural form reads as "the item {id} of the collection" in every case.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pet/{pet_id}:
        get:
          parameters: [{name: pet_id, in: path, required: true, schema: {type: string}}]
          responses: {'200': {description: The pet.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get:
          parameters: [{name: pet_id, in: path, required: true, schema: {type: string}}]
          responses: {'200': {description: The pet.}}

    ## References
    Zalando RESTful API Guidelines 134 (pluralize resource names).
    """
    for _, path, node in _paths(arch):
        parts = segments(path)
        for before, segment, following in zip(["", *parts], parts, parts[1:], strict=False):
            if is_parameter(segment) or is_version(segment) or not is_parameter(following) or not holds_items(before, segment, following):
                continue
            last = words(segment)[-1] if words(segment) else ""
            if last.isalpha() and last not in _SINGLETONS and not is_plural(segment):
                yield located(self, node, path, f"'{segment}' holds items ({following}) but is singular")
                break


def holds_items(before: str, segment: str, parameter: str) -> bool:
    """Whether ``segment/{parameter}`` addresses an item of a collection named ``segment``.

    Not when the parameter names something else (``/tarball/{ref}``, ``/servicenow/{integration_id}``:
    the segment is a format or a qualifier), nor when the segment qualifies the plural
    collection right before it (``/integrations/slack/{id}``, ``/attestations/digest/{digest}``).

    >>> holds_items("", "pet", "{pet_id}"), holds_items("", "tarball", "{ref}"), holds_items("integrations", "slack", "{id}")
    (True, False, False)
    """
    named = words(parameter)
    own = set(words(segment)) | {singular(w) for w in words(segment)}
    if not (set(named) & own) and not (named and named[-1] in _GENERIC_IDS and len(named) == 1):
        return False
    return not (before and not is_parameter(before) and not is_version(before) and is_plural(before) and words(before)[-1:] != words(segment)[-1:])


@rule(
    code="API020",
    name="file-extension-in-path",
    severity=Severity.WARNING,
    title="Path carries a file extension",
    fix="Negotiate the format with the Accept header; keep the URL free of .json/.xml.",
)
def file_extension_in_path(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds paths whose last segment ends in a format extension (`.json`, `.xml`, `.csv`...).

    ## Why is this bad?
    The representation leaks into the resource's identity: the same resource gets one URL
    per format, caches store it several times, and content negotiation is bypassed.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets.json:
        get: {responses: {'200': {description: The pets.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}
    """
    for _, path, node in _paths(arch):
        match = _EXTENSION.search(path)
        if match:
            yield located(self, node, path, f"path ends in '{match.group(0)}'")
