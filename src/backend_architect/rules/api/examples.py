"""Examples: present, and valid against the schema they illustrate.

Validation uses ``openapi-schema-validator``, the maintained validator of OpenAPI's schema
dialects (3.0's draft-4 subset with ``nullable``, 3.1's draft 2020-12), with its format
checks (``date-time``, ``email``, ``uri``, ``uuid``, ``int32``...). Three OpenAPI readings
are added where other linters report false positives: ``readOnly`` properties are not
required in a request example (nor ``writeOnly`` ones in a response example) even when the
property is a ``$ref``; 3.0's ``nullable`` admits null past an ``enum``; and a ``oneOf`` with
a ``discriminator`` is checked against the variant it names, found among the variants
wherever they live (the library looks for ``#/components/schemas/<value>`` only, which is
not there once a document is split into files). Patterns (``pattern``,
``patternProperties``) run on RE2 (``rules/regex.py``), in time linear in the example, so
no document can make a review backtrack for ever.

Every example is checked: media types' ``example``/``examples``, parameters' and headers',
and the ``example`` (3.0) or ``examples`` (3.1) of every schema. A finding points at the
offending property inside the example, not at the example as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from backend_architect.ir.contract import ApiContract, Node, pointer_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import has_json, located, operations, subschemas, where_of
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.regex import linear_keywords

_MAX_ERROR = 160
_SAFE = "/~!$&'()*+,;=:@"
Check = Callable[[Any, Any, Any, dict[str, Any]], Iterator[Any]]


def _nullable(check: Check) -> Check:
    """A keyword that lets null through where 3.0's ``nullable`` (or Swagger's ``x-nullable``) says so."""

    def checked(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        if instance is None and (schema.get("nullable") is True or schema.get("x-nullable") is True):
            return
        yield from check(validator, value, instance, schema)

    return checked


def _required(flag: str | None, contract: ApiContract) -> Check:
    """``required`` that does not ask for properties marked ``flag`` (readOnly in requests, writeOnly in responses), through ``$ref``."""
    from jsonschema import ValidationError

    def required(validator: Any, names: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        if not validator.is_type(instance, "object") or not isinstance(names, list):
            return
        properties = schema.get("properties")
        for name in names:
            if name in instance:
                continue
            declared = properties.get(name) if isinstance(properties, dict) else None
            if isinstance(declared, dict) and isinstance(declared.get("$ref"), str):
                declared = _declared(contract, declared["$ref"])
            if isinstance(declared, dict) and (declared.get(flag) is True if flag else declared.get("readOnly") or declared.get("writeOnly")):
                continue
            yield ValidationError(f"{name!r} is a required property")

    return required


def _declared(contract: ApiContract, ref: str) -> Any:
    """The schema a property's ``$ref`` names, looked up from each file of the contract (the root first)."""
    for name in contract.files:
        node = contract.target(ref, name)
        if node is not None:
            return node.value
    return None


