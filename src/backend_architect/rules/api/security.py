"""Security: every operation secured or explicitly public, schemes defined and used, 401/403/429 declared."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.contract import ApiContract, Node
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import located, operations
from backend_architect.rules.model import Finding, Rule, Severity, rule

RATE_LIMIT_HEADERS = frozenset(
    {
        "ratelimit",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "ratelimit-policy",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
    }
)


def security_schemes(contract: ApiContract) -> Node | None:
    if contract.version == "2.0":
        return contract.top("securityDefinitions")
    components = contract.top("components")
    return components.child("securitySchemes") if components is not None else None


def _scheme_names(contract: ApiContract) -> set[str]:
    holder = security_schemes(contract)
    return set(holder.value) if holder is not None and isinstance(holder.value, dict) else set()


@rule(
    code="API026",
    name="unsecured-operation",
    severity=Severity.WARNING,
    title="Operation is neither secured nor explicitly public",
    fix="Apply a security requirement (globally or per operation); mark intentionally public operations with `security: []`.",
)
def unsecured_operation(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations with no security requirement, neither their own nor the document's.
    An operation that declares `security: []` is explicitly public and passes. A document
    that declares no security anywhere gets one finding instead of one per operation.

    ## Why is this bad?
    Whether the operation needs a token is left to whoever implements the gateway route;
    broken authentication is the second risk of the OWASP API Security Top 10.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    security: [{bearer: []}]
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}

    ## References
    OWASP API Security Top 10 2023, API2 (broken authentication).
    """
    for contract in arch.contracts:
        unsecured = [op for op in contract.operations if op.security is None]
        if not unsecured:
            continue
        if len(unsecured) == len(contract.operations) and "security" not in contract.document:
            root = Node(contract.document, contract.root.name, ())
            yield located(self, root, "/", f"no security requirement anywhere: all {len(unsecured)} operations are open")
            continue
        for operation in unsecured:
            yield located(self, operation.node, operation.label, "no security requirement applies and `security: []` does not mark it public")


