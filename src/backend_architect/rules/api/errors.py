"""Error responses: declared, in RFC 9457 problem+json, with one shared schema."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.api import has_json, located, operations
from backend_architect.rules.model import Finding, Rule, Severity, rule

PROBLEM_JSON = "application/problem+json"


@rule(
    code="API012",
    name="error-without-problem-json",
    severity=Severity.WARNING,
    title="Error response is not application/problem+json",
    fix="Answer errors as application/problem+json (RFC 9457) with type, title, status, detail and instance.",
)
def error_without_problem_json(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds 4xx and 5xx responses (and `default`) whose body is JSON in another media type than
    `application/problem+json`.

    ## Why is this bad?
    Every API then invents its own error envelope, and every client writes one error parser
    per API. RFC 9457 gives one shape that generic middleware, gateways and SDKs understand.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets.}
            '400':
              description: Bad request.
              content: {application/json: {schema: {type: object}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets.}
            '400':
              description: Bad request.
              content: {application/problem+json: {schema: {type: object}}}

    ## References
    RFC 9457; Zalando RESTful API Guidelines 176 (use Problem JSON).
    """
    for contract, operation in operations(arch):
        if contract.version == "2.0":
            continue  # Swagger 2.0 declares media types per operation; RFC 9457 is a 3.x convention here
        for response in operation.responses:
            if not (response.is_error or response.status == "default"):
                continue
            media = [b.media_type for b in response.bodies if has_json(b.media_type)]
            if media and PROBLEM_JSON not in {m.split(";")[0].strip().lower() for m in media}:
                yield located(self, response.node, operation.label, f"{response.status} answers {', '.join(media)}, not {PROBLEM_JSON}")


@rule(
    code="API013",
    name="error-schema-not-shared",
    severity=Severity.INFO,
    title="Error responses use different schemas",
    fix="Define one Problem schema in components and $ref it from every error response.",
)
def error_schema_not_shared(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds error responses whose body schema differs from the one most error responses of the
    document use (inline schemas count as different).

    ## Why is this bad?
    A client cannot write one error handler: each operation's errors need their own parsing,
    and fields such as a trace id or validation details are present on some errors only.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets.}
            '400': {description: Bad, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
            '404': {description: Missing, content: {application/problem+json: {schema: {type: object}}}}
            '409': {description: Conflict, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
    components:
      schemas:
        Problem: {type: object}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets.}
            '400': {description: Bad, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
            '404': {description: Missing, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
    components:
      schemas:
        Problem: {type: object}
    """
    for contract in arch.contracts:
        uses = []
        for operation in contract.operations:
            for response in operation.responses:
                for body in response.bodies:
                    if response.is_error and has_json(body.media_type) and body.schema is not None:
                        uses.append((operation, response, (body.schema.file, body.schema.pointer)))
        counts = Counter(key for _, _, key in uses)
        if len(counts) < 2:
            continue
        usual = max(sorted(counts), key=lambda key: counts[key])
        for operation, response, key in uses:
            if key != usual:
                yield located(self, response.node, operation.label, f"{response.status} uses a different error schema than most error responses")


@rule(
    code="API014",
    name="missing-error-responses",
    severity=Severity.WARNING,
    title="Operation declares no error response",
    fix="Declare the 4xx responses the operation can give (400, 404, 409, 422...) or a `default` problem response.",
)
def missing_error_responses(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations that declare only success responses: no 4xx, no 5xx and no `default`.

    ## Why is this bad?
    Clients learn the failure modes in production. Generated SDKs cannot type the error
    bodies, so errors surface as untyped exceptions.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets.}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets.}
            '400': {description: The query is invalid.}

    ## References
    Zalando RESTful API Guidelines 151 (specify success and error responses).
    """
    for _, operation in operations(arch):
        if operation.responses and not any(r.is_error or r.status == "default" for r in operation.responses):
            secured = any(isinstance(r, dict) and r for r in operation.security or ()) and not any(r == {} for r in operation.security or ())
            also = " (it requires authentication: not even 401)" if secured else ""
            yield located(self, operation.node, operation.label, f"no 4xx, 5xx or default response is declared{also}")
