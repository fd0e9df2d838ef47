"""Schemas that do not mean what they say: ``nullable`` where it has no effect, required properties never defined."""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.contract import ApiContract, Node
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import located, object_view, subschemas, where_of
from backend_architect.rules.model import Finding, Rule, Severity, rule


def all_schemas(contract: ApiContract) -> list[tuple[str, Node]]:
    """Every schema of the contract once: named schemas, and those of bodies and parameters, with what names them."""
    if "all_schemas" not in contract.derived:
        contract.derived["all_schemas"] = list(_all_schemas(contract))
    found: list[tuple[str, Node]] = contract.derived["all_schemas"]
    return found


def _all_schemas(contract: ApiContract) -> Iterator[tuple[str, Node]]:
    roots: list[tuple[str, Node]] = [(where_of(s), s) for s in contract.schemas()]
    for operation in contract.operations:
        roots += [(operation.label, b.schema) for b in operation.request_bodies if b.schema is not None]
        roots += [(operation.label, b.schema) for r in operation.responses for b in r.bodies if b.schema is not None]
        roots += [(operation.label, p.schema) for p in operation.parameters if p.schema is not None]
    seen: set[tuple[str, tuple[str | int, ...]]] = set()
    for where, root in roots:
        for _, schema in subschemas(contract, root, seen=seen):
            named = schema.pointer[:1] in {("components",), ("definitions",)} or schema.file != contract.root.name
            yield (where_of(schema) if named else where), schema


#: Keywords through which 3.0.0-3.0.2 documents commonly made a composed schema nullable, before 3.0.3 said `nullable` needs a `type`.
_COMPOSED = frozenset({"allOf", "anyOf", "oneOf", "$ref"})


@rule(
    code="API040",
    name="ineffective-nullable",
    severity=Severity.WARNING,
    title="`nullable` has no effect here",
    fix="In OpenAPI 3.1 write `type: [string, 'null']`; in 3.0 put `nullable: true` beside a `type`.",
)
def ineffective_nullable(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds `nullable` in an OpenAPI 3.1 document, where it is no keyword (3.1 schemas are JSON
    Schema 2020-12: null is a type), and `nullable: true` without a `type` beside it in 3.0,
    where it means nothing (OpenAPI 3.0.3: it applies to the `type` of the same schema).
    Documents declaring 3.0.0-3.0.2, written before that clarification, are only reported
    where no reading gives it a meaning (no `allOf`/`anyOf`/`oneOf`/`$ref` beside it either).

    ## Why is this bad?
    The author meant "may be null"; validators, generated clients and servers read "may not":
    a null in a response fails client validation, and a null sent by a client is refused.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object, properties: {nickname: {type: string, nullable: true}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object, properties: {nickname: {type: [string, 'null']}}}

    ## References
    OpenAPI Specification 3.0.3, Schema Object `nullable`; OpenAPI 3.1.0 release notes (nullable removed).
    """
    for contract in arch.contracts:
        if contract.version == "2.0":
            continue
        declared = tuple(int(n) for n in re.findall(r"\d+", str(contract.document.get("openapi", "")))[:3])
        clarified = contract.version == "3.0" and declared >= (3, 0, 3)
        for where, schema in all_schemas(contract):
            value = schema.value
            if "nullable" not in value:
                continue
            at = schema.child("nullable") or schema
            if contract.version == "3.1":
                yield located(self, at, where, "`nullable` is no keyword in OpenAPI 3.1: null is refused; add 'null' to `type`")
            elif value.get("nullable") is True and "type" not in value and (clarified or not _COMPOSED & set(value)):
                yield located(self, at, where, "`nullable: true` without a `type` beside it means nothing in OpenAPI 3.0")


@rule(
    code="API041",
    name="required-property-undefined",
    severity=Severity.WARNING,
    title="Required property is never defined",
    fix="Define the property under `properties` (or fix the spelling in `required`).",
)
def required_property_undefined(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds names in an object schema's `required` that none of its `properties` define (its
    `allOf` parts included), in schemas that declare properties and no `patternProperties`.
    Schemas built with `oneOf`/`anyOf` are left alone (a variant may define the name), and so
    are the parts themselves (a part may require what the whole defines).

    ## Why is this bad?
    Usually a typo or a renamed property: clients are told to send a field the schema never
    describes (no type, no format), and with `additionalProperties: false` no value can pass.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object, required: [nmae], properties: {name: {type: string}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object, required: [name], properties: {name: {type: string}}}
    """
    for contract in arch.contracts:
        parts: set[tuple[str, tuple[str | int, ...]]] = set()
        found = all_schemas(contract)
        for _, schema in found:
            for keyword in ("allOf", "anyOf", "oneOf"):
                pieces = schema.child(keyword)
                for i in range(len(pieces.value) if pieces is not None and isinstance(pieces.value, list) else 0):
                    part = contract.resolve(pieces.child(i)) if pieces is not None else None
                    if part is not None:
                        parts.add((part.file, part.pointer))  # a part may require what the whole defines
        for where, schema in found:
            if (schema.file, schema.pointer) in parts or "patternProperties" in schema.value or not isinstance(schema.value.get("required", []), list):
                continue
            if "required" not in schema.value and "allOf" not in schema.value:
                continue  # nothing required here, nor in parts merged into it
            view = object_view(contract, schema)
            if not view.properties or view.composed:
                continue
            missing = sorted(name for name in view.required if name not in view.properties)
            if missing:
                at = schema.child("required") or schema
                yield located(self, at, where, f"required {', '.join(repr(m) for m in missing)} not defined in properties")