def _discriminated(base: Check, keyword: str) -> Check:
    """``oneOf``/``anyOf`` checked against the variant a ``discriminator`` names, matched by its mapping or by the variant's name."""
    from jsonschema import ValidationError

    def check(validator: Any, variants: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        discriminator = schema.get("discriminator")
        name = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
        plain = {k: v for k, v in schema.items() if k != "discriminator"}
        if not isinstance(name, str) or not isinstance(instance, dict) or not isinstance(instance.get(name), str):
            yield from base(validator, variants, instance, plain)
            return
        value = instance[name]
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        wanted = mapping.get(value) if isinstance(mapping, dict) else None
        named = _stem(str(wanted)) if wanted is not None else value
        for variant in variants:
            ref = variant.get("$ref", "") if isinstance(variant, dict) else ""
            if ref and (ref == wanted or _stem(ref) == named):
                yield from validator.descend(instance, variant)
                return
        yield ValidationError(f"discriminator {name}={value!r} names none of the {keyword} variants")

    return check


def _stem(ref: str) -> str:
    """The name a reference gives its target, whichever file holds it.

    >>> _stem("#/components/schemas/Cat"), _stem("schemas/Cat.yaml")
    ('Cat', 'Cat')
    """
    return ref.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def validator_class(contract: ApiContract, direction: str) -> Any:
    """The validator class for ``contract``'s dialect, reading readOnly/writeOnly for ``direction`` (request, response or schema)."""
    import jsonschema.validators
    from openapi_schema_validator import OAS30Validator, OAS31Validator

    base = OAS31Validator if contract.version == "3.1" else OAS30Validator
    flag = {"request": "readOnly", "response": "writeOnly"}.get(direction)
    keywords: dict[str, Any] = {
        **linear_keywords(),  # document patterns run on RE2: an example can never make a review backtrack for ever
        "required": _required(flag, contract),
        "oneOf": _discriminated(base.VALIDATORS["oneOf"], "oneOf"),
        "anyOf": _discriminated(base.VALIDATORS["anyOf"], "anyOf"),
    }
    if contract.version != "3.1":
        keywords["type"] = _nullable(base.VALIDATORS["type"])
        keywords["enum"] = _nullable(base.VALIDATORS["enum"])
    return jsonschema.validators.extend(base, keywords)  # type: ignore[no-untyped-call]


class ExampleChecker:
    """Validates examples of one contract; the registry of its files is built once."""

    def __init__(self, contract: ApiContract) -> None:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4, DRAFT202012

        self.contract = contract
        dialect = DRAFT202012 if contract.version == "3.1" else DRAFT4
        resources = [
            (contract.uris.get(name, name), dialect.create_resource(source.tree) if isinstance(source.tree, dict) else Resource.opaque(source.tree))
            for name, source in contract.files.items()
        ]
        self.registry = Registry().with_resources(resources)
        self.classes: dict[str, Any] = {}

    def _validator(self, direction: str) -> Any:
        """One validator per direction, evolved for each schema: creating one merges the registry of every file (2,900 in large split documents)."""
        if direction not in self.classes:
            cls = validator_class(self.contract, direction)
            self.classes[direction] = cls({}, registry=self.registry, format_checker=cls.FORMAT_CHECKER)
        return self.classes[direction]

    def error(self, schema: Node, example: Any, direction: str) -> tuple[str, tuple[str | int, ...]] | None:
        """Why ``example`` does not match ``schema`` and where inside the example, or None when it does."""
        from jsonschema.exceptions import UnknownType, best_match
        from referencing.exceptions import Unresolvable

        uri = self.contract.uris.get(schema.file, schema.file)
        validator = self._validator(direction).evolve(schema={"$ref": f"{uri}#{quote(pointer_text(schema.pointer), safe=_SAFE)}"})
        try:
            error = best_match(validator.iter_errors(example))
        except (Unresolvable, RecursionError) as exc:  # an unresolvable $ref is API001's finding, not this rule's
            return (f"cannot check: {str(exc)[:_MAX_ERROR]}", ()) if isinstance(exc, RecursionError) else None
        except (AttributeError, TypeError, KeyError, ValueError, UnknownType):
            # a $ref that leads to something other than a schema, or a schema node of the wrong JSON type or an unknown
            # type name (properties: 5, required: null): jsonschema fails reading it; the document's validity is not this rule's finding
            return None
        if error is None:
            return None
        where = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in error.absolute_path) or "(root)"
        message = error.message if len(error.message) <= _MAX_ERROR else error.message[:_MAX_ERROR] + "…"
        return f"{where}: {message}", tuple(error.absolute_path)


def _media_examples(contract: ApiContract) -> Iterator[tuple[str, str, Node | None, str, Node]]:
    for operation in contract.operations:
        for body in operation.request_bodies:
            for example in body.examples:
                yield operation.label, "request", body.schema, body.media_type, example
        for parameter in operation.parameters:
            for example in _held_examples(contract, parameter.node):
                yield operation.label, "request", parameter.schema, f"parameter {parameter.name}", example
        for response in operation.responses:
            for body in response.bodies:
                for example in body.examples:
                    yield f"{operation.label} {response.status}", "response", body.schema, body.media_type, example
            headers = contract.resolve(response.node.child("headers"))
            for name in headers.value if headers is not None and isinstance(headers.value, dict) else ():
                header = contract.resolve(headers.child(name)) if headers is not None else None
                if header is not None and isinstance(header.value, dict):
                    for example in _held_examples(contract, header):
                        yield f"{operation.label} {response.status}", "response", contract.resolve(header.child("schema")), f"header {name}", example


