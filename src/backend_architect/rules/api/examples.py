"""Examples: present, and valid against the schema they illustrate.

Validation uses the ``jsonschema`` library with the dialect the document is written in
(draft 2020-12 for OpenAPI 3.1, draft 4 plus ``nullable`` for 3.0 and Swagger 2.0) and
three OpenAPI rules JSON Schema does not know, which are where other linters report false
positives: a ``readOnly`` property is not required in a request example (nor ``writeOnly``
in a response example), and a ``oneOf``/``anyOf`` with a ``discriminator`` is validated
against the variant the discriminator names, not against every variant.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import jsonschema.validators
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from backend_architect.ir.contract import ApiContract, MediaBody, Node, pointer_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import has_json, located, operations
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.regex import linear_keywords

_URI = "urn:backend-architect:"
_MAX_ERROR = 160


def _nullable_type(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    if instance is None and (schema.get("nullable") is True or schema.get("x-nullable") is True):
        return
    yield from jsonschema._keywords.type(validator, types, instance, schema)  # type: ignore[attr-defined]


def _nullable_enum(validator: Any, values: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    """OpenAPI 3.0 ``nullable`` admits null past an ``enum`` too, as every code generator reads it."""
    if instance is None and (schema.get("nullable") is True or schema.get("x-nullable") is True):
        return
    yield from jsonschema._keywords.enum(validator, values, instance, schema)  # type: ignore[attr-defined]


def _required_skipping(flag: str) -> Any:
    """``required`` that does not ask for properties marked ``flag`` (readOnly in requests, writeOnly in responses)."""

    def required(validator: Any, names: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        if not validator.is_type(instance, "object") or not isinstance(names, list):
            return
        properties = schema.get("properties", {})
        for name in names:
            if name in instance:
                continue
            declared = properties.get(name) if isinstance(properties, dict) else None
            if isinstance(declared, dict) and "$ref" in declared:
                try:
                    declared = validator._resolver.lookup(declared["$ref"]).contents
                except Exception:  # noqa: BLE001 - an unresolvable $ref is API001's finding, not this rule's
                    declared = None
            if isinstance(declared, dict) and declared.get(flag) is True:
                continue
            yield jsonschema.ValidationError(f"{name!r} is a required property")

    return required


def _discriminated(keyword: str) -> Any:
    """``oneOf``/``anyOf`` that honours an OpenAPI ``discriminator``."""
    base = getattr(jsonschema._keywords, keyword.lower().replace("of", "Of"))  # type: ignore[attr-defined]

    def check(validator: Any, variants: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        discriminator = schema.get("discriminator")
        name = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
        if not isinstance(name, str) or not isinstance(instance, dict) or not isinstance(instance.get(name), str):
            yield from base(validator, variants, instance, schema)
            return
        value = instance[name]
        declared = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        wanted = declared.get(value) if isinstance(declared, dict) else None
        for variant in variants:
            ref = variant.get("$ref", "") if isinstance(variant, dict) else ""
            if ref and (ref == wanted or (wanted is None and ref.rsplit("/", 1)[-1] == value)):
                yield from validator.descend(instance, variant)
                return
        yield jsonschema.ValidationError(f"discriminator {name}={value!r} names none of the {keyword} variants")

    return check


@cache
def _validator_class(version: str, direction: str) -> Any:
    base = jsonschema.Draft202012Validator if version == "3.1" else jsonschema.Draft4Validator
    keywords: dict[str, Any] = {
        **linear_keywords(),  # document patterns run on RE2: an example can never make a review backtrack for ever
        "required": _required_skipping("readOnly" if direction == "request" else "writeOnly"),
        "oneOf": _discriminated("oneOf"),
        "anyOf": _discriminated("anyOf"),
    }
    if version != "3.1":
        keywords["type"] = _nullable_type
        keywords["enum"] = _nullable_enum
    return jsonschema.validators.extend(base, keywords)  # type: ignore[no-untyped-call]


def _registry(contract: ApiContract) -> Registry[Any]:
    dialect = DRAFT202012 if contract.version == "3.1" else DRAFT4
    resources = [(_URI + name, dialect.create_resource(source.tree)) for name, source in contract.files.items()]
    return Registry().with_resources(resources)


def example_error(contract: ApiContract, registry: Registry[Any], schema: Node, example: Any, direction: str) -> str | None:
    """Why ``example`` does not match ``schema``, or None when it does."""
    cls = _validator_class(contract.version, direction)
    validator = cls({"$ref": f"{_URI}{schema.file}#{pointer_text(schema.pointer)}"}, registry=registry)
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(example))
    except (jsonschema.exceptions._WrappedReferencingError, RecursionError) as exc:  # type: ignore[attr-defined]
        return f"cannot check: {str(exc)[:_MAX_ERROR]}" if isinstance(exc, RecursionError) else None
    except (TypeError, AttributeError, KeyError, ValueError, jsonschema.exceptions.UnknownType) as exc:
        # a schema node of the wrong JSON type or an unknown type name (properties: 5, required: null): jsonschema fails reading it
        return f"cannot check: the schema is not valid JSON Schema ({type(exc).__name__}: {str(exc)[:80]})"
    if error is None:
        return None
    where = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in error.absolute_path) or "(root)"
    message = error.message if len(error.message) <= _MAX_ERROR else error.message[:_MAX_ERROR] + "…"
    return f"{where}: {message}"


def _examples(contract: ApiContract) -> Iterator[tuple[str, str, MediaBody, Node]]:
    for operation in contract.operations:
        for body in operation.request_bodies:
            for example in body.examples:
                yield operation.label, "request", body, example
        for response in operation.responses:
            for body in response.bodies:
                for example in body.examples:
                    yield f"{operation.label} {response.status}", "response", body, example


@rule(
    code="API037",
    name="invalid-example",
    severity=Severity.WARNING,
    title="Example does not match its schema",
    fix="Correct the example (or the schema): mocks, docs and contract tests are built from it.",
)
def invalid_example(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Validates every request and response example (`example`, `examples.*.value`, Swagger's
    response `examples`) against the schema of its media type, in the document's JSON Schema
    dialect, with OpenAPI's readOnly/writeOnly and discriminator rules.

    ## Why is this bad?
    Examples become mock servers, documentation and contract tests; a wrong one teaches
    every client the wrong shape, or it shows the schema is wrong.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get:
          parameters: [{name: pet_id, in: path, required: true, schema: {type: string}}]
          responses:
            '200':
              description: The pet.
              content:
                application/json:
                  schema: {type: object, required: [name], properties: {name: {type: string}}}
                  example: {name: 7}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get:
          parameters: [{name: pet_id, in: path, required: true, schema: {type: string}}]
          responses:
            '200':
              description: The pet.
              content:
                application/json:
                  schema: {type: object, required: [name], properties: {name: {type: string}}}
                  example: {name: Rex}
    """
    for contract in arch.contracts:
        registry: Registry[Any] | None = None
        checked: set[tuple[str, tuple[str | int, ...], str]] = set()
        for where, direction, body, example in _examples(contract):
            if body.schema is None or not has_json(body.media_type):
                continue
            key = (example.file, example.pointer, direction)
            if key in checked:
                continue  # a shared response component: judged once, where it is first used
            checked.add(key)
            registry = registry or _registry(contract)
            problem = example_error(contract, registry, body.schema, example.value, direction)
            if problem:
                yield located(self, example, where, f"{body.media_type} example: {problem}")


@rule(
    code="API036",
    name="missing-example",
    severity=Severity.INFO,
    title="Success response has no example",
    fix="Add an example (or named examples) to the success response's JSON media type.",
)
def missing_example(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds operations whose JSON success response has no example, neither on the media type
    nor on its schema.

    ## Why is this bad?
    Readers learn an API from its examples first; mock servers and contract tests have
    nothing to serve or assert.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200':
              description: The pets.
              content: {application/json: {schema: {type: object}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200':
              description: The pets.
              content: {application/json: {schema: {type: object}, example: {}}}
    """
    for contract, operation in operations(arch):
        for response in operation.responses:
            if response.status[:1] != "2":
                continue
            for body in response.bodies:
                if not has_json(body.media_type) or body.examples:
                    continue
                schema = contract.resolve(body.schema)
                if schema is not None and isinstance(schema.value, dict) and ("example" in schema.value or "examples" in schema.value):
                    continue
                yield located(self, response.node, operation.label, f"{response.status} {body.media_type} has no example")
                break
