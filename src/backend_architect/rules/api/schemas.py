"""Schemas: closed request bodies, bounded input, integer formats, consistent property casing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from backend_architect.ir.contract import ApiContract, ContractOperation, Node
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import has_json, located, object_view, operations, subschemas, where_of
from backend_architect.rules.model import Finding, Rule, Severity, rule

#: Formats whose values are bounded by their grammar, so maxLength adds nothing.
BOUNDED_FORMATS = frozenset({"date", "date-time", "time", "uuid", "email", "ipv4", "ipv6", "uri", "hostname", "byte", "int32", "int64", "duration"})
_STYLES = (
    ("snake_case", re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")),
    ("camelCase", re.compile(r"^[a-z][a-z0-9]*([A-Z][a-z0-9]*)+$")),
    ("kebab-case", re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")),
    ("PascalCase", re.compile(r"^[A-Z][a-z0-9]+([A-Z][a-z0-9]*)*$")),
)
_MAX_NAMES = 5


def casing(name: str) -> str | None:
    """The casing style of a multi-word name; None for single lowercase words, which fit any style.

    >>> [casing(n) for n in ("created_at", "createdAt", "created-at", "CreatedAt", "id")]
    ['snake_case', 'camelCase', 'kebab-case', 'PascalCase', None]
    """
    return next((style for style, pattern in _STYLES if pattern.match(name)), None)


def _json_request(operation: ContractOperation) -> Node | None:
    return next((b.schema for b in operation.request_bodies if has_json(b.media_type) and b.schema is not None), None)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_MAX_NAMES])
    return shown + (f" and {len(names) - _MAX_NAMES} more" if len(names) > _MAX_NAMES else "")


@rule(
    code="API031",
    name="open-request-body",
    severity=Severity.INFO,
    title="Request body accepts unknown properties",
    fix="Close request objects with `additionalProperties: false` (or `unevaluatedProperties: false` with allOf in 3.1).",
)
def open_request_body(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds JSON request bodies that are objects with declared properties but do not refuse
    other properties (`additionalProperties: false`, in the schema or one of its `allOf` parts).
    Bodies built with `oneOf`/`anyOf` are left alone: closing each variant is the author's call.

    ## Why is this bad?
    A server that binds the body to its model accepts fields the API never offered
    (`is_admin`, `price`): mass assignment, OWASP API3:2023. Typos in optional fields are
    silently ignored instead of rejected.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          requestBody:
            content: {application/json: {schema: {type: object, properties: {name: {type: string, maxLength: 100}}}}}
          responses: {'201': {description: Created.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          requestBody:
            content: {application/json: {schema: {type: object, additionalProperties: false, properties: {name: {type: string, maxLength: 100}}}}}
          responses: {'201': {description: Created.}}

    ## References
    OWASP API Security Top 10 2023, API3 (broken object property level authorization).
    """
    for contract, operation in operations(arch):
        schema = _json_request(operation)
        if schema is None:
            continue
        view = object_view(contract, schema)
        if view.properties and not view.closed and not view.composed:
            yield located(self, schema, operation.label, "the request body accepts properties it does not declare")


def bounded_pattern(pattern: object) -> bool:
    """A pattern anchored at both ends with only bounded repetition, so it bounds the length.

    >>> bounded_pattern(r"^-?\\d{1,15}(\\.\\d{1,4})?$"), bounded_pattern("^[a-z]+$"), bounded_pattern("[A-Z]{3}")
    (True, False, False)
    """
    if not isinstance(pattern, str) or not pattern.startswith("^") or not pattern.endswith("$"):
        return False
    plain = re.sub(r"\\.", "", pattern)
    return not re.search(r"[*+]|\{\d+,\}", plain)


