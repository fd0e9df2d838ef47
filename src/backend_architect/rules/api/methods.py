"""HTTP method semantics: bodies where they belong, 201 + Location on create, idempotency keys, pagination."""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.contract import ApiContract, ContractOperation, Node
from backend_architect.ir.model import Architecture
from backend_architect.nouns import is_plural
from backend_architect.rules.api import PAGINATION_PARAMETERS, has_json, is_collection_path, located, object_view, operations, schema_type, success_responses
from backend_architect.rules.model import Finding, Rule, Severity, rule

_PAGE_ENVELOPE = ("data", "items", "results", "records", "entries", "values", "content", "edges", "nodes", "list")


def is_create(operation: ContractOperation) -> bool:
    """A POST to a collection named by a plural noun: it creates an item (an action sub-resource does not count, nor a POST
    its own summary or operationId calls a read, as Adyen's "Get a list of donation campaigns")."""
    last = operation.path.rstrip("/").rsplit("/", 1)[-1]
    if operation.method != "post" or not is_collection_path(operation.path) or not is_plural(last) or _is_action(operation.path):
        return False
    said = [str(operation.node.get(key) or "") for key in ("summary", "operationId")]
    return not any(_READ_VERB.match(text) for text in said)


#: A summary or operationId that starts with one of these says the POST reads (a query too large for a URL), not creates.
_READ_VERB = re.compile(r"(?i)^(get|list|retrieve|search|find|fetch|query|read|lookup|look up|check|validate|verify|calculate|preview|estimate|count)(?![a-z])")


def _is_action(path: str) -> bool:
    from backend_architect.rules.api.paths import CRUD_VERBS

    last = path.rstrip("/").rsplit("/", 1)[-1]
    return ":" in last or last.lower() in CRUD_VERBS or last.lower() in {"search", "query", "batch", "bulk", "login", "logout", "token", "verify", "validate"}


def returns_list(contract: ApiContract, operation: ContractOperation) -> bool:
    """The success body is an array, or an envelope whose page lives in an array property."""
    ok = operation.response("200")
    if ok is None:
        return False
    for body in ok.bodies:
        if not has_json(body.media_type) or body.schema is None:
            continue
        if schema_type(contract, body.schema) == "array":
            return True
        view = object_view(contract, body.schema)
        if any(name in view.properties and schema_type(contract, view.properties[name]) == "array" for name in _PAGE_ENVELOPE):
            return True
    return False


