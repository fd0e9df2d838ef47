"""Structural validity: references that resolve, required fields, path parameters, operation ids."""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.contract import Node
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import located, operations, where_of
from backend_architect.rules.model import Finding, Rule, Severity, rule

_TEMPLATE = re.compile(r"{([^}/]+)}")


@rule(
    code="API001",
    name="unresolved-reference",
    severity=Severity.ERROR,
    title="$ref does not resolve",
    fix="Point the $ref at a node that exists (check the spelling and the ~1 escapes of '/').",
)
def unresolved_reference(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds `$ref`s whose target does not exist in the document or in the file they name.

    ## Why is this bad?
    Every tool that reads the document stops or guesses here: code generators fail, the
    documentation shows an empty schema, and validators accept anything for that part.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {$ref: '#/components/schemas/Animal'}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {$ref: '#/components/schemas/Animal'}
        Animal: {type: object}
    """
    for contract in arch.contracts:
        for node, ref in contract.unresolved:
            at = Node(None, node.file, (*node.pointer, "$ref"))
            yield located(self, at, where_of(node), f"$ref '{ref}' does not resolve")


#: How a finding names what a misplaced reference stands for.
_KINDS = {
    "operation": "an operation",
    "value": "a literal example value",
    "media_type": "a media type",
    "responses": "the responses of an operation",
    "paths": "the paths",
    "components": "the components",
    "encoding": "an encoding",
    "parameter": "a parameter",
    "response": "a response",
    "header": "a header",
    "schema_map": "a map of schemas (a reader that follows the specification sees a property named '$ref')",
}


@rule(
    code="API006",
    name="reference-not-allowed",
    severity=Severity.WARNING,
    title="$ref where the OpenAPI version allows no reference",
    fix="Write the object in place (a bundler such as `redocly bundle` does it), or move the $ref to a field that takes a Reference Object.",
)
def reference_not_allowed(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds `$ref`s where the document's OpenAPI version does not let a Reference Object
    stand: an operation (`get: {$ref: get.yml}`), a media type, the responses map, an
    example's literal `value`, `info`, tags, servers; and in Swagger 2.0 a response header
    or a definition of a shared parameter. The reviewer follows them anyway, as the author
    meant, so the rest of the review still sees the operation.

    ## Why is this bad?
    Tools that follow the specification do not resolve them: a code generator sees an
    operation with no responses, a validator an example whose value is `{"$ref": ...}`.
    The document works only with the tools its authors happened to use.

    ## Example
    openapi: 3.0.3
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {$ref: '#/x-operations/listPets'}
    x-operations:
      listPets: {responses: {'200': {description: The pets.}}}

    Use instead:
    openapi: 3.0.3
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        $ref: '#/x-paths/pets'
    x-paths:
      pets:
        get: {responses: {'200': {description: The pets.}}}

    ## References
    OpenAPI Specification 3.0.3 and 3.1.0, "Reference Object" (where it may be used) and
    "Path Item Object" (`$ref`).
    """
    for contract in arch.contracts:
        for reference in contract.misplaced:
            at = Node(None, reference.node.file, (*reference.node.pointer, "$ref"))
            what = _KINDS.get(reference.kind.split(" ")[0], "this field")
            yield located(self, at, where_of(reference.node), f"$ref '{reference.ref}' stands for {what}, where OpenAPI {contract.version} allows no reference")


_REQUIRED_TOP = {"2.0": ("swagger", "info", "paths"), "3.0": ("openapi", "info", "paths"), "3.1": ("openapi", "info")}


@rule(
    code="API002",
    name="invalid-document",
    severity=Severity.ERROR,
    title="Document breaks the OpenAPI structure",
    fix="Add the missing field or correct its type, as the OpenAPI specification requires.",
)
def invalid_document(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Checks the fields the OpenAPI specification requires: `info` with `title` and `version`,
    `paths` (3.1 also accepts `webhooks` or `components` alone), `responses` on every
    operation, and `name` and `in` on every parameter.

    ## Why is this bad?
    Generators and gateways reject the document or silently drop the broken part; a missing
    `responses` leaves clients with no contract at all for that operation.

    ## Example
    openapi: 3.0.3
    info: {title: Pets}
    paths:
      /v1/pets:
        get: {summary: List pets}

    Use instead:
    openapi: 3.0.3
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          summary: List pets
          responses: {'200': {description: The pets.}}
    """
    for contract in arch.contracts:
        root = Node(contract.document, contract.root.name, ())
        for key in _REQUIRED_TOP[contract.version]:
            if key not in contract.document:
                yield located(self, root, "/", f"the document has no '{key}'")
        if contract.version == "3.1" and not any(k in contract.document for k in ("paths", "webhooks", "components")):
            yield located(self, root, "/", "an OpenAPI 3.1 document needs 'paths', 'webhooks' or 'components'")
        info = contract.top("info")
        if info is not None:
            for key in ("title", "version"):
                if not isinstance(info.value, dict) or key not in info.value:
                    yield located(self, info, "/info", f"info has no '{key}'")
        for operation in contract.operations:
            responses = operation.node.value.get("responses")
            if not isinstance(responses, dict) or not responses:
                yield located(self, operation.node, operation.label, "the operation declares no responses")
            raw = operation.node.child("parameters")
            if raw is not None and isinstance(raw.value, list):
                for i, item in enumerate(raw.value):
                    resolved = contract.resolve(raw.child(i))
                    if isinstance(item, dict) and resolved is not None and isinstance(resolved.value, dict):
                        missing = [k for k in ("name", "in") if k not in resolved.value]
                        if missing:
                            yield located(self, resolved, operation.label, f"parameter #{i + 1} has no {' or '.join(repr(m) for m in missing)}")


@rule(
    code="API003",
    name="path-parameter-mismatch",
    severity=Severity.ERROR,
    title="Path template and path parameters disagree",
    fix="Declare every {name} of the path as an `in: path`, `required: true` parameter, and nothing else as one.",
)
def path_parameter_mismatch(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Compares each path's `{placeholders}` with the operation's `in: path` parameters
    (path-level ones included): every placeholder declared, every declared path parameter in
    the template, and every path parameter required.

    ## Why is this bad?
    Clients generated from the document cannot build the URL: the SDK method has no argument
    for the placeholder, or takes one that never reaches the server.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get:
          responses: {'200': {description: The pet.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get:
          parameters:
            - {name: pet_id, in: path, required: true, schema: {type: string}}
          responses: {'200': {description: The pet.}}
    """
    for _, operation in operations(arch):
        template = set(_TEMPLATE.findall(operation.path))
        declared = {p.name: p for p in operation.parameters if p.location == "path"}
        for name in sorted(template - set(declared)):
            yield located(self, operation.node, operation.label, f"path parameter '{name}' is in the template but not declared")
        for name in sorted(set(declared) - template):
            yield located(self, declared[name].node, operation.label, f"path parameter '{name}' is declared but not in the template")
        for name in sorted(set(declared) & template):
            if not declared[name].node.get("required", False):
                yield located(self, declared[name].node, operation.label, f"path parameter '{name}' must be required: true")


@rule(
    code="API004",
    name="duplicate-operation-id",
    severity=Severity.ERROR,
    title="Two operations share an operationId",
    fix="Give every operation its own operationId; SDKs use it as the method name.",
)
def duplicate_operation_id(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operationIds used by more than one operation of a document.

    ## Why is this bad?
    SDK generators name methods after operationIds: two operations with one id produce a
    compile error or, worse, one method silently shadowing the other.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {operationId: pets, responses: {'200': {description: The pets.}}}
        post: {operationId: pets, responses: {'201': {description: Created.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {operationId: listPets, responses: {'200': {description: The pets.}}}
        post: {operationId: createPet, responses: {'201': {description: Created.}}}
    """
    for contract in arch.contracts:
        first: dict[str, str] = {}
        for operation in contract.operations:
            op_id = operation.operation_id
            if op_id is None:
                continue
            if op_id in first:
                yield located(self, operation.node, operation.label, f"operationId '{op_id}' is also used by {first[op_id]}")
            else:
                first[op_id] = operation.label


@rule(
    code="API005",
    name="missing-operation-id",
    severity=Severity.WARNING,
    title="Operation has no operationId",
    fix="Add an operationId in lowerCamelCase: verb plus resource (listPets, createPet).",
)
def missing_operation_id(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations without an `operationId`.

    ## Why is this bad?
    Generators invent method names from the path and method (`getV1PetsPetId`), which
    change whenever the path does: every SDK release breaks its callers.

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
        get: {operationId: listPets, responses: {'200': {description: The pets.}}}
    """
    for _, operation in operations(arch):
        if operation.operation_id is None:
            yield located(self, operation.node, operation.label, "the operation has no operationId")