def _unbounded(contract: ApiContract, schema: Node) -> list[str]:
    found = []
    for path, node in subschemas(contract, schema):
        value = node.value
        kind = value.get("type")
        kinds = {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
        fmt = value.get("format")
        bounded = {"maxLength", "enum", "const"} & set(value) or (isinstance(fmt, str) and fmt in BOUNDED_FORMATS) or bounded_pattern(value.get("pattern"))
        if "string" in kinds and not bounded:
            found.append(f"{path or '(body)'} (string without maxLength)")
        if "array" in kinds and "maxItems" not in value:
            found.append(f"{path or '(body)'} (array without maxItems)")
    return found


@rule(
    code="API032",
    name="unbounded-request-input",
    severity=Severity.INFO,
    title="Request accepts unbounded strings or arrays",
    fix="Give request strings a maxLength (or an enum/format) and arrays a maxItems.",
)
def unbounded_request_input(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds strings without `maxLength` (and without an `enum` or a bounded `format`) and arrays
    without `maxItems` in JSON request bodies.

    ## Why is this bad?
    The limit is then whatever the web server's body limit is: a 10 MB "name" is stored,
    indexed, logged and sent to every client that lists it (OWASP API4:2023).

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          requestBody:
            content: {application/json: {schema: {type: object, additionalProperties: false, properties: {name: {type: string}}}}}
          responses: {'201': {description: Created.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          requestBody:
            content: {application/json: {schema: {type: object, additionalProperties: false, properties: {name: {type: string, maxLength: 100}}}}}
          responses: {'201': {description: Created.}}

    ## References
    OWASP API Security Top 10 2023, API4 (unrestricted resource consumption).
    """
    for contract, operation in operations(arch):
        schema = _json_request(operation)
        if schema is None:
            continue
        found = _unbounded(contract, schema)
        if found:
            yield located(self, schema, operation.label, f"unbounded input: {_names(found)}")


@rule(
    code="API033",
    name="integer-without-format",
    severity=Severity.INFO,
    title="Integer has no format",
    fix="Say int32 or int64; ids and counters that can pass 2^31 need int64.",
)
def integer_without_format(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds named schemas (components) with integer properties that declare neither `format`
    (`int32`/`int64`) nor a `maximum`, one finding per schema.

    ## Why is this bad?
    Generators pick the integer width: Java and C# clients get a 32-bit `int` and overflow
    at 2,147,483,647, which ids and byte counts reach in production.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object, properties: {id: {type: integer}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object, properties: {id: {type: integer, format: int64}}}

    ## References
    Zalando RESTful API Guidelines 171 (define format for number and integer types).
    """
    for contract in arch.contracts:
        for schema in contract.schemas():
            loose = []
            view = object_view(contract, schema)
            for name, node in view.properties.items():
                resolved = contract.resolve(node)
                value = resolved.value if resolved is not None and isinstance(resolved.value, dict) else {}
                kind = value.get("type")
                if (kind == "integer" or (isinstance(kind, list) and "integer" in kind)) and "format" not in value and "maximum" not in value:
                    loose.append(name)
            if loose:
                yield located(self, schema, where_of(schema), f"integer propert{'ies' if len(loose) > 1 else 'y'} without format: {_names(loose)}")


@rule(
    code="API021",
    name="inconsistent-property-casing",
    severity=Severity.WARNING,
    title="Property names mix casing styles",
    fix="Use one casing for every property name in the API (snake_case in this house's convention).",
)
def inconsistent_property_casing(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Classifies every multi-word property name of the document's schemas (snake_case,
    camelCase, kebab-case, PascalCase) and reports the schemas whose names break the style
    most names use.

    ## Why is this bad?
    Clients map JSON to their models with one naming policy; every exception needs a manual
    mapping, and mistakes are silent: the field is simply missing.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object, properties: {created_at: {type: string}, owner_id: {type: string}, birthDate: {type: string}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet: {type: object, properties: {created_at: {type: string}, owner_id: {type: string}, birth_date: {type: string}}}

    ## References
    Zalando RESTful API Guidelines 118 (property names are snake_case).
    """
    for contract in arch.contracts:
        by_schema: list[tuple[Node, list[tuple[str, str]]]] = []
        for schema in contract.schemas():
            styled = [(name, style) for name in object_view(contract, schema).properties if (style := casing(name))]
            if styled:
                by_schema.append((schema, styled))
        counts = Counter(style for _, styled in by_schema for _, style in styled)
        if len(counts) < 2:
            continue
        usual = max(sorted(counts), key=lambda style: counts[style])
        for schema, styled in by_schema:
            odd = [name for name, style in styled if style != usual]
            if odd:
                yield located(self, schema, where_of(schema), f"{_names(odd)} not {usual} like {counts[usual]} other property names")