@rule(
    code="API015",
    name="unpaginated-collection",
    severity=Severity.WARNING,
    title="Collection is returned without pagination",
    fix="Page the collection: a `limit` (bounded) and a `cursor` query parameter, and a next cursor in the response.",
)
def unpaginated_collection(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds GET operations on a collection that return a list (an array, or an envelope with a
    `data`/`items` array) and take no pagination parameter (`limit`, `cursor`, `page`,
    `per_page`, `offset`, `starting_after`...).

    ## Why is this bad?
    The response grows with the table: at 100,000 rows a single call serialises megabytes,
    holds a database connection for seconds and times out, and any client can use it to
    exhaust the server (OWASP API4:2023, unrestricted resource consumption).

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200':
              description: The pets.
              content: {application/json: {schema: {type: array, items: {type: object}}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          parameters:
            - {name: limit, in: query, schema: {type: integer, maximum: 100}}
            - {name: cursor, in: query, schema: {type: string}}
          responses:
            '200':
              description: The pets.
              content: {application/json: {schema: {type: array, items: {type: object}}}}

    ## References
    Zalando RESTful API Guidelines 159-160 (support pagination, prefer cursors); OWASP API4:2023.
    """
    for contract, operation in operations(arch):
        if operation.method != "get" or not is_collection_path(operation.path):
            continue
        names = {p.name.lower() for p in operation.parameters if p.location == "query"}
        if names & PAGINATION_PARAMETERS or any(n.startswith("page[") for n in names):
            continue
        if returns_list(contract, operation):
            yield located(self, operation.node, operation.label, "returns a list but takes no pagination parameter")


def _empty(contract: ApiContract, schema: Node | None) -> bool:
    """A body schema that admits only ``{}``: a declared-but-empty body, which no client sends."""
    view = object_view(contract, schema)
    return view.typed_object and view.closed and not view.properties


@rule(
    code="API022",
    name="body-on-get-or-delete",
    severity=Severity.WARNING,
    title="GET, HEAD or DELETE takes a request body",
    fix="Move the input to path or query parameters; use POST on a search resource for large queries.",
)
def body_on_get_or_delete(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds GET, HEAD and DELETE operations that declare a request body.

    ## Why is this bad?
    RFC 9110 gives such a body no meaning: proxies, caches and HTTP client libraries drop it
    or refuse to send it, so the operation works in tests and fails behind a gateway.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          requestBody: {content: {application/json: {schema: {type: object}}}}
          responses: {'200': {description: The pets.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          parameters: [{name: species, in: query, schema: {type: string}}]
          responses: {'200': {description: The pets.}}
    """
    for contract, operation in operations(arch):
        if operation.method in {"get", "head", "delete"} and any(not _empty(contract, b.schema) for b in operation.request_bodies):
            yield located(self, operation.node, operation.label, f"{operation.method.upper()} declares a request body")


@rule(
    code="API023",
    name="create-without-created-status",
    severity=Severity.INFO,
    title="Create operation does not answer 201",
    fix="Answer a create with 201 Created, the new resource in the body and its URL in Location (202 if it completes later).",
)
def create_not_201(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds POST operations on a collection whose success responses include neither 201 nor
    202 (nor 204).

    ## Why is this bad?
    Clients and intermediaries cannot tell a create from an action, and retries cannot
    tell "created" from "already there"; 201 with `Location` is the one unambiguous answer.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          responses: {'200': {description: The pet.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          responses:
            '201':
              description: Created.
              headers: {Location: {schema: {type: string}}}

    ## References
    Zalando RESTful API Guidelines 148 (POST returns 201 for a created resource).
    """
    for _, operation in operations(arch):
        ok = success_responses(operation)
        if is_create(operation) and ok and not {"201", "202", "204"} & set(ok):
            yield located(self, operation.node, operation.label, f"the create answers {', '.join(ok)}, not 201")


@rule(
    code="API024",
    name="created-without-location",
    severity=Severity.WARNING,
    title="201 Created without a Location header",
    fix="Declare a Location header on the 201 response, holding the new resource's URL.",
)
def created_without_location(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds 201 responses that declare no `Location` header.

    ## Why is this bad?
    Clients have to build the new resource's URL themselves from the body, which couples
    them to the path layout; RFC 9110 defines `Location` for exactly this.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          responses: {'201': {description: Created.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          responses:
            '201':
              description: Created.
              headers: {Location: {schema: {type: string}}}
    """
    for _, operation in operations(arch):
        created = operation.response("201")
        if created is not None and "location" not in created.headers:
            yield located(self, created.node, operation.label, "201 declares no Location header")


@rule(
    code="API025",
    name="missing-idempotency-key",
    severity=Severity.INFO,
    title="Create operation takes no Idempotency-Key",
    fix="Accept an optional Idempotency-Key header and replay the first answer for a repeated key.",
)
def missing_idempotency_key(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds POST operations on a collection that do not accept an `Idempotency-Key` header.

    ## Why is this bad?
    POST is not idempotent: a client that times out cannot tell whether its create happened,
    and its retry creates a duplicate order or a second payment.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          responses: {'201': {description: Created.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          parameters: [{name: Idempotency-Key, in: header, schema: {type: string, maxLength: 255}}]
          responses: {'201': {description: Created.}}

    ## References
    Zalando RESTful API Guidelines 229-230 (idempotency keys); IETF draft-ietf-httpapi-idempotency-key-header.
    """
    for _, operation in operations(arch):
        if is_create(operation) and not any(p.location == "header" and p.name.lower() == "idempotency-key" for p in operation.parameters):
            yield located(self, operation.node, operation.label, "the create accepts no Idempotency-Key header")
