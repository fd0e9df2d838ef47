"""JSON Schema (as the design's OpenAPI document writes it) -> a Python type annotation for pydantic and FastAPI.

The request models are generated from the served document itself, so what the service
accepts is what the contract says: the same lengths, formats, patterns, enums and bounds.
"""

from __future__ import annotations

from typing import Any

from backend_architect.scaffold.naming import literal, pascal

#: A decimal string when the schema names no pattern of its own.
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


#: Longest list of enum values written on the field's own line (the generated code keeps to 160 columns).
LITERAL_LINE = 100


class Unsupported(ValueError):
    """A schema construct the generator cannot turn into a type (named in the message)."""


def _string(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    if schema.get("enum"):
        values = [v for v in schema["enum"] if v is not None]
        joined = ", ".join(literal(v) for v in values)
        if len(joined) <= LITERAL_LINE:
            return f"Literal[{joined}]"
        # one value a line (inside the brackets), so a long list of allowed values keeps within the line length
        return "Literal[\n" + "".join(f"        {literal(v)},\n" for v in values) + "    ]"
    if fmt == "uuid":
        return "Uuid"
    if fmt == "date":
        return "Date"
    if fmt == "date-time":
        return "DateTime"
    if fmt == "decimal":
        regex = schema.get("pattern") or DECIMAL_PATTERN
        return f"Annotated[Decimal, decimal_text({literal(regex)})]"
    base = "Email" if fmt == "email" else "Text"
    extras = []
    bounds = [f"{k}={int(schema[s])}" for k, s in (("min_length", "minLength"), ("max_length", "maxLength")) if s in schema]
    if bounds:
        extras.append(f"Field({', '.join(bounds)})")
    if schema.get("pattern"):
        extras.append(f"pattern({literal(schema['pattern'])})")
    return f"Annotated[{base}, {', '.join(extras)}]" if extras else base


def _integer(schema: dict[str, Any]) -> str:
    base = {"int32": "Int32", "int64": "Int64"}.get(schema.get("format") or "", "Integer")
    bounds = [f"{k}={int(schema[s])}" for k, s in (("ge", "minimum"), ("le", "maximum")) if s in schema]
    return f"Annotated[{base}, Field({', '.join(bounds)})]" if bounds else base


def annotation(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """The annotation for one property's schema; ``| None`` where the schema allows null.

    >>> annotation({"type": ["string", "null"], "maxLength": 5}, {})
    'Annotated[Text, Field(max_length=5)] | None'
    >>> annotation({"type": "integer", "format": "int32"}, {})
    'Int32'
    >>> annotation({"oneOf": [{"$ref": "#/components/schemas/Money"}, {"type": "null"}]}, {})
    'Money | None'
    """
    if "$ref" in schema:
        return pascal(schema["$ref"].rsplit("/", 1)[-1])
    if "oneOf" in schema:
        options = [o for o in schema["oneOf"] if o != {"type": "null"}]
        nullable = len(options) < len(schema["oneOf"])
        if len(options) != 1:
            raise Unsupported("oneOf with several non-null options")
        return annotation(options[0], components) + (" | None" if nullable else "")
    kinds = schema.get("type")
    types = kinds if isinstance(kinds, list) else [kinds]
    nullable = "null" in types
    kind = next((t for t in types if t != "null"), None)
    if kind == "string":
        base = _string(schema)
    elif kind == "integer":
        base = _integer(schema)
    elif kind == "number":
        bounds = [f"{k}={schema[s]!r}" for k, s in (("ge", "minimum"), ("le", "maximum")) if s in schema]
        base = f"Annotated[Number, Field({', '.join(bounds)})]" if bounds else "Number"
    elif kind == "boolean":
        base = "bool"
    elif kind == "object":
        base = "JsonObject"
    elif kind == "array":
        item = annotation(schema.get("items", {}), components) if schema.get("items") else "Any"
        bounds = [f"{k}={int(schema[s])}" for k, s in (("min_length", "minItems"), ("max_length", "maxItems")) if s in schema]
        base = f"Annotated[list[{item}], Field({', '.join(bounds)})]" if bounds else f"list[{item}]"
    else:
        raise Unsupported(f"type {kinds!r}")
    return base + (" | None" if nullable else "")


def parameter_annotation(schema: dict[str, Any]) -> str:
    """A query or path parameter's type: as a body property, but strings are plain text and booleans spelled out.

    >>> parameter_annotation({"type": "boolean"})
    "Literal['true', 'false']"
    >>> parameter_annotation({"type": "integer", "format": "int32", "minimum": 1, "maximum": 100})
    'Annotated[int, Field(ge=1, le=100)]'
    >>> parameter_annotation({"type": "number", "minimum": -90, "maximum": 90})
    'Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]'

    """
    if schema.get("type") == "boolean":
        return "Literal['true', 'false']"
    if schema.get("type") == "number":
        limits = [f"{k}={schema[s]!r}" for k, s in (("ge", "minimum"), ("le", "maximum")) if s in schema]
        return f"Annotated[float, Field({', '.join([*limits, 'allow_inf_nan=False'])})]"
    if schema.get("type") == "integer":
        low, high = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}.get(schema.get("format") or "", (None, None))
        bounds = {"ge": schema.get("minimum", low), "le": schema.get("maximum", high)}
        text = ", ".join(f"{k}={int(v)}" for k, v in bounds.items() if v is not None)
        return f"Annotated[int, Field({text})]" if text else "int"
    return annotation(schema, {})