def _held_examples(contract: ApiContract, holder: Node) -> Iterator[Node]:
    """The ``example`` and each ``examples.*.value`` of a parameter or header."""
    single = holder.child("example")
    if single is not None:
        yield single
    named = contract.resolve(holder.child("examples"))
    if named is not None and isinstance(named.value, dict):
        for key in named.value:
            example = contract.resolve(named.child(key))
            value = example.child("value") if example is not None else None
            if value is not None:
                yield value


def _schema_examples(contract: ApiContract) -> Iterator[tuple[Node, Node]]:
    """Each schema's own examples (``example``; in 3.1 the ``examples`` array), each schema once."""
    roots = list(contract.schemas())
    for operation in contract.operations:
        roots += [b.schema for b in operation.request_bodies if b.schema is not None]
        roots += [b.schema for r in operation.responses for b in r.bodies if b.schema is not None]
        roots += [p.schema for p in operation.parameters if p.schema is not None]
    seen: set[tuple[str, tuple[str | int, ...]]] = set()
    for root in roots:
        for _, schema in subschemas(contract, root, seen=seen):
            single = schema.child("example")
            if single is not None:
                yield schema, single
            listed = schema.child("examples") if contract.version == "3.1" else None
            if listed is not None and isinstance(listed.value, list):
                yield from ((schema, item) for i in range(len(listed.value)) if (item := listed.child(i)) is not None)


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
    Validates every example against its schema: request and response bodies (`example`,
    `examples.*.value`, Swagger's response `examples`), parameters and response headers,
    and schemas' own `example` (`examples` in 3.1), in the document's dialect with its
    formats (`date-time`, `email`, `uri`, `uuid`...) and OpenAPI's readOnly/writeOnly,
    `nullable` and discriminator rules. The finding points at the offending property.

    ## Why is this bad?
    Examples become mock servers, documentation and contract tests; a wrong one teaches
    every client the wrong shape, or it shows the schema is wrong.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get:
          parameters: [{name: pet_id, in: path, required: true, schema: {type: string, format: uuid}, example: 7}]
          responses:
            '200':
              description: The pet.
              content:
                application/json:
                  schema: {type: object, required: [name], properties: {name: {type: string}, born: {type: string, format: date-time}}}
                  example: {name: Rex, born: yesterday}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets/{pet_id}:
        get:
          parameters: [{name: pet_id, in: path, required: true, schema: {type: string, format: uuid}, example: 3fa85f64-5717-4562-b3fc-2c963f66afa6}]
          responses:
            '200':
              description: The pet.
              content:
                application/json:
                  schema: {type: object, required: [name], properties: {name: {type: string}, born: {type: string, format: date-time}}}
                  example: {name: Rex, born: '2024-05-01T10:00:00Z'}
    """
    for contract in arch.contracts:
        checker: ExampleChecker | None = None
        checked: set[tuple[str, tuple[str | int, ...], str]] = set()
        for where, direction, schema, what, example in _media_examples(contract):
            if schema is None or (not what.startswith(("parameter ", "header ")) and not has_json(what)):
                continue
            key = (example.file, example.pointer, direction)
            if key in checked:
                continue  # a shared response component: judged once, where it is first used
            checked.add(key)
            checker = checker or ExampleChecker(contract)
            problem = checker.error(schema, example.value, direction)
            if problem:
                at = Node(None, example.file, (*example.pointer, *problem[1]))
                yield located(self, at, where, f"{what} example: {problem[0]}")
        for schema, example in _schema_examples(contract):
            key = (example.file, example.pointer, "schema")
            if key in checked:
                continue
            checked.add(key)
            checker = checker or ExampleChecker(contract)
            problem = checker.error(schema, example.value, "schema")
            if problem:
                at = Node(None, example.file, (*example.pointer, *problem[1]))
                yield located(self, at, where_of(schema), f"schema example: {problem[0]}")


@rule(
    code="API036",
    name="missing-example",
    severity=Severity.INFO,
    title="Success response has no example",
    fix="Add an example (or named examples) to the success response's JSON media type.",
    tier="all",
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
