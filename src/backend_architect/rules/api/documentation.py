"""Documentation and lifecycle: summaries, tags, unused components, deprecation with Sunset."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.contract import Node, pointer_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import located, operations
from backend_architect.rules.model import Finding, Rule, Severity, rule

_COMPONENT_KINDS = ("schemas", "parameters", "responses", "requestBodies", "headers", "examples", "links", "callbacks")
_SWAGGER_KINDS = ("definitions", "parameters", "responses")


@rule(
    code="API034",
    name="missing-summary",
    severity=Severity.INFO,
    title="Operation has no summary",
    fix="Add a one-line summary; documentation tools list operations by it.",
)
def missing_summary(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations with neither a `summary` nor a `description`.

    ## Why is this bad?
    Documentation portals list the operation by its path alone, and SDK methods get no doc
    comment: readers have to guess what the operation does.

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
        get: {summary: List pets, responses: {'200': {description: The pets.}}}
    """
    for _, operation in operations(arch):
        if not operation.node.get("summary") and not operation.node.get("description"):
            yield located(self, operation.node, operation.label, "the operation has no summary or description")


@rule(
    code="API035",
    name="missing-tags",
    severity=Severity.INFO,
    title="Operation has no tag",
    fix="Tag each operation with its resource; generators group SDK classes and docs by tag.",
    tier="all",
)
def missing_tags(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations without `tags`.

    ## Why is this bad?
    Generators put untagged operations in a catch-all `DefaultApi` class, and documentation
    portals in a "default" section nobody reads.

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
        get: {tags: [pets], responses: {'200': {description: The pets.}}}
    """
    for _, operation in operations(arch):
        tags = operation.node.get("tags")
        if not isinstance(tags, list) or not tags:
            yield located(self, operation.node, operation.label, "the operation has no tags")


@rule(
    code="API038",
    name="unused-component",
    severity=Severity.INFO,
    title="Component is never referenced",
    fix="Reference the component where it belongs, or delete it.",
)
def unused_component(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds reusable components (schemas, parameters, responses, request bodies, headers,
    examples) that no `$ref` in the document, or in the files it references, points at.

    ## Why is this bad?
    Dead definitions are generated into every SDK, shown in the documentation as if they
    were used, and maintained for nothing; often they show a `$ref` was forgotten.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200': {description: The pets., content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
    components:
      schemas:
        Pet: {type: object}
    """
    for contract in arch.contracts:
        holders: list[Node] = []
        if contract.version == "2.0":
            holders = [n for kind in _SWAGGER_KINDS if (n := contract.top(kind)) is not None]
        else:
            components = contract.top("components")
            holders = [n for kind in _COMPONENT_KINDS if components is not None and (n := components.child(kind)) is not None]
        for holder in holders:
            if not isinstance(holder.value, dict):
                continue
            for name in holder.value:
                child = holder.child(name)
                if child is not None and (child.file, pointer_text(child.pointer)) not in contract.references:
                    yield located(self, child, pointer_text(holder.pointer), f"'{name}' is never referenced")


@rule(
    code="API039",
    name="deprecated-without-sunset",
    severity=Severity.WARNING,
    title="Deprecated operation announces no Sunset",
    fix="Declare Deprecation and Sunset headers (RFC 8594, RFC 9745) on the deprecated operation's responses.",
)
def deprecated_without_sunset(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations marked `deprecated: true` whose responses declare no `Sunset` header
    (and that carry no `x-sunset` date).

    ## Why is this bad?
    Clients see the deprecation only if someone reads the documentation; a `Sunset` header
    tells running clients the removal date, so their owners can be alerted in time.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          deprecated: true
          responses: {'200': {description: The pets.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          deprecated: true
          responses:
            '200': {description: The pets., headers: {Sunset: {schema: {type: string}}, Deprecation: {schema: {type: string}}}}

    ## References
    RFC 8594 (Sunset), RFC 9745 (Deprecation); Zalando RESTful API Guidelines 187-189.
    """
    for _, operation in operations(arch):
        sunset = "x-sunset" in operation.node.value or any("sunset" in r.headers for r in operation.responses)
        if operation.node.get("deprecated") is True and not sunset:
            yield located(self, operation.node, operation.label, "deprecated, but no response declares a Sunset header")