@rule(
    code="API027",
    name="undefined-security-scheme",
    severity=Severity.ERROR,
    title="Security requirement names an undefined scheme",
    fix="Define the scheme under components.securitySchemes (securityDefinitions in Swagger 2.0), or fix its name.",
)
def undefined_security_scheme(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds security requirements that name a scheme the document does not define.

    ## Why is this bad?
    Gateways and generated clients do not know how to authenticate the operation: some fail
    to load the document, others treat the operation as public.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    security: [{oauth: []}]
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    security: [{oauth: []}]
    components:
      securitySchemes:
        oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://auth.example.com/token', scopes: {}}}}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}
    """
    for contract in arch.contracts:
        defined = _scheme_names(contract)
        holders: list[tuple[Node, str]] = []
        top = contract.top("security")
        if top is not None:
            holders.append((top, "/security"))
        holders += [(n, op.label) for op in contract.operations if (n := op.node.child("security")) is not None]
        for holder, where in holders:
            if not isinstance(holder.value, list):
                continue
            for requirement in holder.value:
                for name in requirement if isinstance(requirement, dict) else ():
                    if name not in defined:
                        yield located(self, holder, where, f"security scheme '{name}' is not defined")


@rule(
    code="API028",
    name="unused-security-scheme",
    severity=Severity.INFO,
    title="Security scheme is defined but never required",
    fix="Require the scheme where it applies, or delete it.",
)
def unused_security_scheme(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds security schemes no security requirement uses.

    ## Why is this bad?
    Readers assume the scheme protects something; usually a requirement was forgotten and
    operations the author meant to protect are open.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    security: [{bearer: []}]
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}
    """
    for contract in arch.contracts:
        holder = security_schemes(contract)
        if holder is None or not isinstance(holder.value, dict):
            continue
        used = {name for op in contract.operations for requirement in op.security or () if isinstance(requirement, dict) for name in requirement}
        top = contract.document.get("security")
        used |= {name for requirement in top if isinstance(requirement, dict) for name in requirement} if isinstance(top, list) else set()
        for name in holder.value:
            if name not in used:
                child = holder.child(name)
                yield located(self, child or holder, f"security scheme {name}", f"security scheme '{name}' is never required")


@rule(
    code="API029",
    name="missing-auth-errors",
    severity=Severity.WARNING,
    title="Secured operation does not declare 401 (or 403 for scopes)",
    fix="Declare 401 on every secured operation, and 403 where scopes or ownership can refuse the caller.",
)
def missing_auth_errors(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations that require authentication but declare no 401 response (nor a
    `default`), and operations that require OAuth scopes but declare no 403. An operation
    that declares no error response at all is left to `missing-error-responses`, which
    says the 401 is missing too: one root cause, one finding.

    ## Why is this bad?
    Clients cannot tell "log in again" from "you may not", so they retry forever or log the
    user out for a permission problem.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    security: [{bearer: []}]
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}, '400': {description: The query is invalid.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    security: [{bearer: []}]
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets.}
            '400': {description: The query is invalid.}
            '401': {description: The token is missing or expired.}
    """
    for _, operation in operations(arch):
        requirements = [r for r in operation.security or () if isinstance(r, dict)]
        if not requirements or any(not r for r in requirements):
            continue  # public, or public as an alternative
        statuses = {r.status for r in operation.responses}
        if "default" in statuses or not any(r.is_error for r in operation.responses):
            continue  # no error response at all is API014's finding, which names the 401 too
        if "401" not in statuses:
            yield located(self, operation.node, operation.label, "requires authentication but declares no 401")
        scoped = any(scopes for r in requirements for scopes in r.values() if isinstance(scopes, list) and scopes)
        if scoped and "403" not in statuses:
            yield located(self, operation.node, operation.label, "requires scopes but declares no 403")


@rule(
    code="API030",
    name="missing-rate-limit",
    severity=Severity.INFO,
    title="Rate limiting is not part of the contract",
    fix="Declare 429 Too Many Requests with Retry-After, and RateLimit headers on success responses.",
)
def missing_rate_limit(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds documents in which no operation declares a 429 response or rate-limit headers
    (`RateLimit`, `X-RateLimit-*`, `Retry-After`); in documents that do, the operations that
    do not.

    ## Why is this bad?
    Clients discover the limit by being cut off and cannot back off gracefully; an API
    without limits is open to unrestricted resource consumption (OWASP API4:2023).

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets.}
            '429': {description: Too many requests., headers: {Retry-After: {schema: {type: integer}}}}

    ## References
    OWASP API Security Top 10 2023, API4; IETF draft-ietf-httpapi-ratelimit-headers; Zalando 153.
    """
    for contract in arch.contracts:
        limited = [op for op in contract.operations if any(r.status == "429" or RATE_LIMIT_HEADERS & set(r.headers) for r in op.responses)]
        if not contract.operations or len(limited) == len(contract.operations):
            continue
        if not limited:
            root = Node(contract.document, contract.root.name, ())
            yield located(self, root, "/", f"none of the {len(contract.operations)} operations declares 429 or rate-limit headers")
            continue
        for operation in contract.operations:
            if operation not in limited:
                yield located(self, operation.node, operation.label, "declares no 429 response nor rate-limit headers")


@rule(
    code="API042",
    name="scopes-on-non-oauth-scheme",
    severity=Severity.WARNING,
    title="Security requirement lists scopes for a scheme that has none (OpenAPI 3.0)",
    fix="Leave the list empty for http and apiKey schemes (`- bearer: []`); scopes belong to oauth2 and openIdConnect schemes.",
)
def scopes_on_non_oauth_scheme(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    In OpenAPI 3.0 (and Swagger 2.0) documents, finds security requirements that list scopes
    for a scheme that is not `oauth2` or `openIdConnect` (an `http` bearer or basic scheme, an
    `apiKey`), once per scheme. OpenAPI 3.1 allows role names there and is not checked.

    ## Why is this bad?
    The specification requires the list to be empty: tools ignore the scopes, so the
    authorization the author wrote down is enforced by nobody, and some validators reject the
    document.

    ## Example
    openapi: 3.0.3
    info: {title: Pets, version: 1.0.0}
    security: [{bearer: ['pets:read']}]
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
    paths: {}

    Use instead:
    openapi: 3.0.3
    info: {title: Pets, version: 1.0.0}
    security: [{oauth: ['pets:read']}]
    components:
      securitySchemes:
        oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://auth.example.com/token', scopes: {'pets:read': Read pets.}}}}
    paths: {}

    ## References
    OpenAPI Specification 3.0.3, "Security Requirement Object".
    """
    for contract in arch.contracts:
        if contract.version == "3.1":
            continue
        holder = security_schemes(contract)
        kinds = {}
        for name in holder.value if holder is not None and isinstance(holder.value, dict) else ():
            scheme = contract.resolve(holder.child(name)) if holder is not None else None
            kinds[name] = scheme.get("type") if scheme is not None else None
        requirements: list[tuple[Node, str]] = []
        top = contract.top("security")
        if top is not None:
            requirements.append((top, "/security"))
        requirements += [(n, op.label) for op in contract.operations if (n := op.node.child("security")) is not None]
        scoped: dict[str, list[tuple[Node, str, list[str]]]] = {}
        for node, where in requirements:
            for i, requirement in enumerate(node.value if isinstance(node.value, list) else ()):
                for name, scopes in requirement.items() if isinstance(requirement, dict) else ():
                    if scopes and isinstance(scopes, list) and kinds.get(name) not in {None, "oauth2", "openIdConnect"}:
                        scoped.setdefault(name, []).append((node.child(i) or node, where, [str(s) for s in scopes]))
        for name, uses in scoped.items():
            at, where, scopes = uses[0]  # one root cause (the scheme's type), one finding, at its first use
            more = f"; {len(uses) - 1} more requirement(s) do the same" if len(uses) > 1 else ""
            message = f"scheme '{name}' is {kinds[name]}: its requirements must list no scopes (lists {', '.join(scopes)}){more}"
            yield located(self, at, where, message)
